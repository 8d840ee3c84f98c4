"""What a checked submission gives back: the change summary (rows, a CSV download, plain text for the
command line) and the merged package as a zip, with the counts the dashboard withholds left out.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping

from data import schema as canonical_schema
from data.package import MANIFEST, Package
from data.package_files import Current, raw_table
from data.submission import MergeResult

WITHHELD_COLUMNS = {"workforce": ("gm_headcount", "gm_percent"), "wres": ("numerator", "value")}  # data/suppression.py


def change_rows(result: MergeResult, changed_only: bool = False) -> list[dict[str, str]]:
    """The change summary, one line per added or changed value: table, key, column, old, new, file, row."""
    out = []
    for c in result.changes:
        if c.kind == "unchanged" or (changed_only and c.kind == "added"):
            continue
        key = ", ".join(c.key)
        if c.kind == "added":
            out.append({"table": c.table, "key": key, "change": "added", "column": "", "old": "", "new": "",
                        "file": c.origin[0], "row": str(c.origin[1])})
            continue
        for col, new in c.new.items():
            old = (c.old or {}).get(col, "")
            if old != new:
                out.append({"table": c.table, "key": key, "change": "changed", "column": col, "old": old, "new": new,
                            "file": c.origin[0], "row": str(c.origin[1])})
    return out


def _formula_safe(value: str) -> str:
    # the summary opens in a spreadsheet: text that would run as a formula gets an apostrophe
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?[0-9.]+([eE][+-]?[0-9]+)?", value):
        return "'" + value
    return value


def change_summary_csv(result: MergeResult) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["table", "added", "changed", "unchanged", "removed"])
    for s in result.summary():
        writer.writerow([s["table"], s["added"], s["changed"], s["unchanged"], s["removed"]])
    writer.writerow([])
    cols = ["table", "key", "change", "column", "old", "new", "file", "row"]
    writer.writerow(cols)
    for row in change_rows(result):
        writer.writerow([_formula_safe(row[c]) for c in cols])
    return buf.getvalue().encode("utf-8")


def change_summary_text(result: MergeResult) -> str:
    lines = []
    for s in result.summary():
        lines.append(f"{s['table']}: {s['added']} added, {s['changed']} changed, {s['unchanged']} unchanged, "
                     f"{s['removed']} removed")
    for row in change_rows(result):
        if row["change"] == "changed":
            lines.append(f"  {row['table']} ({row['key']}) {row['column']}: {row['old']!r} -> {row['new']!r}")
        else:
            lines.append(f"  {row['table']} ({row['key']}) added")
    return "\n".join(lines)


def without_rows(files: Mapping[str, bytes], drop: Mapping[str, set[int]]) -> dict[str, bytes]:
    """The files with the given data rows (0-based, in the loader's order) left out."""
    out = dict(files)
    for path, rows in drop.items():
        if not rows or path not in files:
            continue
        raw = raw_table(path, files[path])
        if raw is None:
            continue
        out[path] = (raw.prefix + "".join(t for i, t in enumerate(raw.texts) if i not in rows)).encode("utf-8")
    return out


def withheld_rows(result: MergeResult, current: Current) -> dict[str, set[int]]:
    """Rows of the current package whose staff counts the dashboard withholds (the small-number rule):
    left out of the merged zip, as in the /data download. The submission's own rows stay."""
    drop: dict[str, set[int]] = {}
    for name, frame in result.package.tables.items():
        if "suppressed" not in frame:
            continue
        path = current.paths.get(name, canonical_schema.resources()[name]["path"])
        raw = raw_table(path, result.files.get(path, b""))
        if raw is None or len(raw.records) != len(frame):
            continue
        origin = result.origins.get(path, {})
        flags = frame["suppressed"].fillna(False).astype(bool).to_numpy()
        drop[path] = {i for i, (hide, start) in enumerate(zip(flags, raw.record_lines(), strict=True)) if hide and start not in origin}
    return drop


def merged_zip(result: MergeResult, current: Current) -> bytes:
    files = without_rows(result.files, withheld_rows(result, current))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in [MANIFEST] + sorted(p for p in files if p != MANIFEST):
            zf.writestr(path, files[path])
    return buf.getvalue()


def masked_old_values(result: MergeResult, current_package: Package) -> None:
    """Old values the dashboard withholds (small counts) are not shown in the change summary."""
    for c in result.changes:
        if c.old is None or c.table not in WITHHELD_COLUMNS:
            continue
        frame = current_package.tables.get(c.table)
        if frame is None:
            hide = True
        else:
            key_cols = canonical_schema.resources()[c.table]["schema"]["primaryKey"]
            mask = frame["suppressed"].fillna(False).astype(bool)
            for col, value in zip(key_cols, c.key, strict=True):
                mask &= frame[col].astype(str) == value
            hide = bool(mask.any())
        if hide:
            for col in WITHHELD_COLUMNS[c.table]:
                if col in c.old and c.old[col] != "":
                    c.old[col] = "withheld (fewer than 5)"
