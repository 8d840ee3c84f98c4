"""A publisher's submission merged over the current package, in memory.

The upload is read into :class:`~data.submission_read.Part` objects by ``data.submission_read``. The
merge replaces rows by primary key; the merged package is then checked by the one loader,
``data.package.load_package``, reading the merged files from memory (``data.package_files``), and
every problem is traced back to the publisher's own file, sheet, row and column. What the result gives back (the change summary,
the merged zip) is ``data.submission_output``.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from data import schema as canonical_schema
from data.checks import Problem
from data.package import Package
from data.package_files import Current, RawTable, line_count, load_files, raw_table
from data.submission_read import MAX_UPLOAD_BYTES, Part, Refused, read_upload

EXAMPLE_MARK = "EXAMPLE ROW"      # the templates' example rows start their note with this
ILLUSTRATIVE_SOURCE_GRADES = {"illustrative"}

Incoming = dict[tuple[str, ...], tuple[Part, int, dict[str, str]]]  # key -> (part, row, record)


# ---------------------------------------------------------------------------------------------
# Merging


@dataclass(slots=True)
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
    csv.writer(buf, lineterminator="\r\n").writerow(values)  # so a cell holding "\r" or "\n" is quoted
    return buf.getvalue()[:-2] + newline


class _MergedFile:
    """One table's merged text, written record by record, remembering which submitted row each line
    of the file came from (to trace the loader's problems back to the publisher's file)."""

    def __init__(self, raw: RawTable):
        self.chunks = [raw.prefix]
        self.line = line_count(raw.prefix) + 1
        self.origin: dict[int, tuple[str, int]] = {}

    def write(self, text: str, where: tuple[str, int] | None) -> None:
        self.chunks.append(text)
        if where is not None:
            self.origin[self.line] = where
        self.line += line_count(text)

    def data(self) -> bytes:
        return "".join(self.chunks).encode("utf-8")


def _current_raw(current: Current, table: str) -> RawTable:
    """The current package's rows of a table (none if it has no readable file)."""
    res = canonical_schema.resources()[table]
    path = current.paths.get(table, res["path"])
    raw = raw_table(path, current.files.get(path, b""))
    if raw is None:
        cols = [f["name"] for f in res["schema"]["fields"]]
        raw = RawTable(path, cols, [], [], _csv_text(cols, "\n"), "\n")
    return raw


def _incoming(table: str, parts: list[Part], key_cols: list[str], types: Mapping[str, str],
              sources: Mapping[str, Mapping[str, str]]) -> tuple[Incoming, list[Problem]]:
    """The submitted rows of a table by key (the first of two with one key), and their problems."""
    incoming: Incoming = {}
    problems: list[Problem] = []
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
    return incoming, problems


def _replacement(table: str, raw: RawTable, record: list[str], text: str, k: tuple[str, ...],
                 item: tuple[Part, int, dict[str, str]], types: Mapping[str, str]) -> tuple[Change, str]:
    """A current row replaced by a submitted one: the change, and the text to write (the old text when
    nothing but the writing of a number differs)."""
    part, pline, new = item
    old = dict(zip(raw.header, record, strict=True))
    values = [new.get(c, "") for c in raw.header]
    same = all(_norm(new.get(c, ""), types.get(c, "string")) == _norm(old.get(c, ""), types.get(c, "string"))
               for c in raw.header)
    change = Change(table, k, "unchanged" if same else "changed", old, {c: new.get(c, "") for c in raw.header}, (part.label, pline))
    return change, text if same else _csv_text(values, raw.newline)


def _merge_table(table: str, raw: RawTable, incoming: Incoming, key_cols: list[str],
                 types: Mapping[str, str]) -> tuple[_MergedFile, list[Change]]:
    """The table's file with the submitted rows in place of the current rows with the same key, and
    the new rows at the end."""
    old_by_key = {_key(dict(zip(raw.header, r, strict=True)), key_cols, types): i for i, r in enumerate(raw.records)}
    replaced = {old_by_key[k]: (k, item) for k, item in incoming.items() if k in old_by_key}
    merged = _MergedFile(raw)
    changes: list[Change] = []
    for i, (record, text) in enumerate(zip(raw.records, raw.texts, strict=True)):
        if i in replaced:
            k, item = replaced[i]
            change, new_text = _replacement(table, raw, record, text, k, item, types)
            changes.append(change)
            merged.write(new_text, change.origin)
        else:
            merged.write(text, None)
    for k, (part, pline, new) in incoming.items():
        if k in old_by_key:
            continue
        row = new if list(new) == raw.header else {c: new.get(c, "") for c in raw.header}  # one dict per row, not two
        changes.append(Change(table, k, "added", None, row, (part.label, pline)))
        merged.write(_csv_text([new.get(c, "") for c in raw.header], raw.newline), (part.label, pline))
    return merged, changes


def _traced(merged: Package, origins: Mapping[str, Mapping[int, tuple[str, int]]],
            touched_paths: set[str | None]) -> tuple[list[Problem], list[Problem]]:
    """The merged package's problems: those in submitted rows (named by the publisher's file and row),
    and those in rows the submission did not touch."""
    traced: list[Problem] = []
    current_problems: list[Problem] = []
    for p in merged.problems:
        where = origins.get(p.file, {}).get(p.row) if p.row is not None else None
        if where is not None:
            traced.append(Problem(where[0], where[1], p.column, p.message))
        elif p.file in origins and p.row is None and p.file in touched_paths:
            traced.append(p)
        else:
            current_problems.append(p)
    return traced, current_problems


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
        key_cols = spec[table]["schema"].get("primaryKey", [])
        types = _field_types(table)
        raw = _current_raw(current, table)
        incoming, row_problems = _incoming(table, parts, key_cols, types, sources)
        problems += row_problems
        if not allow_replace_published:
            problems += _published_years(table, raw, incoming)
        merged_file, table_changes = _merge_table(table, raw, incoming, key_cols, types)
        changes += table_changes
        files[raw.path] = merged_file.data()
        origins[raw.path] = merged_file.origin

    merged = load_files(files, source="merged")
    traced, current_problems = _traced(merged, origins, {current.paths.get(t) for t in touched})
    letters = {p.label: p.letters for p in parts if p.letters}
    return MergeResult(files, merged, _dedupe(problems + traced), current_problems, changes, touched, letters, origins)


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


def _published_years(table: str, raw: RawTable, incoming: Incoming) -> list[Problem]:
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
