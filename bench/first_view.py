"""A reader's first view (empty browser cache) through nginx against straight from a replica, before and
after Streamlit's static files are compressed once per deployment (issue #14, "A cheaper first view").

    python -m bench.first_view [--quick] [--reps N] [--output-dir bench]

For each mode, the production topology is started exactly as `make serve-prod` does (deploy/serve-prod.sh,
two replicas, nginx on loopback, also over HTTPS with a throw-away certificate when openssl is there); both
run side by side and their targets are visited in turn, so a busy machine weighs on each alike:

- before: PROD_PRECOMPRESSED=off, nginx compresses /static/ for every response (gzip 5, brotli 5);
- after:  PROD_PRECOMPRESSED=on, nginx sends the gzip 9 / brotli 11 copies written at start-up.

Each view is a new browser context (empty cache, no cookie) in Debian's Chromium; the servers are warmed
first (one view of every page on every target). Measured per view, with bench/browser_time.py's tools:
time to first chart (performance.now() at the first frame with a drawn plotly trace), bytes received
(HTTP on the wire, headers included, and websocket payload) and the encoding of the JavaScript; and
the CPU time nginx spent over the views of each target. Writes first-view.md and first-view.json. --quick: the "after" mode only, the
overview, one view per target (tests/test_static_compression.py runs it).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.browser_time import (
    APP_TRACE,
    VIEWPORT,
    ByteCounter,
    cpu_seconds,
    first_chart_ms,
    launch,
    machine_busy_seconds,
    settle,
)
from bench.harness import free_port

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent
# Paths in the app, with the charts each shows with NEL_ILLUSTRATIVE=hide (as make serve-prod runs it).
PAGES = {"": 1, "boroughs": 1, "workforce": 1}
MODES = {"before": "off", "after": "on"}



def log(msg: str) -> None:
    print(f"[first-view {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _self_signed(directory: Path) -> tuple[Path, Path] | None:
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return cert, key


@contextmanager
def production(precompressed: str, tls: bool = True, site_dir: Path | None = None):
    """deploy/serve-prod.sh on free loopback ports; yields {target: base URL} and the run directory.
    ``site_dir``: the low-bandwidth site served at /lite/ (default build/site, as serve-prod's)."""
    ports: list[int] = []
    while len(ports) < 4:
        if (port := free_port()) not in ports:
            ports.append(port)
    nginx_port, tls_port, *replica_ports = ports
    (ROOT / "build").mkdir(exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix=f"first-view-{precompressed}-", dir=ROOT / "build"))
    run_dir.chmod(0o755)
    env = {**os.environ, "PROD_DIR": str(run_dir), "PROD_PORT": str(nginx_port),
           "PROD_REPLICA_PORTS": " ".join(map(str, replica_ports)), "PROD_PRECOMPRESSED": precompressed}
    if site_dir is not None:
        env["PROD_SITE_DIR"] = str(site_dir)
    targets = {"direct (replica, HTTP)": f"http://127.0.0.1:{replica_ports[0]}",
               "nginx, HTTP": f"http://127.0.0.1:{nginx_port}"}
    pair = _self_signed(run_dir) if tls else None
    if pair:
        env.update(PROD_TLS_CERT=str(pair[0]), PROD_TLS_KEY=str(pair[1]), PROD_TLS_PORT=str(tls_port))
        targets["nginx, HTTPS"] = f"https://127.0.0.1:{tls_port}"
    try:
        started = subprocess.run([str(ROOT / "deploy" / "serve-prod.sh")], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=300)
        if started.returncode != 0:
            raise SystemExit(f"serve-prod failed:\n{started.stdout}\n{started.stderr}")
        yield targets, run_dir
    finally:
        subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=env, capture_output=True, timeout=120)
        shutil.rmtree(run_dir, ignore_errors=True)


def nginx_pids(run_dir: Path) -> list[int]:
    """nginx's master (its pid file) and its workers (the master's children)."""
    try:
        master = int((run_dir / "nginx.pid").read_text().strip())
    except (OSError, ValueError):
        return []
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def nginx_cpu(run_dir: Path) -> float:
    return sum(cpu_seconds(pid) or 0.0 for pid in nginx_pids(run_dir))


async def first_view(browser, url: str, min_charts: int) -> dict:
    """One reader's first view: a new context (empty cache, no cookie)."""
    context = await browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
    page = await context.new_page()
    counter = ByteCounter()
    encodings: dict[str, int] = {}

    def on_response(event):
        response = event["response"]
        if "/static/js/" in response["url"]:
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            enc = headers.get("content-encoding", "identity")
            encodings[enc] = encodings.get(enc, 0) + 1
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    cdp.on("Network.requestWillBeSent", counter.on_request)
    cdp.on("Network.loadingFinished", counter.on_finished)
    cdp.on("Network.webSocketFrameReceived", counter.on_frame)
    cdp.on("Network.responseReceived", on_response)
    try:
        ms = await first_chart_ms(page, url, APP_TRACE)
        await settle(page, min_charts)
        await page.wait_for_timeout(300)
        return {"first_chart_ms": round(ms, 1), "http_bytes": counter.http, "ws_bytes": counter.ws,
                "total_bytes": counter.total, "requests": counter.requests, "js_encodings": encodings}
    finally:
        await context.close()


async def view_or_failure(browser, url: str, min_charts: int) -> dict:
    """A view that times out (a busy shared machine) is counted as failed, not the end of the run."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        return await first_view(browser, url, min_charts)
    except PlaywrightTimeout as exc:
        log(f"a view of {url} failed: {str(exc).splitlines()[0]}")
        return {"failed": str(exc).splitlines()[0]}


async def measure(modes: list[str], pages: dict[str, int], reps: int) -> dict:
    """Every mode's deployment running at once, their targets visited in turn: a busy machine slows
    every target alike instead of whichever mode happened to run while it was busy."""
    from playwright.async_api import async_playwright

    with ExitStack() as stack:
        deployments = {mode: stack.enter_context(production(MODES[mode])) for mode in modes}
        targets = {(mode, t): base for mode, (ts, _) in deployments.items() for t, base in ts.items()}
        async with async_playwright() as p:
            browser = await launch(p)
            try:
                for base in targets.values():                       # warm every server's caches
                    for path, charts in pages.items():
                        await view_or_failure(browser, f"{base}/{path}", charts)
                views = {key: {path: [] for path in pages} for key in targets}
                cpu = {key: 0.0 for key in targets}
                for _ in range(reps):                               # interleaved
                    for key, base in targets.items():
                        run_dir = deployments[key[0]][1]
                        for path, charts in pages.items():
                            before = nginx_cpu(run_dir)
                            views[key][path].append(await view_or_failure(browser, f"{base}/{path}", charts))
                            cpu[key] += nginx_cpu(run_dir) - before
                version = browser.version
            finally:
                await browser.close()
    n = reps * len(pages)
    return {"browser": f"Chromium {version}", "modes": {
        mode: {"targets": [t for m, t in targets if m == mode],
               "views": {t: views[(m, t)] for m, t in targets if m == mode},
               "nginx_cpu_ms_per_view": {t: round(cpu[(m, t)] * 1000 / n, 1) for m, t in targets if m == mode}}
        for mode in modes}}


def summarise(mode: dict) -> dict:
    out = {}
    for target, all_views in mode["views"].items():
        by_page = {p: [v for v in vs if "failed" not in v] for p, vs in all_views.items()}
        by_page = {p: vs for p, vs in by_page.items() if vs}
        views = [v for vs in by_page.values() for v in vs]
        encodings: dict[str, int] = {}
        for v in views:
            for enc, count in v["js_encodings"].items():
                encodings[enc] = encodings.get(enc, 0) + count
        out[target] = {
            "first_chart_ms_median": round(statistics.median(v["first_chart_ms"] for v in views), 1),
            "first_chart_ms_range": [min(v["first_chart_ms"] for v in views), max(v["first_chart_ms"] for v in views)],
            "per_page_ms_median": {p or "/": round(statistics.median(v["first_chart_ms"] for v in vs), 1)
                                   for p, vs in by_page.items()},
            "http_bytes_median": int(statistics.median(v["http_bytes"] for v in views)),
            "total_bytes_median": int(statistics.median(v["total_bytes"] for v in views)),
            "per_page_http_bytes": {p or "/": int(statistics.median(v["http_bytes"] for v in vs))
                                    for p, vs in by_page.items()},
            "js_encoding": max(encodings, key=encodings.get) if encodings else "none",
            "nginx_cpu_ms_per_view": mode["nginx_cpu_ms_per_view"][target] if target.startswith("nginx") else None,
            "views": len(views),
            "failed": sum(1 for vs in all_views.values() for v in vs if "failed" in v),
        }
    return out


def mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def markdown(result: dict) -> str:
    lines = ["# First view: through nginx against straight from a replica", "",
             f"Written by `python -m bench.first_view{' --quick' if result['quick'] else ''}` on {result['when']} "
             f"({result['browser']}, {result['cores']} cores shared with other work; load average "
             f"{result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after). Each view is a new "
             "browser context (empty cache) on loopback, after one warm-up view of every page on every target; "
             f"{result['reps']} view(s) of each of {', '.join('/' + p for p in result['pages'])} per target and mode, "
             "both modes' deployments running side by side and visited in turn. "
             "**before**: nginx compresses Streamlit's JavaScript for every response (gzip 5, brotli 5); "
             "**after**: nginx sends the gzip 9 / brotli 11 copies `prodctl.py precompress` wrote at start-up. "
             "HTTP bytes are on the wire "
             "(headers included); the total adds the websocket's payload (the page's content and charts), the same "
             "for every target.", "", *table_lines(result)]
    verdict = result.get("verdict")
    if verdict:
        lines += ["", "## Against the target", "", *[f"- {v}" for v in verdict]]
    return "\n".join(lines) + "\n"


def table_lines(result: dict) -> list[str]:
    """The summary table and the per-page medians (also in bench/results.md, from bench/run.py)."""
    lines = ["| mode | target | first chart, median (range) | HTTP bytes | total bytes | JavaScript sent as | nginx CPU per view |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in result["modes"]:
        for target, s in result["summary"][mode].items():
            cpu = "" if s["nginx_cpu_ms_per_view"] is None else f"{s['nginx_cpu_ms_per_view']:.0f} ms"
            failed = f"; {s['failed']} view(s) timed out" if s.get("failed") else ""
            lines.append(f"| {mode} | {target} | {s['first_chart_ms_median'] / 1000:.2f} s "
                         f"({s['first_chart_ms_range'][0] / 1000:.2f}–{s['first_chart_ms_range'][1] / 1000:.2f}{failed}) | "
                         f"{mb(s['http_bytes_median'])} | {mb(s['total_bytes_median'])} | {s['js_encoding']} | {cpu} |")
    lines += ["", "Per page (median first chart; HTTP bytes):", ""]
    for mode in result["modes"]:
        for target, s in result["summary"][mode].items():
            parts = [f"{p} {s['per_page_ms_median'][p] / 1000:.2f} s, {mb(s['per_page_http_bytes'][p])}"
                     for p in s["per_page_ms_median"]]
            lines.append(f"- {mode}, {target}: " + "; ".join(parts))
    return lines


def verdict(result: dict) -> list[str]:
    """The issue's target: through nginx no slower than straight from a replica, with at most the bytes
    it sends today. Direct views of both deployments are pooled (their replicas are the same)."""
    summary, raw = result["summary"], result["raw"]
    direct_ms = [v["first_chart_ms"] for mode in raw.values() for t, by_page in mode["views"].items()
                 if t.startswith("direct") for vs in by_page.values() for v in vs if "failed" not in v]
    if not direct_ms:
        return []
    direct = statistics.median(direct_ms)
    out = [f"Straight from a replica: first chart {direct / 1000:.2f} s (median of all {len(direct_ms)} direct views)."]
    for mode in result["modes"]:
        for target, s in summary[mode].items():
            if not target.startswith("nginx"):
                continue
            ratio = s["first_chart_ms_median"] / direct
            line = (f"{mode}, {target}: first chart {s['first_chart_ms_median'] / 1000:.2f} s, {ratio:.2f}× direct "
                    f"({'no slower' if ratio <= 1.0 else 'slower'}); HTTP bytes {mb(s['http_bytes_median'])}; "
                    f"nginx CPU {s['nginx_cpu_ms_per_view']:.0f} ms per view")
            before = summary.get("before", {}).get(target)
            if mode == "after" and before:
                line += (f"; bytes against before: {s['http_bytes_median'] / before['http_bytes_median']:.2f}× "
                         + ("(at most today's)" if s["http_bytes_median"] <= before["http_bytes_median"]
                            else "(more than today)"))
            out.append(line)
    out.append(f"The machine was shared (load average {result['load_before'][0]:.1f} to {result['load_after'][0]:.1f} "
               f"on {result['cores']} cores): single views vary by ±1 s, so compare medians, and the ranges above.")
    return out


def run(quick: bool = False, reps: int = 5, output_dir: Path = OUT) -> dict:
    pages = {"": PAGES[""]} if quick else PAGES
    reps = 1 if quick else reps
    modes = ["after"] if quick else list(MODES)
    result = {"quick": quick, "reps": reps, "pages": list(pages), "modes": modes, "cores": os.cpu_count(),
              "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": os.getloadavg(),
              "raw": {}, "summary": {}}
    busy0 = machine_busy_seconds()
    log(f"{', '.join(f'{m} (PROD_PRECOMPRESSED={MODES[m]})' for m in modes)}: "
        f"{reps} view(s) of {len(pages)} page(s) per target")
    raw = asyncio.run(measure(modes, pages, reps))
    result["browser"] = raw["browser"]
    for mode in modes:
        result["raw"][mode] = raw["modes"][mode]
        result["summary"][mode] = summarise(raw["modes"][mode])
    result["load_after"] = os.getloadavg()
    result["machine_busy_s"] = round(machine_busy_seconds() - busy0, 1)
    result["verdict"] = verdict(result)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "first-view.json").write_text(json.dumps(result, indent=1) + "\n")
    (output_dir / "first-view.md").write_text(markdown(result))
    log(f"wrote {output_dir / 'first-view.md'}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the 'after' mode, the overview, one view per target")
    parser.add_argument("--reps", type=int, default=5, help="views of each page per target and mode [5]")
    parser.add_argument("--output-dir", type=Path, default=OUT)
    parser.add_argument("--report-only", action="store_true", help="write first-view.md again from first-view.json")
    args = parser.parse_args(argv)
    if args.report_only:
        result = json.loads((args.output_dir / "first-view.json").read_text())
        result["verdict"] = verdict(result)
        (args.output_dir / "first-view.json").write_text(json.dumps(result, indent=1) + "\n")
        (args.output_dir / "first-view.md").write_text(markdown(result))
    else:
        run(args.quick, args.reps, args.output_dir)
    print((args.output_dir / "first-view.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
