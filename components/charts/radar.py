"""REMI radars: one organisation and year against its previous year and the NEL median, and small multiples of
every partner. The five domains are the axes, clockwise from upper left; illustrative scores are drawn with
hollow markers and no fill, and named so in the legend."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, SERIES_COLOURS, TEXT, base_layout
from data.remi import all_illustrative, any_illustrative, nel_median, org_label, org_year, stage_text

CURRENT_STYLE = dict(colour=SERIES_COLOURS[0], dash="solid", symbol="circle")
PREVIOUS_STYLE = dict(colour=SERIES_COLOURS[1], dash="dash", symbol="square")
MEDIAN_STYLE = dict(colour=TEXT, dash="dot", symbol="diamond")
RADIAL_ANGLE = 104         # stage names just left of straight up, in the gap between the first two axes
ROTATION = 126            # first domain at upper left, so no axis lies under the stage names


def marker_symbols(base: str, statuses) -> list[str]:
    """A filled marker for a published score, a hollow one for an illustrative score."""
    return [f"{base}-open" if str(s) == "illustrative" else base for s in statuses]


def _closed(values: list) -> list:
    return list(values) + list(values[:1])


def trace_name(label: str, statuses) -> str:
    if all_illustrative(statuses):
        return f"{label} · {ILLUSTRATIVE_LABEL}"
    if any_illustrative(statuses):
        return f"{label} · partly illustrative (hollow markers)"
    return label


def wrap_label(label: str, width: int = 12) -> str:
    """A name broken into lines of about ``width`` characters with <br> (after a hyphen if need be)."""
    words, lines, line = label.replace("-", "- ").split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line and not line.endswith("-") else f"{line}{w}"
    lines.append(line)
    return "<br>".join(lines)


def _radial_axis(names: dict[int, str], *, labels: bool = True, size: int = 12, angle: float = 90) -> dict:
    return dict(range=[0.5, 6], tickmode="array", tickvals=list(range(1, 7)),
                ticktext=[names.get(i, str(i)) for i in range(1, 7)], showticklabels=labels,
                ticks="outside" if labels else "", tickfont=dict(size=size, color=TEXT), angle=angle, showgrid=True,
                tickangle=angle, gridcolor="#B0B9C0", linecolor=GUIDE, showline=labels)


def _angular_axis(domains: list[str], size: int = 14, labels: bool = True, wrap: int = 11) -> dict:
    """Domains clockwise from the top; long names wrapped so they fit beside a phone-sized chart."""
    return dict(direction="clockwise", rotation=ROTATION, tickfont=dict(size=size, color=TEXT), showticklabels=labels,
                tickmode="array", tickvals=list(domains), ticktext=[wrap_label(d, wrap) for d in domains],
                categoryorder="array", categoryarray=list(domains), gridcolor="#B0B9C0", linecolor=GUIDE,
                showgrid=True, ticks="outside" if labels else "")


def _polar_trace(frame: pd.DataFrame, *, name: str, style: dict, fill: bool, hover_label: str,
                 names: dict[int, str], showlegend: bool = True, legendgroup: str | None = None,
                 theta: list[str] | None = None, subplot: str | None = None) -> go.Scatterpolar:
    statuses = list(frame["status"])
    r = [None if pd.isna(v) else float(v) for v in frame["stage"]]
    thetas = theta or list(frame["domain"])
    published_fill = fill and not any_illustrative(statuses)
    kw = dict(subplot=subplot) if subplot else {}
    return go.Scatterpolar(
        r=_closed(r), theta=_closed(thetas), name=name, mode="lines+markers",
        line=dict(color=style["colour"], dash=style["dash"], width=3 if style["dash"] == "solid" else 2.5),
        marker=dict(symbol=_closed(marker_symbols(style["symbol"], statuses)), size=11, color=style["colour"],
                    line=dict(width=2, color=style["colour"])),
        fill="toself" if published_fill else "none",
        fillcolor="rgba(0,94,184,0.12)" if published_fill else None,
        customdata=_closed([stage_text(v, names) for v in r]),
        hovertemplate=f"{hover_label}<br>%{{theta}}: stage %{{customdata}}<extra></extra>",
        connectgaps=False, showlegend=showlegend, legendgroup=legendgroup, **kw,
    )


def radar_figure(current: pd.DataFrame, previous: pd.DataFrame | None, median: pd.DataFrame,
                 names: dict[int, str], *, current_label: str, previous_label: str | None,
                 median_label: str) -> go.Figure:
    fig = go.Figure()
    if previous is not None and previous["stage"].notna().any():
        fig.add_trace(_polar_trace(previous, name=trace_name(previous_label or "Previous year", previous["status"]),
                                   style=PREVIOUS_STYLE, fill=False, hover_label=previous_label or "", names=names))
    fig.add_trace(_polar_trace(median, name=trace_name(median_label, median["status"]), style=MEDIAN_STYLE,
                               fill=False, hover_label=median_label, names=names))
    fig.add_trace(_polar_trace(current, name=trace_name(current_label, current["status"]), style=CURRENT_STYLE,
                               fill=True, hover_label=current_label, names=names))
    base_layout(fig, height=470)
    fig.update_layout(polar=dict(radialaxis=_radial_axis(names, angle=RADIAL_ANGLE, size=11), bgcolor="white",
                                 angularaxis=_angular_axis(list(current["domain"]), size=13)),
                      margin=dict(l=80, r=80, t=40, b=10),
                      legend=dict(y=-0.14, traceorder="reversed", font=dict(size=14)))
    return fig


def small_multiples_figure(long: pd.DataFrame, orgs: list[str], year: int, order: list[tuple[str, str]],
                           names: dict[int, str], *, cols: int = 2) -> go.Figure:
    """One small radar per organisation (no axis labels: the big radar above names them), each with the median."""
    rows = max(1, math.ceil(len(orgs) / cols))
    specs = [[{"type": "polar"} if r * cols + c < len(orgs) else None for c in range(cols)] for r in range(rows)]
    titles = [f"<b>{org_label(long, o, short=True)}</b>" for o in orgs]
    fig = make_subplots(rows=rows, cols=cols, specs=specs, subplot_titles=titles,
                        vertical_spacing=0.16 / max(1, rows - 1) * 1.6 if rows > 1 else 0.1,
                        horizontal_spacing=0.08)
    median = nel_median(long, year, order)
    domains = [n for _, n in order]
    for i, o in enumerate(orgs):
        frame = org_year(long, o, year, order)
        subplot = "polar" if i == 0 else f"polar{i + 1}"
        fig.add_trace(_polar_trace(median, name=trace_name(f"NEL median, {year}", median["status"]),
                                   style=MEDIAN_STYLE, fill=False, hover_label=f"NEL median, {year}", names=names,
                                   showlegend=i == 0, legendgroup="median", subplot=subplot))
        fig.add_trace(_polar_trace(frame, name=trace_name(f"Organisation, {year}", frame["status"]),
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
