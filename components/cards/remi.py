"""REMI (Race Equity Maturity Index) views: radar, dot plot and small multiples, as ChartCards.

Pure builders (no Streamlit): tidy frames in, ChartCard or safe Markdown out. One stage (1 to 6)
per organisation, year and domain. The five domains are the areas LARCH names; drawing them as a
radar's axes is this dashboard's convention until the official REMI progress sheet is published.
Illustrative scores are drawn with hollow markers and no fill, and named so in the legend.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.cards.base import ChartCard, finding_title, sources_for, status_label
from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, SERIES_COLOURS, TEXT, base_layout
from components.words import link, plain

DEFAULT_ORG = "QMF"
IMPLEMENTATION = 3          # "reached Implementation or above"
NOT_PUBLISHED = "not yet published"
CURRENT_STYLE = dict(colour=SERIES_COLOURS[0], dash="solid", symbol="circle")
PREVIOUS_STYLE = dict(colour=SERIES_COLOURS[1], dash="dash", symbol="square")
MEDIAN_STYLE = dict(colour=TEXT, dash="dot", symbol="diamond")
RADIAL_ANGLE = 104         # stage names just left of straight up, in the gap between the first two axes
ROTATION = 126            # first domain at upper left, so no axis lies under the stage names
REMI_SOURCES = ("larch-remi", "larch-remi-faqs", "dashboard-convention")
RADAR_CAVEAT = ("A radar chart exaggerates differences: the shaded or enclosed area grows with the square of "
                "the stage, and the shape depends on the order of the axes. Read the stage on each axis, or "
                "use the dot plot and the table.")
CONVENTION = ("The five domains (leadership, recruitment, policy, decision-making and community engagement) are "
              "the areas LARCH names in its REMI FAQs. Scoring one stage per domain and drawing the domains as "
              "the axes of a chart is this dashboard's convention, pending the official REMI progress sheet.")


# --- Tidy data --------------------------------------------------------------------------------

def remi_long(remi: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame,
              organisations: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per organisation, year and domain with names: ods_code, org_name, short_name, year,
    domain_id, domain, sort_order, stage, stage_name, period, source_id, status."""
    frame = remi.dropna(subset=["stage", "year"]).copy()
    frame = frame.merge(domains[["domain_id", "name", "sort_order"]].rename(columns={"name": "domain"}),
                        on="domain_id", how="inner")
    names = stages.set_index("stage")["name"]
    frame["stage"] = frame["stage"].astype(int)
    frame["year"] = frame["year"].astype(int)
    frame["stage_name"] = frame["stage"].map(lambda s: str(names.get(s, f"Stage {s}")))
    if organisations is not None and len(organisations):
        orgs = organisations.set_index("ods_code")
        frame["org_name"] = frame["ods_code"].map(lambda c: str(orgs["name"].get(c, c)))
        frame["short_name"] = frame["ods_code"].map(lambda c: str(orgs["short_name"].get(c, c)))
    else:
        frame["org_name"] = frame["ods_code"].astype(str)
        frame["short_name"] = frame["ods_code"].astype(str)
    cols = ["ods_code", "org_name", "short_name", "year", "domain_id", "domain", "sort_order", "stage",
            "stage_name", "period", "source_id", "status"]
    return frame[cols].sort_values(["ods_code", "year", "sort_order"]).reset_index(drop=True)


def domain_order(domains: pd.DataFrame) -> list[tuple[str, str]]:
    """(domain_id, name) in the fixed sort order: the order of the radar's axes."""
    d = domains.sort_values(["sort_order", "domain_id"])
    return list(zip(d["domain_id"].astype(str), d["name"].astype(str), strict=True))


def stage_names(stages: pd.DataFrame) -> dict[int, str]:
    return {int(s): str(n) for s, n in zip(stages["stage"], stages["name"], strict=True)}


def org_choices(long: pd.DataFrame, organisations: pd.DataFrame | None = None) -> list[str]:
    """Organisations with REMI rows, in the organisations table's order (the ICB first)."""
    present = set(long["ods_code"].astype(str))
    ordered = [c for c in (organisations["ods_code"].astype(str) if organisations is not None else []) if c in present]
    return ordered + sorted(present - set(ordered))


def year_choices(long: pd.DataFrame, org: str | None = None) -> list[str]:
    """Years with REMI rows (for ``org`` if given), oldest first; the default is the last."""
    rows = long if org is None else long[long["ods_code"] == org]
    return [str(y) for y in sorted(set(rows["year"].astype(int)))]


def org_label(long: pd.DataFrame, code: str, short: bool = False) -> str:
    rows = long[long["ods_code"] == code]
    if rows.empty:
        return code
    return str(rows["short_name" if short else "org_name"].iloc[0])


def _org_year(long: pd.DataFrame, org: str, year: int, order: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per domain in axis order (a domain without a score has stage NaN)."""
    rows = long[(long["ods_code"] == org) & (long["year"] == int(year))].set_index("domain_id")
    out = pd.DataFrame({"domain_id": [d for d, _ in order], "domain": [n for _, n in order]})
    for col in ("stage", "stage_name", "status", "source_id", "period"):
        out[col] = out["domain_id"].map(lambda d, c=col: rows[c].get(d) if d in rows.index else None)
    out["stage"] = pd.to_numeric(out["stage"], errors="coerce")
    return out


def nel_median(long: pd.DataFrame, year: int, order: list[tuple[str, str]]) -> pd.DataFrame:
    """Median stage per domain across every organisation with a score that year (domain order)."""
    rows = long[long["year"] == int(year)]
    out = []
    for did, name in order:
        d = rows[rows["domain_id"] == did]
        out.append({"domain_id": did, "domain": name,
                    "stage": float(d["stage"].median()) if len(d) else math.nan,
                    "n": int(d["ods_code"].nunique()),
                    "status": "illustrative" if (d["status"] == "illustrative").any() else "published"})
    return pd.DataFrame(out)


def previous_year(long: pd.DataFrame, org: str, year: int) -> int | None:
    earlier = [int(y) for y in year_choices(long, org) if int(y) < int(year)]
    return max(earlier) if earlier else None


# --- Formatting -------------------------------------------------------------------------------

def _stage_text(stage, names: dict[int, str]) -> str:
    if stage is None or pd.isna(stage):
        return NOT_PUBLISHED
    s = float(stage)
    if s.is_integer():
        return f"{int(s)} ({names.get(int(s), '')})"
    lo, hi = int(math.floor(s)), int(math.ceil(s))
    return f"{s:g} (between {names.get(lo, lo)} and {names.get(hi, hi)})"


def _all_illustrative(statuses) -> bool:
    values = [str(s) for s in statuses if s is not None and not pd.isna(s)]
    return bool(values) and all(v == "illustrative" for v in values)


def _any_illustrative(statuses) -> bool:
    return any(str(s) == "illustrative" for s in statuses if s is not None and not pd.isna(s))


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int) -> str:
    return "none" if n == 0 else str(n)


def _domains(n: int) -> str:
    return "none" if n == 0 else f"{n} domain{'s' if n != 1 else ''}"


def _symbols(base: str, statuses) -> list[str]:
    """A filled marker for a published score, a hollow one for an illustrative score."""
    return [f"{base}-open" if str(s) == "illustrative" else base for s in statuses]


def _closed(values: list) -> list:
    return list(values) + list(values[:1])


def _trace_name(label: str, statuses) -> str:
    if _all_illustrative(statuses):
        return f"{label} · {ILLUSTRATIVE_LABEL}"
    if _any_illustrative(statuses):
        return f"{label} · partly illustrative (hollow markers)"
    return label


def _source_titles(ids, sources: pd.DataFrame | None) -> dict[str, str]:
    if sources is None:
        return {str(i): str(i) for i in ids}
    titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    return {str(i): titles.get(str(i), str(i)) for i in ids}


def _radial_axis(names: dict[int, str], *, labels: bool = True, size: int = 12, angle: float = 90) -> dict:
    return dict(range=[0.5, 6], tickmode="array", tickvals=list(range(1, 7)),
                ticktext=[names.get(i, str(i)) for i in range(1, 7)], showticklabels=labels,
                ticks="outside" if labels else "", tickfont=dict(size=size, color=TEXT), angle=angle, showgrid=True,
                tickangle=angle, gridcolor="#B0B9C0", linecolor=GUIDE, showline=labels)


def _angular_axis(domains: list[str], size: int = 14, labels: bool = True, wrap: int = 11) -> dict:
    """Domains clockwise from the top; long names wrapped so they fit beside a phone-sized chart."""
    return dict(direction="clockwise", rotation=ROTATION, tickfont=dict(size=size, color=TEXT), showticklabels=labels,
                tickmode="array", tickvals=list(domains), ticktext=[_wrap(d, wrap) for d in domains],
                categoryorder="array", categoryarray=list(domains), gridcolor="#B0B9C0", linecolor=GUIDE,
                showgrid=True, ticks="outside" if labels else "")


# --- The radar for one organisation and year --------------------------------------------------

def _polar_trace(frame: pd.DataFrame, *, name: str, style: dict, fill: bool, hover_label: str,
                 names: dict[int, str], showlegend: bool = True, legendgroup: str | None = None,
                 theta: list[str] | None = None, subplot: str | None = None) -> go.Scatterpolar:
    statuses = list(frame["status"])
    r = [None if pd.isna(v) else float(v) for v in frame["stage"]]
    thetas = theta or list(frame["domain"])
    published_fill = fill and not _any_illustrative(statuses)
    kw = dict(subplot=subplot) if subplot else {}
    return go.Scatterpolar(
        r=_closed(r), theta=_closed(thetas), name=name, mode="lines+markers",
        line=dict(color=style["colour"], dash=style["dash"], width=3 if style["dash"] == "solid" else 2.5),
        marker=dict(symbol=_closed(_symbols(style["symbol"], statuses)), size=11, color=style["colour"],
                    line=dict(width=2, color=style["colour"])),
        fill="toself" if published_fill else "none",
        fillcolor="rgba(0,94,184,0.12)" if published_fill else None,
        customdata=_closed([_stage_text(v, names) for v in r]),
        hovertemplate=f"{hover_label}<br>%{{theta}}: stage %{{customdata}}<extra></extra>",
        connectgaps=False, showlegend=showlegend, legendgroup=legendgroup, **kw,
    )


def radar_figure(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
                 names: dict[int, str], *, current_label: str, previous_label: str | None,
                 median_label: str) -> go.Figure:
    fig = go.Figure()
    if previous is not None and previous["stage"].notna().any():
        fig.add_trace(_polar_trace(previous, name=_trace_name(previous_label or "Previous year", previous["status"]),
                                   style=PREVIOUS_STYLE, fill=False, hover_label=previous_label or "", names=names))
    fig.add_trace(_polar_trace(median, name=_trace_name(median_label, median["status"]), style=MEDIAN_STYLE,
                               fill=False, hover_label=median_label, names=names))
    fig.add_trace(_polar_trace(current, name=_trace_name(current_label, current["status"]), style=CURRENT_STYLE,
                               fill=True, hover_label=current_label, names=names))
    base_layout(fig, height=470)
    fig.update_layout(polar=dict(radialaxis=_radial_axis(names, angle=RADIAL_ANGLE, size=11), bgcolor="white",
                                 angularaxis=_angular_axis(list(current["domain"]), size=13)),
                      margin=dict(l=80, r=80, t=40, b=10),
                      legend=dict(y=-0.14, traceorder="reversed", font=dict(size=14)))
    return fig


def remi_table(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
               names: dict[int, str], prev_year: int | None, year: int, sources: pd.DataFrame | None) -> pd.DataFrame:
    titles = _source_titles(current["source_id"].dropna().unique(), sources)
    prev_col = f"Previous year ({prev_year})" if prev_year else "Previous year"
    rows = []
    for i, r in current.reset_index(drop=True).iterrows():
        has = not pd.isna(r["stage"])
        prev = previous.iloc[i]["stage"] if previous is not None else math.nan
        rows.append({
            "Domain": r["domain"],
            "Stage": int(r["stage"]) if has else NOT_PUBLISHED,
            "Stage name": names.get(int(r["stage"]), "") if has else NOT_PUBLISHED,
            prev_col: _stage_text(prev, names) if prev_year else "no earlier self-assessment",
            f"NEL median ({year})": _stage_text(median.iloc[i]["stage"], names),
            "Status": status_label(r["status"]) if has else NOT_PUBLISHED,
            "Source": titles.get(str(r["source_id"]), "") if has else "",
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
         f"domains; its highest {verb} {_join(top_domains)} ({top_name})")
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
    if _all_illustrative(scored["status"]):
        s += " These scores are illustrative, not real data."
    return s


def remi_views(long: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str, year: int,
               sources: pd.DataFrame | None = None) -> tuple[ChartCard, ChartCard]:
    """The radar card and its dot-plot alternative for one organisation and year."""
    year = int(year)
    order = domain_order(domains)
    names = stage_names(stages)
    current = _org_year(long, org, year, order)
    prev_year = previous_year(long, org, year)
    previous = _org_year(long, org, prev_year, order) if prev_year else None
    median = nel_median(long, year, order)
    org_name, short = org_label(long, org), org_label(long, org, short=True)
    n_orgs = int(long.loc[long["year"] == year, "ods_code"].nunique())
    current_label = f"{short}, {year}"
    previous_label = f"{short}, {prev_year}" if prev_year else None
    median_label = f"NEL median, {year}"

    table = remi_table(current, previous, median, names, prev_year, year, sources)
    sentence = remi_sentence(current, previous, median, names, org_name, year, prev_year)
    illustrative = _any_illustrative(current["status"])
    tag = " (illustrative)" if illustrative else ""
    ids = list(current["source_id"].dropna().astype(str).unique()) + list(REMI_SOURCES)
    srcs = sources_for(ids, sources) if sources is not None else []
    periods = [p for p in current["period"].dropna().astype(str).unique()]
    if previous is not None:
        periods += [p for p in previous["period"].dropna().astype(str).unique()]
    period = "; ".join(dict.fromkeys(periods)) or str(year)
    definition = ("REMI, the Race Equity Maturity Index of the London Anti-Racism Collaboration for Health (LARCH), "
                  "places an organisation at one of six stages, from 1 Awareness to 6 Championing. " + CONVENTION +
                  f" The NEL median is the middle stage of the {n_orgs} organisations with a score for {year}.")
    caveats = [RADAR_CAVEAT]
    if illustrative:
        caveats.insert(0, "No organisation has published REMI scores: every score here is invented to show the view.")

    def describe(frame: pd.DataFrame) -> str:
        return "; ".join(f"{d} {_stage_text(s, names)}" for d, s in zip(frame["domain"], frame["stage"], strict=True))

    alt = (f"Radar chart of REMI stage by domain for {org_name} in {year}{tag}, on a scale from 1 Awareness to "
           f"6 Championing. {year}: {describe(current)}.")
    if previous is not None:
        alt += f" {prev_year} (dashed line): {describe(previous)}."
    alt += f" NEL median (dotted line): {describe(median)}."

    radar = ChartCard(
        key=f"remi-radar-{org}-{year}",
        title=finding_title(_radar_title(current, previous, names, org_name, year, prev_year), current["status"]),
        subtitle=(f"REMI stage (1 Awareness to 6 Championing) in each of five domains, {org_name}, {year}{tag}; "
                  + (f"with {prev_year} and the NEL median" if prev_year
                     else "with the NEL median (no earlier self-assessment)")),
        figure=radar_figure(current, previous, median, names, current_label=current_label,
                            previous_label=previous_label, median_label=median_label),
        alt=alt, sentence=sentence, table=table, definition=definition, sources=srcs, period=period,
        caveats=caveats,
    )
    dots = ChartCard(
        key=f"remi-dots-{org}-{year}",
        title=finding_title(_dots_title(current, names, short, year), current["status"]),
        subtitle=(f"REMI stage by domain, {org_name}, {year}{tag}: circles {year}, "
                  + (f"squares {prev_year}, " if prev_year else "")
                  + "diamonds the NEL median" + ("" if prev_year else "; no earlier self-assessment")),
        figure=dot_plot_figure(current, previous, median, names, current_label=current_label,
                               previous_label=previous_label, median_label=median_label),
        alt=(f"Dot plot of REMI stage (1 to 6) for each domain, {org_name}, {year}{tag}. {year}: {describe(current)}."
             + (f" {prev_year}: {describe(previous)}." if previous is not None else "")
             + f" NEL median: {describe(median)}."),
        sentence=sentence, table=table, definition=definition, sources=srcs, period=period,
        caveats=[c for c in caveats if c != RADAR_CAVEAT] + [
            "Dots on one row that share a stage are drawn slightly apart so each can be seen."],
    )
    return radar, dots


def _dots_title(current, names, short, year) -> str:
    scored = current.dropna(subset=["stage"])
    if scored.empty:
        return f"No REMI self-assessment for {short} in {year} has been published"
    top = scored["stage"].max()
    doms = list(scored.loc[scored["stage"] == top, "domain"])
    return f"{short}'s highest REMI stage in {year} is {names.get(int(top), int(top))}, in {_join(doms)}"


def _radar_title(current, previous, names, org_name, year, prev_year) -> str:
    scored = current.dropna(subset=["stage"])
    if scored.empty:
        return f"No REMI self-assessment for {org_name} in {year} has been published"
    at_impl = int((scored["stage"] >= IMPLEMENTATION).sum())
    return (f"{org_name} reached {names.get(IMPLEMENTATION, 'Implementation')} or above in {at_impl} of "
            f"{len(current)} REMI domains in {year}")


# --- Dot plot (the alternative that does not exaggerate areas) --------------------------------

def dot_plot_figure(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
                    names: dict[int, str], *, current_label: str, previous_label: str | None,
                    median_label: str) -> go.Figure:
    fig = go.Figure()
    n = len(current)
    ys = list(range(n))
    series = [(median, median_label, MEDIAN_STYLE, -0.22)]
    if previous is not None and previous["stage"].notna().any():
        series.append((previous, previous_label or "Previous year", PREVIOUS_STYLE, 0.22))
    series.append((current, current_label, CURRENT_STYLE, 0.0))
    for frame, label, style, offset in series:
        x = [None if pd.isna(v) else float(v) for v in frame["stage"]]
        fig.add_trace(go.Scatter(
            x=x, y=[y + offset for y in ys], mode="markers", name=_trace_name(label, frame["status"]),
            marker=dict(symbol=_symbols(style["symbol"], frame["status"]), size=13, color=style["colour"],
                        line=dict(width=2.5, color=style["colour"])),
            customdata=[[d, _stage_text(v, names)] for d, v in zip(frame["domain"], x, strict=True)],
            hovertemplate=f"{label}<br>%{{customdata[0]}}: stage %{{customdata[1]}}<extra></extra>",
        ))
    base_layout(fig, height=120 + 70 * n)
    fig.update_xaxes(range=[0.5, 6.5], tickmode="array", tickvals=list(range(1, 7)),
                     ticktext=[str(i) for i in range(1, 7)], showgrid=True, gridcolor="#D8DDE0",
                     title=dict(text=_stage_key(names), font=dict(size=13)))
    fig.update_yaxes(tickmode="array", tickvals=ys, ticktext=[_wrap(d, 12) for d in current["domain"]],
                     autorange="reversed",
                     range=[n - 0.5, -0.5], showgrid=False, title_text="", ticks="")
    fig.update_layout(legend=dict(y=1.02, yanchor="bottom", traceorder="reversed", font=dict(size=14)),
                      margin=dict(l=10, r=15, t=10, b=10))
    return fig


def _stage_key(names: dict[int, str]) -> str:
    """'1 Awareness · 2 Commitment<br>3 Implementation · 4 Embedding<br>…' (fits a phone)."""
    items = [f"{i} {names.get(i, '')}".strip() for i in range(1, 7)]
    return "<br>".join(" · ".join(items[i:i + 2]) for i in range(0, 6, 2))


# --- Small multiples: every partner in one year -----------------------------------------------

def _wrap(label: str, width: int = 12) -> str:
    words, lines, line = label.replace("-", "- ").split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line and not line.endswith("-") else f"{line}{w}"
    lines.append(line)
    return "<br>".join(lines)


def small_multiples_figure(long: pd.DataFrame, orgs: list[str], year: int, order: list[tuple[str, str]],
                           names: dict[int, str], *, cols: int = 2) -> go.Figure:
    rows = max(1, math.ceil(len(orgs) / cols))
    specs = [[{"type": "polar"} if r * cols + c < len(orgs) else None for c in range(cols)] for r in range(rows)]
    titles = [f"<b>{org_label(long, o, short=True)}</b>" for o in orgs]
    fig = make_subplots(rows=rows, cols=cols, specs=specs, subplot_titles=titles,
                        vertical_spacing=0.16 / max(1, rows - 1) * 1.6 if rows > 1 else 0.1,
                        horizontal_spacing=0.08)
    median = nel_median(long, year, order)
    domains = [n for _, n in order]
    for i, o in enumerate(orgs):
        frame = _org_year(long, o, year, order)
        subplot = "polar" if i == 0 else f"polar{i + 1}"
        fig.add_trace(_polar_trace(median, name=_trace_name(f"NEL median, {year}", median["status"]),
                                   style=MEDIAN_STYLE, fill=False, hover_label=f"NEL median, {year}", names=names,
                                   showlegend=i == 0, legendgroup="median", subplot=subplot))
        fig.add_trace(_polar_trace(frame, name=_trace_name(f"Organisation, {year}", frame["status"]),
                                   style=CURRENT_STYLE, fill=True, hover_label=org_label(long, o, short=True),
                                   names=names, showlegend=i == 0, legendgroup="org", subplot=subplot))
        fig.layout[subplot].update(radialaxis=_radial_axis(names, labels=False),
                                   angularaxis=_angular_axis(domains, labels=False), bgcolor="white")
    for ann in fig.layout.annotations:
        ann.update(font=dict(size=15, color=TEXT), yshift=6)
    base_layout(fig, height=80 + 260 * rows)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(y=-0.02, yanchor="top", traceorder="reversed", font=dict(size=14)))
    for tr in fig.data:
        tr.marker.size = 8
    return fig


def small_multiples_card(long: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, year: int,
                         orgs: list[str], sources: pd.DataFrame | None = None) -> ChartCard:
    year = int(year)
    order = domain_order(domains)
    names = stage_names(stages)
    shown = [o for o in orgs if ((long["ods_code"] == o) & (long["year"] == year)).any()]
    median = nel_median(long, year, order).set_index("domain_id")
    rows_ = long[(long["year"] == year) & long["ods_code"].isin(shown)]
    titles = _source_titles(rows_["source_id"].dropna().unique(), sources)
    table = pd.DataFrame([{
        "Organisation": r.org_name, "Domain": r.domain, "Stage": int(r.stage), "Stage name": r.stage_name,
        f"NEL median ({year})": _stage_text(median.loc[r.domain_id, "stage"], names),
        "Status": status_label(r.status), "Source": titles.get(str(r.source_id), ""), "Period": str(r.period),
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
                    f"{_join(best_orgs)} reached {impl} or above in the most domains ({best} of {n})")
        sentence += (f"; {_join(worst_orgs)} in the fewest ({worst} of {n})." if worst != best
                     else "; every organisation is level on this count.")
        if _all_illustrative(rows_["status"]):
            sentence += " These scores are illustrative, not real data."
        title = finding_title(f"{_join(best_orgs)} reached {impl} or above in the most REMI domains in {year}",
                              rows_["status"])
    else:
        sentence = f"No REMI self-assessments for {year} have been published."
        title = sentence.rstrip(".")
    tag = " (illustrative)" if _any_illustrative(rows_["status"]) else ""
    alt = (f"{len(shown)} small radar charts, one per organisation, of REMI stage by domain in {year}{tag}, each with "
           f"the NEL median as a dotted line. " + " ".join(
               f"{org_label(long, o, short=True)}: " + "; ".join(
                   f"{d} {_stage_text(s, names)}" for d, s in zip(_org_year(long, o, year, order)["domain"],
                                                                 _org_year(long, o, year, order)["stage"], strict=True)) + "."
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
    if _all_illustrative(long["status"]):
        return ("Every REMI score on this page is illustrative: invented to show how the view works, not real data. "
                "No NHS organisation in north east London has published REMI scores yet.")
    if _any_illustrative(long["status"]):
        return ("Some REMI scores on this page are illustrative (invented, not real data); they are drawn with hollow "
                "markers and marked in the tables.")
    return None
