"""How big an upload to /contribute (or ``python -m data.merge``) may be, sized from real submissions.

The largest plausible submission is every table of the schema filled for every organisation, staff group,
WRES indicator and group, REMI domain, borough, ethnic group and measure in the shipped package, for
PLAUSIBLE_YEARS years at once (a publisher catching up), and every table without a year at PLAUSIBLE_YEARS
times its shipped size. Its bytes are each table's rows times the shipped file's mean bytes per row.
``python -m data.submission_limits`` prints the figures; tests/test_contribute.py checks that the limits
below stay MARGIN times above them as the package grows.

Figures for data/nel (7 December 2026, with residents' outcomes): 7,505 rows and 0.83 MB of CSV (population
3,960 rows, wres 1,440, workforce 240, outcomes 235, remi 200, the rest 1,430); eight times that is 60,040 rows
and 6.6 MB. The limits are that, rounded up: at ten times, the costliest accepted file took one replica and its
check to 640 MB under the hostile mix (bench/capacity.md), over the 600 MB it must stay below.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from data import schema as canonical_schema

MB = 1024 * 1024
PLAUSIBLE_YEARS = 5
MARGIN = 8
MAX_SUBMISSION_ROWS = 62_000           # data rows in one uploaded file (all its tables and sheets)
MAX_EXPANDED_BYTES = 7 * MB            # one CSV, or everything inside one zip, uncompressed
MAX_WORKBOOK_EXPANDED_BYTES = 40 * MB  # a workbook's XML: 5.5 times the CSV (wres.csv: 364 kB for 66 kB)
NOT_SUBMITTED = {"releases"}           # the release log is written by the merge, never sent (data.submission_read refuses it)


def _rows(folder: Path, path: str) -> list[list[str]]:
    with (folder / path).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def _dimension(folder: Path, spec: dict, table: str, column: str, rows: list[list[str]], header: list[str]) -> int:
    """How many values a key column can take: its enum, the rows of the table it refers to, or the values
    the shipped file already holds."""
    res = spec[table]
    field = next(f for f in res["schema"]["fields"] if f["name"] == column)
    if "enum" in field.get("constraints", {}):
        return len(field["constraints"]["enum"])
    for fk in res["schema"].get("foreignKeys", []):
        if fk["fields"] == column:
            target = fk["reference"]["resource"]
            return len(_rows(folder, spec[target]["path"]))
    i = header.index(column)
    return max(1, len({r[i] for r in rows}))


def plausible_submission(folder: str | Path = "data/nel") -> dict[str, tuple[int, int]]:
    """table -> (rows, bytes) of the largest plausible submission."""
    folder = Path(folder)
    spec = canonical_schema.resources()
    out = {}
    for table, res in spec.items():
        if table in NOT_SUBMITTED:
            continue
        path = folder / res["path"]
        header = [f["name"] for f in res["schema"]["fields"]]
        rows = _rows(folder, res["path"])
        per_row = path.stat().st_size / max(len(rows), 1)
        key = res["schema"].get("primaryKey", [])
        if "year" in key:
            n = PLAUSIBLE_YEARS
            for column in key:
                if column != "year":
                    n *= _dimension(folder, spec, table, column, rows, header)
        else:
            n = PLAUSIBLE_YEARS * len(rows)
        out[table] = (n, round(n * per_row))
    return out


def main() -> int:
    figures = plausible_submission(sys.argv[1] if len(sys.argv) > 1 else "data/nel")
    for table, (rows, size) in sorted(figures.items(), key=lambda kv: -kv[1][0]):
        print(f"{table:24} {rows:7,} rows {size / MB:6.2f} MB")
    rows = sum(r for r, _ in figures.values())
    size = sum(b for _, b in figures.values())
    print(f"{'largest plausible':24} {rows:7,} rows {size / MB:6.2f} MB (x{MARGIN}: {MARGIN * rows:,} rows, "
          f"{MARGIN * size / MB:.1f} MB)")
    print(f"{'limits':24} {MAX_SUBMISSION_ROWS:7,} rows {MAX_EXPANDED_BYTES / MB:6.2f} MB "
          f"(workbook XML {MAX_WORKBOOK_EXPANDED_BYTES / MB:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
