"""WRES indicators drawn for a projector, one indicator a slide: a row per organisation (and England).

Prepared rows in (components.cards.wres_slides), figure out."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import plotly.graph_objects as go

from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, MUTED, SERIES_COLOURS, TEXT, base_layout

MARKER_PX = 24
KEY_PX = 20
LINE_PX = 3


@dataclass
class RatioPoint:
    name: str
    label: str            # the row's label (its figure written in it)
    value: float
    low: float | None     # the 95% interval, where published
    high: float | None
    status: str
    shown: str            # the figure as written in the table, for the hover text
    status_words: str
    national: bool


@dataclass
class SurveyPoints:
    """One group's markers: x, row labels, written figures, text sides and symbols, in row order."""
    xs: list[float] = field(default_factory=list)
    ys: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)


def _legend_key(fig: go.Figure, name: str, **marker) -> None:
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip", marker=marker))


def _rows_axis(fig: go.Figure, labels: list[str]) -> None:
    base_layout(fig, legend_below=False)
    fig.update_layout(showlegend=True)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1], range=[-0.6, len(labels) - 0.4],
                     showgrid=False, ticks="", showline=False)


def _ratio_marker(point: RatioPoint, colour: str) -> go.Scatter:
    symbol = ("diamond" if point.national else "circle") + ("-open" if point.status == "illustrative" else "")
    high, low, value = point.high, point.low, point.value
    return go.Scatter(
        x=[value], y=[point.label], mode="markers", showlegend=False, name=point.name,
        marker=dict(symbol=symbol, size=MARKER_PX, color=colour, line=dict(width=LINE_PX, color=colour)),
        error_x=dict(type="data", symmetric=False, array=[high - value if high is not None else 0],
                     arrayminus=[value - low if low is not None else 0], color=TEXT, thickness=LINE_PX, width=10,
                     visible=low is not None and high is not None),
        hovertemplate=f"{point.name}: {point.shown} ({point.status_words})<extra></extra>")


def ratio_dot_figure(points: list[RatioPoint], labels: list[str], *, band: tuple[float, float], band_label: str,
                     national_colour: str) -> go.Figure:
    """Relative likelihoods as dots with their 95% intervals, the guide band and the line at 1 (equal)."""
    fig, xmax = go.Figure(), 2.0
    for point in points:
        xmax = max(xmax, point.value * 1.15, (point.high or 0) * 1.05)
        fig.add_trace(_ratio_marker(point, national_colour if point.national else SERIES_COLOURS[0]))
    fig.add_vrect(x0=band[0], x1=band[1], fillcolor=MUTED, opacity=0.6, line_width=0, layer="below")
    fig.add_vline(x=1.0, line=dict(color=GUIDE, width=LINE_PX))
    _legend_key(fig, band_label, symbol="square", size=MARKER_PX, color=MUTED, line=dict(width=1, color=GUIDE))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="95% interval", line=dict(color=TEXT, width=LINE_PX)))
    _legend_key(fig, "England (diamond)", symbol="diamond", size=KEY_PX, color=national_colour)
    if any(p.status == "illustrative" for p in points):
        _legend_key(fig, f"{ILLUSTRATIVE_LABEL}: hollow", symbol="circle-open", size=KEY_PX, color=SERIES_COLOURS[0],
                    line=dict(width=LINE_PX, color=SERIES_COLOURS[0]))
    _rows_axis(fig, labels)
    fig.update_xaxes(range=[0, xmax], title_text="Relative likelihood (1 = equal)", showgrid=False, zeroline=False)
    return fig


def survey_dot_figure(groups: list[tuple[SurveyPoints, str, str]], links: tuple[list, list], labels: list[str], *,
                      illustrative: bool) -> go.Figure:
    """Two groups' percentages side by side on each row, joined by a line, each figure written on its outer side.
    ``groups``: (points, colour, legend name) each."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=links[0], y=links[1], mode="lines", line=dict(color=GUIDE, width=4), hoverinfo="skip",
                             showlegend=False))
    for points, colour, name in groups:
        fig.add_trace(go.Scatter(x=points.xs, y=points.ys, mode="markers+text", name=name, text=points.texts,
                                 textposition=points.positions, cliponaxis=False, textfont=dict(color=TEXT),
                                 marker=dict(symbol=points.symbols, size=MARKER_PX, color=colour,
                                             line=dict(width=LINE_PX, color=colour)),
                                 hovertemplate="%{y}: %{text}<extra>" + name + "</extra>"))
    if illustrative:
        _legend_key(fig, f"{ILLUSTRATIVE_LABEL}: hollow", symbol="circle-open", size=KEY_PX, color=TEXT,
                    line=dict(width=LINE_PX, color=TEXT))
    _rows_axis(fig, labels)
    drawn = [x for points, _, _ in groups for x in points.xs]
    low = max(0, math.floor((min(drawn, default=0) - 10) / 10) * 10)  # room for the figures written outside
    high = min(100, math.ceil((max(drawn, default=100) + 10) / 10) * 10)
    fig.update_xaxes(range=[low - 0.12 * (high - low), high + 0.12 * (high - low)], tickvals=list(range(low, high + 1, 10)),
                     ticktext=[f"{v}%" for v in range(low, high + 1, 10)], tickmode="array", showgrid=True,
                     gridcolor="#F0F4F5", zeroline=False, title_text="% of survey respondents in the group")
    return fig
