"""REMI (Race Equity Maturity Index) cards: the radar, its dot-plot alternative and small multiples of every partner.

Tidy frames in (data.remi), ChartCard or safe Markdown out; the figures are drawn by components.charts.radar and
components.charts.remi_dots. The five domains are the areas LARCH names; drawing them as a radar's axes is this
dashboard's convention until the official REMI progress sheet is published.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from components.cards.base import ChartCard, finding_title, sources_for
from components.charts.radar import radar_figure, small_multiples_figure
from components.charts.remi_dots import dot_plot_figure
from components.words import join_words, link, plain, source_titles, status_label
from data.remi import (
    NOT_PUBLISHED,
    all_illustrative,
    any_illustrative,
    domain_order,
    nel_median,
    org_label,
    org_year,
    previous_year,
    stage_names,
    stage_text,
)

DEFAULT_ORG = "QMF"
IMPLEMENTATION = 3          # "reached Implementation or above"
REMI_SOURCES = ("larch-remi", "larch-remi-faqs", "dashboard-convention")
RADAR_CAVEAT = ("A radar chart exaggerates differences: the shaded or enclosed area grows with the square of "
                "the stage, and the shape depends on the order of the axes. Read the stage on each axis, or "
                "use the dot plot and the table.")
CONVENTION = ("The five domains (leadership, recruitment, policy, decision-making and community engagement) are "
              "the areas LARCH names in its REMI FAQs. Scoring one stage per domain and drawing the domains as "
              "the axes of a chart is this dashboard's convention, pending the official REMI progress sheet.")


def _count(n: int) -> str:
    return "none" if n == 0 else str(n)


def _domains(n: int) -> str:
    return "none" if n == 0 else f"{n} domain{'s' if n != 1 else ''}"


def _title_map(sources: pd.DataFrame | None) -> dict[str, str]:
    """Source id to title (an id with no title shows as itself)."""
    if sources is None:
        return {}
    return dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))


def remi_table(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
               names: dict[int, str], prev_year: int | None, year: int, sources: pd.DataFrame | None) -> pd.DataFrame:
    titles = _title_map(sources)
    prev_col = f"Previous year ({prev_year})" if prev_year else "Previous year"
    rows = []
    for i, r in current.reset_index(drop=True).iterrows():
        has = not pd.isna(r["stage"])
        prev = previous.iloc[i]["stage"] if previous is not None else math.nan
        rows.append({
            "Domain": r["domain"],
            "Stage": int(r["stage"]) if has else NOT_PUBLISHED,
            "Stage name": names.get(int(r["stage"]), "") if has else NOT_PUBLISHED,
            prev_col: stage_text(prev, names) if prev_year else "no earlier self-assessment",
            f"NEL median ({year})": stage_text(median.iloc[i]["stage"], names),
            "Status": status_label(r["status"]) if has else NOT_PUBLISHED,
            "Source": source_titles(r["source_id"], titles) if has else "",
            "Period": str(r["period"]) if has else "",
        })
    return pd.DataFrame(rows)


def remi_sentence(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
                  names: dict[int, str], org_name: str, year: int, prev_year: int | None) -> str:
    scored = current.dropna(subset=["stage"])
    if scored.empty:
        return f"No REMI self-assessment for {org_name} in {year} has been published."
    n = len(current)
    at_impl = int((scored["stage"] >= IMPLEMENTATION).sum())
    top = scored["stage"].max()
    top_domains = list(scored.loc[scored["stage"] == top, "domain"])
    top_name = names.get(int(top), str(int(top)))
    verb = "is" if len(top_domains) == 1 else "are"
    s = (f"In {year} {org_name} reached {names.get(IMPLEMENTATION, 'Implementation')} or above in {at_impl} of {n} "
         f"domains; its highest {verb} {join_words(top_domains)} ({top_name})")
    if previous is not None and prev_year is not None:
        pair = pd.DataFrame({"now": current["stage"].to_numpy(), "then": previous["stage"].to_numpy()}).dropna()
        up, down = int((pair["now"] > pair["then"]).sum()), int((pair["now"] < pair["then"]).sum())
        moves = []
        if up:
            moves.append(f"moved up in {up} domain{'s' if up != 1 else ''}")
        if down:
            moves.append(f"down in {down}" if up else f"moved down in {down} domain{'s' if down != 1 else ''}")
        s += f"; it {' and '.join(moves)} since {prev_year}" if moves else f"; it is at the same stage in every domain as in {prev_year}"
    else:
        s += "; there is no earlier self-assessment to compare with"
    cmp = pd.DataFrame({"now": current["stage"].to_numpy(), "med": median["stage"].to_numpy()}).dropna()
    above, below = int((cmp["now"] > cmp["med"]).sum()), int((cmp["now"] < cmp["med"]).sum())
    s += f". It is above the NEL median in {_domains(above)} and below it in {_count(below)}."
    if all_illustrative(scored["status"]):
        s += " These scores are illustrative, not real data."
    return s


@dataclass
class _View:
    """What the radar card and its dot-plot alternative share: one organisation and year."""
    org: str
    year: int
    names: dict[int, str]
    current: pd.DataFrame
    previous: pd.DataFrame | None
    prev_year: int | None
    median: pd.DataFrame
    org_name: str
    short: str
    table: pd.DataFrame
    sentence: str
    tag: str
    sources: list
    period: str
    definition: str
    caveats: list[str]

    @property
    def labels(self) -> dict[str, Any]:
        return dict(current_label=f"{self.short}, {self.year}",
                    previous_label=f"{self.short}, {self.prev_year}" if self.prev_year else None,
                    median_label=f"NEL median, {self.year}")

    def describe(self, frame: pd.DataFrame) -> str:
        return "; ".join(f"{d} {stage_text(s, self.names)}" for d, s in zip(frame["domain"], frame["stage"], strict=True))


def remi_views(long: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str, year: int,
               sources: pd.DataFrame | None = None) -> tuple[ChartCard, ChartCard]:
    """The radar card and its dot-plot alternative for one organisation and year."""
    view = _view(long, domains, stages, org, int(year), sources)
    return _radar_card(view), _dots_card(view)


def _view(long: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str, year: int,
          sources: pd.DataFrame | None) -> _View:
    order = domain_order(domains)
    names = stage_names(stages)
    current = org_year(long, org, year, order)
    prev_year = previous_year(long, org, year)
    previous = org_year(long, org, prev_year, order) if prev_year else None
    median = nel_median(long, year, order)
    org_name, short = org_label(long, org), org_label(long, org, short=True)
    n_orgs = int(long.loc[long["year"] == year, "ods_code"].nunique())
    illustrative = any_illustrative(current["status"])
    ids = list(current["source_id"].dropna().astype(str).unique()) + list(REMI_SOURCES)
    periods = [p for p in current["period"].dropna().astype(str).unique()]
    if previous is not None:
        periods += [p for p in previous["period"].dropna().astype(str).unique()]
    definition = ("REMI, the Race Equity Maturity Index of the London Anti-Racism Collaboration for Health (LARCH), "
                  "places an organisation at one of six stages, from 1 Awareness to 6 Championing. " + CONVENTION +
                  f" The NEL median is the middle stage of the {n_orgs} organisations with a score for {year}.")
    caveats = [RADAR_CAVEAT]
    if illustrative:
        caveats.insert(0, "No organisation has published REMI scores: every score here is invented to show the view.")
    return _View(
        org=org, year=year, names=names, current=current, previous=previous, prev_year=prev_year, median=median,
        org_name=org_name, short=short, table=remi_table(current, previous, median, names, prev_year, year, sources),
        sentence=remi_sentence(current, previous, median, names, org_name, year, prev_year),
        tag=" (illustrative)" if illustrative else "", sources=sources_for(ids, sources) if sources is not None else [],
        period="; ".join(dict.fromkeys(periods)) or str(year), definition=definition, caveats=caveats)


def _radar_card(v: _View) -> ChartCard:
    year, prev_year = v.year, v.prev_year
    alt = (f"Radar chart of REMI stage by domain for {v.org_name} in {year}{v.tag}, on a scale from 1 Awareness to "
           f"6 Championing. {year}: {v.describe(v.current)}.")
    if v.previous is not None:
        alt += f" {prev_year} (dashed line): {v.describe(v.previous)}."
    alt += f" NEL median (dotted line): {v.describe(v.median)}."
    return ChartCard(
        key=f"remi-radar-{v.org}-{year}",
        title=finding_title(_radar_title(v.current, v.previous, v.names, v.org_name, year, prev_year),
                            v.current["status"]),
        subtitle=(f"REMI stage (1 Awareness to 6 Championing) in each of five domains, {v.org_name}, {year}{v.tag}; "
                  + (f"with {prev_year} and the NEL median" if prev_year
                     else "with the NEL median (no earlier self-assessment)")),
        figure=radar_figure(v.current, v.previous, v.median, v.names, **v.labels),
        alt=alt, sentence=v.sentence, table=v.table, definition=v.definition, sources=v.sources, period=v.period,
        caveats=v.caveats,
    )


def _dots_card(v: _View) -> ChartCard:
    year, prev_year = v.year, v.prev_year
    return ChartCard(
        key=f"remi-dots-{v.org}-{year}",
        title=finding_title(_dots_title(v.current, v.names, v.short, year), v.current["status"]),
        subtitle=(f"REMI stage by domain, {v.org_name}, {year}{v.tag}: circles {year}, "
                  + (f"squares {prev_year}, " if prev_year else "")
                  + "diamonds the NEL median" + ("" if prev_year else "; no earlier self-assessment")),
        figure=dot_plot_figure(v.current, v.previous, v.median, v.names, **v.labels),
        alt=(f"Dot plot of REMI stage (1 to 6) for each domain, {v.org_name}, {year}{v.tag}. {year}: "
             f"{v.describe(v.current)}."
             + (f" {prev_year}: {v.describe(v.previous)}." if v.previous is not None else "")
             + f" NEL median: {v.describe(v.median)}."),
        sentence=v.sentence, table=v.table, definition=v.definition, sources=v.sources, period=v.period,
        caveats=[c for c in v.caveats if c != RADAR_CAVEAT] + [
            "Dots on one row that share a stage are drawn slightly apart so each can be seen."],
    )


def _dots_title(current, names, short, year) -> str:
    scored = current.dropna(subset=["stage"])
    if scored.empty:
        return f"No REMI self-assessment for {short} in {year} has been published"
    top = scored["stage"].max()
    doms = list(scored.loc[scored["stage"] == top, "domain"])
    return f"{short}'s highest REMI stage in {year} is {names.get(int(top), int(top))}, in {join_words(doms)}"


def _radar_title(current, previous, names, org_name, year, prev_year) -> str:
    scored = current.dropna(subset=["stage"])
    if scored.empty:
        return f"No REMI self-assessment for {org_name} in {year} has been published"
    at_impl = int((scored["stage"] >= IMPLEMENTATION).sum())
    return (f"{org_name} reached {names.get(IMPLEMENTATION, 'Implementation')} or above in {at_impl} of "
            f"{len(current)} REMI domains in {year}")



def small_multiples_card(long: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, year: int,
                         orgs: list[str], sources: pd.DataFrame | None = None) -> ChartCard:
    year = int(year)
    order = domain_order(domains)
    names = stage_names(stages)
    shown = [o for o in orgs if ((long["ods_code"] == o) & (long["year"] == year)).any()]
    median = nel_median(long, year, order).set_index("domain_id")
    rows_ = long[(long["year"] == year) & long["ods_code"].isin(shown)]
    titles = _title_map(sources)
    table = pd.DataFrame([{
        "Organisation": r.org_name, "Domain": r.domain, "Stage": int(r.stage), "Stage name": r.stage_name,
        f"NEL median ({year})": stage_text(median.loc[r.domain_id, "stage"], names),
        "Status": status_label(r.status), "Source": source_titles(r.source_id, titles), "Period": str(r.period),
    } for r in rows_.sort_values(["sort_order"]).itertuples()])
    if len(table):
        table["_o"] = table["Organisation"].map({org_label(long, o): i for i, o in enumerate(shown)})
        table = table.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    counts = {o: int(((rows_["ods_code"] == o) & (rows_["stage"] >= IMPLEMENTATION)).sum()) for o in shown}
    n = len(order)
    impl = names.get(IMPLEMENTATION, "Implementation")
    if counts:
        best = max(counts.values())
        worst = min(counts.values())
        best_orgs = [org_label(long, o, short=True) for o in shown if counts[o] == best]
        worst_orgs = [org_label(long, o, short=True) for o in shown if counts[o] == worst]
        med_impl = int((median["stage"] >= IMPLEMENTATION).sum())
        sentence = (f"In {year} the NEL median reached {impl} or above in {med_impl} of {n} domains. "
                    f"{join_words(best_orgs)} reached {impl} or above in the most domains ({best} of {n})")
        sentence += (f"; {join_words(worst_orgs)} in the fewest ({worst} of {n})." if worst != best
                     else "; every organisation is level on this count.")
        if all_illustrative(rows_["status"]):
            sentence += " These scores are illustrative, not real data."
        title = finding_title(f"{join_words(best_orgs)} reached {impl} or above in the most REMI domains in {year}",
                              rows_["status"])
    else:
        sentence = f"No REMI self-assessments for {year} have been published."
        title = sentence.rstrip(".")
    tag = " (illustrative)" if any_illustrative(rows_["status"]) else ""
    alt = (f"{len(shown)} small radar charts, one per organisation, of REMI stage by domain in {year}{tag}, each with "
           f"the NEL median as a dotted line. " + " ".join(
               f"{org_label(long, o, short=True)}: " + "; ".join(
                   f"{d} {stage_text(s, names)}" for d, s in zip(org_year(long, o, year, order)["domain"],
                                                                 org_year(long, o, year, order)["stage"], strict=True)) + "."
               for o in shown))
    ids = list(rows_["source_id"].dropna().astype(str).unique()) + list(REMI_SOURCES)
    periods = list(dict.fromkeys(rows_["period"].dropna().astype(str)))
    return ChartCard(
        key=f"remi-partners-{year}", title=title,
        subtitle=(f"REMI stage in each of five domains, every NEL partner with a score, {year}{tag}; dotted: NEL median. "
                  f"Axes as in the chart above, clockwise from upper left: {', '.join(n for _, n in order)}"),
        figure=small_multiples_figure(long, shown, year, order, names), alt=alt, sentence=sentence, table=table,
        definition=("One radar per organisation; the axes are the five domains and the rings the six REMI stages, "
                    "from Awareness at the centre to Championing at the edge. " + CONVENTION),
        sources=sources_for(ids, sources) if sources is not None else [], period="; ".join(periods) or str(year),
        caveats=(["No organisation has published REMI scores: every score here is invented to show the view."]
                 if tag else []) + [RADAR_CAVEAT],
    )


# --- The explanation beside the charts --------------------------------------------------------

def stages_markdown(stages: pd.DataFrame) -> str:
    """A numbered list of the six stages with LARCH's summaries, safe for st.markdown."""
    lines = []
    for r in stages.sort_values("stage").itertuples():
        lines.append(f"{int(r.stage)}. **{plain(r.name)}**: {plain(r.summary)}")
    return "\n".join(lines)


def sources_markdown(ids, sources: pd.DataFrame) -> str:
    return "\n".join(f"- {link(s.title, s.url)}" + (f" ({plain(s.publisher)})" if s.publisher else "")
                     for s in sources_for(ids, sources))


def illustrative_notice(long: pd.DataFrame) -> str | None:
    """The plain statement for the top of the page, from the data's status column."""
    if long.empty:
        return None
    if all_illustrative(long["status"]):
        return ("Every REMI score on this page is illustrative: invented to show how the view works, not real data. "
                "No NHS organisation in north east London has published REMI scores yet.")
    if any_illustrative(long["status"]):
        return ("Some REMI scores on this page are illustrative (invented, not real data); they are drawn with hollow "
                "markers and marked in the tables.")
    return None
