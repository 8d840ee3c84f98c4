"""What a reader's browser sees (P2, P3, P4, P6): Debian Chromium driven by Playwright's async API.

Time to first chart is measured in the page: ``performance.now()`` (milliseconds since the
navigation started) at the first animation frame in which a plotly trace has been drawn with a size
(``wait_for_function(..., polling="raf")``), not at the load event. The floor is the same figure
written by plotly as a static HTML file and opened from disk in the same browser, the same way.
"""
from __future__ import annotations

import asyncio
import base64
import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from bench.harness import CHROMIUM, LAUNCH_ARGS, app_server

VIEWPORT = {"width": 1280, "height": 900}
TRACE = ".js-plotly-plot .main-svg g.trace, .js-plotly-plot .main-svg .heatmaplayer image"
APP_TRACE = ", ".join(f'[data-testid="stPlotlyChart"] {s.strip()}' for s in TRACE.split(","))
FIRST_DRAWN = """(selector) => {
    for (const el of document.querySelectorAll(selector)) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.height > 0) return performance.now();
    }
    return false;
}"""
# The script has finished and at least n charts are drawn (as bench/harness.py wait_for_app).
ALL_DRAWN = """([n, selector]) => {
    const running = document.querySelector('[data-testid="stStatusWidget"]');
    const charts = new Set();
    document.querySelectorAll(selector).forEach(t => charts.add(t.closest('[data-testid="stPlotlyChart"]')));
    return !running && charts.size >= n && document.querySelector('h1') ? true : false;
}"""
COUNT_CHARTS = """(selector) => {
    const charts = new Set();
    document.querySelectorAll(selector).forEach(t => charts.add(t.closest('[data-testid="stPlotlyChart"]')));
    return [charts.size, document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
            document.querySelectorAll('[data-testid="stException"]').length];
}"""
TIMEOUT_MS = 90_000


# --- The server and its memory ------------------------------------------------------------------

def server_pid(base: str) -> int | None:
    """The PID of the `streamlit run` process listening on ``base``'s port (found by its command line)."""
    port = base.rsplit(":", 1)[-1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and b"--server.port" in args:
            i = args.index(b"--server.port")
            if i + 1 < len(args) and args[i + 1].decode() == port:
                return int(entry.name)
    return None


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) the process has used so far."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores have spent busy (not idle, not waiting on I/O) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(data: str | None = None):
    """The real server on a free port, with its PID for the memory readings."""
    with app_server(data=data) as base:
        yield base, server_pid(base)


# --- Visits -------------------------------------------------------------------------------------

async def first_chart_ms(page, url: str, selector: str) -> float:
    """Navigate and return performance.now() at the first frame with a drawn trace."""
    await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    handle = await page.wait_for_function(FIRST_DRAWN, arg=selector, polling="raf", timeout=TIMEOUT_MS)
    return float(await handle.json_value())


async def settle(page, min_charts: int) -> tuple[int, int, int]:
    """Wait until the script has finished and the page's charts are drawn; (drawn, charts, exceptions)."""
    await page.wait_for_function(ALL_DRAWN, arg=[min_charts, APP_TRACE], polling=200, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(200)
    drawn, total, exceptions = await page.evaluate(COUNT_CHARTS, APP_TRACE)
    return int(drawn), int(total), int(exceptions)


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)


# --- P2: time to first chart against the floor ----------------------------------------------------

async def time_to_first_chart(browser, base: str, pages: dict[str, tuple[str, int]], floors: dict[str, Path],
                              reps: int) -> dict:
    """Server warm, browser cache warm: one context visits every page and floor once, then ``reps``
    interleaved rounds (page, then its floor) per page."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    out = {path: {"page_ms": [], "floor_ms": []} for path in pages}
    try:
        for path, (_, min_charts) in pages.items():  # warm the server's caches and the browser's
            await first_chart_ms(page, f"{base}/{path}", APP_TRACE)
            await settle(page, min_charts)
            if path in floors:
                await first_chart_ms(page, floors[path].as_uri(), TRACE)
        for _ in range(reps):
            for path, (_, min_charts) in pages.items():
                out[path]["page_ms"].append(await first_chart_ms(page, f"{base}/{path}", APP_TRACE))
                await settle(page, min_charts)
                if path in floors:
                    out[path]["floor_ms"].append(await first_chart_ms(page, floors[path].as_uri(), TRACE))
                    await page.wait_for_timeout(100)
    finally:
        await context.close()
    return out


# --- P6: bytes sent to the browser ------------------------------------------------------------------

class ByteCounter:
    """Bytes the browser received, from the DevTools protocol: HTTP responses (encodedDataLength, as
    on the wire, headers included) and websocket frames (payload; Streamlit sends its messages,
    charts included, over the websocket)."""

    def __init__(self):
        self.http = 0
        self.ws = 0
        self.ws_sent = 0
        self.requests = 0
        self.ws_extensions = ""
        self.urls: dict[str, str] = {}  # request id -> URL
        self.sizes: dict[str, int] = {}  # URL -> bytes on the wire

    def reset(self):
        self.http = self.ws = self.ws_sent = self.requests = 0
        self.urls, self.sizes = {}, {}

    def on_request(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    @staticmethod
    def _payload(event) -> int:
        frame = event["response"]
        data = frame.get("payloadData", "")
        if frame.get("opcode") == 2:
            try:
                return len(base64.b64decode(data))
            except ValueError:
                return len(data) * 3 // 4
        return len(data.encode())

    def on_finished(self, event):
        size = int(event.get("encodedDataLength", 0))
        self.http += size
        self.requests += 1
        url = self.urls.get(event.get("requestId"))
        if url:
            self.sizes[url] = self.sizes.get(url, 0) + size

    def on_frame(self, event):
        self.ws += self._payload(event)

    def on_sent(self, event):
        self.ws_sent += self._payload(event)

    def on_handshake(self, event):
        headers = {k.lower(): v for k, v in event.get("response", {}).get("headers", {}).items()}
        self.ws_extensions = headers.get("sec-websocket-extensions", "")

    @property
    def total(self) -> int:
        return self.http + self.ws


_GZIPPED: dict[str, int] = {}


def gzip_estimate(sizes: dict[str, int]) -> int:
    """What the same HTTP responses would weigh behind a proxy that gzips text (as deploy/nginx does):
    each text response fetched again from the local server and compressed at level 6 (headers not
    counted). Streamlit 1.67 itself serves its static files uncompressed."""
    import gzip
    import urllib.request

    total = 0
    for url, size in sizes.items():
        if not url.startswith("http") or not any(url.split("?")[0].endswith(e) for e in (".js", ".css", ".html", ".json", ".svg", "/")):
            total += size
            continue
        if url not in _GZIPPED:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own loopback server)
                    _GZIPPED[url] = len(gzip.compress(response.read(), compresslevel=6))
            except OSError:
                _GZIPPED[url] = size
        total += _GZIPPED[url]
    return total


async def page_weight(browser, base: str, pages: dict[str, tuple[str, int]]) -> dict:
    """Per page: bytes on a first visit (empty browser cache) and on a repeat visit (cache warm)."""
    out = {}
    for path, (_, min_charts) in pages.items():
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        counter = ByteCounter()
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", counter.on_request)
        cdp.on("Network.loadingFinished", counter.on_finished)
        cdp.on("Network.webSocketFrameReceived", counter.on_frame)
        cdp.on("Network.webSocketFrameSent", counter.on_sent)
        cdp.on("Network.webSocketHandshakeResponseReceived", counter.on_handshake)
        result = {}
        try:
            for visit in ("first", "repeat"):
                counter.reset()
                await page.goto(f"{base}/{path}", wait_until="commit", timeout=TIMEOUT_MS)
                await settle(page, min_charts)
                await page.wait_for_timeout(500)
                result[visit] = {"http": counter.http, "ws": counter.ws, "ws_sent": counter.ws_sent,
                                 "total": counter.total, "requests": counter.requests}
                if visit == "first":
                    result[visit]["gzip_http"] = gzip_estimate(counter.sizes)
            result["ws_extensions"] = counter.ws_extensions
        finally:
            await context.close()
        out[path] = result
    return out


# --- P3 and P4: memory, and 20 sessions at once ------------------------------------------------------

async def open_each_once(browser, base: str, pages: dict[str, tuple[str, int]]) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    try:
        for path, (_, min_charts) in pages.items():
            await first_chart_ms(page, f"{base}/{path}", APP_TRACE)
            await settle(page, min_charts)
    finally:
        await context.close()


async def _walk(browser, base: str, pages: dict[str, tuple[str, int]], start: int, visits: list[dict]) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)[:200]))
    paths = list(pages)
    order = paths[start % len(paths):] + paths[:start % len(paths)]
    try:
        for path in order:
            min_charts = pages[path][1]
            visit = {"session": start, "page": path, "ttfc_ms": None, "wall_ms": None, "drawn": 0, "charts": 0,
                     "min_charts": min_charts, "errors": []}
            t0 = time.perf_counter()
            try:
                visit["ttfc_ms"] = await first_chart_ms(page, f"{base}/{path}", APP_TRACE)
                visit["wall_ms"] = (time.perf_counter() - t0) * 1000
                drawn, total, exceptions = await settle(page, min_charts)
                visit.update(drawn=drawn, charts=total)
                if exceptions:
                    visit["errors"].append(f"{exceptions} exception(s) shown on the page")
            except Exception as exc:  # noqa: BLE001 (a timeout or a crash is an error to count, not to raise)
                visit["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            visit["errors"] += page_errors
            page_errors.clear()
            visits.append(visit)
    finally:
        await context.close()


async def sessions_at_once(browser, base: str, pages: dict[str, tuple[str, int]], sessions: int,
                           pid: int | None) -> dict:
    """``sessions`` contexts in one browser, all started together, each walking every page (each
    starting at a different page); the server's peak memory is sampled meanwhile."""
    visits: list[dict] = []
    peak = [rss_mb(pid) or 0.0]
    done = asyncio.Event()

    async def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid) or 0.0)
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    t0, server0, busy0 = time.perf_counter(), cpu_seconds(pid), machine_busy_seconds()
    await asyncio.gather(*[_walk(browser, base, pages, i, visits) for i in range(sessions)])
    wall = time.perf_counter() - t0
    server_cpu = None if server0 is None or cpu_seconds(pid) is None else cpu_seconds(pid) - server0
    busy = machine_busy_seconds() - busy0
    done.set()
    await sampler
    # Where the machine's CPU went: the server's share against everything else (Chromium, mostly).
    return {"visits": visits, "peak_rss_mb": peak[0], "wall_s": wall, "server_cpu_s": server_cpu,
            "machine_busy_s": busy, "cores": os.cpu_count()}


# --- Everything that needs the browser, in one event loop ---------------------------------------------

async def _suite(pages, floors, reps, sessions, weight_pages, log) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"load_before": os.getloadavg()}
    async with async_playwright() as p:
        browser = await launch(p)
        out["browser_version"] = f"Chromium {browser.version}"
        try:
            with server() as (base, pid):  # P2 and P6
                log(f"P2: time to first chart, {reps} rounds x {len(pages)} pages against their floors")
                out["p2"] = await time_to_first_chart(browser, base, pages, floors, reps)
                log("P6: bytes per page")
                out["p6"] = await page_weight(browser, base, weight_pages)
            with server() as (base, pid):  # P3 and P4, on a fresh server
                out["p3"] = {"pid": pid, "idle_mb": rss_mb(pid)}
                log("P3: every page opened once")
                await open_each_once(browser, base, pages)
                out["p3"]["after_pages_mb"] = rss_mb(pid)
                log(f"P4: {sessions} sessions at once")
                out["p4"] = await sessions_at_once(browser, base, pages, sessions, pid)
                out["p3"]["after_sessions_mb"] = rss_mb(pid)
                out["p3"]["peak_mb"] = out["p4"]["peak_rss_mb"]
                await asyncio.sleep(5)
                out["p3"]["after_sessions_settled_mb"] = rss_mb(pid)
        finally:
            await browser.close()
    out["load_after"] = os.getloadavg()
    return out


def run_browser_suite(pages, floors, reps, sessions, weight_pages, log=print) -> dict:
    return asyncio.run(_suite(pages, floors, reps, sessions, weight_pages, log))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = 0.95 * (len(ordered) - 1)
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values):
    return statistics.median(values) if values else float("nan")
