"""Issue 20 in Chromium on a published-figures-only server (NEL_ILLUSTRATIVE=hide), as the public site runs: the
ICB link from / opens the ICB, a borough's link carries the borough to the trust's leadership table, Homerton's
empty profile names Homerton with a link to its site, /remi explains REMI with nothing published, and the address
holds only what the page uses."""
from __future__ import annotations

import re
import urllib.parse

import pytest

from bench.harness import app_server, exceptions, wait_for_app
from tests.test_browser_pages import axe_violations

HAVERING, NEWHAM = "E09000016", "E09000025"
UNKNOWN = "not one this page knows"


@pytest.fixture(scope="module")
def hidden_server():
    with app_server(env={"NEL_ILLUSTRATIVE": "hide"}) as base:
        yield base


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def main_links(page) -> dict[str, str]:
    """Link text -> href in the page's main area."""
    pairs = page.eval_on_selector_all('[data-testid="stMain"] a[href]',
                                      "els => els.map(e => [e.innerText.trim(), e.getAttribute('href')])")
    return {text: href for text, href in pairs}


def query(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


@pytest.mark.browser
def test_the_icb_link_from_the_home_page_opens_the_icb(hidden_server, page):
    page.goto(f"{hidden_server}/?borough={HAVERING}")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMain"] a[href^="/trust?org=QMF"]', timeout=60_000)
    href = main_links(page)["NHS North East London Integrated Care Board (NEL ICB)"]
    assert href == f"/trust?org=QMF&borough={HAVERING}"
    page.goto(hidden_server + href)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMain"] a[href="/data#coverage"] >> nth=5', timeout=60_000)
    text = main_text(page)
    assert UNKNOWN not in text and "Barts Health" not in text.split("Share this view")[0]
    assert "NHS North East London Integrated Care Board" in text
    assert main_links(page)["NHS North East London Integrated Care Board"] == "https://northeastlondon.icb.nhs.uk"
    assert query(page)["org"] == ["QMF"] and exceptions(page) == []


@pytest.mark.browser
def test_from_havering_to_bhrut_leadership_beside_havering_and_its_three_boroughs(hidden_server, page):
    page.goto(f"{hidden_server}/boroughs?borough={HAVERING}")
    wait_for_app(page, min_charts=1)
    page.wait_for_selector('[data-testid="stMain"] a[href^="/trust?org=RF4"]', timeout=60_000)
    href = main_links(page)["Barking, Havering and Redbridge University Hospitals NHS Trust (BHRUT)"]
    assert href == f"/trust?org=RF4&borough={HAVERING}"
    page.goto(hidden_server + href)
    wait_for_app(page, min_charts=1)
    page.wait_for_selector('[data-testid="stMain"] a[href="/data#coverage"] >> nth=2', timeout=60_000)  # WRES 5-8, 9, REMI
    text = main_text(page)
    # ONS TS021: Havering 24.7% global majority; Barking and Dagenham, Havering and Redbridge together 49.0%
    assert re.search(r"Residents of Havering\s+24\.7%", text)
    assert re.search(r"Residents of the 3 boroughs it serves, together\s+49\.0%", text)
    assert "beside the NEL system and England. " not in text  # it promises only what it shows
    assert query(page) == {"org": ["RF4"], "borough": [HAVERING]}  # no ?group= for a card about all staff
    share = page.locator('[data-testid="stCode"]').first.inner_text()
    assert share.strip().endswith(f"/trust?org=RF4&borough={HAVERING}")
    assert exceptions(page) == []


@pytest.mark.browser
def test_homertons_empty_profile_names_homerton_with_a_link_to_its_site(hidden_server, page):
    page.goto(f"{hidden_server}/trust?org=RQX&group=band_8a_plus")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMain"] a[href="/data#coverage"] >> nth=5', timeout=60_000)  # the last notice
    text = main_text(page)
    links = main_links(page)
    assert links["Homerton Healthcare NHS Foundation Trust"] == "https://www.homerton.nhs.uk"
    assert "WRES indicator 9 for Homerton Healthcare NHS Foundation Trust: not in this dashboard yet." in text
    assert "REMI self-assessment for Homerton Healthcare NHS Foundation Trust: not in this dashboard yet." in text
    assert links["what the dashboard holds"] == "/data#coverage"
    assert "package" not in text.lower() and "not yet published" not in text.split("Representation by staff group")[1]
    assert "group" not in query(page)  # nothing on the page uses a staff group
    assert axe_violations(page) == []  # the links inside the notices included
    assert exceptions(page) == []


@pytest.mark.browser
def test_remi_with_nothing_published_still_explains_remi(hidden_server, page):
    page.goto(f"{hidden_server}/remi?org=R1H&year=2024")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMain"] a[href="/contribute?form=remi"]', timeout=60_000)
    text = main_text(page)
    for domain in ("Leadership", "Recruitment", "Policy", "Decision-making", "Community engagement"):
        assert domain in text
    for stage in ("Awareness", "Commitment", "Implementation", "Embedding", "Creating", "Championing"):
        assert stage in text
    assert "No partner's REMI self-assessment is in this dashboard yet." in text
    assert main_links(page)["REMI form"] == "/contribute?form=remi"
    assert main_links(page)["Homerton Healthcare NHS Foundation Trust"] == "https://www.homerton.nhs.uk"
    assert query(page) == {}  # no organisation or year is shown
    assert exceptions(page) == []
