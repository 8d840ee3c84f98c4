"""One-off conversion of the London borough TopoJSON into the shipped GeoJSON.

Run from the repository root::

    python -m geo.build_boundaries

Input:  ``geo/source/londonBoroughs.topo.json`` (vega-datasets 3.2.1,
        ``data/londonBoroughs.json``; see ``geo/ATTRIBUTION.md``).
Output: ``geo/london_boroughs.geojson`` -- a WGS84 (EPSG:4326) GeoJSON
        FeatureCollection, one feature per borough, sorted by GSS code, with
        properties ``gss_code`` and ``name``.

Steps: decode the TopoJSON (quantisation transform + delta-encoded arcs) with
the pure-Python ``topojson`` package, attach ONS GSS codes from the explicit
table below (failing loudly on any mismatch), mend invalid geometry with
``make_valid`` (Richmond upon Thames self-intersects; Newham carries a
zero-area sliver), keep only polygonal parts, snap coordinates to a 1e-5
degree grid (5 decimals), and orient exterior rings clockwise as plotly's
d3-geo expects. The output is deterministic so that it can be rebuilt and
compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from topojson.utils import serialize_as_geojson

GEO_DIR = Path(__file__).resolve().parent
SOURCE_PATH = GEO_DIR / "source" / "londonBoroughs.topo.json"
OUTPUT_PATH = GEO_DIR / "london_boroughs.geojson"

#: Name of the GeometryCollection inside the TopoJSON file.
TOPO_OBJECT = "boroughs"

#: Decimal places kept in the output coordinates (~1 m at London's latitude).
DECIMALS = 5

#: Size budget for the shipped file.
MAX_BYTES = 50 * 1024

#: ONS GSS codes of the 33 London local authorities, keyed by official ONS
#: name. E09000001 is the City of London; E09000002..E09000033 follow the
#: alphabetical order of the 32 London boroughs.
GSS_CODES: dict[str, str] = {
    "City of London": "E09000001",
    "Barking and Dagenham": "E09000002",
    "Barnet": "E09000003",
    "Bexley": "E09000004",
    "Brent": "E09000005",
    "Bromley": "E09000006",
    "Camden": "E09000007",
    "Croydon": "E09000008",
    "Ealing": "E09000009",
    "Enfield": "E09000010",
    "Greenwich": "E09000011",
    "Hackney": "E09000012",
    "Hammersmith and Fulham": "E09000013",
    "Haringey": "E09000014",
    "Harrow": "E09000015",
    "Havering": "E09000016",
    "Hillingdon": "E09000017",
    "Hounslow": "E09000018",
    "Islington": "E09000019",
    "Kensington and Chelsea": "E09000020",
    "Kingston upon Thames": "E09000021",
    "Lambeth": "E09000022",
    "Lewisham": "E09000023",
    "Merton": "E09000024",
    "Newham": "E09000025",
    "Redbridge": "E09000026",
    "Richmond upon Thames": "E09000027",
    "Southwark": "E09000028",
    "Sutton": "E09000029",
    "Tower Hamlets": "E09000030",
    "Waltham Forest": "E09000031",
    "Wandsworth": "E09000032",
    "Westminster": "E09000033",
}

EXPECTED_CODES = [f"E09{n:06d}" for n in range(1, 34)]


def _check_table() -> None:
    """Guard against typos in GSS_CODES itself."""
    codes = sorted(GSS_CODES.values())
    if codes != EXPECTED_CODES:
        raise ValueError(f"GSS_CODES must cover E09000001..E09000033 exactly once, got {codes}")


def _polygonal(geom: shapely.Geometry) -> Polygon | MultiPolygon:
    """Keep only the non-empty polygonal parts of ``geom``."""
    parts: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            if not part.is_empty:
                parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(p for p in part.geoms if not p.is_empty)
        elif part.geom_type == "GeometryCollection":
            sub = _polygonal(part)
            parts.extend(shapely.get_parts(sub))
        # points / lines left over from make_valid are dropped
    if not parts:
        return Polygon()
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def clean_geometry(geom: shapely.Geometry) -> Polygon | MultiPolygon:
    """Mend, snap to the 5-decimal grid and orient one borough geometry."""
    geom = _polygonal(shapely.make_valid(geom))
    # Snapping to the grid can itself create invalidity, so mend again after.
    geom = shapely.set_precision(geom, 10.0**-DECIMALS)
    geom = _polygonal(shapely.make_valid(geom))
    geom = shapely.orient_polygons(geom, exterior_cw=True)
    if geom.is_empty or not geom.is_valid:
        raise ValueError(f"geometry could not be mended: {shapely.is_valid_reason(geom)}")
    return geom


def _round_coords(obj: Any) -> Any:
    """Round every coordinate in a (nested) GeoJSON coordinate array."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            # round(-0.0) would serialise as "-0.0"; normalise it.
            return [round(float(v), DECIMALS) + 0.0 for v in obj]
        return [_round_coords(v) for v in obj]
    raise TypeError(f"unexpected coordinate value {obj!r}")


def build_feature_collection(topology: dict) -> dict:
    """Convert a parsed London-boroughs TopoJSON dict into the output FeatureCollection."""
    _check_table()
    decoded = serialize_as_geojson(topology, objectname=TOPO_OBJECT)

    by_code: dict[str, dict] = {}
    unmatched: list[str] = []
    for feature in decoded["features"]:
        name = feature.get("id")
        code = GSS_CODES.get(name)
        if code is None:
            unmatched.append(repr(name))
            continue
        if code in by_code:
            raise ValueError(f"borough {name!r} ({code}) appears more than once in the TopoJSON")
        geom = clean_geometry(shape(feature["geometry"]))
        geometry = mapping(geom)
        by_code[code] = {
            "type": "Feature",
            "properties": {"gss_code": code, "name": name},
            "geometry": {
                "type": geometry["type"],
                "coordinates": _round_coords(geometry["coordinates"]),
            },
        }
    if unmatched:
        raise ValueError(f"TopoJSON borough names with no GSS code: {', '.join(unmatched)}")
    missing = [f"{c} ({n})" for n, c in GSS_CODES.items() if c not in by_code]
    if missing:
        raise ValueError(f"GSS codes with no TopoJSON geometry: {', '.join(missing)}")

    return {
        "type": "FeatureCollection",
        "features": [by_code[code] for code in sorted(by_code)],
    }


def dumps(collection: dict) -> str:
    """Deterministic, compact serialisation (one feature per line)."""
    head = '{"type":"FeatureCollection","features":[\n'
    body = ",\n".join(
        json.dumps(f, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        for f in collection["features"]
    )
    return head + body + "\n]}\n"


def build(source: Path = SOURCE_PATH, output: Path = OUTPUT_PATH) -> Path:
    """Read ``source`` TopoJSON, write the GeoJSON to ``output`` and return its path."""
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    text = dumps(build_feature_collection(topology))
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValueError(f"output is {len(data)} bytes, over the {MAX_BYTES}-byte budget")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_PATH)
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    args = parser.parse_args(argv)
    out = build(args.source, args.output)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
