"""Residents' outcomes by ethnic group (outcomes.csv): the focus area's crude rates beside its comparators, the gap
between groups as a ratio the dashboard works out, the table as published and what the figures can and cannot say.

Generic over the table's measures: a new outcome needs rows and, at most, a line of words in MEASURES."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import title_map
from components.charts.outcomes import AreaSeries, rate_dots
from components.words import cap_first, fmt_number, fmt_percent, join_words, plain, source_ids, source_titles, status_label

FOCUS = "QMF"
NATIONAL = "E92000001"
REFERENCE = "white"
DEFAULT_MEASURE = "mha_detentions"
PLACES = {FOCUS: "north east London"}
ALL_LABEL = "All residents"
COMPARATORS = "London's other integrated care boards and England"  # the areas beside the focus area in the importer's rows


@dataclass(frozen=True)
class MeasureWords:
    verb: str           # "were detained under the Mental Health Act": the title's finding
    events: str         # "detentions": what count counts
    definition: str


MEASURES = {
    "mha_detentions": MeasureWords(
        "were detained under the Mental Health Act", "detentions",
        "A detention is when a person is kept in hospital under a section of the Mental Health Act 1983 (for example "
        "section 2, for assessment, or section 3, for treatment) for a mental disorder, without their agreement. "
        "'All detentions' counts every detention NHS England recorded in the year, so one person can be counted more "
        "than once. A crude rate is the number of detentions divided by the number of residents of that group, per "
        "100,000; an age-standardised rate also allows for the groups' different age profiles (the ethnic groups "
        "differ in age, and detention rates differ by age). NHS England publishes age-standardised rates for England "
        "only, so the areas are compared by their crude rates."),
}


@dataclass
class OutcomeView:
    """One measure and year: its rows, the areas (focus first, England last) and groups, and each crude rate."""
    measure: str
    rows: pd.DataFrame
    areas: dict[str, str]            # code -> name, in order
    groups: dict[str, str]           # group -> label, in order ('all' first, 'unknown' last)
    crude: dict[tuple[str, str], float]
    focus: str

    @property
    def words(self) -> MeasureWords:
        name = str(self.rows["measure_name"].iloc[0])
        return MEASURES.get(self.measure, MeasureWords(f"had {name.lower()}", "events", name))

    @property
    def place(self) -> str:
        return PLACES.get(self.focus, self.areas[self.focus])

    @property
    def period(self) -> str:
        return str(self.rows["period"].iloc[0])

    @property
    def period_short(self) -> str:
        return self.period.split(" (")[0]

    def rate(self, area: str, group: str) -> float | None:
        return self.crude.get((area, group))

    def ranked(self, area: str) -> list[str]:
        """The area's ethnic groups with a crude rate, highest first."""
        have = [g for g in self.groups if g not in ("all", "unknown") and self.rate(area, g) is not None]
        return sorted(have, key=lambda g: -float(self.rate(area, g) or 0))


def _kind(rows: pd.DataFrame, kind: str) -> pd.Series:
    """Rows whose rate is of this kind (False where there is no rate)."""
    return rows["rate_kind"].astype(str) == kind


def prepare(outcomes: pd.DataFrame, ethnic_groups: pd.DataFrame, measure: str = DEFAULT_MEASURE,
            focus: str = FOCUS) -> OutcomeView | None:
    """The latest year of ``measure`` with a row for ``focus``; None when there is none."""
    mine = outcomes[(outcomes["measure"] == measure)]
    years = sorted(int(y) for y in mine.loc[mine["area_code"] == focus, "year"].unique())
    if not years:
        return None
    rows = mine[mine["year"] == years[-1]].reset_index(drop=True)
    codes = list(dict.fromkeys(rows["area_code"].astype(str)))
    codes = [focus, *[c for c in codes if c not in (focus, NATIONAL)], *([NATIONAL] if NATIONAL in codes else [])]
    areas = {c: str(rows.loc[rows["area_code"] == c, "area_name"].iloc[0]) for c in codes}
    labels = dict(zip(ethnic_groups["ethnic_group"].astype(str), ethnic_groups["label"].astype(str), strict=True))
    present = list(dict.fromkeys(rows["group"].astype(str)))
    order = ["all", *[g for g in present if g not in ("all", "unknown")], *(["unknown"] if "unknown" in present else [])]
    groups = {g: ALL_LABEL if g == "all" else "Not known" if g == "unknown" else labels.get(g, g) for g in order if g in present}
    crude_rows = rows[_kind(rows, "crude") & rows["rate"].notna()]
    crude = {(str(a), str(g)): float(r) for a, g, r in zip(crude_rows["area_code"], crude_rows["group"], crude_rows["rate"],
                                                            strict=True)}
    return OutcomeView(measure, rows, areas, groups, crude, focus)


def gap(view: OutcomeView) -> tuple[str, str, float] | None:
    """(higher group, lower group, ratio of their crude rates) in the focus area: the highest rate against White
    residents' (or the lowest, when White residents' is the highest). Worked out here, not published."""
    ranked = view.ranked(view.focus)
    if len(ranked) < 2:
        return None
    high = ranked[0]
    low = REFERENCE if REFERENCE in ranked and high != REFERENCE else ranked[-1]
    low_rate = view.rate(view.focus, low)
    if not low_rate:
        return None
    return high, low, float(view.rate(view.focus, high) or 0) / low_rate


def _people(view: OutcomeView, group: str) -> str:
    return f"{view.groups[group]} residents"


def outcome_title(view: OutcomeView) -> str:
    found = gap(view)
    if found is None:
        return f"{view.rows['measure_name'].iloc[0]} in {view.place}, {view.period_short}"
    high, low, ratio = found
    title = (f"In {view.place}, {_people(view, high)} {view.words.verb} at {fmt_number(ratio, 1)} times the rate "
             f"of {_people(view, low)} in {view.period_short}")
    return finding_title(cap_first(title), view.rows["status"])


def unknown_share(view: OutcomeView, area: str) -> tuple[int, int] | None:
    """(count with ethnicity not known, count of every ethnic group and the unknown) in the area, where published."""
    rows = view.rows[(view.rows["area_code"] == area) & (view.rows["group"] != "all") & view.rows["count"].notna()]
    unknown = rows.loc[rows["group"] == "unknown", "count"]
    if unknown.empty or rows.empty:
        return None
    return int(unknown.iloc[0]), int(rows["count"].sum())


def _range_words(view: OutcomeView, group: str) -> str:
    others = [view.rate(a, group) for a in view.areas if a not in (view.focus, NATIONAL)]
    values = [v for v in others if v is not None]
    if not values:
        return ""
    return (f"{fmt_number(min(values), 1)} to {fmt_number(max(values), 1)}" if len(values) > 1
            else fmt_number(values[0], 1))


def _standardised(view: OutcomeView, group: str) -> float | None:
    r = view.rows[(view.rows["area_code"] == NATIONAL) & (view.rows["group"] == group)
                  & _kind(view.rows, "standardised")]
    return float(r["rate"].iloc[0]) if len(r) and pd.notna(r["rate"].iloc[0]) else None


def outcome_sentence(view: OutcomeView) -> str:
    """The finding in plain English: counts as published, each group's crude rate, the gap, the comparators."""
    parts = []
    total = view.rows[(view.rows["area_code"] == view.focus) & (view.rows["group"] == "all")]["count"].dropna()
    if len(total):
        parts.append(f"In {view.period_short}, NHS England counted {fmt_number(total.iloc[0])} {view.words.events} of "
                     f"people living in {view.place} (as published, rounded to the nearest 5).")
    ranked = view.ranked(view.focus)
    parts.append("Per 100,000 residents of each group (crude rates): " + join_words(
        [f"{view.groups[g]} {fmt_number(view.rate(view.focus, g), 1)}" for g in ranked]) + ".")
    if found := gap(view):
        high, low, ratio = found
        parts.append(f"The {view.groups[high]} rate is {fmt_number(ratio, 1)} times the {view.groups[low]} rate "
                     f"({fmt_number(view.rate(view.focus, high), 1)} ÷ {fmt_number(view.rate(view.focus, low), 1)}: "
                     "a ratio worked out by this dashboard from the published crude rates).")
        spans = [f"the {view.groups[g]} rate was {_range_words(view, g)}" for g in (high, low) if _range_words(view, g)]
        if spans:
            parts.append(f"In {COMPARATORS.removesuffix(' and England')} " + " and ".join(spans) + ".")
        parts.append(_national_words(view, high, low))
    if share := unknown_share(view, view.focus):
        parts.append(f"Ethnicity was not known for {fmt_number(share[0])} of the {fmt_number(share[1])} "
                     f"{view.words.events} counted by ethnic group ({fmt_percent(100 * share[0] / share[1], 1)}).")
    return " ".join(p for p in parts if p)


def _national_words(view: OutcomeView, high: str, low: str) -> str:
    if NATIONAL not in view.areas or view.rate(NATIONAL, high) is None or view.rate(NATIONAL, low) is None:
        return ""
    text = (f"In England the two rates were {fmt_number(view.rate(NATIONAL, high), 1)} and "
            f"{fmt_number(view.rate(NATIONAL, low), 1)}")
    std = (_standardised(view, high), _standardised(view, low))
    if None not in std:
        text += f" ({fmt_number(std[0], 1)} and {fmt_number(std[1], 1)} age-standardised)"
    return text + "."


def _series(view: OutcomeView) -> tuple[list[str], list[AreaSeries]]:
    shown = [g for g in view.groups if g != "unknown"]
    status = {(str(a), str(g)): str(s) for a, g, s, k in zip(view.rows["area_code"], view.rows["group"], view.rows["status"],
                                                           view.rows["rate_kind"].astype(str), strict=True) if k == "crude"}
    series = [AreaSeries(name, [view.rate(a, g) for g in shown], [status.get((a, g), "published") for g in shown],
                         "focus" if a == view.focus else "national" if a == NATIONAL else "other")
              for a, name in view.areas.items()]
    return [view.groups[g] for g in shown], series


def outcome_table(view: OutcomeView, titles: Mapping[str, str]) -> pd.DataFrame:
    """Every row as published, one per area and group: count, crude rate, England's standardised rate and interval."""
    events = view.words.events.capitalize()
    rows = []
    for area, name in view.areas.items():
        for group, label in view.groups.items():
            mine = view.rows[(view.rows["area_code"] == area) & (view.rows["group"] == group)]
            if mine.empty:
                continue
            first = mine.iloc[0]
            std = mine[_kind(mine, "standardised")]
            rows.append({
                "Area": name, "Ethnic group": label, "Ethnic group (as published)": str(first["group_label"]),
                events: fmt_number(mine["count"].dropna().iloc[0]) if mine["count"].notna().any() else "",
                "Crude rate per 100,000": fmt_number(view.rate(area, group), 1, missing="none published"),
                "Age-standardised rate per 100,000": fmt_number(std["rate"].iloc[0], 1) if len(std) else "",
                "95% interval": (f"{fmt_number(std['lower'].iloc[0], 1)} to {fmt_number(std['upper'].iloc[0], 1)}"
                                 if len(std) and pd.notna(std["lower"].iloc[0]) else ""),
                "Status": status_label(first["status"]), "Source": source_titles(first["source_id"], titles),
                "Period": str(first["period"]),
                "Note": " ".join(dict.fromkeys(str(n) for n in mine["note"].dropna() if str(n))),
            })
    return pd.DataFrame(rows)


def _caveats(view: OutcomeView, sources: pd.DataFrame) -> list[str]:
    notes = [f"There is no figure for each borough: NHS England publishes these figures for integrated care boards, "
             f"and {view.place} is one sub-ICB area in this source, so its eight boroughs cannot be told apart.",
             "Counts are shown as NHS England publishes them: below England level they are rounded to the nearest 5. "
             "Ratios between groups are worked out by this dashboard from the published crude rates."]
    if share := unknown_share(view, view.focus):
        notes.append(f"Ethnicity was not known or not stated for {fmt_number(share[0])} of {fmt_number(share[1])} "
                     f"{view.words.events} in {view.place} ({fmt_percent(100 * share[0] / share[1], 1)}); they are "
                     "counted in no group's rate.")
    notes += [str(n) for n in view.rows.loc[(view.rows["area_code"] == NATIONAL)
                                                                   & (view.rows["group"] == "all"), "note"].dropna() if n]
    notes += [f"About the copy: {n}" for n in sources.loc[sources["source_id"].isin(source_ids(view.rows["source_id"])),
                                                           "note"].dropna() if n]
    return notes


def outcome_card(outcomes: pd.DataFrame, ethnic_groups: pd.DataFrame, sources: pd.DataFrame,
                 measure: str = DEFAULT_MEASURE, focus: str = FOCUS) -> ChartCard | None:
    view = prepare(outcomes, ethnic_groups, measure, focus)
    if view is None:
        return None
    groups, series = _series(view)
    sentence = outcome_sentence(view)
    return ChartCard(
        key=f"outcomes-{measure}-{focus}", title=outcome_title(view),
        subtitle=(f"{view.rows['measure_name'].iloc[0]} per 100,000 residents (crude rate), by ethnic group: "
                  f"{view.areas[view.focus]} beside {COMPARATORS}, {view.period_short}"),
        figure=rate_dots(groups, series, f"{view.words.events.capitalize()} per 100,000 residents<br>(crude rate)",
                         "per 100,000"),
        alt=(f"Dot chart: one row per ethnic group, {view.words.events} per 100,000 residents across, a marker for each "
             f"of {join_words(list(view.areas.values()))}; {view.areas[view.focus]} as large blue circles. {sentence}"),
        sentence=sentence, table=outcome_table(view, title_map(sources)),
        definition=view.words.definition,
        sources=sources_for(source_ids(view.rows["source_id"]), sources),
        period=view.period, caveats=_caveats(view, sources),
    )


def outcome_summary(card: ChartCard) -> str:
    """The overview's line under the card's finding (Markdown, text escaped): where the figures come from and when."""
    sources = "; ".join(f"{s.publisher}, {s.title}" if s.publisher else s.title for s in card.sources)
    return plain(f"Crude rates per 100,000 residents worked out by the publisher; the ratio by this dashboard. "
                 f"Source: {sources}. Period: {card.period}.")
