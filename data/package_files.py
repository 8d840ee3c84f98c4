"""A package's files held in memory: loaded by the one loader, and read as raw rows kept byte for byte.

The current package (:class:`Current`) is what a publisher's submission is merged over
(``data.submission``); a table's rows are read as :class:`RawTable`, each with its original text, so
rows a merge does not change are written back exactly as they were.
"""
from __future__ import annotations

import contextlib
import io
import json
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from data.checks import decode_csv, parse_csv
from data.package import ILLUSTRATIVE_SOURCE, MANIFEST, MAX_FILE_BYTES, Package, Reader, illustrative_mode, load_package, safe_relative


class _MemoryReader:
    def __init__(self, files: Mapping[str, bytes]):
        self.files = files

    def read(self, relpath: str) -> bytes:
        key = posixpath.normpath(relpath)
        if key not in self.files:
            raise FileNotFoundError(relpath)
        data = self.files[key]
        if len(data) > MAX_FILE_BYTES:
            raise OSError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB")
        return data


def load_files(files: Mapping[str, bytes], source: str = "upload") -> Package:
    """``load_package`` over files held in memory ({relative path: bytes}, with datapackage.json)."""
    files = {posixpath.normpath(k): v for k, v in files.items()}
    return load_package(source, reader=_MemoryReader(files))


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

    def record_lines(self) -> list[int]:
        """The line in the file on which each record starts."""
        starts, line = [], line_count(self.prefix) + 1
        for text in self.texts:
            starts.append(line)
            line += line_count(text)
        return starts


def _split_records(text: str, lines: list[int]) -> tuple[str, list[str]]:
    """The header's text and each record's original text (a record runs to the next record's first line)."""
    physical = io.StringIO(text, newline="").readlines()
    starts = list(lines) + [len(physical) + 1]
    prefix = "".join(physical[: (lines[0] - 1) if lines else len(physical)])
    texts = ["".join(physical[starts[i] - 1: starts[i + 1] - 1]) for i in range(len(lines))]
    return prefix, texts


def raw_table(path: str, data: bytes) -> RawTable | None:
    text, problems = decode_csv(path, data)
    if text is None:
        return None
    header, rows, lines, problems = parse_csv(path, text)
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
        reader = Reader(str(source))
        manifest_bytes = reader.read(MANIFEST)
        manifest = json.loads(manifest_bytes.decode("utf-8-sig"))
        files = {MANIFEST: manifest_bytes}
        paths = {}
        for res in manifest.get("resources", []):
            if isinstance(res, dict) and isinstance(res.get("name"), str) and safe_relative(res.get("path")):
                paths[res["name"]] = posixpath.normpath(res["path"])
                with contextlib.suppress(Exception):  # the loader reports a missing file
                    files[paths[res["name"]]] = reader.read(res["path"])
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
                        if r[i] != ILLUSTRATIVE_SOURCE and r[g] != "illustrative"]
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
    return illustrative_mode() != "show"


def line_count(text: str) -> int:
    """The lines a record's text takes in the file (at least one)."""
    return max(1, len(io.StringIO(text, newline="").readlines()))
