"""Every gap leads somewhere (components.cards.gaps, components.cards.remi_about) and sentences read naturally
for one item (components.words.year_span, plural, k_of_n and the cards that use them)."""
from __future__ import annotations

import pandas as pd

from components.cards import gaps, remi_about
from components.cards.representation_comparison import representation_comparison_card
from components.cards.representation_trend import representation_trend_card, shown_focus
from components.cards.workforce import leadership_summary, status_summary
from components.words import k_of_n, plural, year_span
from data.package import load_package
from tests.workforce_rows import NAMES, SOURCES, share_row

ORGS = load_package("data/nel").tables["organisations"]


# --- words for one item ---------------------------------------------------------------------------

def test_a_span_of_one_year_is_that_year():
    assert year_span(2023, 2023) == "2023"
    assert year_span(2019, 2024) == "2019 to 2024"


def test_counts_of_one_read_in_the_singular():
    assert plural(1, "staff group") == "1 staff group" and plural(3, "staff group") == "3 staff groups"
    assert plural(2, "entry", "entries") == "2 entries"
    assert k_of_n(2, 5, "trust") == "2 of 5 trusts" and k_of_n(0, 5, "trust") == "0 of 5 trusts"
    assert k_of_n(1, 1, "trust") == "the only trust" and k_of_n(0, 1, "trust") == "no trust"


def _card(key: str, statuses: list[str]):
    return type("Card", (), {"key": key, "table": pd.DataFrame({"Status": statuses})})()


def test_status_summary_never_says_all_1_figures():
    lines = status_summary([_card("wres-ratios-R1H", ["Published"]), _card("wres-survey-R1H", ["Published"] * 3),
                            _card("remi-R1H", ["Illustrative (not real data)"]),
                            _card("wres-board-R1H", ["Illustrative (not real data)", "Published"])])
    assert lines == ["WRES indicators 2 to 4: its one figure is published.",
                     "WRES indicators 5 to 8: all 3 figures are published.",
                     "REMI self-assessment: its one figure is illustrative (not real data).",
                     "WRES indicator 9: 1 figure is illustrative (not real data) and 1 is published."]


def test_one_staff_group_gives_its_share_not_a_range_from_it_to_itself():
    one = pd.DataFrame([share_row("R1H", 2023, "all_staff", share=56.0, status="published", source="pub-a")])
    card = representation_comparison_card(one, "R1H", NAMES, SOURCES)
    assert "ranges from" not in card.title and "56%" in card.title and "all staff" in card.title
    assert card.period.endswith("(2023)")
    two = pd.concat([one, pd.DataFrame([share_row("R1H", 2023, "board", share=40.0, status="published", source="pub-a")])])
    assert "ranges from 40% (" in representation_comparison_card(two, "R1H", NAMES, SOURCES).title


def test_one_year_of_one_group_is_not_2023_to_2023():
    one = pd.DataFrame([share_row("R1H", 2023, "all_staff", share=56.0, status="published", source="pub-a")])
    card = representation_trend_card(one, "R1H", NAMES, SOURCES, focus="band_8a_plus")
    assert "2023 to 2023" not in card.subtitle + card.period + card.alt
    assert card.subtitle.endswith("Barts Health, 2023") and "1 staff group at Barts Health, 2023, one line" in card.alt
    assert shown_focus(one, "R1H", "band_8a_plus") == "all_staff"  # the card describes all staff, not band 8a


# --- the leadership table: the reader's borough and the trust's boroughs ----------------------------

def test_leadership_sits_beside_the_readers_borough_and_the_boroughs_served():
    shares = pd.DataFrame([share_row("RF4", 2023, "all_staff", share=56.0, status="published", source="pub-a")])
    borough = {"value": 24.7, "status": "published", "source_id": "census", "boroughs": 1, "period": "Census 2021",
               "name": "Havering"}
    served = {**borough, "value": 49.0, "boroughs": 3}
    del served["name"]
    table = leadership_summary(shares, "RF4", served, SOURCES, borough)
    assert list(table["Who"]) == ["Band 8a and above", "Very senior managers", "The board", "Residents of Havering",
                                  "Residents of the 3 boroughs it serves, together"]
    assert list(table["Global-majority share"]) == ["not in this dashboard yet"] * 3 + ["24.7%", "49.0%"]
    alone = leadership_summary(shares, "RF4", {**served, "boroughs": 1}, SOURCES)
    assert list(alone["Who"])[-1] == "Residents of the borough it serves"


# --- empty states ----------------------------------------------------------------------------------

def test_an_empty_state_names_the_publisher_with_its_website_how_often_and_where_every_gap_is():
    text = gaps.gap_notice("WRES indicators 2 to 4", ORGS, "RQX", "wres", 2024)
    assert text.startswith("**WRES indicators 2 to 4 for Homerton Healthcare NHS Foundation Trust, 2024: not in this "
                           "dashboard yet.**")
    assert "[Homerton Healthcare NHS Foundation Trust](https://www.homerton.nhs.uk)" in text
    assert "each year" in text and "(/data#coverage)" in text
    assert "package" not in text and "not yet published" not in text
    remi = gaps.gap_notice("REMI self-assessment", ORGS, "RAT", "remi")
    assert "[North East London NHS Foundation Trust](https://www.nelft.nhs.uk)" in remi and "strategy" in remi
    system = gaps.gap_notice("REMI self-assessment", ORGS, "NEL", "remi")
    assert "for all NHS trusts in north east London: not in this dashboard yet" in system


def test_every_nel_organisation_has_its_own_website():
    sites = dict(zip(ORGS["ods_code"], ORGS["website"], strict=True))
    assert sites["QMF"] == "https://northeastlondon.icb.nhs.uk" and sites["RQX"] == "https://www.homerton.nhs.uk"
    assert {sites[c] for c in ("R1H", "RF4", "RWK", "RAT")} == {
        "https://www.bartshealth.nhs.uk", "https://www.bhrhospitals.nhs.uk", "https://www.elft.nhs.uk",
        "https://www.nelft.nhs.uk"}


def test_an_organisation_without_a_website_is_named_without_a_link():
    no_site = ORGS.assign(website=None)
    assert gaps.named_link(no_site, "RQX") == "Homerton Healthcare NHS Foundation Trust"
    assert gaps.named_link(ORGS, "XYZ") == "XYZ"


def test_remi_lists_who_has_published_and_who_is_asked():
    none = remi_about.published_markdown(None, ORGS)
    assert none.startswith("No partner's REMI self-assessment is in this dashboard yet.")
    assert "[Barts Health NHS Trust](https://www.bartshealth.nhs.uk)" in none and "NEL system" not in none
    remi = pd.DataFrame({"ods_code": ["R1H", "RF4"], "status": ["published", "illustrative"]})
    some = remi_about.published_markdown(remi, ORGS)
    assert some.startswith("Published so far: [Barts Health NHS Trust](https://www.bartshealth.nhs.uk).")
    assert "Not in this dashboard yet: " in some and "Barking, Havering and Redbridge" in some.split("yet: ")[1]
    assert "(/contribute?form=remi)" in remi_about.partners_markdown()


def test_coverage_years_stay_whole_years_on_a_published_only_site():
    from components.cards import coverage as cov
    from data.package import load_for_site

    long = cov.coverage_long(load_for_site("data/nel", "hide").tables)  # no REMI row at all: an empty grid
    assert str(long["year"].dtype) == "int64"
    card = cov.coverage_card(long, "workforce", "NEL", load_for_site("data/nel", "hide").tables["sources"])
    assert "2017 to 2024" in card.sentence and ".0" not in card.period


def test_workforce_offers_only_the_groups_its_chart_has_on_a_published_only_site(monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=120).run()
    at.query_params.clear()
    at.query_params["org"], at.query_params["group"] = "RF4", "board"  # BHRUT publishes its all-staff share only
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    assert at.selectbox(key="select-group").options == ["All staff"]
    assert at.query_params["group"] == "all_staff" and at.code[0].value.endswith("/workforce?org=RF4&group=all_staff&year=2022")
    at.query_params.clear()
    at.query_params["org"], at.query_params["group"] = "RQX", "board"  # Homerton: no workforce figure at all
    at.switch_page("pages/workforce.py").run()
    assert "group" not in at.query_params and not [s for s in at.selectbox if s.key == "select-group"]
    assert any("[Homerton Healthcare NHS Foundation Trust](https://www.homerton.nhs.uk)" in i.value for i in at.info)
