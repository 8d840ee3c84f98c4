"""Load: 20 concurrent browser sessions walk every page of one server while two slow clients stay
connected for the whole run (a Chromium tab on a throttled link, and a raw websocket that asks for the
heaviest page and then reads one message a second). Required: no error in any session, every chart
drawn, no request to another host, and /_stcore/health answering every poll (every 0.5 s) throughout.

Does a slow client slow the others? Five websocket visitors (Streamlit's own protocol, no rendering,
so the server is what is measured) open every page at once, twice: with the server otherwise idle, and
with the two slow clients connected. Their time to the first chart is reported, not asserted, with the rest of
the figures in tests/artifacts/reliability/load.json (for the README).

NEL_LOAD_SESSIONS overrides the number of sessions (default 20).
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, DRAWN_TRACE, LAUNCH_ARGS, app_server
from tests.site import PAGES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "reliability"
SESSIONS = int(os.environ.get("NEL_LOAD_SESSIONS", "20"))
PROBE_VISITORS = 5  # websocket visitors timed with and without the slow clients
WALK = [(path, min_charts) for path, (_, min_charts) in PAGES.items()] + [("present", 1)]
# A safety net so the run always ends, not a speed target (timings belong in bench/): generous because
# CI's two cores may be shared with other work.
DEADLINE_S = 20 * 60
PAGE_TIMEOUT_MS = 180_000

FIRST_CHART = f"""() => !!document.querySelector('{DRAWN_TRACE}')"""
DONE = """(n) => {
    const running = document.querySelector('[data-testid="stStatusWidget"]');
    const drawn = new Set();
    document.querySelectorAll('""" + DRAWN_TRACE + """')
        .forEach(t => drawn.add(t.closest('[data-testid="stPlotlyChart"]')));
    return !running && document.querySelector('h1') && drawn.size >= n;
}"""
# After a click in the navigation: the new page's heading is up and one of its charts is drawn.
NEW_PAGE = """(before) => {
    const h1 = document.querySelector('h1');
    return h1 && h1.innerText !== before && !!document.querySelector('""" + DRAWN_TRACE + """');
}"""
CHARTS = """() => {
    const all = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
    const drawn = all.filter(c => c.querySelector('.js-plotly-plot .main-svg g.trace, .js-plotly-plot .main-svg .heatmaplayer image'));
    return [all.length, drawn.length];
}"""


class HealthPoller(threading.Thread):
    """GET /_stcore/health every 0.5 s until stopped; every answer must be 200 'ok'."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.url = base + "/_stcore/health"
        self.stop = threading.Event()
        self.ok = 0
        self.failed: list[str] = []
        self.latencies: list[float] = []

    def run(self) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=10) as r:
                    body = r.read().strip()
                if r.status == 200 and body == b"ok":
                    self.ok += 1
                else:
                    self.failed.append(f"{r.status} {body[:40]!r}")
            except Exception as exc:  # noqa: BLE001 (every failure is a finding)
                self.failed.append(f"{type(exc).__name__}: {exc}")
            self.latencies.append(time.perf_counter() - t0)
            self.stop.wait(max(0.0, 0.5 - (time.perf_counter() - t0)))


async def walk(browser, base: str, index: int) -> dict:
    """One visitor: a fresh context that opens every page in turn (each visitor starts at a different page)."""
    host = urllib.parse.urlsplit(base).netloc
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    result = {"errors": [], "first_chart_s": [], "complete_s": [], "charts": 0, "charts_drawn": 0, "requests": 0,
              "foreign": []}

    def on_request(request):
        result["requests"] += 1
        parts = urllib.parse.urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.netloc != host:
            result["foreign"].append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda e: result["errors"].append(f"page error: {e}"))
    try:
        await asyncio.sleep(0.15 * index)  # visitors arrive over a few seconds, not in one instant
        # Each visitor starts at a different page, moves through the site by its navigation links (as a
        # reader does) and ends by opening presenter mode (which hides the navigation) by its URL.
        pages = [w for w in WALK if w[0] != "present"]
        order = pages[index % len(pages):] + pages[: index % len(pages)] + [("present", 1)]
        for step, (path, min_charts) in enumerate(order):
            t0 = time.perf_counter()
            try:
                if step == 0 or path == "present":
                    await page.goto(f"{base}/{path}", wait_until="commit", timeout=PAGE_TIMEOUT_MS)
                    await page.wait_for_function(FIRST_CHART, timeout=PAGE_TIMEOUT_MS, polling=100)
                    result["first_chart_s"].append(time.perf_counter() - t0)
                else:
                    before = await page.locator("h1").first.inner_text(timeout=PAGE_TIMEOUT_MS)
                    await page.locator(f'[data-testid="stSidebarNavLink"][href="{base}/{path}"]').click(timeout=PAGE_TIMEOUT_MS)
                    await page.wait_for_function(NEW_PAGE, arg=before, timeout=PAGE_TIMEOUT_MS, polling=100)
                    result["first_chart_s"].append(time.perf_counter() - t0)
                await page.wait_for_function(DONE, arg=min_charts, timeout=PAGE_TIMEOUT_MS, polling=250)
                await page.wait_for_timeout(300)
                await page.wait_for_function(DONE, arg=min_charts, timeout=PAGE_TIMEOUT_MS, polling=250)
                result["complete_s"].append(time.perf_counter() - t0)
                total, drawn = await page.evaluate(CHARTS)
                result["charts"] += total
                result["charts_drawn"] += drawn
                if drawn < total or total < min_charts:
                    result["errors"].append(f"/{path}: {drawn} of {total} charts drawn (at least {min_charts} expected)")
                shown = await page.locator('[data-testid="stException"]').count()
                if shown:
                    result["errors"].append(f"/{path}: {shown} exception box(es)")
            except Exception as exc:  # noqa: BLE001
                result["errors"].append(f"/{path}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()
    return result


async def slow_tab(browser, base: str, stop: asyncio.Event) -> dict:
    """A tab on a very slow link (CDP network throttling) left open on a heavy page for the whole run."""
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 800, "downloadThroughput": 40 * 1024 // 8, "uploadThroughput": 20 * 1024 // 8})
    out = {"opened": False, "error": None}
    try:
        await page.goto(f"{base}/workforce", wait_until="commit", timeout=120_000)
        out["opened"] = True
        await stop.wait()
    except Exception as exc:  # noqa: BLE001
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        await context.close()
    return out


async def slow_websocket(base: str, stop: asyncio.Event) -> dict:
    """A raw Streamlit websocket that asks for the heaviest page, then reads one message a second (with a
    one-message queue, so the rest waits in the socket: the server cannot send faster than it reads)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    out = {"messages": 0, "bytes": 0, "error": None, "connected_s": None}
    t0 = time.perf_counter()
    try:
        async with connect(url, subprotocols=["streamlit"], max_queue=1, max_size=None, open_timeout=30,
                           ping_interval=None) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = "org=NEL"
            msg.rerun_script.page_name = "workforce"
            await ws.send(msg.SerializeToString())
            while not stop.is_set():
                try:
                    data = await asyncio.wait_for(ws.recv(), timeout=1.0)
                    out["messages"] += 1
                    out["bytes"] += len(data)
                except TimeoutError:
                    pass
                await asyncio.sleep(1.0)
    except Exception as exc:  # noqa: BLE001
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    out["connected_s"] = round(time.perf_counter() - t0, 1)
    return out


async def ws_visitor(base: str, index: int) -> dict:
    """A visitor speaking Streamlit's websocket protocol: asks for every page in turn and times the first chart."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    out = {"first_chart_s": [], "complete_s": [], "errors": []}
    await asyncio.sleep(0.05 * index)
    order = WALK[index % len(WALK):] + WALK[: index % len(WALK)]
    try:
        async with connect(base.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, open_timeout=60, ping_interval=None) as ws:
            for path, min_charts in order:
                msg = BackMsg()
                msg.rerun_script.page_name = path
                t0 = time.perf_counter()
                await ws.send(msg.SerializeToString())
                charts, first = 0, None
                while True:
                    fm = ForwardMsg()
                    fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=PAGE_TIMEOUT_MS / 1000))
                    kind = fm.WhichOneof("type")
                    if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                        element = fm.delta.new_element.WhichOneof("type")
                        if element == "plotly_chart":
                            charts += 1
                            first = first if first is not None else time.perf_counter() - t0
                        elif element == "exception":
                            out["errors"].append(f"/{path}: exception")
                    if kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        break
                out["complete_s"].append(time.perf_counter() - t0)
                if first is not None:
                    out["first_chart_s"].append(first)
                if charts < min_charts:
                    out["errors"].append(f"/{path}: {charts} charts sent, {min_charts} expected")
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
    return out


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(0.95 * len(values)))], 2)


def summary(results: list[dict], seconds: float) -> dict:
    first = [t for r in results for t in r["first_chart_s"]]
    complete = [t for r in results for t in r["complete_s"]]
    return {
        "sessions": len(results), "page_loads": sum(len(r["complete_s"]) for r in results),
        "errors": sum(len(r["errors"]) for r in results), "charts": sum(r["charts"] for r in results),
        "charts_drawn": sum(r["charts_drawn"] for r in results), "requests": sum(r["requests"] for r in results),
        "foreign_requests": sum(len(r["foreign"]) for r in results),
        "first_chart_p50_s": round(statistics.median(first), 2) if first else None, "first_chart_p95_s": p95(first),
        "page_complete_p50_s": round(statistics.median(complete), 2) if complete else None,
        "page_complete_p95_s": p95(complete), "wall_s": round(seconds, 1),
    }


def probe_summary(results: list[dict], seconds: float) -> dict:
    first = [t for r in results for t in r["first_chart_s"]]
    complete = [t for r in results for t in r["complete_s"]]
    return {"visitors": len(results), "page_runs": len(complete), "errors": sum(len(r["errors"]) for r in results),
            "error_samples": [e for r in results for e in r["errors"]][:5],
            "first_chart_p50_s": round(statistics.median(first), 2) if first else None, "first_chart_p95_s": p95(first),
            "page_complete_p95_s": p95(complete), "wall_s": round(seconds, 1)}


async def with_slow_clients(browser, base: str, work) -> tuple[object, dict, dict]:
    """Run ``work`` (a coroutine) while the slow tab and the slow websocket stay connected."""
    stop = asyncio.Event()
    slow = [asyncio.create_task(slow_tab(browser, base, stop)), asyncio.create_task(slow_websocket(base, stop))]
    await asyncio.sleep(3)  # both connected and mid-page before the others arrive
    try:
        result = await work
    finally:
        stop.set()
        tab, sock = await asyncio.gather(*slow)
    return result, tab, sock


async def run_all(base: str) -> dict:
    from playwright.async_api import async_playwright

    report: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            await ws_visitor(base, 0)  # warm-up: the first run imports plotly and loads the package

            async def probe():
                t0 = time.perf_counter()
                results = await asyncio.gather(*(ws_visitor(base, i) for i in range(PROBE_VISITORS)))
                return probe_summary(list(results), time.perf_counter() - t0)

            report["probe alone"] = await probe()
            report["probe with slow clients"], _, _ = await with_slow_clients(browser, base, probe())

            async def browsers():
                t0 = time.perf_counter()
                results = await asyncio.gather(*(walk(browser, base, i) for i in range(SESSIONS)))
                out = summary(list(results), time.perf_counter() - t0)
                out["error_samples"] = [e for r in results for e in r["errors"]][:10]
                out["foreign_samples"] = [u for r in results for u in r["foreign"]][:5]
                return out

            report["browsers"], report["slow tab"], report["slow websocket"] = await with_slow_clients(browser, base, browsers())
            return report
        finally:
            await browser.close()


def test_twenty_sessions_walk_every_page_with_a_slow_client_connected(browser):  # `browser`: skip/fail rules
    with app_server() as base:
        health = HealthPoller(base)
        health.start()
        t0 = time.perf_counter()
        box: dict = {}

        def runner():  # its own thread: the session's sync Playwright owns this one
            try:
                box["phases"] = asyncio.run(asyncio.wait_for(run_all(base), timeout=DEADLINE_S))
            except BaseException as exc:  # noqa: BLE001 (re-raised below)
                box["error"] = exc

        try:
            thread = threading.Thread(target=runner, daemon=True)
            thread.start()
            thread.join(DEADLINE_S + 60)
            assert not thread.is_alive(), f"the load run took longer than {DEADLINE_S} s"
            if "error" in box:
                raise box["error"]
            phases = box["phases"]
        finally:
            health.stop.set()
            health.join(timeout=15)
        total = time.perf_counter() - t0
    report = {"sessions": SESSIONS, "pages per walk": len(WALK), "wall_s": round(total, 1), **phases,
              "health": {"polls": health.ok + len(health.failed), "ok": health.ok, "failed": health.failed[:10],
                         "p95_s": p95(health.latencies), "max_s": round(max(health.latencies), 2) if health.latencies else None}}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    run = phases["browsers"]
    assert run["errors"] == 0, run["error_samples"]
    assert run["page_loads"] == SESSIONS * len(WALK)
    assert run["charts_drawn"] == run["charts"] and run["charts"] >= SESSIONS * sum(m for _, m in WALK)
    assert run["foreign_requests"] == 0, run["foreign_samples"]
    for name in ("probe alone", "probe with slow clients"):
        assert phases[name]["errors"] == 0 and phases[name]["page_runs"] == PROBE_VISITORS * len(WALK), phases[name]
    assert phases["slow tab"]["opened"] and phases["slow tab"]["error"] is None, phases["slow tab"]
    # The stalled socket gets part of its page; the server may drop it when it stops answering pings.
    sock = phases["slow websocket"]
    assert sock["messages"] > 0 and (sock["error"] is None or "keepalive ping timeout" in sock["error"]), sock
    assert health.failed == [] and health.ok >= 10, health.failed[:5]
