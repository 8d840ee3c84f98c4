"""Read a data package from a folder or an http(s) URL, check it and return typed, suppressed frames.

This is the one place where package files are read. It never raises on bad data: every problem
becomes a :class:`Problem` naming the file, the 1-based line in that file and the column, and the
tables that are still sound stay usable, so one broken file does not take down the pages that do
not need it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from data import schema as canonical_schema
from data.suppression import apply_suppression

MANIFEST = "datapackage.json"
MAX_FILE_BYTES = 50 * 1024 * 1024
URL_TIMEOUT_SECONDS = 15
MAX_REPORTED_PER_CHECK = 20  # per file, column and kind of problem; the rest are counted in one line
TRUE_VALUES = {"true", "True", "TRUE", "1"}
FALSE_VALUES = {"false", "False", "FALSE", "0"}
ILLUSTRATIVE_SETTING = "NEL_ILLUSTRATIVE"  # "show" (the demo) or "hide" (published figures only)
ILLUSTRATIVE_SOURCE = "illustrative"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = self.row if self.row is not None else "-"
        return f"{_one_line(self.file, True) or '-'}:{row}:{_one_line(self.column, True) or '-'}: {_one_line(self.message)}"


def _one_line(text: object, name: bool = False) -> str:
    """Keep a problem on one parseable line: control characters escaped; in a file or column name
    (which come from the package), ':' written as %3A so FILE:ROW:COLUMN splits one way."""
    s = "" if text is None else str(text)
    s = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in s)
    return s.replace(":", "%3A")[:200] if name else s


class TableUnavailable(Exception):
    """A page asked for a table that failed its checks."""

    def __init__(self, table: str, problems: list[Problem]):
        self.table = table
        self.problems = problems
        super().__init__(f"{table} is unavailable: " + "; ".join(str(p) for p in problems[:3]))


@dataclass
class Package:
    source: str
    version: str
    manifest: dict
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    def unavailable(self, name: str) -> TableUnavailable | None:
        """Why the table cannot be used (it failed its checks or is not in the package), or None."""
        if name in self.broken or name not in self.tables:
            return TableUnavailable(name, self.broken.get(name, [Problem(MANIFEST, None, None, f"no table '{name}'")]))
        return None

    def table(self, name: str) -> pd.DataFrame:
        """A copy of a checked table; raises TableUnavailable if it failed its checks."""
        if problem := self.unavailable(name):
            raise problem
        return self.tables[name].copy()


def illustrative_mode(environ: dict | None = None) -> str:
    """'show' or 'hide': whether illustrative (invented) rows may leave the server.

    Fails closed: only the exact word 'show' shows them; unset, 'hide' or anything else hides them, so
    a mistyped production setting never publishes invented figures. ``make run`` sets 'show'."""
    value = (os.environ if environ is None else environ).get(ILLUSTRATIVE_SETTING, "")
    return "show" if value.strip().lower() == "show" else "hide"


def published_only(pkg: Package) -> Package:
    """The package without a single illustrative row: every table's rows with status 'illustrative'
    and the sources that describe invented values are dropped. Its version differs from the full
    package's, so nothing cached for one is served for the other."""
    tables = {}
    for name, frame in pkg.tables.items():
        if "status" in frame:
            frame = frame[frame["status"].astype(str) != "illustrative"].reset_index(drop=True)
        if name == "sources":
            frame = frame[(frame["source_id"].astype(str) != ILLUSTRATIVE_SOURCE)
                          & (frame["grade"].astype(str) != "illustrative")].reset_index(drop=True)
        tables[name] = frame
    return replace(pkg, version=f"{pkg.version}-published", tables=tables)


# ---------------------------------------------------------------------------------------------
# Reading bytes from a folder or a URL


def _is_url(source: str) -> bool:
    return urllib.parse.urlparse(str(source)).scheme in ("http", "https")


class _Reader:
    """Reads files relative to a package's datapackage.json, from disk or over http(s)."""

    def __init__(self, source: str):
        self.source = str(source)
        self.is_url = _is_url(self.source)
        if self.is_url:
            self.base = self.source if self.source.endswith(MANIFEST) else self.source.rstrip("/") + "/" + MANIFEST
        else:
            path = Path(self.source)
            self.base = path if path.name == MANIFEST else path / MANIFEST

    def read(self, relpath: str) -> bytes:
        if self.is_url:
            url = urllib.parse.urljoin(self.base, relpath)
            with urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
                data = response.read(MAX_FILE_BYTES + 1)
        else:
            target = self.base.parent / relpath
            if target.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = target.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise OSError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
        return data


def _safe_relative(path: object) -> bool:
    if not isinstance(path, str) or not path or "\\" in path or _is_url(path) or "://" in path:
        return False
    norm = posixpath.normpath(path)
    return not (norm.startswith("/") or norm == ".." or norm.startswith("../"))


def _read_error(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, urllib.error.HTTPError):
        return f"could not download the file (HTTP {exc.code})"
    if isinstance(exc, urllib.error.URLError):
        return f"could not download the file ({exc.reason})"
    if isinstance(exc, IsADirectoryError):
        return "expected a file, found a folder"
    if isinstance(exc, PermissionError):
        return "file cannot be read (permission denied)"
    return f"file cannot be read ({exc})"


# ---------------------------------------------------------------------------------------------
# Parsing one CSV file into strings, with the line number of each record


def _decode(name: str, data: bytes) -> tuple[str | None, list[Problem]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, f"bytes are not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
    if not text.strip():
        return None, [Problem(name, None, None, "file is empty: expected a header row and data rows")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(name, line, None, "file contains a NUL byte: is it really a CSV file?")]
    return text, []


def _parse_csv(name: str, text: str) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    header: list[str] = []
    last_line = 0
    try:
        for record in reader:
            start = last_line + 1
            last_line = reader.line_num
            if not header:
                if not record or not any(cell.strip() for cell in record):
                    continue
                header = record
                continue
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem(name, last_line + 1, None, f"not a well-formed CSV file ({exc})"))
    return header, rows, lines, problems


# ---------------------------------------------------------------------------------------------
# Checking fields against the Table Schema


class _Collector:
    """Collects problems, reporting at most MAX_REPORTED_PER_CHECK of each kind per file and column."""

    def __init__(self):
        self.problems: list[Problem] = []
        self._counts: dict[tuple, int] = {}
        self._overflow: dict[tuple, int] = {}

    def add(self, problem: Problem, kind: str = "") -> None:
        key = (problem.file, problem.column, kind or problem.message)
        n = self._counts.get(key, 0)
        self._counts[key] = n + 1
        if n < MAX_REPORTED_PER_CHECK:
            self.problems.append(problem)
        else:
            self._overflow[key] = self._overflow.get(key, 0) + 1

    def add_rows(self, name: str, column: str | None, lines: np.ndarray, messages, kind: str) -> None:
        for line, message in zip(lines, messages, strict=True):
            self.add(Problem(name, int(line), column, message), kind)

    def finish(self) -> list[Problem]:
        for (file, column, kind), extra in self._overflow.items():
            self.problems.append(Problem(file, None, column, f"{extra} more rows with the same problem ({kind})"))
        return self.problems


def _fmt(value: float) -> str:
    return f"{value:g}"


def _convert(series: pd.Series, ftype: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of non-empty cells that do not parse as the type."""
    empty = series == ""
    if ftype == "integer":
        ok = series.str.fullmatch(r"[+-]?[0-9]{1,15}")  # ASCII digits: \d passes '٢٠٢٤', read as empty
        values = pd.to_numeric(series.where(ok), errors="coerce").astype("Int64")
    elif ftype == "number":
        ok = series.str.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
        values = pd.to_numeric(series.where(ok), errors="coerce").astype("Float64")
    elif ftype == "boolean":
        ok = series.isin(TRUE_VALUES | FALSE_VALUES)
        values = series.map(lambda v: True if v in TRUE_VALUES else (False if v in FALSE_VALUES else pd.NA)).astype("boolean")
    elif ftype == "date":
        parsed = pd.to_datetime(series.where(series.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
        ok = parsed.notna()
        values = parsed
    else:
        ok = pd.Series(True, index=series.index)
        values = series.where(~empty, pd.NA).astype("string")
    bad = ~empty & ~ok.fillna(False).astype(bool)
    return values, bad


TYPE_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "date": "a date (YYYY-MM-DD)"}


def _check_table(name: str, path: str, fields: list[dict], frame: pd.DataFrame, lines: np.ndarray,
                 out: _Collector) -> pd.DataFrame:
    typed = {}
    for f in fields:
        col, ftype, cons = f["name"], f.get("type", "string"), f.get("constraints", {})
        if col not in frame:
            continue
        raw = frame[col]
        values, bad = _convert(raw, ftype)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            out.add_rows(path, col, lines[idx], [f"wrong type: expected {TYPE_WORDS[ftype]}, found {raw.iat[i][:40]!r}" for i in idx], "type")
        empty = (raw == "").to_numpy()
        if cons.get("required") and empty.any():
            idx = np.flatnonzero(empty)
            out.add_rows(path, col, lines[idx], ["required value is missing"] * len(idx), "required")
        valid = ~empty & ~bad.to_numpy()
        if "enum" in cons:
            off = valid & ~raw.isin(cons["enum"]).to_numpy()
            idx = np.flatnonzero(off)
            allowed = ", ".join(map(str, cons["enum"]))
            out.add_rows(path, col, lines[idx], [f"unknown value {raw.iat[i][:40]!r}: expected one of {allowed}" for i in idx], "enum")
        if "pattern" in cons:
            off = valid & ~raw.str.fullmatch(cons["pattern"]).fillna(False).to_numpy()
            idx = np.flatnonzero(off)
            out.add_rows(path, col, lines[idx], [f"value {raw.iat[i][:40]!r} is not in the expected form" for i in idx], "pattern")
        if ftype in ("integer", "number"):
            nums = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            for bound, cmp, word in (("minimum", np.less, "below the minimum"), ("maximum", np.greater, "above the maximum")):
                if bound in cons:
                    off = valid & cmp(np.nan_to_num(nums, nan=cons[bound]), cons[bound])
                    idx = np.flatnonzero(off)
                    out.add_rows(path, col, lines[idx], [f"out of range: {_fmt(nums[i])} is {word} {_fmt(cons[bound])}" for i in idx], "range")
        if cons.get("unique"):
            dup = valid & raw.duplicated(keep="first").to_numpy()
            idx = np.flatnonzero(dup)
            out.add_rows(path, col, lines[idx], [f"duplicate value {raw.iat[i][:40]!r}: must be unique" for i in idx], "unique")
        typed[col] = values
    result = pd.DataFrame(typed, index=frame.index)
    result["_line"] = lines
    return result


def header_problems(path: str, header: list[str], names: list[str]) -> list[Problem]:
    """A header's repeated, unexpected and missing columns (line 1 of the file)."""
    problems, seen = [], set()
    for col in header:
        if col in seen:
            problems.append(Problem(path, 1, col, "column appears twice in the header"))
        seen.add(col)
        if col not in names:
            problems.append(Problem(path, 1, col, f"unexpected column (expected: {', '.join(names)})"))
    problems += [Problem(path, 1, col, "missing column") for col in names if col not in header]
    return problems


def _check_primary_key(path: str, key: list[str], raw: pd.DataFrame, lines: np.ndarray, out: _Collector) -> None:
    if not key or not all(k in raw for k in key):
        return
    dup = raw.duplicated(subset=key, keep=False).to_numpy()
    if not dup.any():
        return
    first_line: dict[tuple, int] = {}
    for i in np.flatnonzero(dup):
        k = tuple(raw[c].iat[i] for c in key)
        if k in first_line:
            out.add(Problem(path, int(lines[i]), ",".join(key),
                            f"duplicate key ({', '.join(k)}): the same key is on line {first_line[k]}"), "primary key")
        else:
            first_line[k] = int(lines[i])


# Rules that Table Schema cannot express, per resource.

def _rule_counts(path, t, out, part, whole, label_part, label_whole):
    both = t[part].notna() & t[whole].notna()
    over = (both & (t[part] > t[whole])).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(over):
        out.add(Problem(path, int(t["_line"].iat[i]), part,
                        f"{label_part} ({t[part].iat[i]}) is more than {label_whole} ({t[whole].iat[i]})"), "numerator")
    one = (t[part].isna() != t[whole].isna()).to_numpy()
    for i in np.flatnonzero(one):
        out.add(Problem(path, int(t["_line"].iat[i]), part if t[part].isna().iat[i] else whole,
                        f"{part} and {whole} must both be given or both be empty"), "pair")


def _rule_workforce(path, t, out, tables):
    _rule_counts(path, t, out, "gm_headcount", "total_headcount", "global-majority headcount", "total headcount")
    counts = t["total_headcount"].notna()
    pct = t["gm_percent"].notna()
    for i in np.flatnonzero((counts & pct).to_numpy()):
        out.add(Problem(path, int(t["_line"].iat[i]), "gm_percent", "give either the headcounts or gm_percent, not both"), "either")
    for i in np.flatnonzero((~counts & ~pct).to_numpy()):
        out.add(Problem(path, int(t["_line"].iat[i]), "gm_percent", "no figure: give the headcounts or gm_percent"), "neither")


def _rule_wres(path, t, out, tables):
    _rule_counts(path, t, out, "numerator", "denominator", "numerator", "denominator")
    pct = (t["unit"] == "percent").fillna(False)
    off = (pct & ((t["value"] < 0) | (t["value"] > 100))).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(off):
        out.add(Problem(path, int(t["_line"].iat[i]), "value", f"out of range: a percentage must be 0 to 100, found {t['value'].iat[i]:g}"), "pct")
    neg = ((t["unit"] == "ratio") & (t["value"] < 0)).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(neg):
        out.add(Problem(path, int(t["_line"].iat[i]), "value", f"out of range: a ratio cannot be negative, found {t['value'].iat[i]:g}"), "ratio")


def _rule_measure_values(path, t, out, tables):
    measures = tables.get("measures")
    if measures is None:
        return
    units = dict(zip(measures["measure_id"].astype(str), measures["unit"].astype(str), strict=True))
    unit = t["measure_id"].astype(str).map(units)
    off_pct = ((unit == "percent") & ((t["value"] < 0) | (t["value"] > 100))).fillna(False).to_numpy(dtype=bool)
    off_cnt = ((unit == "count") & (t["value"] < 0)).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(off_pct):
        out.add(Problem(path, int(t["_line"].iat[i]), "value", f"out of range: a percentage must be 0 to 100, found {t['value'].iat[i]:g}"), "pct")
    for i in np.flatnonzero(off_cnt):
        out.add(Problem(path, int(t["_line"].iat[i]), "value", f"out of range: a count cannot be negative, found {t['value'].iat[i]:g}"), "count")


RULES = {"workforce": _rule_workforce, "wres": _rule_wres,
         "borough_measures": _rule_measure_values, "area_benchmarks": _rule_measure_values}

FK_WORDS = {"organisations": "organisation", "boroughs": "borough", "sources": "source"}


# ---------------------------------------------------------------------------------------------


def _manifest(reader: _Reader) -> tuple[dict | None, bytes, list[Problem]]:
    try:
        data = reader.read(MANIFEST)
    except Exception as exc:  # noqa: BLE001 (every failure becomes a problem line)
        return None, b"", [Problem(MANIFEST, None, None, _read_error(exc))]
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, data, [Problem(MANIFEST, None, None, "bytes are not valid UTF-8")]
    except json.JSONDecodeError as exc:
        return None, data, [Problem(MANIFEST, exc.lineno, None, f"not valid JSON ({exc.msg}, column {exc.colno})")]
    except RecursionError:
        return None, data, [Problem(MANIFEST, None, None, "not valid JSON (nested too deeply)")]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("resources"), list):
        return None, data, [Problem(MANIFEST, None, "resources", "expected a JSON object with a 'resources' list")]
    return manifest, data, []


def load_package(source: str | Path, reader=None) -> Package:
    """Read, check and suppress a package. Never raises for bad data: see Package.problems.

    ``reader`` (anything with ``read(relpath) -> bytes``) reads the files instead of the folder or URL
    ``source``, for example a publisher's upload held in memory (data/submission.py)."""
    source = str(source)
    reader = reader or _Reader(source)
    manifest, manifest_bytes, problems = _manifest(reader)
    digest = hashlib.sha256(manifest_bytes)
    if manifest is None:
        return Package(source, digest.hexdigest()[:16], {}, {}, problems, {n: problems for n in canonical_schema.resources()})

    declared: dict[str, str] = {}
    for i, res in enumerate(manifest["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            problems.append(Problem(MANIFEST, None, f"resources[{i}]", "resource has no name"))
            continue
        if not _safe_relative(res.get("path")):
            problems.append(Problem(MANIFEST, None, f"resources[{i}].path", f"resource '{res['name']}' needs a relative path inside the package, found {str(res.get('path'))[:60]!r}"))
            continue
        declared[res["name"]] = res["path"]

    out = _Collector()
    raw_tables: dict[str, pd.DataFrame] = {}
    typed: dict[str, pd.DataFrame] = {}
    file_of: dict[str, str] = {}
    spec = canonical_schema.resources()
    for name, res in spec.items():
        if name not in declared:
            out.add(Problem(MANIFEST, None, "resources", f"the package has no '{name}' resource ({res['path']})"))
            continue
        path = declared[name]
        file_of[name] = path
        try:
            data = reader.read(path)
        except Exception as exc:  # noqa: BLE001
            out.add(Problem(path, None, None, _read_error(exc)))
            continue
        digest.update(path.encode() + b"\0" + data)
        text, decode_problems = _decode(path, data)
        for p in decode_problems:
            out.add(p)
        if text is None:
            continue
        header, rows, lines, parse_problems = _parse_csv(path, text)
        for p in parse_problems:
            out.add(p)
        fields = res["schema"]["fields"]
        for p in header_problems(path, header, [f["name"] for f in fields]):
            out.add(p)
        width = len(header)
        good_rows, good_lines = [], []
        for record, line in zip(rows, lines, strict=True):
            if len(record) != width:
                out.add(Problem(path, line, None, f"row has {len(record)} cells but the header has {width}"), "width")
            else:
                good_rows.append(record)
                good_lines.append(line)
        frame = pd.DataFrame(good_rows, columns=header, dtype="string").fillna("")
        frame = frame.loc[:, ~frame.columns.duplicated()]
        line_arr = np.asarray(good_lines, dtype=int)
        raw_tables[name] = frame
        typed[name] = _check_table(name, path, fields, frame, line_arr, out)
        _check_primary_key(path, res["schema"].get("primaryKey", []), frame, line_arr, out)

    # Rules need every column of their table (a missing one is already reported above).
    complete = {n: t for n, t in typed.items() if all(f["name"] in t for f in spec[n]["schema"]["fields"])}
    for name, rule in RULES.items():
        if name in complete:
            rule(file_of[name], complete[name], out, complete)

    for name, res in spec.items():
        if name not in raw_tables:
            continue
        for fkey in res["schema"].get("foreignKeys", []):
            col, target = fkey["fields"], fkey["reference"]["resource"]
            target_col = fkey["reference"]["fields"]
            if col not in raw_tables[name] or target not in raw_tables or target_col not in raw_tables[target]:
                continue
            values = raw_tables[name][col]
            known = set(raw_tables[target][target_col])
            off = ((values != "") & ~values.isin(known)).to_numpy()
            lines = typed[name]["_line"].to_numpy()
            word = FK_WORDS.get(target, target.rstrip("s").replace("_", " "))
            for i in np.flatnonzero(off):
                out.add(Problem(file_of[name], int(lines[i]), col, f"unknown {word} {values.iat[i][:40]!r} (not in {file_of.get(target, target)})"), "fk")

    problems += out.finish()
    broken: dict[str, list[Problem]] = {}
    path_to_name = {v: k for k, v in file_of.items()}
    for p in problems:
        if p.file == MANIFEST:
            for name in spec:
                if name not in file_of:
                    broken.setdefault(name, []).append(p)
        elif p.file in path_to_name:
            broken.setdefault(path_to_name[p.file], []).append(p)
    staff_groups = typed["staff_groups"] if "staff_groups" in typed and "staff_groups" not in broken else None
    tables = {name: apply_suppression(name, t.drop(columns="_line"), staff_groups)
              for name, t in typed.items() if name not in broken}
    return Package(source, digest.hexdigest()[:16], manifest, tables, problems, broken)


def load_for_site(source: str | Path, mode: str | None = None) -> Package:
    """The package as the public site may show it: :func:`load_package`, then :func:`published_only`
    unless ``mode`` (default: the NEL_ILLUSTRATIVE setting) is 'show'."""
    pkg = load_package(source)
    return pkg if (mode or illustrative_mode()) == "show" else published_only(pkg)


def package_fingerprint(source: str | Path) -> str:
    """A cheap key that changes when a local package's files change (for caching in the app)."""
    source = str(source)
    if _is_url(source):
        return source
    folder = Path(source)
    folder = folder.parent if folder.name == MANIFEST else folder
    parts = []
    for path in sorted(folder.glob("*")):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
