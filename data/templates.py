"""Templates for publishers, generated from the canonical schema and the current package, never by hand:
``python -m data.templates --output build/templates [--package data/nel]`` (``make templates``).

For every table a partner supplies: a CSV template (the header and one example row, marked as an
example in its note), a data dictionary (column, meaning, type, required, allowed values, example),
and one Excel workbook with a sheet per table, drop-down lists for coded columns (organisation, staff
group, indicator, domain, stage, status, progress...) and the dictionaries. Columns, types, allowed
values and codes come from data/schema.json and the package, so the templates cannot drift from them.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from data import schema as canonical_schema
from data.checks import TYPE_WORDS
from data.reproducible import FIXED_TIME, rezip
from data.submission import EXAMPLE_MARK

# The tables a partner supplies, in the order of the workbook's sheets.
PARTNER_TABLES = ("workforce", "wres", "remi", "commitments", "actions", "sources")
WORKBOOK_NAME = "nel-submission-template.xlsx"
EXAMPLE_NOTE = f"{EXAMPLE_MARK}: replace it with your own figures or delete it."
EXAMPLE_SOURCE = "example-annual-report"
EXAMPLE_DATE = "2025-03-31"
MAX_LISTED_CODES = 40
VALIDATED_ROWS = 2000  # drop-downs apply to this many rows of each sheet

# Example values where a type alone gives no sensible one; every other column's example comes from the
# schema (its first allowed value, or the first code in the table it refers to).
EXAMPLE_VALUES = {
    "gm_headcount": "120", "total_headcount": "400", "gm_percent": "",
    "indicator": "5", "group": "global_majority", "value": "27.5", "unit": "percent",
    "numerator": "110", "denominator": "400", "stage": "3", "progress": "in progress",
    "source_id": EXAMPLE_SOURCE, "url": "https://example.org/annual-report-2025.pdf",
    "title": "EXAMPLE: the title of your published report or board paper",
    "publisher": "EXAMPLE: your organisation", "licence": "Open Government Licence v3.0",
    "grade": "primary", "ods_code": "R1H",
    "evidence": "EXAMPLE: what shows this progress (a report, a decision, figures)",
    "you_said": "EXAMPLE: what staff or residents said", "we_did": "EXAMPLE: what was done together in response",
    "action_id": "example-1",
}
PERIODS = {"workforce": "31 March {year}", "wres": "WRES {year}", "remi": "Self-assessment {year}"}
TYPE_NAMES = {"string": "text", **TYPE_WORDS}
PATTERN_WORDS = {"https?://[^\\s]+": "a web address starting http:// or https://",
                 "[a-z0-9-]+": "lower-case letters, digits and hyphens",
                 "[A-Z0-9]{3,5}": "3 to 5 capital letters or digits", "E09[0-9]{6}": "E09 and six digits"}


def fields(table: str) -> list[dict]:
    return canonical_schema.resources()[table]["schema"]["fields"]


def _foreign_keys(table: str) -> dict[str, tuple[str, str]]:
    return {fk["fields"]: (fk["reference"]["resource"], fk["reference"]["fields"])
            for fk in canonical_schema.resources()[table]["schema"].get("foreignKeys", [])}


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def coded_values(table: str, column: str, tables: Mapping[str, pd.DataFrame]) -> list[str] | None:
    """The allowed values of a coded column: the schema's enum, or the codes in the table it refers to."""
    spec = next(f for f in fields(table) if f["name"] == column)
    cons = spec.get("constraints", {})
    if "enum" in cons:
        return [str(v) for v in cons["enum"]]
    if spec.get("type") == "boolean":
        return ["true", "false"]
    ref = _foreign_keys(table).get(column)
    if ref and ref[0] != table and ref[0] in tables and ref[1] in tables[ref[0]]:
        values = [_text(v) for v in tables[ref[0]][ref[1]].tolist()]
        return list(dict.fromkeys(v for v in values if v))
    return None


def example_row(table: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """One example row that passes every check except 'this is the example row'."""
    row = {}
    year = _example_year(table, tables)
    frame = tables.get(table)
    first = frame.iloc[0] if frame is not None and len(frame) else None
    for f in fields(table):
        name, ftype, cons = f["name"], f.get("type", "string"), f.get("constraints", {})
        codes = coded_values(table, name, tables)
        if name == "note":
            value = EXAMPLE_NOTE
        elif name == "year":
            value = year
        elif name == "period":
            value = PERIODS.get(table, "{year}").format(year=year)
        elif name in EXAMPLE_VALUES and (codes is None or EXAMPLE_VALUES[name] in codes or name == "source_id"):
            value = EXAMPLE_VALUES[name]
        elif codes:
            value = codes[0]
        elif ftype == "date":
            value = EXAMPLE_DATE
        elif ftype in ("integer", "number"):
            value = str(cons.get("minimum", 0)) if cons.get("required") else ""
        elif cons.get("required") and first is not None and _text(first.get(name)):
            value = _text(first.get(name))  # e.g. a commitment's id and wording: a submission updates its progress
        elif cons.get("required"):
            value = f"EXAMPLE: {f.get('description', name)}"
        else:
            value = ""
        row[name] = value
    if table == "sources":
        row["source_id"] = EXAMPLE_SOURCE
    return row


def _example_year(table: str, tables: Mapping[str, pd.DataFrame]) -> str:
    frame = tables.get(table)
    if frame is not None and "year" in frame and frame["year"].notna().any():
        return str(int(frame["year"].max()) + 1)
    return "2025"


def allowed_text(table: str, column: str, tables: Mapping[str, pd.DataFrame]) -> str:
    spec = next(f for f in fields(table) if f["name"] == column)
    cons = spec.get("constraints", {})
    parts = []
    codes = coded_values(table, column, tables)
    ref = _foreign_keys(table).get(column)
    if codes is not None:
        listed = ", ".join(codes[:MAX_LISTED_CODES]) + (", …" if len(codes) > MAX_LISTED_CODES else "")
        if ref is None or "enum" in cons or spec.get("type") == "boolean":
            parts.append(f"one of: {listed}")
        else:
            parts.append(f"a code in {canonical_schema.resources()[ref[0]]['path']}: {listed}")
    elif ref:
        parts.append(f"a {ref[1]} in {canonical_schema.resources()[ref[0]]['path']}")
    if "pattern" in cons:
        parts.append(PATTERN_WORDS.get(cons["pattern"], f"text matching {cons['pattern']}"))
    if "minimum" in cons and "maximum" in cons:
        parts.append(f"from {cons['minimum']} to {cons['maximum']}")
    elif "minimum" in cons:
        parts.append(f"{cons['minimum']} or more")
    elif "maximum" in cons:
        parts.append(f"{cons['maximum']} or less")
    if cons.get("unique"):
        parts.append("each value once")
    return "; ".join(parts)


DICTIONARY_COLUMNS = ["column", "meaning", "type", "required", "allowed values", "example"]


def dictionary(table: str, tables: Mapping[str, pd.DataFrame]) -> list[dict[str, str]]:
    example = example_row(table, tables)
    key = canonical_schema.resources()[table]["schema"].get("primaryKey", [])
    out = []
    for f in fields(table):
        name = f["name"]
        meaning = f.get("description", "")
        if name in key:
            meaning += " Part of the row's key: a row with the same key replaces the published one."
        out.append({"column": name, "meaning": meaning.strip(), "type": TYPE_NAMES.get(f.get("type", "string"), "text"),
                    "required": "yes" if f.get("constraints", {}).get("required") else "no",
                    "allowed values": allowed_text(table, name, tables), "example": example[name]})
    return out


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def template_csv(table: str, tables: Mapping[str, pd.DataFrame]) -> bytes:
    example = example_row(table, tables)
    names = [f["name"] for f in fields(table)]
    return _csv([names, [example[n] for n in names]])


def dictionary_csv(table: str, tables: Mapping[str, pd.DataFrame]) -> bytes:
    return _csv([DICTIONARY_COLUMNS] + [[r[c] for c in DICTIONARY_COLUMNS] for r in dictionary(table, tables)])


def rows_csv(table: str, rows: list[Mapping[str, str]]) -> bytes:
    names = [f["name"] for f in fields(table)]
    return _csv([names] + [[str(r.get(n, "")) for n in names] for r in rows])


ABOUT_LINES = [
    "NEL Race Equity Dashboard: annual submission workbook",
    "",
    "One sheet per table. Row 1 is the header: do not rename, reorder or delete columns.",
    "Row 2 of each sheet is an EXAMPLE row: replace it with your own figures or delete it.",
    "Coded columns (organisation, staff group, indicator, domain, stage, status, progress...) have drop-down lists.",
    "Type values, never formulas: a workbook with formulas or macros is refused. Leave a sheet empty if you have nothing for it.",
    "Every figure needs a source (the sources sheet): a row is published only if its source has a URL or a document title.",
    "Staff counts from 1 to 4 are never shown on the dashboard: give the true counts, the dashboard withholds them.",
    "The 'dictionary' sheet explains every column. Check the filled workbook on the dashboard's /contribute page before you send it.",
]


def workbook(tables: Mapping[str, pd.DataFrame], table_names: Sequence[str] = PARTNER_TABLES,
             rows: Mapping[str, list[Mapping[str, str]]] | None = None) -> bytes:
    """The submission workbook: an About sheet, a sheet per table (the example row, or ``rows``),
    drop-down lists for coded columns, the data dictionary, and the hidden lists the drop-downs use."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    about = wb.active
    about.title = "about"
    for i, line in enumerate(ABOUT_LINES, start=1):
        about.cell(row=i, column=1, value=line).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
    about.column_dimensions["A"].width = 120
    lists = wb.create_sheet("lists")
    list_col = 0
    for table in table_names:
        ws = wb.create_sheet(table)
        _fill_table_sheet(ws, table, rows.get(table, []) if rows is not None else [example_row(table, tables)], rows is None)
        list_col = _add_drop_downs(ws, lists, list_col, table, tables)
    lists.sheet_state = "hidden"
    _fill_dictionary_sheet(wb.create_sheet("dictionary"), table_names, tables)
    wb.move_sheet("dictionary", offset=-(len(wb.sheetnames) - 2))
    wb.properties.created = wb.properties.modified = datetime.datetime(*FIXED_TIME)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not openpyxl's save_workbook, which stamps the time of saving
    return rezip(buf.getvalue())


def _fill_table_sheet(ws: Any, table: str, body: list[Mapping[str, str]], example: bool) -> None:
    """A table's sheet: the header, then the rows (in grey italics when they are the example row)."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, example_font = Font(bold=True), Font(italic=True, color="595959")
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    names = [f["name"] for f in fields(table)]
    for c, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=c, value=name)
        cell.font, cell.fill = bold, header_fill
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(40, len(name) + 4))
    ws.freeze_panes = "A2"
    for r, row in enumerate(body, start=2):
        for c, name in enumerate(names, start=1):
            value = _cell_value(table, name, row.get(name, ""))
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type  # text stays text, never a formula
            if example:
                cell.font = example_font


def _add_drop_downs(ws: Any, lists: Any, list_col: int, table: str, tables: Mapping[str, pd.DataFrame]) -> int:
    """A drop-down list on each coded column of a table's sheet, its values in the next columns of the
    hidden lists sheet; returns the last lists column used."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for c, name in enumerate((f["name"] for f in fields(table)), start=1):
        codes = coded_values(table, name, tables)
        if not codes:
            continue
        list_col += 1
        letter = get_column_letter(list_col)
        lists.cell(row=1, column=list_col, value=f"{table}.{name}")
        for r, code in enumerate(codes, start=2):
            lists.cell(row=r, column=list_col, value=code).data_type = "s"
        open_list = name == "source_id"  # new sources are added on the sources sheet
        dv = DataValidation(type="list", formula1=f"=lists!${letter}$2:${letter}${len(codes) + 1}", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning" if open_list else "stop",
                            errorTitle="Not in the list",
                            error=("Add this source on the sources sheet." if open_list else
                                   "Choose a value from the drop-down list (see the dictionary sheet)."))
        dv.add(f"{get_column_letter(c)}2:{get_column_letter(c)}{VALIDATED_ROWS}")
        ws.add_data_validation(dv)
    return list_col


def _fill_dictionary_sheet(dic: Any, table_names: Sequence[str], tables: Mapping[str, pd.DataFrame]) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    r = 1
    for table in table_names:
        dic.cell(row=r, column=1, value=f"Sheet {table} ({canonical_schema.resources()[table]['path']})").font = Font(bold=True, size=13)
        r += 1
        for c, name in enumerate(DICTIONARY_COLUMNS, start=1):
            dic.cell(row=r, column=c, value=name).font = bold
        r += 1
        for entry in dictionary(table, tables):
            for c, name in enumerate(DICTIONARY_COLUMNS, start=1):
                dic.cell(row=r, column=c, value=entry[name]).data_type = "s"
            r += 1
        r += 1
    for letter, width in zip("ABCDEF", (18, 60, 14, 10, 50, 30), strict=True):
        dic.column_dimensions[letter].width = width


def _cell_value(table: str, column: str, text: str) -> int | float | str | None:
    """Numbers as numbers (so Excel does not flag them), everything else as text."""
    if text == "":
        return None
    ftype = next(f.get("type", "string") for f in fields(table) if f["name"] == column)
    try:
        if ftype == "integer":
            return int(text)
        if ftype == "number":
            return float(text)
    except ValueError:
        pass
    return text


def build_all(output: Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for table in PARTNER_TABLES:
        for path, data in ((output / f"{table}.csv", template_csv(table, tables)),
                           (output / f"{table}-dictionary.csv", dictionary_csv(table, tables))):
            path.write_bytes(data)
            written.append(path)
    book = output / WORKBOOK_NAME
    book.write_bytes(workbook(tables))
    written.append(book)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.templates", description="Build the publishers' templates.")
    parser.add_argument("--output", type=Path, default=Path("build/templates"))
    parser.add_argument("--package", default=str(canonical_schema.SHIPPED_PACKAGE),
                        help="the package whose codes fill the drop-downs (default: the shipped package)")
    args = parser.parse_args(argv)
    from data.package import load_package

    pkg = load_package(args.package)
    for p in pkg.problems[:5]:
        print(f"warning: {p}")
    written = build_all(args.output, pkg.tables)
    print(f"{len(written)} files written in {args.output}: " + ", ".join(p.name for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
