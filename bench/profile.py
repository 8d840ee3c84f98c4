"""Where a page's warm run spends its time: ``python -m bench.profile pages/workforce.py [--runs 10]``.

Runs the page through AppTest as P1 does, fills its caches with one run, then profiles ``runs`` more
runs with cProfile *inside the script thread* (where the page code runs; a profiler started in the
main thread sees only AppTest waiting). Prints the functions with the most cumulative time per run,
project code first. cProfile slows pure-Python code (plotly's validators most), so read the shares,
not the absolute times. For a sampling view of a live server use py-spy:
``py-spy record -o out.svg --pid <streamlit pid>``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time

from bench.script_time import APP, ROOT, TIMEOUT, _quiet

PROJECT = (str(ROOT / "components"), str(ROOT / "data"), str(ROOT / "pages"), str(ROOT / "geo"), str(ROOT / "dashboard.py"))


def profile_page(page: str, runs: int) -> tuple[pstats.Stats, list[float]]:
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    profiler = cProfile.Profile()
    active = [False]
    original = script_runner.exec_func_with_error_handling

    def profiled(func, ctx):
        if not active[0]:
            return original(func, ctx)
        profiler.enable()
        try:
            return original(func, ctx)
        finally:
            profiler.disable()

    script_runner.exec_func_with_error_handling = profiled
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(page)
    at.run(timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    active[0] = True
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run(timeout=TIMEOUT)
        times.append((time.perf_counter() - start) * 1000)
    active[0] = False
    script_runner.exec_func_with_error_handling = original
    return pstats.Stats(profiler), times


def report(stats: pstats.Stats, runs: int, limit: int) -> str:
    rows = []
    for (file, line, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((cumulative / runs * 1000, file, line, name))
    rows.sort(reverse=True)
    out = io.StringIO()
    total = max((r[0] for r in rows), default=0.0)
    print(f"script time per run under the profiler: {total:.0f} ms", file=out)
    print("\nproject functions (cumulative ms per run):", file=out)
    for ms, file, line, name in [r for r in rows if r[1].startswith(PROJECT)][:limit]:
        print(f"{ms:8.1f}  {name}  {file.replace(str(ROOT) + '/', '')}:{line}", file=out)
    print("\nlibrary functions (cumulative ms per run):", file=out)
    for ms, file, line, name in [r for r in rows if not r[1].startswith(PROJECT) and "site-packages" in r[1]][:limit]:
        print(f"{ms:8.1f}  {name}  {file.split('site-packages/')[-1]}:{line}", file=out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Profile a page's warm runs.")
    parser.add_argument("page", help="page file, e.g. pages/workforce.py")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--limit", type=int, default=25)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    _quiet()
    stats, times = profile_page(args.page, args.runs)
    print(f"{args.page}: {args.runs} profiled runs, median {sorted(times)[len(times) // 2]:.0f} ms each (AppTest, profiled)")
    print(report(stats, args.runs, args.limit))


if __name__ == "__main__":
    main()
