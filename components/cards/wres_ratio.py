"""WRES indicators 2 to 4: relative likelihoods against 1.0, with the neutral 0.8 to 1.25 guide band, 95%
intervals and England beside."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import (
    BAND_HIGH,
    BAND_LABEL,
    BAND_LOW,
    NATIONAL_COLOUR,
    NO_NATIONAL,
    NOT_PUBLISHED,
    RATIO_INDICATORS,
    indicator_definitions,
    indicator_info,
    is_true,
    number,
    panel_title,
    place_name,
    title_map,
    withheld,
    wres_rows,
)
from components.charts.palette import SERIES_COLOURS
from components.charts.panels import Marks, RowLabel, hollow
from components.charts.wres import Key, RatioPanel, ratio_figure
from components.words import cap_first, fmt_number, k_of_n, round_half_up, source_ids, source_titles, status_label
from data.derive import NATIONAL, latest_national
from data.suppression import SUPPRESSED_LABEL

# How each relative likelihood reads in words (WRES technical guidance; the ratio's direction).
RATIO_PHRASES = {
    2: ("White applicants", "global-majority applicants", "to be appointed from shortlisting"),
    3: ("global-majority staff", "White staff", "to enter the formal disciplinary process"),
    4: ("White staff", "global-majority staff", "to access non-mandatory training"),
}
Entries = list[tuple[str, pd.Series | None]]


@dataclass
class RatioRows:
    """Each indicator's row per organisation (None when not published), England's last."""
    year: int
    place: str
    orgs: list[str]
    infos: dict[int, dict[str, str]]
    entries: dict[int, Entries]


def prepare(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
            place: str | None) -> RatioRows | None:
    found = wres_rows(wres, orgs, year)
    cells = {(ind, org): found.get((org, ind, "comparison")) for ind in RATIO_INDICATORS for org in orgs}
    if all(v is None for v in cells.values()):
        return None
    entries = {ind: [(org, cells[(ind, org)]) for org in orgs]
               + [(NATIONAL, latest_national(wres, year, indicator=ind, group="comparison"))] for ind in RATIO_INDICATORS}
    return RatioRows(year, place or ", ".join(place_name(names, o) for o in orgs), list(orgs),
                     {ind: indicator_info(meta, ind) for ind in RATIO_INDICATORS}, entries)


def _band(value: float) -> str:
    v = round_half_up(value, 2)
    return "above" if v > BAND_HIGH else "below" if v < BAND_LOW else "within"


def _interval(low: float | None, high: float | None, lead: str, end: str = "") -> str:
    return f"{lead}{fmt_number(low, 2)} to {fmt_number(high, 2)}{end}" if low is not None and high is not None else ""


def _drawn(entries: Entries) -> list[tuple[str, pd.Series]]:
    return [(org, r) for org, r in entries if r is not None and not withheld(r)]


def _row_text(label: str, org: str, r: pd.Series | None, year: int) -> str:
    if r is None:
        return f"{label}: {NO_NATIONAL if org == NATIONAL else NOT_PUBLISHED}"
    if withheld(r):
        return f"{label}: withheld ({SUPPRESSED_LABEL})"
    when = f" in {int(r['year'])}" if int(r["year"]) != year else ""
    return f"{label}: <b>{fmt_number(float(r['value']), 2)}</b>{_interval(number(r.get('low')), number(r.get('high')), ' (', ')')}{when}"


def _figure(p: RatioRows, names: Mapping[str, str]):
    panels, labels, statuses, xmax = [], [], [], 2.0
    for k, ind in enumerate(RATIO_INDICATORS, start=1):
        panel, entries = RatioPanel(Marks(f"Indicator {ind}")), p.entries[ind]
        for j, (org, r) in enumerate(entries):
            label = place_name(names, org)
            labels.append(RowLabel(k, len(entries) - 1 - j, _row_text(label, org, r, p.year)))
            if r is None or withheld(r):
                continue
            v, low, high = float(r["value"]), number(r.get("low")), number(r.get("high"))
            panel.marks.add(v, len(entries) - 1 - j, hollow("diamond" if org == NATIONAL else "circle", str(r["status"])),
                            NATIONAL_COLOUR if org == NATIONAL else SERIES_COLOURS[j % len(SERIES_COLOURS)],
                            f"{label}, {int(r['year'])}: {fmt_number(v, 2)}{_interval(low, high, ' (95% interval ', ')')}<br>"
                            f"{status_label(r['status'])}")
            panel.plus.append(high - v if high is not None else None)
            panel.minus.append(v - low if low is not None else None)
            statuses.append(str(r["status"]))
            xmax = max(xmax, v * 1.15, (high or 0) * 1.05)
        panels.append(panel)
    keys = [Key(place_name(names, p.orgs[0]), "circle", SERIES_COLOURS[0])] if len(p.orgs) == 1 else []
    keys.append(Key(place_name(names, NATIONAL), "diamond", NATIONAL_COLOUR))
    return ratio_figure([panel_title(i, p.infos[i]) for i in RATIO_INDICATORS], len(p.orgs) + 1, panels, labels, keys,
                        statuses, xmax, (BAND_LOW, BAND_HIGH, BAND_LABEL))


def _table(p: RatioRows, names: Mapping[str, str], titles: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for ind in RATIO_INDICATORS:
        info = p.infos[ind]
        for org, r in p.entries[ind]:
            base = {"Organisation": place_name(names, org), "Indicator": f"{ind}. {info['short_name']}",
                    "Disadvantage when": info["disadvantage_when"]}
            if r is None:
                rows.append({**base, "Year": "", "Relative likelihood": NO_NATIONAL if org == NATIONAL else NOT_PUBLISHED,
                             "95% interval from": "", "95% interval to": "", "Status": "", "Source": "", "Period": ""})
                continue
            gone = withheld(r)
            rows.append({**base, "Year": str(int(r["year"])),
                         "Relative likelihood": SUPPRESSED_LABEL if is_true(r["suppressed"])
                         else (fmt_number(number(r["value"]), 2, missing="") or NOT_PUBLISHED),
                         "95% interval from": "" if gone else fmt_number(number(r.get("low")), 2, missing=""),
                         "95% interval to": "" if gone else fmt_number(number(r.get("high")), 2, missing=""),
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles),
                         "Period": str(r["period"])})
    return pd.DataFrame(rows)


def _ratio_words(indicator: int, value: float, short_name: str) -> str:
    if indicator in RATIO_PHRASES:
        a, b, what = RATIO_PHRASES[indicator]
        return f"{cap_first(a)} were {fmt_number(value, 2)} times as likely as {b} {what}"
    return f"{short_name}: {fmt_number(value, 2)}"


def _indicator_sentence(ind: int, info: Mapping[str, str], entries: Entries, names: Mapping[str, str]) -> str:
    nat = next((r for o, r in entries if o == NATIONAL), None)
    nat_words = (f"England {fmt_number(float(nat['value']), 2)} in {int(nat['year'])}" if nat is not None and pd.notna(nat["value"])
                 else NO_NATIONAL)
    drawn = [(org, float(r["value"])) for org, r in _drawn(entries) if org != NATIONAL]
    if not drawn:
        return f"{info['short_name']}: {NOT_PUBLISHED} ({nat_words})."
    if len(drawn) == 1:
        r = next(r for org, r in _drawn(entries) if org != NATIONAL)
        v = drawn[0][1]
        ci = _interval(number(r.get("low")), number(r.get("high")), "; 95% interval ")
        return f"{_ratio_words(ind, v, info['short_name'])} ({_band(v)} the guide range{ci}; {nat_words})."
    above = [d for d in drawn if _band(d[1]) == "above"]
    top = max(drawn, key=lambda d: d[1])
    return (f"{info['short_name']}: above the guide range at {k_of_n(len(above), len(drawn), 'trust')}; highest "
            f"{place_name(names, top[0])} ({fmt_number(top[1], 2)}); {nat_words}.")


def _title(p: RatioRows) -> str:
    counts = {"above": 0, "within": 0, "below": 0}
    statuses = []
    for ind in RATIO_INDICATORS:
        for org, r in _drawn(p.entries[ind]):
            statuses.append(str(r["status"]))
            if org != NATIONAL:
                counts[_band(float(r["value"]))] += 1
    n, head = sum(counts.values()), f"{p.place}, WRES {p.year}"
    if n == 0:
        return f"{head}: no relative likelihoods are published"
    plural = "s" if n != 1 else ""
    if counts["above"] == 0:
        title = f"{head}: none of {n} relative likelihood{plural} {'is' if n == 1 else 'are'} above the 0.8 to 1.25 guide range"
    else:
        title = (f"{head}: {counts['above']} of {n} relative likelihood{plural} {'is' if counts['above'] == 1 else 'are'} "
                 "above the 0.8 to 1.25 guide range, to global-majority staff's disadvantage")
    title = finding_title(title, statuses)
    return title + f"; {counts['below']} below it" if counts["below"] else title


def wres_ratio_card(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
                    sources: pd.DataFrame, *, place: str | None = None) -> ChartCard | None:
    """WRES indicators 2-4 against 1.0, with the neutral 0.8-1.25 guide band, 95% intervals and England."""
    year = int(year)
    p = prepare(wres, meta, orgs, names, year, place)
    if p is None:
        return None
    sentence = " ".join(_indicator_sentence(ind, p.infos[ind], p.entries[ind], names) for ind in RATIO_INDICATORS)
    labels = [place_name(names, o) for o in orgs] + [place_name(names, NATIONAL)]
    ids = ["wres-indicators"] + source_ids(r["source_id"] for ind in RATIO_INDICATORS for _, r in p.entries[ind] if r is not None)
    return ChartCard(
        key=f"wres-ratios-{'-'.join(orgs)}-{year}", title=_title(p),
        subtitle=f"WRES indicators 2 to 4: relative likelihoods, {p.place}, WRES {year}, with England",
        figure=_figure(p, names),
        alt=(f"Dot chart in three panels, one per WRES indicator 2 to 4, each with a row for {', '.join(labels)}. "
             f"A vertical line marks 1 (equal likelihood) and a grey band marks the 0.8 to 1.25 guide range; "
             f"horizontal lines through markers show 95% intervals where they can be calculated. {sentence}"),
        sentence=sentence, table=_table(p, names, title_map(sources)),
        definition=indicator_definitions({i: p.infos[i] for i in RATIO_INDICATORS}),
        sources=sources_for(ids, sources), period=f"WRES {year} (England: latest year up to {year} in this dashboard)",
        caveats=["The grey band from 0.8 to 1.25 is a neutral guide used in WRES reporting (the 'four-fifths' rule); it is not "
                 "a test of statistical significance. The intervals show the uncertainty where this dashboard has numerators and "
                 "denominators.",
                 "A relative likelihood of 1 means equal likelihood for global-majority and White staff."],
    )
