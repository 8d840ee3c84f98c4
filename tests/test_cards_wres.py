"""WRES indicators 2 to 9 (components.cards.wres_ratio, wres_survey and board_gap): relative likelihoods with their
guide band and intervals, survey pairs, and the board gap, each drawing exactly what its table lists."""
from __future__ import annotations

import pandas as pd
import pytest

from components.cards.board_gap import board_gap_card
from components.cards.workforce import NO_NATIONAL
from components.cards.wres_ratio import wres_ratio_card
from components.cards.wres_survey import wres_survey_card
from components.charts.palette import ILLUSTRATIVE_LABEL, MUTED
from data.suppression import SUPPRESSED_LABEL
from tests.workforce_rows import (
    ILL,
    META,
    NAMES,
    SOURCES,
    all_numbers,
    assert_table_basics,
    legend_names,
    panel_traces,
    share_row,
    shares_frame,
    traces_named,
    wres_frame,
)


@pytest.fixture
def shares():
    return shares_frame()


@pytest.fixture
def wres():
    return wres_frame()


# --- WRES 2-4: relative likelihoods --------------------------------------------------------------

def test_ratio_card_draws_values_intervals_and_the_national_figure(wres):
    card = wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
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
    own_4 = t[(t["Indicator"].str.startswith("4.")) & (t["Organisation"] == "Barts Health")]
    assert own_4["Relative likelihood"].iloc[0] == SUPPRESSED_LABEL
    assert t[(t["Indicator"].str.startswith("4.")) & (t["Organisation"] == "England")]["Relative likelihood"].iloc[0] == NO_NATIONAL
    notes = [a.text for a in card.figure.layout.annotations]
    assert any(NO_NATIONAL in n for n in notes) and any("withheld (fewer than 5)" in n for n in notes)
    assert_table_basics(card)


def test_ratio_card_shows_the_neutral_band_and_the_line_at_one(wres):
    fig = wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES).figure
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 3 and all((s.x0, s.x1) == (0.8, 1.25) for s in rects)
    assert all(s.fillcolor == MUTED for s in rects)  # neutral grey, not a red/green judgement
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 3 and all(s.x0 == s.x1 == 1.0 for s in lines)
    assert any("0.8 to 1.25" in n and "grey band" in n for n in legend_names(fig))


def test_ratio_card_direction_of_disadvantage_is_spelt_out(wres):
    card = wres_ratio_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    titles = " ".join(a.text for a in card.figure.layout.annotations)
    assert "Disadvantage when above 1.0 (White applicants are more likely to be appointed)" in titles.replace("<br>", " ")
    assert set(card.table["Disadvantage when"]) == set(META.loc[1:3, "disadvantage_when"])
    assert card.sentence.startswith("White applicants were 1.32 times as likely as global-majority applicants to be "
                                    "appointed from shortlisting (above the guide range; 95% interval 1.13 to 1.54; England 1.59 in 2023).")
    assert "Global-majority staff were 1.15 times as likely as White staff to enter the formal disciplinary process" in card.sentence
    assert card.title.startswith("Illustrative example: Barts Health, WRES 2024: 1 of 2 relative likelihoods is above "
                                 "the 0.8 to 1.25 guide range")


def test_ratio_card_illustrative_markers_are_hollow_and_keyed(wres):
    fig = wres_ratio_card(wres, META, ["R1H", "RF4"], NAMES, 2024, SOURCES, place="NEL system").figure
    ind2 = panel_traces(fig)["Indicator 2"]
    assert list(ind2.x) == [1.32, 1.1, 1.59]
    assert ind2.marker.symbol[0] == "circle-open" and ind2.marker.symbol[1] == "circle" and ind2.marker.symbol[2] == "diamond"
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(fig))


def test_ratio_card_none_when_nothing_published(wres):
    assert wres_ratio_card(wres, META, ["RF4"], NAMES, 2019, SOURCES) is None


# --- WRES 5-8: staff survey pairs -------------------------------------------------------------------

def test_survey_card_pairs_global_majority_with_white(wres):
    card = wres_survey_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    gm = [t for t in card.figure.data if t.name == "Global majority" and t.showlegend is False]
    white = [t for t in card.figure.data if t.name == "White" and t.showlegend is False]
    assert [list(t.x) for t in gm] == [[30.0], [25.4, 24.9], [45.0], [13.0]]
    assert [list(t.x) for t in white] == [[], [22.8, 20.7], [57.0], []]  # 8: White withheld; England 7 is Black-only
    assert 42.2 not in all_numbers(card.figure)
    assert gm[0].marker.symbol[0] == "circle" and gm[1].marker.symbol[0] == "circle-open"
    t = card.table.set_index(["Organisation", "Indicator"])
    assert t.loc[("Barts Health", "8. Discrimination from a manager"), "White (%)"] == SUPPRESSED_LABEL
    assert t.loc[("Barts Health", "5. Harassment from the public"), "White (%)"] == "not yet published"
    assert t.loc[("England", "7. Equal opportunities for progression"), "Global majority (%)"] == NO_NATIONAL
    assert t.loc[("Barts Health", "6. Harassment from staff"), "Status"] == ILL
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(card.figure))
    assert_table_basics(card)


def test_survey_card_counts_disadvantage_in_the_right_direction(wres):
    card = wres_survey_card(wres, META, ["R1H"], NAMES, 2024, SOURCES)
    # 6: 25 v 23, higher is worse -> worse; 7: 45 v 57, lower is worse -> worse
    assert card.title == ("Illustrative example: Barts Health, WRES 2024: global-majority staff fared worse than White staff on 2 of 2 "
                          "staff survey measures with both groups published")
    assert ("Equal opportunities for progression: global majority 45%, White 57% "
            "(England's figure not in this dashboard yet).") in card.sentence
    assert "Harassment from staff: global majority 25%, White 23% (England global majority 25%, White 21% in 2024)." in card.sentence
    flipped = wres.copy()
    flipped.loc[(flipped["indicator"] == 7) & (flipped["group"] == "white"), "value"] = 40.0
    assert "on 1 of 2" in wres_survey_card(flipped, META, ["R1H"], NAMES, 2024, SOURCES).title


# --- WRES 9: board minus workforce ------------------------------------------------------------------

def test_board_gap_trend_draws_the_difference_and_a_zero_line(shares):
    card = board_gap_card(shares, "R1H", NAMES, SOURCES, META, 2024)
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
    shown = board_gap_card(shares, "R1H", NAMES, SOURCES, META, 2023)
    assert shown.title == ("Illustrative example: Barts Health: the board's global-majority share was 29 points below "
                           "the workforce's in 2023")
    assert "With 16 voting members, one person is about 6 points of the board." in shown.sentence


def test_board_gap_system_view_lists_each_trust(shares):
    extra = pd.DataFrame([share_row("RF4", 2024, "all_staff", gm=500, total=1000),
                          share_row("RF4", 2024, "board", gm=6, total=15)])
    both = pd.concat([shares, extra], ignore_index=True)
    card = board_gap_card(both, "NEL", NAMES, SOURCES, META, 2024, orgs=["R1H", "RF4"])
    drawn = [t for t in card.figure.data if t.name == "Board minus workforce"][0]
    assert [round(v, 1) for v in drawn.x] == [-10.0, -12.1]  # RF4 40-50; England; R1H and NEL withheld
    labels = " ".join(a.text for a in card.figure.layout.annotations)
    assert "Barts Health: withheld (fewer than 5)" in labels and "NEL system: withheld (fewer than 5)" in labels
    assert card.title == ("Illustrative example: WRES 2024: the board was less diverse than the workforce at the only trust "
                          "with figures (1 withheld)")
    assert_table_basics(card)
