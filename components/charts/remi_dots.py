"""The REMI dot plot: the radar's alternative that does not exaggerate areas (a row per domain, stage 1 to 6)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts.palette import base_layout
from components.charts.radar import (
    CURRENT_STYLE,
    MEDIAN_STYLE,
    PREVIOUS_STYLE,
    marker_symbols,
    trace_name,
    wrap_label,
)
from data.remi import stage_text


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
            x=x, y=[y + offset for y in ys], mode="markers", name=trace_name(label, frame["status"]),
            marker=dict(symbol=marker_symbols(style["symbol"], frame["status"]), size=13, color=style["colour"],
                        line=dict(width=2.5, color=style["colour"])),
            customdata=[[d, stage_text(v, names)] for d, v in zip(frame["domain"], x, strict=True)],
            hovertemplate=f"{label}<br>%{{customdata[0]}}: stage %{{customdata[1]}}<extra></extra>",
        ))
    base_layout(fig, height=120 + 70 * n)
    fig.update_xaxes(range=[0.5, 6.5], tickmode="array", tickvals=list(range(1, 7)),
                     ticktext=[str(i) for i in range(1, 7)], showgrid=True, gridcolor="#D8DDE0",
                     title=dict(text=_stage_key(names), font=dict(size=13)))
    fig.update_yaxes(tickmode="array", tickvals=ys, ticktext=[wrap_label(d, 12) for d in current["domain"]],
                     autorange="reversed",
                     range=[n - 0.5, -0.5], showgrid=False, title_text="", ticks="")
    fig.update_layout(legend=dict(y=1.02, yanchor="bottom", traceorder="reversed", font=dict(size=14)),
                      margin=dict(l=10, r=15, t=10, b=10))
    return fig


def _stage_key(names: dict[int, str]) -> str:
    """'1 Awareness · 2 Commitment<br>3 Implementation · 4 Embedding<br>…' (fits a phone)."""
    items = [f"{i} {names.get(i, '')}".strip() for i in range(1, 7)]
    return "<br>".join(" · ".join(items[i:i + 2]) for i in range(0, 6, 2))
