"""Import ONS Census 2021 TS021 (ethnic group) into the package: every borough, every group, and England.

Inputs are the ONS bulk files kept in ``data/raw/census2021-ts021/`` (exact copies, SHA-256 in its
README): ``census2021-ts021-ltla.csv`` (local authorities) and ``census2021-ts021-ctry.csv``
(countries). Columns are ``date, geography, geography code, Ethnic group: Total: All usual residents``
and one column per group, named ``Ethnic group: `` + the group's ``census_label`` in the package's
``ethnic_groups.csv`` (five high-level groups and their 19 detailed groups).

Writes ``population.csv`` (every borough of the package found in the file, every group; these rows
replace any earlier rows for those boroughs) and ``area_population.csv`` (England). Running it again
on the same files gives the same bytes, so a test can check that the shipped package is this import.

    python -m data.importers.census_ts021 --package data/nel [--release "One line saying what changed"]

With ``--release`` a row is appended to the package's release log (``data.releases.append_release``) when
the import changed any row; without it the log is left alone (so a re-import gives the same bytes).
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pandas as pd

from data import releases

RAW = Path(__file__).resolve().parents[1] / "raw" / "census2021-ts021"
LTLA_FILE = RAW / "census2021-ts021-ltla.csv"
COUNTRY_FILE = RAW / "census2021-ts021-ctry.csv"
TOTAL = "Ethnic group: Total: All usual residents"
CODE = "geography code"
NAME = "geography"
COLUMN_PREFIX = "Ethnic group: "
ENGLAND = "E92000001"
SOURCE_ID = "ons-ts021"
PERIOD = "Census 2021 (21 March 2021)"
YEAR = "2021"
SOURCE = {
    "source_id": SOURCE_ID, "title": "Census 2021: TS021 Ethnic group (version 1, 29 November 2022)",
    "publisher": "Office for National Statistics", "url": "https://www.ons.gov.uk/datasets/TS021/editions/2021/versions/1",
    "licence": "Open Government Licence v3.0", "date_retrieved": "2026-11-27", "grade": "primary",
    "note": ("Nomis bulk file census2021-ts021.zip, members census2021-ts021-ltla.csv (local authorities) and "
             "census2021-ts021-ctry.csv (England); exact copies are kept with the dashboard's code."),
}


class ImportError_(ValueError):
    """The input file is not in the TS021 layout; the message names the file, line and column."""


def read_ts021(path: Path, groups: pd.DataFrame) -> pd.DataFrame:
    """Long frame (gss_code, name, ethnic_group, count), one row per area and group of ``groups``.

    Checks every count is a whole number, that each high-level group is the sum of its detailed
    groups and that the high-level groups add up to the total.
    """
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportError_(f"{path}:-:-: cannot read the file as a UTF-8 CSV ({exc})") from exc
    column = {g: COLUMN_PREFIX + label for g, label in zip(groups["ethnic_group"], groups["census_label"], strict=True)}
    for needed in (CODE, NAME, TOTAL, *column.values()):
        if needed not in frame.columns:
            raise ImportError_(f"{path}:1:{needed}: missing column: this is not the TS021 layout")
    parent = dict(zip(groups["ethnic_group"], groups["parent"].fillna(""), strict=True))
    high = [g for g in column if not parent[g]]
    rows: list[dict[str, object]] = []
    for i, r in frame.iterrows():
        line = int(i) + 2
        counts = {}
        for group, col in [("total", TOTAL), *column.items()]:
            value = r[col].strip()
            if not (value.isascii() and value.isdigit()):
                raise ImportError_(f"{path}:{line}:{col}: expected a whole number, found {value[:30]!r}")
            counts[group] = int(value)
        if sum(counts[g] for g in high) != counts["total"]:
            raise ImportError_(f"{path}:{line}:{TOTAL}: the high-level groups add up to "
                               f"{sum(counts[g] for g in high)}, not the total {counts['total']}")
        for h in high:
            parts = [g for g in column if parent[g] == h]
            if parts and sum(counts[g] for g in parts) != counts[h]:
                raise ImportError_(f"{path}:{line}:{column[h]}: its detailed groups add up to "
                                   f"{sum(counts[g] for g in parts)}, not {counts[h]}")
        rows.extend({"gss_code": r[CODE].strip(), "name": r[NAME].strip(), "ethnic_group": g, "count": counts[g]}
                    for g in column)
    return pd.DataFrame(rows, columns=["gss_code", "name", "ethnic_group", "count"])


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def import_into(package: Path, ltla: Path = LTLA_FILE, country: Path = COUNTRY_FILE) -> tuple[int, int]:
    """Write the package's population and England rows from the two files; returns (borough rows, England rows)."""
    groups = pd.read_csv(package / "ethnic_groups.csv", dtype=str, keep_default_na=False)
    order = {g: i for i, g in enumerate(groups.sort_values("sort_order", key=lambda s: s.astype(int))["ethnic_group"])}
    stamp = {"year": YEAR, "period": PERIOD, "source_id": SOURCE_ID, "status": "published", "note": ""}

    boroughs = set(pd.read_csv(package / "boroughs.csv", dtype=str)["gss_code"])
    counts = read_ts021(ltla, groups)
    counts = counts[counts["gss_code"].isin(boroughs)]
    if counts.empty:
        raise ImportError_(f"{ltla}:-:{CODE}: no row is a borough of this package")
    population = pd.read_csv(package / "population.csv", dtype=str, keep_default_na=False)
    keep = population[~population["gss_code"].isin(set(counts["gss_code"]))]
    new = counts.drop(columns="name").assign(**stamp).astype(str)
    out = pd.concat([keep, new], ignore_index=True)[population.columns]
    out = out.sort_values(["gss_code", "year", "ethnic_group"], key=lambda s: s.map(order) if s.name == "ethnic_group" else s)
    _write(out, package / "population.csv")

    england = read_ts021(country, groups)
    england = england[england["gss_code"] == ENGLAND]
    if england.empty:
        raise ImportError_(f"{country}:-:{CODE}: no row for England ({ENGLAND})")
    area = england.rename(columns={"gss_code": "area_code", "name": "area"}).assign(**stamp).astype(str)
    columns = list(pd.read_csv(package / "area_population.csv", nrows=0).columns)
    _write(area.sort_values("ethnic_group", key=lambda s: s.map(order))[columns], package / "area_population.csv")

    sources = pd.read_csv(package / "sources.csv", dtype=str, keep_default_na=False)
    if SOURCE_ID not in set(sources["source_id"]):
        sources = pd.concat([sources, pd.DataFrame([SOURCE])], ignore_index=True)
        _write(sources, package / "sources.csv")
    return len(new), len(area)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import ONS Census 2021 TS021 ethnic-group counts into a package.")
    parser.add_argument("--package", type=Path, default=Path("data/nel"))
    parser.add_argument("--ltla", type=Path, default=LTLA_FILE, help="census2021-ts021-ltla.csv")
    parser.add_argument("--country", type=Path, default=COUNTRY_FILE, help="census2021-ts021-ctry.csv")
    parser.add_argument("--release", metavar="SUMMARY", default=None,
                        help="append a row to the release log with this one-line summary, if any row changed")
    args = parser.parse_args(argv)
    if args.release is not None and not args.release.strip():
        parser.error("--release needs a one-line summary in plain words")
    before = releases.snapshot(args.package) if args.release is not None else None
    try:
        boroughs, england = import_into(args.package, args.ltla, args.country)
    except (ImportError_, OSError) as exc:
        print(exc)
        return 1
    print(f"imported {boroughs} borough rows and {england} England rows into {args.package}; "
          f"run python -m data.validate {args.package}")
    if before is not None:
        release = releases.append_release(args.package, args.release, before=before)
        print(f"release {release.release_id} added to the release log" if release else "no row changed: no release logged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
