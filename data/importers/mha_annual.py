"""Import NHS England's Mental Health Act Statistics, Annual Figures 2023-24: detentions by broad ethnic group.

Input: the publication's data sheet as CSV, kept unchanged in ``data/raw/mha-2023-24/`` (SHA-256 in its
README). Columns ``Year, Measure, measureSubcategory, Demographic, DemographicBreakdown,
OrganisationBreakdown, Datasource, OrgID, OrgName, MHSDS_Count, Acute_Count, Total_Count, CrudeRate,
StdRate, Confidence_interval``.

Writes the ``outcomes.csv`` rows of the measure "All detentions" for NHS North East London ICB (QMF), the
other four London ICBs and England: every broad ethnic group's count and crude rate per 100,000, England's
age-standardised rate with its 95 % interval, and "Unknown" as a count only. Other outcomes' rows in the
file are kept. Running it again on the same file gives the same bytes.

    python -m data.importers.mha_annual data/raw/mha-2023-24/mha_annual_suppressed_2023_24.csv --package data/nel
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

RAW_FILE = Path(__file__).resolve().parents[1] / "raw" / "mha-2023-24" / "mha_annual_suppressed_2023_24.csv"
COLUMNS = ["Year", "Measure", "measureSubcategory", "Demographic", "DemographicBreakdown", "OrganisationBreakdown",
           "Datasource", "OrgID", "OrgName", "MHSDS_Count", "Acute_Count", "Total_Count", "CrudeRate", "StdRate",
           "Confidence_interval"]
OUT_COLUMNS = ["measure", "measure_name", "area_code", "area_name", "group", "group_label", "count", "rate",
               "rate_kind", "rate_per", "lower", "upper", "year", "period", "source_id", "status", "note"]
YEAR_AS_PUBLISHED = "2023/24"
MEASURE = "All detentions"
STAMP = {"measure": "mha_detentions", "measure_name": "Detentions under the Mental Health Act (all detentions)",
         "year": "2024", "period": "2023/24 (1 April 2023 to 31 March 2024)", "source_id": "nhse-mha-2023-24",
         "status": "published"}
ENGLAND = "E92000001"
# ODS code -> (name in the file, name shown). NEL first: the dashboard's own area.
ICBS = {
    "QMF": ("NHS NORTH EAST LONDON INTEGRATED CARE BOARD", "North East London ICB"),
    "QMJ": ("NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD", "North Central London ICB"),
    "QRV": ("NHS NORTH WEST LONDON INTEGRATED CARE BOARD", "North West London ICB"),
    "QKK": ("NHS SOUTH EAST LONDON INTEGRATED CARE BOARD", "South East London ICB"),
    "QWE": ("NHS SOUTH WEST LONDON INTEGRATED CARE BOARD", "South West London ICB"),
}
AREA_ORDER = [*ICBS, ENGLAND]
# The publisher's broad groups -> the package's ethnic_group ids ('all' and 'unknown' are this table's own).
GROUPS = {"Asian or Asian British": "asian", "Black or Black British": "black", "Mixed": "mixed", "White": "white",
          "Other Ethnic Groups": "other", "Unknown": "unknown"}
GROUP_ORDER = ["all", "asian", "black", "mixed", "white", "other", "unknown"]
ORG_BREAKDOWNS = {"All submissions", "ICB", "Sub ICB", "NHS Trust", "Independent Health Provider"}
# The one cell the copy is known to have edited (PROVENANCE: data row 1 reads 'h', not 'All submissions').
KNOWN_EDITS = {(2, "OrganisationBreakdown"): "h"}
WHOLE = re.compile(r"[0-9]+")
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
ENGLAND_ALL_NOTE = ("England's total counts every record sent to NHS England: {mhsds:,} from mental health services' data "
                    "(MHSDS) and {acute:,} from some hospitals' emergency care data (ECDS). The figures by ethnic group "
                    "count mental health services' records only.")
STANDARDISED_NOTE = "Age-standardised rate as NHS England publishes it; its 95% interval is published as plus or minus {ci}."


class ImportError_(ValueError):
    """The file is not in the layout expected; the message names the file, line and column."""


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


def _read(path: Path) -> list[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, [])
            for column in COLUMNS:
                if column not in header:
                    raise ImportError_(f"{path}:1:{column}: missing column: this is not the annual figures' layout")
            extra = [c for c in header if c not in COLUMNS]
            if extra:
                raise ImportError_(f"{path}:1:{extra[0]}: unexpected column (expected: {', '.join(COLUMNS)})")
            rows = []
            for record in reader:
                if len(record) != len(header):
                    raise ImportError_(f"{path}:{reader.line_num}:-: row has {len(record)} cells, the header {len(header)}")
                rows.append(Row(reader.line_num, dict(zip(header, record, strict=True))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportError_(f"{path}:-:-: cannot read the file as a UTF-8 CSV ({exc})") from exc
    return rows


def _check_cells(path: Path, rows: list[Row]) -> None:
    """Every row: the year, the organisation breakdown and the number columns as the publication has them."""
    for row in rows:
        c = row.cells
        if c["Year"] != YEAR_AS_PUBLISHED:
            raise ImportError_(f"{path}:{row.line}:Year: expected {YEAR_AS_PUBLISHED}, found {c['Year'][:30]!r}")
        org = c["OrganisationBreakdown"]
        if org not in ORG_BREAKDOWNS and KNOWN_EDITS.get((row.line, "OrganisationBreakdown")) != org:
            raise ImportError_(f"{path}:{row.line}:OrganisationBreakdown: unknown value {org[:30]!r}")
        for column, form, words in (("MHSDS_Count", WHOLE, "a whole number"), ("Acute_Count", WHOLE, "a whole number"),
                                    ("Total_Count", WHOLE, "a whole number"), ("CrudeRate", NUMBER, "a number"),
                                    ("StdRate", NUMBER, "a number"), ("Confidence_interval", NUMBER, "a number")):
            if c[column] and not form.fullmatch(c[column]):
                raise ImportError_(f"{path}:{row.line}:{column}: expected {words} or an empty cell, found {c[column][:30]!r}")


def _area(row: Row) -> str | None:
    """The area a row of "All detentions" is for, if the import wants it: an ICB of ICBS or England."""
    c = row.cells
    if c["OrganisationBreakdown"] == "ICB" and c["OrgID"] in ICBS:
        return c["OrgID"]
    if c["OrganisationBreakdown"] == "All submissions" and c["OrgID"] == "All prov":
        # England's total is all submissions (MHSDS and ECDS); its rows by ethnic group are MHSDS only.
        wanted = "Both" if c["Demographic"] == "All" else "MHSDS"
        return ENGLAND if c["Datasource"] == wanted else None
    return None


def _group(row: Row) -> str | None:
    c = row.cells
    if c["Measure"] != MEASURE or c["measureSubcategory"] != "All":
        return None
    if c["Demographic"] == "All" and c["DemographicBreakdown"] == "All":
        return "all"
    return GROUPS.get(c["DemographicBreakdown"]) if c["Demographic"] == "Ethnicity" else None


def select(path: Path, rows: list[Row]) -> dict[tuple[str, str], Row]:
    """(area, group) -> its one row; every area of AREA_ORDER must have every group."""
    found: dict[tuple[str, str], Row] = {}
    for row in rows:
        group, area = _group(row), _area(row)
        if group is None or area is None:
            continue
        if (area, group) in found:
            raise ImportError_(f"{path}:{row.line}:DemographicBreakdown: a second row for {area} {group!r} "
                               f"(the first is on line {found[area, group].line})")
        if area in ICBS and row.cells["OrgName"] != ICBS[area][0]:
            raise ImportError_(f"{path}:{row.line}:OrgName: expected {ICBS[area][0]!r} for {area}, "
                               f"found {row.cells['OrgName'][:60]!r}")
        found[area, group] = row
    for area in AREA_ORDER:
        for group in GROUP_ORDER:
            if (area, group) not in found:
                raise ImportError_(f"{path}:-:DemographicBreakdown: no row of {MEASURE!r} for {area}, group {group!r}")
    return found


def _need(path: Path, row: Row, column: str, present: bool) -> str:
    value = row.cells[column]
    if present and not value:
        raise ImportError_(f"{path}:{row.line}:{column}: expected a value, found an empty cell")
    if not present and value:
        raise ImportError_(f"{path}:{row.line}:{column}: expected an empty cell, found {value[:30]!r}")
    return value


def _rows_for(path: Path, area: str, group: str, row: Row) -> list[dict[str, str]]:
    """The outcome rows of one area and group: crude (count only for 'unknown'), and England's standardised."""
    c = row.cells
    name = ICBS[area][1] if area in ICBS else "England"
    label = "All" if group == "all" else c["DemographicBreakdown"]
    count = _need(path, row, "Total_Count", True)
    if area in ICBS and int(count) % 5:
        raise ImportError_(f"{path}:{row.line}:Total_Count: expected a count rounded to 5, found {count}")
    base = {**STAMP, "area_code": area, "area_name": name, "group": group, "group_label": label, "count": count,
            "rate": "", "rate_kind": "", "rate_per": "", "lower": "", "upper": "", "note": ""}
    if group == "unknown":
        _need(path, row, "CrudeRate", False)
        return [base]
    crude = {**base, "rate": _need(path, row, "CrudeRate", True), "rate_kind": "crude", "rate_per": "100000"}
    if area == ENGLAND and group == "all":
        crude["note"] = ENGLAND_ALL_NOTE.format(mhsds=int(_need(path, row, "MHSDS_Count", True)),
                                                acute=int(_need(path, row, "Acute_Count", True)))
    with_std = area == ENGLAND and group != "all"
    std, ci = _need(path, row, "StdRate", with_std), _need(path, row, "Confidence_interval", with_std)
    if not with_std:
        return [crude]
    low, high = Decimal(std) - Decimal(ci), Decimal(std) + Decimal(ci)
    standardised = {**base, "count": "", "rate": std, "rate_kind": "standardised", "rate_per": "100000",
                    "lower": f"{low:.1f}", "upper": f"{high:.1f}", "note": STANDARDISED_NOTE.format(ci=ci)}
    return [crude, standardised]


def _check_sums(path: Path, found: dict[tuple[str, str], Row]) -> None:
    """Each ICB's groups add up to its total, within the rounding of each count to 5."""
    for area in ICBS:
        parts = sum(int(found[area, g].cells["Total_Count"]) for g in GROUP_ORDER if g != "all")
        total = found[area, "all"]
        if abs(parts - int(total.cells["Total_Count"])) > 5 * (len(GROUP_ORDER) - 1):
            raise ImportError_(f"{path}:{total.line}:Total_Count: {area}'s ethnic groups add up to {parts}, "
                               f"not about {total.cells['Total_Count']}")


def read_detentions(path: Path) -> pd.DataFrame:
    """The outcome rows (OUT_COLUMNS, all text) for the ICBs and England, in area and group order."""
    rows = _read(path)
    _check_cells(path, rows)
    found = select(path, rows)
    _check_sums(path, found)
    out = [r for area in AREA_ORDER for group in GROUP_ORDER for r in _rows_for(path, area, group, found[area, group])]
    return pd.DataFrame(out, columns=OUT_COLUMNS)


SOURCE = {
    "source_id": STAMP["source_id"], "title": "Mental Health Act Statistics, Annual Figures 2023-24",
    "publisher": "NHS England",
    "url": ("https://github.com/Dibya-Shrestha/Mental_Health_Detention_Dashboard/blob/"
            "ae9df5b17a55e46768f02bdfa328b8cacfeb2352/mha_annual_suppressed_2023_24%20(version%201).xlsx"),
    "licence": "As published by NHS England (its statistics are normally released under the Open Government Licence "
               "v3.0; the copy states no licence)",
    "date_retrieved": "2026-12-07", "grade": "github-copy",
    "note": ("NHS England's data file, read from a public copy of its workbook on GitHub (the link); an exact copy of "
             "its data sheet is kept with the dashboard's code. One cell of the copy was edited, in a row not used "
             "here, and withheld cells are empty. Counts below England level are rounded to the nearest 5."),
}


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def import_into(package: Path, path: Path = RAW_FILE) -> int:
    """Replace the package's rows of this measure and period with the file's; returns the number of rows."""
    new = read_detentions(path)
    target = package / "outcomes.csv"
    old = pd.read_csv(target, dtype=str, keep_default_na=False) if target.exists() else pd.DataFrame(columns=OUT_COLUMNS)
    mine = (old["measure"] == STAMP["measure"]) & (old["year"] == STAMP["year"]) & (old["source_id"] == STAMP["source_id"])
    _write(pd.concat([old[~mine], new], ignore_index=True)[OUT_COLUMNS], target)
    sources = pd.read_csv(package / "sources.csv", dtype=str, keep_default_na=False)
    if SOURCE["source_id"] not in set(sources["source_id"]):
        _write(pd.concat([sources, pd.DataFrame([SOURCE])], ignore_index=True), package / "sources.csv")
    return len(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import NHS England's Mental Health Act annual figures "
                                                 "(detentions by ethnic group) into a package.")
    parser.add_argument("file", type=Path, nargs="?", default=RAW_FILE, help="mha_annual_suppressed_2023_24.csv")
    parser.add_argument("--package", type=Path, default=Path("data/nel"))
    args = parser.parse_args(argv)
    try:
        count = import_into(args.package, args.file)
    except (ImportError_, OSError) as exc:
        print(exc)
        return 1
    print(f"imported {count} outcome rows into {args.package / 'outcomes.csv'}; run python -m data.validate {args.package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
