"""The benchmark (make bench) still works: its generator makes valid packages, its verdicts follow its
targets, and its quick mode runs every step end to end. No test here asserts a time: the machine is
shared and noisy, and bench/results.md is where the timings live."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench import generate as gen
from bench import run
from bench.browser_time import p95
from bench.harness import chromium_available
from bench.script_time import geometry_bytes
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# --- The generator -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pkg") / "pkg-2x"
    return gen.generate(2, folder), folder


def test_generated_package_passes_every_check_and_has_the_size_asked_for(twice):
    summary, folder = twice
    package = load_package(folder)
    assert package.problems == []
    assert 1.9 <= summary["rows"] / summary["base_rows"] <= 2.6
    assert summary["new_organisations"] > 0 and summary["first_year"] < 2017


def test_generated_rows_are_illustrative_and_the_shipped_rows_are_kept(twice):
    _, folder = twice
    for name in ("workforce", "wres", "remi", "organisations", "organisation_boroughs"):
        shipped = gen.read(ROOT / "data" / "nel", name)
        made = gen.read(folder, name)
        kept = made.merge(shipped, how="inner", on=list(shipped.columns))
        assert len(kept) == len(shipped), f"{name}: a shipped row was changed or lost"
        new = made.iloc[len(shipped):]
        assert len(new) > 0
        assert set(new["source_id"]) == {"illustrative"}
        if "status" in new:
            assert set(new["status"]) == {"illustrative"}
        assert new["note"].str.contains("bench/generate.py").all()
    orgs = gen.read(folder, "organisations")
    added = orgs[orgs["ods_code"].str.startswith("X")]
    assert set(added["kind"]) == {"acute trust"}
    assert added["ods_code"].str.fullmatch(r"X\d{4}").all()


def test_generated_figures_keep_the_package_rules(twice):
    _, folder = twice
    wf = gen.read(folder, "workforce").replace("", float("nan"))
    counts = wf.dropna(subset=["total_headcount"])
    assert (counts["gm_headcount"].astype(float) <= counts["total_headcount"].astype(float)).all()
    remi = gen.read(folder, "remi")["stage"].astype(int)
    assert remi.between(1, 6).all()


def test_the_generator_is_seeded(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    gen.generate(1.5, a)
    gen.generate(1.5, b)
    for path in sorted(a.iterdir()):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    gen.generate(1.5, b, seed=gen.SEED + 1)
    assert (a / "workforce.csv").read_bytes() != (b / "workforce.csv").read_bytes()


# --- Verdicts and the write-up -------------------------------------------------------------------------

def test_a_figure_meets_its_target_only_when_its_judged_value_is_within_it():
    assert run.figure("x", "x", "ms", [90, 95, 400], target="p1_warm")["met"] is True  # median 95
    assert run.figure("x", "x", "ms", [90, 120, 130], target="p1_warm")["met"] is False
    untargeted = run.figure("x", "x", "ms", [1, 2, 3])
    assert untargeted["met"] is None and untargeted["median"] == 2 and (untargeted["min"], untargeted["max"]) == (1, 3)
    tail = run.figure("p", "p", "ms", list(range(1, 101)), target="p4_p95", stat="p95", judged=p95(list(range(1, 101))))
    assert tail["judged"] == pytest.approx(95.05) and tail["met"] is True
    slow = run.figure("p", "p", "ms", [100] * 18 + [10_000] * 2, target="p4_p95", stat="p95",
                      judged=p95([100] * 18 + [10_000] * 2))
    assert slow["median"] == 100 and slow["met"] is False


def test_units_are_written_for_people():
    assert run.fmt(1234.4, "ms") == "1,234 ms"
    assert run.fmt(51_200, "bytes") == "50.0 KB"
    assert run.fmt(3 * 1024 * 1024, "bytes") == "3.00 MB"
    assert run.fmt(1.234, "ratio") == "1.23"
    assert run.fmt(None, "ms") == "not measured"


def test_boundary_bytes_count_only_polygon_coordinates():
    spec = json.dumps({"data": [
        {"type": "scatter", "fill": "toself", "x": [1, 2, 3], "y": [4, 5, 6], "text": "a long label " * 50},
        {"type": "scatter", "mode": "markers", "x": [1, 2], "y": [3, 4]},
    ]})
    deck = json.dumps({"layers": [{"data": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1]]]},
         "properties": {"name": "x" * 500}}]}}]})
    polygon = len("[1,2,3]") + len("[4,5,6]")
    geometry = len('{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1]]]}')
    assert geometry_bytes([spec], []) == polygon
    assert geometry_bytes([spec], [deck]) == polygon + geometry


# --- The quick run, end to end -------------------------------------------------------------------------

@pytest.mark.browser
def test_quick_benchmark_measures_every_figure(tmp_path):
    if not chromium_available():
        if IN_CI:
            pytest.fail("CI=true and Debian chromium is missing: the benchmark's browser steps must run in CI")
        pytest.skip("Debian chromium not installed")
    published = ROOT / "bench" / "results.md"
    published_before = published.stat().st_mtime_ns if published.exists() else None
    env = {k: v for k, v in os.environ.items() if k != "NEL_DATA"}
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--out", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=540)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    figures = result["figures"]
    groups = {f["id"].split(".")[0] for f in figures}
    assert groups == {"P1", "P2", "P3", "P4", "P5", "P6"}
    for f in figures:
        assert f["median"] is not None and math.isfinite(f["median"]), f["id"]
        assert f["min"] <= f["median"] <= f["max"], f["id"]
        if f["limit"] is not None:
            assert f["met"] in (True, False), f["id"]
    ids = {f["id"] for f in figures}
    assert {"P1.warm.strategy", "P1.cold.strategy", "P2.ratio.strategy", "P3.pages", "P3.sessions", "P4.ttfc",
            "P4.errors", "P4.missing", "P5.validate.2", "P6.boundaries"} <= ids
    errors = next(f for f in figures if f["id"] == "P4.errors")
    assert errors["median"] == 0, result["raw"]["browser"]["p4"]["visits"]
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| figure | median | min | max | target | met |" in text
    for f in figures:
        assert f["figure"] in text
    growth = pd.DataFrame(result["growth_table"][1:], columns=result["growth_table"][0])
    assert list(growth.columns[1:3]) == ["1×", "2×"]
    assert (published.stat().st_mtime_ns if published.exists() else None) == published_before, \
        "the quick run must not overwrite bench/results.md"
