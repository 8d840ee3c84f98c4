"""WRES indicator 9: the board's global-majority share minus the whole workforce's. One organisation over the
years with England; or, for the system, each trust in one year with the system and England."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import (
    NATIONAL_COLOUR,
    NO_NATIONAL,
    NOT_PUBLISHED,
    indicator_info,
    is_true,
    number,
    panel_title,
    place_name,
    points,
    title_map,
    withheld,
)
from components.charts.palette import SERIES_COLOURS
from components.charts.panels import Marks, RowLabel, hollow
from components.charts.trend import GapSeries, board_gap_trend_figure
from components.charts.wres import Key, board_gap_dots_figure
from components.words import (
    cap_first,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_signed,
    k_of_n,
    lower_first,
    round_half_up,
    source_ids,
    source_titles,
    status_label,
    year_span,
)
from data.derive import NATIONAL, SYSTEM, board_gap
from data.suppression import SUPPRESSED_LABEL

DISADVANTAGE = "Below zero: the board is less diverse than the workforce"
TABLE_COLUMNS = ["Organisation", "Year", "Board minus workforce (points)", "Status", "Source", "Period"]


def _gap_words(gap: float) -> str:
    n = round_half_up(gap)
    if n == 0:
        return "the board matches the workforce"
    return f"the board is {points(n)} {'less' if n < 0 else 'more'} diverse than the workforce"


def _board_rows(gaps: pd.DataFrame, names: Mapping[str, str], titles: Mapping[str, str]) -> list[dict]:
    return [{"Organisation": place_name(names, str(r["ods_code"])), "Year": str(int(r["year"])),
             "Board minus workforce (points)": SUPPRESSED_LABEL if is_true(r["suppressed"]) else fmt_signed(float(r['value']), 1),
             "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles),
             "Period": f"{int(r['year'])} (see the representation table for each figure's date)"}
            for _, r in gaps.iterrows()]


def _definition(info: Mapping[str, str]) -> str:
    return f"Indicator 9: {info['definition']} Disadvantage when: {lower_first(info['disadvantage_when'])}."


# --- one organisation over the years ----------------------------------------------------------------

@dataclass
class GapRows:
    org: str
    place: str
    mine: pd.DataFrame      # the organisation's gaps by year
    nat: pd.DataFrame       # England's drawn gaps by year (none when the organisation is England)
    drawn: pd.Series

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.mine["year"]} | {int(y) for y in self.nat["year"]})


def prepare(shares: pd.DataFrame, org: str, names: Mapping[str, str]) -> GapRows | None:
    gaps = board_gap(shares)
    mine = gaps[gaps["ods_code"] == org].sort_values("year")
    if mine.empty:
        return None
    nat = gaps[(gaps["ods_code"] == NATIONAL) & ~gaps["suppressed"].astype(bool) & gaps["value"].notna()].sort_values("year")
    if org == NATIONAL:
        nat = nat.iloc[0:0]
    return GapRows(org, place_name(names, org), mine, nat, ~mine["suppressed"].astype(bool) & mine["value"].notna())


def _trend_figure(p: GapRows, names: Mapping[str, str]):
    return board_gap_trend_figure(GapSeries(
        p.place, [int(y) for y in p.mine["year"]],
        [float(v) if ok else None for v, ok in zip(p.mine["value"], p.drawn, strict=True)], list(p.mine["status"].astype(str)),
        place_name(names, NATIONAL), [int(y) for y in p.nat["year"]], [float(v) for v in p.nat["value"]],
        list(p.nat["status"].astype(str)), NATIONAL_COLOUR))


def _title_and_sentence(p: GapRows, shares: pd.DataFrame, year: int | None) -> tuple[str, str]:
    mine, org, place = p.mine, p.org, p.place
    pick = mine[mine["year"] == int(year)] if year is not None else mine.iloc[0:0]
    target = pick.iloc[0] if not pick.empty else mine.iloc[-1]
    ty = int(target["year"])
    boards = "the five NEL trusts' boards together" if org == SYSTEM else f"{place}'s board"
    if withheld(target):
        title = f"{place}: the {ty} board comparison is withheld ({SUPPRESSED_LABEL} people)"
        sentence = f"The {ty} comparison of {boards} with the workforce is withheld because a count involves {SUPPRESSED_LABEL} people."
        last_ok = mine[p.drawn]
        if not last_ok.empty:
            r = last_ok.iloc[-1]
            sentence += f" The latest figure shown is {int(r['year'])}: {_gap_words(float(r['value']))}."
    else:
        board = shares[(shares["ods_code"] == org) & (shares["staff_group"] == "board") & (shares["year"] == ty)]
        staff = shares[(shares["ods_code"] == org) & (shares["staff_group"] == "all_staff") & (shares["year"] == ty)]
        b, s = float(board["share"].iloc[0]), float(staff["share"].iloc[0])
        gap = round_half_up(b) - round_half_up(s)
        title = finding_title(
            f"{place}: the board's global-majority share was {points(gap)} {'below' if gap < 0 else 'above'} "
            f"the workforce's in {ty}" if gap else f"{place}: the board matched the workforce in {ty}",
            [*board["status"], *staff["status"]])
        sentence = (f"In {ty}, {fmt_percent(b)} of {boards} were from the global majority, against {fmt_percent(s)} "
                    f"of the whole workforce: {_gap_words(gap)}.")
        total = number(board["total_headcount"].iloc[0])
        if total and org != SYSTEM:
            sentence += f" With {fmt_number(total)} voting members, one person is about {fmt_number(100 / total)} points of the board."
    nat_row = p.nat[p.nat["year"] <= ty].tail(1)
    if org != NATIONAL:
        sentence += (f" England: {_gap_words(float(nat_row['value'].iloc[0]))} ({int(nat_row['year'].iloc[0])})."
                     if not nat_row.empty else f" {cap_first(NO_NATIONAL)}.")
    return title, sentence


def _trend_card(p: GapRows, shares: pd.DataFrame, names: Mapping[str, str], sources: pd.DataFrame,
                meta: pd.DataFrame | None, year: int | None) -> ChartCard:
    info = indicator_info(meta, 9) if meta is not None else {"definition": "", "disadvantage_when": DISADVANTAGE}
    title, sentence = _title_and_sentence(p, shares, year)
    titles = title_map(sources)
    years = p.years
    ids = source_ids(p.mine["source_id"]) + source_ids(p.nat["source_id"]) + ["wres-indicators"]
    return ChartCard(
        key=f"wres-board-{p.org}", title=title,
        subtitle=f"WRES indicator 9: board minus whole-workforce global-majority share, {p.place}, {year_span(years[0], years[-1])}",
        figure=_trend_figure(p, names),
        alt=(f"Line chart of the difference between the board's and the whole workforce's global-majority share at {p.place}, "
             f"by year, with a line at zero" + (" and England as diamonds" if not p.nat.empty else "") + f". {sentence}"),
        sentence=sentence, table=pd.DataFrame(_board_rows(p.mine, names, titles) + _board_rows(p.nat, names, titles)),
        definition=_definition(info), sources=sources_for(ids, sources), period=year_span(years[0], years[-1]),
        caveats=["Boards are small: one appointment can move the share by several points.",
                 "A year is withheld when the board's or the workforce's count involves fewer than 5 people."],
    )


# --- each trust in one year -------------------------------------------------------------------------

def _latest_by_org(gaps: pd.DataFrame, codes: Sequence[str], year: int) -> list[tuple[str, pd.Series | None]]:
    """Each organisation's gap in ``year`` (England's: its latest up to ``year``), None when there is none."""
    out: list[tuple[str, pd.Series | None]] = []
    for code in codes:
        sub = gaps[(gaps["ods_code"] == code) & ((gaps["year"] <= year) if code == NATIONAL else (gaps["year"] == year))]
        out.append((code, None if sub.empty else sub.sort_values("year").iloc[-1]))
    return out


def _dots_figure(entries: list[tuple[str, pd.Series | None]], names: Mapping[str, str], year: int, title: str):
    marks, labels, statuses = Marks("Board minus workforce"), [], []
    for j, (code, r) in enumerate(entries):
        label, ypos = place_name(names, code), len(entries) - 1 - j
        if r is None:
            labels.append(RowLabel(1, ypos, f"{label}: {NO_NATIONAL if code == NATIONAL else NOT_PUBLISHED}"))
            continue
        if withheld(r):
            labels.append(RowLabel(1, ypos, f"{label}: withheld ({SUPPRESSED_LABEL})"))
            continue
        v = float(r["value"])
        when = f" in {int(r['year'])}" if int(r["year"]) != year else ""
        labels.append(RowLabel(1, ypos, f"{label}: <b>{fmt_points(v, 0)}</b>{when}"))
        marks.add(v, ypos, hollow("diamond" if code == NATIONAL else "circle", str(r["status"])),
                  NATIONAL_COLOUR if code == NATIONAL else SERIES_COLOURS[j % len(SERIES_COLOURS)],
                  f"{label}, {int(r['year'])}: {fmt_points(v, 1)}<br>{status_label(r['status'])}")
        statuses.append(str(r["status"]))
    return board_gap_dots_figure(title, len(entries), marks, labels, Key(place_name(names, NATIONAL), "diamond", NATIONAL_COLOUR),
                                 statuses)


def _by_org_title(used: list[pd.Series], orgs: Sequence[str], year: int) -> str:
    own = [r for r in used if str(r["ods_code"]) in orgs]
    drawn = [r for r in own if not withheld(r)]
    if not drawn:
        return f"WRES {year}: every trust's board figure is withheld or {NOT_PUBLISHED}"
    below = sum(round_half_up(float(r["value"])) < 0 for r in drawn)
    n_withheld = len(own) - len(drawn)
    return finding_title(
        f"WRES {year}: the board was less diverse than the workforce at {k_of_n(below, len(drawn), 'trust')} with figures"
        + (f" ({n_withheld} withheld)" if n_withheld else ""), [str(r["status"]) for r in used if not withheld(r)])


def _by_org_card(shares: pd.DataFrame, place_org: str, orgs: list[str], names: Mapping[str, str], sources: pd.DataFrame,
                 meta: pd.DataFrame | None, year: int) -> ChartCard | None:
    gaps = board_gap(shares)
    codes = orgs + [c for c in (place_org, NATIONAL) if c not in orgs]
    if gaps[gaps["ods_code"].isin(orgs) & (gaps["year"] == year)].empty:
        return None
    place = place_name(names, place_org)
    info = indicator_info(meta, 9) if meta is not None else {"short_name": "Board representation", "definition": "",
                                                             "disadvantage_when": DISADVANTAGE}
    entries = _latest_by_org(gaps, codes, year)
    used = [r for _, r in entries if r is not None]
    title = _by_org_title(used, orgs, year)
    sentence = title + ". Each point is the board's global-majority share minus the whole workforce's, in percentage points."
    table = (pd.DataFrame(_board_rows(pd.DataFrame(used), names, title_map(sources))) if used
             else pd.DataFrame(columns=TABLE_COLUMNS))
    ids = source_ids(r["source_id"] for r in used) + ["wres-indicators"]
    return ChartCard(
        key=f"wres-board-{place_org}-{year}", title=title,
        subtitle=f"WRES indicator 9: board minus whole-workforce global-majority share, {place}, WRES {year}, with England",
        figure=_dots_figure(entries, names, year, panel_title(9, info)),
        alt=f"Dot chart with a row for each of {', '.join(place_name(names, c) for c in codes)} and a line at zero. {sentence}",
        sentence=sentence, table=table, definition=_definition(info),
        sources=sources_for(ids, sources), period=f"WRES {year} (England: latest year up to {year} in this dashboard)",
        caveats=["Boards are small: one appointment can move the share by several points.",
                 "A figure is withheld when the board's or the workforce's count involves fewer than 5 people."],
    )


def board_gap_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame,
                   meta: pd.DataFrame | None = None, year: int | None = None,
                   orgs: Sequence[str] | None = None) -> ChartCard | None:
    """WRES indicator 9: board share minus whole-workforce share. One organisation: over the years, with
    England. Several (the system view): each trust in ``year``, with the system and England."""
    if orgs and len(orgs) > 1 and year is not None:
        return _by_org_card(shares, org, list(orgs), names, sources, meta, int(year))
    p = prepare(shares, org, names)
    return None if p is None else _trend_card(p, shares, names, sources, meta, year)
