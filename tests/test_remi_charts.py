"""REMI builders: the radar, dot plot and small multiples reflect the data, in the fixed domain order."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from components.cards.base import STATUS_WORDS
from components.cards.remi import IMPLEMENTATION, illustrative_notice, remi_views, small_multiples_card, stages_markdown
from components.charts.palette import ILLUSTRATIVE_LABEL
from data.package import load_package
from data.remi import nel_median, org_choices, remi_long, year_choices

ROOT = Path(__file__).resolve().parents[1]
STAGE_NAMES = ["Awareness", "Commitment", "Implementation", "Embedding", "Creating", "Championing"]


@pytest.fixture(scope="module")
def shipped():
    return load_package(str(ROOT / "data" / "nel")).tables


@pytest.fixture
def stages():
    return pd.DataFrame({"stage": range(1, 7), "name": STAGE_NAMES, "summary": [f"About stage {i}" for i in range(1, 7)],
                         "source_id": "larch-remi"})


@pytest.fixture
def domains():
    # File order differs from sort order on purpose: the axes must follow sort_order.
    return pd.DataFrame({"domain_id": ["policy", "leadership", "recruitment"],
                         "name": ["Policy", "Leadership", "Recruitment"], "sort_order": [3, 1, 2],
                         "source_id": "larch-remi-faqs", "convention": True})


def _rows(org, year, stages_by_domain, status="published"):
    return [{"ods_code": org, "year": year, "domain_id": d, "stage": s, "period": f"Self-assessment {year}",
             "source_id": "src", "status": status, "note": ""} for d, s in stages_by_domain.items()]


@pytest.fixture
def remi():
    rows = (_rows("AAA", 2024, {"leadership": 1, "recruitment": 2, "policy": 3})
            + _rows("AAA", 2025, {"leadership": 4, "recruitment": 2, "policy": 1})
            + _rows("BBB", 2025, {"leadership": 2, "recruitment": 3, "policy": 3})
            + _rows("CCC", 2025, {"leadership": 6, "recruitment": 5, "policy": 2})
            + _rows("BBB", 2024, {"leadership": 2, "recruitment": 2, "policy": 2}))
    return pd.DataFrame(rows)


@pytest.fixture
def orgs():
    return pd.DataFrame({"ods_code": ["CCC", "AAA", "BBB"], "name": ["Org C", "Org A", "Org B"],
                         "short_name": ["C", "A", "B"]})


def _by_name(fig, fragment):
    matches = [t for t in fig.data if fragment in t.name]
    assert len(matches) == 1, [t.name for t in fig.data]
    return matches[0]


def test_radar_follows_sort_order_closes_and_plots_the_data(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    radar, _ = remi_views(long, domains, stages, "AAA", 2025)
    current = _by_name(radar.figure, "A, 2025")
    assert list(current.theta) == ["Leadership", "Recruitment", "Policy", "Leadership"]
    assert list(current.r) == [4, 2, 1, 4]
    assert current.line.dash == "solid"
    axis = radar.figure.layout.polar.radialaxis
    assert list(axis.tickvals) == [1, 2, 3, 4, 5, 6]
    assert list(axis.ticktext) == STAGE_NAMES
    assert axis.range[0] <= 1 and axis.range[1] >= 6


def test_radar_overlays_previous_year_dashed_and_nel_median_dotted(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    radar, _ = remi_views(long, domains, stages, "AAA", 2025)
    previous = _by_name(radar.figure, "A, 2024")
    median = _by_name(radar.figure, "NEL median, 2025")
    assert list(previous.r) == [1, 2, 3, 1] and previous.line.dash == "dash"
    # 2025 medians across AAA, BBB, CCC: leadership (4,2,6)->4, recruitment (2,3,5)->3, policy (1,3,2)->2
    assert list(median.r) == [4, 3, 2, 4] and median.line.dash == "dot"
    assert len({previous.line.color, median.line.color, _by_name(radar.figure, "A, 2025").line.color}) == 3
    assert radar.table["NEL median (2025)"].tolist() == ["4 (Embedding)", "3 (Implementation)", "2 (Commitment)"]
    assert radar.table["Previous year (2024)"].tolist() == ["1 (Awareness)", "2 (Commitment)", "3 (Implementation)"]


def test_published_scores_are_filled_and_not_labelled_illustrative(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    radar, dots = remi_views(long, domains, stages, "AAA", 2025)
    current = _by_name(radar.figure, "A, 2025")
    assert ILLUSTRATIVE_LABEL not in current.name
    assert all(not s.endswith("-open") for s in current.marker.symbol)
    assert current.fill == "toself"
    assert not radar.has_illustrative
    assert set(radar.table["Status"]) == {STATUS_WORDS["published"]}


def test_illustrative_scores_are_hollow_unfilled_and_named_in_the_legend(remi, domains, stages, orgs):
    remi = remi.assign(status="illustrative")
    long = remi_long(remi, domains, stages, orgs)
    radar, dots = remi_views(long, domains, stages, "AAA", 2025)
    for trace in list(radar.figure.data) + list(dots.figure.data):
        assert ILLUSTRATIVE_LABEL in trace.name
        assert all(s.endswith("-open") for s in trace.marker.symbol)
    assert _by_name(radar.figure, "A, 2025").fill in (None, "none")
    assert radar.has_illustrative and set(radar.table["Status"]) == {STATUS_WORDS["illustrative"]}
    assert radar.sentence.endswith("These scores are illustrative, not real data.")


def test_mixed_status_marks_each_point(remi, domains, stages, orgs):
    remi.loc[(remi["ods_code"] == "AAA") & (remi["year"] == 2025) & (remi["domain_id"] == "policy"), "status"] = "illustrative"
    long = remi_long(remi, domains, stages, orgs)
    radar, _ = remi_views(long, domains, stages, "AAA", 2025)
    current = [t for t in radar.figure.data if t.name.startswith("A, 2025")][0]
    assert list(current.marker.symbol) == ["circle", "circle", "circle-open", "circle"]
    assert "partly illustrative" in current.name


def test_sentence_counts_stages_moves_and_median(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    radar, _ = remi_views(long, domains, stages, "AAA", 2025)
    assert radar.sentence == ("In 2025 Org A reached Implementation or above in 1 of 3 domains; its highest is "
                              "Leadership (Embedding); it moved up in 1 domain and down in 1 since 2024. "
                              "It is above the NEL median in none and below it in 2.")
    assert radar.title == "Org A reached Implementation or above in 1 of 3 REMI domains in 2025"


def test_no_previous_year_and_half_stage_median(remi, domains, stages, orgs):
    remi = remi[~((remi["ods_code"] == "CCC"))]  # two organisations: medians fall between stages
    long = remi_long(remi, domains, stages, orgs)
    radar, dots = remi_views(long, domains, stages, "AAA", 2024)
    assert [t.name for t in radar.figure.data] == ["NEL median, 2024", "A, 2024"]
    assert "no earlier self-assessment" in radar.sentence
    assert set(radar.table["Previous year"]) == {"no earlier self-assessment"}
    # 2024 medians of AAA (1,2,3) and BBB (2,2,2): 1.5, 2, 2.5
    median = _by_name(radar.figure, "NEL median, 2024")
    assert list(median.r) == [1.5, 2, 2.5, 1.5]
    assert radar.table["NEL median (2024)"].iloc[0] == "1.5 (between Awareness and Commitment)"


def test_missing_domain_is_a_gap_and_not_yet_published(remi, domains, stages, orgs):
    remi = remi[~((remi["ods_code"] == "AAA") & (remi["year"] == 2025) & (remi["domain_id"] == "recruitment"))]
    long = remi_long(remi, domains, stages, orgs)
    radar, dots = remi_views(long, domains, stages, "AAA", 2025)
    assert list(_by_name(radar.figure, "A, 2025").r) == [4, None, 1, 4]
    row = radar.table[radar.table["Domain"] == "Recruitment"].iloc[0]
    assert row["Stage"] == "not yet published" and row["Status"] == "not yet published"
    assert "2 domains" not in radar.sentence and "of 3 domains" in radar.sentence


def test_dot_plot_shows_the_same_values_per_domain(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    _, dots = remi_views(long, domains, stages, "AAA", 2025)
    current = _by_name(dots.figure, "A, 2025")
    assert list(current.x) == [4, 2, 1]
    assert list(current.y) == [0, 1, 2]
    assert list(dots.figure.layout.yaxis.ticktext) == ["Leadership", "Recruitment", "Policy"]
    assert list(_by_name(dots.figure, "NEL median").x) == [4, 3, 2]
    assert list(_by_name(dots.figure, "A, 2024").x) == [1, 2, 3]
    assert dots.alt and dots.table.equals(remi_views(long, domains, stages, "AAA", 2025)[0].table)


def test_small_multiples_has_one_polar_per_organisation(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    codes = org_choices(long, orgs)
    assert codes == ["CCC", "AAA", "BBB"]  # the organisations table's order
    card = small_multiples_card(long, domains, stages, 2025, codes)
    fig = card.figure
    polars = [k for k in fig.layout.to_plotly_json() if k.startswith("polar")]
    assert len(polars) == 3
    org_traces = [t for t in fig.data if t.legendgroup == "org"]
    assert [t.subplot for t in org_traces] == ["polar", "polar2", "polar3"]
    assert [list(t.r) for t in org_traces] == [[6, 5, 2, 6], [4, 2, 1, 4], [2, 3, 3, 2]]
    assert [a.text for a in fig.layout.annotations] == ["<b>C</b>", "<b>A</b>", "<b>B</b>"]
    assert sum(1 for t in fig.data if t.showlegend is not False) == 2
    assert len(card.table) == 9 and {"Status", "Source", "Period"} <= set(card.table.columns)
    # C has 2 domains at Implementation or above, B 2, A 1
    assert "C and B reached Implementation or above in the most domains (2 of 3)" in card.sentence
    assert "A in the fewest (1 of 3)" in card.sentence


def test_choices_and_median_helpers(remi, domains, stages, orgs):
    long = remi_long(remi, domains, stages, orgs)
    assert year_choices(long, "CCC") == ["2025"]
    assert year_choices(long) == ["2024", "2025"]
    order = [("leadership", "Leadership"), ("recruitment", "Recruitment"), ("policy", "Policy")]
    assert nel_median(long, 2025, order)["n"].tolist() == [3, 3, 3]
    assert IMPLEMENTATION == 3


def test_stage_list_escapes_markdown(stages):
    stages.loc[0, "name"] = "Aware*ness* [x](javascript:1)"
    text = stages_markdown(stages)
    assert "Aware\\*ness\\*" in text and "\\[x\\]\\(javascript\\:1\\)" in text
    assert text.splitlines()[5].startswith("6. **Championing**")


def test_shipped_data_radar_matches_the_csv_and_is_marked_illustrative(shipped):
    t = shipped
    long = remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"])
    radar, dots = remi_views(long, t["remi_domains"], t["remi_stages"], "QMF", 2025, t["sources"])
    order = t["remi_domains"].sort_values("sort_order")
    want = (t["remi"][(t["remi"]["ods_code"] == "QMF") & (t["remi"]["year"] == 2025)]
            .set_index("domain_id").loc[order["domain_id"], "stage"].astype(int).tolist())
    current = [tr for tr in radar.figure.data if tr.name.startswith("NEL ICB, 2025")][0]
    assert list(current.r) == want + want[:1]
    assert list(current.theta) == order["name"].tolist() + order["name"].tolist()[:1]
    assert ILLUSTRATIVE_LABEL in current.name
    assert radar.has_illustrative and dots.has_illustrative
    assert {s.title for s in radar.sources} >= {"Race Equity Maturity Index (REMI)", "REMI frequently asked questions"}
    assert illustrative_notice(long).startswith("Every REMI score on this page is illustrative")
    assert illustrative_notice(long.assign(status="published")) is None
    assert "convention" in radar.definition
    sm = small_multiples_card(long, t["remi_domains"], t["remi_stages"], 2025, org_choices(long, t["organisations"]))
    assert len([k for k in sm.figure.layout.to_plotly_json() if k.startswith("polar")]) == 6
