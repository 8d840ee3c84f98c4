"""The package's own log of releases (``releases.csv``): one row each time figures are added, changed or removed.

Each row gives the release's date and identifier (``2026-12-07-1``: the date and a number for that day), the
tables and the organisations whose published figures changed, how many rows were added, changed and removed,
and a one-line summary in plain words. ``python -m data.merge`` appends a row when it applies a merge (never
on a dry run); an importer calls :func:`append_release` when asked to (``--release "summary"``). By hand,
for figures added some other way::

    python -m data.releases --package data/nel --before OLD_FOLDER "One line saying what changed"

compares the package with a copy taken before the change and appends the row. Standard library and
``data.package_files`` only.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from data import schema as canonical_schema
from data.package import MANIFEST
from data.package_files import raw_table

if TYPE_CHECKING:
    from data.submission import MergeResult

RELEASES = "releases"
SEPARATOR = ";"
FIELDS = ["release_id", "date", "tables", "organisations", "rows_added", "rows_changed", "rows_removed", "summary"]
_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d+)$")


@dataclass(frozen=True)
class Changes:
    """What a release changed: tables and organisations (published figures) in order, and row counts."""
    tables: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    added: int = 0
    changed: int = 0
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Release:
    release_id: str
    date: dt.date
    changes: Changes
    summary: str

    def cells(self) -> list[str]:
        c = self.changes
        return [self.release_id, self.date.isoformat(), SEPARATOR.join(c.tables), SEPARATOR.join(c.organisations),
                str(c.added), str(c.changed), str(c.removed), " ".join(self.summary.split())]


def today() -> dt.date:
    """The release date: today in UTC (tests may replace it)."""
    return dt.datetime.now(dt.timezone.utc).date()


def next_id(existing: Iterable[str], date: dt.date) -> str:
    """``YYYY-MM-DD-N``: one more than the day's highest number so far."""
    day = date.isoformat()
    numbers = [int(m.group(2)) for i in existing if (m := _ID.match(i)) and m.group(1) == day]
    return f"{day}-{max(numbers, default=0) + 1}"


def with_release(data: bytes, changes: Changes, summary: str, date: dt.date | None = None) -> tuple[bytes, Release]:
    """``releases.csv``'s bytes with one more row (earlier rows kept byte for byte), and that release."""
    if not summary.strip():
        raise ValueError("a release needs a one-line summary in plain words")
    raw = raw_table(f"{RELEASES}.csv", data) if data.strip() else None
    header = raw.header if raw is not None else FIELDS
    ids = [r[header.index("release_id")] for r in raw.records] if raw is not None and "release_id" in header else []
    release = Release(next_id(ids, date or today()), date or today(), changes, summary)
    newline = raw.newline if raw is not None else "\n"
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerow(dict(zip(FIELDS, release.cells(), strict=True)).get(c, "")
                                                      for c in header)
    prefix = raw.prefix + "".join(raw.texts) if raw is not None else ",".join(FIELDS) + newline
    return (prefix + buf.getvalue()).encode("utf-8"), release


def latest(log: object) -> tuple[str, dt.date] | None:
    """The newest release (identifier, date) of a loaded log (the typed ``releases`` table), or None."""
    import pandas as pd

    if not isinstance(log, pd.DataFrame) or log.empty or not {"release_id", "date"} <= set(log.columns):
        return None
    rows = log.dropna(subset=["date", "release_id"]).sort_values(["date", "release_id"], kind="stable")
    if rows.empty:
        return None
    return str(rows["release_id"].iloc[-1]), pd.Timestamp(rows["date"].iloc[-1]).date()


# ---------------------------------------------------------------------------------------------
# Counting what changed


def _rows(path: str, data: bytes | None) -> tuple[list[str], list[list[str]]]:
    raw = raw_table(path, data) if data else None
    return (raw.header, raw.records) if raw is not None else ([], [])


def _org_of(record: Mapping[str, str]) -> str:
    """The organisation whose published figure a row is ('' for none: no ods_code, or an illustrative row)."""
    return "" if record.get("status") == "illustrative" else record.get("ods_code", "")


def compare(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> Changes:
    """Rows added, changed and removed between two versions of a package's files ({path: bytes}), by each
    table's primary key; the log itself is not counted."""
    tables: list[str] = []
    orgs: list[str] = []
    totals = [0, 0, 0]
    for name, res in canonical_schema.resources().items():
        if name == RELEASES:
            continue
        key = res["schema"].get("primaryKey", [])
        old_header, old_rows = _rows(res["path"], before.get(res["path"]))
        new_header, new_rows = _rows(res["path"], after.get(res["path"]))
        old = {tuple(d.get(k, "") for k in key): d for d in (dict(zip(old_header, r, strict=True)) for r in old_rows)}
        new = {tuple(d.get(k, "") for k in key): d for d in (dict(zip(new_header, r, strict=True)) for r in new_rows)}
        added = [new[k] for k in new if k not in old]
        changed = [new[k] for k in new if k in old and new[k] != old[k]]
        removed = [old[k] for k in old if k not in new]
        if added or changed or removed:
            tables.append(name)
            totals = [totals[0] + len(added), totals[1] + len(changed), totals[2] + len(removed)]
            orgs += [_org_of(d) for d in added + changed + removed]
    return Changes(tuple(tables), tuple(sorted({o for o in orgs if o})), *totals)


def from_merge(result: MergeResult) -> Changes:
    """What a merge (``data.submission.MergeResult``) changes, from the change summary it computes."""
    counts = [s for s in result.summary() if s["table"] != RELEASES and (s["added"] or s["changed"] or s["removed"])]
    orgs = [_org_of(c.new) for c in result.changes if c.kind != "unchanged" and c.table != RELEASES]
    return Changes(tuple(s["table"] for s in counts), tuple(sorted({o for o in orgs if o})),
                   sum(s["added"] for s in counts), sum(s["changed"] for s in counts), sum(s["removed"] for s in counts))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def merge_summary(changes: Changes, titles: Mapping[str, str], names: Mapping[str, str]) -> str:
    """A merge's summary when none is given: 'New figures in Workforce and Sources, for Barts Health.'"""
    kinds = [w for n, w in ((changes.added, "new"), (changes.changed, "changed"), (changes.removed, "removed")) if n]
    what = _join([_lower_first(titles.get(t, t)) for t in sorted(changes.tables, key=lambda t: t == "sources")])
    text = f"{_join(kinds).capitalize()} figures in {what}" if what else "No figures changed"
    if changes.organisations:
        text += ", for " + _join([names.get(o, o) for o in changes.organisations])
    return text + "."


# ---------------------------------------------------------------------------------------------
# Files


def releases_path(folder: Path) -> Path:
    """Where a package folder keeps its log (as its datapackage.json says; releases.csv otherwise)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8-sig"))
        for res in manifest.get("resources", []):
            if isinstance(res, dict) and res.get("name") == RELEASES and isinstance(res.get("path"), str):
                return folder / res["path"]
    except (OSError, ValueError):
        pass
    return folder / canonical_schema.resources()[RELEASES]["path"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every table's file in a package folder, by its canonical path (what :func:`compare` reads)."""
    out = {}
    for res in canonical_schema.resources().values():
        path = folder / res["path"]
        if path.is_file():
            out[res["path"]] = path.read_bytes()
    return out


def write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_release(folder: Path, summary: str, *, before: Mapping[str, bytes] | None = None,
                   changes: Changes | None = None, date: dt.date | None = None) -> Release | None:
    """Append one row to the package's log: the given ``changes``, or those since ``before`` (a
    :func:`snapshot` taken before the change). Nothing is written, and None returned, when nothing changed.
    The one call for importers and scripts that change a package."""
    folder = Path(folder)
    if changes is None:
        if before is None:
            raise ValueError("give the changes, or a snapshot of the package taken before them")
        changes = compare(before, snapshot(folder))
    if not changes:
        return None
    path = releases_path(folder)
    data, release = with_release(path.read_bytes() if path.is_file() else b"", changes, summary, date)
    write_atomically(path, data)
    return release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.releases",
                                     description="Append a row to a package's release log (releases.csv).")
    parser.add_argument("summary", help="one line, in plain words, saying what changed")
    parser.add_argument("--package", type=Path, default=Path("data/nel"))
    parser.add_argument("--before", type=Path, required=True, help="a copy of the package folder before the change")
    args = parser.parse_args(argv)
    release = append_release(args.package, args.summary, before=snapshot(args.before))
    if release is None:
        print(f"nothing changed between {args.before} and {args.package}: no release written")
        return 1
    c = release.changes
    print(f"release {release.release_id}: {c.added} added, {c.changed} changed, {c.removed} removed in "
          f"{', '.join(c.tables)}; written to {releases_path(args.package)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
