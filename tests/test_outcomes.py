"""Residents' outcomes: the card's prepared values, title and sentence, and the page in published-only mode."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.cards import outcomes as oc
from components.cards.base import ChartCard
from components.cards.catalogue import build
from data.package import load_for_site

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
PACKAGE = ROOT / "data" / "nel"
LONDON_ICBS = ["North East London ICB", "North Central London ICB", "North West London ICB", "South East London ICB",
               "South West London ICB"]


@pytest.fixture(scope="module")
def tables():
    return load_for_site(PACKAGE, "hide").tables


@pytest.fixture(scope="module")
def view(tables):
    return oc.prepare(tables["outcomes"], tables["ethnic_groups"])


def test_prepared_values_are_the_published_crude_rates(view):
    assert list(view.areas) == ["QMF", "QMJ", "QRV", "QKK", "QWE", "E92000001"]
    assert view.rate("QMF", "black") == 254.6 and view.rate("QMF", "white") == 96.3
    assert view.rate("QRV", "black") == 330.9 and view.rate("E92000001", "white") == 69.5
    assert view.rate("QMF", "unknown") is None  # a count only
    assert view.ranked("QMF") == ["black", "other", "mixed", "white", "asian"]
    assert view.period_short == "2023/24"


def test_the_gap_is_worked_out_from_the_crude_rates(view):
    high, low, ratio = oc.gap(view)
    assert (high, low) == ("black", "white")
    assert ratio == pytest.approx(254.6 / 96.3)
    assert oc.outcome_title(view) == ("In north east London, Black residents were detained under the Mental Health Act "
                                      "at 2.6 times the rate of White residents in 2023/24")


def test_unknown_share_is_of_the_detentions_counted_by_group(view):
    assert oc.unknown_share(view, "QMF") == (195, 575 + 700 + 130 + 890 + 210 + 195)


def test_sentence_gives_the_rates_the_ratio_as_worked_out_and_the_comparators(view):
    s = oc.outcome_sentence(view)
    assert "NHS England counted 2,705 detentions of people living in north east London" in s
    assert "Black 254.6, Other ethnic group 213.9, Mixed 130.5, White 96.3 and Asian 95.6" in s
    assert "2.6 times the White rate (254.6 ÷ 96.3: a ratio worked out by this dashboard" in s
    assert "the Black rate was 254.1 to 330.9 and the White rate was 74.3 to 109.0" in s
    assert "In England the two rates were 239.0 and 69.5 (242.3 and 68.4 age-standardised)" in s
    assert "not known for 195 of the 2,700 detentions counted by ethnic group (7.2%)" in s


def test_card_table_download_and_about(tables):
    card = build(tables, "outcomes")
    assert card.title.startswith("In north east London, Black residents") and "2.6 times" in card.title
    table = card.table.set_index(["Area", "Ethnic group"])
    assert table.loc[("North East London ICB", "Black"), "Crude rate per 100,000"] == "254.6"
    assert table.loc[("North East London ICB", "Not known"), "Detentions"] == "195"
    assert table.loc[("England", "All residents"), "Detentions"] == "52,458"
    assert table.loc[("England", "Black"), "Age-standardised rate per 100,000"] == "242.3"
    assert table.loc[("England", "Black"), "95% interval"] == "235.4 to 249.2"
    assert set(card.table["Status"]) == {"Published"} and not card.has_illustrative
    assert b"254.6" in card.csv_bytes() and b"Mental Health Act Statistics, Annual Figures 2023-24" in card.csv_bytes()
    about = " ".join([card.definition, *card.all_caveats()])
    assert "A detention is" in about and "age-standardised" in about
    assert "no figure for each borough" in about and "one sub-ICB area" in about
    assert "195 of 2,700" in about and "public copy" in about
    assert [s.publisher for s in card.sources] == ["NHS England"]
    names = {t["name"] for t in card.figure.to_plotly_json()["data"] if t.get("x")}
    assert set(LONDON_ICBS) | {"England"} <= names


def test_illustrative_rows_are_marked_in_the_title(tables):
    rows = tables["outcomes"].copy()
    rows["status"] = "illustrative"
    card = oc.outcome_card(rows, tables["ethnic_groups"], tables["sources"])
    assert card.title.startswith("Illustrative example: In north east London") and card.has_illustrative


def test_no_rows_for_the_area_gives_no_card(tables):
    assert oc.outcome_card(tables["outcomes"], tables["ethnic_groups"], tables["sources"], focus="QXX") is None
    assert oc.outcome_card(tables["outcomes"].iloc[0:0], tables["ethnic_groups"], tables["sources"]) is None


def _shown(elements) -> str:
    """The elements' text as a reader sees it (the Markdown escapes taken out)."""
    return " ".join(e.value for e in elements).replace("\\", "")


def _run(monkeypatch, page: str) -> AppTest:
    monkeypatch.delenv("NEL_DATA", raising=False)
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    at = AppTest.from_file(APP, default_timeout=120).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_outcomes_page_in_published_only_mode(monkeypatch):
    at = _run(monkeypatch, "pages/outcomes.py")
    assert at.title[0].value == "Residents' outcomes"
    assert "2.6 times the rate of White residents in 2023/24" in _shown(at.subheader)
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    by_area = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in spec["data"] if t.get("x")}
    assert by_area["North East London ICB"]["Black"] == 254.6 and by_area["North East London ICB"]["White"] == 96.3
    assert set(LONDON_ICBS) | {"England"} <= set(by_area)
    text = _shown(at.markdown)
    assert "254.6" in text and "96.3" in text and "Illustrative" not in text
    tables = [t.value for t in at.table]
    assert any(isinstance(t, pd.DataFrame) and "England" in set(t["Area"]) for t in tables)
    assert [b for b in at.get("download_button")]


def test_overview_links_to_the_outcomes_in_published_only_mode(monkeypatch):
    at = _run(monkeypatch, "")
    text = _shown(at.markdown)
    assert "Black residents were detained under the Mental Health Act at 2.6 times the rate of White residents" in text
    assert "(/outcomes)" in text


def test_lite_page_and_overview_carry_the_card_in_published_only_mode():
    from components.publish.site import NAV, lite_path
    from components.publish.site_pages import Content
    from data.package import load_package, published_only

    pages = {p.file: p for p in Content(published_only(load_package(PACKAGE)), hidden=True).pages()}
    cards = [b for b in pages["outcomes.html"].body if isinstance(b, ChartCard)]
    assert len(cards) == 1 and "2.6 times the rate of White residents in 2023/24" in cards[0].title
    assert "254.6" in cards[0].sentence and "96.3" in cards[0].sentence
    overview = " ".join(b for b in pages["index.html"].body if isinstance(b, str))
    assert "<a href='outcomes.html'>See residents' outcomes</a>" in overview and "2.6 times" in overview
    assert ("outcomes", "Residents' outcomes") in NAV and lite_path("/outcomes", {}) == "/lite/outcomes.html"


def test_the_report_has_the_outcomes_section_in_published_only_mode():
    from components.publish.report import render
    from data.package import load_package, published_only

    text = render(published_only(load_package(PACKAGE)))
    section = text[text.index("<section id='outcomes'>"):]
    section = section[:section.index("</section>")]
    assert "2.6 times the rate of White residents in 2023/24" in section
    assert "254.6" in section and "96.3" in section and "South West London ICB" in section
