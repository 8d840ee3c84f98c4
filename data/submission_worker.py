"""The upload check, run outside the replica's own process.

``run_check`` starts ``python -m data.submission_worker`` and hands it the uploaded files through its
standard input (never a file on disk); the worker caps its own address space (RLIMIT_AS) and CPU time
(RLIMIT_CPU), checks and merges the files, and writes back a pickled
:class:`~data.submission_view.SubmissionView`, which is all the page keeps. A worker that runs out of
memory, CPU time or the wall-clock timeout is killed and the reader is told the file is too large to check
here. At most NEL_UPLOAD_WORKERS checks run at once per replica process; the next waits up to
NEL_UPLOAD_WAIT_SECONDS (the page says so), then is asked to try again in a minute. The worker's error
output is discarded: a traceback could quote the upload.
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


# A worker's baseline (Python, pandas, numpy with one BLAS thread) is about 345 MB of address space and
# 130 MB resident. The costliest file the limits let through (data.submission_limits), a valid 74,000-row
# population.csv of 5.8 MB, peaks at 277 MB resident (2.8 s of CPU) and needs 600 MB of address space (measured
# December 2026); a 79,000-row file is checked under a 650 MB cap as under 700, but with the replica it reached
# 640 MB in the hostile mix, so the limit is now 62,000 rows (data.submission_limits). The cap leaves room above
# that. bench/capacity.md has the hostile mix's figures.
MEMORY_MB = int(_setting("NEL_UPLOAD_MEMORY_MB", 700))
CPU_SECONDS = int(_setting("NEL_UPLOAD_CPU_SECONDS", 30))
WALL_SECONDS = _setting("NEL_UPLOAD_SECONDS", 60)
WORKERS = max(1, int(_setting("NEL_UPLOAD_WORKERS", 1)))
WAIT_SECONDS = _setting("NEL_UPLOAD_WAIT_SECONDS", 20)
EXIT_TOO_LARGE = 3
EXIT_FAILED = 4

_slots = threading.BoundedSemaphore(WORKERS)


class TooLarge(Exception):
    """The worker ran out of memory, CPU time or wall-clock time and was stopped."""


class Busy(Exception):
    """Every worker slot stayed taken for the whole wait."""


class Failed(Exception):
    """The worker stopped for another reason (no detail: it could quote the upload)."""


# ---------------------------------------------------------------------------------------------
# The replica's side


def _payload(source: str, uploads: Sequence[tuple[str, bytes]]) -> bytes:
    header = json.dumps({"source": source, "files": [[name, len(data)] for name, data in uploads]}).encode()
    return len(header).to_bytes(8, "big") + header + b"".join(data for _, data in uploads)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"  # one BLAS thread: each would reserve address space of its own
    env["MALLOC_ARENA_MAX"] = "2"
    return env


def run_worker(source: str, uploads: Sequence[tuple[str, bytes]], *, memory_mb: int | None = None,
               cpu_seconds: int | None = None, wall_seconds: float | None = None) -> Any:
    """One check in a new worker process; raises TooLarge or Failed."""
    args = [sys.executable, "-m", "data.submission_worker", str(memory_mb or MEMORY_MB), str(cpu_seconds or CPU_SECONDS)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=ROOT, env=_env())
    try:
        out, _ = proc.communicate(_payload(source, uploads), timeout=wall_seconds or WALL_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise TooLarge("the check ran out of time") from None
    if proc.returncode == 0:
        return pickle.loads(out)  # noqa: S301 (our own child's answer)
    if proc.returncode == EXIT_TOO_LARGE or proc.returncode < 0:  # MemoryError, or killed (SIGXCPU, SIGKILL)
        raise TooLarge(f"the check stopped ({proc.returncode})")
    raise Failed(f"the check failed ({proc.returncode})")


def run_check(source: str, uploads: Sequence[tuple[str, bytes]], *, on_wait: Callable[[], None] | None = None,
              wait: float | None = None, **limits: Any) -> Any:
    """A worker's check of the uploads over the package at ``source``, once a slot is free: ``on_wait`` is
    called if the check must wait for one; raises Busy if none frees within ``wait`` seconds."""
    if not _slots.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        if not _slots.acquire(timeout=WAIT_SECONDS if wait is None else wait):
            raise Busy("every checker is busy")
    try:
        return run_worker(source, uploads, **limits)
    finally:
        _slots.release()


# ---------------------------------------------------------------------------------------------
# The worker's side


def _cap(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(19)  # the lowest priority: the readers' pages come first


def _read_request(stream: Any) -> tuple[str, list[tuple[str, bytes]]]:
    size = int.from_bytes(stream.read(8), "big")
    header = json.loads(stream.read(size))
    uploads = [(str(name), stream.read(int(length))) for name, length in header["files"]]
    return str(header["source"]), uploads


def check_view(source: str, uploads: list[tuple[str, bytes]]) -> Any:
    """The page's view of the uploads merged over the package at ``source`` (run in the worker)."""
    from data.package import load_for_site
    from data.package_files import Current, illustrative_hidden
    from data.submission import check
    from data.submission_view import view_of

    current = Current.read(source)
    base = current.without_illustrative() if illustrative_hidden() else current
    result, refusals = check(base, uploads)
    shown = load_for_site(source) if result is not None else None
    return view_of(result, refusals, base, shown)


def main(argv: Sequence[str]) -> int:
    _cap(int(argv[0]), int(argv[1]))
    try:
        source, uploads = _read_request(sys.stdin.buffer)
        out = pickle.dumps(check_view(source, uploads), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return EXIT_TOO_LARGE
    except Exception:  # noqa: BLE001 (nothing about the upload is printed)
        return EXIT_FAILED
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
