"""The low-bandwidth site finishes the way from a borough to its trusts (#20 part 4): 'your borough' links on the
overview, each borough's serving organisations linked from the borough page, and on a trust page the 'serves' line
and the leadership table beside each borough it serves. Checked on the published-only site, as the public gets it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.publish.site_pages import Content
from data.package import load_for_site

PACKAGE = Path(__file__).resolve().parents[1] / "data" / "nel"
HAVERING = "E09000016"


@pytest.fixture(scope="module")
def pages():
    content = Content(load_for_site(PACKAGE, "hide"), hidden=True)
    return {p.file: "".join(b for b in p.body if isinstance(b, str)) for p in content.pages()}


def test_the_overview_links_each_nel_borough_to_its_section(pages):
    html = pages["index.html"]
    assert "<h2>Your borough</h2>" in html
    links = re.findall(r"<a href='boroughs\.html#(E09\d{6})'>", html)
    assert len(links) == 8 and HAVERING in links


def test_each_borough_section_links_the_organisations_serving_it(pages):
    html = pages["boroughs.html"]
    section = html.split(f"<h3 id='{HAVERING}'>Havering</h3>", 1)[1].split("<h3", 1)[0]
    assert "Residents from the global majority: 24.7%" in section.replace("\u202f", "").replace(" %", "%")
    assert "<a href='trust-RF4.html'>" in section and "<a href='trust-RAT.html'>" in section
    for target in re.findall(r"<a href='([^']+)'>", html.split("serving each borough", 1)[1]):
        assert target in pages, f"the borough page links {target}, which the site does not build"


def test_a_trust_page_has_its_serves_line_and_leadership_beside_each_borough(pages):
    html = pages["trust-RF4.html"]
    assert "<strong>Serves:</strong>" in html and f"<a href='boroughs.html#{HAVERING}'>Havering</a>" in html
    leadership = html.split("id='leadership'", 1)[1]
    assert "Residents of the 3 boroughs it serves, together" in leadership
    assert "Residents of Havering" in leadership and "24.7" in leadership.split("Residents of Havering", 1)[1][:200]
    assert "very senior managers" in leadership.lower()


def test_an_empty_trust_page_says_who_publishes_each_figure_and_where_every_gap_is(pages):
    html = pages["trust-RQX.html"]
    assert "<a href=\"https://www.homerton.nhs.uk\">Homerton Healthcare NHS Foundation Trust</a>" in html
    assert "href=\"data.html#coverage\"" in html and "/data#coverage" not in html
    assert "package" not in html.lower()
