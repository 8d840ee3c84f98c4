"""A publisher's uploaded file, read from bytes (never from disk) into :class:`Part` objects: one table's
rows each, with the row number the publisher sees.

A submission is CSV files named after their tables, a filled workbook (.xlsx, one sheet per table, as
made by ``data.templates``) or a zipped package. Hostile uploads raise :class:`Refused` with a
plain-English reason before anything is parsed: a zip with paths outside the package, a zip that
expands far beyond its size, an encrypted zip, a workbook with macros or formulas. Text in cells is
kept as text: it is only ever shown escaped. Merging the parts is ``data.submission``.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from data import schema as canonical_schema
from data.checks import Problem, decode_csv, header_problems, parse_csv, rows_of_header_width
from data.package import MANIFEST
from data.submission_limits import MAX_EXPANDED_BYTES, MAX_SUBMISSION_ROWS, MAX_WORKBOOK_EXPANDED_BYTES

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MB        # the app's server.maxUploadSize; the CLI allows the loader's own limit
MAX_EXPANSION_RATIO = 200         # uncompressed / compressed: CSV and XML compress about 5 to 20 times
MAX_ZIP_ENTRIES = 500
TOO_BIG = "far more than a year's figures for every organisation: split it, or send it to the ICB's data team."
HELPER_SHEETS = {"about", "dictionary", "lists"}  # the template workbook's own sheets, not tables


class Refused(Exception):
    """The whole upload is refused (hostile or unreadable); the message is for the publisher."""


@dataclass
class Part:
    """One table's rows from one submitted file (or workbook sheet)."""
    table: str
    label: str                      # "workforce.csv", "figures.xlsx sheet workforce", "nel.zip/wres.csv"
    header: list[str]
    rows: list[list[str]]
    lines: list[int]                # the row number the publisher sees (CSV line or sheet row)
    letters: dict[str, str] = field(default_factory=dict)  # column name -> spreadsheet letter (workbooks)

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, r, strict=True)) for r in self.rows]


def table_for(name: str) -> str | None:
    """The resource a file or sheet name stands for: workforce.csv, Workforce, WRES.CSV..."""
    base = posixpath.basename(name.replace("\\", "/")).strip().lower()
    stem = base[:-4] if base.endswith(".csv") else base
    for res_name, res in canonical_schema.resources().items():
        if stem == res_name.lower() or base == res["path"].lower():
            return res_name
    return None


def _tables_hint() -> str:
    return ", ".join(r["path"] for r in canonical_schema.resources().values())


def read_upload(name: str, data: bytes, limit: int = MAX_UPLOAD_BYTES) -> tuple[list[Part], list[Problem]]:
    """Parts and problems from one uploaded file; raises Refused for a file that must not be read."""
    lower = name.lower()
    if len(data) > limit:
        raise Refused(f"{name} is {len(data) / MB:.1f} MB: the limit is {limit // MB} MB per file.")
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xla", ".xlam")):
        raise Refused(f"{name} is a workbook type that can hold macros: save it as an Excel workbook (.xlsx) "
                      "and upload that.")
    if lower.endswith(".xls"):
        raise Refused(f"{name} is an old Excel file (.xls): save it as an Excel workbook (.xlsx) and upload that.")
    if lower.endswith(".zip"):
        return read_zip(name, data)
    if lower.endswith(".xlsx"):
        return read_workbook(name, data)
    if lower.endswith(".csv"):
        if len(data) > MAX_EXPANDED_BYTES:
            raise Refused(f"{name} is {len(data) / MB:,.1f} MB of figures (the limit is {MAX_EXPANDED_BYTES // MB} MB): "
                          f"{TOO_BIG} Nothing was read.")
        _count_rows(name, data.count(b"\n"))
        return read_csv(name, data)
    raise Refused(f"{name} is not a CSV file, an Excel workbook (.xlsx) or a zip: those are the files this page reads.")


# ---------------------------------------------------------------------------------------------
# CSV files


def _count_rows(name: str, rows: int) -> int:
    """Refuse a file with more lines than MAX_SUBMISSION_ROWS, counted before anything is parsed."""
    if rows > MAX_SUBMISSION_ROWS:
        raise Refused(f"{name} holds more than {MAX_SUBMISSION_ROWS:,} rows: {TOO_BIG} Nothing was read.")
    return rows


def _binary(data: bytes) -> bool:
    head = data[:4096]
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x7fELF", b"MZ")) or b"\x00" in head


def read_csv(name: str, data: bytes) -> tuple[list[Part], list[Problem]]:
    table = table_for(name)
    if table is None:
        return [], [Problem(name, None, None, f"not a table of this package: name the file after its table ({_tables_hint()})")]
    if _binary(data):
        return [], [Problem(name, None, None, "this is not a CSV file (it holds binary data): export the sheet as "
                                              "'CSV UTF-8' and upload that")]
    text, problems = decode_csv(name, data)
    if text is None:
        return [], problems
    header, rows, lines, problems = parse_csv(name, text)
    return _part(table, name, header, rows, lines, problems)


def _part(table: str, label: str, header: list[str], rows: list[list[str]], lines: list[int],
          problems: list[Problem], letters: dict[str, str] | None = None) -> tuple[list[Part], list[Problem]]:
    """Check the header and row widths (as the loader does) and keep the rows that can be merged."""
    names = [f["name"] for f in canonical_schema.resources()[table]["schema"]["fields"]]
    problems += header_problems(label, header, names)
    good_rows, good_lines, width_problems = rows_of_header_width(label, header, rows, lines)
    problems += width_problems
    if not header:
        return [], problems
    return [Part(table, label, list(header), good_rows, good_lines, letters or {})], problems


# ---------------------------------------------------------------------------------------------
# Zips (a zipped package, and the container of a workbook)


def _safe_member(path: str) -> bool:
    if not path or "\\" in path or path.startswith("/") or re.match(r"^[A-Za-z]:", path) or "\x00" in path:
        return False
    norm = posixpath.normpath(path)
    return not (norm == ".." or norm.startswith("../") or "/../" in norm)


def _open_zip(name: str, data: bytes, what: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(f"{name} is not a valid {what} ({exc.__class__.__name__}): it could not be opened.") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused(f"{name} holds {len(infos)} files: more than the {MAX_ZIP_ENTRIES} a {what} needs. Nothing was read.")
    for info in infos:
        if not _safe_member(info.filename):
            raise Refused(f"{name} holds a file whose path leads outside the package ({info.filename[:80]!r}). "
                          "Nothing was read.")
        if info.flag_bits & 0x1:
            raise Refused(f"{name} is encrypted (password protected): upload it without a password.")
    expanded = sum(i.file_size for i in infos)
    limit = MAX_WORKBOOK_EXPANDED_BYTES if what == "workbook" else MAX_EXPANDED_BYTES
    if expanded > limit or expanded > MAX_EXPANSION_RATIO * max(len(data), 1):
        raise Refused(f"{name} would expand to {expanded / MB:,.1f} MB from {len(data) / MB:,.2f} MB (the limit is "
                      f"{limit // MB} MB): {TOO_BIG} Nothing was read.")
    return zf


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:  # the header understated the size: a crafted bomb
        raise Refused(f"{name} holds a file larger than it declares ({info.filename[:80]!r}). Nothing was read.")
    return data


def read_zip(name: str, data: bytes) -> tuple[list[Part], list[Problem]]:
    zf = _open_zip(name, data, "zip")
    parts: list[Part] = []
    problems: list[Problem] = []
    rows = 0
    try:
        for info in zf.infolist():
            if info.is_dir():
                continue
            base = posixpath.basename(info.filename)
            if base == MANIFEST or base.startswith(".") or "__MACOSX" in info.filename or base.lower().endswith((".md", ".txt")):
                continue  # the manifest and notes: the canonical schema is what counts
            label = f"{name}/{info.filename}"
            if not base.lower().endswith(".csv"):
                problems.append(Problem(label, None, None, "not read: a package holds CSV files only"))
                continue
            try:
                member = _read_member(zf, info, name)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise Refused(f"{name} could not be read ({exc.__class__.__name__}). Nothing was read.") from None
            rows = _count_rows(name, rows + member.count(b"\n"))
            p, q = read_csv(label, member)
            parts += p
            problems += q
    except Exception:
        zf.close()
        raise
    zf.close()
    if not parts and not problems:
        problems.append(Problem(name, None, None, f"the zip holds no table of this package ({_tables_hint()})"))
    return parts, problems


# ---------------------------------------------------------------------------------------------
# Workbooks (.xlsx)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _refuse_macros(name: str, data: bytes) -> None:
    zf = _open_zip(name, data, "workbook")
    members = [i.filename.lower() for i in zf.infolist()]
    zf.close()
    if any(m.endswith("vbaproject.bin") or "/activex/" in m or m.endswith(".bin") and "vba" in m for m in members):
        raise Refused(f"{name} contains macros: this page does not open workbooks with macros. Copy the sheets "
                      "into the template workbook (.xlsx) and upload that.")


def _open_workbook(name: str, data: bytes) -> Any:
    import openpyxl  # a runtime requirement; imported here so the CLI and the loader start fast

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 (any failure to open is the same answer for the publisher)
        raise Refused(f"{name} could not be opened as an Excel workbook ({exc.__class__.__name__}). Save it from "
                      "Excel as .xlsx and upload it again.") from None


def _refuse_formula(name: str, title: str, cell: Any) -> None:
    data_type = getattr(cell, "data_type", None)
    if data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=") and data_type != "s"):
        where = getattr(cell, "coordinate", "?")
        raise Refused(f"{name} has a formula in sheet {title}, cell {where}: this page reads values only. "
                      "Copy the cells and paste them as values (Paste Special, Values), then upload again.")


def _sheet_rows(name: str, title: str, ws: Any, before: int = 0) -> tuple[list[str], list[list[str]], list[int], dict[str, str]]:
    """A sheet's header, its data rows (padded to the header), their sheet row numbers and the header's
    column letters; raises Refused for a formula or for more rows (with ``before``, the rows of the workbook's
    sheets read so far) than a submission holds."""
    from openpyxl.utils import get_column_letter

    header: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    letters: dict[str, str] = {}
    for n, row in enumerate(ws.iter_rows(), start=1):
        if before + n > MAX_SUBMISSION_ROWS:
            _count_rows(name, before + n)
        cells = list(row)
        for cell in cells:
            _refuse_formula(name, title, cell)
        values = [_cell_text(c.value) for c in cells]
        while values and values[-1] == "":
            values.pop()
        if not values or not any(v.strip() for v in values):
            continue
        row_number = getattr(cells[0], "row", None) or n
        if not header:
            header = [v.strip() for v in values]
            letters = {col: get_column_letter(i + 1) for i, col in enumerate(header)}
            continue
        if len(values) < len(header):
            values += [""] * (len(header) - len(values))
        rows.append(values)
        lines.append(row_number)
    return header, rows, lines, letters


def _read_sheet(name: str, ws: Any, before: int) -> tuple[list[Part], list[Problem]]:
    title = str(ws.title)
    label = f"{name} sheet {title}"
    table = table_for(title)
    if table is None:
        return [], [Problem(label, None, None, f"sheet not read: name each sheet after its table ({_tables_hint()})")]
    header, rows, lines, letters = _sheet_rows(name, title, ws, before)
    if not header:
        return [], [Problem(label, None, None, "the sheet is empty: expected a header row and data rows")]
    return _part(table, label, header, rows, lines, [], letters)


def read_workbook(name: str, data: bytes) -> tuple[list[Part], list[Problem]]:
    _refuse_macros(name, data)
    wb = _open_workbook(name, data)
    parts: list[Part] = []
    problems: list[Problem] = []
    try:
        for ws in list(wb.worksheets):
            if str(ws.title).strip().lower() in HELPER_SHEETS:
                continue
            p, q = _read_sheet(name, ws, sum(len(x.rows) for x in parts))
            parts += p
            problems += q
    finally:
        wb.close()
    return parts, problems
