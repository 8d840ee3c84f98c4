"""`make bench`: measure the dashboard against its floor, in one run, and write the results.

    python -m bench.run            # the full benchmark: writes bench/results.md and bench/results.json
    python -m bench.run --quick    # the same steps, small (a few pages, 1-2 repetitions, 3 sessions, a 2x
                                   # package), written to build/bench/quick/ (the test suite runs this)

The figures (see bench/results.md for what each means and its target):
  P1 page script time through AppTest, cold (first run in a fresh process) and warm (caches filled)
  P2 time to first chart in Debian Chromium, against the same figure as a static plotly HTML file
  P3 the server's resident memory after every page once, and after the concurrent sessions
  P4 20 browser sessions at once walking every page: errors, charts drawn, time to first chart
  P5 growth: packages 10x and 100x the shipped one (bench/generate.py): validation and page script time
  P6 weight: bytes sent to the browser per page, and the boundary geometry alone
  Lighthouse (bench/lighthouse.py) on the app's pages and on every low-bandwidth page, through nginx
  First view through nginx against straight from a replica, before and after precompression
    (bench/first_view.py: measured again in the full run, which also rewrites bench/first-view.md;
    the quick run and --first-view last take bench/first-view.json, the last full measurement)

Timings are medians from one run on a shared 2-core machine; nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import generate as gen
from components.routes import BY_PATH, HOME

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BASELINE = BENCH / "baseline.json"
FINDINGS = BENCH / "findings.md"
GEOJSON = ROOT / "geo" / "london_boroughs.geojson"

# url path -> (page file, minimum drawn charts): the site's pages plus presenter mode.
# Every page with charts draws at least one; the workforce page two (the trend and the WRES indicators).
PAGES: dict[str, tuple[str, int]] = {("" if path == HOME else path): (BY_PATH[path].file, 2 if path == "workforce" else 1)
                                     for path in ("overview", "boroughs", "workforce", "remi", "trust", "strategy",
                                                  "data", "present")}
QUICK_PAGES = ("boroughs", "strategy")  # boroughs: the boundary geometry (P6) comes from its AppTest run
QUICK_BROWSER_PAGES = ("strategy",)

P5_BUDGET_S = 90  # a page slower than this for its timed runs at 10x or 100x gets fewer of them (at least one)
TARGETS = {  # figure kind -> (limit, unit, words)
    "p1_warm": (100.0, "ms", "≤ 100 ms"),
    "p2_ratio": (2.0, "ratio", "≤ 2.0"),
    "p3_rss": (250.0, "MB", "≤ 250 MB"),
    "p4_p95": (3000.0, "ms", "p95 ≤ 3 s"),
    "p4_errors": (0.0, "count", "0"),
    "p4_missing": (0.0, "count", "0"),
    "p5_warm_100": (300.0, "ms", "≤ 300 ms at 100×"),
    "p5_validate_100": (3000.0, "ms", "≤ 3 s at 100×"),
    "p6_boundaries": (50 * 1024.0, "bytes", "≤ 50 KB"),
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def label(path: str) -> str:
    return f"/{path}"


# --- Figures --------------------------------------------------------------------------------------

def figure(fid: str, name: str, unit: str, samples, *, target: str | None = None, stat: str = "median",
           judged: float | None = None, note: str = "") -> dict:
    """One row of the results table: the samples, their median/min/max and the verdict."""
    values = [float(v) for v in samples if v is not None]
    med = statistics.median(values) if values else None
    row = {"id": fid, "figure": name, "unit": unit, "n": len(values), "samples": values, "median": med,
           "min": min(values) if values else None, "max": max(values) if values else None,
           "stat": stat, "judged": judged if judged is not None else med, "target": None, "limit": None,
           "met": None, "note": note}
    if target:
        limit, _, words = TARGETS[target]
        row.update(target=words, limit=limit)
        row["met"] = None if row["judged"] is None else bool(row["judged"] <= limit)
    return row


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "bytes":
        return f"{value / 1024:,.1f} KB" if value < 1024 * 1024 else f"{value / 1024 / 1024:,.2f} MB"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "x":
        return f"{value:.1f}×"
    return f"{value:,.0f}"


def verdict(row: dict) -> str:
    if row["met"] is None:
        return "—" if row["limit"] is None else "not measured"
    return "met" if row["met"] else "**not met**"


# --- P1 and P5: page script time ------------------------------------------------------------------

def _worker(args: list[str], data: str | None = None, timeout: float = 1800) -> dict:
    env = dict(os.environ)
    env.pop("NEL_DATA", None)
    if data:
        env["NEL_DATA"] = str(data)
    proc = subprocess.run([sys.executable, "-m", "bench.script_time", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"bench.script_time {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def script_times(pages: dict, cold_reps: int, warm_runs: int, data: str | None = None, profile: str | None = None) -> dict:
    cold = {}
    for path, (file, _) in pages.items():
        cold[path] = [_worker(["cold", file], data) for _ in range(cold_reps)]
        log(f"P1 cold {label(path)}: {[round(c['cold_ms']) for c in cold[path]]} ms")
    args = ["warm", "--runs", str(warm_runs), *[file for file, _ in pages.values()]]
    if profile:
        args += ["--profile", profile]
    warm_by_file = _worker(args, data)
    warm = {path: warm_by_file[file] for path, (file, _) in pages.items()}
    for path, w in warm.items():
        log(f"P1 warm {label(path)}: median {statistics.median(w['samples_ms']):.0f} ms")
    return {"cold": cold, "warm": warm}


def validation_times(source: str, reps: int) -> list[float]:
    from data.package import load_package

    load_package(ROOT / "data" / "nel")  # warm-up, not timed: imports and first-use set-up are P1 cold's business
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        package = load_package(source)
        out.append((time.perf_counter() - start) * 1000)
        if package.problems:
            raise RuntimeError(f"{source} is not valid: {package.problems[:3]}")
    return out


def growth(scales: list[float], pages: dict, warm_runs: int, reps: int, build: Path) -> dict:
    out = {"1": {"validate_ms": validation_times(str(ROOT / "data" / "nel"), reps),
                 "summary": {"scale": 1, "rows": gen.data_rows(ROOT / "data" / "nel"), "actual_scale": 1.0,
                             "bytes": sum(p.stat().st_size for p in (ROOT / "data" / "nel").iterdir()
                                          if p.is_file() and p.name != "README.md")}}}
    for scale in scales:
        folder = build / f"pkg-{scale:g}x"
        start = time.perf_counter()
        summary = gen.generate(scale, folder)
        summary["generate_s"] = time.perf_counter() - start
        log(f"P5 generated {scale:g}x: {summary['rows']} rows, {summary['organisations']} organisations "
            f"in {summary['generate_s']:.1f} s")
        validate = validation_times(str(folder), reps)
        log(f"P5 validation {scale:g}x: median {statistics.median(validate):.0f} ms")
        warm = _worker(["warm", "--runs", str(warm_runs), "--budget", str(P5_BUDGET_S),
                        *[file for file, _ in pages.values()]], data=str(folder))
        warm = {path: warm[file] for path, (file, _) in pages.items()}
        for path, w in warm.items():
            log(f"P5 warm {scale:g}x {label(path)}: median {statistics.median(w['samples_ms']):.0f} ms")
        out[f"{scale:g}"] = {"summary": summary, "validate_ms": validate, "warm": warm}
    return out


# --- P2 floors ------------------------------------------------------------------------------------

def write_floors(warm: dict, folder: Path) -> dict[str, Path]:
    """Each page's first chart, as plotly's own static HTML file (plotly.js inline)."""
    import plotly.io as pio

    from components.charts.palette import PLOTLY_CONFIG

    folder.mkdir(parents=True, exist_ok=True)
    floors = {}
    for path, facts in warm.items():
        target = folder / f"floor-{path or 'overview'}.html"
        if not facts.get("first_spec"):
            if target.exists():  # measured earlier (--merge): the floor written then
                floors[path] = target
            continue
        fig = pio.from_json(facts["first_spec"], skip_invalid=True)
        fig.write_html(target, include_plotlyjs=True, config=PLOTLY_CONFIG, full_html=True)
        floors[path] = target
    return floors


# --- Lighthouse and the first view ------------------------------------------------------------------

def build_site(parent: Path) -> Path:
    """The low-bandwidth pages as `make site` builds them, with NEL_ILLUSTRATIVE=hide as the replicas run,
    in a new folder nginx's workers can read."""
    parent.mkdir(parents=True, exist_ok=True)
    site = Path(tempfile.mkdtemp(prefix="lite-", dir=parent))
    site.chmod(0o755)
    proc = subprocess.run([sys.executable, "-m", "components.publish.site", "--output", str(site)], cwd=ROOT,
                          env={**os.environ, "NEL_ILLUSTRATIVE": "hide"}, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        shutil.rmtree(site, ignore_errors=True)
        log(f"building the low-bandwidth pages failed:\n{proc.stderr[-3000:]}")
        last = [line for line in proc.stderr.splitlines() if line.strip()][-1:] or [f"exit status {proc.returncode}"]
        raise RuntimeError(f"building the low-bandwidth pages failed: {last[0].strip()}")
    return site


def lighthouse_step(quick: bool, work: Path) -> dict:
    """Lighthouse through a fresh `make serve-prod` deployment: the app's pages and the low-bandwidth ones
    (when they cannot be built, the app's pages alone, and the reason)."""
    from bench import lighthouse as lh
    from bench.first_view import production

    if not lh.available():
        raise RuntimeError("Lighthouse is not installed (npm install --no-audit --no-fund) or Debian chromium is missing")
    pages = {p: "app" for p in (lh.APP_PAGES[:1] if quick else lh.APP_PAGES)}
    site, site_error, lite = None, None, []
    try:
        site = build_site(work)
        lite = lh.lite_pages(site)
        pages.update({p: "lite" for p in ([lh.QUICK_LITE_PAGE] if quick else lite)})
    except (RuntimeError, subprocess.SubprocessError) as exc:
        site_error = str(exc)
    try:
        log(f"Lighthouse {lh.version()}: {len(pages)} pages through nginx")
        with production("on", tls=False, site_dir=site) as (targets, _):
            results = lh.run_pages(targets["nginx, HTTP"], pages, log)
    finally:
        if site:
            shutil.rmtree(site, ignore_errors=True)
    return {"version": lh.version(), "browser": lh.chromium_version(), "site_pages": len(lite),
            "site_error": site_error, "pages": results}


FIRST_VIEW_KEPT = ("quick", "reps", "pages", "modes", "cores", "when", "load_before", "load_after", "browser",
                   "summary", "verdict")


def first_view_step(source: str, quick: bool, out: Path, reps: int) -> dict:
    """bench/first_view.py's result: measured now (``source`` "run"), or its last JSON ("last")."""
    from bench import first_view as fv

    saved = fv.OUT / "first-view.json"
    if source == "last" and saved.exists():
        result = json.loads(saved.read_text(encoding="utf-8"))
    else:
        source = "run"
        log("First view: through nginx against straight from a replica")
        result = fv.run(quick=quick, reps=reps, output_dir=out)
    return {"source": source, **{k: result[k] for k in FIRST_VIEW_KEPT}}


def first_view_section(fv: dict) -> list[str]:
    from bench.first_view import table_lines

    how = ("measured in this run by bench/first_view.py" if fv["source"] == "run" else
           "not measured again in this run: the last `make first-view`, read from bench/first-view.json")
    pages = ", ".join("/" + p for p in fv["pages"])
    return ["## First view: through nginx against straight from a replica, before and after", "",
            f"A reader's first view (a new browser context, empty cache) of {pages}, {fv['reps']} view(s) of each per "
            f"target, on {fv['when']} ({how}; {fv['browser']}; load average {fv['load_before'][0]:.1f} to "
            f"{fv['load_after'][0]:.1f} on {fv['cores']} cores). **before**: nginx compresses Streamlit's JavaScript "
            "for every response; **after**: nginx sends copies compressed once per deployment (`make serve-prod`'s "
            "default). First chart = the first frame with a drawn chart; HTTP bytes are on the wire, the total adds "
            "the websocket's payload. Method and per-view detail: bench/first-view.md.", "", *table_lines(fv), "",
            "Against the issue's target (through nginx no slower than straight from a replica, with at most the "
            "bytes it sent before):", "", *[f"- {v}" for v in fv["verdict"]]]


# --- Assembling the results -----------------------------------------------------------------------

def build_figures(res: dict, pages: dict, sessions: int, scales: list[float]) -> list[dict]:
    rows: list[dict] = []
    p1 = res.get("p1")
    if p1:
        for path in pages:
            w = p1["warm"][path]
            rows.append(figure(f"P1.warm.{path}", f"P1 warm page script {label(path)}", "ms", w["samples_ms"],
                               target="p1_warm", note="; ".join(w["exception"])))
        for path in pages:
            w = p1["warm"][path]
            if w.get("cpu_ms"):
                rows.append(figure(f"P1.cpu.{path}", f"P1 warm page script {label(path)}: CPU time of the script thread",
                                   "ms", w["cpu_ms"]))
        for path in pages:
            rows.append(figure(f"P1.cold.{path}", f"P1 cold page script {label(path)} (first run, fresh process)", "ms",
                               [c["cold_ms"] for c in p1["cold"][path]]))
    browser = res.get("browser") or {}
    if "p2" in browser:
        for path in pages:
            b = browser["p2"].get(path)
            if not b:
                continue
            rows.append(figure(f"P2.page.{path}", f"P2 time to first chart {label(path)}", "ms", b["page_ms"]))
            if not b["floor_ms"]:  # no floor: the page sent no chart in P1 (e.g. illustrative values hidden)
                continue
            ratios = [p / f for p, f in zip(b["page_ms"], b["floor_ms"], strict=True) if f]
            rows.append(figure(f"P2.floor.{path}", f"P2 floor: its first chart as static plotly HTML {label(path)}", "ms",
                               b["floor_ms"]))
            rows.append(figure(f"P2.ratio.{path}", f"P2 ratio page / floor {label(path)}", "ratio", ratios,
                               target="p2_ratio"))
    if "p3" in browser:
        m = browser["p3"]
        rows.append(figure("P3.idle", "P3 server memory, idle after start", "MB", [m["idle_mb"]]))
        rows.append(figure("P3.pages", "P3 server memory after every page opened once", "MB", [m["after_pages_mb"]],
                           target="p3_rss"))
        rows.append(figure("P3.sessions", f"P3 server memory after {sessions} sessions", "MB",
                           [m["after_sessions_mb"]], target="p3_rss"))
        rows.append(figure("P3.peak", f"P3 server memory, peak during the {sessions} sessions", "MB", [m["peak_mb"]]))
    if "p4" in browser:
        from bench.browser_time import p95

        visits = browser["p4"]["visits"]
        ttfc = [v["ttfc_ms"] for v in visits if v["ttfc_ms"] is not None]
        errors = sum(1 for v in visits if v["errors"])
        missing = sum(1 for v in visits if v["drawn"] < max(v["min_charts"], v["charts"]))
        rows.append(figure("P4.ttfc", f"P4 time to first chart, {sessions} sessions at once ({len(visits)} page visits)",
                           "ms", ttfc, target="p4_p95", stat="p95", judged=p95(ttfc) if ttfc else None))
        rows.append(figure("P4.errors", f"P4 page visits with an error ({sessions} sessions)", "count", [errors],
                           target="p4_errors"))
        rows.append(figure("P4.missing", f"P4 page visits with a chart not drawn ({sessions} sessions)", "count",
                           [missing], target="p4_missing"))
        p4 = browser["p4"]
        if p4.get("server_cpu_s") is not None:
            rows.append(figure("P4.wall", f"P4 wall time of the {sessions} sessions", "ms", [1000 * p4["wall_s"]]))
            rows.append(figure("P4.server_cpu", f"P4 server CPU time during the {sessions} sessions", "ms",
                               [1000 * p4["server_cpu_s"]]))
            rows.append(figure("P4.busy", f"P4 busy CPU time of the whole machine ({p4['cores']} cores) meanwhile", "ms",
                               [1000 * p4["machine_busy_s"]]))
    p5 = res.get("p5")
    if p5:
        for key, g in p5.items():
            big = key == f"{max(scales):g}" and max(scales) >= 100
            rows.append(figure(f"P5.validate.{key}", f"P5 validation (load_package), {key}× package", "ms",
                               g["validate_ms"], target="p5_validate_100" if big else None))
            for path in g.get("warm", {}):
                w = g["warm"][path]
                rows.append(figure(f"P5.warm.{key}.{path}", f"P5 warm page script {label(path)}, {key}× package", "ms",
                                   w["samples_ms"], target="p5_warm_100" if big else None,
                                   note="; ".join(w["exception"])))
    if "p6" in browser:
        for path, b in browser["p6"].items():
            rows.append(figure(f"P6.first.{path}", f"P6 bytes to the browser {label(path)}, first visit (empty cache)",
                               "bytes", [b["first"]["total"]]))
            if "gzip_http" in b["first"]:
                rows.append(figure(f"P6.gzip.{path}", f"P6 bytes {label(path)}, first visit, behind a gzip proxy (estimate)",
                                   "bytes", [b["first"]["gzip_http"] + b["first"]["ws"]]))
            rows.append(figure(f"P6.repeat.{path}", f"P6 bytes to the browser {label(path)}, repeat visit (cache warm)",
                               "bytes", [b["repeat"]["total"]]))
    if p1 and "boroughs" in p1["warm"]:
        rows.append(figure("P6.boundaries", "P6 boundary geometry sent with /boroughs (map polygons + 3D view features)",
                           "bytes", [p1["warm"]["boroughs"]["geometry_bytes"]], target="p6_boundaries"))
        rows.append(figure("P6.geojson", "P6 geo/london_boroughs.geojson on disk (read by the server only)", "bytes",
                           [GEOJSON.stat().st_size]))
    return rows


def growth_table(res: dict, pages: dict) -> list[list[str]]:
    p5, p1 = res.get("p5"), res.get("p1")
    if not p5:
        return []
    keys = list(p5)
    head = ["figure", *[f"{k}×" for k in keys], f"growth {keys[0]}× → {keys[-1]}×"]
    table = [head]

    def line(name, values, unit):
        first, last = values[0], values[-1]
        change = f"{last / first:.1f}×" if first and last is not None else "—"
        table.append([name, *[fmt(v, unit) for v in values], change])

    line("data rows", [p5[k]["summary"]["rows"] for k in keys], "count")
    line("package size", [p5[k]["summary"]["bytes"] for k in keys], "bytes")
    line("validation (median)", [statistics.median(p5[k]["validate_ms"]) for k in keys], "ms")
    for path in pages:
        warm = [statistics.median(p1["warm"][path]["samples_ms"]) if k == "1" and p1 else
                (statistics.median(p5[k]["warm"][path]["samples_ms"]) if path in p5[k].get("warm", {}) else None)
                for k in keys]
        line(f"warm page script {label(path)} (median)", warm, "ms")
    for path in pages:  # the first visitor to a view waits for this: its cards are built, then cached
        first = [p1["warm"][path].get("first_ms") if k == "1" and p1 else
                 (p5[k]["warm"][path].get("first_ms") if path in p5[k].get("warm", {}) else None) for k in keys]
        line(f"first run of {label(path)}, its cards not yet built", first, "ms")
    for path in pages:
        size = [p1["warm"][path]["chart_bytes"] if k == "1" and p1 else
                (p5[k]["warm"][path]["chart_bytes"] if path in p5[k].get("warm", {}) else None) for k in keys]
        line(f"chart JSON sent by {label(path)}", size, "bytes")
    return table


def md_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def markdown(result: dict) -> str:
    meta, figures = result["meta"], result["figures"]
    lines = [
        "# Performance benchmark results",
        "",
        f"Written by `{meta['command']}` on {meta['finished']} ({meta['mode']} mode) in {meta['duration_s']:.0f} s.",
        f"Machine: {meta['cpus']} cores, {meta['platform']}; Python {meta['python']}, {meta['browser']}. "
        f"Load average (1 min) {meta['load_start'][0]:.1f} at the start and {meta['load_end'][0]:.1f} at the end: "
        "**the machine is shared** (other work ran tests at the same time), so read timings as one noisy run, "
        "medians and ratios rather than exact values. Nothing in the test suite asserts a time.",
        f"Code: commit {meta['commit']}" + (f" with {meta['dirty']} uncommitted file(s)" if meta["dirty"] else "") + "."
        + (f" Steps {', '.join(meta['merged_from']['steps_kept'])} are from the run of {meta['merged_from']['finished']} "
           "(measured again with --steps/--merge)." if meta.get("merged_from") else "")
        + (f" {meta['note']}" if meta.get("note") else ""),
        "",
        "## Results",
        "",
    ]
    table = [["figure", "median", "min", "max", "target", "met"]]
    for r in figures:
        target = r["target"] or "—"
        if r["stat"] != "median" and r["judged"] is not None:
            target = f"{target} ({r['stat']} = {fmt(r['judged'], r['unit'])})"
        name = r["figure"] + (f" (n={r['n']})" if r["n"] > 1 else "")
        if r["note"]:
            name += f" ⚠ {r['note'][:120]}"
        table.append([name, fmt(r["median"], r["unit"]), fmt(r["min"], r["unit"]), fmt(r["max"], r["unit"]), target,
                      verdict(r)])
    lines.append(md_table(table))
    for step, error in result["raw"].get("errors", {}).items():
        lines.insert(lines.index("## Results") + 2, f"**The {step} step failed and was not measured:** {error}\n")
    judged = [r for r in figures if r["limit"] is not None]
    missed = [r for r in judged if r["met"] is False]
    lines += ["", f"**{len(judged) - len(missed)} of {len(judged)} targets met.**" +
              (" Not met: " + "; ".join(f"{r['figure']} ({fmt(r['judged'], r['unit'])})" for r in missed) + "."
               if missed else "")]
    if "lighthouse" in result["raw"]:
        from bench.lighthouse import section

        lines += ["", *section(result["raw"]["lighthouse"])]
    if "first_view" in result["raw"]:
        lines += ["", *first_view_section(result["raw"]["first_view"])]
    growth = result.get("growth_table")
    if growth:
        lines += ["", "## How each figure grows with the package (P5)", "", md_table(growth)]
        sizes = result["raw"]["p5"]
        lines += ["", "Generated packages (bench/generate.py, seed {}): ".format(gen.SEED) + "; ".join(
            f"{k}×: {v['summary']['rows']:,} rows, {v['summary'].get('organisations', 8)} organisations"
            + (f" ({v['summary']['new_organisations']} generated trusts), years from "
               f"{v['summary'].get('first_year', '?')}" if k != "1" else "")
            for k, v in sizes.items()) + "."]
    before = result.get("before")
    if before:
        lines += ["", "## Before and after", "",
                  f"Before: the run of {before['meta']['finished']} (commit {before['meta']['commit']}), kept in "
                  "bench/baseline.json, made before the changes listed under Findings."
                  + (f" {before['meta']['note']}" if before["meta"].get("note") else ""), ""]
        old = {r["id"]: r for r in before["figures"]}
        table = [["figure", "before (median)", "after (median)", "after / before", "target", "before", "after"]]
        for r in figures:
            b = old.get(r["id"])
            if not b:
                continue
            ratio = f"{r['judged'] / b['judged']:.2f}" if b.get("judged") and r.get("judged") is not None else "—"
            table.append([r["figure"], fmt(b["judged"], b["unit"]), fmt(r["judged"], r["unit"]), ratio,
                          r["target"] or "—", verdict(b), verdict(r)])
        lines.append(md_table(table))
    if meta["mode"] == "full" and FINDINGS.exists():
        lines += ["", FINDINGS.read_text(encoding="utf-8").strip()]
    lines += ["", "## How it is measured", "", METHOD.strip(), ""]
    return "\n".join(lines)


METHOD = """
- **P1** `bench/script_time.py` runs `dashboard.py` through `streamlit.testing.v1.AppTest` and switches to each page.
  Cold: a fresh Python process per page lands on the page directly and times its first run (imports, package load,
  every derived frame). Warm: one process runs each page once, then times 10 more runs (median). The time includes
  AppTest's own work on the elements, so it is an upper bound on the script time in the server. The CPU-time rows are
  the script thread's own CPU time (`time.thread_time()` around the script): what other work on a shared machine
  cannot inflate, so the steadiest figure for before/after comparisons.
- **P2** the real server (`streamlit run`, started by bench/harness.py) and Debian Chromium through Playwright. One
  browser context first opens every page and floor once (server warm, browser cache warm); then 5 rounds, each page
  followed by its floor. Time to first chart = `performance.now()` at the first animation frame in which a plotly trace
  has been drawn with a size (`wait_for_function(..., polling="raf")`). The floor is the page's first chart (its figure
  JSON as the page sends it) written by `plotly.io.write_html(include_plotlyjs=True)` and opened from `file://`. The
  ratio is computed per round (page / its floor).
- **P3** VmRSS of the server process (/proc/PID/status) on a fresh server: idle, after one browser context opened every
  page, after the concurrent sessions (and their peak, sampled every 0.25 s).
- **P4** one Chromium, N contexts started together; each opens every page in turn (each from a different first page)
  and waits for the script to finish and its charts to be drawn. An error is a timeout (90 s), a page error or an
  exception box; a chart not drawn is a page whose drawn plotly charts are fewer than its chart elements or its minimum.
  P4 is a smoke test (many sessions in one browser on the server's own cores), not the capacity figure: readers per
  replica are measured at the server by `make load` (bench/capacity.md).
- **P5** `bench/generate.py` makes packages N× the shipped one in data rows (more organisations, more years; every
  generated row illustrative). Validation = `data.package.load_package` (read, check, suppress), median of 3. Warm page
  script as P1, 5 runs per page (fewer, at least one, where 5 would take over 90 s), with NEL_DATA set to the package.
- **P6** DevTools protocol per page in a fresh context: HTTP `encodedDataLength` (bytes on the wire, headers included)
  plus the payload of every websocket frame received (Streamlit sends charts over the websocket), on a first visit
  (empty cache) and a repeat visit. Streamlit 1.67 serves its static files uncompressed; the "behind a gzip proxy" row
  estimates the first visit behind deploy/'s nginx (each text response gzipped at level 6). Boundary geometry = the
  x/y arrays of the map's filled polygons plus the geometry of the 3D view's GeoJSON features, as the page sends them.
- **Lighthouse** `bench/lighthouse.py`: the npm package pinned in package.json, run by node with Debian Chromium and
  bench/harness.py's launch flags, default mobile preset (simulated throttling), categories performance,
  accessibility, best practices, SEO; one run per page, so a score moves by a few points between runs. A fresh
  `make serve-prod` deployment (bench/first_view.py's `production`, free loopback ports) serves the app and, at /lite/,
  the low-bandwidth pages built just before. Lighthouse's simulation models the network and the browser's CPU, not
  the server's time to answer over the websocket.
- **First view** `bench/first_view.py` (`make first-view`): see bench/first-view.md.
"""


# --- Main -----------------------------------------------------------------------------------------

def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the dashboard against its floor (make bench).")
    parser.add_argument("--quick", action="store_true", help="small and fast: checks the benchmark still works")
    parser.add_argument("--out", type=Path, help="where to write results.md/.json (default bench/, or build/bench/quick)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="leave out P2, P3, P4, P6, Lighthouse and the first view (no Chromium)")
    parser.add_argument("--baseline", type=Path, help=f"earlier results.json to compare with (default {BASELINE.name})")
    parser.add_argument("--sessions", type=int, help="concurrent sessions for P4 (default 20; quick 3)")
    parser.add_argument("--pages", help="comma-separated URL paths to measure (default every page)")
    parser.add_argument("--profile", action="store_true", help="write cProfile stats of the warm runs under raw/")
    parser.add_argument("--from-json", type=Path, help="rewrite the figures and results.md from an earlier results.json's "
                                                         "raw measurements (nothing is measured)")
    parser.add_argument("--steps", default="p1,p5,browser,lighthouse,firstview",
                        help="which steps to measure (p1, p5, browser, lighthouse, firstview; default all); with --merge "
                             "the rest come from there")
    parser.add_argument("--first-view", choices=("run", "last"),
                        help="measure the first view again (run; the default) or take bench/first-view.json (last; "
                             "the default with --quick)")
    parser.add_argument("--first-view-reps", type=int, default=5, help="first views of each page per target [5]")
    parser.add_argument("--merge", type=Path, help="an earlier results.json whose raw measurements fill the steps not run "
                                                   "(to measure one step again when the shared machine was busy)")
    args = parser.parse_args(argv)
    if args.from_json:
        return rewrite(args.from_json, args.out or args.from_json.parent, args.baseline or BASELINE)

    quick = args.quick
    out = (args.out or (ROOT / "build" / "bench" / "quick" if quick else BENCH)).resolve()
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    names = args.pages.split(",") if args.pages else (QUICK_PAGES if quick else list(PAGES))
    pages = {("" if n in ("overview", "/") else n.strip("/")): None for n in names}
    pages = {p: PAGES[p] for p in pages}
    sessions = args.sessions or (3 if quick else 20)
    scales = [2.0] if quick else [10.0, 100.0]
    cold_reps, warm_runs, p2_reps = (1, 2, 1) if quick else (3, 10, 5)
    started = time.time()
    load_start = os.getloadavg()
    res: dict = {}

    def keep() -> None:  # what has been measured so far, in case a later step fails
        (raw / "partial.json").write_text(json.dumps(res, default=float), encoding="utf-8")

    steps = {s.strip().lower() for s in args.steps.split(",")}
    merged_from = None
    if args.merge:
        earlier = json.loads(args.merge.read_text(encoding="utf-8"))
        res = {k: v for k, v in earlier["raw"].items() if k != "errors"}
        merged_from = {"file": str(args.merge), "finished": earlier["meta"]["finished"], "steps_kept": sorted(
            {"p1", "p5", "browser", "lighthouse", "firstview"} - steps)}

    if "p1" in steps or "p1" not in res:
        log(f"P1: page script time ({len(pages)} pages)")
        res["p1"] = script_times(pages, cold_reps, warm_runs, profile=str(raw / "warm") if args.profile else None)
        keep()

    growth_pages = {p: pages[p] for p in (list(pages)[:1] if quick else pages)}
    try:
        if "p5" not in steps and "p5" in res:
            raise LookupError("kept")
        log("P5: growth")
        res["p5"] = growth(scales, growth_pages, 1 if quick else 5, 1 if quick else 3,
                           raw if quick else ROOT / "build" / "bench")  # quick: its own folder, so runs cannot collide
    except LookupError:
        pass
    except Exception as exc:  # noqa: BLE001 (write what was measured; the failure goes in the results)
        res["errors"] = {**res.get("errors", {}), "p5": f"{type(exc).__name__}: {exc}"}
        log(f"P5 failed: {exc}")
    keep()

    browser_version = res.get("browser", {}).get("browser_version", "no browser")
    if not args.skip_browser and ("browser" in steps or "browser" not in res):
        from bench.browser_time import run_browser_suite

        floors = write_floors(res["p1"]["warm"], raw / "floors")
        in_browser = {p: pages[p] for p in pages if p in QUICK_BROWSER_PAGES} if quick else pages
        try:
            res["browser"] = run_browser_suite(in_browser, floors, p2_reps, sessions, in_browser, log)
            browser_version = res["browser"].get("browser_version", "Chromium")
        except Exception as exc:  # noqa: BLE001
            res["errors"] = {**res.get("errors", {}), "browser": f"{type(exc).__name__}: {exc}"}
            log(f"the browser steps failed: {exc}")
        keep()
    browser_steps(args, res, steps, out, keep)

    for facts in res["p1"]["warm"].values():
        facts.pop("first_spec", None)
    for g in res.get("p5", {}).values():
        for facts in g.get("warm", {}).values():
            facts.pop("first_spec", None)

    figures = build_figures(res, pages, sessions, scales)
    result = {
        "meta": {
            "command": "python -m bench.run" + (" --quick" if quick else ""), "mode": "quick" if quick else "full",
            "started": dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "finished": dt.datetime.now().isoformat(timespec="seconds"), "duration_s": time.time() - started,
            "cpus": os.cpu_count(), "platform": platform.platform(terse=True), "python": platform.python_version(),
            "browser": browser_version, "load_start": load_start, "load_end": os.getloadavg(),
            "commit": git("rev-parse", "--short", "HEAD") or "unknown",
            "dirty": len([line for line in git("status", "--porcelain").splitlines() if line.strip()]),
            "pages": list(pages), "sessions": sessions, "scales": [1.0, *scales], "merged_from": merged_from,
        },
        "figures": figures,
        "growth_table": growth_table(res, pages),
        "raw": res,
    }
    write(result, out, args.baseline or (BASELINE if not quick else None))
    return 0


def browser_steps(args: argparse.Namespace, res: dict, steps: set[str], out: Path, keep) -> None:
    """Lighthouse and the first view, each with its own deployment; a failure is written in the results."""
    if args.skip_browser:
        return
    if "lighthouse" in steps or "lighthouse" not in res:
        try:
            res["lighthouse"] = lighthouse_step(args.quick, ROOT / "build" / "bench")  # nginx must read it
        except Exception as exc:  # noqa: BLE001
            res["errors"] = {**res.get("errors", {}), "lighthouse": f"{type(exc).__name__}: {exc}"}
            log(f"Lighthouse failed: {exc}")
        keep()
    if "firstview" in steps or "first_view" not in res:
        source = args.first_view or ("last" if args.quick else "run")
        try:
            res["first_view"] = first_view_step(source, args.quick, out, args.first_view_reps)
        except Exception as exc:  # noqa: BLE001
            res["errors"] = {**res.get("errors", {}), "first view": f"{type(exc).__name__}: {exc}"}
            log(f"the first view failed: {exc}")
        keep()


def write(result: dict, out: Path, baseline: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    result.pop("before", None)
    if baseline and baseline.exists() and baseline.resolve() != (out / "results.json").resolve():
        before = json.loads(baseline.read_text(encoding="utf-8"))
        result["before"] = {"meta": before["meta"], "figures": before["figures"]}
    (out / "results.json").write_text(json.dumps(result, indent=1, default=float), encoding="utf-8")
    (out / "results.md").write_text(markdown(result), encoding="utf-8")
    judged = [f for f in result["figures"] if f["limit"] is not None]
    log(f"wrote {out / 'results.md'} and results.json: {sum(1 for f in judged if f['met'])} of {len(judged)} targets met")


def rewrite(source: Path, out: Path, baseline: Path | None) -> int:
    """The figures and write-up again, from the raw measurements of an earlier run."""
    result = json.loads(source.read_text(encoding="utf-8"))
    meta = result["meta"]
    pages = {p: PAGES[p] for p in meta["pages"]}
    scales = [s for s in meta["scales"] if s != 1.0]
    result["figures"] = build_figures(result["raw"], pages, meta["sessions"], scales)
    result["growth_table"] = growth_table(result["raw"], pages)
    write(result, out, baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
