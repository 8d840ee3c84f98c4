"""Strategy tracker builders: counts, the bar chart, sentences, the tracker list and the feedback log."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from components.cards.base import STATUS_WORDS
from components.cards.strategy import (
    actions_log,
    actions_notice,
    progress_card,
    progress_counts,
    progress_sentence,
    reported_count,
    tracker,
)
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    return load_package(str(ROOT / "data" / "nel")).tables


@pytest.fixture
def pillars():
    return pd.DataFrame({"pillar_id": ["second", "first"], "sort_order": [2, 1], "name": ["Second pillar", "First pillar"],
                         "aim": ["Aim two", "Aim one"], "progress_measure": ["Measure two", "Measure one"],
                         "source_id": "strategy"})


@pytest.fixture
def commitments():
    rows = [("c1", "first", "Do one", "Measure one", "achieved"),
            ("c2", "first", "Do two", "Measure one", "not yet reported"),
            ("c3", "second", "Do three", "A different measure", "in progress"),
            ("c4", "second", "Do four", "Measure two", "not yet reported"),
            ("c5", "second", "Do five", "Measure two", "not started")]
    return pd.DataFrame([{"commitment_id": i, "pillar_id": p, "commitment": c, "progress_measure": m, "progress": g,
                          "evidence": f"Evidence for {i}" if g != "not yet reported" else "No progress report has been published yet.",
                          "last_updated": pd.Timestamp("2025-06-30") if i == "c3" else pd.Timestamp("2025-01-31"),
                          "source_id": "strategy", "status": "published", "note": ""} for i, p, c, m, g in rows])


@pytest.fixture
def sources():
    return pd.DataFrame({"source_id": ["strategy", "illustrative"], "title": ["The strategy", "Invented values"],
                         "publisher": ["NHS NEL", "Dashboard"], "url": ["https://example.org/s", None]})


def test_counts_follow_the_data_and_pillar_order(commitments, pillars):
    counts = progress_counts(commitments, pillars)
    assert list(dict.fromkeys(counts["pillar"])) == ["First pillar", "Second pillar"]
    got = counts[counts["count"] > 0].set_index(["pillar_id", "progress"])["count"].to_dict()
    assert got == {("first", "achieved"): 1, ("first", "not yet reported"): 1, ("second", "in progress"): 1,
                   ("second", "not started"): 1, ("second", "not yet reported"): 1}
    assert counts["count"].sum() == len(commitments)


def test_bar_chart_draws_the_counts_with_words_on_the_bars(commitments, pillars, sources):
    card = progress_card(commitments, pillars, sources)
    fig = card.figure
    assert fig.layout.barmode == "stack"
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Achieved", "In progress", "Not started", "Not yet reported"}
    # y positions: 0 = first pillar (drawn at the top), 1 = second pillar
    assert list(by_name["Not yet reported"].x) == [1, 1] and list(by_name["Not yet reported"].y) == [0, 1]
    assert list(by_name["Achieved"].x) == [1] and list(by_name["Achieved"].y) == [0]
    assert list(by_name["Not yet reported"].text) == ["1 not yet reported", "1 not yet reported"]
    assert list(by_name["In progress"].text) == ["1 in progress"]
    assert sum(sum(t.x) for t in fig.data) == len(commitments)
    assert [a.text for a in fig.layout.annotations] == ["<b>First pillar</b>", "<b>Second pillar</b>"]
    # colour is not the only carrier: the 'not yet reported' bars are outlined and hatched, the others labelled
    assert by_name["Not yet reported"].marker.pattern.shape == "/"
    assert card.title == "3 of 5 commitments have a published progress report"
    assert {"Pillar", "Progress", "Commitments", "Status", "Source", "Period"} <= set(card.table.columns)
    assert card.table["Commitments"].sum() == 5 and set(card.table["Source"]) == {"The strategy"}
    assert set(card.table["Status"]) == {STATUS_WORDS["published"]}


def test_sentence_with_reports(commitments):
    assert reported_count(commitments) == 3
    assert progress_sentence(commitments) == (
        "3 of 5 commitments have a published progress report: 1 achieved, 1 in progress, 1 not started. "
        "The tracker was last updated on 30 June 2025.")


def test_shipped_data_is_honest_that_nothing_is_reported_yet(shipped):
    c, p = shipped["commitments"], shipped["pillars"]
    card = progress_card(c, p, shipped["sources"])
    assert card.title == "No commitment has a published progress report yet"
    assert card.sentence.startswith(f"0 of {len(c)} commitments have a published progress report yet.")
    assert [t.name for t in card.figure.data] == ["Not yet reported"]
    per_pillar = c.groupby("pillar_id").size()
    order = p.sort_values("sort_order")["pillar_id"].tolist()
    assert list(card.figure.data[0].x) == [per_pillar[i] for i in order]
    assert card.alt.startswith(f"Horizontal stacked bar chart of the {len(c)} commitments")
    assert not card.has_illustrative


def test_tracker_lists_pillars_in_order_with_their_commitments(commitments, pillars, sources):
    views = tracker(pillars, commitments, sources)
    assert [v.name for v in views] == ["First pillar", "Second pillar"]
    assert [c.text for c in views[0].commitments] == ["Do one", "Do two"]
    assert [c.progress for c in views[1].commitments] == ["In progress", "Not yet reported", "Not started"]
    assert [c.badge_colour for c in views[1].commitments] == ["blue", "gray", "orange"]
    assert views[1].commitments[0].same_measure_as_pillar is False
    assert views[1].commitments[0].progress_measure == "A different measure"
    assert views[1].commitments[1].same_measure_as_pillar is True
    assert views[1].commitments[0].last_updated == "30 June 2025"
    assert views[0].commitments[0].source_url == "https://example.org/s"
    assert views[0].summary == "2 commitments; 1 with a published progress report."


def test_actions_log_is_newest_first_and_flags_illustrative(pillars, sources):
    actions = pd.DataFrame({
        "action_id": ["a1", "a2"], "pillar_id": ["first", "second"], "ods_code": [None, "XYZ"],
        "you_said": ["Said one", "Said two"], "we_did": ["Did one", "Did two"],
        "date": [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-09-01")], "source_id": "illustrative",
        "status": "illustrative", "note": ""})
    orgs = pd.DataFrame({"ods_code": ["XYZ"], "name": ["Org XYZ"]})
    log = actions_log(actions, pillars, orgs, sources)
    assert [a.action_id for a in log] == ["a2", "a1"]
    assert [a.organisation for a in log] == ["Org XYZ", "System-wide"]
    assert log[0].pillar == "Second pillar" and log[0].date == "1 September 2025"
    assert all(a.illustrative for a in log) and log[0].source_title == "Invented values"
    assert actions_notice(log).startswith("All 2 entries below are illustrative examples, not real data")
    published = actions_log(actions.assign(status="published"), pillars, orgs, sources)
    assert actions_notice(published) == "2 published entries."
    assert actions_notice([]).startswith("No 'you said, together, we did' entries")


def test_shipped_actions_are_all_illustrative(shipped):
    log = actions_log(shipped["actions"], shipped["pillars"], shipped["organisations"], shipped["sources"])
    assert log and all(a.illustrative for a in log)
    assert "illustrative" in actions_notice(log)
