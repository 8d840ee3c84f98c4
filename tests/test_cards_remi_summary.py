"""The trust page's REMI summary (components.cards.remi_summary): each domain's stage, the year before beside it."""
from __future__ import annotations

import pandas as pd

from components.cards.remi_summary import remi_card
from tests.workforce_rows import NAMES, SOURCES, assert_table_basics


def test_remi_card_shows_each_domain_stage():
    remi = pd.DataFrame({"ods_code": ["R1H"] * 4, "year": [2024, 2024, 2025, 2025],
                         "domain_id": ["leadership", "policy", "leadership", "policy"], "stage": [2, 1, 3, 1],
                         "period": ["Self-assessment"] * 4, "source_id": ["illustrative"] * 4,
                         "status": ["illustrative"] * 4, "note": [""] * 4})
    domains = pd.DataFrame({"domain_id": ["leadership", "policy"], "name": ["Leadership", "Policy"], "sort_order": [1, 2]})
    stages = pd.DataFrame({"stage": range(1, 7), "name": ["Awareness", "Commitment", "Implementation", "Embedding",
                                                           "Creating", "Championing"]})
    card = remi_card(remi, domains, stages, "R1H", NAMES, SOURCES)
    latest = [t for t in card.figure.data if t.name == "2025" and t.showlegend is False][0]
    assert list(latest.x) == [3, 1] and all(s.endswith("-open") for s in latest.marker.symbol)
    assert card.sentence == "In 2025: Leadership stage 3, Implementation (from stage 2); Policy stage 1, Awareness (unchanged)."
    assert card.title == "Illustrative example: Barts Health's REMI self-assessment, 2025: stages 1 to 3 across 2 domains"
    assert_table_basics(card)
    assert remi_card(remi, domains, stages, "RF4", NAMES, SOURCES) is None
