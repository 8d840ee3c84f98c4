"""The chart's accessible name (components.ui.chart_card.chart_label, issue #20): the sentence printed under a
chart is not repeated in the chart's name; where it completed the name, the chart points to it instead (the
browser side is in tests/test_browser_phone_a11y.py)."""
from __future__ import annotations

import dataclasses

import pytest

from components.cards.catalogue import build
from components.ui.chart_card import chart_label
from data.package import load_package, published_only


@pytest.fixture(scope="module")
def tables():
    return published_only(load_package("data/nel")).tables


def test_the_printed_sentence_is_taken_out_of_the_name_and_becomes_its_description(tables):
    card = build(tables, "representation_trend", org="R1H")
    assert card.alt.endswith(card.sentence)  # what the card holds: description, then the sentence
    label, described = chart_label(card)
    assert described
    assert card.sentence not in label
    assert label.startswith("Line chart: the global-majority share of 2 staff groups at Barts Health")
    assert label.endswith("reference lines for the whole workforce 60% and the residents served 60%.")
    assert label + " " + card.sentence == card.alt  # nothing lost: name and description hold all the alt text did


def test_a_name_that_does_not_repeat_the_sentence_is_kept_whole(tables):
    card = build(tables, "representation_compare", org="R1H")
    assert chart_label(card) == (card.alt, False)


def test_a_name_that_is_only_the_sentence_is_kept(tables):
    """Taking it out would leave the chart with no name at all."""
    card = build(tables, "representation_compare", org="R1H")
    only = dataclasses.replace(card, alt=card.sentence)
    assert chart_label(only) == (card.sentence, False)
