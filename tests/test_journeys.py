"""The readers' journeys in Chromium: from a borough to the trusts that serve it, published figures before
invented ones, and no developer text on any page."""
from __future__ import annotations

import re

import pytest

from bench.harness import exceptions, wait_for_app
from tests.site import PAGES

HAVERING, BHRUT = "E09000016", "RF4"
DEVELOPER_TEXT = re.compile(r"python -m|generate_illustrative|seed 2025|not in the package|package version|"
                            r"datapackage\.json|source_id|Traceback", re.IGNORECASE)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def links(page) -> list[str]:
    return page.eval_on_selector_all('[data-testid="stMain"] a[href]', "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.browser
def test_a_havering_resident_reaches_the_published_share_and_the_trusts_that_serve_havering(server, page):
    page.goto(f"{server}/boroughs?borough={HAVERING}")
    wait_for_app(page, min_charts=1)
    text = main_text(page)
    # ONS TS021 Havering: 262,052 residents, 197,314 in a White group: 24.7% global majority (published, by default)
    assert "In Havering, 24.7% of residents are from the global majority (Census 2021)" in text
    assert "illustrative" not in text.split("NHS organisations serving Havering")[1].split("\n")[0].lower()
    hrefs = links(page)
    # BHRUT and NELFT serve Havering; each link carries the borough
    assert f"/trust?org=RF4&borough={HAVERING}" in hrefs and f"/trust?org=RAT&borough={HAVERING}" in hrefs
    assert "Barking, Havering and Redbridge University Hospitals NHS Trust (BHRUT)" in text
    page.goto(f"{server}/trust?org=RF4&borough={HAVERING}")  # the link's target
    wait_for_app(page, min_charts=1)
    trust = main_text(page)
    assert "Serves:" in trust and "Havering" in trust and "Leadership against the residents it serves" in trust
    # BHRUT's leadership beside Havering's residents and beside its three boroughs together
    assert re.search(r"Residents of Havering\s+24\.7%", trust) and "Residents of the 3 boroughs it serves, together" in trust
    assert exceptions(page) == []


@pytest.mark.browser
def test_bhrut_profile_shows_its_published_all_staff_share_as_the_latest(server, page):
    page.goto(f"{server}/trust?org={BHRUT}")
    wait_for_app(page, min_charts=1)
    text = main_text(page)
    # NHS Providers' BHRUT case study: 56% of staff from ethnic minority backgrounds (about 2023), published;
    # the package's 2024 all-staff row is invented and must not be shown as the latest.
    assert "All staff: BHRUT 56% (2023)" in text
    assert f"/boroughs?borough={HAVERING}" in links(page)
    chosen = page.locator('input[role="combobox"][aria-label="Organisation"]')  # chosen by its full name
    assert chosen.input_value() == "Barking, Havering and Redbridge University Hospitals NHS Trust (BHRUT)"


@pytest.mark.browser
def test_no_developer_text_or_test_site_links_on_any_page(server, page):
    found = []
    for path in [*PAGES, "trust?org=RF4", "present?slide=2"]:
        page.goto(f"{server}/{path}")
        wait_for_app(page, min_charts=0)
        text = main_text(page)
        found += [f"/{path}: {m.group(0)!r}" for m in DEVELOPER_TEXT.finditer(text)]
        found += [f"/{path}: link {h}" for h in links(page) if re.match(r"https?://test\.", h)]
    assert found == [], found[:10]


def test_every_page_links_to_its_low_bandwidth_page_where_one_is_served(monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "dashboard.py")
    monkeypatch.setenv("NEL_LITE_URL", "/lite/")
    for path, expected in (("pages/trust.py", "/lite/trust-RF4.html"), ("pages/boroughs.py", "/lite/boroughs.html")):
        at = AppTest.from_file(app, default_timeout=90)
        at.query_params["org"] = "RF4"
        at.run()
        at.switch_page(path).run()
        assert any(f"[Low-bandwidth version]({expected})" in m.value for m in at.markdown), path
    monkeypatch.delenv("NEL_LITE_URL")
    at = AppTest.from_file(app, default_timeout=90).run()
    assert not any("Low-bandwidth version" in m.value for m in at.markdown)  # not served here: no dead link


def test_the_overview_answers_for_a_chosen_borough_in_one_step():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    at.selectbox(key="select-borough").select(HAVERING).run()
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "In Havering, 24.7% of residents are from the global majority (Census 2021)" in text
    # each link carries the borough, so the profile sets the trust's leadership beside Havering's residents
    assert f"(/trust?org=RF4&borough={HAVERING})" in text and f"(/trust?org=RAT&borough={HAVERING})" in text
    assert "(/boroughs?borough=E09000016)" in text
    assert at.query_params["borough"] == HAVERING  # the link to this view carries the choice
    assert "Source: [Census 2021: TS021 Ethnic group" in text  # the figure carries its source


def test_the_trust_profile_opens_with_leadership_against_residents_each_with_its_source():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=90)
    at.query_params["org"] = BHRUT
    at.run()
    at.switch_page("pages/trust.py").run()
    table = at.table[0].value
    assert list(table["Who"])[:3] == ["Band 8a and above", "Very senior managers \\(VSM\\)", "Board \\(voting members\\)"]
    residents = table.iloc[-1]
    assert residents["Who"].startswith("Residents of the 3 boroughs")
    assert "TS021" in residents["Source"] and all(table["Source"].astype(bool))


@pytest.mark.browser
def test_share_control_near_the_top_with_a_copy_button_visible_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path in ("workforce?org=R1H", "trust?org=RF4"):
            page.goto(f"{server}/{path}")
            wait_for_app(page, min_charts=1)
            button = page.locator('[data-testid="stCode"] button[aria-label="Copy to clipboard"]').first
            button.wait_for(state="visible", timeout=15_000)  # without hovering: fails if it only shows on hover
            assert button.is_visible() and button.evaluate("e => getComputedStyle(e).visibility") == "visible", path
            code_top = page.locator('[data-testid="stCode"]').first.bounding_box()["y"]
            first_chart = page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()["y"]
            assert code_top < first_chart, path  # above the first chart, not at the bottom of the page
            assert "#wres" in links(page), path  # a contents line that jumps to each section
    finally:
        context.close()


@pytest.mark.parametrize("page_file,terms", [
    ("pages/trust.py", {"Global majority": "every ethnic group except the White groups", "VSM": "very senior manager",
                        "Guide range": "0.8", "Relative likelihood": "likely", "REMI stage": "stage"}),
    ("pages/workforce.py", {"BME (Black and minority ethnic)": "Black and minority ethnic", "Band 8a and above": "8a"}),
    ("pages/remi.py", {"REMI": "Race Equity Maturity Index"}),
])
def test_each_page_explains_its_terms_in_one_line_until_opened(page_file, terms):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=90).run()
    at.switch_page(page_file).run()
    assert not at.exception
    words = at.expander[0]
    assert words.label.startswith("Words used on this page: ") and all(t in words.label for t in terms)
    explained = " ".join(m.value for m in words.markdown)
    for term, meaning in terms.items():
        assert f"**{term}**" in explained.replace("\\", "") and meaning.lower() in explained.lower().replace("\\", "")
