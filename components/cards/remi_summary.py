"""The trust page's REMI summary: the organisation's Race Equity Maturity Index stage in each domain, the latest
year filled in and the year before beside it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.cards.workforce import NOT_PUBLISHED, number, place_name, title_map
from components.charts.palette import SERIES_COLOURS
from components.charts.panels import Marks, RowLabel, hollow
from components.charts.wres import Key, stage_figure
from components.words import plural, source_ids, source_titles, status_label


@dataclass
class StageRows:
    """The organisation's REMI rows, the years shown (the latest two), and the domains' and stages' names."""
    mine: pd.DataFrame
    place: str
    shown_years: list[int]
    dnames: dict[str, str]
    snames: dict[int, str]

    @property
    def latest(self) -> int:
        return self.shown_years[-1]

    def ypos(self, domain: str) -> int:
        order = list(self.dnames)
        return len(order) - 1 - order.index(domain) if domain in self.dnames else -1

    def stage_words(self, stage: int) -> str:
        return f"stage {stage}, {self.snames.get(stage, '')}"


def prepare(remi: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str,
            names: Mapping[str, str]) -> StageRows | None:
    mine = remi[remi["ods_code"] == org]
    if mine.empty:
        return None
    dom = domains.sort_values("sort_order")
    return StageRows(mine, place_name(names, org), sorted({int(y) for y in mine["year"]})[-2:],
                     dict(zip(dom["domain_id"].astype(str), dom["name"].astype(str), strict=True)),
                     dict(zip(stages["stage"].astype(int), stages["name"].astype(str), strict=True)))


def _year_marks(p: StageRows, year: int) -> tuple[Marks, Key, int, list[str]]:
    sub = p.mine[p.mine["year"] == year].copy()
    sub["order"] = sub["domain_id"].map({d: k for k, d in enumerate(p.dnames)})
    sub = sub.sort_values("order")
    sub = sub[sub["stage"].notna()]
    is_latest = year == p.latest
    colour = SERIES_COLOURS[0] if is_latest else SERIES_COLOURS[4]
    symbol = "circle" if is_latest else "square"
    marks = Marks(str(year))
    for s, d, st in zip(sub["stage"], sub["domain_id"], sub["status"].astype(str), strict=True):
        marks.add(int(s), p.ypos(d), hollow(symbol, st), colour, f"Stage {int(s)}: {p.snames.get(int(s), '')}, {status_label(st)}")
    return marks, Key(f"{year} ({symbol})", symbol, colour), 15 if is_latest else 11, list(sub["status"].astype(str))


def _domain_words(p: StageRows) -> list[tuple[str, str, str | None]]:
    """Each domain in the latest year: (domain, its words, its stage and change for the row label, or None)."""
    cur = p.mine[p.mine["year"] == p.latest]
    prev = p.mine[p.mine["year"] == p.shown_years[0]] if len(p.shown_years) > 1 else p.mine.iloc[0:0]
    prev_stage = dict(zip(prev["domain_id"].astype(str), prev["stage"], strict=True))
    out: list[tuple[str, str, str | None]] = []
    for d, name in p.dnames.items():
        r = cur[cur["domain_id"] == d]
        if r.empty or pd.isna(r["stage"].iloc[0]):
            out.append((d, f"{name} {NOT_PUBLISHED}", None))
            continue
        s = int(r["stage"].iloc[0])
        before = prev_stage.get(d)
        change = "" if before is None or pd.isna(before) else (" (unchanged)" if int(before) == s else f" (from stage {int(before)})")
        out.append((d, f"{name} {p.stage_words(s)}{change}", f"{name}: <b>{p.stage_words(s)}</b>{change}"))
    return out


def _figure(p: StageRows, words: list[tuple[str, str, str | None]]):
    series, statuses = [], []
    for year in p.shown_years:
        marks, key, size, year_statuses = _year_marks(p, year)
        series.append((marks, key, size))
        statuses += year_statuses
    labels = [RowLabel(1, p.ypos(d), label, wrap=36) for d, _, label in words if label is not None]
    return stage_figure(len(p.dnames), series, labels, statuses)


def _table(p: StageRows, titles: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for _, r in p.mine.sort_values(["year", "domain_id"]).iterrows():
        s = number(r["stage"])
        rows.append({"Organisation": p.place, "Year": str(int(r["year"])),
                     "Domain": p.dnames.get(str(r["domain_id"]), str(r["domain_id"])),
                     "Stage": f"{int(s)}: {p.snames.get(int(s), '')}" if s is not None else NOT_PUBLISHED,
                     "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles), "Period": str(r["period"])})
    return pd.DataFrame(rows)


def remi_card(remi: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str, names: Mapping[str, str],
              sources: pd.DataFrame) -> ChartCard | None:
    """The organisation's REMI stage in each domain, latest year filled in, the year before beside it."""
    p = prepare(remi, domains, stages, org, names)
    if p is None:
        return None
    words = _domain_words(p)
    cur = p.mine[p.mine["year"] == p.latest]
    stages_now = [int(s) for s in cur["stage"].dropna()]
    title = (finding_title(f"{p.place}'s REMI self-assessment, {p.latest}: "
                           + (f"stage {min(stages_now)} in {plural(len(stages_now), 'domain')}" if min(stages_now) == max(stages_now)
                              else f"stages {min(stages_now)} to {max(stages_now)} across {len(stages_now)} domains"), cur["status"])
             if stages_now else f"{p.place}'s REMI self-assessment, {p.latest}: {NOT_PUBLISHED}")
    sentence = f"In {p.latest}: " + "; ".join(w for _, w, _ in words) + "."
    shown = p.shown_years
    return ChartCard(
        key=f"remi-{org}", title=title,
        subtitle=f"Race Equity Maturity Index (REMI) stage by domain, {p.place}, {', '.join(map(str, shown))}",
        figure=_figure(p, words),
        alt=f"Dot chart for {p.place}: one row per REMI domain, stage 1 to 6 across, {p.latest} as circles" +
            (f" and {shown[0]} as squares" if len(shown) > 1 else "") + f". {sentence}",
        sentence=sentence, table=_table(p, title_map(sources)),
        definition="REMI stages: " + "; ".join(f"{k} {v}" for k, v in sorted(p.snames.items())) + ".",
        sources=sources_for(source_ids(p.mine["source_id"]) + ["larch-remi"], sources),
        period=", ".join(f"Self-assessment {y}" for y in shown),
        caveats=["REMI stages are the organisation's own self-assessment."],
    )
