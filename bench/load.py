"""`make load`: how many readers one replica serves, measured at the server with Streamlit's own protocol.

    python -m bench.load                       # the full run: writes bench/capacity.md and bench/capacity.json
    python -m bench.load --quick --out DIR     # a few readers for a few seconds against one replica (the tests)
    python -m bench.load --targets one --levels 50,100 --merge     # measure some levels again, keep the rest

No browser. Each simulated reader does what a browser tab does, over the same wire:
  1. GET the page's URL (nginx sets its affinity cookie), GET /_stcore/health (Streamlit sets the XSRF
     cookie) and /_stcore/host-config, then open the websocket /_stcore/stream with the cookies, the
     Origin header and the subprotocols ``streamlit, <XSRF token>`` (Streamlit 1.67's handshake);
  2. send a ``rerun_script`` BackMsg (first page: its URL path as ``page_name``; then the page's
     ``page_script_hash`` from the ``navigation`` message, as a click in the sidebar does) with the page's
     query string, the browser's context (time zone, locale, URL) and the hashes of the big messages it
     already holds (the browser's message cache: the server then sends a reference instead);
  3. read ForwardMsgs until ``script_finished``, rebuilding the page's element tree from the deltas'
     paths, and check its element count against the same page run by AppTest;
  4. pause like a reader (``--pause`` s, uniform ± ``--jitter``) and move to the next page of the visit;
     after the last page it closes the tab and starts a new visit (a new session).
Static files (Streamlit's JavaScript bundle) are not fetched: a returning reader's browser has them cached,
and nginx or a CDN can serve them.

Levels of concurrent readers (default 10, 25, 50, 100, 200, 400) run against one replica and through nginx in
front of two (``make serve-prod``), each for ``--duration`` seconds after a restart and a warm-up visit,
stopping a target once p95 passes ``--p95-limit`` (1 s). Loopback only; every level ends by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import datetime as dt
import http.cookiejar
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.harness import free_port, wait_healthy
from components.routes import HOME, ROUTES

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
MARK_BEGIN = "<!-- make load: generated from capacity.json below this line; text above and after the end mark is kept -->"
MARK_END = "<!-- make load: end of generated part -->"

# The pages of a real visit, in order: (URL path, query string). "" is the overview at /.
VISIT: list[tuple[str, str]] = [
    ("", ""), ("boroughs", ""), ("workforce", ""), ("remi", ""), ("trust", "org=R1H"),
    ("strategy", ""), ("data", ""), ("present", "deck=default&slide=2"),
]
PAGE_FILES = {("" if r.url_path == HOME else r.url_path): r.file for r in ROUTES}
LEVELS = [10, 25, 50, 100, 200, 400]
# The settings a public replica keeps (as deploy/serve-prod.sh pins them), for the one-replica target.
REPLICA_FLAGS = ["--server.headless", "true", "--server.enableXsrfProtection", "true",
                 "--browser.gatherUsageStats", "false", "--client.showErrorDetails", "none",
                 "--client.toolbarMode", "viewer"]
CONTEXT = {"timezone": "Europe/London", "timezone_offset": 0, "locale": "en-GB"}


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def label(path: str, query: str = "") -> str:
    return "/" + path + (f"?{query}" if query else "")


# --- Settings ----------------------------------------------------------------------------------------

@dataclass
class Settings:
    levels: list[int] = field(default_factory=lambda: list(LEVELS))
    targets: list[str] = field(default_factory=lambda: ["one", "nginx"])
    duration: float = 60.0          # seconds per level, arrivals included
    pause: float = 10.0             # a reader's pause on each page
    jitter: float = 5.0             # the pause is uniform in [pause - jitter, pause + jitter]
    p95_limit: float = 1.0          # a target stops after the first level whose p95 passes this
    page_timeout: float = 30.0      # a page not finished by then is an error
    restart: bool = True            # restart and warm the server before every level
    illustrative: str = "hide"      # NEL_ILLUSTRATIVE for the replicas and the AppTest reference (production: hide)
    server_config: list[str] = field(default_factory=list)   # extra Streamlit options, NAME=VALUE
    label: str = ""                 # names this configuration in the report (e.g. "postScriptGC off")
    app_dir: str = str(ROOT)
    seed: int = 15

    @property
    def ramp(self) -> float:
        """Readers arrive uniformly over this many seconds; loads starting before it are not counted."""
        return min(self.pause + self.jitter, self.duration / 3)


# --- Processes and their CPU and memory (from /proc: no extra package) -----------------------------

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def listening_pids(port: int) -> list[int]:
    """PIDs of the processes holding a listening TCP socket on 127.0.0.1:port (nginx: master and workers)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":   # 0A = LISTEN
                inodes.add(cols[9])
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    pids.append(int(proc.name))
                    break
        except OSError:
            continue
    return sorted(pids)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS       # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, every core."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class ServerGroup:
    """The processes that serve one target: replicas and (through nginx) the nginx processes."""
    name: str
    base: str
    replicas: dict[int, list[int]]        # replica port -> PIDs
    nginx: list[int] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [p for ps in self.replicas.values() for p in ps] + self.nginx

    def sample(self) -> dict:
        return {"t": time.monotonic(),
                "replica_cpu": {port: sum(cpu_seconds(p) for p in ps) for port, ps in self.replicas.items()},
                "replica_rss": {port: sum(rss_bytes(p) for p in ps) for port, ps in self.replicas.items()},
                "nginx_cpu": sum(cpu_seconds(p) for p in self.nginx),
                "nginx_rss": sum(rss_bytes(p) for p in self.nginx),
                "machine": machine_ticks(), "generator_cpu": sum(os.times()[:2])}


class OneReplica:
    """`streamlit run dashboard.py` on a free loopback port, with a public replica's settings."""

    def __init__(self, settings: Settings, env: dict[str, str]):
        self.settings, self.env = settings, env
        self.proc: subprocess.Popen | None = None
        self.log_file = None

    def start(self, logs: Path) -> ServerGroup:
        port = free_port()
        extra = [f"--{opt.split('=', 1)[0]}={opt.split('=', 1)[1]}" for opt in self.settings.server_config]
        cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", *REPLICA_FLAGS, *extra]
        logs.mkdir(parents=True, exist_ok=True)
        self.log_file = (logs / f"replica-{port}.log").open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.settings.app_dir, env=self.env, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, 90, self.proc)
        return ServerGroup("one replica", base, {port: [self.proc.pid]})

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.log_file:
            self.log_file.close()
        self.proc = None


class ThroughNginx:
    """The production topology, started and stopped by `make serve-prod` / `make stop-prod` on free ports
    in a run directory of its own (whatever supervises the processes, the interface is the same)."""

    def __init__(self, settings: Settings, env: dict[str, str], run_dir: Path, replicas: int = 2):
        self.settings, self.env, self.run_dir, self.count = settings, env, run_dir, replicas
        self.prod_env: dict[str, str] | None = None

    def _make(self, target: str, timeout: float) -> subprocess.CompletedProcess:
        # -o: the venv is used as it is (make must not reinstall it in the middle of a measurement)
        return subprocess.run(["make", "--no-print-directory", "-C", self.settings.app_dir, "-o",
                               ".venv/.installed-run", target], env=self.prod_env, capture_output=True, text=True,
                              timeout=timeout)

    def start(self, logs: Path) -> ServerGroup:
        if not Path(os.environ.get("NGINX", "/usr/sbin/nginx")).exists():
            raise RuntimeError("nginx is not installed (apt-get install nginx): the two-replica target needs it")
        ports = [free_port() for _ in range(self.count + 1)]
        while len(set(ports)) < len(ports):
            ports = [free_port() for _ in range(self.count + 1)]
        env = dict(self.env)
        env.update(PROD_DIR=str(self.run_dir), PROD_PORT=str(ports[0]),
                   PROD_REPLICA_PORTS=" ".join(map(str, ports[1:])), PROD_WATCHDOG="0")
        for opt in self.settings.server_config:   # Streamlit reads STREAMLIT_SECTION_OPTION from the environment
            name, value = opt.split("=", 1)
            env["STREAMLIT_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name.replace(".", "_")).upper()] = value
        self.prod_env = env
        done = self._make("serve-prod", 240)
        (logs / "serve-prod.log").parent.mkdir(parents=True, exist_ok=True)
        (logs / "serve-prod.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"make serve-prod failed ({done.returncode}): {(done.stdout + done.stderr)[-1500:]}")
        base = f"http://127.0.0.1:{ports[0]}"
        for port in ports[1:]:
            wait_healthy(f"http://127.0.0.1:{port}", 90)
        wait_healthy(base, 30)
        replicas = {port: listening_pids(port) for port in ports[1:]}
        nginx = listening_pids(ports[0])
        if not all(replicas.values()) or not nginx:
            self.stop()
            raise RuntimeError(f"could not find the serving processes by their ports: {replicas}, nginx {nginx}")
        return ServerGroup("nginx, two replicas", base, replicas, nginx)

    def stop(self) -> None:
        if self.prod_env is not None:
            done = self._make("stop-prod", 120)
            if done.returncode != 0:
                log(f"make stop-prod failed: {(done.stdout + done.stderr)[-500:]}")
            self.prod_env = None


# --- The reference: what AppTest gets for the same pages --------------------------------------------

def count_elements(node) -> int:
    from streamlit.testing.v1.element_tree import Block

    return sum(count_elements(child) if isinstance(child, Block) else 1
               for child in getattr(node, "children", {}).values())


def reference_counts_here(app_dir: str) -> dict[str, list[int]]:
    """The element count of every page of every walk a reader makes, from AppTest.

    A reader's first visit starts at page k of the visit and goes round every page once in the same session
    (k, k+1, ..., 7, 0, ..., k-1; later visits start at 0), and pages carry state across (the view's parameters),
    so a page's count can depend on where the reader came from: walk k is run in one AppTest session, each step
    switching page with that page's query string, as the reader does. Returns {str(k): [count of step 0, 1, ...]}.
    Runs in a subprocess (see reference_counts)."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, app_dir)
    os.chdir(app_dir)
    walks: dict[str, list[int]] = {}
    for start in range(len(VISIT)):
        at = AppTest.from_file(str(Path(app_dir) / "dashboard.py"), default_timeout=120)
        counts = []
        for path, query in VISIT[start:] + VISIT[:start]:
            at.query_params.clear()
            for key, value in urllib.parse.parse_qsl(query):
                at.query_params[key] = value
            at.switch_page(PAGE_FILES[path])
            at.run()
            if at.exception:
                raise RuntimeError(f"{label(path, query)} raised in AppTest: {at.exception[0].value}")
            counts.append(count_elements(at._tree))
        walks[str(start)] = counts
    return walks


def reference_counts(settings: Settings, env: dict[str, str]) -> dict[str, list[int]]:
    done = subprocess.run([sys.executable, "-m", "bench.load", "--reference-only", "--app-dir", settings.app_dir],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"AppTest reference run failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def expected_by_page(reference: dict[str, list[int]]) -> dict[str, list[int]]:
    """Every count AppTest gives each page, over the walks."""
    out: dict[str, set[int]] = {label(*page): set() for page in VISIT}
    for start, counts in reference.items():
        for step, n in enumerate(counts):
            out[label(*VISIT[(int(start) + step) % len(VISIT)])].add(n)
    return {page: sorted(ns) for page, ns in out.items()}


# --- One simulated reader ----------------------------------------------------------------------------

@dataclass
class Load:
    page: str
    kind: str                 # "open": a new tab (HTTP handshake + websocket + run) | "navigate": a rerun
    start: float              # monotonic
    seconds: float | None     # None: not finished when the level ended
    elements: int = 0
    bytes: int = 0
    messages: int = 0
    cached_refs: int = 0
    error: str | None = None
    walk: int = 0             # the visit's first page (index in VISIT) and this page's step in it: the
    step: int = 0             # AppTest reference for exactly this walk


class Reader:
    def __init__(self, index: int, base: str, settings: Settings, reference: dict[str, list[int]],
                 loads: list[Load], pool: concurrent.futures.Executor, rng: random.Random):
        self.index, self.base, self.settings, self.reference = index, base, settings, reference
        self.loads, self.pool, self.rng = loads, pool, rng
        self.sessions = 0

    def _http_handshake(self, first_url: str) -> dict[str, str]:
        """What the browser does before the websocket: the page itself, then health and host config."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for url in (first_url, self.base + "/_stcore/health", self.base + "/_stcore/host-config"):
            with opener.open(url, timeout=self.settings.page_timeout) as r:
                r.read()
                if r.status != 200:
                    raise RuntimeError(f"GET {url}: HTTP {r.status}")
        return {c.name: c.value for c in jar}

    async def visit(self, stop_at: float, start_page: int) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from websockets.asyncio.client import connect

        order = VISIT[start_page:] + VISIT[:start_page]
        first_path, first_query = order[0]
        t_open = time.monotonic()
        page_url = self.base + label(first_path, first_query)
        try:
            loop = asyncio.get_running_loop()
            cookies = await asyncio.wait_for(loop.run_in_executor(self.pool, self._http_handshake, page_url),
                                             self.settings.page_timeout)
        except Exception as exc:  # noqa: BLE001 (every failure is a finding)
            self.loads.append(Load(label(first_path, first_query), "open", t_open, None, walk=start_page,
                                   error=f"handshake: {type(exc).__name__}: {str(exc)[:160]}"))
            await asyncio.sleep(self.settings.pause)
            return
        self.sessions += 1
        xsrf = cookies.get("_streamlit_xsrf", "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        hashes: dict[str, str] = {}
        cache: set[str] = set()
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        try:
            async with connect(ws_url, subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
                               origin=self.base, additional_headers=headers, max_size=None, ping_interval=None,
                               open_timeout=self.settings.page_timeout, close_timeout=2) as ws:
                for step, (path, query) in enumerate(order):
                    if time.monotonic() >= stop_at:
                        return
                    msg = BackMsg()
                    state = msg.rerun_script
                    state.query_string = query
                    if step == 0:
                        state.page_name = path             # a tab opened on the URL: the server resolves the path
                    else:
                        state.page_script_hash = hashes[path]   # a click in the navigation
                    state.cached_message_hashes.extend(sorted(cache))
                    info = state.context_info
                    info.timezone, info.timezone_offset, info.locale = (CONTEXT["timezone"], CONTEXT["timezone_offset"],
                                                                        CONTEXT["locale"])
                    info.url = self.base + label(path, query)
                    load = Load(label(path, query), "open" if step == 0 else "navigate",
                                t_open if step == 0 else time.monotonic(), None, walk=start_page, step=step)
                    self.loads.append(load)
                    await ws.send(msg.SerializeToString())
                    await self.receive_page(ws, load, hashes, cache)
                    if load.error:
                        return
                    await self.pause(stop_at)
        except Exception as exc:  # noqa: BLE001
            if time.monotonic() < stop_at:
                pending = next((ld for ld in reversed(self.loads) if ld.seconds is None and not ld.error), None)
                text = f"{type(exc).__name__}: {str(exc)[:160]}"
                if pending is not None:
                    pending.error = text
                else:
                    self.loads.append(Load("(session)", "open", time.monotonic(), None, error=text))

    async def receive_page(self, ws, load: Load, hashes: dict[str, str], cache: set[str]) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        tree: dict[tuple, bool] = {}    # delta path -> holds an element (True) or a block (False)
        deadline = load.start + self.settings.page_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                load.error = f"not finished after {self.settings.page_timeout:.0f} s"
                return
            try:
                data = await asyncio.wait_for(ws.recv(), remaining)
            except TimeoutError:
                load.error = f"not finished after {self.settings.page_timeout:.0f} s"
                return
            load.bytes += len(data)
            load.messages += 1
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                tree.clear()                          # a run starts: the page is rebuilt from here
            elif kind == "navigation":
                hashes.update({p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages})
            elif kind == "delta":
                delta = fm.delta.WhichOneof("type")
                path = tuple(fm.metadata.delta_path)
                if delta == "new_element":
                    tree[path] = True
                    if fm.metadata.cacheable and fm.hash:
                        cache.add(fm.hash)
                    if fm.delta.new_element.WhichOneof("type") == "exception":
                        shown = fm.delta.new_element.exception
                        load.error = f"the page showed an exception: {shown.type} {shown.message[:120]}".rstrip(": ")
                elif delta == "add_block":
                    tree[path] = False
            elif kind == "ref_hash":                  # "you already have this element": the browser's cache fills it
                if fm.ref_hash not in cache:
                    load.error = "the server referred to a message this reader never received"
                tree[tuple(fm.metadata.delta_path)] = True
                load.cached_refs += 1
            elif kind == "page_not_found":
                load.error = "page not found"
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue                          # the app asked for a rerun: the real run follows
                load.seconds = time.monotonic() - load.start
                load.elements = sum(tree.values())
                walk = self.reference.get(str(load.walk), [])
                expected = walk[load.step] if load.step < len(walk) else None
                if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                    load.error = f"script finished with status {status}"
                elif expected is not None and load.elements != expected and not load.error:
                    load.error = f"{load.elements} elements, AppTest shows {expected}"
                return

    async def pause(self, stop_at: float) -> None:
        s = self.settings
        wait = self.rng.uniform(max(0.0, s.pause - s.jitter), s.pause + s.jitter)
        await asyncio.sleep(max(0.0, min(wait, stop_at - time.monotonic())))

    async def run(self, stop_at: float, delay: float) -> None:
        await asyncio.sleep(delay)
        start_page = self.index % len(VISIT)     # readers spread over the visit from the start
        while time.monotonic() < stop_at:
            await self.visit(stop_at, start_page)
            start_page = 0                       # a new visit starts at the overview


# --- One level ----------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


async def run_readers(base: str, count: int, settings: Settings, reference: dict[str, list[int]], duration: float,
                      group: ServerGroup | None, ramp: float, sample_every: float = 1.0) -> dict:
    loads: list[Load] = []
    rng = random.Random(settings.seed * 1000 + count)
    samples: list[dict] = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="handshake")
    t0 = time.monotonic()
    stop_at = t0 + duration
    readers = [Reader(i, base, settings, reference, loads, pool, random.Random(rng.random())) for i in range(count)]
    tasks = [asyncio.create_task(r.run(stop_at, rng.uniform(0, ramp))) for r in readers]
    if group is not None:
        samples.append(group.sample())
    window_start = None
    while time.monotonic() < stop_at:
        await asyncio.sleep(min(sample_every, max(0.0, stop_at - time.monotonic())))
        if group is not None:
            samples.append(group.sample())
        if window_start is None and time.monotonic() >= t0 + ramp and group is not None:
            window_start = len(samples) - 1
    # Let pages in flight finish briefly, then close every tab.
    grace_until = time.monotonic() + 3
    while any(ld.seconds is None and not ld.error for ld in loads) and time.monotonic() < grace_until:
        await asyncio.sleep(0.1)
    end = time.monotonic()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    pool.shutdown(wait=False, cancel_futures=True)
    return {"loads": loads, "samples": samples, "window_start": window_start or 0, "t0": t0, "stop_at": stop_at,
            "end": end, "sessions_opened": sum(r.sessions for r in readers)}


def summarise(count: int, raw: dict, settings: Settings, ramp: float, idle: dict | None) -> dict:
    t0, stop_at = raw["t0"], raw["stop_at"]
    window = stop_at - (t0 + ramp)
    counted = [ld for ld in raw["loads"] if ld.start >= t0 + ramp]
    done = [ld for ld in counted if ld.seconds is not None and not ld.error]
    errors = [ld for ld in raw["loads"] if ld.error]      # every error counts, those while readers arrived too
    # A page still loading when the level ended counts at the time it had waited so far (a lower bound).
    unfinished = [ld for ld in counted if ld.seconds is None and not ld.error]
    times = [ld.seconds for ld in done] + [raw["end"] - ld.start for ld in unfinished]
    per_page: dict[str, dict] = {}
    for ld in raw["loads"]:
        entry = per_page.setdefault(ld.page, {"loads": 0, "errors": 0, "elements_seen": set(), "times": []})
        if ld.error:
            entry["errors"] += 1
        elif ld.seconds is not None:
            entry["loads"] += 1
            entry["elements_seen"].add(ld.elements)
            if ld.start >= t0 + ramp:
                entry["times"].append(ld.seconds)
    pages = {page: {"loads": e["loads"], "errors": e["errors"], "elements": sorted(e["elements_seen"]),
                    "p50_s": rnd(pct(e["times"], 0.5), 3), "p95_s": rnd(pct(e["times"], 0.95), 3)}
             for page, e in sorted(per_page.items(), key=lambda kv: [label(*v) for v in VISIT].index(kv[0])
                                   if kv[0] in [label(*v) for v in VISIT] else 99)}
    out = {
        "readers": count, "duration_s": round(stop_at - t0, 1), "window_s": round(window, 1),
        "page_loads": len(done), "page_loads_per_s": rnd(len(done) / window if window > 0 else None, 2),
        "p50_s": rnd(pct(times, 0.5), 3), "p95_s": rnd(pct(times, 0.95), 3), "max_s": rnd(max(times, default=None), 3),
        "p95_navigate_s": rnd(pct([ld.seconds for ld in done if ld.kind == "navigate"], 0.95), 3),
        "p95_open_s": rnd(pct([ld.seconds for ld in done if ld.kind == "open"], 0.95), 3),
        "errors": len(errors), "error_samples": sorted({f"{ld.page}: {ld.error}" for ld in errors})[:8],
        "unfinished_at_end": len(unfinished), "sessions_opened": raw["sessions_opened"],
        "bytes_per_load": int(statistics.mean([ld.bytes for ld in done])) if done else None,
        "cached_refs_per_load": rnd(statistics.mean([ld.cached_refs for ld in done]), 2) if done else None,
        "pages": pages,
    }
    samples = raw["samples"]
    if samples:
        a, b = samples[raw["window_start"]], samples[-1]
        dt_s = b["t"] - a["t"]
        replica_cpu = sum(b["replica_cpu"].values()) - sum(a["replica_cpu"].values())
        nginx_cpu = b["nginx_cpu"] - a["nginx_cpu"]
        busy = (b["machine"][0] - a["machine"][0]) / TICKS
        gen_cpu = b["generator_cpu"] - a["generator_cpu"]
        peak_rss = max(sum(s["replica_rss"].values()) for s in samples)
        end_rss = sum(b["replica_rss"].values())
        idle_rss = sum(idle["replica_rss"].values()) if idle else None
        loads_in = len([ld for ld in done if a["t"] <= ld.start + (ld.seconds or 0) <= b["t"]])
        out.update({
            "server_cpu_pct_of_core": rnd(100 * (replica_cpu + nginx_cpu) / dt_s, 1) if dt_s > 0 else None,
            "replica_cpu_pct_of_core": {str(port): rnd(100 * (b["replica_cpu"][port] - a["replica_cpu"][port]) / dt_s, 1)
                                        for port in b["replica_cpu"]} if dt_s > 0 else None,
            "nginx_cpu_pct_of_core": rnd(100 * nginx_cpu / dt_s, 1) if dt_s > 0 and b["nginx_rss"] else None,
            "server_cpu_ms_per_load": rnd(1000 * (replica_cpu + nginx_cpu) / loads_in, 1) if loads_in else None,
            "generator_cpu_pct_of_core": rnd(100 * gen_cpu / dt_s, 1) if dt_s > 0 else None,
            "machine_busy_pct": rnd(100 * busy / dt_s / (os.cpu_count() or 1), 1) if dt_s > 0 else None,
            "others_cpu_pct_of_core": rnd(100 * (busy - replica_cpu - nginx_cpu - gen_cpu) / dt_s, 1) if dt_s > 0 else None,
            "rss_idle_mb": rnd(idle_rss / 2**20, 1) if idle_rss else None,
            "rss_peak_mb": rnd(peak_rss / 2**20, 1), "rss_end_mb": rnd(end_rss / 2**20, 1),
            "nginx_rss_mb": rnd(b["nginx_rss"] / 2**20, 1) if b["nginx_rss"] else None,
            "mb_per_session": rnd((peak_rss - idle_rss) / 2**20 / count, 3) if idle_rss else None,
            "loadavg_1m_end": round(os.getloadavg()[0], 2),
        })
    return out


def rnd(value, digits: int):
    return None if value is None else round(value, digits)


async def warm_one_visit(base: str, settings: Settings, reference: dict[str, list[int]]) -> tuple[list[Load], list[str]]:
    """One reader visits every page once, with no pause (filling the server's caches)."""
    quick = Settings(**{**asdict(settings), "pause": 0.0, "jitter": 0.0, "page_timeout": 120.0})
    loads: list[Load] = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    reader = Reader(0, base, quick, reference, loads, pool, random.Random(0))
    try:
        await reader.visit(time.monotonic() + 600, 0)
    finally:
        pool.shutdown(wait=False)
    errors = [f"{ld.page}: {ld.error}" for ld in loads if ld.error]
    done = [ld for ld in loads if ld.seconds is not None and not ld.error]
    if not errors and len(done) < len(VISIT):
        errors.append(f"the warm-up visit loaded {len(done)} of {len(VISIT)} pages")
    return loads, errors


# --- Profile ------------------------------------------------------------------------------------------

def start_profile(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        log("py-spy not installed: no profile")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    # --gil: only the thread holding the GIL is sampled, i.e. the Python work that keeps the replica busy
    # (idle threads waiting in epoll or sleep are left out); their share of all samples is the GIL's busy time.
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
                             "--nonblocking", "--gil", "--format", "raw", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# Frames whose inclusive share says where a replica's CPU goes (substring of "function (file)").
PROFILE_GROUPS = {
    # gc.collect is C code: py-spy charges it to its caller, ScriptRunner._on_script_finished (nothing else there is heavy)
    "full GC after each run (runner.postScriptGC)": ["_on_script_finished"],
    "script runs (dashboard.py and the page, Streamlit's element calls included)": ["code_to_exec"],
    "  of which project code (components/, data/)": ["(components/", "(data/"],
    "  of which plotly": ["(plotly/"],
    "  of which tables to Arrow (pandas, pyarrow)": ["(pyarrow/", "dataframe_to_arrays"],
    "messages: hashing and serialising (protobuf)": ["populate_hash_if_needed", "serialize_forward_msg",
                                                     "SerializeToString"],
    "the server's event loop (HTTP, websocket)": ["BaseEventLoop._run_once"],
    "session start and end": ["connect_session", "disconnect_session", "AppSession.__init__", "AppSession.shutdown"],
}


def summarise_profile(raw_file: Path, seconds: float, top: int = 25) -> dict:
    """Inclusive and self shares of the samples in py-spy's collapsed stacks (self: with line numbers)."""
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    groups: collections.Counter = collections.Counter()
    total = 0
    for line in raw_file.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        total += n
        exact = stack.split(";")
        frames = [re.sub(r":\d+\)$", ")", f) for f in exact]
        for frame in set(frames):
            inclusive[frame] += n
        own[exact[-1]] += n
        for name, needles in PROFILE_GROUPS.items():
            if any(needle in frame for frame in frames for needle in needles):
                groups[name] += n
    share = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total, "gil_busy_pct": round(100 * total / (seconds * 100), 1) if seconds else None,
            "groups_pct": {name: share(groups[name]) for name in PROFILE_GROUPS},
            "inclusive_pct": [[f, share(c)] for f, c in inclusive.most_common(top)],
            "self_pct": [[f, share(c)] for f, c in own.most_common(top)]}


# --- The run --------------------------------------------------------------------------------------------

def git(*args: str, cwd: str | Path = ROOT) -> str:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def app_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["NEL_ILLUSTRATIVE"] = settings.illustrative
    env.setdefault("NEL_DATA", "data/nel")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def config_name(settings: Settings) -> str:
    return settings.label or ("shipped settings" if not settings.server_config else ", ".join(settings.server_config))


async def measure_target(target: str, settings: Settings, reference: dict[str, list[int]], out: Path,
                         profile_at: int | None, soak: tuple[int, float] | None) -> dict:
    env = app_env(settings)
    logs = out / "raw" / "logs"
    server = OneReplica(settings, env) if target == "one" else ThroughNginx(settings, env, out / "raw" / "prod")
    result = {"target": "one replica" if target == "one" else "nginx, two replicas", "config": config_name(settings),
              "server_config": settings.server_config, "levels": [], "stopped_because": None}
    group = None
    levels = [soak[0]] if soak else settings.levels
    try:
        for count in levels:
            if group is None or settings.restart:
                if group is not None:
                    server.stop()
                group = server.start(logs)
                for port in group.replicas:
                    loads, errors = await warm_one_visit(f"http://127.0.0.1:{port}", settings, reference)
                    if errors:
                        raise RuntimeError(f"warm-up visit of the replica on port {port} failed: {errors[:4]}")
                    result.setdefault("warmup", [{"page": ld.page, "elements": ld.elements,
                                                  "expected": reference[str(ld.walk)][ld.step],
                                                  "seconds": rnd(ld.seconds, 3)} for ld in loads])
                await asyncio.sleep(1.0)
            idle = group.sample()
            duration = soak[1] if soak else settings.duration
            ramp = settings.ramp if not soak else min(settings.pause + settings.jitter, duration / 3)
            log(f"{result['target']} [{result['config']}]: {count} readers for {duration:.0f} s")
            spy = None
            if profile_at == count and not soak:
                pid = next(iter(group.replicas.values()))[0]
                # py-spy starts with the level: its first seconds (readers arriving) are lighter than the rest.
                spy = start_profile(pid, max(5, duration - 2), out / "raw" / f"profile-{target}-{count}.txt")
            raw = await run_readers(group.base, count, settings, reference, duration, group, ramp,
                                    sample_every=5.0 if soak else 1.0)
            level = summarise(count, raw, settings, ramp, idle)
            if soak:
                level["rss_timeline_mb"] = [[round(s["t"] - raw["t0"], 0), round(sum(s["replica_rss"].values()) / 2**20, 1)]
                                            for s in raw["samples"]]
            if spy is not None:
                _, err = spy.communicate(timeout=60)
                profile_file = out / "raw" / f"profile-{target}-{count}.txt"
                if profile_file.exists() and profile_file.stat().st_size:
                    level["profile"] = summarise_profile(profile_file, max(5, duration - 2))
                    level["profile"]["file"] = str(profile_file.relative_to(out)) if out in profile_file.parents else str(profile_file)
                else:
                    level["profile_error"] = err.decode(errors="replace")[-400:]
            result["levels"].append(level)
            log(f"  {level['page_loads_per_s']} loads/s, p50 {level['p50_s']} s, p95 {level['p95_s']} s, "
                f"{level['errors']} errors, server CPU {level.get('server_cpu_pct_of_core')} % of a core, "
                f"{level.get('server_cpu_ms_per_load')} ms/load, RSS {level.get('rss_peak_mb')} MB, "
                f"machine {level.get('machine_busy_pct')} % busy")
            if not soak and level["p95_s"] is not None and level["p95_s"] > settings.p95_limit:
                result["stopped_because"] = f"p95 {level['p95_s']} s > {settings.p95_limit} s at {count} readers"
                break
            if not soak and level["page_loads"] == 0:
                result["stopped_because"] = f"no page finished at {count} readers"
                break
    finally:
        server.stop()
    result["capacity"] = capacity(result, settings)
    return result


def capacity(result: dict, settings: Settings) -> dict:
    """Readers per replica at p95 ≤ limit, from the highest level that kept it (with no errors)."""
    levels = sorted(result["levels"], key=lambda lv: lv["readers"])
    good = [lv for lv in levels if lv["p95_s"] is not None and lv["p95_s"] <= settings.p95_limit and lv["errors"] == 0]
    bad = [lv for lv in levels if lv not in good]
    replicas = 1 if result["target"] == "one replica" else 2
    best = max((lv["readers"] for lv in good), default=0)
    first_bad = min((lv["readers"] for lv in bad if lv["readers"] > best), default=None)
    per_replica = best / replicas
    return {"readers_at_p95_limit": best, "first_level_over": first_bad, "readers_per_replica": per_replica,
            "replicas_for_500": math.ceil(500 / per_replica) if per_replica else None,
            "peak_loads_per_s": max((lv["page_loads_per_s"] or 0 for lv in levels), default=0)}


def merge_results(old: dict | None, new_targets: list[dict]) -> list[dict]:
    """Keep earlier results for target/configuration pairs not measured now; replace levels measured again."""
    merged: list[dict] = [{"measured": (old or {}).get("generated"), **t} for t in (old or {}).get("targets", [])]
    for new in new_targets:
        match = next((t for t in merged if t["target"] == new["target"] and t["config"] == new["config"]), None)
        if match is None:
            merged.append(new)
            continue
        levels = {lv["readers"]: {"measured": match.get("measured"), **lv} for lv in match["levels"]}
        levels.update({lv["readers"]: lv for lv in new["levels"]})
        match["levels"] = [levels[k] for k in sorted(levels)]
        match["measured"] = new.get("measured")
        over = [lv for lv in match["levels"] if lv["p95_s"] is not None and lv["p95_s"] > Settings().p95_limit]
        match["stopped_because"] = (f"p95 {over[0]['p95_s']} s > {Settings().p95_limit} s at {over[0]['readers']} readers"
                                    if over else None)
        match["capacity"] = new["capacity"] = capacity(match, Settings())
    return merged


def soak_trend(timeline: list[list[float]]) -> dict:
    """Is resident memory flat over a soak? Means of its first and last minute (after the arrivals) and the
    least-squares slope over its last two thirds."""
    end = timeline[-1][0]
    settled = [(t, m) for t, m in timeline if t >= 20]
    first = [m for t, m in settled if t < 80]
    last = [m for t, m in settled if t >= end - 60]
    tail = [(t, m) for t, m in timeline if t >= end / 3]
    slope = None
    if len(tail) >= 3:
        mt = statistics.mean(t for t, _ in tail)
        mm = statistics.mean(m for _, m in tail)
        den = sum((t - mt) ** 2 for t, _ in tail)
        slope = round(60 * sum((t - mt) * (m - mm) for t, m in tail) / den, 2) if den else None
    return {"first_minute_mb": rnd(statistics.mean(first), 1) if first else None,
            "last_minute_mb": rnd(statistics.mean(last), 1) if last else None, "slope_mb_per_min": slope}


def fmt(value, unit: str = "", digits: int | None = None) -> str:
    if value is None:
        return "–"
    if digits is not None:
        value = round(value, digits)
    return f"{value}{unit}"


def markdown(result: dict) -> str:
    s = result["settings"]
    lines = [
        MARK_BEGIN, "",
        f"Measured {result['generated']} on commit `{result['commit']}`{' (with uncommitted changes)' if result.get('dirty') else ''}, "
        f"{result['machine']['cores']} cores ({result['machine']['cpu']}), Python {result['machine']['python']}, "
        f"Streamlit {result['machine']['streamlit']}. Readers pause {s['pause']} s ± {s['jitter']} s on each page; "
        f"{s['duration']:.0f} s per level, of which the first {min(s['pause'] + s['jitter'], s['duration'] / 3):.0f} s "
        f"(readers arriving) are not counted; `NEL_ILLUSTRATIVE={s['illustrative']}`; the server started and warmed "
        f"(one visit of every page) {'before each level' if s['restart'] else 'once, before the first level'}.",
        "",
        "Reference element counts (AppTest, walking the visit from each page in one session, as the readers do): "
        + ", ".join(f"`{p}` {'/'.join(map(str, n))}" for p, n in expected_by_page(result["reference_counts"]).items())
        + ".",
        "",
    ]
    order = ["one replica", "nginx, two replicas"]
    for t in sorted(result["targets"], key=lambda t: (bool(t.get("soak")), "postScriptGC on" in t["config"],
                                                      order.index(t["target"]) if t["target"] in order else 9)):
        cap = t.get("capacity") or {}
        lines += [f"### {t['target']} — {t['config']}", ""]
        if t.get("measured") and t["measured"] != result["generated"]:
            lines += [f"Measured {t['measured']}.", ""]
        soak = t.get("soak")
        lines += ["| readers | page loads/s | p50 | p95 | errors | server CPU (% of a core) | CPU per load | "
                  "RSS idle → peak | memory per session | machine busy (others) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for lv in t["levels"]:
            per_replica = lv.get("replica_cpu_pct_of_core") or {}
            cpu = fmt(lv.get("server_cpu_pct_of_core"), " %")
            if len(per_replica) > 1:
                cpu += " (" + " + ".join(fmt(v, "") for v in per_replica.values())
                cpu += (f" + nginx {fmt(lv.get('nginx_cpu_pct_of_core'))})" if lv.get("nginx_cpu_pct_of_core") is not None else ")")
            when = lv.get("measured")
            when = f" ({when[-9:]})" if when and t.get("measured") and when != t["measured"] else ""
            lines.append(
                f"| {lv['readers']}{when} | {fmt(lv['page_loads_per_s'])} | {fmt(lv['p50_s'], ' s', 2)} | {fmt(lv['p95_s'], ' s', 2)} | "
                f"{lv['errors']}{' (+' + str(lv['unfinished_at_end']) + ' unfinished)' if lv.get('unfinished_at_end') else ''} | "
                f"{cpu} | {fmt(lv.get('server_cpu_ms_per_load'), ' ms')} | "
                f"{fmt(lv.get('rss_idle_mb'))} → {fmt(lv.get('rss_peak_mb'), ' MB')} | {fmt(lv.get('mb_per_session'), ' MB')} | "
                f"{fmt(lv.get('machine_busy_pct'), ' %')} ({fmt(lv.get('others_cpu_pct_of_core'), ' %')}) |")
        lines.append("")
        if t.get("stopped_because"):
            lines += [f"Stopped: {t['stopped_because']}.", ""]
        if cap and not soak and not t.get("partial"):
            lines += [f"Capacity: p95 ≤ {s['p95_limit']} s held up to **{cap['readers_at_p95_limit']} readers** "
                      f"({fmt(cap['readers_per_replica'])} per replica"
                      + (f"; first level over: {cap['first_level_over']}" if cap.get('first_level_over') else "")
                      + f"); peak {cap['peak_loads_per_s']} page loads/s.", ""]
        for lv in t["levels"]:
            if lv.get("error_samples"):
                lines += [f"Errors at {lv['readers']} readers: " + "; ".join(lv["error_samples"]), ""]
            if lv.get("rss_timeline_mb"):
                tl = lv["rss_timeline_mb"]
                step = max(1, len(tl) // 12)
                trend = soak_trend(tl)
                lines += ["Resident memory over the soak (s: MB): " + ", ".join(f"{int(x)}: {y}" for x, y in tl[::step])
                          + f"; end {int(tl[-1][0])}: {tl[-1][1]}. Mean of the first minute after arrivals "
                          f"{fmt(trend['first_minute_mb'], ' MB')}, of the last minute {fmt(trend['last_minute_mb'], ' MB')}; "
                          f"slope over the last two thirds {fmt(trend['slope_mb_per_min'], ' MB/min')}.", ""]
            if lv.get("profile"):
                p = lv["profile"]
                lines += [f"Profile at {lv['readers']} readers (py-spy --gil, 100 Hz: {p['samples']} samples of the thread "
                          f"holding the replica's GIL, which was busy {p.get('gil_busy_pct')} % of the time; a sample can "
                          f"fall in more than one group):", "",
                          "| where | share of samples |", "|---|---|"]
                lines += [f"| {name} | {share} % |" for name, share in p["groups_pct"].items()]
                lines += ["", "Top functions by inclusive share: " + "; ".join(
                    f"`{f}` {share} %" for f, share in p["inclusive_pct"][:14]) + ".", "",
                          "Top lines by own share: " + "; ".join(
                    f"`{f}` {share} %" for f, share in p["self_pct"][:10]) + ".", ""]
        pages = t["levels"][0].get("pages", {}) if t["levels"] else {}
        if pages:
            lines += ["Per page at the first level (elements seen / AppTest, p50, p95): " + "; ".join(
                f"`{page}` {'/'.join(map(str, e['elements']))} / "
                f"{'/'.join(map(str, expected_by_page(result['reference_counts']).get(page, ['–'])))}, "
                f"{fmt(e['p50_s'], ' s', 2)}, {fmt(e['p95_s'], ' s', 2)}" for page, e in pages.items()) + ".", ""]
    lines += [MARK_END]
    return "\n".join(lines)


def write_report(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "capacity.json").write_text(json.dumps(result, indent=1, default=list) + "\n", encoding="utf-8")
    md = out / "capacity.md"
    generated = markdown(result)
    if md.exists() and MARK_BEGIN in md.read_text(encoding="utf-8"):
        text = md.read_text(encoding="utf-8")
        head, rest = text.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        md.write_text(head + generated + tail, encoding="utf-8")
    else:
        md.write_text("# Capacity of the dashboard, measured at the server (`make load`)\n\n"
                      "Written by `python -m bench.load`; see the module's docstring for the method.\n\n"
                      + generated + "\n", encoding="utf-8")


def machine() -> dict:
    import streamlit

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "streamlit": streamlit.__version__,
            "memory_gb": round(os.sysconf("SC_PHYS_PAGES") * PAGE / 2**30, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Capacity of the dashboard at the server (make load).")
    parser.add_argument("--quick", action="store_true", help="3 readers, 8 s, 1 s pauses, one replica (the tests)")
    parser.add_argument("--out", type=Path, help="where capacity.md/.json go (default bench/; quick: build/load/quick)")
    parser.add_argument("--levels", help="concurrent readers per level, comma separated (default 10,25,50,100,200,400)")
    parser.add_argument("--targets", help="one, nginx or one,nginx (default both)")
    parser.add_argument("--duration", type=float, help="seconds per level, arrivals included (default 60)")
    parser.add_argument("--pause", type=float, help="a reader's pause on each page, seconds (default 10)")
    parser.add_argument("--jitter", type=float, help="the pause varies uniformly by ± this, seconds (default 5)")
    parser.add_argument("--p95-limit", type=float, help="stop a target after a level whose p95 passes this (default 1 s)")
    parser.add_argument("--no-restart", action="store_true", help="keep the server between levels")
    parser.add_argument("--illustrative", choices=["show", "hide"],
                        help="NEL_ILLUSTRATIVE for the replicas and the reference (default hide, as in production)")
    parser.add_argument("--server-config", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra Streamlit option for the replicas, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--label", help="names this configuration in the report")
    parser.add_argument("--profile-at", type=int, help="record py-spy on the (first) replica during this level")
    parser.add_argument("--soak", metavar="READERS:SECONDS", help="one long level at a steady load, memory sampled every 5 s")
    parser.add_argument("--merge", action="store_true", help="keep the results already in capacity.json for what is not run now")
    parser.add_argument("--app-dir", help="the checkout to serve (default this one)")
    parser.add_argument("--rewrite", action="store_true", help="only write capacity.md again from capacity.json")
    parser.add_argument("--reference-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hostile", action="store_true",
                        help="only the hostile mix: readers on one replica while clients upload worst-case files")
    parser.add_argument("--hostile-mix", default="100:5:120", metavar="READERS:UPLOADERS:SECONDS",
                        help="the hostile mix's size (default 100:5:120)")
    args = parser.parse_args(argv)

    if args.reference_only:
        print(json.dumps(reference_counts_here(args.app_dir or str(ROOT))))
        return 0

    if args.rewrite:
        out = (args.out or BENCH).resolve()
        write_report(json.loads((out / "capacity.json").read_text(encoding="utf-8")), out)
        return 0
    settings = Settings()
    if args.quick:
        settings = Settings(levels=[3], targets=["one"], duration=8.0, pause=1.0, jitter=0.5, restart=False)
    for name in ("duration", "pause", "jitter", "p95_limit", "illustrative", "label"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    if args.levels:
        settings.levels = [int(v) for v in args.levels.split(",")]
    if args.targets:
        settings.targets = [t.strip() for t in args.targets.split(",")]
        if not set(settings.targets) <= {"one", "nginx"}:
            parser.error("--targets takes one, nginx or one,nginx")
    if args.no_restart:
        settings.restart = False
    if args.app_dir:
        settings.app_dir = str(Path(args.app_dir).resolve())
    settings.server_config = args.server_config
    for opt in settings.server_config:
        if "=" not in opt:
            parser.error(f"--server-config takes NAME=VALUE, not {opt!r}")
    soak = None
    if args.soak:
        readers, seconds = args.soak.split(":")
        soak = (int(readers), float(seconds))
    out = (args.out or (ROOT / "build" / "load" / "quick" if args.quick else BENCH)).resolve()
    started = time.monotonic()
    if args.hostile:
        from bench import hostile_mix
        return hostile_mix.run(args.hostile_mix, settings, out)

    log(f"reference element counts from AppTest ({settings.app_dir})")
    reference = reference_counts(settings, app_env(settings))
    log("  " + ", ".join(f"{p} {'/'.join(map(str, n))}" for p, n in expected_by_page(reference).items()))
    old = None
    if args.merge and (out / "capacity.json").exists():
        old = json.loads((out / "capacity.json").read_text(encoding="utf-8"))
        if old.get("reference_counts") and old["reference_counts"] != reference:
            log(f"note: the reference counts changed since the earlier run: {old['reference_counts']}")
    targets = []
    for target in settings.targets:
        result = asyncio.run(measure_target(target, settings, reference, out, args.profile_at, soak))
        if soak:
            result["config"] += f" (soak {soak[0]} readers, {soak[1]:.0f} s)"
            result["soak"] = True
        targets.append(result)
    commit = git("rev-parse", "--short", "HEAD", cwd=settings.app_dir)
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for target in targets:
        target["measured"] = generated
        for level in target["levels"]:
            level.setdefault("measured", generated)
    result = {
        "generated": generated,
        "commit": commit, "dirty": bool(git("status", "--porcelain", "--untracked-files=no", cwd=settings.app_dir)),
        "machine": machine(), "settings": {k: v for k, v in asdict(settings).items() if k != "app_dir"},
        "visit": [label(p, q) for p, q in VISIT], "reference_counts": reference,
        "targets": merge_results(old, targets) if old else targets,
        "wall_s": round(time.monotonic() - started, 1),
    }
    write_report(result, out)
    log(f"wrote {out / 'capacity.md'} and capacity.json in {result['wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
