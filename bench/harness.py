"""Run the real server and drive Debian's Chromium with Playwright (no downloaded browsers).

Shared by the tests and the benchmarks (which never import tests/)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DRAWN_CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'
# A plotly chart has drawn something: a trace, or a heatmap's image.
DRAWN_TRACE = f"{DRAWN_CHART} g.trace, {DRAWN_CHART} .heatmaplayer image"
ARTIFACTS = ROOT / "tests" / "artifacts"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Wait for Streamlit's health check; give up early when the server process (if given) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server at {base} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not become healthy")


@contextmanager
def app_server(data: str | None = None, extra_args: list[str] | None = None, env: dict | None = None):
    """Start `streamlit run dashboard.py` on a free loopback port; yield its base URL; stop it by PID.
    ``env`` adds to (or overrides) this process's environment, e.g. {"NEL_ILLUSTRATIVE": "hide"}."""
    port = free_port()
    env = {**os.environ, **(env or {})}
    if data:
        env["NEL_DATA"] = str(data)
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", *(extra_args or [])]
    log = (ARTIFACTS / f"server-{port}.log")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            yield base
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class RequestLog:
    """Every request a page makes, to check that none leaves the dashboard's own host."""

    def __init__(self, page, base: str):
        self.allowed = urllib.parse.urlsplit(base).netloc
        self.urls: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(r.url))

    def foreign(self) -> list[str]:
        out = []
        for url in self.urls:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if parts.netloc != self.allowed:
                out.append(url)
        return out


def wait_for_app(page, min_charts: int = 0, timeout: float = 60_000) -> None:
    """Wait until the script has finished and at least ``min_charts`` plotly charts are drawn."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    page.wait_for_function(
        """(n) => {
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const drawn = document.querySelectorAll('""" + DRAWN_TRACE + """');
            const charts = new Set();
            drawn.forEach(t => charts.add(t.closest('[data-testid="stPlotlyChart"]')));
            return !running && charts.size >= n && document.querySelector('h1');
        }""",
        arg=min_charts, timeout=timeout, polling=250,
    )
    page.wait_for_timeout(300)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()
