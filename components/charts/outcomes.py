"""Residents' outcomes: a dot chart of rates by ethnic group, one row per group and one marker per area (the
dashboard's own area larger and first in the key). Prepared series in (components.cards.outcomes), figure out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from components.charts.palette import GUIDE, SERIES_COLOURS, TEXT, base_layout
from components.charts.panels import hollow, status_keys

ROW_PX, FRAME_PX = 56, 230  # the frame holds the axis title and a legend of up to three rows on a phone
# Comparator areas: colour and symbol by position (the focus area is always blue circles, England black diamonds).
OTHER_STYLES = [(SERIES_COLOURS[1], "square"), (SERIES_COLOURS[2], "triangle-up"), (SERIES_COLOURS[3], "triangle-down"),
                (SERIES_COLOURS[4], "x"), (SERIES_COLOURS[2], "star")]


@dataclass
class AreaSeries:
    """One area's rate in each group (None where none is published), each value's status, and its role."""
    name: str
    rates: list[float | None]
    statuses: list[str]
    role: str = "other"     # "focus", "other" or "national"


def _style(series: AreaSeries, k: int) -> tuple[str, str, int]:
    if series.role == "focus":
        return SERIES_COLOURS[0], "circle", 17
    if series.role == "national":
        return TEXT, "diamond", 13
    colour, symbol = OTHER_STYLES[k % len(OTHER_STYLES)]
    return colour, symbol, 11


def rate_dots(groups: Sequence[str], series: Sequence[AreaSeries], axis_title: str, unit: str) -> go.Figure:
    """A row per group (top to bottom in the order given), a marker per area; hover gives the area, group and rate."""
    fig = go.Figure()
    others = 0
    # Drawn comparators first and the focus area last, so that its markers and values stay on top; listed first in the key.
    for rank, s in sorted(enumerate(series, start=1), key=lambda item: item[1].role == "focus"):
        colour, symbol, size = _style(s, others)
        others += s.role == "other"
        shown = [(g, r, st) for g, r, st in zip(groups, s.rates, s.statuses, strict=True) if r is not None]
        focus = s.role == "focus"
        fig.add_trace(go.Scatter(
            x=[r for _, r, _ in shown], y=[g for g, _, _ in shown], mode="markers+text" if focus else "markers",
            name=s.name, legendrank=rank, text=[f"{r:.1f}" for _, r, _ in shown] if focus else None,
            textposition="top center", textfont=dict(size=14, color=colour),
            marker=dict(symbol=[hollow(symbol, st) for _, _, st in shown], size=size, color=colour,
                        line=dict(width=1.5 if focus else 1, color="white" if focus else colour)),
            hovertemplate=[f"{s.name}<br>{g}: {r:.1f} {unit}<extra></extra>" for g, r, _ in shown]))
    status_keys(fig, [st for s in series for st, r in zip(s.statuses, s.rates, strict=True) if r is not None])
    base_layout(fig, height=FRAME_PX + ROW_PX * len(groups))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0, title_text=""),
                      margin=dict(l=10, r=20, t=34, b=10))  # room for the top row's value labels
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(groups)), showgrid=True, gridcolor="#F0F4F5",
                     ticks="", automargin=True)
    top = max((r for s in series for r in s.rates if r is not None), default=1.0)
    fig.update_xaxes(title_text=axis_title, range=[0, top * 1.08], showgrid=True, gridcolor="#F0F4F5", zeroline=True,
                     zerolinecolor=GUIDE, rangemode="tozero")
    return fig
