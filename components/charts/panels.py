"""Stacked dot panels (one row per organisation or group, its label written above the marks) and the legend keys
the workforce charts share: what filled and hollow markers mean, and which series is which."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, TEXT, base_layout

ROW_PX, GAP_PX, BOTTOM_PX = 46, 100, 210  # the bottom margin holds the x axis and a legend of up to 6 rows
PUBLISHED_KEY = "Published (filled marker)"
ILLUSTRATIVE_KEY = f"{ILLUSTRATIVE_LABEL}: hollow marker"
GRID = "#F0F4F5"


@dataclass
class RowLabel:
    """A row's label in panel ``panel`` (1-based), written above the marks at row position ``y``."""
    panel: int
    y: float
    text: str
    wrap: int | None = None


@dataclass
class Marks:
    """One trace's markers, in order: where each goes, its symbol (hollow when illustrative), colour and hover text."""
    name: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)

    def add(self, x: float, y: float, symbol: str, colour: str, hover: str) -> None:
        self.xs.append(x)
        self.ys.append(y)
        self.symbols.append(symbol)
        self.colours.append(colour)
        self.hovers.append(hover)


def hollow(symbol: str, status: str) -> str:
    """The marker symbol, drawn hollow for an illustrative value."""
    return f"{symbol}-open" if str(status) == "illustrative" else symbol


def axis_names(k: int) -> tuple[str, str]:
    return ("x", "y") if k == 1 else (f"x{k}", f"y{k}")


def panel_figure(counts: Sequence[int], titles: Sequence[str], row_px: int = ROW_PX, top_px: int = GAP_PX) -> go.Figure:
    """Stacked panels sharing the x axis, sized in pixels so that labels fit on a phone."""
    heights = [max(int(c), 1) * row_px for c in counts]
    n = len(heights)
    plot_h = sum(heights) + GAP_PX * (n - 1)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, row_heights=heights,
                        vertical_spacing=(GAP_PX / plot_h) if n > 1 else 0)
    base_layout(fig, height=plot_h + top_px + BOTTOM_PX)
    fig.update_layout(margin=dict(l=10, r=20, t=top_px, b=BOTTOM_PX),
                      legend=dict(y=-80 / plot_h, yanchor="top"))
    for k, (count, title) in enumerate(zip(counts, titles, strict=True), start=1):
        xa, ya = axis_names(k)
        if title:
            fig.add_annotation(xref=f"{xa} domain", yref=f"{ya} domain", x=0, y=1, yshift=6, xanchor="left", yanchor="bottom",
                               text=title, showarrow=False, align="left", font=dict(size=14, color=TEXT))
        fig.update_yaxes(range=[-0.55, max(int(count), 1) - 0.2], showticklabels=False, showgrid=False, zeroline=False,
                         showline=False, ticks="", row=k, col=1)
    return fig


def _label_annotation(label: RowLabel) -> dict:
    xa, ya = axis_names(label.panel)
    text = label.text
    if label.wrap and len(text.replace("<b>", "").replace("</b>", "")) > label.wrap:
        head, _, tail = text.partition(": ")
        text = f"{head}:<br>{tail}" if tail else text
    return dict(xref=f"{xa} domain", yref=ya, x=0, y=label.y + 0.22, xanchor="left", yanchor="bottom", text=text,
                showarrow=False, align="left", font=dict(size=13, color=TEXT))


def place_labels(fig: go.Figure, labels: Iterable[RowLabel]) -> None:
    # One assignment: add_annotation re-validates every annotation already in the figure, so adding a
    # label per row grew as rows squared (95 s for a WRES chart of 156 trusts).
    fig.update_layout(annotations=[*fig.layout.annotations, *map(_label_annotation, labels)])


def marks_trace(marks: Marks, *, size: int = 13, colour: str | None = None,
                hovertemplate: str = "%{customdata}<extra></extra>", **extra) -> go.Scatter:
    """One trace of markers with no legend entry of its own (keys name them): one colour, or each mark its own."""
    cols: str | list[str] = colour if colour is not None else marks.colours
    return go.Scatter(x=marks.xs, y=marks.ys, mode="markers", showlegend=False, customdata=marks.hovers, name=marks.name,
                      marker=dict(symbol=marks.symbols, size=size, color=cols, line=dict(width=2, color=cols)),
                      hovertemplate=hovertemplate, **extra)


def status_keys(fig: go.Figure, statuses: Iterable[str], *, row: int | None = None) -> None:
    """Legend entries saying what filled and hollow markers mean (only those used)."""
    used = set(map(str, statuses))
    kw = dict(row=row, col=1) if row else {}
    for status, name, symbol in (("published", PUBLISHED_KEY, "circle"), ("illustrative", ILLUSTRATIVE_KEY, "circle-open")):
        if status in used:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                     marker=dict(symbol=symbol, size=11, color=GUIDE, line=dict(width=2, color=GUIDE))),
                          **kw)


def identity_key(fig: go.Figure, name: str, symbol: str, colour: str, *, row: int | None = 1, mode: str = "markers",
                 dash: str = "solid", width: float = 2) -> None:
    """A legend-only entry naming a series by its colour, line and (filled) symbol."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode=mode, name=name, hoverinfo="skip", legendgroup=name,
                             line=dict(color=colour, dash=dash, width=width),
                             marker=dict(symbol=symbol, size=11, color=colour, line=dict(width=2, color=colour))),
                  **(dict(row=row, col=1) if row else {}))
