"""Import ONS Census 2021 TS021 (ethnic group) local-authority counts into population.csv.

Input: the bulk file's LTLA CSV (``census2021-ts021-ltla.csv`` inside ``census2021-ts021.zip``)
with the columns ``date, geography, geography code, Ethnic group: Total: All usual residents``,
the five high-level groups (``Ethnic group: Asian, Asian British or Asian Welsh`` ...) and their
detailed groups. Rows for the package's boroughs replace the population rows for those boroughs
(published or illustrative), as ONS's own table is the primary source.

    python -m data.importers.census_ts021 census2021-ts021-ltla.csv --package data/nel
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pandas as pd

TOTAL = "Ethnic group: Total: All usual residents"
HIGH_LEVEL = {
    "asian": "Ethnic group: Asian, Asian British or Asian Welsh",
    "black": "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Ethnic group: Mixed or Multiple ethnic groups",
    "white": "Ethnic group: White",
    "other": "Ethnic group: Other ethnic group",
}
CODE = "geography code"
SOURCE = {
    "source_id": "ons-ts021", "title": "Census 2021: TS021 Ethnic group (local authorities)",
    "publisher": "Office for National Statistics", "url": "https://www.nomisweb.co.uk/sources/census_2021_bulk",
    "licence": "Open Government Licence v3.0", "grade": "primary",
    "note": "Bulk file census2021-ts021.zip, member census2021-ts021-ltla.csv.",
}
PERIOD = "Census 2021 (21 March 2021)"


class ImportError_(ValueError):
    """The input file is not in the TS021 layout; the message names the file, line and column."""


def read_ts021(path: Path) -> pd.DataFrame:
    """Long frame: gss_code, ethnic_group, count (high-level groups), checked against the total."""
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportError_(f"{path}:-:-: cannot read the file as a UTF-8 CSV ({exc})") from exc
    missing = [c for c in (CODE, TOTAL, *HIGH_LEVEL.values()) if c not in frame.columns]
    if missing:
        raise ImportError_(f"{path}:1:{missing[0]}: missing column: this is not the TS021 local-authority layout")
    rows = []
    for i, r in frame.iterrows():
        line = i + 2
        counts = {}
        for group, column in [("total", TOTAL), *HIGH_LEVEL.items()]:
            value = r[column].strip()
            if not value.isdigit():
                raise ImportError_(f"{path}:{line}:{column}: expected a whole number, found {value[:30]!r}")
            counts[group] = int(value)
        if sum(counts[g] for g in HIGH_LEVEL) != counts["total"]:
            raise ImportError_(f"{path}:{line}:{TOTAL}: the five groups add up to "
                               f"{sum(counts[g] for g in HIGH_LEVEL)}, not the total {counts['total']}")
        for group in HIGH_LEVEL:
            rows.append({"gss_code": r[CODE].strip(), "ethnic_group": group, "count": counts[group]})
    return pd.DataFrame(rows, columns=["gss_code", "ethnic_group", "count"])


def import_into(path: Path, package: Path, retrieved: str) -> int:
    """Replace population rows for the package's boroughs found in the file; returns rows written."""
    counts = read_ts021(path)
    boroughs = set(pd.read_csv(package / "boroughs.csv", dtype=str)["gss_code"])
    counts = counts[counts["gss_code"].isin(boroughs)]
    if counts.empty:
        raise ImportError_(f"{path}:-:{CODE}: no row is a borough of this package")
    population = pd.read_csv(package / "population.csv", dtype=str, keep_default_na=False)
    keep = population[~population["gss_code"].isin(set(counts["gss_code"]))]
    new = counts.assign(year="2021", period=PERIOD, source_id=SOURCE["source_id"], status="published", note="")
    out = pd.concat([keep, new.astype(str)], ignore_index=True)[population.columns]
    out = out.sort_values(["gss_code", "ethnic_group", "year"])
    out.to_csv(package / "population.csv", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)

    sources = pd.read_csv(package / "sources.csv", dtype=str, keep_default_na=False)
    if SOURCE["source_id"] not in set(sources["source_id"]):
        sources = pd.concat([sources, pd.DataFrame([{**SOURCE, "date_retrieved": retrieved}])], ignore_index=True)
        sources[list(pd.read_csv(package / "sources.csv", nrows=0).columns)].to_csv(
            package / "sources.csv", index=False, lineterminator="\n")
    return len(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import ONS Census 2021 TS021 local-authority counts.")
    parser.add_argument("csv", type=Path, help="census2021-ts021-ltla.csv")
    parser.add_argument("--package", type=Path, default=Path("data/nel"))
    parser.add_argument("--retrieved", default=pd.Timestamp.today().strftime("%Y-%m-%d"), help="date the file was downloaded")
    args = parser.parse_args(argv)
    try:
        n = import_into(args.csv, args.package, args.retrieved)
    except ImportError_ as exc:
        print(exc)
        return 1
    print(f"imported {n} rows into {args.package / 'population.csv'}; run python -m data.validate {args.package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
