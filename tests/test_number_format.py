"""One way to write a number: half-up rounding to the precision shown, the same everywhere."""
from __future__ import annotations

import re

import pytest

from components.words import fmt_number, fmt_percent, fmt_percent_short, fmt_points, fmt_value, round_half_up
from data.package import load_package
from data.schema import SHIPPED_PACKAGE


@pytest.mark.parametrize("value, digits, expected", [
    (16.5, 0, "17%"), (15.5, 0, "16%"), (0.5, 0, "1%"), (2.5, 0, "3%"),       # round() would give 16, 16, 0, 2
    (16.45, 1, "16.5%"), (0.125 * 100, 1, "12.5%"), (1.005, 2, "1.01%"),      # binary floats: 16.45 is 16.449999…
    (16.44, 1, "16.4%"), (99.95, 1, "100.0%"), (-0.5, 0, "-1%"), (-0.4, 0, "0%"),
])
def test_percentages_round_half_up_at_the_precision_shown(value, digits, expected):
    assert fmt_percent(value, digits) == expected


def test_counts_points_and_missing_values():
    assert fmt_number(1_998_679) == "1,998,679" and fmt_number(2.5) == "3" and fmt_number(1234.5) == "1,235"
    assert fmt_number(1.125, 2) == "1.13" and fmt_number(0.845, 2) == "0.85"
    assert fmt_points(2.05) == "+2.1 points" and fmt_points(-0.45) == "-0.5 points" and fmt_points(-0.04) == "0.0 points"
    assert fmt_percent(None) == "not available" and fmt_percent(float("nan"), missing="not yet published") == "not yet published"
    assert fmt_value(310_306.0, "count") == "310,306" and fmt_value(69.25, "percent", 1) == "69.3%"
    assert fmt_percent_short(55.0) == "55%" and fmt_percent_short(53.746) == "53.7%" and fmt_percent_short(63.97) == "64.0%"
    assert round_half_up(32.5) == 33 and round_half_up(-1.5) == -2 and round_half_up(2.675, 2) == 2.68


def test_a_published_16_5_reads_17_percent_wherever_it_is_written():
    """England's board, WRES 2024 (nhsemployers-wres-2025): 16.5% global majority."""
    from components.cards.catalogue import build

    tables = load_package(SHIPPED_PACKAGE).tables
    texts = []
    for kind, params in (("representation_trend", {"org": "ENG", "group": "board"}), ("board_gap", {"org": "R1H"}),
                         ("board_gap", {"org": "NEL"})):
        card = build(tables, kind, **params)
        if card is not None:
            texts.append(f"{card.title} {card.sentence} {card.alt}")
    words = " ".join(texts)
    assert "17% of England's voting members" in words
    assert not re.search(r"(?<![\d.])16%", words), words  # never the half-to-even reading
