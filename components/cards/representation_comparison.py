"""Representation compared (trust profile): the latest global-majority share of each staff group for an
organisation beside the NEL system and England."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import (
    NATIONAL_COLOUR,
    NO_NATIONAL,
    NOT_PUBLISHED,
    SHORT_GROUPS,
    is_true,
    number,
    place_name,
    title_map,
    withheld,
)
from components.charts.palette import SERIES_COLOURS
from components.charts.panels import Marks, RowLabel, hollow
from components.charts.wres import Key, comparison_figure
from components.words import (
    cap_first,
    fmt_number,
    fmt_percent,
    join_words,
    lower_first,
    source_ids,
    source_titles,
    status_label,
    year_span,
)
from data.derive import NATIONAL, SYSTEM, latest_row
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import SUPPRESSED_LABEL

SYMBOLS = ("circle", "square", "diamond")
SHAPES = ("circles", "squares", "diamonds")  # SYMBOLS in words, for the alt text


@dataclass
class ComparisonRows:
    """Each organisation's latest row per staff group (missing when it has none), in the groups' order."""
    org: str
    place: str
    orgs: list[str]
    order: list[str]
    glabels: dict[str, str]
    latest_by: dict[tuple[str, str], pd.Series] = field(default_factory=dict)

    def name(self, group: str) -> str:
        return SHORT_GROUPS.get(group, self.glabels[group])


def prepare(shares: pd.DataFrame, org: str, names: Mapping[str, str], comparators: Sequence[str]) -> ComparisonRows | None:
    if shares[shares["ods_code"] == org].empty:
        return None
    groups = shares[["staff_group", "group_label", "sort_order"]].drop_duplicates("staff_group").sort_values("sort_order")
    glabels = dict(zip(groups["staff_group"].astype(str), groups["group_label"].astype(str), strict=True))
    p = ComparisonRows(org, place_name(names, org), [org] + [c for c in comparators if c != org], list(glabels), glabels)
    for code in p.orgs:
        sub = shares[shares["ods_code"] == code]
        for group in p.order:
            g = sub[sub["staff_group"] == group]
            if not g.empty:
                p.latest_by[(code, group)] = latest_row(g)
    return p


def _figure(p: ComparisonRows, names: Mapping[str, str]):
    ypos_of = {g: len(p.order) - 1 - k for k, g in enumerate(p.order)}
    series, statuses = [], []
    for i, code in enumerate(p.orgs):
        marks = Marks(place_name(names, code))
        colour = NATIONAL_COLOUR if code == NATIONAL else SERIES_COLOURS[i % len(SERIES_COLOURS)]
        for group in p.order:
            r = p.latest_by.get((code, group))
            if r is None or withheld(r, "share"):
                continue
            marks.add(float(r["share"]), ypos_of[group], hollow(SYMBOLS[i % 3], str(r["status"])), colour,
                      f"{marks.name}, {p.glabels[group]}, {int(r['year'])}: {fmt_percent(float(r['share']), 1)}<br>"
                      f"{status_label(r['status'])}")
            statuses.append(str(r["status"]))
        series.append((marks, Key(marks.name, SYMBOLS[i % 3], colour)))
    labels = []
    for group in p.order:
        r = p.latest_by.get((p.org, group))
        head = cap_first(p.name(group).removeprefix("the "))
        if r is None:
            text = f"{head}: {p.place} {NOT_PUBLISHED}"
        elif withheld(r, "share"):
            text = f"{head}: {p.place} withheld ({SUPPRESSED_LABEL})"
        else:
            text = f"{head}: {p.place} <b>{fmt_percent(float(r['share']))}</b> ({int(r['year'])})"
        labels.append(RowLabel(1, ypos_of[group], text))
    return comparison_figure(len(p.order), series, labels, statuses)


def _table(p: ComparisonRows, names: Mapping[str, str], titles: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for code in p.orgs:
        for group in p.order:
            base = {"Organisation": place_name(names, code), "Staff group": p.glabels[group]}
            r = p.latest_by.get((code, group))
            if r is None:
                rows.append({**base, "Year": "", "Global-majority share (%)": NOT_PUBLISHED, "Status": "", "Source": "", "Period": ""})
                continue
            share = SUPPRESSED_LABEL if is_true(r["suppressed"]) else (fmt_number(number(r["share"]), 1, missing="") or NOT_PUBLISHED)
            rows.append({**base, "Year": str(int(r["year"])), "Global-majority share (%)": share,
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles),
                         "Period": str(r["period"])})
    return pd.DataFrame(rows)


def _title(p: ComparisonRows) -> str:
    own = [(g, p.latest_by[(p.org, g)]) for g in p.order if (p.org, g) in p.latest_by and not withheld(p.latest_by[(p.org, g)], "share")]
    if not own:
        return f"{p.place}: every representation figure is withheld or {NOT_PUBLISHED}"
    hi = max(own, key=lambda t: float(t[1]["share"]))
    lo = min(own, key=lambda t: float(t[1]["share"]))
    if len(own) == 1:  # one group: no range to give
        return finding_title(f"{p.place}: the global-majority share of {lower_first(p.name(lo[0]))} is "
                             f"{fmt_percent(float(lo[1]['share']))}", [lo[1]["status"]])
    return finding_title(
        f"{p.place}: the global-majority share ranges from {fmt_percent(float(lo[1]['share']))} ({p.name(lo[0])}) "
        f"to {fmt_percent(float(hi[1]['share']))} ({p.name(hi[0])})", [lo[1]["status"], hi[1]["status"]])


def _group_words(p: ComparisonRows, group: str, r: pd.Series, names: Mapping[str, str], missing: dict[str, list[str]]) -> str:
    if withheld(r, "share"):
        return f"{p.glabels[group]}: {p.place} withheld ({SUPPRESSED_LABEL}) in {int(r['year'])}"
    line = f"{p.glabels[group]}: {p.place} {fmt_percent(float(r['share']))} ({int(r['year'])})"
    for code in p.orgs[1:]:
        c = p.latest_by.get((code, group))
        if c is None:
            missing.setdefault(code, []).append(p.name(group))
        elif withheld(c, "share"):
            line += f", {place_name(names, code)} withheld ({SUPPRESSED_LABEL})"
        else:
            line += f", {place_name(names, code)} {fmt_percent(float(c['share']))} ({int(c['year'])})"
    return line


def _sentence(p: ComparisonRows, title: str, names: Mapping[str, str]) -> str:
    bits: list[str] = []
    missing: dict[str, list[str]] = {}
    for group in p.order:
        r = p.latest_by.get((p.org, group))
        if r is not None:
            bits.append(_group_words(p, group, r, names, missing))
    sentence = ("Latest global-majority share of each staff group. " + "; ".join(bits) + ".") if bits else title + "."
    for code, groups_missing in missing.items():
        what = NO_NATIONAL if code == NATIONAL else NOT_PUBLISHED
        sentence += f" {place_name(names, code)} for {', '.join(groups_missing)}: {what}."
    return sentence


def _series_words(p: ComparisonRows, code: str) -> list[str]:
    """Each marker drawn for one organisation, in the rows' order ('all staff 60% (2023)')."""
    words = []
    for group in p.order:
        r = p.latest_by.get((code, group))
        if r is not None and not withheld(r, "share"):
            when = f"{int(r['year'])}, illustrative" if str(r["status"]) == "illustrative" else str(int(r["year"]))
            words.append(f"{p.name(group).removeprefix('the ')} {fmt_percent(float(r['share']))} ({when})")
    return words


def _alt(p: ComparisonRows, names: Mapping[str, str]) -> str:
    """The chart's name: every marker drawn, by organisation, and the rows that have no marker for the trust, as
    the chart's own labels say. Not the sentence printed under the chart, which a screen reader reads anyway."""
    parts = []
    for i, code in enumerate(p.orgs):
        words = _series_words(p, code)
        parts.append(f"{place_name(names, code)} ({SHAPES[i % 3]}): {join_words(words) if words else 'no marker'}")
    unmarked: dict[str, list[str]] = {"withheld": [], "missing": []}
    for group in p.order:
        r = p.latest_by.get((p.org, group))
        if r is None or withheld(r, "share"):
            unmarked["missing" if r is None else "withheld"].append(p.name(group).removeprefix("the "))
    for kind, what in (("missing", NOT_PUBLISHED), ("withheld", f"withheld ({SUPPRESSED_LABEL})")):
        if unmarked[kind]:
            figures = "figure" if len(unmarked[kind]) == 1 else "figures"
            parts.append(f"{p.place}'s {join_words(unmarked[kind])} {figures}: {what}")
    return ("Dot chart of the latest global-majority share of each staff group, one row per group, 0 to 100%. "
            + ". ".join(parts) + ".")


def representation_comparison_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame,
                                   comparators: Sequence[str] = (SYSTEM, NATIONAL)) -> ChartCard | None:
    """The latest share of each staff group for an organisation beside the NEL system and England."""
    p = prepare(shares, org, names, comparators)
    if p is None:
        return None
    title = _title(p)
    sentence = _sentence(p, title, names)
    ids = source_ids(r["source_id"] for r in p.latest_by.values())
    years = sorted({int(r["year"]) for r in p.latest_by.values()})
    period = f"Latest year for each organisation and group ({year_span(years[0], years[-1])})" if years else ""
    others = [place_name(names, c) for c in p.orgs[1:]]
    return ChartCard(
        key=f"representation-compare-{org}", title=title,
        subtitle=f"Global-majority share by staff group: {p.place} compared with " + " and ".join(others),
        figure=_figure(p, names),
        alt=_alt(p, names),
        sentence=sentence, table=_table(p, names, title_map(sources)),
        definition="WRES indicator 1 in the latest year available for each organisation. " + GLOBAL_MAJORITY_DEFINITION,
        sources=sources_for(ids, sources), period=period,
        caveats=["Years can differ between organisations: each marker is that organisation's latest figure (see the table).",
                 "England figures are national averages across all NHS trusts, where this dashboard has them."],
    )
