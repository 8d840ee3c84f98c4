"""London borough boundaries for the dashboard maps.

Pure data-access functions over the pre-built ``london_boroughs.geojson``
(see ``build_boundaries.py`` and ``ATTRIBUTION.md``). Nothing here imports
Streamlit; callers may wrap these in ``st.cache_data`` if they wish.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

BOUNDARIES_PATH: Path = Path(__file__).resolve().parent / "london_boroughs.geojson"

ATTRIBUTION: str = (
    "Contains National Statistics data © Crown copyright and database right 2015. "
    "Contains Ordnance Survey data © Crown copyright and database right 2015. "
    "Source: London Datastore."
)

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"


@lru_cache(maxsize=1)
def _read_geojson() -> dict:
    return json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _load_boroughs() -> gpd.GeoDataFrame:
    fc = _read_geojson()
    gdf = gpd.GeoDataFrame.from_features(fc["features"], crs=WGS84)
    gdf = gdf[["gss_code", "name", "geometry"]]
    return gdf.sort_values("gss_code", ignore_index=True)


def load_boroughs() -> gpd.GeoDataFrame:
    """The 33 London boroughs: columns gss_code, name, geometry (EPSG:4326), sorted by gss_code.

    Returns a fresh copy on each call, so callers may mutate it freely.
    """
    return _load_boroughs().copy()


def borough_geojson() -> dict:
    """The boundaries as a GeoJSON FeatureCollection with ``id`` = gss_code on each feature.

    Use with plotly as ``geojson=borough_geojson(), locations=<gss codes>`` and
    either the default ``id`` matching or ``featureidkey="properties.gss_code"``.
    Returns a deep copy on each call.
    """
    fc = copy.deepcopy(_read_geojson())
    for feature in fc["features"]:
        feature["id"] = feature["properties"]["gss_code"]
    return fc


@lru_cache(maxsize=1)
def _borough_centroids() -> pd.DataFrame:
    gdf = _load_boroughs()
    points = gdf.geometry.to_crs(BRITISH_NATIONAL_GRID).representative_point().to_crs(WGS84)
    return pd.DataFrame(
        {
            "gss_code": gdf["gss_code"].to_numpy(),
            "name": gdf["name"].to_numpy(),
            "lon": points.x.to_numpy(),
            "lat": points.y.to_numpy(),
        }
    )


def borough_centroids() -> pd.DataFrame:
    """Label points per borough: columns gss_code, name, lon, lat (WGS84), sorted by gss_code.

    These are representative points (guaranteed inside the polygon), computed in
    British National Grid (EPSG:27700) and transformed back to WGS84.
    """
    return _borough_centroids().copy()
