"""A publisher's submission, read and checked in memory, and merged over the current package.

A submission is CSV files named after their tables, a filled workbook (.xlsx, one sheet per table, as
made by ``data.templates``) or a zipped package. Each is read from bytes, never from disk, into
:class:`Part` objects (one table's rows, each with the row number the publisher sees). The merge
replaces rows by primary key; the merged package is then checked by the one loader,
``data.package.load_package``, reading the merged files from memory, and every problem is traced back
to the publisher's own file, sheet, row and column.

Hostile uploads raise :class:`Refused` with a plain-English reason before anything is parsed: a zip
with paths outside the package, a zip that expands far beyond its size, an encrypted zip, a workbook
with macros or formulas. Text in cells is kept as text: it is only ever shown escaped.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from data import package as pkgmod
from data import schema as canonical_schema
from data.package import MANIFEST, Package, Problem

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MB        # the app's server.maxUploadSize; the CLI allows the loader's own limit
MAX_EXPANDED_BYTES = 60 * MB      # everything inside one zip or workbook, uncompressed
MAX_EXPANSION_RATIO = 200         # uncompressed / compressed: CSV and XML compress about 5 to 20 times
MAX_ZIP_ENTRIES = 500
MAX_SHEET_ROWS = 200_000
EXAMPLE_MARK = "EXAMPLE ROW"      # the templates' example rows start their note with this
HELPER_SHEETS = {"about", "dictionary", "lists"}  # the template workbook's own sheets, not tables
ILLUSTRATIVE_SOURCE_GRADES = {"illustrative"}
WITHHELD_COLUMNS = {"workforce": ("gm_headcount", "gm_percent"), "wres": ("numerator", "value")}  # data/suppression.py


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


# ---------------------------------------------------------------------------------------------
# Loading a package from bytes held in memory, with the one loader


class _MemoryReader:
    def __init__(self, files: Mapping[str, bytes]):
        self.files = files

    def read(self, relpath: str) -> bytes:
        key = posixpath.normpath(relpath)
        if key not in self.files:
            raise FileNotFoundError(relpath)
        data = self.files[key]
        if len(data) > pkgmod.MAX_FILE_BYTES:
            raise OSError(f"file is larger than {pkgmod.MAX_FILE_BYTES // MB} MB")
        return data


def load_files(files: Mapping[str, bytes], source: str = "upload") -> Package:
    """``load_package`` over files held in memory ({relative path: bytes}, with datapackage.json)."""
    files = {posixpath.normpath(k): v for k, v in files.items()}
    return pkgmod.load_package(source, reader=_MemoryReader(files))


# ---------------------------------------------------------------------------------------------
# Reading uploads


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
        return read_csv(name, data)
    raise Refused(f"{name} is not a CSV file, an Excel workbook (.xlsx) or a zip: those are the files this page reads.")


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
    text, problems = pkgmod._decode(name, data)
    if text is None:
        return [], problems
    header, rows, lines, problems = pkgmod._parse_csv(name, text)
    return _part(table, name, header, rows, lines, problems)


def _part(table: str, label: str, header: list[str], rows: list[list[str]], lines: list[int],
          problems: list[Problem], letters: dict[str, str] | None = None) -> tuple[list[Part], list[Problem]]:
    """Check the header and row widths (as the loader does) and keep the rows that can be merged."""
    names = [f["name"] for f in canonical_schema.resources()[table]["schema"]["fields"]]
    problems += pkgmod.header_problems(label, header, names)
    good_rows, good_lines = [], []
    for record, line in zip(rows, lines, strict=True):
        if len(record) != len(header):
            problems.append(Problem(label, line, None, f"row has {len(record)} cells but the header has {len(header)}"))
        else:
            good_rows.append(record)
            good_lines.append(line)
    if not header:
        return [], problems
    return [Part(table, label, list(header), good_rows, good_lines, letters or {})], problems


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
    if expanded > MAX_EXPANDED_BYTES or expanded > MAX_EXPANSION_RATIO * max(len(data), 1):
        raise Refused(f"{name} would expand to {expanded / MB:,.1f} MB from {len(data) / MB:,.2f} MB: far more than "
                      f"a {what} of summary figures. Nothing was read.")
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


def _cell_text(value) -> str:
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


def read_workbook(name: str, data: bytes) -> tuple[list[Part], list[Problem]]:
    zf = _open_zip(name, data, "workbook")
    members = [i.filename.lower() for i in zf.infolist()]
    zf.close()
    if any(m.endswith("vbaproject.bin") or "/activex/" in m or m.endswith(".bin") and "vba" in m for m in members):
        raise Refused(f"{name} contains macros: this page does not open workbooks with macros. Copy the sheets "
                      "into the template workbook (.xlsx) and upload that.")
    import openpyxl  # a runtime requirement; imported here so the CLI and the loader start fast

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 (any failure to open is the same answer for the publisher)
        raise Refused(f"{name} could not be opened as an Excel workbook ({exc.__class__.__name__}). Save it from "
                      "Excel as .xlsx and upload it again.") from None
    parts: list[Part] = []
    problems: list[Problem] = []
    try:
        sheets = list(wb.worksheets)
        for ws in sheets:
            title = str(ws.title)
            if title.strip().lower() in HELPER_SHEETS:
                continue
            label = f"{name} sheet {title}"
            table = table_for(title)
            if table is None:
                problems.append(Problem(label, None, None, f"sheet not read: name each sheet after its table ({_tables_hint()})"))
                continue
            header: list[str] = []
            rows: list[list[str]] = []
            lines: list[int] = []
            letters: dict[str, str] = {}
            for n, row in enumerate(ws.iter_rows(), start=1):
                if n > MAX_SHEET_ROWS:
                    raise Refused(f"{name}: sheet {title} has more than {MAX_SHEET_ROWS:,} rows. Nothing was read.")
                cells = list(row)
                for cell in cells:
                    if getattr(cell, "data_type", None) == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                                                     and getattr(cell, "data_type", None) != "s"):
                        where = getattr(cell, "coordinate", "?")
                        raise Refused(f"{name} has a formula in sheet {title}, cell {where}: this page reads values only. "
                                      "Copy the cells and paste them as values (Paste Special, Values), then upload again.")
                values = [_cell_text(c.value) for c in cells]
                while values and values[-1] == "":
                    values.pop()
                if not values or not any(v.strip() for v in values):
                    continue
                row_number = getattr(cells[0], "row", None) or n
                if not header:
                    header = [v.strip() for v in values]
                    for i, col in enumerate(header):
                        letters[col] = openpyxl.utils.get_column_letter(i + 1)
                    continue
                if len(values) < len(header):
                    values += [""] * (len(header) - len(values))
                rows.append(values)
                lines.append(row_number)
            if not header:
                problems.append(Problem(label, None, None, "the sheet is empty: expected a header row and data rows"))
                continue
            p, q = _part(table, label, header, rows, lines, [], letters)
            parts += p
            problems += q
    finally:
        wb.close()
    return parts, problems


# ---------------------------------------------------------------------------------------------
# The current package, as raw rows


@dataclass
class RawTable:
    path: str
    header: list[str]
    records: list[list[str]]        # data rows the loader keeps, in order
    texts: list[str]                # each record's original text (kept byte for byte when unchanged)
    prefix: str                     # the header line(s) as written
    newline: str


def _split_records(text: str, lines: list[int]) -> tuple[str, list[str]]:
    """The header's text and each record's original text (a record runs to the next record's first line)."""
    physical = io.StringIO(text, newline="").readlines()
    starts = list(lines) + [len(physical) + 1]
    prefix = "".join(physical[: (lines[0] - 1) if lines else len(physical)])
    texts = ["".join(physical[starts[i] - 1: starts[i + 1] - 1]) for i in range(len(lines))]
    return prefix, texts


def raw_table(path: str, data: bytes) -> RawTable | None:
    text, problems = pkgmod._decode(path, data)
    if text is None:
        return None
    header, rows, lines, problems = pkgmod._parse_csv(path, text)
    if problems or not header:
        return None
    prefix, texts = _split_records(text, lines)
    keep = [i for i, r in enumerate(rows) if len(r) == len(header)]
    newline = "\r\n" if "\r\n" in prefix else "\n"
    if texts and not texts[-1].endswith(("\n", "\r")):
        texts[-1] += newline
    if prefix and not prefix.endswith(("\n", "\r")):
        prefix += newline
    return RawTable(path, header, [rows[i] for i in keep], [texts[i] for i in keep], prefix, newline)


@dataclass
class Current:
    """The current package's files, in memory."""
    source: str
    files: dict[str, bytes]         # relative path -> bytes, including datapackage.json
    paths: dict[str, str]           # resource name -> path

    @classmethod
    def read(cls, source: str) -> Current:
        reader = pkgmod._Reader(str(source))
        manifest_bytes = reader.read(MANIFEST)
        manifest = json.loads(manifest_bytes.decode("utf-8-sig"))
        files = {MANIFEST: manifest_bytes}
        paths = {}
        for res in manifest.get("resources", []):
            if isinstance(res, dict) and isinstance(res.get("name"), str) and pkgmod._safe_relative(res.get("path")):
                paths[res["name"]] = posixpath.normpath(res["path"])
                try:
                    files[paths[res["name"]]] = reader.read(res["path"])
                except Exception:  # noqa: BLE001 (the loader reports a missing file)
                    pass
        return cls(str(source), files, paths)

    def without_illustrative(self) -> Current:
        """The package with every illustrative row left out (NEL_ILLUSTRATIVE=hide)."""
        files = dict(self.files)
        for name, path in self.paths.items():
            raw = raw_table(path, self.files.get(path, b""))
            if raw is None:
                continue
            if name == "sources" and {"source_id", "grade"} <= set(raw.header):  # as data.package.published_only
                i, g = raw.header.index("source_id"), raw.header.index("grade")
                kept = [t for r, t in zip(raw.records, raw.texts, strict=True)
                        if r[i] != pkgmod.ILLUSTRATIVE_SOURCE and r[g] != "illustrative"]
            elif "status" in raw.header:
                i = raw.header.index("status")
                kept = [t for r, t in zip(raw.records, raw.texts, strict=True) if r[i] != "illustrative"]
            else:
                continue
            if len(kept) != len(raw.records):
                files[path] = (raw.prefix + "".join(kept)).encode("utf-8")
        return Current(self.source, files, dict(self.paths))


def illustrative_hidden() -> bool:
    """The site setting NEL_ILLUSTRATIVE (data.package.illustrative_mode: only 'show' shows them)."""
    return pkgmod.illustrative_mode() != "show"


# ---------------------------------------------------------------------------------------------
# Merging


@dataclass
class Change:
    table: str
    key: tuple[str, ...]
    kind: str                        # added | changed | unchanged
    old: dict[str, str] | None
    new: dict[str, str]
    origin: tuple[str, int]          # (part label, row)


@dataclass
class MergeResult:
    files: dict[str, bytes]                  # the merged package, relative path -> bytes
    package: Package                         # the merged package as the dashboard loads it
    problems: list[Problem]                  # the submission's problems, traced to its files
    current_problems: list[Problem]          # problems in rows the submission did not touch
    changes: list[Change]
    tables: list[str]                        # tables the submission touched
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # part label -> column letters
    origins: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems and not self.current_problems

    def summary(self) -> list[dict]:
        """Rows added, changed, unchanged and removed per table."""
        out = []
        for table in self.tables:
            kinds = [c.kind for c in self.changes if c.table == table]
            out.append({"table": table, "added": kinds.count("added"), "changed": kinds.count("changed"),
                        "unchanged": kinds.count("unchanged"), "removed": 0})
        return out

    def organisations(self) -> list[str]:
        codes: list[str] = []
        for c in self.changes:
            code = c.new.get("ods_code", "")
            if code and code not in codes:
                codes.append(code)
        return codes


def _field_types(table: str) -> dict[str, str]:
    return {f["name"]: f.get("type", "string") for f in canonical_schema.resources()[table]["schema"]["fields"]}


def _norm(value: str, ftype: str) -> str:
    if ftype == "integer" and re.fullmatch(r"\s*[+-]?[0-9]{1,15}\s*", value or ""):
        return str(int(value))
    return value


def _key(record: Mapping[str, str], key: list[str], types: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(_norm(record.get(k, ""), types.get(k, "string")) for k in key)


def _csv_text(values: list[str], newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerow(values)
    return buf.getvalue()


def _line_count(text: str) -> int:
    return max(1, len(io.StringIO(text, newline="").readlines()))


def merge(current: Current, parts: Iterable[Part], *, upload_problems: Iterable[Problem] = (),
          allow_replace_published: bool = False) -> MergeResult:
    """Replace the current package's rows by primary key with the submission's and check the result."""
    spec = canonical_schema.resources()
    parts = list(parts)
    problems: list[Problem] = list(upload_problems)
    files = dict(current.files)
    changes: list[Change] = []
    origins: dict[str, dict[int, tuple[str, int]]] = {}
    touched = [t for t in spec if any(p.table == t for p in parts)]
    sources = _sources_with(current, parts)

    for table in touched:
        res = spec[table]
        key_cols = res["schema"].get("primaryKey", [])
        types = _field_types(table)
        path = current.paths.get(table, res["path"])
        raw = raw_table(path, current.files.get(path, b""))
        if raw is None:
            cols = [f["name"] for f in res["schema"]["fields"]]
            raw = RawTable(path, cols, [], [], _csv_text(cols, "\n"), "\n")
        old_by_key = {_key(dict(zip(raw.header, r, strict=True)), key_cols, types): i for i, r in enumerate(raw.records)}

        incoming: dict[tuple, tuple[Part, int, dict[str, str]]] = {}
        for part in (p for p in parts if p.table == table):
            for record, line in zip(part.records(), part.lines, strict=True):
                k = _key(record, key_cols, types)
                if k in incoming:
                    first = incoming[k]
                    where = f"row {first[1]}" + ("" if first[0] is part else f" of {first[0].label}")
                    problems.append(Problem(part.label, line, ",".join(key_cols),
                                            f"duplicate key ({', '.join(k)}): the same key is on {where}"))
                    continue
                incoming[k] = (part, line, record)
                problems += _row_rules(table, part, line, record, sources)

        if not allow_replace_published:
            problems += _published_years(table, raw, incoming, types)

        replaced: dict[int, tuple] = {}
        added: list[tuple] = []
        for k, item in incoming.items():
            if k in old_by_key:
                replaced[old_by_key[k]] = (k, item)
            else:
                added.append((k, item))

        out = [raw.prefix]
        line = _line_count(raw.prefix) + 1
        origin: dict[int, tuple[str, int]] = {}

        def write(text: str, where: tuple[str, int] | None) -> None:
            nonlocal line
            out.append(text)
            if where is not None:
                origin[line] = where
            line += _line_count(text)

        for i, (record, text) in enumerate(zip(raw.records, raw.texts, strict=True)):
            if i in replaced:
                k, (part, pline, new) = replaced[i]
                old = dict(zip(raw.header, record, strict=True))
                values = [new.get(c, "") for c in raw.header]
                same = all(_norm(new.get(c, ""), types.get(c, "string")) == _norm(old.get(c, ""), types.get(c, "string"))
                           for c in raw.header)
                changes.append(Change(table, k, "unchanged" if same else "changed", old,
                                      {c: new.get(c, "") for c in raw.header}, (part.label, pline)))
                write(text if same else _csv_text(values, raw.newline), (part.label, pline))
            else:
                write(text, None)
        for k, (part, pline, new) in added:
            changes.append(Change(table, k, "added", None, {c: new.get(c, "") for c in raw.header}, (part.label, pline)))
            write(_csv_text([new.get(c, "") for c in raw.header], raw.newline), (part.label, pline))
        files[path] = "".join(out).encode("utf-8")
        origins[path] = origin

    merged = load_files(files, source="merged")
    traced, current_problems = [], []
    for p in merged.problems:
        where = origins.get(p.file, {}).get(p.row) if p.row is not None else None
        if where is not None:
            traced.append(Problem(where[0], where[1], p.column, p.message))
        elif p.file in origins and p.row is None and p.file in {current.paths.get(t) for t in touched}:
            traced.append(p)
        else:
            current_problems.append(p)
    problems = _dedupe(problems + traced)
    letters = {p.label: p.letters for p in parts if p.letters}
    return MergeResult(files, merged, problems, current_problems, changes, touched, letters, origins)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _sources_with(current: Current, parts: list[Part]) -> dict[str, dict[str, str]]:
    """source_id -> source row, the submission's own sources over the package's."""
    out: dict[str, dict[str, str]] = {}
    path = current.paths.get("sources", "sources.csv")
    raw = raw_table(path, current.files.get(path, b""))
    if raw is not None:
        for r in raw.records:
            row = dict(zip(raw.header, r, strict=True))
            out[row.get("source_id", "")] = row
    for part in parts:
        if part.table == "sources":
            for row in part.records():
                out[row.get("source_id", "")] = row
    return out


def _row_rules(table: str, part: Part, line: int, record: Mapping[str, str], sources: Mapping[str, Mapping[str, str]]) -> list[Problem]:
    """Rules for submitted rows beyond the package's own checks."""
    problems = []
    if str(record.get("note", "")).strip().upper().startswith(EXAMPLE_MARK):
        problems.append(Problem(part.label, line, "note", "this is the template's example row: replace it with your "
                                                          "own figures or delete it"))
    if record.get("status") == "published":
        sid = record.get("source_id", "")
        src = sources.get(sid)
        if src is not None:
            has_title = bool(str(src.get("title", "")).strip()) and not str(src.get("title", "")).upper().startswith("EXAMPLE")
            has_url = bool(str(src.get("url", "")).strip())
            if src.get("grade") in ILLUSTRATIVE_SOURCE_GRADES or sid == "illustrative" or not (has_title or has_url):
                problems.append(Problem(part.label, line, "status",
                                        f"a figure can be published only with a source that has a URL or a document "
                                        f"title: source {sid!r} has neither (add it on the sources sheet, or set "
                                        "status to illustrative)"))
    return problems


def _published_years(table: str, raw: RawTable, incoming: Mapping[tuple, tuple], types) -> list[Problem]:
    """A submission may not overwrite a year that already holds published figures for its organisation."""
    if not {"ods_code", "year", "status"} <= set(raw.header):
        return []
    held: dict[tuple[str, str], int] = {}
    i_org, i_year, i_status = (raw.header.index(c) for c in ("ods_code", "year", "status"))
    for r in raw.records:
        if r[i_status] == "published":
            k = (r[i_org], _norm(r[i_year], "integer"))
            held[k] = held.get(k, 0) + 1
    problems, reported = [], set()
    for part, line, record in incoming.values():
        k = (record.get("ods_code", ""), _norm(record.get("year", ""), "integer"))
        if k in held and k not in reported:
            reported.add(k)
            problems.append(Problem(part.label, line, "year",
                                    f"{k[0]} already has {held[k]} published figure(s) for {k[1]} in {raw.path}: a "
                                    "submission adds a new year. To correct published figures, ask the ICB's data team "
                                    "(they merge with --replace-published)"))
    return problems


def check(current: Current, uploads: Iterable[tuple[str, bytes]], *, limit: int = MAX_UPLOAD_BYTES,
          allow_replace_published: bool = False) -> tuple[MergeResult | None, list[str]]:
    """Read every upload and merge them: the result (None if nothing could be read) and the refusals."""
    parts: list[Part] = []
    problems: list[Problem] = []
    refusals: list[str] = []
    for name, data in uploads:
        try:
            p, q = read_upload(name, data, limit)
        except Refused as exc:
            refusals.append(str(exc))
            continue
        parts += p
        problems += q
    if not parts and not problems:
        return None, refusals
    return merge(current, parts, upload_problems=problems, allow_replace_published=allow_replace_published), refusals


# ---------------------------------------------------------------------------------------------
# Outputs


def change_rows(result: MergeResult) -> list[dict[str, str]]:
    """The change summary, one line per added or changed value: table, key, column, old, new, file, row."""
    out = []
    for c in result.changes:
        if c.kind == "unchanged":
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
        starts, line = [], _line_count(raw.prefix) + 1
        for t in raw.texts:
            starts.append(line)
            line += _line_count(t)
        flags = frame["suppressed"].fillna(False).astype(bool).to_numpy()
        drop[path] = {i for i, (hide, start) in enumerate(zip(flags, starts, strict=True)) if hide and start not in origin}
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
