"""Line charts over the years: the global-majority share of each staff group (WRES indicator 1) with reference
lines, and the board's share minus the workforce's (WRES indicator 9) with England beside."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from components.charts.palette import GUIDE, SERIES_COLOURS, TEXT, base_layout, series_style
from components.charts.panels import hollow, identity_key, status_keys
from components.words import fmt_percent, status_label

# How each kind of reference line is drawn: colour, dash and width (dotted instead when illustrative).
REFERENCE_STYLES = {"workforce": (TEXT, "longdash", 2.5), "residents": (GUIDE, "dashdot", 2)}


@dataclass
class Line:
    """One staff group's line: its values by year (None where withheld) and the legend key's words."""
    name: str
    key: str
    years: list[int]
    values: list[float | None]
    statuses: list[str]
    emphasis: bool = False


@dataclass
class Reference:
    kind: str       # a key of REFERENCE_STYLES
    value: float
    name: str
    status: str


def _line_trace(line: Line, i: int) -> go.Scatter:
    style = series_style(i)
    last_i = max((k for k, v in enumerate(line.values) if v is not None), default=None)
    return go.Scatter(
        x=line.years, y=line.values, mode="lines+markers+text" if line.emphasis else "lines+markers",
        name=line.name, legendgroup=line.name, showlegend=False,
        text=[fmt_percent(v) if line.emphasis and k == last_i else "" for k, v in enumerate(line.values)],
        textposition="top center", textfont=dict(size=14, color=style["colour"]),
        line=dict(color=style["colour"], dash=style["dash"], width=4 if line.emphasis else 2),
        marker=dict(symbol=[hollow(style["symbol"], s) for s in line.statuses], size=12 if line.emphasis else 9,
                    color=style["colour"], line=dict(width=2, color=style["colour"])),
        customdata=[status_label(s) for s in line.statuses],
        hovertemplate=f"{line.name}<br>%{{x}}: %{{y:.1f}}%<br>%{{customdata}}<extra></extra>",
    )


def share_trend_figure(lines: Sequence[Line], references: Sequence[Reference], key_statuses: Iterable[str],
                       years: Sequence[int], top: float) -> go.Figure:
    """One line per staff group (the described one bold, its latest value written), reference lines across."""
    fig = go.Figure()
    for i, line in enumerate(lines):
        fig.add_trace(_line_trace(line, i))
        style = series_style(i)
        identity_key(fig, line.key, style["symbol"], style["colour"], row=None, mode="lines+markers", dash=style["dash"],
                     width=4 if line.emphasis else 2)
    for ref in references:
        colour, dash, width = REFERENCE_STYLES[ref.kind]
        illustrative = ref.status == "illustrative"
        style = dict(color=colour, width=width, dash="dot" if illustrative else dash)
        fig.add_hline(y=ref.value, line=style, layer="below")
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=style, hoverinfo="skip",
                                 name=ref.name + ("<br>(illustrative, dotted)" if illustrative else "")))
    status_keys(fig, key_statuses)
    fig.update_xaxes(tickmode="array", tickvals=list(years), tickformat="d", tickangle=0)
    fig.update_yaxes(range=[0, min(100, math.ceil((top + 8) / 10) * 10)], ticksuffix="%", dtick=10)
    base_layout(fig, height=700)
    fig.update_layout(legend=dict(y=-0.1, font=dict(size=14)))
    return fig


@dataclass
class GapSeries:
    """Board minus workforce by year: the organisation's line (None where withheld) and England's markers."""
    name: str
    years: list[int]
    values: list[float | None]
    statuses: list[str]
    national_name: str
    national_years: list[int]
    national_values: list[float]
    national_statuses: list[str]
    national_colour: str


def board_gap_trend_figure(s: GapSeries) -> go.Figure:
    """The organisation's board-minus-workforce gap over the years, England as diamonds, a line at zero."""
    fig = go.Figure()
    colour = SERIES_COLOURS[0]
    fig.add_trace(go.Scatter(
        x=s.years, y=s.values, mode="lines+markers", name=s.name, line=dict(color=colour, width=3),
        marker=dict(symbol=[hollow("circle", st) for st in s.statuses], size=12, color=colour, line=dict(width=2, color=colour)),
        customdata=[status_label(st) for st in s.statuses], showlegend=False,
        hovertemplate=f"{s.name} %{{x}}: %{{y:+.0f}} points<br>%{{customdata}}<extra></extra>",
    ))
    identity_key(fig, s.name, "circle", colour, row=None, mode="lines+markers")
    if s.national_years:
        fig.add_trace(go.Scatter(
            x=s.national_years, y=s.national_values, mode="markers", name=s.national_name,
            marker=dict(symbol=[hollow("diamond", st) for st in s.national_statuses], size=13, color=s.national_colour,
                        line=dict(width=2, color=s.national_colour)),
            hovertemplate=f"{s.national_name} %{{x}}: %{{y:+.0f}} points<extra></extra>",
        ))
    drawn_statuses = [st for st, v in zip(s.statuses, s.values, strict=True) if v is not None]
    status_keys(fig, drawn_statuses + s.national_statuses)
    fig.add_hline(y=0, line=dict(color=GUIDE, width=2), annotation_text="0 = board matches the workforce",
                  annotation_position="top left", annotation_font=dict(size=13, color=TEXT))
    values = [v for v in s.values if v is not None] + s.national_values
    lo, hi = min(values + [-10]), max(values + [10])
    fig.update_yaxes(title_text="Board minus workforce (points)", range=[min(lo - 8, -40), max(hi + 8, 20)], zeroline=False)
    years = sorted(set(s.years) | set(s.national_years))
    fig.update_xaxes(tickmode="array", tickvals=years, tickformat="d", tickangle=0)
    base_layout(fig, height=440)
    return fig
