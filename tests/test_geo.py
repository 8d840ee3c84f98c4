"""Tests for the borough boundary layer in geo/."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import geopandas as gpd
import plotly.graph_objects as go
import pytest
import shapely
from shapely.geometry import Point, shape

from geo import build_boundaries
from geo.boundaries import (
    ATTRIBUTION,
    BOUNDARIES_PATH,
    borough_centroids,
    borough_geojson,
    load_boroughs,
)

GEO_DIR = Path(build_boundaries.__file__).resolve().parent
ALL_CODES = [f"E09{n:06d}" for n in range(1, 34)]
NEL_BOROUGHS = {
    "E09000001": "City of London",
    "E09000002": "Barking and Dagenham",
    "E09000012": "Hackney",
    "E09000016": "Havering",
    "E09000025": "Newham",
    "E09000026": "Redbridge",
    "E09000030": "Tower Hamlets",
    "E09000031": "Waltham Forest",
}


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))


def _polygons(geom):
    return list(shapely.get_parts(geom))


# --- the shipped file -------------------------------------------------------


def test_file_size_within_budget():
    assert BOUNDARIES_PATH.is_file()
    assert BOUNDARIES_PATH.stat().st_size <= 50 * 1024


def test_feature_collection_has_33_distinct_gss_codes(shipped):
    assert shipped["type"] == "FeatureCollection"
    feats = shipped["features"]
    assert len(feats) == 33
    codes = [f["properties"]["gss_code"] for f in feats]
    assert sorted(set(codes)) == ALL_CODES
    assert codes == ALL_CODES  # shipped in GSS order
    assert all(set(f["properties"]) == {"gss_code", "name"} for f in feats)
    assert len({f["properties"]["name"] for f in feats}) == 33


def test_official_names(shipped):
    names = {f["properties"]["gss_code"]: f["properties"]["name"] for f in shipped["features"]}
    assert names["E09000021"] == "Kingston upon Thames"
    assert names["E09000027"] == "Richmond upon Thames"
    assert names["E09000013"] == "Hammersmith and Fulham"
    assert names["E09000020"] == "Kensington and Chelsea"
    assert names["E09000032"] == "Wandsworth"
    assert names["E09000033"] == "Westminster"
    for code, name in NEL_BOROUGHS.items():
        assert names[code] == name


def test_geometries_valid_polygonal_nonempty(shipped):
    for f in shipped["features"]:
        geom = shape(f["geometry"])
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert not geom.is_empty, f["properties"]["name"]
        assert geom.is_valid, (f["properties"]["name"], shapely.is_valid_reason(geom))
        assert geom.area > 0


def test_exterior_rings_clockwise_interiors_counterclockwise(shipped):
    for f in shipped["features"]:
        for poly in _polygons(shape(f["geometry"])):
            assert not shapely.is_ccw(poly.exterior), f["properties"]["name"]
            for hole in poly.interiors:
                assert shapely.is_ccw(hole), f["properties"]["name"]


def test_coordinates_rounded_to_5_decimals(shipped):
    for f in shipped["features"]:
        coords = shapely.get_coordinates(shape(f["geometry"]))
        assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all()


def test_bounds_around_london():
    gdf = load_boroughs()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert -0.52 <= minx < maxx <= 0.34
    assert 51.28 <= miny < maxy <= 51.70
    # and actually spans London, not a corner of it
    assert minx < -0.45 and maxx > 0.30 and miny < 51.30 and maxy > 51.65


def test_matches_independent_gdal_decoding():
    """pyogrio/GDAL's own TopoJSON reader agrees with the shipped polygons."""
    ref = gpd.read_file(GEO_DIR / "source" / "londonBoroughs.topo.json", layer="boroughs")
    ref = ref.set_index("id").geometry.make_valid()
    ours = load_boroughs().set_index("name").geometry
    assert set(ref.index) == set(ours.index)
    for name in ref.index:
        rel = ref[name].symmetric_difference(ours[name]).area / ref[name].area
        assert rel < 1e-3, (name, rel)


# --- the build script -------------------------------------------------------


def test_rebuild_reproduces_shipped_file_byte_for_byte(tmp_path):
    out = build_boundaries.build(GEO_DIR / "source" / "londonBoroughs.topo.json", tmp_path / "b.geojson")
    assert out.read_bytes() == BOUNDARIES_PATH.read_bytes()


def test_gss_table_is_complete():
    assert sorted(build_boundaries.GSS_CODES.values()) == ALL_CODES
    assert build_boundaries.GSS_CODES["Waltham Forest"] == "E09000031"
    assert build_boundaries.GSS_CODES["Wandsworth"] == "E09000032"


@pytest.fixture(scope="module")
def topology() -> dict:
    return json.loads((GEO_DIR / "source" / "londonBoroughs.topo.json").read_text(encoding="utf-8"))


def test_build_fails_on_unmatched_name(topology):
    topo = copy.deepcopy(topology)
    topo["objects"]["boroughs"]["geometries"][0]["id"] = "Kingston-upon-Thames"
    with pytest.raises(ValueError, match="no GSS code"):
        build_boundaries.build_feature_collection(topo)


def test_build_fails_on_missing_borough(topology):
    topo = copy.deepcopy(topology)
    geoms = topo["objects"]["boroughs"]["geometries"]
    topo["objects"]["boroughs"]["geometries"] = [g for g in geoms if g["id"] != "Newham"]
    with pytest.raises(ValueError, match="E09000025"):
        build_boundaries.build_feature_collection(topo)


def test_source_richmond_is_invalid_and_gets_mended():
    decoded = gpd.read_file(GEO_DIR / "source" / "londonBoroughs.topo.json", layer="boroughs")
    richmond = decoded.loc[decoded["id"] == "Richmond upon Thames", "geometry"].iloc[0]
    assert not richmond.is_valid
    assert build_boundaries.clean_geometry(richmond).is_valid


# --- geo.boundaries API -----------------------------------------------------


def test_load_boroughs_frame():
    gdf = load_boroughs()
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert list(gdf.columns) == ["gss_code", "name", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["gss_code"]) == ALL_CODES
    nel = gdf[gdf["gss_code"].isin(NEL_BOROUGHS)]
    assert dict(zip(nel["gss_code"], nel["name"], strict=True)) == NEL_BOROUGHS


def test_load_boroughs_returns_copy():
    gdf = load_boroughs()
    gdf.loc[0, "name"] = "mutated"
    gdf.loc[1, "geometry"] = None
    again = load_boroughs()
    assert again.loc[0, "name"] == "City of London"
    assert len(again) == 33
    assert again.geometry.notna().all()


def test_borough_geojson_ids_and_copy():
    fc = borough_geojson()
    assert [f["id"] for f in fc["features"]] == ALL_CODES
    assert all(f["id"] == f["properties"]["gss_code"] for f in fc["features"])
    fc["features"].clear()
    assert len(borough_geojson()["features"]) == 33


def test_centroids_inside_own_polygon():
    cents = borough_centroids()
    assert list(cents.columns) == ["gss_code", "name", "lon", "lat"]
    assert list(cents["gss_code"]) == ALL_CODES
    polys = load_boroughs().set_index("gss_code").geometry
    for row in cents.itertuples():
        assert polys[row.gss_code].contains(Point(row.lon, row.lat)), row.name
        # and inside no other borough
        others = polys.drop(row.gss_code)
        assert not others.contains(Point(row.lon, row.lat)).any(), row.name


def test_attribution_constant_matches_markdown():
    assert ATTRIBUTION == (
        "Contains National Statistics data © Crown copyright and database right 2015. "
        "Contains Ordnance Survey data © Crown copyright and database right 2015. "
        "Source: London Datastore."
    )
    assert ATTRIBUTION in (GEO_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_geo_never_imports_streamlit():
    for path in GEO_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "streamlit" for m in mods), path


# --- plotly ----------------------------------------------------------------


@pytest.mark.parametrize("featureidkey", ["properties.gss_code", "id"])
def test_plotly_choropleth_renders_all_locations(featureidkey):
    fc = borough_geojson()
    codes = [f["properties"]["gss_code"] for f in fc["features"]]
    fig = go.Figure(
        go.Choropleth(
            geojson=fc,
            locations=codes,
            z=list(range(len(codes))),
            featureidkey=featureidkey,
        )
    )
    fig.update_geos(fitbounds="locations", visible=False)
    spec = json.loads(fig.to_json())
    trace = spec["data"][0]
    assert trace["type"] == "choropleth"
    assert trace["featureidkey"] == featureidkey
    assert set(trace["locations"]) == set(ALL_CODES)
    assert spec["layout"]["geo"]["fitbounds"] == "locations"
    # every location resolves to exactly one feature via featureidkey
    def key(feat):
        return feat["id"] if featureidkey == "id" else feat["properties"]["gss_code"]

    keys = [key(f) for f in trace["geojson"]["features"]]
    for loc in trace["locations"]:
        assert keys.count(loc) == 1, loc
