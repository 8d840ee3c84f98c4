"""The borough map in 3D (pydeck): NEL's boroughs raised by the measure, the rest flat and grey, the
trusts' main sites as dots with names. No basemap: an empty inline map style, so no tiles from a
third party.

Prepared NEL rows (data.borough_rows), the flat map's bins and the sites in, a pydeck Deck out.
"""
from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pydeck as pdk
import shapely.geometry

from components.charts.borough_map import Bin, colour_for, value_text
from components.charts.palette import GUIDE, HIGHLIGHT, MUTED, TEXT
from components.words import status_label
from data.borough_rows import short_period
from geo.boundaries import borough_centroids, borough_geojson

EMPTY_MAP_STYLE = 'data:application/json,{"version":8,"sources":{},"layers":[]}'
MAX_HEIGHT_M = 6000  # the tallest borough is raised this many metres
SITE_COLOUR, SITE_TEXT = "#B35900", "#7A3D00"   # orange dots; darker orange text (7:1 on white)
DECK_FONT = "'Arial, Helvetica, sans-serif'"    # quoted: pydeck reads a bare string as an expression
DECK_ZOOM = 8.5                                  # NEL and its labels fit a 340px-wide phone chart
ON_TOP = {"parameters": {"depthCompare": "always"}}  # labels and sites are never hidden behind a raised borough
# Where a site's name goes relative to its dot, placed by hand where the default (right) would run
# over another dot or off a phone's screen. Sites not listed get the default.
SITE_LABELS = {"RWK": "below", "RQX": "left", "RAT": "above"}
_PLACEMENT = {  # text anchor, baseline, pixel offset
    "right": ("start", "center", [10, 0]), "left": ("end", "center", [-10, 0]),
    "above": ("middle", "bottom", [0, -9]), "below": ("middle", "top", [0, 9]),
}


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents by 2, which more than doubles what a phone downloads."""

    def to_json(self) -> str:
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


def _rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, list):
        if obj and isinstance(obj[0], (int, float)):
            return [round(c, 4) for c in obj]
        return [_round_coords(o) for o in obj]
    return obj


def _feature(geometry: dict, name: str, tip: str, fill: list[int], height: float) -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"name": name, "tooltip": tip, "fill": fill, "height": height}}


def _height_at(lon: float, lat: float, features: list[dict]) -> float:
    """The raised height of the borough containing a point (0 if none)."""
    point = shapely.geometry.Point(lon, lat)
    for f in features:
        if shapely.geometry.shape(f["geometry"]).contains(point):
            return float(f["properties"]["height"])
    return 0.0


def borough_deck(rows: pd.DataFrame, bins: list[Bin], info: dict[str, Any], chosen: str, sites: pd.DataFrame) -> pdk.Deck:
    """NEL boroughs raised by the measure (chosen one in yellow, illustrative ones see-through), the
    rest flat and grey, the trusts' main sites as dots with names. No basemap: empty inline style."""
    flat, raised, labels = _borough_features(rows, bins, info, chosen)
    layers = _layers(flat, raised, _site_rows(sites, raised), labels)
    view = pdk.ViewState(longitude=0.01, latitude=51.55, zoom=DECK_ZOOM, pitch=45, bearing=0)
    return CompactDeck(layers=layers, initial_view_state=view, map_style=EMPTY_MAP_STYLE, map_provider=None,
                       tooltip={"text": "{tooltip}"})


def _borough_features(rows: pd.DataFrame, bins: list[Bin], info: dict[str, Any],
                      chosen: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(flat boroughs, raised boroughs, the chosen borough's label): only the chosen borough is labelled,
    as eight labels in 3D hide each other."""
    unit = info["unit"]
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
            illustrative = r["status"] == "illustrative"
            colour = _rgba(HIGHLIGHT) if gss == chosen else _rgba(colour_for(r["value"], bins), 140 if illustrative else 255)
            height = MAX_HEIGHT_M * float(r["value"]) / float(top) if top and top > 0 else 0
            status = status_label(r["status"])
            tip = f"{name}: {value_text(r['value'], unit, 1)} ({status}, {short_period(r['period'])})"
            raised.append(_feature(geometry, name, tip, colour, round(height)))
        if gss == chosen:
            label = f"{name}: {value_text(r['value'], unit)}" + (" (illustrative)" if r["status"] == "illustrative" else "")
            labels.append({"text": label, "position": [round(points.at[gss, "lon"], 4), round(points.at[gss, "lat"], 4),
                                                       round(height) + 400]})
    return flat, raised, labels


def _site_rows(sites: pd.DataFrame, raised: list[dict]) -> list[dict]:
    out = []
    for _, s in sites.iterrows():
        z = _height_at(s["lon"], s["lat"], raised) + 150  # on the roof of the raised borough, not hidden inside it
        anchor, baseline, offset = _PLACEMENT[SITE_LABELS.get(str(s["ods_code"]), "right")]
        out.append({"name": str(s["short_name"]), "position": [round(s["lon"], 4), round(s["lat"], 4), z],
                    "anchor": anchor, "baseline": baseline, "offset": offset,
                    "tooltip": f"{s['short_name']}: {s['site_name']} (main site; location approximate)"})
    return out


def _layers(flat: list[dict], raised: list[dict], site_rows: list[dict], labels: list[dict]) -> list[pdk.Layer]:
    return [
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
