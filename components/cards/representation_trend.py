"""WRES indicator 1 over time: the global-majority share of each staff group, with the whole workforce and the
residents served as reference lines, and one group described in words."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import (
    DEFAULT_FOCUS,
    NOT_PUBLISHED,
    SHORT_GROUPS,
    compare_words,
    is_true,
    number,
    place_name,
    points,
    served,
    title_map,
    whose,
)
from components.charts.trend import Line, Reference, share_trend_figure
from components.words import (
    cap_first,
    fmt_number,
    fmt_percent,
    plural,
    round_half_up,
    source_ids,
    source_titles,
    status_label,
    trend_sentence,
    year_span,
)
from data.derive import SYSTEM, latest_row
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import SUPPRESSED_LABEL

GROUP_PHRASES = {
    "all_staff": "Across all staff",
    "bands_1_4": "In Agenda for Change bands 1 to 4",
    "bands_5_7": "In Agenda for Change bands 5 to 7",
    "band_8a_plus": "At band 8a and above",
    "vsm": "Among very senior managers",
    "board": "On the board",
}
NOT_APPLICABLE = "not applicable (residents)"
PERCENT_ONLY = "not published (percentage only)"


def latest_drawn(frame: pd.DataFrame):
    return latest_row(frame[~frame["suppressed"].astype(bool) & frame["share"].notna()])


def representation_gap_sentence(shares: pd.DataFrame, org: str, names: Mapping[str, str], focus: str,
                                residents: Mapping | None = None) -> str:
    """'At band 8a and above, 40% of Barts Health staff were from the global majority in 2024, 23 points below ...'"""
    mine = shares[shares["ods_code"] == org]
    place = place_name(names, org)
    g = mine[mine["staff_group"] == focus]
    label = SHORT_GROUPS.get(focus, focus)
    if g.empty:
        return f"Figures for {label} at {place}: not in this dashboard yet."
    last = latest_drawn(g)
    latest_year = int(g["year"].max())
    withheld_latest = bool(g.loc[g["year"] == latest_year, "suppressed"].astype(bool).any())
    note = (f" The {latest_year} figure is withheld because it involves {SUPPRESSED_LABEL} people." if withheld_latest else "")
    if last is None:
        return f"Every figure for {label} at {place} is withheld because it involves {SUPPRESSED_LABEL} people."
    value, year = float(last["share"]), int(last["year"])
    lead = GROUP_PHRASES.get(focus, f"In the group {label}")
    who = f"{place}'s voting members" if focus == "board" else f"{place} staff"
    parts = [f"{lead}, {fmt_percent(value)} of {who} were from the global majority in {year}"]
    whole = latest_drawn(mine[mine["staff_group"] == "all_staff"])
    if whole is not None and focus != "all_staff":
        parts.append(compare_words(value, float(whole["share"]), f"{whose(org)} whole workforce",
                                   f"{fmt_percent(float(whole['share']))} in {int(whole['year'])}"))
    if residents and number(residents.get("value")) is not None:
        parts.append(compare_words(value, float(residents["value"]), served(org),
                                   f"{fmt_percent(float(residents['value']))}, {residents.get('period', 'Census 2021')}"))
    text = parts[0] + (", " + " and ".join(parts[1:]) if len(parts) > 1 else "") + "."
    return text + note


@dataclass
class TrendRows:
    """The organisation's rows by staff group and year, the group described, and the reference values."""
    org: str
    place: str
    mine: pd.DataFrame
    groups: list[str]
    labels: dict[str, str]
    focus: str
    whole: pd.Series | None
    residents: Mapping | None
    res_value: float | None

    def short(self, group: str) -> str:
        return SHORT_GROUPS.get(group, self.labels[group])


def prepare(shares: pd.DataFrame, org: str, names: Mapping[str, str], residents: Mapping | None,
            focus: str | None) -> TrendRows | None:
    mine = shares[shares["ods_code"] == org].sort_values(["sort_order", "year"])
    if mine.empty:
        return None
    groups = list(dict.fromkeys(mine["staff_group"].astype(str)))
    focus = focus if focus in groups else (DEFAULT_FOCUS if DEFAULT_FOCUS in groups else groups[-1])
    labels = dict(zip(mine["staff_group"].astype(str), mine["group_label"].astype(str), strict=True))
    whole = latest_drawn(mine[mine["staff_group"] == "all_staff"])
    res_value = number(residents.get("value")) if residents else None
    return TrendRows(org, place_name(names, org), mine, groups, labels, str(focus), whole, residents, res_value)


def _lines(p: TrendRows) -> list[Line]:
    out = []
    for group in p.groups:
        g = p.mine[p.mine["staff_group"] == group].sort_values("year")
        drawn = ~g["suppressed"].astype(bool) & g["share"].notna()
        is_focus = group == p.focus
        key = cap_first(p.short(group).removeprefix("the ")) + (" (described below)" if is_focus else "")
        out.append(Line(p.labels[group], key, [int(v) for v in g["year"]],
                        [float(v) if ok else None for v, ok in zip(g["share"], drawn, strict=True)],
                        list(g["status"].astype(str)), is_focus))
    return out


def _references(p: TrendRows) -> list[Reference]:
    refs = []
    if p.whole is not None:
        refs.append(Reference("workforce", float(p.whole["share"]),
                              f"Reference: whole workforce {int(p.whole['year'])}: {fmt_percent(float(p.whole['share']))}",
                              str(p.whole["status"])))
    if p.res_value is not None and p.residents is not None:
        refs.append(Reference("residents", p.res_value,
                              f"Reference: {'residents of NEL' if p.org == SYSTEM else 'residents served'},<br>"
                              f"{p.residents.get('period', 'Census 2021')}: {fmt_percent(p.res_value)}",
                              str(p.residents.get("status", "published"))))
    return refs


def _figure(p: TrendRows, years: list[int]):
    refs = _references(p)
    top = max([float(v) for v in p.mine["share"].dropna()] + [r.value for r in refs] + [10])
    return share_trend_figure(_lines(p), refs, p.mine.loc[~p.mine["suppressed"].astype(bool), "status"], years, top)


def _sentence(p: TrendRows, shares: pd.DataFrame, names: Mapping[str, str]) -> str:
    sentence = representation_gap_sentence(shares, p.org, names, p.focus, p.residents)
    ordered = p.mine[p.mine["staff_group"] == p.focus].sort_values("year")
    drawn_focus = ordered[~ordered["suppressed"].astype(bool) & ordered["share"].notna()]
    if len(drawn_focus) > 1:
        sentence += " " + trend_sentence(f"the share in {p.short(p.focus)}", drawn_focus["year"], drawn_focus["share"].astype(float))
    return sentence


def _title(p: TrendRows) -> str:
    last = latest_drawn(p.mine[p.mine["staff_group"] == p.focus])
    group = p.short(p.focus)
    if last is not None and p.whole is not None and p.focus != "all_staff":
        gap = round_half_up(float(last["share"])) - round_half_up(float(p.whole["share"]))
        where = "below" if gap < 0 else "above"
        title = (f"{p.place}: {group} is {points(gap)} {where} the whole workforce"
                 if gap else f"{p.place}: {group} matches the whole workforce")
        return finding_title(title, [last["status"], p.whole["status"]])
    if last is not None:
        return finding_title(f"{p.place}: {fmt_percent(float(last['share']))} of {group} "
                             f"are from the global majority ({int(last['year'])})", [last["status"]])
    return f"{p.place}: figures for {group} are withheld"


def _share_row(r, names: Mapping[str, str], titles: Mapping[str, str]) -> dict:
    gm, total = number(r.get("gm_headcount")), number(r.get("total_headcount"))
    if is_true(r["suppressed"]):
        share_s, gm_s = SUPPRESSED_LABEL, SUPPRESSED_LABEL
    else:
        share_s = fmt_number(number(r["share"]), 1, missing="") or NOT_PUBLISHED
        gm_s = fmt_number(gm) if gm is not None else PERCENT_ONLY
    return {
        "Organisation": place_name(names, str(r["ods_code"])), "Staff group": str(r["group_label"]),
        "Year": str(int(r["year"])), "Global-majority share (%)": share_s, "Global-majority staff": gm_s,
        "All staff in the group": fmt_number(total) if total is not None else PERCENT_ONLY,
        "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles), "Period": str(r["period"]),
    }


def _table(p: TrendRows, names: Mapping[str, str], titles: Mapping[str, str]) -> pd.DataFrame:
    rows = [_share_row(r, names, titles) for _, r in p.mine.iterrows()]
    if p.whole is not None:
        rows.append({**_share_row(p.whole, names, titles), "Staff group": "Reference: whole workforce (latest)"})
    if p.res_value is not None and p.residents is not None:
        rows.append({"Organisation": p.place, "Staff group": f"Reference: {served(p.org)}", "Year": "2021",
                     "Global-majority share (%)": fmt_number(p.res_value, 1), "Global-majority staff": NOT_APPLICABLE,
                     "All staff in the group": NOT_APPLICABLE,
                     "Status": status_label(p.residents.get("status", "published")),
                     "Source": source_titles(p.residents.get("source_id", ""), titles),
                     "Period": str(p.residents.get("period", "Census 2021"))})
    return pd.DataFrame(rows)


def _caveats(p: TrendRows) -> list[str]:
    mine = p.mine
    caveats = []
    if (mine["status"].astype(str) == "illustrative").any() or (p.residents or {}).get("status") == "illustrative":
        caveats.append("Illustrative values are drawn as hollow markers; reference lines are dotted when illustrative.")
    if (mine.get("derived", pd.Series(False, index=mine.index)).astype(bool)).any():
        caveats.append("System figures are the sum of the five NEL trusts' headcounts; a year is left out when a trust "
                       "published only a percentage, and a share is withheld when any trust's count is.")
    n_withheld = int(mine["suppressed"].astype(bool).sum())
    if n_withheld:
        caveats.append(f"{n_withheld} value(s) withheld (fewer than 5 people) are left as gaps in the lines.")
    caveats.append("Some published figures use a different date or rounding from the 31 March headcount; see each row's Period.")
    return caveats


def _definition(staff_groups: pd.DataFrame | None) -> str:
    definition = ("WRES indicator 1: the percentage of each staff group who are from the global majority, with the whole "
                  "workforce and the residents served as reference lines. " + GLOBAL_MAJORITY_DEFINITION)
    if staff_groups is not None:
        groups = staff_groups.sort_values("sort_order")
        definition += " Staff groups: " + "; ".join(f"{r['label']}: {r['definition']}" for _, r in groups.iterrows())
    return definition


def _alt(p: TrendRows, years: list[int], sentence: str) -> str:
    ref_words = []
    if p.whole is not None:
        ref_words.append(f"whole workforce {fmt_percent(float(p.whole['share']))}")
    if p.res_value is not None:
        ref_words.append(f"residents served {fmt_percent(p.res_value)}")
    lines = "one line per group" if len(p.groups) > 1 else "one line"
    refs = f", with reference lines for the {' and the '.join(ref_words)}" if ref_words else ""
    return (f"Line chart: the global-majority share of {plural(len(p.groups), 'staff group')} at {p.place}, "
            f"{year_span(min(years), max(years))}, {lines}{refs}. {sentence}")


def groups_for(shares: pd.DataFrame, org: str) -> list[str]:
    """The staff groups the card can describe for an organisation (those with rows), in the package's order."""
    mine = shares[shares["ods_code"] == org].sort_values(["sort_order", "year"])
    return list(dict.fromkeys(mine["staff_group"].astype(str)))


def shown_focus(shares: pd.DataFrame, org: str, focus: str | None) -> str | None:
    """The staff group the card describes for this request (another when the one asked for has no figures)."""
    p = prepare(shares, org, {}, None, focus)
    return None if p is None else p.focus


def representation_trend_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame, *,
                              residents: Mapping | None = None, focus: str | None = None,
                              staff_groups: pd.DataFrame | None = None) -> ChartCard | None:
    """WRES indicator 1: the global-majority share of each staff group over the years, with the
    whole-workforce and residents reference lines."""
    p = prepare(shares, org, names, residents, focus)
    if p is None:
        return None
    years = sorted(int(y) for y in p.mine["year"].unique())
    sentence = _sentence(p, shares, names)
    ids = source_ids(p.mine["source_id"]) + (source_ids([residents.get("source_id", "")]) if residents and p.res_value is not None else [])
    first, last_year = min(years), max(years)
    return ChartCard(
        key=f"representation-trend-{org}", title=_title(p),
        subtitle=f"Global-majority share of each staff group, {p.place}, {year_span(first, last_year)}",
        figure=_figure(p, years), alt=_alt(p, years, sentence), sentence=sentence, table=_table(p, names, title_map(sources)),
        definition=_definition(staff_groups), sources=sources_for(ids, sources),
        period=f"{year_span(first, last_year)} (31 March each year unless stated); residents: Census 2021", caveats=_caveats(p),
    )
