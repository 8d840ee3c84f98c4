"""The checks every package file goes through: parsing one CSV file, its header and row widths, the
Table Schema's types and constraints, primary and foreign keys, and the rules Table Schema cannot
express. Each problem is a :class:`Problem` naming the file, the 1-based line in that file and the
column.

Used by the loader (``data.package.load_package``) and by a publisher's submission
(``data.submission_read``, ``data.submission``), so both say the same thing about the same row.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MAX_REPORTED_PER_CHECK = 20  # per file, column and kind of problem; the rest are counted in one line
TRUE_VALUES = {"true", "True", "TRUE", "1"}
FALSE_VALUES = {"false", "False", "FALSE", "0"}
TYPE_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "date": "a date (YYYY-MM-DD)"}
FK_WORDS = {"organisations": "organisation", "boroughs": "borough", "sources": "source"}
# How to put each kind of code right, for publishers: the schema's patterns in words, with an example.
PATTERN_WORDS = {
    "[a-z0-9-]+": "use lower-case letters, digits and hyphens only, e.g. wres-2024-report",
    r"https?://[^\s]+": "give a web address that starts with http:// or https:// and has no spaces",
    "E09[0-9]{6}": "give the London borough's ONS code: E09 and six digits, e.g. E09000025 for Newham",
    "[A-Z0-9]{3,5}": "give the organisation's ODS code: 3 to 5 capital letters or digits, e.g. R1H",
    "[EKW]9[0-9]{7}": "give the area's ONS code: E, K or W, then 9 and seven digits, e.g. E92000001 for England",
}
FK_FIX = {"sources": "add a row for it to {file} (title, publisher, address, licence) or use a source_id {file} already has",
          "organisations": "use an ODS code listed in {file} (e.g. R1H), or ask the data team to add your organisation",
          "boroughs": "use one of the 33 London boroughs' codes in {file}"}
# OWASP's CSV-injection list: a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_STARTS = {"=": "'='", "+": "'+'", "-": "'-'", "@": "'@'", "\t": "a tab", "\r": "a carriage return"}


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


class Collector:
    """Collects problems, reporting at most MAX_REPORTED_PER_CHECK of each kind per file and column."""

    def __init__(self) -> None:
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

    def add_all(self, problems: Iterable[Problem], kind: str = "") -> None:
        for problem in problems:
            self.add(problem, kind)

    def add_rows(self, name: str, column: str | None, lines: np.ndarray, messages: Iterable[str], kind: str) -> None:
        for line, message in zip(lines, messages, strict=True):
            self.add(Problem(name, int(line), column, message), kind)

    def finish(self) -> list[Problem]:
        for (file, column, kind), extra in self._overflow.items():
            self.problems.append(Problem(file, None, column, f"{extra} more rows with the same problem ({kind})"))
        return self.problems


# ---------------------------------------------------------------------------------------------
# Parsing one CSV file into strings, with the line number of each record


def decode_csv(name: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """The file's text (UTF-8, a byte-order mark dropped), or None and why it cannot be read as CSV."""
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


def parse_csv(name: str, text: str) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """The header, the data records, each record's first line in the file, and a malformed-CSV problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    header: list[str] = []
    last_line = 0
    seen: dict[str, str] = {}  # one string object per distinct value: a table repeats most of its cells
    try:
        for record in reader:
            record = [seen.setdefault(cell, cell) for cell in record]
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
# The header and the rows' widths


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


def rows_of_header_width(path: str, header: Sequence[str], rows: list[list[str]],
                         lines: list[int]) -> tuple[list[list[str]], list[int], list[Problem]]:
    """The rows with as many cells as the header (and their lines), and a problem for each other row."""
    good_rows, good_lines, problems = [], [], []
    for record, line in zip(rows, lines, strict=True):
        if len(record) != len(header):
            problems.append(Problem(path, line, None, f"row has {len(record)} cells but the header has {len(header)}"))
        else:
            good_rows.append(record)
            good_lines.append(line)
    return good_rows, good_lines, problems


# ---------------------------------------------------------------------------------------------
# Checking fields against the Table Schema


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


def _check_constraints(path: str, col: str, ftype: str, cons: Mapping[str, Any], raw: pd.Series, values: pd.Series,
                       valid: np.ndarray, lines: np.ndarray, out: Collector) -> None:
    """One column's enum, pattern, minimum, maximum and unique constraints, over its well-typed cells."""
    if "enum" in cons:
        idx = np.flatnonzero(valid & ~raw.isin(cons["enum"]).to_numpy())
        allowed = ", ".join(map(str, cons["enum"]))
        out.add_rows(path, col, lines[idx], [f"unknown value {raw.iat[i][:40]!r}: expected one of {allowed}" for i in idx], "enum")
    if "pattern" in cons:
        idx = np.flatnonzero(valid & ~raw.str.fullmatch(cons["pattern"]).fillna(False).to_numpy())
        fix = PATTERN_WORDS.get(str(cons["pattern"]), "see the data dictionary for this column's form")
        out.add_rows(path, col, lines[idx], [f"value {raw.iat[i][:40]!r} is not in the expected form: {fix}" for i in idx],
                     "pattern")
    if ftype in ("integer", "number"):
        nums = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        for bound, cmp, word in (("minimum", np.less, "below the minimum"), ("maximum", np.greater, "above the maximum")):
            if bound in cons:
                idx = np.flatnonzero(valid & cmp(np.nan_to_num(nums, nan=cons[bound]), cons[bound]))
                out.add_rows(path, col, lines[idx], [f"out of range: {_fmt(nums[i])} is {word} {_fmt(cons[bound])}" for i in idx], "range")
    if cons.get("unique"):
        idx = np.flatnonzero(valid & raw.duplicated(keep="first").to_numpy())
        out.add_rows(path, col, lines[idx], [f"duplicate value {raw.iat[i][:40]!r}: must be unique" for i in idx], "unique")


def check_table(path: str, fields: list[dict], frame: pd.DataFrame, lines: np.ndarray, out: Collector) -> pd.DataFrame:
    """The table typed as its schema says, with each row's line in ``_line``; every problem goes to ``out``."""
    typed = {}
    for f in fields:
        col, ftype, cons = f["name"], f.get("type", "string"), f.get("constraints", {})
        if col not in frame:
            continue
        raw = frame[col]
        values, bad = _convert(raw, ftype)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            out.add_rows(path, col, lines[idx], [f"wrong type: expected {TYPE_WORDS[ftype]}, found {raw.iat[i][:40]!r}" for i in idx],
                         "type")
        empty = (raw == "").to_numpy()
        if cons.get("required") and empty.any():
            idx = np.flatnonzero(empty)
            out.add_rows(path, col, lines[idx], [f"required value is missing: fill in {col}"] * len(idx), "required")
        _check_constraints(path, col, ftype, cons, raw, values, ~empty & ~bad.to_numpy(), lines, out)
        if ftype == "string":
            check_formulas(path, col, raw, lines, out)
        typed[col] = values
    result = pd.DataFrame(typed, index=frame.index)
    result["_line"] = lines
    return result


def check_formulas(path: str, col: str, raw: pd.Series, lines: np.ndarray, out: Collector) -> None:
    """Text that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first): refused, so no
    package holds one. Only text columns: -10.5 in a number column is a number."""
    first = raw.str[:1]
    idx = np.flatnonzero(first.isin(list(FORMULA_STARTS)).fillna(False).to_numpy(dtype=bool))
    out.add_rows(path, col, lines[idx], [formula_message(raw.iat[i]) for i in idx], "formula")


def formula_message(value: str) -> str:
    lead = FORMULA_STARTS[value[:1]]
    return (f"text {value[:40]!r} starts with {lead}, so a spreadsheet would run it as a formula: remove the "
            f"leading {lead.strip(chr(39)).removeprefix('a ')}")


def check_primary_key(path: str, key: list[str], raw: pd.DataFrame, lines: np.ndarray, out: Collector) -> None:
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


def check_foreign_keys(spec: Mapping[str, dict], raw_tables: Mapping[str, pd.DataFrame], typed: Mapping[str, pd.DataFrame],
                       file_of: Mapping[str, str], out: Collector) -> None:
    """Codes that are not in the table they refer to (checked only where both tables could be read)."""
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
            where = file_of.get(target, target)
            fix = FK_FIX.get(target, "use a value listed in {file}").format(file=where)
            for i in np.flatnonzero(off):
                out.add(Problem(file_of[name], int(lines[i]), col,
                                f"unknown {word} {values.iat[i][:40]!r} (not in {where}): {fix}"), "fk")


# ---------------------------------------------------------------------------------------------
# Rules that Table Schema cannot express, per resource.


def _rule_counts(path: str, t: pd.DataFrame, out: Collector, part: str, whole: str, label_part: str, label_whole: str) -> None:
    both = t[part].notna() & t[whole].notna()
    over = (both & (t[part] > t[whole])).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(over):
        out.add(Problem(path, int(t["_line"].iat[i]), part,
                        f"{label_part} ({t[part].iat[i]}) is more than {label_whole} ({t[whole].iat[i]})"), "numerator")
    one = (t[part].isna() != t[whole].isna()).to_numpy()
    for i in np.flatnonzero(one):
        out.add(Problem(path, int(t["_line"].iat[i]), part if t[part].isna().iat[i] else whole,
                        f"{part} and {whole} must both be given or both be empty"), "pair")


def _value_problems(path: str, t: pd.DataFrame, out: Collector, off: pd.Series, message: str, kind: str) -> None:
    """A problem on the value column of each row in ``off``; ``message`` ends where the value goes."""
    for i in np.flatnonzero(off.fillna(False).to_numpy(dtype=bool)):
        out.add(Problem(path, int(t["_line"].iat[i]), "value", f"{message}, found {t['value'].iat[i]:g}"), kind)


def _rule_workforce(path: str, t: pd.DataFrame, out: Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    _rule_counts(path, t, out, "gm_headcount", "total_headcount", "global-majority headcount", "total headcount")
    counts = t["total_headcount"].notna()
    pct = t["gm_percent"].notna()
    for i in np.flatnonzero((counts & pct).to_numpy()):
        out.add(Problem(path, int(t["_line"].iat[i]), "gm_percent", "give either the headcounts or gm_percent, not both"), "either")
    for i in np.flatnonzero((~counts & ~pct).to_numpy()):
        out.add(Problem(path, int(t["_line"].iat[i]), "gm_percent", "no figure: give the headcounts or gm_percent"), "neither")


def _rule_wres(path: str, t: pd.DataFrame, out: Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    _rule_counts(path, t, out, "numerator", "denominator", "numerator", "denominator")
    pct = (t["unit"] == "percent").fillna(False)
    _value_problems(path, t, out, pct & ((t["value"] < 0) | (t["value"] > 100)), "out of range: a percentage must be 0 to 100", "pct")
    _value_problems(path, t, out, (t["unit"] == "ratio") & (t["value"] < 0), "out of range: a ratio cannot be negative", "ratio")


def _rule_measure_values(path: str, t: pd.DataFrame, out: Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    measures = tables.get("measures")
    if measures is None:
        return
    units = dict(zip(measures["measure_id"].astype(str), measures["unit"].astype(str), strict=True))
    unit = t["measure_id"].astype(str).map(units)
    _value_problems(path, t, out, (unit == "percent") & ((t["value"] < 0) | (t["value"] > 100)),
                    "out of range: a percentage must be 0 to 100", "pct")
    _value_problems(path, t, out, (unit == "count") & (t["value"] < 0), "out of range: a count cannot be negative", "count")


def _rows_where(path: str, t: pd.DataFrame, out: Collector, off: pd.Series, column: str, message: str) -> None:
    for i in np.flatnonzero(off.fillna(False).to_numpy(dtype=bool)):
        out.add(Problem(path, int(t["_line"].iat[i]), column, message), message)


OUTCOME_GROUPS = ("all", "unknown")  # besides the ethnic groups of ethnic_groups.csv


def _rule_outcomes(path: str, t: pd.DataFrame, out: Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    if "ethnic_groups" in tables:
        known = {*tables["ethnic_groups"]["ethnic_group"].astype(str), *OUTCOME_GROUPS}
        _rows_where(path, t, out, ~t["group"].astype(str).isin(known), "group",
                    "unknown group: expected an ethnic_group of ethnic_groups.csv, 'all' or 'unknown'")
    rate = t["rate"].notna()
    _rows_where(path, t, out, ~rate & t["count"].isna(), "count", "no figure: give a count, a rate or both")
    for col in ("rate_kind", "rate_per"):
        _rows_where(path, t, out, rate != t[col].notna(), col, f"rate and {col} must both be given or both be empty")
    interval = t["lower"].notna() | t["upper"].notna()
    _rows_where(path, t, out, interval & (t["lower"].isna() | t["upper"].isna() | ~rate), "lower",
                "an interval needs both lower and upper, and a rate")
    _rows_where(path, t, out, interval & ((t["lower"] > t["rate"]) | (t["rate"] > t["upper"])), "rate",
                "the rate must lie between lower and upper")


Rule = Callable[[str, pd.DataFrame, Collector, Mapping[str, pd.DataFrame]], None]
RULES: dict[str, Rule] = {"workforce": _rule_workforce, "wres": _rule_wres,
                          "borough_measures": _rule_measure_values, "area_benchmarks": _rule_measure_values,
                          "outcomes": _rule_outcomes}


def check_rules(spec: Mapping[str, dict], typed: Mapping[str, pd.DataFrame], file_of: Mapping[str, str], out: Collector) -> None:
    """The per-resource rules, on tables that have every column (a missing one is already reported)."""
    complete = {n: t for n, t in typed.items() if all(f["name"] in t for f in spec[n]["schema"]["fields"])}
    for name, rule in RULES.items():
        if name in complete:
            rule(file_of[name], complete[name], out, complete)
