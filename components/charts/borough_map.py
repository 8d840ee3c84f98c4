"""The flat borough map: every London borough as a filled polygon shaded by binned value, NEL's eight
in full colour, outlined and labelled, the other 25 lighter on the same scale.

Prepared rows (data.borough_rows.measure_rows) and bins in, a plotly figure out. No geo trace, so no
world topojson from a CDN: each borough is a filled scatter polygon.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.charts.palette import FONT, GUIDE, HIGHLIGHT, ILLUSTRATIVE_LABEL, MUTED, SEQUENTIAL, TEXT
from components.words import fmt_value, status_label
from data.borough_rows import NOT_PUBLISHED, nel_only, short_period
from geo.boundaries import borough_centroids, load_boroughs

NOT_PUBLISHED_LABEL = "Not yet published"
OTHER_LABEL = "Other London boroughs (not part of NEL): same scale, lighter"
OTHER_OPACITY = 0.45  # the other 25 boroughs: the same colours, lighter, so NEL's eight stand out
WHITE = "#FFFFFF"
HATCH = {"shape": "/", "fgcolor": WHITE, "size": 9, "solidity": 0.25}  # illustrative fills (bgcolor: the fill)

# The map's coordinates: integers in units of 1/10,000 degree from this origin (short JSON);
# the y axis is stretched by 1/cos(latitude) so shapes keep their proportions.
_ORIGIN_LON, _ORIGIN_LAT, _UNITS = -0.52, 51.28, 10_000
_Y_SCALE = 1 / math.cos(math.radians(51.5))
# Where each NEL borough's label sits (lon, lat), placed by hand so that no two labels meet even on a
# 390px phone: small and crowded boroughs get their label outside NEL, over the grey boroughs or
# beyond London's edge, joined by a line. Boroughs not listed are labelled in place.
LABEL_SLOTS = {
    "E09000031": (-0.075, 51.685),   # Waltham Forest: north, beyond London's edge
    "E09000026": (0.105, 51.685),    # Redbridge: north
    "E09000016": (0.285, 51.685),    # Havering: north
    "E09000012": (-0.175, 51.6),     # Hackney: west, over Haringey
    "E09000001": (-0.17, 51.45),     # City of London: south, over Lambeth (two staggered rows)
    "E09000030": (-0.05, 51.395),    # Tower Hamlets: south, over Lewisham
    "E09000025": (0.07, 51.45),      # Newham: south, over Greenwich
    "E09000002": (0.205, 51.395),    # Barking and Dagenham: south, over Bexley
}
# The part of the map always in view (lon, lat): NEL and its labels. Plotly widens one of these to
# fill the chart's shape, so a wide screen shows more of London to the west and a phone more to the north and south.
VIEW_LON, VIEW_LAT = (-0.265, 0.35), (51.365, 51.71)


def value_text(value: object, unit: str, digits: int = 1) -> str:
    """Shares to one decimal (like the headlines), counts whole; 'not yet published' for no value."""
    return fmt_value(value, unit, digits, missing=NOT_PUBLISHED)


# --- Bins of the sequential scale --------------------------------------------------------------

@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    colour: str
    label: str

    def holds(self, value: float, last: bool = False) -> bool:
        return self.low <= value < self.high or (last and value == self.high)


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def make_bins(values: Iterable[Any], unit: str, target: int = 5) -> list[Bin]:
    """Equal-width bins with round edges covering the values; darker blue for higher values.

    The lightest colour of the scale is left out so no value looks like 'not yet published' (white).
    """
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    step = _nice_step((high - low) / target) if high > low else _nice_step(max(abs(low) * 0.1, 1))
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(edges[-1] + step)
    n = len(edges) - 1
    shades = SEQUENTIAL[1:]
    idx = [round(i * (len(shades) - 1) / (n - 1)) for i in range(n)] if n > 1 else [len(shades) // 2]
    bins = []
    for i in range(n):
        lo, hi = edges[i], edges[i + 1]
        label = f"{_edge(lo, unit)} to under {_edge(hi, unit)}"
        bins.append(Bin(lo, hi, shades[idx[i]], label))
    return bins


def _edge(v: float, unit: str) -> str:
    return f"{v:g}%" if unit == "percent" else f"{v:,.0f}"


def bin_for(value: float | None, bins: list[Bin]) -> Bin | None:
    if value is None or value != value:
        return None
    for i, b in enumerate(bins):
        if b.holds(value, last=i == len(bins) - 1):
            return b
    return None


def colour_for(value: float, bins: list[Bin]) -> str:
    """The fill of a borough that has a value (always inside the bins made from the same values)."""
    b = bin_for(value, bins)
    assert b is not None, f"{value} is outside the bins"
    return b.colour


# --- Geometry ----------------------------------------------------------------------------------

def _xy(lon: float, lat: float) -> tuple[int, int]:
    return round((lon - _ORIGIN_LON) * _UNITS), round((lat - _ORIGIN_LAT) * _UNITS)


@lru_cache(maxsize=1)
def _shapes() -> dict[str, tuple[tuple, tuple, float]]:
    """GSS code -> (xs, ys, area in km²): each exterior ring closed, parts separated by None.

    Coordinates are whole 1/10,000 degrees (about 7 m east-west, 11 m north-south): finer than a
    phone's pixels at this scale, and far fewer characters than full floats. Holes (only tiny ones
    in Richmond upon Thames) are left out.
    """
    gdf = load_boroughs()
    areas = gdf.geometry.to_crs("EPSG:27700").area / 1e6
    out = {}
    for gss, geom, area in zip(gdf["gss_code"], gdf.geometry, areas, strict=True):
        xs: list = []
        ys: list = []
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for part in sorted(parts, key=lambda p: -p.area):
            if xs:
                xs.append(None)
                ys.append(None)
            pts = [_xy(x, y) for x, y in part.exterior.coords]
            pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]  # drop repeats after rounding
            xs.extend(p[0] for p in pts)
            ys.extend(p[1] for p in pts)
        out[str(gss)] = (tuple(xs), tuple(ys), float(area))
    return out


def _london_names() -> dict[str, str]:
    return dict(zip(borough_centroids()["gss_code"], borough_centroids()["name"], strict=True))


# --- The figure --------------------------------------------------------------------------------

def borough_map_figure(rows: pd.DataFrame, bins: list[Bin], info: dict[str, Any], chosen: str, *,
                       height: int = 620) -> go.Figure:
    """Every London borough as a filled polygon shaded by ``bins``: NEL's eight in full colour with dark
    outlines and labels, the other 25 lighter (same scale) with their values in the hover text.

    Illustrative values: hatched fill, dotted outline, '(illustrative)' in the label and the legend.
    Not yet published: white fill with a dashed outline and the words in the label.
    The chosen borough: a thick yellow outline with a black edge, named in the legend.
    """
    unit = info["unit"]
    nel = nel_only(rows).set_index("gss_code")
    fig = go.Figure()
    for trace in (*_other_borough_traces(rows, bins, unit), *_nel_borough_traces(nel, bins, unit),
                  *_chosen_traces(nel, chosen), *_legend_traces(rows, nel, bins)):
        fig.add_trace(trace)
    fig.update_layout(annotations=_labels(nel_only(rows), unit, chosen))
    fig.update_layout(
        template="none", font=FONT, height=height, paper_bgcolor=WHITE, plot_bgcolor=WHITE,
        margin=dict(l=4, r=4, t=4, b=4), hoverlabel=dict(font_size=15), dragmode=False, hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0,
                    title=dict(text=f"{info['label']}:", side="top"),
                    itemclick=False, itemdoubleclick=False, font=dict(size=14), traceorder="normal"),
        xaxis=dict(visible=False, fixedrange=True, range=[_xy(VIEW_LON[0], 0)[0], _xy(VIEW_LON[1], 0)[0]]),
        yaxis=dict(visible=False, fixedrange=True, scaleanchor="x", scaleratio=round(_Y_SCALE, 4),
                   range=[_xy(0, VIEW_LAT[0])[1], _xy(0, VIEW_LAT[1])[1]]),
    )
    return fig


def _other_borough_traces(rows: pd.DataFrame, bins: list[Bin], unit: str) -> list[go.Scatter]:
    """The other London boroughs, drawn first (underneath), lighter and unlabelled; name and value in the hover."""
    shapes, names = _shapes(), _london_names()
    others = rows[~rows["in_nel"]].set_index("gss_code")
    nel_codes = set(rows.loc[rows["in_nel"], "gss_code"])
    traces = []
    for gss in sorted(shapes):
        if gss in nel_codes:
            continue
        xs, ys, _ = shapes[gss]
        name = names.get(gss, gss)
        value = others.at[gss, "value"] if gss in others.index else np.nan
        b = bin_for(value, bins)
        hover = f"{name}: {value_text(value, unit, 1)} (not part of NEL)"
        if gss in others.index and others.at[gss, "status"] == "illustrative":
            hover += "<br>Illustrative (not real data)"
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=b.colour if b else MUTED, opacity=OTHER_OPACITY if b else 1,
            line=dict(color=WHITE, width=1), name=name, text=hover,
            hoveron="fills", hoverinfo="text", showlegend=False, legendgroup="other",
        ))
    return traces


def _nel_borough_traces(nel: pd.DataFrame, bins: list[Bin], unit: str) -> list[go.Scatter]:
    """NEL's boroughs: illustrative ones last so their dotted outline is not covered by a neighbour's."""
    shapes = _shapes()
    order = sorted(nel.index, key=lambda g: (nel.at[g, "status"] == "illustrative", str(nel.at[g, "name"])))
    traces = []
    for gss in order:
        r = nel.loc[gss]
        xs, ys, _ = shapes[gss]
        hover = f"{r['name']}: {value_text(r['value'], unit, 1)}"
        trace: dict[str, Any] = dict(x=xs, y=ys, mode="lines", fill="toself", name=str(r["name"]), hoveron="fills",
                                     hoverinfo="text", showlegend=False)
        if pd.isna(r["value"]):
            trace.update(fillcolor=WHITE, line=dict(color=TEXT, width=1.5, dash="dash"), legendgroup="unpublished")
        else:
            hover += f"<br>{status_label(r['status'])}, {short_period(r['period'])}"
            b = bin_for(r["value"], bins)
            assert b is not None, f"{r['value']} is outside the bins"
            if r["status"] == "illustrative":
                trace.update(fillcolor=b.colour, line=dict(color=TEXT, width=2, dash="dot"), legendgroup="illustrative",
                             fillpattern=dict(HATCH, bgcolor=b.colour))
            else:
                trace.update(fillcolor=b.colour, line=dict(color=TEXT, width=1.5), legendgroup=b.label)
        traces.append(go.Scatter(text=hover, **trace))
    return traces


def _chosen_traces(nel: pd.DataFrame, chosen: str) -> list[go.Scatter]:
    """The chosen borough's outline: a black underlay, a yellow line on top."""
    shapes = _shapes()
    if chosen not in shapes:
        return []
    xs, ys, _ = shapes[chosen]
    chosen_name = str(nel.at[chosen, "name"]) if chosen in nel.index else _london_names().get(chosen, chosen)
    return [go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=TEXT, width=7), hoverinfo="skip",
                       showlegend=False, name="chosen-edge"),
            go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=HIGHLIGHT, width=3.5), hoverinfo="skip",
                       showlegend=True, name=f"Chosen: {chosen_name}", legendrank=1)]


def _legend_traces(rows: pd.DataFrame, nel: pd.DataFrame, bins: list[Bin]) -> list[go.Scatter]:
    """One legend entry per bin, then the meanings that are not values."""
    present = {_bin_label(v, bins) for v in nel["value"].dropna()}
    out = [_legend_entry(f"{b.label}" + ("" if b.label in present else " (none)"),
                         fillcolor=b.colour, line=dict(color=TEXT, width=1.5)) for b in bins]
    if (nel["status"] == "illustrative").any():
        out.append(_legend_entry(ILLUSTRATIVE_LABEL, fillcolor=SEQUENTIAL[3], line=dict(color=TEXT, width=2, dash="dot"),
                                 fillpattern=dict(HATCH, bgcolor=SEQUENTIAL[3])))
    if nel["value"].isna().any():
        out.append(_legend_entry(NOT_PUBLISHED_LABEL, fillcolor=WHITE, line=dict(color=TEXT, width=1.5, dash="dash")))
    if (~rows["in_nel"]).any():
        out.append(_legend_entry(OTHER_LABEL, fillcolor=SEQUENTIAL[3], opacity=OTHER_OPACITY, line=dict(color=WHITE, width=1)))
    return out


def _bin_label(value: float, bins: list[Bin]) -> str:
    b = bin_for(value, bins)
    return b.label if b else ""


def _legend_entry(name: str, **style: Any) -> go.Scatter:
    """A legend-only trace (no points drawn): a filled swatch with the given style."""
    return go.Scatter(x=[None], y=[None], mode="lines", fill="toself", name=name, showlegend=True,
                      hoverinfo="skip", **style)


def _labels(rows: pd.DataFrame, unit: str, chosen: str) -> list[dict]:
    """Name and value of each NEL borough, on a white box so any fill stays readable (see LABEL_SLOTS)."""
    points = borough_centroids().set_index("gss_code")
    out = []
    for _, r in rows.iterrows():
        gss = r["gss_code"]
        if gss not in points.index:
            continue
        x, y = _xy(points.at[gss, "lon"], points.at[gss, "lat"])
        name = str(r["name"]).replace("Barking and Dagenham", "Barking and<br>Dagenham")
        lines = [f"<b>{name}</b>" if gss == chosen else name, value_text(r["value"], unit)]
        if r["status"] == "illustrative":
            lines.append("(illustrative)")
        slot = LABEL_SLOTS.get(gss)
        ax, ay = _xy(*slot) if slot else (x, y)
        out.append(dict(
            x=x, y=y, ax=ax, ay=ay, axref="x", ayref="y", text="<br>".join(lines), showarrow=bool(slot),
            arrowcolor=TEXT, arrowwidth=1.2, arrowhead=0, standoff=0, font=dict(size=12, color=TEXT),
            bgcolor="rgba(255,255,255,0.9)", bordercolor=TEXT if gss == chosen else GUIDE,
            borderwidth=2 if gss == chosen else 1, borderpad=2, align="center",
        ))
    return out
