"""One colour-blind-safe palette, and the marks that carry meaning without colour.

Colours are dark enough for 3:1 non-text contrast on white (WCAG 1.4.11). Series are also told
apart by dash pattern and marker symbol, and every chart has a legend or direct labels, so no
meaning rests on colour alone. Illustrative values are drawn hollow and dotted.
"""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

# Blue, orange, green, purple, grey, black: distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ["#005EB8", "#B35900", "#00794F", "#7A2E8E", "#4C6272", "#212B32"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star"]
MUTED = "#D8DDE0"          # boroughs outside NEL, neutral guides
GUIDE = "#768692"          # reference lines and the neutral 0.8-1.25 band's edge
TEXT = "#212B32"
HIGHLIGHT = "#FFB81C"      # NHS warm yellow outline for the chosen borough (with a thick black edge)
# Sequential scale for choropleths: light to dark blue; every step distinguishable in greyscale.
SEQUENTIAL = ["#E8F1FA", "#B9D3EE", "#8AB5E2", "#5B97D6", "#2C79CA", "#005EB8", "#00468A", "#002F5C"]
FONT = dict(family="Arial, Helvetica, sans-serif", size=15, color=TEXT)

PUBLISHED_MARKER = dict(size=10, line=dict(width=2))
ILLUSTRATIVE_LABEL = "Illustrative (not real data)"


# plotly's simple_white, cut to the trace types and layout parts these charts use: the whole template
# is 8.6 KB of JSON sent with every chart (more than half of a small chart) and copied at every build.
_SIMPLE_WHITE = pio.templates["simple_white"]
TRACE_TYPES = ("bar", "scatter", "scatterpolar", "heatmap")
HOUSE_TEMPLATE = go.layout.Template(
    data={kind: _SIMPLE_WHITE.data[kind] for kind in TRACE_TYPES},
    layout={key: _SIMPLE_WHITE.layout[key] for key in (
        "annotationdefaults", "autotypenumbers", "colorway", "font", "hoverlabel", "hovermode", "paper_bgcolor",
        "plot_bgcolor", "polar", "shapedefaults", "title", "xaxis", "yaxis")},
)


def series_style(i: int) -> dict:
    return dict(colour=SERIES_COLOURS[i % len(SERIES_COLOURS)], dash=DASHES[i % len(DASHES)],
                symbol=SYMBOLS[i % len(SYMBOLS)])


def base_layout(fig: go.Figure, *, height: int = 420, legend_below: bool = True) -> go.Figure:
    """The house style: white ground, dark text, large type, legend under the plot (phones)."""
    fig.update_layout(
        template=HOUSE_TEMPLATE, font=FONT, height=height, margin=dict(l=10, r=20, t=20, b=10),
        paper_bgcolor="white", plot_bgcolor="white", hoverlabel=dict(font_size=15),
        shapedefaults=dict(opacity=1),  # simple_white fades shapes to 30%: reference lines must stay visible
    )
    if legend_below:
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0, title_text=""))
    return fig


PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True, "scrollZoom": False}
