"""What the workforce cards share (components.cards.workforce): the page's status summary, the indicators' guide, and
every workforce card built on the shipped package."""
from __future__ import annotations

import json

import pytest

from components.cards import workforce as wc
from components.cards.board_gap import board_gap_card
from components.cards.representation_comparison import representation_comparison_card
from components.cards.representation_trend import representation_trend_card
from components.cards.wres_ratio import wres_ratio_card
from components.cards.wres_survey import wres_survey_card
from data import selection
from tests.workforce_rows import ILL, META, NAMES, PUB, RESIDENTS, SOURCES, assert_table_basics, shares_frame, shipped_package


@pytest.fixture
def shares():
    return shares_frame()


@pytest.fixture(scope="module")
def shipped():
    return shipped_package()


# --- helpers ---------------------------------------------------------------------------------------

def test_status_summary_counts_figures_by_status(shares):
    card = representation_trend_card(shares, "R1H", NAMES, SOURCES, residents=RESIDENTS)
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


@pytest.mark.parametrize("org", ["R1H", "RAT", "RF4", "RQX", "RWK", "NEL"])
def test_every_card_builds_on_the_shipped_package(shipped, org):
    t, shares, wres, names = shipped
    orgs = selection.wres_orgs(wres, org, selection.org_choices(t))
    year = selection.wres_years(wres, orgs)[-1]
    cards = [
        representation_trend_card(shares, org, names, t["sources"], residents=wc.residents_for(t, org)),
        representation_comparison_card(shares, org, names, t["sources"]),
        wres_ratio_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names[org]),
        wres_survey_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names[org]),
        board_gap_card(shares, org, names, t["sources"], t["wres_indicators"], year, orgs),
    ]
    for card in cards:
        assert card is not None
        assert_table_basics(card)
        assert card.sources, card.key
        assert card.alt and card.title and card.sentence
        json.loads(card.figure.to_json())  # serialisable as Streamlit sends it
