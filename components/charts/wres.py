"""The WRES indicator panels: relative likelihoods (2 to 4) against 1 and a guide band, the staff survey pairs
(5 to 8) joined by a line, the board gap (9) per organisation, and representation by staff group compared.
Prepared marks and row labels in (components.cards), figure out."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go

from components.charts.palette import GUIDE, MUTED, TEXT
from components.charts.panels import GRID, Marks, RowLabel, identity_key, marks_trace, panel_figure, place_labels, status_keys


@dataclass
class Key:
    """A legend-only entry naming a series: its words, symbol and colour."""
    name: str
    symbol: str
    colour: str


@dataclass
class RatioPanel:
    """One indicator's markers with their 95% intervals (distance above and below each value, None if unknown)."""
    marks: Marks
    plus: list[float | None] = field(default_factory=list)
    minus: list[float | None] = field(default_factory=list)


def ratio_figure(titles: Sequence[str], rows: int, panels: Sequence[RatioPanel], labels: Iterable[RowLabel],
                 keys: Sequence[Key], statuses: Iterable[str], xmax: float, band: tuple[float, float, str]) -> go.Figure:
    """A panel per indicator with ``rows`` rows; a line at 1 and a grey guide band in each."""
    fig = panel_figure([rows] * len(panels), titles)
    for k, panel in enumerate(panels, start=1):
        fig.add_trace(marks_trace(panel.marks, error_x=dict(
            type="data", symmetric=False, array=panel.plus, arrayminus=panel.minus, color=TEXT, thickness=1.5, width=5,
            visible=any(p is not None for p in panel.plus))), row=k, col=1)
    place_labels(fig, labels)
    low, high, band_label = band
    for k in range(1, len(panels) + 1):
        fig.add_vrect(x0=low, x1=high, fillcolor=MUTED, opacity=0.6, line_width=0, layer="below",
                      row=k, col=1, exclude_empty_subplots=False)
        fig.add_vline(x=1.0, line=dict(color=GUIDE, width=1.5), row=k, col=1, exclude_empty_subplots=False)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=band_label, hoverinfo="skip",
                             marker=dict(symbol="square", size=16, color=MUTED, line=dict(width=1, color=GUIDE))), row=1, col=1)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="95% interval (line through a marker)", hoverinfo="skip",
                             line=dict(color=TEXT, width=1.5)), row=1, col=1)
    for key in keys:
        identity_key(fig, key.name, key.symbol, key.colour)
    status_keys(fig, statuses, row=1)
    ticks = [t for t in (0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5) if t <= xmax]
    fig.update_xaxes(range=[0, xmax], tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
                     tickangle=0, showgrid=False, zeroline=False)
    fig.update_xaxes(title_text="Relative likelihood (1 = equal)", row=len(panels), col=1)
    return fig


@dataclass
class SurveyPanel:
    """One indicator: the global-majority and White markers, and the lines joining each row's pair (None breaks)."""
    groups: Sequence[tuple[Marks, str, str]]     # (marks, legend group, colour)
    link_x: list[float | None] = field(default_factory=list)
    link_y: list[float | None] = field(default_factory=list)


def survey_figure(titles: Sequence[str], rows: int, panels: Sequence[SurveyPanel], labels: Iterable[RowLabel],
                  keys: Sequence[Key], statuses: Iterable[str]) -> go.Figure:
    """A panel per indicator with ``rows`` rows: a circle and a square per row, joined by a grey line."""
    fig = panel_figure([rows] * len(panels), titles, row_px=62)
    for k, panel in enumerate(panels, start=1):
        fig.add_trace(go.Scatter(x=panel.link_x, y=panel.link_y, mode="lines", line=dict(color=GUIDE, width=2), hoverinfo="skip",
                                 showlegend=False, name="gap"), row=k, col=1)
        for marks, group, colour in panel.groups:
            fig.add_trace(marks_trace(marks, colour=colour, legendgroup=group), row=k, col=1)
    place_labels(fig, labels)
    for key in keys:
        identity_key(fig, key.name, key.symbol, key.colour)
    status_keys(fig, statuses, row=1)
    fig.update_xaxes(range=[0, 100], ticksuffix="%", dtick=20, showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text="% of survey respondents in the group", row=len(panels), col=1)
    return fig


def board_gap_dots_figure(title: str, rows: int, marks: Marks, labels: Iterable[RowLabel], national: Key,
                          statuses: Iterable[str]) -> go.Figure:
    """One row per organisation: the board's share minus the workforce's, with a line at zero."""
    fig = panel_figure([rows], [title])
    place_labels(fig, labels)
    fig.add_trace(marks_trace(marks), row=1, col=1)
    fig.add_vline(x=0, line=dict(color=GUIDE, width=2), exclude_empty_subplots=False)
    identity_key(fig, national.name, national.symbol, national.colour)
    status_keys(fig, statuses, row=1)
    lo, hi = min(marks.xs + [-10]), max(marks.xs + [10])
    fig.update_xaxes(range=[min(lo - 8, -50), max(hi + 8, 20)], title_text="Points (0 = board matches workforce)",
                     zeroline=False, tickangle=0)
    return fig


def comparison_figure(rows: int, series: Sequence[tuple[Marks, Key]], labels: Iterable[RowLabel],
                      statuses: Iterable[str]) -> go.Figure:
    """One row per staff group, a marker per organisation (the first larger)."""
    fig = panel_figure([rows], [""], top_px=20)
    for i, (marks, key) in enumerate(series):
        fig.add_trace(marks_trace(marks, size=13 if i == 0 else 11, colour=key.colour), row=1, col=1)
        identity_key(fig, key.name, key.symbol, key.colour)
    place_labels(fig, labels)
    status_keys(fig, statuses, row=1)
    fig.update_xaxes(title_text="Global-majority share", range=[0, 100], ticksuffix="%", dtick=20,
                     tickangle=0, showgrid=True, gridcolor=GRID)
    return fig


def stage_figure(rows: int, series: Sequence[tuple[Marks, Key, int]], labels: Iterable[RowLabel],
                 statuses: Iterable[str]) -> go.Figure:
    """REMI: one row per domain, stage 1 to 6 across, a marker per year (``size`` each)."""
    fig = panel_figure([rows], [""], top_px=20, row_px=62)
    for marks, key, size in series:
        fig.add_trace(marks_trace(marks, size=size, colour=key.colour,
                                  hovertemplate=f"{marks.name}: %{{customdata}}<extra></extra>"), row=1, col=1)
        identity_key(fig, key.name, key.symbol, key.colour)
    status_keys(fig, statuses, row=1)
    fig.update_xaxes(title_text="Stage (1 to 6)", range=[0.5, 6.5], tickmode="array", tickangle=0,
                     tickvals=list(range(1, 7)), showgrid=True, gridcolor=GRID)
    place_labels(fig, labels)
    return fig
