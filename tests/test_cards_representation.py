"""WRES indicator 1 (components.cards.representation_trend and representation_comparison): each figure draws exactly
the table's values, withheld values are not drawn, illustrative values are hollow and named in the legend, and the
sentences say what the data say."""
from __future__ import annotations

import pandas as pd
import pytest

from components.cards.representation_comparison import representation_comparison_card
from components.cards.representation_trend import representation_gap_sentence, representation_trend_card
from components.charts.palette import ILLUSTRATIVE_LABEL
from components.words import fmt_percent
from data import derive, selection
from data.package import load_package, published_only
from data.suppression import SUPPRESSED_LABEL
from tests.workforce_rows import (
    NAMES,
    RESIDENTS,
    SOURCES,
    all_numbers,
    assert_table_basics,
    legend_names,
    share_row,
    shares_frame,
    shipped_package,
)


@pytest.fixture
def shares():
    return shares_frame()


@pytest.fixture(scope="module")
def shipped():
    return shipped_package()


# --- WRES indicator 1: representation over time ---------------------------------------------------

def test_trend_draws_one_line_per_group_with_the_shares(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="band_8a_plus")
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
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
    ys = sorted(round(s.y0, 4) for s in card.figure.layout.shapes if s.y0 == s.y1)
    assert ys == [59.4, 63.0]  # residents served, latest all-staff share (2024)
    names = " | ".join(legend_names(card.figure))
    assert "whole workforce 2024: 63%" in names and "residents served,<br>Census 2021: 59%" in names
    ref_rows = card.table[card.table["Staff group"].str.startswith("Reference")]
    assert len(ref_rows) == 2 and set(ref_rows["Source"]) == {"Illustrative values", "Census tables"}


def test_trend_illustrative_points_are_hollow_and_named_in_the_legend(shares):
    fig = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS).figure
    senior = [t for t in fig.data if t.name == "Band 8a and above" and t.x and t.x[0] is not None][0]
    # 2022 published, 2023 illustrative, 2024 published
    assert not senior.marker.symbol[0].endswith("-open")
    assert senior.marker.symbol[1].endswith("-open")
    assert not senior.marker.symbol[2].endswith("-open")
    assert any(ILLUSTRATIVE_LABEL in n for n in legend_names(fig))
    assert any("Published" in n for n in legend_names(fig))


def test_trend_illustrative_reference_line_is_dotted(shares):
    fig = representation_trend_card(shares, "R1H", NAMES, SOURCES,
                                       residents={**RESIDENTS, "status": "illustrative"}).figure
    res = [s for s in fig.layout.shapes if round(s.y0, 1) == 59.4][0]
    whole = [s for s in fig.layout.shapes if round(s.y0, 1) == 63.0][0]
    assert res.line.dash == "dot" and whole.line.dash == "dot"  # 2024 all-staff is illustrative too
    published = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS).figure
    assert [s for s in published.layout.shapes if round(s.y0, 1) == 59.4][0].line.dash != "dot"


def test_trend_suppressed_values_are_gaps_and_fewer_than_5_in_the_table(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
    bands = [t for t in card.figure.data if t.name == "Agenda for Change bands 1 to 4" and t.x and t.x[0] is not None][0]
    assert list(bands.x) == [2022, 2023, 2024] and bands.y[1] is None
    row = card.table[(card.table["Staff group"] == "Agenda for Change bands 1 to 4") & (card.table["Year"] == "2023")].iloc[0]
    assert row["Global-majority share (%)"] == SUPPRESSED_LABEL and row["Global-majority staff"] == SUPPRESSED_LABEL
    assert card.has_suppressed and any("fewer than 5" in c for c in card.all_caveats())
    assert 0.6 not in all_numbers(card.figure)  # 3/500 would be 0.6%: never computed or drawn


def test_trend_sentence_states_the_gap_to_parity_in_words(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="band_8a_plus")
    assert card.sentence.startswith(
        "At band 8a and above, 40% of Barts Health staff were from the global majority in 2024, 23 points below the "
        "trust's whole workforce (63% in 2024) and 19 points below the residents of the boroughs it serves (59%, Census 2021).")
    assert "rose from 27% in 2022 to 40% in 2024" in card.sentence
    assert card.title == "Illustrative example: Barts Health: band 8a and above is 23 points below the whole workforce"
    assert "Barts Health" in card.alt and "reference lines" in card.alt


def test_trend_focus_on_a_withheld_latest_year_uses_the_last_shown_year(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS, focus="board")
    assert "On the board, 31% of Barts Health's voting members were from the global majority in 2023" in card.sentence
    assert "The 2024 figure is withheld because it involves fewer than 5 people." in card.sentence
    assert "the board" in card.title and "below the whole workforce" in card.title
    focus = [t for t in card.figure.data if t.name == "Board (voting members)" and t.x and t.x[0] is not None][0]
    assert focus.line.width > 2  # the chosen group is highlighted


def test_trend_unknown_focus_falls_back_and_no_rows_gives_none(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, focus="nope")
    assert "band 8a and above" in card.title
    assert representation_trend_card(shares, "QMF", NAMES, SOURCES) is None


def test_gap_sentence_words_for_equal_and_above():
    rows = pd.DataFrame([share_row("R1H", 2024, "all_staff", share=50.2), share_row("R1H", 2024, "board", share=49.8)])
    s = representation_gap_sentence(rows, "R1H", NAMES, "board", {"value": 40.0, "period": "Census 2021"})
    assert "the same as the trust's whole workforce (50% in 2024)" in s
    assert "10 points above the residents of the boroughs it serves (40%, Census 2021)" in s
    system = representation_gap_sentence(rows.assign(ods_code="NEL"), "NEL", NAMES, "board", None)
    assert "the system's whole workforce" in system and "residents" not in system
    assert "not in this dashboard yet" in representation_gap_sentence(rows, "R1H", NAMES, "vsm", None)


# --- Representation compared with NEL and England ---------------------------------------------------

def test_comparison_marks_each_org_and_says_what_is_missing(shares):
    card = representation_comparison_card(shares, "R1H", NAMES, SOURCES)
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
    assert "England's figure not in this dashboard yet" in card.sentence
    assert card.title == ("Illustrative example: Barts Health: the global-majority share ranges from 40% (band 8a and above) "
                          "to 68% (bands 1 to 4)")
    assert_table_basics(card)


def test_shipped_small_board_is_drawn_not_withheld(shipped):
    """RQX's 2024 board is 4 of 12 (illustrative): a small count, but board members are named office-holders."""
    t, shares, wres, names = shipped
    card = representation_trend_card(shares, "RQX", names, t["sources"], focus="board")
    board = [tr for tr in card.figure.data if tr.name == "Board (voting members)" and tr.x and tr.x[0] is not None][0]
    years = list(board.x)
    assert board.y[years.index(2024)] == pytest.approx(100 * 4 / 12)
    row = card.table[(card.table["Staff group"] == "Board (voting members)") & (card.table["Year"] == "2024")].iloc[0]
    assert row["Global-majority share (%)"] != SUPPRESSED_LABEL
    assert "withheld" not in card.sentence


def _drawn_markers(card) -> dict[str, list[float]]:
    """Every marker the figure draws, by series name (legend-key traces carry no value)."""
    drawn: dict[str, list[float]] = {}
    for tr in card.figure.data:
        drawn.setdefault(tr.name, []).extend(float(x) for x in tr.x or () if x is not None)
    return {name: xs for name, xs in drawn.items() if xs}


def test_comparison_alt_names_every_marker_drawn_including_englands_leadership():
    """Issue #20: in published-only mode Barts Health has no VSM or board figure, yet England's VSM and board
    markers are drawn; the chart's name gives every marker, by organisation and shape, and not the sentence."""
    pkg = published_only(load_package("data/nel"))
    t = pkg.tables
    card = representation_comparison_card(derive.workforce_shares(t), "R1H", selection.org_names(t["organisations"]),
                                          t["sources"])
    drawn = _drawn_markers(card)
    assert sorted(round(x, 1) for x in drawn["England"]) == [12.7, 16.5, 28.6]  # the markers the issue found unnamed
    assert "England (diamonds): all staff 29% (2024), very senior managers 13% (2024) and board 17% (2024)." in card.alt
    assert "Barts Health (circles): all staff 60% (2023) and band 8a and above 40% (2024)." in card.alt
    assert "NEL system (squares): all staff 55% (2024)." in card.alt
    assert "Barts Health's very senior managers and board figures: not yet published." in card.alt
    assert card.alt.startswith("Dot chart")
    # Each organisation's part of the name holds a value for each of its markers, and no other.
    parts = {part.split(" (", 1)[0]: part for part in card.alt.split(". ")}
    for name, xs in drawn.items():
        assert parts[name].count("%") == len(xs), (name, xs, parts[name])
        for x in xs:
            assert fmt_percent(x) in parts[name], (name, x)
    # The sentence is printed under the chart: the name does not repeat it.
    assert card.sentence not in card.alt
    assert "Latest global-majority share of each staff group" not in card.alt


def test_comparison_alt_names_withheld_and_illustrative_markers(shares):
    card = representation_comparison_card(shares, "R1H", NAMES, SOURCES)
    assert card.alt == (
        "Dot chart of the latest global-majority share of each staff group, one row per group, 0 to 100%. "
        "Barts Health (circles): all staff 63% (2024, illustrative), bands 1 to 4 68% (2024, illustrative) and band 8a "
        "and above 40% (2024). NEL system (squares): all staff 55% (2024). England (diamonds): all staff 29% (2024) and "
        "board 17% (2024). Barts Health's board figure: withheld (fewer than 5).")
