"""The last good package: a running process keeps serving the last version of a package that passed every
check when a newer version on disk (or at the URL) fails them, and switches as soon as a valid version appears.

Why: a package is replaced by copying files, and a copy seen half-way, or a new version with a mistake in one
file, would otherwise put "cannot be shown" notices in front of readers in place of figures that were fine a
second ago. A process that has never seen a valid version (it started on a failing package) serves what it
has, as before: each broken table withheld with a notice.

Each rejected version is logged once, as one JSON line (logger ``nel.data``, event ``package_rejected``; the
app's components/ui/oplog.py formats it) naming the first problem's file, row and column, and the version
still served. Standard library and data/ only: no Streamlit (components/ui/package_cache.py decides when to
look at the files again and asks :meth:`LastGood.choose` which version to serve).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

from data.package import Package

LOGGER = logging.getLogger("nel.data")
PROBLEMS_LOGGED = 5


class LastGood:
    """Per key (a source and a mode): the last package that passed every check, and the versions refused."""

    def __init__(self) -> None:
        self._good: dict[Hashable, Package] = {}
        self._refused: set[tuple[Hashable, str]] = set()
        self._lock = threading.Lock()

    def choose(self, key: Hashable, fresh: Package) -> Package:
        """The package to serve for ``key`` now that ``fresh`` is what the files hold: ``fresh`` if it passed
        every check (it becomes the last good one) or if no version has passed yet; else the last good one."""
        with self._lock:
            if fresh.valid:
                self._good[key] = fresh
                return fresh
            good = self._good.get(key)
            if good is None:
                return fresh
            first_time = (key, fresh.version) not in self._refused
            self._refused.add((key, fresh.version))
        if first_time:
            log_refused(fresh, good)
        return good

    def forget(self) -> None:
        with self._lock:
            self._good.clear()
            self._refused.clear()


def log_refused(fresh: Package, kept: Package) -> None:
    first = fresh.problems[0]
    LOGGER.warning(
        "the data package changed but the new version failed its checks (%d problem(s), first %s); "
        "still serving version %s, the last that passed", len(fresh.problems), first, kept.version,
        extra={"event": "package_rejected", "fields": {
            "file": first.file, "row": first.row, "column": first.column, "problem": first.message,
            "problem_count": len(fresh.problems), "problems": [str(p) for p in fresh.problems[:PROBLEMS_LOGGED]],
            "tables_failed": sorted(fresh.broken), "rejected_digest": fresh.version, "serving_digest": kept.version,
        }})
