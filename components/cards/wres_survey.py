"""WRES indicators 5 to 8 (the NHS Staff Survey): global-majority staff beside White staff per organisation,
England beside."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import (
    GM_COLOUR,
    NO_NATIONAL,
    NOT_PUBLISHED,
    SURVEY_INDICATORS,
    WHITE_COLOUR,
    WORSE_WHEN_HIGHER,
    indicator_definitions,
    indicator_info,
    is_true,
    number,
    panel_title,
    place_name,
    title_map,
    wres_rows,
)
from components.charts.panels import Marks, RowLabel, hollow
from components.charts.wres import Key, SurveyPanel, survey_figure
from components.words import fmt_number, fmt_percent, k_of_n, round_half_up, source_ids, source_titles, status_label
from data.derive import NATIONAL, combined_status, latest_national
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import SUPPRESSED_LABEL

# (group, its words, its marker, its trace)
GROUPS = (("global_majority", "global majority", "circle", "Global majority"), ("white", "White", "square", "White"))
COLOURS = {"global_majority": GM_COLOUR, "white": WHITE_COLOUR}


@dataclass
class Pair:
    """One organisation's global-majority and White rows for an indicator, and each value (or why there is none)."""
    org: str
    gm: pd.Series | None
    white: pd.Series | None

    @property
    def rows(self) -> list[pd.Series]:
        return [r for r in (self.gm, self.white) if r is not None]

    def cell(self, group: str, *, name_england: bool = True) -> float | str:
        r = self.gm if group == "global_majority" else self.white
        if r is None:
            return NO_NATIONAL if name_england and self.org == NATIONAL else NOT_PUBLISHED
        if is_true(r["suppressed"]):
            return SUPPRESSED_LABEL
        v = number(r["value"])
        return NOT_PUBLISHED if v is None else v

    def values(self) -> tuple[float, float] | None:
        """Both values, when both are published."""
        g, w = self.cell("global_majority"), self.cell("white")
        return (g, w) if isinstance(g, float) and isinstance(w, float) else None


@dataclass
class SurveyRows:
    year: int
    place: str
    orgs: list[str]
    infos: dict[int, dict[str, str]]
    pairs: dict[int, list[Pair]]      # each indicator's pairs, England's last


def prepare(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
            place: str | None) -> SurveyRows | None:
    found = wres_rows(wres, orgs, year)
    pairs = {ind: [Pair(org, found.get((org, ind, "global_majority")), found.get((org, ind, "white"))) for org in orgs]
             for ind in SURVEY_INDICATORS}
    if all(p.gm is None and p.white is None for ps in pairs.values() for p in ps):
        return None
    for ind in SURVEY_INDICATORS:
        pairs[ind].append(Pair(NATIONAL, latest_national(wres, year, indicator=ind, group="global_majority"),
                               latest_national(wres, year, indicator=ind, group="white")))
    return SurveyRows(year, place or ", ".join(place_name(names, o) for o in orgs), list(orgs),
                      {ind: indicator_info(meta, ind) for ind in SURVEY_INDICATORS}, pairs)


def _words(cell: float | str) -> str:
    return fmt_percent(cell) if isinstance(cell, float) else str(cell)


def _fared_worse(ind: int, gm: float, white: float) -> bool:
    diff = round_half_up(gm) - round_half_up(white)
    return bool(diff) and (diff > 0 if WORSE_WHEN_HIGHER.get(ind, True) else diff < 0)


def _row_text(label: str, pair: Pair, year: int) -> str:
    g, w = pair.cell("global_majority"), pair.cell("white")
    if g == w == NO_NATIONAL:
        return f"{label}: {NO_NATIONAL}"
    text = f"{label}: global majority <b>{_words(g)}</b>, White <b>{_words(w)}</b>"
    years = {int(r["year"]) for r in pair.rows}
    return text + (f" ({', '.join(map(str, sorted(years)))})" if years and years != {year} else "")


def _panel(k: int, pairs: list[Pair], names: Mapping[str, str], year: int,
           labels: list[RowLabel], statuses: list[str]) -> SurveyPanel:
    marks = {group: Marks(trace) for group, _, _, trace in GROUPS}
    panel = SurveyPanel([(marks[group], group, COLOURS[group]) for group, _, _, _ in GROUPS])
    for j, pair in enumerate(pairs):
        label, ypos = place_name(names, pair.org), len(pairs) - 1 - j
        for group, words, symbol, _ in GROUPS:
            r, cell = (pair.gm if group == "global_majority" else pair.white), pair.cell(group)
            if r is None or not isinstance(cell, float):
                continue
            marks[group].add(cell, ypos, hollow(symbol, str(r["status"])), COLOURS[group],
                             f"{label}, {words}, {int(r['year'])}: {fmt_percent(cell, 1)}<br>{status_label(r['status'])}")
            statuses.append(str(r["status"]))
        labels.append(RowLabel(k, ypos, _row_text(label, pair, year), wrap=38))
        both = pair.values()
        if both is not None:
            panel.link_x += [both[0], both[1], None]
            panel.link_y += [ypos, ypos, None]
    return panel


def _figure(p: SurveyRows, names: Mapping[str, str]):
    labels: list[RowLabel] = []
    statuses: list[str] = []
    panels = [_panel(k, p.pairs[ind], names, p.year, labels, statuses) for k, ind in enumerate(SURVEY_INDICATORS, start=1)]
    keys = [Key("Global majority (circle)", "circle", GM_COLOUR), Key("White (square)", "square", WHITE_COLOUR)]
    return survey_figure([panel_title(i, p.infos[i]) for i in SURVEY_INDICATORS], len(p.orgs) + 1, panels, labels, keys, statuses)


def _table(p: SurveyRows, names: Mapping[str, str], titles: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for ind in SURVEY_INDICATORS:
        info = p.infos[ind]
        for pair in p.pairs[ind]:
            present = pair.rows
            g, w = pair.cell("global_majority"), pair.cell("white")
            rows.append({
                "Organisation": place_name(names, pair.org), "Indicator": f"{ind}. {info['short_name']}",
                "Disadvantage when": info["disadvantage_when"],
                "Year": ", ".join(sorted({str(int(r["year"])) for r in present})),
                "Global majority (%)": fmt_number(g, 1) if isinstance(g, float) else g,
                "White (%)": fmt_number(w, 1) if isinstance(w, float) else w,
                "Status": status_label(combined_status([r["status"] for r in present])) if present else "",
                "Source": source_titles(source_ids(r["source_id"] for r in present), titles) if present else "",
                "Period": "; ".join(dict.fromkeys(str(r["period"]) for r in present)),
            })
    return pd.DataFrame(rows)


def _national_words(nat: Pair) -> str:
    bits = [f"{g} {fmt_percent(float(r['value']))}" for g, r in (("global majority", nat.gm), ("White", nat.white))
            if r is not None and pd.notna(r["value"])]
    year = next((int(r["year"]) for r in (nat.gm, nat.white) if r is not None), None)
    return "England " + ", ".join(bits) + f" in {year}" if bits else NO_NATIONAL


def _indicator_sentence(ind: int, info: Mapping[str, str], pairs: list[Pair], many: bool) -> str:
    nat_words = _national_words(next(pair for pair in pairs if pair.org == NATIONAL))
    if many:
        compared = [both for pair in pairs if pair.org != NATIONAL and (both := pair.values()) is not None]
        if not compared:
            return f"{info['short_name']}: no trust has both groups' figures ({nat_words})."
        n_bad = sum(1 for g, w in compared if _fared_worse(ind, g, w))
        return f"{info['short_name']}: global-majority staff fared worse at {k_of_n(n_bad, len(compared), 'trust')} ({nat_words})."
    first = pairs[0]
    return (f"{info['short_name']}: global majority {_words(first.cell('global_majority', name_england=False))}, "
            f"White {_words(first.cell('white', name_england=False))} ({nat_words}).")


def _title(p: SurveyRows) -> str:
    compared = [(ind, both) for ind in SURVEY_INDICATORS for pair in p.pairs[ind]
                if pair.org != NATIONAL and (both := pair.values()) is not None]
    if not compared:
        return f"{p.place}, WRES {p.year}: no staff survey measure has both groups' figures published"
    worse = sum(_fared_worse(ind, g, w) for ind, (g, w) in compared)
    statuses = [str(r["status"]) for ind in SURVEY_INDICATORS for pair in p.pairs[ind] for group, _, _, _ in GROUPS
                if (r := pair.gm if group == "global_majority" else pair.white) is not None and isinstance(pair.cell(group), float)]
    return finding_title(
        f"{p.place}, WRES {p.year}: global-majority staff fared worse than White staff on {worse} of {len(compared)} "
        f"{'staff survey measures' if len(p.orgs) == 1 else 'trust-and-measure comparisons'} with both groups published",
        statuses)


def wres_survey_card(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
                     sources: pd.DataFrame, *, place: str | None = None) -> ChartCard | None:
    """WRES indicators 5-8 as pairs (global majority and White) per organisation, England beside."""
    year = int(year)
    p = prepare(wres, meta, orgs, names, year, place)
    if p is None:
        return None
    sentence = " ".join(_indicator_sentence(ind, p.infos[ind], p.pairs[ind], len(orgs) > 1) for ind in SURVEY_INDICATORS)
    labels = [place_name(names, o) for o in orgs] + [place_name(names, NATIONAL)]
    ids = ["wres-indicators"] + source_ids(r["source_id"] for ind in SURVEY_INDICATORS for pair in p.pairs[ind] for r in pair.rows)
    return ChartCard(
        key=f"wres-survey-{'-'.join(orgs)}-{year}", title=_title(p),
        subtitle=f"WRES indicators 5 to 8: global-majority and White staff, {p.place}, WRES {year}, with England",
        figure=_figure(p, names),
        alt=(f"Dot chart in four panels, one per WRES indicator 5 to 8, each with a row for {', '.join(labels)}: a circle for "
             f"global-majority staff and a square for White staff, joined by a line. {sentence}"),
        sentence=sentence, table=_table(p, names, title_map(sources)),
        definition=indicator_definitions({i: p.infos[i] for i in SURVEY_INDICATORS}) + " " + GLOBAL_MAJORITY_DEFINITION,
        sources=sources_for(ids, sources), period=f"WRES {year} (NHS Staff Survey; England: latest year up to {year} in this dashboard)",
        caveats=["'Fared worse' counts a difference of at least 1 percentage point in the direction that means disadvantage; "
                 "survey percentages have sampling error, which this chart does not show.",
                 "England publishes some of these figures for Black staff only; those are not shown beside global-majority figures."],
    )
