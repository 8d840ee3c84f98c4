"""Page script time through AppTest (P1, P5): a worker that bench.run starts in a fresh process.

``python -m bench.script_time cold pages/remi.py`` times the first run of one page in this (fresh)
process: the imports the page needs, the package load and every derived frame. ``python -m
bench.script_time warm --runs 10 pages/overview.py pages/remi.py ...`` runs each page once to fill
the caches and then times ``runs`` more runs of it. Both print one JSON object on the last line of
stdout. NEL_DATA chooses the package, as it does for the app.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
TIMEOUT = 300


def _quiet() -> None:
    for name in ("streamlit", "streamlit.runtime", "streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _compact(value) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def geometry_bytes(plotly_specs: list[str], deck_specs: list[str]) -> int:
    """Bytes of boundary geometry in what the page sends: the x/y of filled plotly polygons and the
    geometry of every GeoJSON feature in a pydeck layer."""
    total = 0
    for spec in plotly_specs:
        for trace in json.loads(spec).get("data", []):
            if trace.get("fill") in ("toself", "tonext") and isinstance(trace.get("x"), list):
                total += _compact(trace.get("x")) + _compact(trace.get("y"))
    for spec in deck_specs:
        for layer in json.loads(spec).get("layers", []):
            data = layer.get("data")
            features = data.get("features", []) if isinstance(data, dict) else []
            total += sum(_compact(f.get("geometry")) for f in features if isinstance(f, dict))
    return total


def page_facts(at) -> dict:
    """What a run showed: the charts, their JSON size, the first chart's figure and any exception."""
    charts = at.get("plotly_chart")
    decks = at.get("deck_gl_json_chart")
    return {
        "charts": len(charts), "decks": len(decks),
        "chart_bytes": sum(len(c.proto.spec.encode()) for c in charts) + sum(len(d.proto.json.encode()) for d in decks),
        "geometry_bytes": geometry_bytes([c.proto.spec for c in charts], [d.proto.json for d in decks]),
        "first_spec": charts[0].proto.spec if charts else None,
        "exception": [str(e.value)[:300] for e in at.exception],
        "title": at.title[0].value if at.title else None,
    }


class ScriptClock:
    """CPU and wall time of the page script itself, measured in the script thread (the run's total
    also holds AppTest's own work; CPU time is what other work on a shared machine cannot inflate)."""

    def __init__(self):
        from streamlit.runtime.scriptrunner import script_runner

        self.cpu_ms: list[float] = []
        self.wall_ms: list[float] = []
        self._module = script_runner
        original = script_runner.exec_func_with_error_handling

        def timed(func, ctx):
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return original(func, ctx)
            finally:
                self.cpu_ms.append((time.thread_time() - cpu) * 1000)
                self.wall_ms.append((time.perf_counter() - wall) * 1000)

        script_runner.exec_func_with_error_handling = timed

    def take(self) -> tuple[float, float]:
        """CPU and wall ms of the runs since the last take (a run that reruns itself counts once)."""
        cpu, wall = sum(self.cpu_ms), sum(self.wall_ms)
        self.cpu_ms, self.wall_ms = [], []
        return cpu, wall


def time_run(at) -> float:
    gc.collect()
    start = time.perf_counter()
    at.run(timeout=TIMEOUT)
    return (time.perf_counter() - start) * 1000


def cold(page: str) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(page)  # before the first run: the URL paths equal the file names, so this lands on the page
    ms = time_run(at)
    facts = page_facts(at)
    facts.pop("first_spec")
    return {"page": page, "cold_ms": ms, **facts}


def warm(pages: list[str], runs: int, profile: str | None = None, budget_s: float | None = None) -> dict:
    """Each page: one run to fill its caches, then ``runs`` timed runs (fewer, but at least one, when
    the first run shows that ``runs`` of them would take longer than ``budget_s``)."""
    from streamlit.testing.v1 import AppTest

    clock = ScriptClock()
    out = {}
    for page in pages:
        # A new session per page, landing on it directly: the view a first-time visitor gets (a session
        # carries ?org= and the like from page to page, which would change what the next page shows).
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.switch_page(page)
        first = time_run(at)  # fills this page's caches (and, for the first page, the package's)
        clock.take()
        samples, cpu, script = [], [], []
        n = runs if not budget_s else max(1, min(runs, int(budget_s * 1000 // max(first, 1.0))))
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for _ in range(n):
            samples.append(time_run(at))
            c, w = clock.take()
            cpu.append(c)
            script.append(w)
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{profile}-{Path(page).stem}.prof")
        out[page] = {"first_ms": first, "samples_ms": samples, "cpu_ms": cpu, "script_ms": script, **page_facts(at)}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["cold", "warm"])
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", help="write cProfile stats of the warm runs to PREFIX-<page>.prof")
    parser.add_argument("--budget", type=float, help="seconds a page's timed runs may take (fewer runs when slow)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    _quiet()
    result = cold(args.pages[0]) if args.mode == "cold" else warm(args.pages, args.runs, args.profile, args.budget)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
