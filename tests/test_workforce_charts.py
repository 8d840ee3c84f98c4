"""The workforce builders: each figure draws exactly the table's values, withheld values are not drawn,
illustrative values are hollow and named in the legend, and the sentences say what the data say."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from components.cards import workforce as wc
from components.cards.base import status_label
from components.charts.palette import ILLUSTRATIVE_LABEL, MUTED
from data import derive
from data.package import load_package
from data.suppression import SUPPRESSED_LABEL

ILL = status_label("illustrative")
PUB = status_label("published")
NAMES = {"R1H": "Barts Health", "RF4": "BHRUT", "NEL": "NEL system", "ENG": "England", "QMF": "NEL ICB"}
SOURCES = pd.DataFrame({
    "source_id": ["pub-a", "pub-eng", "illustrative", "census", "wres-indicators", "larch-remi"],
    "title": ["Trust report A", "England report", "Illustrative values", "Census tables", "WRES indicators", "REMI"],
    "publisher": ["Trust", "NHS England", "Dashboard", "ONS", "NHS England", "LARCH"],
    "url": ["https://example.org/a", "https://example.org/eng", None, "https://example.org/c", "https://example.org/w",
            "https://example.org/r"],
})
GROUPS = {"all_staff": ("All staff", 1), "bands_1_4": ("Agenda for Change bands 1 to 4", 2),
          "band_8a_plus": ("Band 8a and above", 4), "board": ("Board (voting members)", 6)}
META = pd.DataFrame({
    "indicator": list(range(1, 10)),
    "short_name": ["Representation", "Appointment from shortlisting", "Entry into formal disciplinary process",
                   "Access to non-mandatory training", "Harassment from the public", "Harassment from staff",
                   "Equal opportunities for progression", "Discrimination from a manager", "Board representation"],
    "definition": [f"Definition {i}." for i in range(1, 10)],
    "expressed_as": ["Percentage"] + ["Ratio"] * 3 + ["Percentage"] * 4 + ["Points"],
    "disadvantage_when": ["The share falls as the band rises",
                          "Above 1.0: White applicants are more likely to be appointed",
                          "Above 1.0: global-majority staff are more likely to enter the process",
                          "Above 1.0: White staff are more likely to get training",
                          "The global-majority percentage is higher", "The global-majority percentage is higher",
                          "The global-majority percentage is lower", "The global-majority percentage is higher",
                          "Below zero: the board is less diverse than the workforce"],
})


def share_row(org, year, group, share=None, gm=None, total=None, status="illustrative", source="illustrative",
              suppressed=False, period=None):
    if gm is not None and total is not None and not suppressed:
        share = 100 * gm / total
    label, order = GROUPS[group]
    return {"ods_code": org, "org": NAMES[org], "year": year, "staff_group": group, "group_label": label,
            "sort_order": order, "gm_headcount": np.nan if suppressed else gm, "total_headcount": total,
            "share": np.nan if suppressed else share, "suppressed": suppressed, "status": status, "source_id": source,
            "period": period or f"31 March {year}", "note": "", "derived": False}


@pytest.fixture
def shares():
    rows = [
        share_row("R1H", 2022, "all_staff", gm=590, total=1000),
        share_row("R1H", 2023, "all_staff", gm=600, total=1000),
        share_row("R1H", 2024, "all_staff", gm=630, total=1000),
        share_row("R1H", 2022, "bands_1_4", gm=330, total=500),
        share_row("R1H", 2023, "bands_1_4", gm=3, total=500, suppressed=True),  # the rest would be 497: withheld by rule
        share_row("R1H", 2024, "bands_1_4", gm=340, total=500),
        share_row("R1H", 2022, "band_8a_plus", share=27.0, status="published", source="pub-a"),
        share_row("R1H", 2023, "band_8a_plus", gm=36, total=100),
        share_row("R1H", 2024, "band_8a_plus", share=40.0, status="published", source="pub-a", period="WRES 2024/25"),
        share_row("R1H", 2023, "board", gm=5, total=16),
        share_row("R1H", 2024, "board", gm=3, total=16, suppressed=True),
        share_row("NEL", 2024, "all_staff", share=55.0, status="published", source="pub-a"),
        share_row("NEL", 2024, "board", total=70, suppressed=True),
        share_row("ENG", 2023, "all_staff", share=26.4, status="published", source="pub-eng"),
        share_row("ENG", 2024, "all_staff", share=28.6, status="published", source="pub-eng"),
        share_row("ENG", 2024, "board", share=16.5, status="published", source="pub-eng"),
    ]
    return pd.DataFrame(rows)


RESIDENTS = {"value": 59.4, "status": "published", "source_id": "census", "boroughs": 4, "period": "Census 2021"}


def traces_named(fig, name):
    return [t for t in fig.data if t.name == name]


def legend_names(fig):
    return [t.name for t in fig.data if t.showlegend is not False]


def all_numbers(fig) -> set[float]:
    out = set()
    for t in fig.data:
        for arr in (t.x, t.y):
            for v in arr or ():
                if isinstance(v, (int, float)) and v is not None and not (isinstance(v, float) and math.isnan(v)):
                    out.add(round(float(v), 6))
    return out


def assert_table_basics(card):
    for col in ("Source", "Period", "Status"):
        assert col in card.table.columns, col
    assert set(card.table["Status"]) <= {PUB, ILL, ""}
    assert not card.table.isna().any().any(), "every cell says something (a value or why there is none)"


# --- WRES indicator 1: representation over time ---------------------------------------------------

def test_trend_draws_one_line_per_group_with_the_shares(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="band_8a_plus")
    fig = card.figure
    all_staff = [t for t in fig.data if t.name == "All staff" and t.x and t.x[0] is not None][0]
    assert list(all_staff.x) == [2022, 2023, 2024]
    assert [round(v, 1) for v in all_staff.y] == [59.0, 60.0, 63.0]
    senior = [t for t in fig.data if t.name == "Band 8a and above" and t.x and t.x[0] is not None][0]
    assert [round(v, 1) for v in senior.y] == [27.0, 36.0, 40.0]
    # each group has its own dash pattern
    dashes = {t.name: t.line.dash for t in fig.data if t.x and t.x[0] is not None and t.name in
              ("All staff", "Agenda for Change bands 1 to 4", "Band 8a and above", "Board (voting members)")}
    assert len(set(dashes.values())) == 4
    assert_table_basics(card)


def test_trend_reference_lines_sit_at_whole_workforce_and_residents(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
    ys = sorted(round(s.y0, 4) for s in card.figure.layout.shapes if s.y0 == s.y1)
    assert ys == [59.4, 63.0]  # residents served, latest all-staff share (2024)
    names = " | ".join(legend_names(card.figure))
    assert "whole workforce 2024: 63%" in names and "residents served,<br>Census 2021: 59%" in names
    ref_rows = card.table[card.table["Staff group"].str.startswith("Reference")]
    assert len(ref_rows) == 2 and set(ref_rows["Source"]) == {"Illustrative values", "Census tables"}


def test_trend_illustrative_points_are_hollow_and_named_in_the_legend(shares):
    fig = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS).figure
    senior = [t for t in fig.data if t.name == "Band 8a and above" and t.x and t.x[0] is not None][0]
    # 2022 published, 2023 illustrative, 2024 published
    assert not senior.marker.symbol[0].endswith("-open")
    assert senior.marker.symbol[1].endswith("-open")
    assert not senior.marker.symbol[2].endswith("-open")
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(fig))
    assert any("Published" in n for n in legend_names(fig))


def test_trend_illustrative_reference_line_is_dotted(shares):
    fig = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES,
                                       residents={**RESIDENTS, "status": "illustrative"}).figure
    res = [s for s in fig.layout.shapes if round(s.y0, 1) == 59.4][0]
    whole = [s for s in fig.layout.shapes if round(s.y0, 1) == 63.0][0]
    assert res.line.dash == "dot" and whole.line.dash == "dot"  # 2024 all-staff is illustrative too
    published = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS).figure
    assert [s for s in published.layout.shapes if round(s.y0, 1) == 59.4][0].line.dash != "dot"


def test_trend_suppressed_values_are_gaps_and_fewer_than_5_in_the_table(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
    bands = [t for t in card.figure.data if t.name == "Agenda for Change bands 1 to 4" and t.x and t.x[0] is not None][0]
    assert list(bands.x) == [2022, 2023, 2024] and bands.y[1] is None
    row = card.table[(card.table["Staff group"] == "Agenda for Change bands 1 to 4") & (card.table["Year"] == "2023")].iloc[0]
    assert row["Global-majority share (%)"] == SUPPRESSED_LABEL and row["Global-majority staff"] == SUPPRESSED_LABEL
    assert card.has_suppressed and any("fewer than 5" in c for c in card.all_caveats())
    assert 0.6 not in all_numbers(card.figure)  # 3/500 would be 0.6%: never computed or drawn


def test_trend_sentence_states_the_gap_to_parity_in_words(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="band_8a_plus")
    assert card.sentence.startswith(
        "At band 8a and above, 40% of Barts Health staff were from the global majority in 2024, 23 points below the "
        "trust's whole workforce (63% in 2024) and 19 points below the residents of the boroughs it serves (59%, Census 2021).")
    assert "rose from 27% in 2022 to 40% in 2024" in card.sentence
    assert card.title == "Illustrative example: Barts Health: band 8a and above is 23 points below the whole workforce"
    assert "Barts Health" in card.alt and "reference lines" in card.alt


def test_trend_focus_on_a_withheld_latest_year_uses_the_last_shown_year(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="board")
    assert "On the board, 31% of Barts Health's voting members were from the global majority in 2023" in card.sentence
    assert "The 2024 figure is withheld because it involves fewer than 5 people." in card.sentence
    assert "the board" in card.title and "below the whole workforce" in card.title
    focus = [t for t in card.figure.data if t.name == "Board (voting members)" and t.x and t.x[0] is not None][0]
    assert focus.line.width > 2  # the chosen group is highlighted


def test_trend_unknown_focus_falls_back_and_no_rows_gives_none(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, focus="nope")
    assert "band 8a and above" in card.title
    assert wc.representation_trend_card(shares, "QMF", NAMES, SOURCES) is None


def test_gap_sentence_words_for_equal_and_above():
    rows = pd.DataFrame([share_row("R1H", 2024, "all_staff", share=50.2), share_row("R1H", 2024, "board", share=49.8)])
    s = wc.representation_gap_sentence(rows, "R1H", NAMES, "board", {"value": 40.0, "period": "Census 2021"})
    assert "the same as the trust's whole workforce (50% in 2024)" in s
    assert "10 points above the residents of the boroughs it serves (40%, Census 2021)" in s
    system = wc.representation_gap_sentence(rows.assign(ods_code="NEL"), "NEL", NAMES, "board", None)
    assert "the system's whole workforce" in system and "residents" not in system
    assert "not yet published" in wc.representation_gap_sentence(rows, "R1H", NAMES, "vsm", None)


# --- Representation compared with NEL and England ---------------------------------------------------

def test_comparison_marks_each_org_and_says_what_is_missing(shares):
    card = wc.representation_comparison_card(shares, "R1H", NAMES, SOURCES)
    fig = card.figure
    r1h = [t for t in fig.data if t.name == "Barts Health" and t.x and t.x[0] is not None][0]
    assert sorted(round(v, 1) for v in r1h.x) == [40.0, 63.0, 68.0]  # 8a+, all staff, bands 1-4 (board withheld)
    eng = [t for t in fig.data if t.name == "England" and t.x and t.x[0] is not None][0]
    assert sorted(eng.x) == [16.5, 28.6]  # latest England figures
    nel = [t for t in fig.data if t.name == "NEL system" and t.x and t.x[0] is not None][0]
    assert list(nel.x) == [55.0] and not nel.marker.symbol[0].endswith("-open")  # published: filled
    assert r1h.marker.symbol[0].endswith("-open")  # illustrative: hollow
    t = card.table
    assert t[(t["Organisation"] == "NEL system") & (t["Staff group"] == "Board (voting members)")][
        "Global-majority share (%)"].iloc[0] == SUPPRESSED_LABEL
    assert t[(t["Organisation"] == "England") & (t["Staff group"] == "Band 8a and above")][
        "Global-majority share (%)"].iloc[0] == "not yet published"
    assert "Board (voting members): Barts Health withheld (fewer than 5) in 2024" in card.sentence
    assert "England's figure not yet published" in card.sentence
    assert card.title == "Illustrative example: Barts Health: the global-majority share ranges from 40% (band 8a and above) to 68% (bands 1 to 4)"
    assert_table_basics(card)


# --- WRES 2-4: relative likelihoods --------------------------------------------------------------

def wres_row(org, year, ind, group, value, *, num=None, den=None, low=np.nan, high=np.nan, status="illustrative",
             source="illustrative", suppressed=False, unit=None):
    return {"ods_code": org, "year": year, "indicator": ind, "group": group, "value": np.nan if suppressed else value,
            "unit": unit or ("ratio" if group == "comparison" else "percent"), "numerator": num, "denominator": den,
            "period": f"WRES {year}", "source_id": source, "status": status, "note": "", "suppressed": suppressed,
            "low": low, "high": high}


@pytest.fixture
def wres():
    rows = [
        wres_row("R1H", 2024, 2, "comparison", 1.32, low=1.13, high=1.54),
        wres_row("R1H", 2024, 3, "comparison", 1.15),  # no numerators: no interval
        wres_row("R1H", 2024, 4, "comparison", 0.7, suppressed=True),
        wres_row("RF4", 2024, 2, "comparison", 1.1, status="published", source="pub-a", low=0.9, high=1.3),
        wres_row("ENG", 2023, 2, "comparison", 1.59, status="published", source="pub-eng"),
        wres_row("ENG", 2025, 2, "comparison", 9.99, status="published", source="pub-eng"),  # later than the year chosen
        wres_row("ENG", 2022, 3, "comparison", 1.14, status="published", source="pub-eng"),
        wres_row("R1H", 2024, 5, "global_majority", 30.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 6, "global_majority", 25.4),
        wres_row("R1H", 2024, 6, "white", 22.8),
        wres_row("R1H", 2024, 7, "global_majority", 45.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 7, "white", 57.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 8, "global_majority", 13.0),
        wres_row("R1H", 2024, 8, "white", None, suppressed=True),
        wres_row("ENG", 2024, 6, "global_majority", 24.9, status="published", source="pub-eng"),
        wres_row("ENG", 2024, 6, "white", 20.7, status="published", source="pub-eng"),
        wres_row("ENG", 2024, 7, "black", 42.2, status="published", source="pub-eng"),
    ]
    return pd.DataFrame(rows)


def panel_traces(fig, prefix="Indicator"):
    return {t.name: t for t in fig.data if t.name and t.name.startswith(prefix)}


def test_ratio_card_draws_values_intervals_and_the_national_figure(wres):
    card = wc.wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    p = panel_traces(card.figure)
    ind2 = p["Indicator 2"]
    assert list(ind2.x) == [1.32, 1.59]  # trust, then England's latest up to 2024 (2023), not 2025's 9.99
    assert 9.99 not in all_numbers(card.figure)
    assert ind2.error_x.visible and ind2.error_x.array[0] == pytest.approx(0.22) and ind2.error_x.arrayminus[0] == pytest.approx(0.19)
    assert ind2.error_x.array[1] is None  # England: no interval
    ind3 = p["Indicator 3"]
    assert list(ind3.x) == [1.15, 1.14] and not ind3.error_x.visible
    # withheld (indicator 4) and a missing national figure: nothing drawn, words instead
    assert list(p["Indicator 4"].x) == []
    t = card.table
    assert t[(t["Indicator"].str.startswith("4.")) & (t["Organisation"] == "Barts Health")]["Relative likelihood"].iloc[0] == SUPPRESSED_LABEL
    assert t[(t["Indicator"].str.startswith("4.")) & (t["Organisation"] == "England")]["Relative likelihood"].iloc[0] == wc.NO_NATIONAL
    notes = [a.text for a in card.figure.layout.annotations]
    assert any(wc.NO_NATIONAL in n for n in notes) and any("withheld (fewer than 5)" in n for n in notes)
    assert_table_basics(card)


def test_ratio_card_shows_the_neutral_band_and_the_line_at_one(wres):
    fig = wc.wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES).figure
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 3 and all((s.x0, s.x1) == (0.8, 1.25) for s in rects)
    assert all(s.fillcolor == MUTED for s in rects)  # neutral grey, not a red/green judgement
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 3 and all(s.x0 == s.x1 == 1.0 for s in lines)
    assert any("0.8 to 1.25" in n and "grey band" in n for n in legend_names(fig))


def test_ratio_card_direction_of_disadvantage_is_spelt_out(wres):
    card = wc.wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    titles = " ".join(a.text for a in card.figure.layout.annotations)
    assert "Disadvantage when above 1.0 (White applicants are more likely to be appointed)" in titles.replace("<br>", " ")
    assert set(card.table["Disadvantage when"]) == set(META.loc[1:3, "disadvantage_when"])
    assert card.sentence.startswith("White applicants were 1.32 times as likely as global-majority applicants to be "
                                    "appointed from shortlisting (above the guide range; 95% interval 1.13 to 1.54; England 1.59 in 2023).")
    assert "Global-majority staff were 1.15 times as likely as White staff to enter the formal disciplinary process" in card.sentence
    assert card.title.startswith("Illustrative example: Barts Health, WRES 2024: 1 of 2 relative likelihoods is above the 0.8 to 1.25 guide range")


def test_ratio_card_illustrative_markers_are_hollow_and_keyed(wres):
    fig = wc.wres_ratio_card(wres, META, ["R1H", "RF4"], NAMES, 2024, SOURCES, place="NEL system").figure
    ind2 = panel_traces(fig)["Indicator 2"]
    assert list(ind2.x) == [1.32, 1.1, 1.59]
    assert ind2.marker.symbol[0] == "circle-open" and ind2.marker.symbol[1] == "circle" and ind2.marker.symbol[2] == "diamond"
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(fig))


def test_ratio_card_none_when_nothing_published(wres):
    assert wc.wres_ratio_card(wres, META, ["RF4"], NAMES, 2019, SOURCES) is None


# --- WRES 5-8: staff survey pairs -------------------------------------------------------------------

def test_survey_card_pairs_global_majority_with_white(wres):
    card = wc.wres_survey_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    gm = [t for t in card.figure.data if t.name == "Global majority" and t.showlegend is False]
    white = [t for t in card.figure.data if t.name == "White" and t.showlegend is False]
    assert [list(t.x) for t in gm] == [[30.0], [25.4, 24.9], [45.0], [13.0]]
    assert [list(t.x) for t in white] == [[], [22.8, 20.7], [57.0], []]  # 8: White withheld; England 7 is Black-only
    assert 42.2 not in all_numbers(card.figure)
    assert gm[0].marker.symbol[0] == "circle" and gm[1].marker.symbol[0] == "circle-open"
    t = card.table.set_index(["Organisation", "Indicator"])
    assert t.loc[("Barts Health", "8. Discrimination from a manager"), "White (%)"] == SUPPRESSED_LABEL
    assert t.loc[("Barts Health", "5. Harassment from the public"), "White (%)"] == "not yet published"
    assert t.loc[("England", "7. Equal opportunities for progression"), "Global majority (%)"] == wc.NO_NATIONAL
    assert t.loc[("Barts Health", "6. Harassment from staff"), "Status"] == ILL
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(card.figure))
    assert_table_basics(card)


def test_survey_card_counts_disadvantage_in_the_right_direction(wres):
    card = wc.wres_survey_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    # 6: 25 v 23, higher is worse -> worse; 7: 45 v 57, lower is worse -> worse
    assert card.title == ("Illustrative example: Barts Health, WRES 2024: global-majority staff fared worse than White staff on 2 of 2 "
                          "staff survey measures with both groups published")
    assert "Equal opportunities for progression: global majority 45%, White 57% (England's figure not yet published)." in card.sentence
    assert "Harassment from staff: global majority 25%, White 23% (England global majority 25%, White 21% in 2024)." in card.sentence
    flipped = wres.copy()
    flipped.loc[(flipped["indicator"] == 7) & (flipped["group"] == "white"), "value"] = 40.0
    assert "on 1 of 2" in wc.wres_survey_card(flipped, META, ["R1H"], NAMES, 2024, SOURCES).title


# --- WRES 9: board minus workforce ------------------------------------------------------------------

def test_board_gap_trend_draws_the_difference_and_a_zero_line(shares):
    card = wc.board_gap_card(shares, "R1H", NAMES, SOURCES, META, 2024)
    line = [t for t in card.figure.data if t.name == "Barts Health" and t.x and t.x[0] is not None][0]
    assert list(line.x) == [2023, 2024]
    assert line.y[0] == pytest.approx(100 * 5 / 16 - 60.0) and line.y[1] is None  # 2024 board withheld
    eng = traces_named(card.figure, "England")
    assert eng and list(eng[0].x) == [2024] and eng[0].y[0] == pytest.approx(16.5 - 28.6)
    assert any(s.y0 == s.y1 == 0 for s in card.figure.layout.shapes)
    assert card.title == "Barts Health: the 2024 board comparison is withheld (fewer than 5 people)"
    assert "The latest figure shown is 2023: the board is 29 points less diverse than the workforce." in card.sentence
    own = card.table[card.table["Organisation"] == "Barts Health"].set_index("Year")
    assert own.loc["2024", "Board minus workforce (points)"] == SUPPRESSED_LABEL
    assert card.table[card.table["Organisation"] == "England"]["Board minus workforce (points)"].tolist() == ["-12.1"]
    assert_table_basics(card)
    shown = wc.board_gap_card(shares, "R1H", NAMES, SOURCES, META, 2023)
    assert shown.title == "Illustrative example: Barts Health: the board's global-majority share was 29 points below the workforce's in 2023"
    assert "With 16 voting members, one person is about 6 points of the board." in shown.sentence


def test_board_gap_system_view_lists_each_trust(shares):
    extra = pd.DataFrame([share_row("RF4", 2024, "all_staff", gm=500, total=1000),
                          share_row("RF4", 2024, "board", gm=6, total=15)])
    both = pd.concat([shares, extra], ignore_index=True)
    card = wc.board_gap_card(both, "NEL", NAMES, SOURCES, META, 2024, orgs=["R1H", "RF4"])
    drawn = [t for t in card.figure.data if t.name == "Board minus workforce"][0]
    assert [round(v, 1) for v in drawn.x] == [-10.0, -12.1]  # RF4 40-50; England; R1H and NEL withheld
    labels = " ".join(a.text for a in card.figure.layout.annotations)
    assert "Barts Health: withheld (fewer than 5)" in labels and "NEL system: withheld (fewer than 5)" in labels
    assert card.title == "Illustrative example: WRES 2024: the board was less diverse than the workforce at 1 of 1 trusts with figures (1 withheld)"
    assert_table_basics(card)


# --- REMI -------------------------------------------------------------------------------------------

def test_remi_card_shows_each_domain_stage():
    remi = pd.DataFrame({"ods_code": ["R1H"] * 4, "year": [2024, 2024, 2025, 2025],
                         "domain_id": ["leadership", "policy", "leadership", "policy"], "stage": [2, 1, 3, 1],
                         "period": ["Self-assessment"] * 4, "source_id": ["illustrative"] * 4,
                         "status": ["illustrative"] * 4, "note": [""] * 4})
    domains = pd.DataFrame({"domain_id": ["leadership", "policy"], "name": ["Leadership", "Policy"], "sort_order": [1, 2]})
    stages = pd.DataFrame({"stage": range(1, 7), "name": ["Awareness", "Commitment", "Implementation", "Embedding",
                                                           "Creating", "Championing"]})
    card = wc.remi_card(remi, domains, stages, "R1H", NAMES, SOURCES)
    latest = [t for t in card.figure.data if t.name == "2025" and t.showlegend is False][0]
    assert list(latest.x) == [3, 1] and all(s.endswith("-open") for s in latest.marker.symbol)
    assert card.sentence == "In 2025: Leadership stage 3, Implementation (from stage 2); Policy stage 1, Awareness (unchanged)."
    assert card.title == "Illustrative example: Barts Health's REMI self-assessment, 2025: stages 1 to 3 across 2 domains"
    assert_table_basics(card)
    assert wc.remi_card(remi, domains, stages, "RF4", NAMES, SOURCES) is None


# --- helpers ---------------------------------------------------------------------------------------

def test_status_summary_counts_figures_by_status(shares):
    card = wc.representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
    n_pub = int((card.table["Status"] == PUB).sum())
    n_ill = int((card.table["Status"] == ILL).sum())
    assert wc.status_summary([card, None]) == [
        f"Representation over time: {n_ill} figures are illustrative (not real data) and {n_pub} are published."]


def test_disadvantage_words_and_guide():
    assert wc.disadvantage_words("Above 1.0: White staff are more likely to get training") == \
        "Disadvantage when above 1.0 (White staff are more likely to get training)"
    assert wc.disadvantage_words("The global-majority percentage is lower") == \
        "Disadvantage when the global-majority percentage is lower"
    guide = wc.indicator_guide(META)
    assert list(guide["Indicator"]) == [str(i) for i in range(1, 10)]
    assert guide.iloc[8]["Global-majority staff are at a disadvantage when"].startswith("Below zero")


# --- the shipped package ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    pkg = load_package("data/nel")
    assert pkg.valid
    t = pkg.tables
    return t, derive.workforce_shares(t), derive.wres_long(t), wc.org_names(t["organisations"])


def test_org_choices_and_years_on_the_shipped_package(shipped):
    t, shares, wres, names = shipped
    assert wc.org_choices(t) == ["R1H", "RAT", "RF4", "RQX", "RWK", "NEL"]
    assert wc.org_choices(t, include_icb=True) == ["R1H", "RAT", "RF4", "RQX", "RWK", "QMF", "NEL"]  # QMF has REMI rows
    assert wc.wres_orgs(wres, "NEL", wc.org_choices(t)) == ["R1H", "RAT", "RF4", "RQX", "RWK"]
    assert wc.wres_years(wres, ["R1H"])[-1] == 2024


@pytest.mark.parametrize("org", ["R1H", "RAT", "RF4", "RQX", "RWK", "NEL"])
def test_every_card_builds_on_the_shipped_package(shipped, org):
    t, shares, wres, names = shipped
    orgs = wc.wres_orgs(wres, org, wc.org_choices(t))
    year = wc.wres_years(wres, orgs)[-1]
    cards = [
        wc.representation_trend_card(shares, org, names, t["sources"], residents=wc.residents_for(t, org)),
        wc.representation_comparison_card(shares, org, names, t["sources"]),
        wc.wres_ratio_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names[org]),
        wc.wres_survey_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names[org]),
        wc.board_gap_card(shares, org, names, t["sources"], t["wres_indicators"], year, orgs),
    ]
    for card in cards:
        assert card is not None
        assert_table_basics(card)
        assert card.sources, card.key
        assert card.alt and card.title and card.sentence
        json.loads(card.figure.to_json())  # serialisable as Streamlit sends it


def test_shipped_small_board_is_drawn_not_withheld(shipped):
    """RQX's 2024 board is 4 of 12 (illustrative): a small count, but board members are named office-holders."""
    t, shares, wres, names = shipped
    card = wc.representation_trend_card(shares, "RQX", names, t["sources"], focus="board")
    board = [tr for tr in card.figure.data if tr.name == "Board (voting members)" and tr.x and tr.x[0] is not None][0]
    years = list(board.x)
    assert board.y[years.index(2024)] == pytest.approx(100 * 4 / 12)
    row = card.table[(card.table["Staff group"] == "Board (voting members)") & (card.table["Year"] == "2024")].iloc[0]
    assert row["Global-majority share (%)"] != SUPPRESSED_LABEL
    assert "withheld" not in card.sentence
