"""England's WRES figures (data/nel/wres.csv, ods_code ENG): each is a published, cited figure in the unit its
indicator is expressed in, and the Barts Health trust page, in published-only mode, shows England beside
indicators 5 to 8 with the 2024 figures that stored sources give."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.cards import catalogue
from components.cards.workforce import NO_NATIONAL
from data.package import load_for_site, load_package
from data.schema import SHIPPED_PACKAGE

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")

# England's WRES 2024 figures for indicators 5-8 that a stored source states (data/nel/README.md,
# "National comparators"): indicator 6 from NHS Employers, indicator 7 from The Clinical Services Journal.
ENGLAND_2024 = {6: (24.9, 20.7), 7: (48.8, 59.4)}
# Where no 2024 figure was found, the latest earlier one is shown, with its year.
ENGLAND_EARLIER = {5: (2023, 30.0, 26.8), 8: (2019, 15.0, 6.0)}


@pytest.fixture(scope="module")
def shipped():
    return load_package(SHIPPED_PACKAGE).tables


def test_every_england_figure_is_published_cited_and_in_its_indicators_unit(shipped):
    eng = shipped["wres"][shipped["wres"]["ods_code"] == "ENG"]
    assert len(eng) == 40
    assert set(eng["status"]) == {"published"}
    sources = shipped["sources"].set_index("source_id")
    cited = sources.loc[eng["source_id"].unique()]
    assert cited["url"].str.match(r"https?://").all() and set(cited["grade"]) <= {"primary", "secondary"}
    ratio = eng["indicator"].between(2, 4)
    assert (eng.loc[ratio, "unit"] == "ratio").all() and (eng.loc[ratio, "group"] == "comparison").all()
    assert (eng.loc[~ratio, "unit"] == "percent").all() and eng.loc[~ratio, "indicator"].between(5, 8).all()
    assert eng.loc[~ratio, "value"].between(0, 100).all() and eng.loc[ratio, "value"].between(0.5, 3).all()
    # 'BME' figures are stored as global majority with the source's word kept in the note
    gm = eng[eng["group"] == "global_majority"]
    assert gm["note"].fillna("").str.contains(r"'(?:BME|BAME)'").all()


def _england_row(table: pd.DataFrame, indicator: int) -> pd.Series:
    rows = table[(table["Organisation"] == "England") & table["Indicator"].str.startswith(f"{indicator}.")]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_barts_survey_card_published_only_has_england_beside_each_indicator():
    card = catalogue.wres_survey(load_for_site(SHIPPED_PACKAGE, "hide").tables, "R1H", 2024)
    assert card is not None
    for ind, (gm, white) in ENGLAND_2024.items():
        row = _england_row(card.table, ind)
        assert (row["Year"], row["Global majority (%)"], row["White (%)"]) == ("2024", f"{gm:.1f}", f"{white:.1f}")
        assert row["Status"] == "Published" and row["Source"] and row["Period"].startswith("WRES 2024")
    for ind, (year, gm, white) in ENGLAND_EARLIER.items():
        row = _england_row(card.table, ind)
        assert (row["Year"], row["Global majority (%)"], row["White (%)"]) == (str(year), f"{gm:.1f}", f"{white:.1f}")
    assert NO_NATIONAL not in card.sentence
    assert "England global majority 49%, White 59% in 2024" in card.sentence
    assert "England global majority 15%, White 6% in 2019" in card.sentence


def test_barts_trust_page_published_only_draws_england_2024(monkeypatch):
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["org"] = "R1H"
    at.run()
    at.switch_page("pages/trust.py").run()
    assert not at.exception, [e.value for e in at.exception]
    survey = [el for el in at.get("plotly_chart") if el.proto.alt.startswith("Dot chart in four panels")]
    assert len(survey) == 1
    alt = survey[0].proto.alt
    assert "Barts Health" in alt and NO_NATIONAL not in alt
    spec = json.loads(survey[0].proto.spec)
    hovers = " ".join(str(t) for trace in spec["data"] for t in (trace.get("customdata") or []))
    for gm, white in ENGLAND_2024.values():
        assert re.search(rf"England, global majority, 2024: {gm}%", hovers), hovers
        assert re.search(rf"England, White, 2024: {white}%", hovers), hovers
    labels = " ".join(a.get("text", "") for a in spec["layout"]["annotations"])
    assert re.sub(r"<br>", " ", labels).count("England: global majority") == 4  # one England row in each of the four panels
