"""Every chart the deck and the report can show, by name: the same builders the pages call.

``build(tables, kind, **params)`` returns a ChartCard (or None where the package has no figures for
it). A deck file or the report names a kind and its parameters; no chart is built twice in two ways.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from components.cards import overview, wres_slides
from components.cards import remi as remi_charts
from components.cards import strategy as strategy_view
from components.cards import workforce as wc
from components.cards.base import ChartCard
from components.cards.board_gap import board_gap_card
from components.cards.outcomes import DEFAULT_MEASURE as OUTCOME_MEASURE
from components.cards.outcomes import FOCUS as OUTCOME_AREA
from components.cards.outcomes import outcome_card
from components.cards.remi_summary import remi_card
from components.cards.representation_comparison import representation_comparison_card
from components.cards.representation_trend import representation_trend_card
from components.cards.residents_3d import borough_deck_card
from components.cards.residents_map import DEFAULT_BOROUGH, DEFAULT_MEASURE, borough_map_card
from components.cards.wres_ratio import wres_ratio_card
from components.cards.wres_survey import wres_survey_card
from data import derive, selection
from data import remi as remi_data
from data import schema as canonical_schema
from data.package import TableUnavailable

Tables = Mapping[str, pd.DataFrame]


def _measure_definitions(t: Tables) -> pd.DataFrame:
    """Definitions of every borough measure: the package's own, then those worked out from the counts."""
    return pd.concat([t["measures"][["measure_id", "definition"]],
                      derive.resident_measures(t)[["measure_id", "definition"]]], ignore_index=True)


def residents_map(t: Tables, measure: str = DEFAULT_MEASURE, borough: str = DEFAULT_BOROUGH,
                  scope: str = "nel", residents: str = "all") -> ChartCard:
    """``residents="census"`` (the decks): the comparators worked out from the Census counts and England's,
    without the package's stated benchmarks (the strategy's 53% is a different figure from the Census 53.7%)."""
    frame = derive.borough_measures(t)
    comparators = derive.area_comparators(t)
    if residents == "census" and "area_benchmarks" in t:
        stated = set(t["area_benchmarks"]["source_id"].astype(str))
        comparators = comparators[~comparators["source_id"].astype(str).isin(stated)]
    return borough_map_card(frame, _measure_definitions(t), comparators, t["sources"], measure, borough, scope)


def residents_3d(t: Tables, measure: str = DEFAULT_MEASURE, borough: str = DEFAULT_BOROUGH) -> ChartCard:
    frame = derive.borough_measures(t)
    return borough_deck_card(frame, _measure_definitions(t), t["sources"], t.get("organisations"), measure, borough)


def staff_profile(t: Tables, org: str = derive.SYSTEM, residents: str = "strategy") -> ChartCard:
    """``residents="census"``: NEL's residents as the Census 2021 counts of the eight boroughs give them (53.7%),
    not the strategy's stated 53%, so that a deck quotes one residents' share throughout."""
    shares = derive.workforce_shares(t)
    headline = overview.residents_computed_headline(t) if residents == "census" else overview.residents_published_headline(t)
    return overview.staff_profile_card(shares, headline, t["sources"], org)


def representation_trend(t: Tables, org: str = derive.SYSTEM, group: str | None = None) -> ChartCard | None:
    names = selection.org_names(t["organisations"])
    return representation_trend_card(derive.workforce_shares(t), org, names, t["sources"],
                                     residents=wc.residents_for(t, org), focus=group or wc.DEFAULT_FOCUS,
                                     staff_groups=t["staff_groups"])


def representation_compare(t: Tables, org: str = derive.SYSTEM) -> ChartCard | None:
    return representation_comparison_card(derive.workforce_shares(t), org, selection.org_names(t["organisations"]),
                                          t["sources"])


def _wres_inputs(t: Tables, org: str, year: int | None):
    names = selection.org_names(t["organisations"])
    if "wres" not in t:  # failed its checks: indicator 9 (from the workforce table) can still be drawn
        return names, None, [org], None
    wres = derive.wres_long(t)
    orgs = selection.wres_orgs(wres, org, selection.org_choices(t))
    years = selection.wres_years(wres, orgs)
    year = int(year) if year is not None and int(year) in years else (years[-1] if years else None)
    return names, wres, orgs, year


def wres_ratios(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, wres, orgs, year = _wres_inputs(t, org, year)
    if year is None:
        return None
    return wres_ratio_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names.get(org, org))


def wres_survey(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, wres, orgs, year = _wres_inputs(t, org, year)
    if year is None:
        return None
    return wres_survey_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names.get(org, org))


def board_gap(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, _, orgs, year = _wres_inputs(t, org, year)
    return board_gap_card(derive.workforce_shares(t), org, names, t["sources"], t.get("wres_indicators"), year, orgs)


def _remi(t: Tables):
    long = remi_data.remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"])
    return long, remi_data.org_choices(long, t["organisations"])


def _remi_views(t: Tables, org: str, year: int | None):
    long, codes = _remi(t)
    if long.empty or org not in codes:
        return None, None
    years = remi_data.year_choices(long, org)
    chosen = str(year) if year is not None and str(year) in years else years[-1]
    return remi_charts.remi_views(long, t["remi_domains"], t["remi_stages"], org, int(chosen), t["sources"])


def remi_radar(t: Tables, org: str = remi_charts.DEFAULT_ORG, year: int | None = None) -> ChartCard | None:
    return _remi_views(t, org, year)[0]


def remi_stages(t: Tables, org: str = remi_charts.DEFAULT_ORG, year: int | None = None) -> ChartCard | None:
    return _remi_views(t, org, year)[1]


def remi_trust(t: Tables, org: str = remi_charts.DEFAULT_ORG) -> ChartCard | None:
    return remi_card(t["remi"], t["remi_domains"], t["remi_stages"], org, selection.org_names(t["organisations"]), t["sources"])


def remi_all(t: Tables, year: int | None = None) -> ChartCard | None:
    long, codes = _remi(t)
    if long.empty:
        return None
    years = remi_data.year_choices(long)
    chosen = str(year) if year is not None and str(year) in years else years[-1]
    return remi_charts.small_multiples_card(long, t["remi_domains"], t["remi_stages"], int(chosen), codes, t["sources"])


def strategy_progress(t: Tables) -> ChartCard:
    return strategy_view.progress_card(t["commitments"], t["pillars"], t["sources"])


def outcomes(t: Tables, measure: str = OUTCOME_MEASURE, area: str = OUTCOME_AREA) -> ChartCard | None:
    return outcome_card(t["outcomes"], t["ethnic_groups"], t["sources"], measure, area)


# --- Slide kinds: dense charts laid out for a projector (one indicator panel per slide) -------------

def _place_of(t: Tables, org: str) -> str:
    return wc.place_name(selection.org_names(t["organisations"]), org)


def wres_ratio_slide(t: Tables, org: str = derive.SYSTEM, indicator: int = 2, year: int | None = None) -> ChartCard | None:
    return wres_slides.wres_ratio_slide(wres_ratios(t, org, year), indicator, england=_place_of(t, derive.NATIONAL),
                                        system_place=_place_of(t, org))


def wres_survey_slide(t: Tables, org: str = derive.SYSTEM, indicator: int = 5, year: int | None = None) -> ChartCard | None:
    return wres_slides.wres_survey_slide(wres_survey(t, org, year), indicator, england=_place_of(t, derive.NATIONAL),
                                         system_place=_place_of(t, org))


KINDS: dict[str, Callable[..., ChartCard | None]] = {
    "residents_map": residents_map,
    "residents_3d": residents_3d,
    "staff_profile": staff_profile,
    "representation_trend": representation_trend,
    "representation_compare": representation_compare,
    "wres_ratios": wres_ratios,
    "wres_survey": wres_survey,
    "board_gap": board_gap,
    "remi_radar": remi_radar,
    "remi_stages": remi_stages,
    "remi_trust": remi_trust,
    "remi_all": remi_all,
    "strategy_progress": strategy_progress,
    "outcomes": outcomes,
    "wres_ratio_slide": wres_ratio_slide,
    "wres_survey_slide": wres_survey_slide,
}


def build(tables: Tables, kind: str, **params) -> ChartCard | None:
    """The card; TableUnavailable (naming the table) when a table it needs failed its checks."""
    if kind not in KINDS:
        raise KeyError(f"unknown chart kind {kind!r}; known: {', '.join(KINDS)}")
    try:
        return KINDS[kind](tables, **params)
    except KeyError as exc:
        missing = exc.args[0] if exc.args else None
        if isinstance(missing, str) and missing in canonical_schema.resources() and missing not in tables:
            raise TableUnavailable(missing, []) from exc  # the loader left out a table that failed its checks
        raise
