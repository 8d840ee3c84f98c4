"""The borough map: NEL's eight boroughs in London, as a flat plotly map and a pydeck 3D view.

Pure builders (no Streamlit): tidy frames in, ChartCards out. Neither view needs the network:
the plotly map draws each borough as a filled scatter polygon (no geo trace, so no world
topojson from a CDN), and the pydeck view uses an empty inline map style (no basemap tiles).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import shapely.geometry

from components.cards.base import ChartCard, sources_for, status_label
from components.charts.palette import FONT, GUIDE, HIGHLIGHT, ILLUSTRATIVE_LABEL, MUTED, SEQUENTIAL, TEXT
from components.words import fmt_number, fmt_percent_short
from components.words import fmt_value as _fmt_value
from data.derive import GLOBAL_MAJORITY_MEASURE
from data.schema import GLOBAL_MAJORITY_DEFINITION
from geo.boundaries import ATTRIBUTION, borough_centroids, borough_geojson, load_boroughs

DEFAULT_MEASURE = GLOBAL_MAJORITY_MEASURE
# Newham by default: the ICB's main site (Stratford) is there, and it sits in the middle of NEL,
# so the highlight is easy to find.
DEFAULT_BOROUGH = "E09000025"
NOT_PUBLISHED = "not yet published"
NOT_PUBLISHED_LABEL = "Not yet published"
OTHER_LABEL = "Other London boroughs (not part of NEL): same scale, lighter"
OTHER_OPACITY = 0.45  # the other 25 boroughs: the same colours, lighter, so NEL's eight stand out
TABLE_SCOPES = {"nel": "North East London's eight boroughs", "london": "All 33 London boroughs"}
EMPTY_MAP_STYLE = 'data:application/json,{"version":8,"sources":{},"layers":[]}'
BOUNDARY_SOURCE = "london-boundaries"
SITES_SOURCE = "ods-etr"
WHITE = "#FFFFFF"

# The plotly map's coordinates: integers in units of 1/10,000 degree from this origin (short JSON);
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

# --- Picking the rows ------------------------------------------------------------------------

def nel_boroughs(frame: pd.DataFrame) -> dict[str, str]:
    """GSS code -> name of the NEL boroughs, in alphabetical order of name."""
    nel = frame[frame["in_nel"].fillna(False).astype(bool)].drop_duplicates("gss_code").sort_values("name")
    return dict(zip(nel["gss_code"].astype(str), nel["name"].astype(str), strict=True))


def measure_info(frame: pd.DataFrame, measures: pd.DataFrame | None, measure_id: str) -> dict:
    """Label, unit and definition of one measure (``measures``: measure_id, definition)."""
    rows = frame[frame["measure_id"] == measure_id]
    label = str(rows["measure"].iloc[0]) if len(rows) else measure_id
    unit = str(rows["unit"].iloc[0]) if len(rows) else "percent"
    definition = ""
    if measures is not None and len(measures):
        m = measures[measures["measure_id"] == measure_id]
        if len(m) and isinstance(m["definition"].iloc[0], str):
            definition = m["definition"].iloc[0]
    if measure_id == DEFAULT_MEASURE and "WRES" not in definition:
        definition = f"{definition} {GLOBAL_MAJORITY_DEFINITION}".strip()
    return {"id": measure_id, "label": label, "unit": unit, "definition": definition}


def measure_rows(frame: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """One row per London borough for one measure (value NaN and status 'not yet published' where missing).

    Columns: gss_code, name, in_nel, value, status, source_id, period, note; NEL's boroughs first, each
    part sorted by name.
    """
    boroughs = frame.drop_duplicates("gss_code")[["gss_code", "name", "in_nel"]].copy()
    boroughs["in_nel"] = boroughs["in_nel"].fillna(False).astype(bool)
    have = frame[frame["measure_id"] == measure_id].drop_duplicates("gss_code").set_index("gss_code")
    rows = []
    for gss, name, in_nel in zip(boroughs["gss_code"].astype(str), boroughs["name"].astype(str), boroughs["in_nel"], strict=True):
        if gss in have.index and pd.notna(have.at[gss, "value"]):
            r = have.loc[gss]
            rows.append({"gss_code": gss, "name": name, "in_nel": bool(in_nel), "value": float(r["value"]),
                         "status": str(r["status"]), "source_id": _text(r["source_id"]), "period": _text(r["period"]),
                         "note": _text(r["note"])})
        else:
            rows.append({"gss_code": gss, "name": name, "in_nel": bool(in_nel), "value": np.nan, "status": NOT_PUBLISHED,
                         "source_id": "", "period": "", "note": ""})
    out = pd.DataFrame(rows, columns=["gss_code", "name", "in_nel", "value", "status", "source_id", "period", "note"])
    return out.sort_values(["in_nel", "name"], ascending=[False, True]).reset_index(drop=True)


def nel_only(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["in_nel"]].reset_index(drop=True)


def benchmark_rows(benchmarks: pd.DataFrame | None, measure_id: str) -> pd.DataFrame:
    """Wider-area figures (North East London, London, England; see derive.area_comparators) for the same measure."""
    cols = ["area", "value", "status", "source_id", "period", "note"]
    if benchmarks is None or not len(benchmarks):
        return pd.DataFrame(columns=cols)
    b = benchmarks[(benchmarks["measure_id"] == measure_id) & benchmarks["value"].notna()]
    return b[cols].reset_index(drop=True)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)


# --- Numbers in words --------------------------------------------------------------------------

def fmt_value(value: float, unit: str, digits: int = 1) -> str:
    """Shares to one decimal (like the headlines), counts whole; 'not yet published' for no value."""
    return _fmt_value(value, unit, digits, missing=NOT_PUBLISHED)


def short_period(period: str) -> str:
    """'Census 2021 (21 March 2021)' -> 'Census 2021'."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", str(period)).strip() or str(period)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


_PROPER_FIRST_WORDS = {"Asian", "Black", "Mixed", "White", "Other", "London", "England"}


def _lower_first(s: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless it starts a group's or place's name."""
    first = s.split(" ", 1)[0]
    if first in _PROPER_FIRST_WORDS or s[:2] == s[:2].upper():
        return s
    return s[:1].lower() + s[1:]


SHARE_SUFFIX = " share of residents"


def value_phrase(measure_id: str, label: str, unit: str, value: float) -> str:
    """'69% of residents are from the global majority'; '42% of residents gave their ethnic group as
    Bangladeshi'; 'there were 310,306 usual residents'."""
    if measure_id == GLOBAL_MAJORITY_MEASURE:
        return f"{fmt_value(value, unit)} of residents are from the global majority"
    if unit == "percent" and label.endswith(SHARE_SUFFIX):
        return f"{fmt_value(value, unit)} of residents gave their ethnic group as {label[:-len(SHARE_SUFFIX)]}"
    if unit == "count":
        return f"there were {fmt_value(value, unit)} {_lower_first(label)}"
    return f"the {_lower_first(label)} is {fmt_value(value, unit)}"


def _rank_words(valued: pd.DataFrame, value: float, among: str) -> str:
    rank = int((valued["value"] > value).sum()) + 1
    from_bottom = int((valued["value"] < value).sum()) + 1
    if rank == 1:
        place = "the highest"
    elif from_bottom == 1:
        place = "the lowest"
    elif rank > len(valued) / 2:
        place = f"the {ordinal(from_bottom)} lowest"
    else:
        place = f"the {ordinal(rank)} highest"
    return f"{place} of {among}"


def borough_sentence(rows: pd.DataFrame, chosen: str, info: dict, benchmarks: pd.DataFrame) -> str:
    """The chosen borough's figure, its rank among NEL's boroughs (and London's, where every borough
    has a figure), and the wider-area comparators."""
    nel = nel_only(rows)
    by_code = rows.set_index("gss_code")
    name = str(by_code.at[chosen, "name"])
    value = by_code.at[chosen, "value"]
    label, unit = info["label"], info["unit"]
    valued = nel.dropna(subset=["value"])
    if pd.isna(value):
        count = len(valued)
        return (f"For {name}, the figure for {_lower_first(label)} is not yet published "
                f"({count} of NEL's {_NUMBER_WORDS.get(len(nel), len(nel))} boroughs have a figure).")
    status = by_code.at[chosen, "status"]
    when = "an illustrative figure, not real data" if status == "illustrative" else short_period(by_code.at[chosen, "period"])
    text = f"In {name}, {value_phrase(info['id'], label, unit, value)} ({when})"
    places = []
    if bool(by_code.at[chosen, "in_nel"]) and len(valued) > 1:
        if len(valued) == len(nel):
            places.append(_rank_words(valued, value, f"NEL's {_NUMBER_WORDS.get(len(nel), len(nel))} boroughs"))
        else:
            places.append(_rank_words(valued, value, f"the {len(valued)} NEL boroughs with a figure"))
    london = rows.dropna(subset=["value"])
    if len(london) == len(rows) and len(rows) > len(nel):
        places.append(_rank_words(london, value, f"London's {len(rows)}"))
    if places:
        text += ", " + " and ".join(places)
        ranked = rows if len(london) == len(rows) else valued
        if (ranked["status"] == "illustrative").any():
            text += " (the ranking includes illustrative figures)"
    text += "."
    if len(benchmarks):
        parts = []
        for _, b in benchmarks.iterrows():
            as_stated = "strategy" in str(b["period"]).lower()
            value = fmt_percent_short(b["value"]) if as_stated and unit == "percent" else fmt_value(float(b["value"]), unit)
            parts.append(f"{b['area']} {value}{' (as stated in the strategy)' if as_stated else ''}")
        text += " For comparison: " + _join(parts) + "."
    return text


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def map_title(rows: pd.DataFrame, info: dict) -> str:
    """States the finding: where, of NEL's boroughs, the measure is highest and lowest."""
    valued = nel_only(rows).dropna(subset=["value"]).sort_values("value")
    label, unit = info["label"], info["unit"]

    def named(r) -> str:
        return f"{r['name']} ({fmt_value(r['value'], unit)}{', illustrative' if r['status'] == 'illustrative' else ''})"

    if valued.empty:
        return f"{label}: not yet published for any NEL borough"
    if len(valued) == 1:
        return f"{label}: so far only {named(valued.iloc[0])} has a figure"
    if unit == "count":
        return f"{label}: most in {named(valued.iloc[-1])}, fewest in {named(valued.iloc[0])}"
    return f"{label} is highest in {named(valued.iloc[-1])} and lowest in {named(valued.iloc[0])}"


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


def make_bins(values, unit: str, target: int = 5) -> list[Bin]:
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


def bin_for(value: float, bins: list[Bin]) -> Bin | None:
    if value is None or value != value:
        return None
    for i, b in enumerate(bins):
        if b.holds(value, last=i == len(bins) - 1):
            return b
    return None


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


# --- The plotly map ----------------------------------------------------------------------------

def borough_map_figure(rows: pd.DataFrame, info: dict, chosen: str, *, height: int = 620) -> go.Figure:
    """Every London borough as a filled polygon shaded by binned value: NEL's eight in full colour with
    dark outlines and labels, the other 25 lighter (same scale) with their values in the hover text.

    Illustrative values: hatched fill, dotted outline, '(illustrative)' in the label and the legend.
    Not yet published: white fill with a dashed outline and the words in the label.
    The chosen borough: a thick yellow outline with a black edge, named in the legend.
    """
    shapes = _shapes()
    names = _london_names()
    unit, label = info["unit"], info["label"]
    bins = make_bins(rows["value"], unit)
    others = rows[~rows["in_nel"]].set_index("gss_code")
    nel = nel_only(rows).set_index("gss_code")
    fig = go.Figure()

    # Other London boroughs first (underneath), lighter and unlabelled; name and value in the hover.
    for gss in sorted(shapes):
        if gss in nel.index:
            continue
        xs, ys, _ = shapes[gss]
        name = names.get(gss, gss)
        value = others.at[gss, "value"] if gss in others.index else np.nan
        b = bin_for(value, bins)
        hover = f"{name}: {fmt_value(value, unit, 1)} (not part of NEL)"
        illustrative = gss in others.index and others.at[gss, "status"] == "illustrative"
        if illustrative:
            hover += "<br>Illustrative (not real data)"
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=b.colour if b else MUTED, opacity=OTHER_OPACITY if b else 1,
            line=dict(color=WHITE, width=1), name=name, text=hover,
            hoveron="fills", hoverinfo="text", showlegend=False, legendgroup="other",
        ))

    # NEL boroughs: illustrative ones last so their dotted outline is not covered by a neighbour's.
    order = sorted(nel.index, key=lambda g: (nel.at[g, "status"] == "illustrative", str(nel.at[g, "name"])))
    for gss in order:
        r = nel.loc[gss]
        xs, ys, _ = shapes[gss]
        b = bin_for(r["value"], bins)
        published = pd.notna(r["value"]) and r["status"] != "illustrative"
        illustrative = pd.notna(r["value"]) and r["status"] == "illustrative"
        hover = f"{r['name']}: {fmt_value(r['value'], unit, 1)}"
        if pd.notna(r["value"]):
            hover += f"<br>{status_label(r['status'])}, {short_period(r['period'])}"
        trace = dict(x=xs, y=ys, mode="lines", fill="toself", name=str(r["name"]), text=hover,
                     hoveron="fills", hoverinfo="text", showlegend=False)
        if published:
            trace.update(fillcolor=b.colour, line=dict(color=TEXT, width=1.5), legendgroup=b.label)
        elif illustrative:
            trace.update(fillcolor=b.colour, line=dict(color=TEXT, width=2, dash="dot"), legendgroup="illustrative",
                         fillpattern=dict(shape="/", fgcolor=WHITE, bgcolor=b.colour, size=9, solidity=0.25))
        else:
            trace.update(fillcolor=WHITE, line=dict(color=TEXT, width=1.5, dash="dash"), legendgroup="unpublished")
        fig.add_trace(go.Scatter(**trace))

    # The chosen borough: black underlay, yellow line on top.
    if chosen in shapes:
        xs, ys, _ = shapes[chosen]
        chosen_name = str(nel.at[chosen, "name"]) if chosen in nel.index else names.get(chosen, chosen)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=TEXT, width=7), hoverinfo="skip",
                                 showlegend=False, name="chosen-edge"))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=HIGHLIGHT, width=3.5), hoverinfo="skip",
                                 showlegend=True, name=f"Chosen: {chosen_name}", legendrank=1))

    # Legend: one entry per bin, then the meanings that are not values.
    values_present = {bin_for(v, bins).label for v in nel["value"].dropna()} if bins else set()
    for b in bins:
        fig.add_trace(_legend_entry(f"{b.label}" + ("" if b.label in values_present else " (none)"),
                                    fillcolor=b.colour, line=dict(color=TEXT, width=1.5)))
    if (nel["status"] == "illustrative").any():
        fig.add_trace(_legend_entry(ILLUSTRATIVE_LABEL, fillcolor=SEQUENTIAL[3], line=dict(color=TEXT, width=2, dash="dot"),
                                    fillpattern=dict(shape="/", fgcolor=WHITE, bgcolor=SEQUENTIAL[3], size=9, solidity=0.25)))
    if nel["value"].isna().any():
        fig.add_trace(_legend_entry(NOT_PUBLISHED_LABEL, fillcolor=WHITE, line=dict(color=TEXT, width=1.5, dash="dash")))
    if len(others):
        fig.add_trace(_legend_entry(OTHER_LABEL, fillcolor=SEQUENTIAL[3], opacity=OTHER_OPACITY, line=dict(color=WHITE, width=1)))

    fig.update_layout(annotations=_labels(nel_only(rows), unit, chosen))
    fig.update_layout(
        template="none", font=FONT, height=height, paper_bgcolor=WHITE, plot_bgcolor=WHITE,
        margin=dict(l=4, r=4, t=4, b=4), hoverlabel=dict(font_size=15), dragmode=False, hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0, title=dict(text=f"{label}:", side="top"),
                    itemclick=False, itemdoubleclick=False, font=dict(size=14), traceorder="normal"),
        xaxis=dict(visible=False, fixedrange=True, range=[_xy(VIEW_LON[0], 0)[0], _xy(VIEW_LON[1], 0)[0]]),
        yaxis=dict(visible=False, fixedrange=True, scaleanchor="x", scaleratio=round(_Y_SCALE, 4),
                   range=[_xy(0, VIEW_LAT[0])[1], _xy(0, VIEW_LAT[1])[1]]),
    )
    return fig


def _legend_entry(name: str, **style) -> go.Scatter:
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
        lines = [f"<b>{name}</b>" if gss == chosen else name, fmt_value(r["value"], unit)]
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


def map_alt(rows: pd.DataFrame, info: dict, chosen_name: str) -> str:
    def values(part: pd.DataFrame) -> str:
        return "; ".join(f"{r['name']} {fmt_value(r['value'], info['unit'])}"
                         f"{' (illustrative)' if r['status'] == 'illustrative' else ''}"
                         for _, r in part.sort_values("value", ascending=False, na_position="last").iterrows())
    nel, others = nel_only(rows), rows[~rows["in_nel"]]
    text = (f"Map of London's 33 boroughs shaded by {_lower_first(info['label'])}, darker for higher values. "
            f"North East London's eight boroughs are outlined and labelled; the other 25 are drawn lighter. "
            f"{chosen_name} is outlined in yellow. North East London: {values(nel)}.")
    if len(others):
        text += f" Other London boroughs: {values(others)}."
    return text


# --- The table ---------------------------------------------------------------------------------

def _source_titles(ids: str, sources: pd.DataFrame) -> str:
    got = sources_for([i for i in str(ids).split(";") if i], sources)
    return "; ".join(s.title for s in got) or ("Not yet published" if not ids else str(ids))


def map_table(rows: pd.DataFrame, info: dict, chosen: str, benchmarks: pd.DataFrame, sources: pd.DataFrame,
              scope: str = "nel") -> pd.DataFrame:
    """The chosen borough first, then NEL's boroughs from highest to lowest (with ``scope='london'``, the
    other 25 boroughs after them), then the wider areas."""
    unit = info["unit"]
    value_col = f"{info['label']} ({'%' if unit == 'percent' else 'number'})"
    shown = rows if scope == "london" else pd.concat([nel_only(rows), rows[rows["gss_code"] == chosen]]).drop_duplicates("gss_code")
    rest = shown[shown["gss_code"] != chosen].sort_values(["in_nel", "value"], ascending=[False, False], na_position="last")
    ordered = pd.concat([shown[shown["gss_code"] == chosen], rest])
    out = []
    for _, r in ordered.iterrows():
        missing = pd.isna(r["value"])
        out.append({
            "Borough or area": f"{r['name']} (chosen)" if r["gss_code"] == chosen else str(r["name"]),
            "Part of NEL": "Yes" if r["in_nel"] else "No",
            value_col: NOT_PUBLISHED if missing else _plain_number(r["value"], unit),
            "Status": NOT_PUBLISHED_LABEL if missing else status_label(r["status"]),
            "Source": "" if missing else _source_titles(r["source_id"], sources),
            "Period": str(r["period"]), "Note": str(r["note"]),
        })
    for _, b in benchmarks.iterrows():
        out.append({
            "Borough or area": f"{b['area']} (wider area)", "Part of NEL": "",
            value_col: _plain_number(float(b["value"]), unit),
            "Status": status_label(b["status"]), "Source": _source_titles(b["source_id"], sources),
            "Period": str(b["period"]), "Note": _text(b["note"]),
        })
    return pd.DataFrame(out)


def _plain_number(v: float, unit: str) -> str:
    return fmt_number(v, 1).replace(",", "") if unit == "percent" else fmt_number(v, 0)


# --- Cards -------------------------------------------------------------------------------------

def _periods(rows: pd.DataFrame) -> str:
    return "; ".join(dict.fromkeys(p for p in rows["period"].astype(str) if p))


def _caveats(rows: pd.DataFrame, info: dict, benchmarks: pd.DataFrame) -> list[str]:
    notes = []
    missing = nel_only(rows).loc[lambda r: r["value"].isna(), "name"].tolist()
    if missing:
        notes.append(f"Not yet published for {_join(missing)}: drawn white with a dashed outline, not as a value.")
    if (rows["status"] == "illustrative").any():
        notes.append("Illustrative values are invented to show how the map works. They are hatched, outlined with "
                     "dots and labelled '(illustrative)'; they are not Census figures.")
    for _, b in benchmarks.iterrows():
        if _text(b["note"]):
            notes.append(f"{b['area']}: {b['note']}")
    if (~rows["in_nel"]).any():
        notes.append("The other 25 London boroughs are drawn lighter, on the same scale, for context: hover over one, "
                     "or show all of London in the table, to read its value.")
    notes.append(f"Borough boundaries: {ATTRIBUTION} Open Government Licence v3.0. Generalised boundaries "
                 "(vega-datasets), simplified for display.")
    return notes


def borough_map_card(frame: pd.DataFrame, measures: pd.DataFrame | None, benchmarks: pd.DataFrame | None,
                     sources: pd.DataFrame, measure_id: str, chosen: str, scope: str = "nel") -> ChartCard:
    info = measure_info(frame, measures, measure_id)
    rows = measure_rows(frame, measure_id)
    bench = benchmark_rows(benchmarks, measure_id)
    chosen_name = nel_boroughs(frame).get(chosen, chosen)
    ids = [i for s in list(rows["source_id"]) + list(bench["source_id"]) for i in str(s).split(";") if i]
    periods = {short_period(p) for p in rows["period"] if p}
    return ChartCard(
        key="borough-map" if scope == "nel" else "borough-map-london",
        title=map_title(rows, info),
        subtitle=f"{info['label']}, London's 33 boroughs with North East London's eight outlined, {', '.join(sorted(periods)) or 'no period'}",
        figure=borough_map_figure(rows, info, chosen),
        alt=map_alt(rows, info, chosen_name),
        sentence=borough_sentence(rows, chosen, info, bench),
        table=map_table(rows, info, chosen, bench, sources, scope),
        definition=info["definition"],
        sources=sources_for(ids + [BOUNDARY_SOURCE], sources),
        period=_periods(rows),
        caveats=_caveats(rows, info, bench),
    )


# --- The pydeck view ---------------------------------------------------------------------------

MAX_HEIGHT_M = 6000  # the tallest borough is raised this many metres
SITE_COLOUR, SITE_TEXT = "#B35900", "#7A3D00"   # orange dots; darker orange text (7:1 on white)
DECK_FONT = "'Arial, Helvetica, sans-serif'"    # quoted: pydeck reads a bare string as an expression
DECK_ZOOM = 8.5                                  # NEL and its labels fit a 340px-wide phone chart
ON_TOP = {"parameters": {"depthCompare": "always"}}  # labels and sites are never hidden behind a raised borough


def _rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


def _round_coords(obj):
    if isinstance(obj, list):
        if obj and isinstance(obj[0], (int, float)):
            return [round(c, 4) for c in obj]
        return [_round_coords(o) for o in obj]
    return obj


def deck_sites(organisations: pd.DataFrame | None) -> pd.DataFrame:
    """Main sites of the ICB and the five trusts with a location: short_name, site_name, lon, lat."""
    cols = ["ods_code", "short_name", "site_name", "lon", "lat", "source_id", "note"]
    if organisations is None or not len(organisations) or "site_lat" not in organisations:
        return pd.DataFrame(columns=cols)
    o = organisations.dropna(subset=["site_lat", "site_lon"]).copy()
    o["lon"] = o["site_lon"].astype(float)
    o["lat"] = o["site_lat"].astype(float)
    return o[["ods_code", "short_name", "site_name", "lon", "lat", "source_id", "note"]].sort_values("lon").reset_index(drop=True)


def borough_deck(rows: pd.DataFrame, info: dict, chosen: str, sites: pd.DataFrame) -> pdk.Deck:
    """NEL boroughs raised by the measure (chosen one in yellow, illustrative ones see-through), the
    rest flat and grey, the trusts' main sites as dots with names. No basemap: empty inline style."""
    unit = info["unit"]
    bins = make_bins(rows["value"], unit)
    nel = rows.set_index("gss_code")
    top = rows["value"].max()
    flat, raised, labels = [], [], []
    points = borough_centroids().set_index("gss_code")
    for feature in borough_geojson()["features"]:
        gss = feature["properties"]["gss_code"]
        name = feature["properties"]["name"]
        geometry = {"type": feature["geometry"]["type"], "coordinates": _round_coords(feature["geometry"]["coordinates"])}
        if gss not in nel.index:
            flat.append(_feature(geometry, name, f"{name}: not part of NEL (no figures here)", _rgba(MUTED), 0))
            continue
        r = nel.loc[gss]
        if pd.isna(r["value"]):
            colour = _rgba(HIGHLIGHT) if gss == chosen else [255, 255, 255, 255]
            flat.append(_feature(geometry, name, f"{name}: {info['label']} not yet published", colour, 0))
            height = 0.0
        else:
            b = bin_for(r["value"], bins)
            illustrative = r["status"] == "illustrative"
            colour = _rgba(HIGHLIGHT) if gss == chosen else _rgba(b.colour, 140 if illustrative else 255)
            height = MAX_HEIGHT_M * float(r["value"]) / float(top) if top and top > 0 else 0
            tip = f"{name}: {fmt_value(r['value'], unit, 1)} ({status_label(r['status'])}, {short_period(r['period'])})"
            raised.append(_feature(geometry, name, tip, colour, round(height)))
        if gss == chosen:  # only the chosen borough is labelled: eight labels in 3D hide each other
            label = f"{name}: {fmt_value(r['value'], unit)}" + (" (illustrative)" if r["status"] == "illustrative" else "")
            labels.append({"text": label, "position": [round(points.at[gss, "lon"], 4), round(points.at[gss, "lat"], 4),
                                                       round(height) + 400]})
    site_rows = []
    for i, s in sites.iterrows():
        z = _height_at(s["lon"], s["lat"], raised) + 150  # on the roof of the raised borough, not hidden inside it
        anchor, baseline, offset = _PLACEMENT[SITE_LABELS.get(str(s["ods_code"]), "right")]
        site_rows.append({"name": str(s["short_name"]), "position": [round(s["lon"], 4), round(s["lat"], 4), z],
                          "anchor": anchor, "baseline": baseline, "offset": offset,
                          "tooltip": f"{s['short_name']}: {s['site_name']} (main site; location approximate)"})
    layers = [
        pdk.Layer("GeoJsonLayer", id="other-boroughs", data={"type": "FeatureCollection", "features": flat},
                  stroked=True, filled=True, extruded=False, get_fill_color="properties.fill",
                  get_line_color=_rgba(GUIDE), line_width_min_pixels=1, pickable=True),
        pdk.Layer("GeoJsonLayer", id="nel-boroughs", data={"type": "FeatureCollection", "features": raised},
                  stroked=False, filled=True, extruded=True, wireframe=True, get_fill_color="properties.fill",
                  get_line_color=_rgba(TEXT), get_elevation="properties.height", pickable=True),
        pdk.Layer("ScatterplotLayer", id="trust-sites", data=site_rows, get_position="position",
                  get_fill_color=_rgba(SITE_COLOUR), get_line_color=[255, 255, 255, 255], stroked=True,
                  line_width_min_pixels=2, get_radius=300, radius_min_pixels=6, pickable=True, **ON_TOP),
        pdk.Layer("TextLayer", id="site-labels", data=site_rows, get_position="position", get_text="name",
                  get_size=12, get_color=_rgba(SITE_TEXT), get_text_anchor="anchor", get_pixel_offset="offset",
                  get_alignment_baseline="baseline", background=True, get_background_color=[255, 255, 255, 235],
                  background_padding=[3, 2], font_family=DECK_FONT, **ON_TOP),
        pdk.Layer("TextLayer", id="chosen-label", data=labels, get_position="position", get_text="text",
                  get_size=15, get_color=_rgba(TEXT), font_weight="'bold'", background=True,
                  get_background_color=_rgba(HIGHLIGHT, 245), get_border_color=_rgba(TEXT), get_border_width=1.5,
                  background_padding=[5, 3], font_family=DECK_FONT, get_text_anchor="'middle'",
                  get_alignment_baseline="'bottom'", get_pixel_offset=[0, -62], **ON_TOP),
    ]
    view = pdk.ViewState(longitude=0.01, latitude=51.55, zoom=DECK_ZOOM, pitch=45, bearing=0)
    return CompactDeck(layers=layers, initial_view_state=view, map_style=EMPTY_MAP_STYLE, map_provider=None,
                       tooltip={"text": "{tooltip}"})


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents by 2, which more than doubles what a phone downloads."""

    def to_json(self) -> str:
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


# Where a site's name goes relative to its dot, placed by hand where the default (right) would run
# over another dot or off a phone's screen. Sites not listed get the default.
SITE_LABELS = {"RWK": "below", "RQX": "left", "RAT": "above"}
_PLACEMENT = {  # text anchor, baseline, pixel offset
    "right": ("start", "center", [10, 0]), "left": ("end", "center", [-10, 0]),
    "above": ("middle", "bottom", [0, -9]), "below": ("middle", "top", [0, 9]),
}


def _height_at(lon: float, lat: float, features: list[dict]) -> float:
    """The raised height of the borough containing a point (0 if none)."""
    point = shapely.geometry.Point(lon, lat)
    for f in features:
        if shapely.geometry.shape(f["geometry"]).contains(point):
            return float(f["properties"]["height"])
    return 0.0


def _feature(geometry: dict, name: str, tip: str, fill: list[int], height: float) -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"name": name, "tooltip": tip, "fill": fill, "height": height}}


def deck_table(rows: pd.DataFrame, info: dict, chosen: str, sites: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    unit = info["unit"]
    value_col = f"{info['label']} ({'%' if unit == 'percent' else 'number'})"
    out = []
    ordered = pd.concat([rows[rows["gss_code"] == chosen],
                         rows[rows["gss_code"] != chosen].sort_values("value", ascending=False, na_position="last")])
    for _, r in ordered.iterrows():
        missing = pd.isna(r["value"])
        out.append({
            "Shown as": "Flat white borough" if missing else "Raised borough (height shows the value)",
            "Name": f"{r['name']} (chosen)" if r["gss_code"] == chosen else str(r["name"]),
            value_col: NOT_PUBLISHED if missing else _plain_number(r["value"], unit),
            "Status": NOT_PUBLISHED_LABEL if missing else status_label(r["status"]),
            "Source": "" if missing else _source_titles(r["source_id"], sources), "Period": str(r["period"]),
        })
    for _, s in sites.iterrows():
        out.append({"Shown as": "Dot (main site)", "Name": f"{s['short_name']}: {s['site_name']}", value_col: "",
                    "Status": "Location approximate", "Source": _source_titles(s["source_id"], sources), "Period": ""})
    return pd.DataFrame(out)


def borough_deck_card(frame: pd.DataFrame, measures: pd.DataFrame | None, sources: pd.DataFrame,
                      organisations: pd.DataFrame | None, measure_id: str, chosen: str) -> ChartCard:
    info = measure_info(frame, measures, measure_id)
    rows = nel_only(measure_rows(frame, measure_id))
    sites = deck_sites(organisations)
    chosen_name = nel_boroughs(frame).get(chosen, chosen)
    valued = rows.dropna(subset=["value"]).sort_values("value")
    if valued.empty:
        title = f"{info['label']}: not yet published, so no borough is raised"
    else:
        tallest = valued.iloc[-1]
        title = (f"{tallest['name']}{' (illustrative)' if tallest['status'] == 'illustrative' else ''} stands tallest "
                 f"for {_lower_first(info['label'])}")
    n_sites = len(sites)
    alt = (f"Three-dimensional map of London tilted to look north. North East London's boroughs are raised in proportion "
           f"to {_lower_first(info['label'])}; the other London boroughs are flat and grey. {chosen_name} is yellow. "
           f"{n_sites} dots mark the main sites of the ICB and the NHS trusts: {', '.join(sites['short_name'].astype(str))}.")
    ids = [i for s in rows["source_id"] for i in str(s).split(";") if i] + [BOUNDARY_SOURCE, SITES_SOURCE]
    sentence = (f"The taller the borough, the higher its {_lower_first(info['label'])}. "
                + borough_sentence(rows, chosen, info, benchmark_rows(None, measure_id)))
    caveats = _caveats(rows, info, benchmark_rows(None, measure_id))
    see_through = " Illustrative boroughs are see-through." if (rows["status"] == "illustrative").any() else ""
    caveats.insert(0, "Heights are proportional to the value (the tallest borough is raised 6 km); colours use the "
                      f"same bins as the flat map.{see_through} Drag to turn the view; "
                      "the flat map and the table carry the same figures.")
    caveats.append("Site locations are approximate (placed by hand from the published addresses).")
    return ChartCard(
        key="borough-3d",
        title=title,
        subtitle=f"{info['label']} as height, with the main sites of the NHS organisations in North East London",
        figure=borough_deck(rows, info, chosen, sites),
        alt=alt,
        sentence=sentence,
        table=deck_table(rows, info, chosen, sites, sources),
        definition=info["definition"],
        sources=sources_for(ids, sources),
        period=_periods(rows),
        caveats=caveats,
    )
