"""Read a data package from a folder or an http(s) URL, check it and return typed, suppressed frames.

This is the one place where package files are read. It never raises on bad data: every problem
becomes a :class:`~data.checks.Problem` naming the file, the 1-based line in that file and the
column (the checks themselves are in ``data.checks``), and the tables that are still sound stay
usable, so one broken file does not take down the pages that do not need it.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from data import schema as canonical_schema
from data.checks import (
    Collector,
    Problem,
    check_foreign_keys,
    check_primary_key,
    check_rules,
    check_table,
    decode_csv,
    header_problems,
    parse_csv,
    rows_of_header_width,
)
from data.suppression import apply_suppression

MANIFEST = "datapackage.json"
MAX_FILE_BYTES = 50 * 1024 * 1024
URL_TIMEOUT_SECONDS = 15
ILLUSTRATIVE_SETTING = "NEL_ILLUSTRATIVE"  # "show" (the demo) or "hide" (published figures only)
ILLUSTRATIVE_SOURCE = "illustrative"


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


def illustrative_mode(environ: Mapping[str, str] | None = None) -> str:
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


class FileReader(Protocol):
    def read(self, relpath: str) -> bytes: ...


def _is_url(source: str) -> bool:
    return urllib.parse.urlparse(str(source)).scheme in ("http", "https")


class Reader:
    """Reads files relative to a package's datapackage.json, from disk or over http(s)."""

    def __init__(self, source: str):
        self.source = str(source)
        self.is_url = _is_url(self.source)
        self.manifest_url = self.source if self.source.endswith(MANIFEST) else self.source.rstrip("/") + "/" + MANIFEST
        path = Path(self.source)
        self.folder = path.parent if path.name == MANIFEST else path

    def read(self, relpath: str) -> bytes:
        if self.is_url:
            url = urllib.parse.urljoin(self.manifest_url, relpath)
            with urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
                data = response.read(MAX_FILE_BYTES + 1)
        else:
            target = self.folder / relpath
            if target.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = target.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise OSError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
        return data


def safe_relative(path: object) -> bool:
    """A resource path that stays inside the package: relative, no '..' out of it, not a URL."""
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
# Loading


def _manifest(reader: FileReader) -> tuple[dict | None, bytes, list[Problem]]:
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


def _declared_paths(manifest: dict, problems: list[Problem]) -> dict[str, str]:
    """Resource name -> path, for the manifest's resources with a name and a path inside the package."""
    declared: dict[str, str] = {}
    for i, res in enumerate(manifest["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            problems.append(Problem(MANIFEST, None, f"resources[{i}]", "resource has no name"))
            continue
        if not safe_relative(res.get("path")):
            problems.append(Problem(MANIFEST, None, f"resources[{i}].path",
                                    f"resource '{res['name']}' needs a relative path inside the package, "
                                    f"found {str(res.get('path'))[:60]!r}"))
            continue
        declared[res["name"]] = res["path"]
    return declared


def _read_table(reader: FileReader, path: str, res: dict, digest: hashlib._Hash,
                out: Collector) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """One resource's file as strings and as checked, typed values (None if it cannot be parsed)."""
    try:
        data = reader.read(path)
    except Exception as exc:  # noqa: BLE001
        out.add(Problem(path, None, None, _read_error(exc)))
        return None
    digest.update(path.encode() + b"\0" + data)
    text, decode_problems = decode_csv(path, data)
    out.add_all(decode_problems)
    if text is None:
        return None
    header, rows, lines, parse_problems = parse_csv(path, text)
    out.add_all(parse_problems)
    fields = res["schema"]["fields"]
    out.add_all(header_problems(path, header, [f["name"] for f in fields]))
    good_rows, good_lines, width_problems = rows_of_header_width(path, header, rows, lines)
    out.add_all(width_problems, "width")
    frame = pd.DataFrame(good_rows, columns=header, dtype="string").fillna("")
    frame = frame.loc[:, ~frame.columns.duplicated()]
    line_arr = np.asarray(good_lines, dtype=int)
    typed = check_table(path, fields, frame, line_arr, out)
    check_primary_key(path, res["schema"].get("primaryKey", []), frame, line_arr, out)
    return frame, typed


def _broken_tables(problems: list[Problem], spec: Mapping[str, dict], file_of: Mapping[str, str]) -> dict[str, list[Problem]]:
    """The tables a problem makes unusable: a manifest problem breaks every table it left without a file."""
    broken: dict[str, list[Problem]] = {}
    names_of: dict[str, list[str]] = {}   # a manifest may name one file for two tables: a problem breaks both
    for name, path in file_of.items():
        names_of.setdefault(path, []).append(name)
    for p in problems:
        if p.file == MANIFEST:
            for name in spec:
                if name not in file_of:
                    broken.setdefault(name, []).append(p)
        for name in names_of.get(p.file, []):
            broken.setdefault(name, []).append(p)
    return broken


def load_package(source: str | Path, reader: FileReader | None = None) -> Package:
    """Read, check and suppress a package. Never raises for bad data: see Package.problems.

    ``reader`` (anything with ``read(relpath) -> bytes``) reads the files instead of the folder or URL
    ``source``, for example a publisher's upload held in memory (data/package_files.py)."""
    source = str(source)
    reader = reader or Reader(source)
    manifest, manifest_bytes, problems = _manifest(reader)
    digest = hashlib.sha256(manifest_bytes)
    spec = canonical_schema.resources()
    if manifest is None:
        return Package(source, digest.hexdigest()[:16], {}, {}, problems, {n: problems for n in spec})

    declared = _declared_paths(manifest, problems)
    out = Collector()
    raw_tables: dict[str, pd.DataFrame] = {}
    typed: dict[str, pd.DataFrame] = {}
    file_of: dict[str, str] = {}
    for name, res in spec.items():
        if name not in declared:
            out.add(Problem(MANIFEST, None, "resources", f"the package has no '{name}' resource ({res['path']})"))
            continue
        file_of[name] = declared[name]
        read = _read_table(reader, declared[name], res, digest, out)
        if read is not None:
            raw_tables[name], typed[name] = read
    check_rules(spec, typed, file_of, out)
    check_foreign_keys(spec, raw_tables, typed, file_of, out)

    problems += out.finish()
    broken = _broken_tables(problems, spec, file_of)
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
