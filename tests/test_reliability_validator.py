"""The validator never raises: every class of broken package, and random or mutated files and
manifests (hypothesis), give either "valid" or one FILE:ROW:COLUMN line per problem.

Figures for the README's reliability section are written to tests/artifacts/reliability/validator.json.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import data.package as package_module
from data import schema
from data.package import MANIFEST
from data.validate import main as validate_main
from tests.hostile import CASES, HOSTILE_STRINGS, SHIPPED, copy_package, read_rows, resource_files, write_rows

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "reliability"
# FILE:ROW:COLUMN: message. FILE and COLUMN hold no colon and no control character, so a line splits one way.
LINE = re.compile(r"^(?P<file>[^:\x00-\x1f\x7f]+):(?P<row>\d+|-):(?P<column>[^:\x00-\x1f\x7f]*): (?P<message>\S.*)$")
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
FIGURES: dict[str, int] = {}


def count(name: str, n: int = 1) -> None:
    FIGURES[name] = FIGURES.get(name, 0) + n


@pytest.fixture(scope="module", autouse=True)
def write_figures():
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "validator.json").write_text(json.dumps(FIGURES, indent=2), encoding="utf-8")


def run_validator(path: Path | str) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = validate_main([str(path)])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue().splitlines()


def file_lines(pkg: Path, name: str) -> int | None:
    try:
        return len((pkg / name).read_bytes().splitlines()) + 1  # \n, \r\n or a lone \r, as the CSV reader counts
    except (OSError, ValueError):
        return None


def check_outcome(pkg: Path):
    """The property every input must satisfy: load_package does not raise; the validator says 'valid'
    (one line, exit 0) or prints one well-formed FILE:ROW:COLUMN line per problem (exit 1); rows are
    real lines of the named file; a valid package has every table with its required values."""
    seen = []

    def spy(source):
        seen.append(real(source))  # must not raise
        return seen[-1]

    real, package_module.load_package = package_module.load_package, spy  # check once, see both views
    try:
        code, out = run_validator(pkg)
    finally:
        package_module.load_package = real
    assert "could not be checked" not in "\n".join(out), out[:3]
    package = seen[0]
    if not package.problems:
        assert code == 0 and len(out) == 1 and out[0].startswith("valid: "), out[:3]
        for name, res in schema.resources().items():
            frame = package.tables[name]
            for f in res["schema"]["fields"]:
                if f.get("constraints", {}).get("required"):
                    assert not frame[f["name"]].isna().any(), f"{name}.{f['name']}: a required value read as empty in a 'valid' package"
        return code, out, package
    assert code == 1
    assert len(out) == len(package.problems), "one line per problem, never a line broken in two"
    for line, problem in zip(out, package.problems, strict=True):
        m = LINE.match(line)
        assert m, f"not a FILE:ROW:COLUMN line: {line[:200]!r}"
        if problem.row is not None and problem.file != MANIFEST:
            n = file_lines(pkg, problem.file)
            assert n is None or 1 <= problem.row <= n, f"row {problem.row} is not a line of {problem.file} ({n} lines)"
    return code, out, package


# ---------------------------------------------------------------------------------------------
# Every failure class the validator knows


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_failure_class_gives_file_row_column_lines(tmp_path, case):
    pkg = copy_package(tmp_path / "pkg")
    file, pattern = case.mutate(pkg)
    code, out, package = check_outcome(pkg)
    assert code == 1
    assert any(re.search(pattern, line) for line in out), (pattern, out[:10])
    names = list(schema.resources()) if case.table == "*" else [case.table]
    for name in names:
        assert name in package.broken, f"{name} should be marked broken"
        with pytest.raises(Exception, match=name):
            package.table(name)
    if case.table != "*":  # a broken file does not take the sound ones with it
        assert len(package.tables) >= 10, sorted(package.broken)
    count("failure classes")


def test_validator_reports_the_whole_package_missing(tmp_path):
    code, out, _ = check_outcome(tmp_path / "nowhere")
    assert code == 1 and out == ["datapackage.json:-:-: file not found"]


# ---------------------------------------------------------------------------------------------
# Property-based: random and mutated inputs

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
CELL = st.one_of(TEXT, st.sampled_from(HOSTILE_STRINGS[:-1]), st.sampled_from(
    ["", " ", "-1", "0", "1e999", "NaN", "1,5", "٢٠٢٤", "２０２４", "2024.0", "+7", "true", "TRUE", "yes",
     "2025-02-30", "9999-12-31", "\"", "\"\"", "a,b", "line\nbreak", "\r", "\x00", "E09000001", "R1H", "ZZZ"]))
TABLES = sorted(schema.resources())


def _needs(name: str) -> set[str]:
    """A resource and every resource its foreign keys (and rules) point to, transitively."""
    res = schema.resources()
    out, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out.add(n)
        todo += [fk["reference"]["resource"] for fk in res[n]["schema"].get("foreignKeys", [])]
        if n in ("borough_measures", "area_benchmarks"):
            todo.append("measures")
    return out


class Workspace:
    """One copy of the shipped package per test; each example rewrites one file and restores it after."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="nel-hyp-")
        self.pkg = copy_package(Path(self._dir.name) / "pkg")
        self.original = {p.name: p.read_bytes() for p in self.pkg.iterdir()}

    def restore(self) -> None:
        for p in list(self.pkg.iterdir()):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.name not in self.original:
                p.unlink()
        for name, data in self.original.items():
            (self.pkg / name).write_bytes(data)

    def only(self, names: set[str]) -> None:
        """Declare only these resources in the manifest (the others are reported missing): quicker to check."""
        m = json.loads(self.original[MANIFEST])
        m["resources"] = [r for r in m["resources"] if r["name"] in names]
        (self.pkg / MANIFEST).write_text(json.dumps(m), encoding="utf-8")

    def close(self) -> None:
        self._dir.cleanup()


@contextlib.contextmanager
def workspace():
    ws = Workspace()
    try:
        yield ws
    finally:
        ws.close()


def test_random_bytes_in_any_file():
    with workspace() as ws:
        @settings(max_examples=150, **SETTINGS)
        @given(table=st.sampled_from(TABLES), data=st.one_of(
            st.binary(max_size=400),
            TEXT.map(lambda t: t.encode("utf-8")),
            st.lists(st.lists(CELL, max_size=12), max_size=8).map(
                lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass"))))
        def prop(table, data):
            try:
                ws.only(_needs(table))
                (ws.pkg / resource_files()[table]).write_bytes(data)
                check_outcome(ws.pkg)
                count("random files")
            finally:
                ws.restore()
        prop()


@st.composite
def mutations(draw):
    """A list of edits to a shipped CSV: set cells, drop/duplicate/add rows, rename/drop/add columns."""
    edit = st.one_of(
        st.tuples(st.just("cell"), st.integers(0, 10_000), st.integers(0, 20), CELL),
        st.tuples(st.just("drop_row"), st.integers(0, 10_000)),
        st.tuples(st.just("dup_row"), st.integers(0, 10_000)),
        st.tuples(st.just("short_row"), st.integers(0, 10_000), st.integers(0, 20)),
        st.tuples(st.just("rename_col"), st.integers(0, 20), CELL),
        st.tuples(st.just("drop_col"), st.integers(0, 20)),
        st.tuples(st.just("add_col"), CELL),
        st.tuples(st.just("empty_rows"),),
        st.tuples(st.just("bom_crlf"),),
    )
    return draw(st.lists(edit, min_size=1, max_size=6))


def apply_mutations(path: Path, edits) -> None:
    header, rows = read_rows(path)
    crlf = False
    for e in edits:
        kind = e[0]
        if kind == "cell" and rows:
            r = rows[e[1] % len(rows)]
            if r:
                r[e[2] % len(r)] = e[3]
        elif kind == "drop_row" and rows:
            rows.pop(e[1] % len(rows))
        elif kind == "dup_row" and rows:
            rows.append(list(rows[e[1] % len(rows)]))
        elif kind == "short_row" and rows:
            r = rows[e[1] % len(rows)]
            del r[e[2] % max(len(r), 1):]
        elif kind == "rename_col" and header:
            header[e[1] % len(header)] = e[2]
        elif kind == "drop_col" and header:
            i = e[1] % len(header)
            header.pop(i)
            for r in rows:
                if len(r) > i:
                    r.pop(i)
        elif kind == "add_col":
            header.append(e[1])
            for r in rows:
                r.append("x")
        elif kind == "empty_rows":
            rows = []
        elif kind == "bom_crlf":
            crlf = True
    write_rows(path, header, rows)
    if crlf:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))


def test_mutated_csv_files():
    with workspace() as ws:
        @settings(max_examples=150, **SETTINGS)
        @given(table=st.sampled_from(TABLES), edits=mutations())
        def prop(table, edits):
            try:
                ws.only(_needs(table))
                apply_mutations(ws.pkg / resource_files()[table], edits)
                check_outcome(ws.pkg)
                count("mutated files")
            finally:
                ws.restore()
        prop()


def test_mutated_csv_files_in_the_whole_package():
    """Fewer examples, but every resource declared: cross-file rules and foreign keys see the edits."""
    with workspace() as ws:
        @settings(max_examples=25, **SETTINGS)
        @given(edits=st.lists(st.tuples(st.sampled_from(["workforce", "wres", "borough_measures", "area_benchmarks",
                                                         "measures", "organisations", "sources", "staff_groups"]),
                                        mutations()), min_size=1, max_size=3))
        def prop(edits):
            try:
                for table, e in edits:
                    apply_mutations(ws.pkg / resource_files()[table], e)
                check_outcome(ws.pkg)
                count("mutated whole packages")
            finally:
                ws.restore()
        prop()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20)


def test_random_manifests():
    with workspace() as ws:
        resources = st.lists(st.one_of(
            JSON,
            st.fixed_dictionaries({"name": st.one_of(st.sampled_from(TABLES), JSON),
                                   "path": st.one_of(st.sampled_from(sorted(resource_files().values())), CELL, JSON,
                                                     st.sampled_from(["../x.csv", "/etc/passwd", "https://a.invalid/x.csv",
                                                                      "sub/../../x.csv", "a\\b.csv", ".", "", "pkg",
                                                                      "datapackage.json", "a:b.csv", "x\n.csv"]))}),
        ), max_size=6)

        @settings(max_examples=150, **SETTINGS)
        @given(doc=st.one_of(JSON, st.fixed_dictionaries({"resources": resources}),
                             st.dictionaries(TEXT, JSON, max_size=3).map(lambda d: {**d, "resources": d.get("resources", [])})),
               raw=st.one_of(st.none(), st.binary(max_size=200), TEXT))
        def prop(doc, raw):
            try:
                data = (json.dumps(doc).encode() if raw is None
                        else raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
                (ws.pkg / MANIFEST).write_bytes(data)
                check_outcome(ws.pkg)
                count("random manifests")
            finally:
                ws.restore()
        prop()


def test_mutated_shipped_manifest():
    with workspace() as ws:
        shipped = json.loads(ws.original[MANIFEST])
        n = len(shipped["resources"])

        @settings(max_examples=25, **SETTINGS)
        @given(edits=st.lists(st.tuples(st.integers(0, n - 1),
                                        st.sampled_from(["drop", "dup", "rename", "repath", "nopath", "schema", "notdict"]),
                                        st.one_of(CELL, JSON)), min_size=1, max_size=4))
        def prop(edits):
            try:
                m = json.loads(ws.original[MANIFEST])
                res = m["resources"]
                for i, kind, value in edits:
                    if not res:
                        break
                    i %= len(res)
                    if kind == "drop":
                        res.pop(i)
                    elif kind == "dup":
                        res.append(dict(res[i]) if isinstance(res[i], dict) else res[i])
                    elif kind == "rename" and isinstance(res[i], dict):
                        res[i]["name"] = value
                    elif kind == "repath" and isinstance(res[i], dict):
                        res[i]["path"] = value
                    elif kind == "nopath" and isinstance(res[i], dict):
                        res[i].pop("path", None)
                    elif kind == "schema" and isinstance(res[i], dict):
                        res[i]["schema"] = value  # the canonical schema is used: a package cannot loosen it
                    elif kind == "notdict":
                        res[i] = value
                (ws.pkg / MANIFEST).write_text(json.dumps(m), encoding="utf-8")
                check_outcome(ws.pkg)
                count("mutated manifests")
            finally:
                ws.restore()
        prop()


def test_a_package_cannot_loosen_its_own_schema(tmp_path):
    """The manifest's embedded schema is ignored: a package that drops a constraint is still checked."""
    pkg = copy_package(tmp_path / "pkg")
    m = json.loads((pkg / MANIFEST).read_text(encoding="utf-8"))
    for res in m["resources"]:
        if res["name"] == "remi":
            for f in res["schema"]["fields"]:
                f.pop("constraints", None)
    (pkg / MANIFEST).write_text(json.dumps(m), encoding="utf-8")
    path = pkg / "remi.csv"
    header, rows = read_rows(path)
    rows[0][header.index("stage")] = "9"
    write_rows(path, header, rows)
    code, out, _ = check_outcome(pkg)
    assert code == 1 and any(re.match(r"^remi\.csv:2:stage: out of range: 9 is above the maximum 6$", line) for line in out)


def test_shipped_package_passes_the_property():
    code, out, _ = check_outcome(SHIPPED)
    assert code == 0


# ---------------------------------------------------------------------------------------------
# The app on a broken package: every page loads; pages that need the broken table say so in plain
# English, naming the file and the problem; the others draw exactly what they draw on a sound package.

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.site import PAGES  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGE_FILES = [f for f, _ in PAGES.values()] + ["pages/present.py"]
# The tables each page asks for by name (read from the page files): a break in one must be named there.
NEEDS = {
    "pages/overview.py": {"sources", "boroughs", "population", "ethnic_groups", "area_benchmarks", "workforce",
                          "staff_groups", "organisations"},
    "pages/boroughs.py": {"boroughs", "population", "ethnic_groups", "measures", "borough_measures", "sources"},
    "pages/workforce.py": {"organisations", "sources", "workforce", "staff_groups", "wres", "wres_indicators"},
    "pages/remi.py": {"remi", "remi_domains", "remi_stages", "organisations", "sources"},
    "pages/trust.py": {"organisations", "sources", "workforce", "staff_groups", "wres", "wres_indicators"},
    "pages/strategy.py": {"pillars", "commitments", "sources"},
    "pages/outcomes.py": {"outcomes", "ethnic_groups", "sources"},
}
PYTHON_TEXT = re.compile(r"Traceback|File \"|\b\w+(Error|Exception)\b|\bNoneType\b|object has no attribute|<module>")
# One failure class per table (every table is broken once), and a manifest that breaks them all.
APP_CASES = [c for i, c in enumerate(CASES) if c.table != "*" and c.table not in {d.table for d in CASES[:i]}]
APP_CASES += [c for c in CASES if c.name == "manifest not JSON"]


def walk(at: AppTest):
    """Every page in turn (the first run shows the overview), yielding the page file after each run."""
    for page in PAGE_FILES:
        if page != "pages/overview.py":
            at.switch_page(page).run()
        yield page


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info", "error",
                                  "success", "code") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def baseline_charts():
    mp = pytest.MonkeyPatch()
    mp.setenv("NEL_DATA", str(SHIPPED))
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        return {page: len(at.get("plotly_chart")) for page in walk(at)}
    finally:
        mp.undo()


@pytest.mark.parametrize("case", APP_CASES, ids=[f"{c.table if c.table != '*' else 'all'}: {c.name}" for c in APP_CASES])
def test_a_broken_package_never_takes_the_site_down(tmp_path, monkeypatch, baseline_charts, case):
    pkg = copy_package(tmp_path / "pkg")
    case.mutate(pkg)
    _, _, package = check_outcome(pkg)
    assert package.broken
    monkeypatch.setenv("NEL_DATA", str(pkg))
    at = AppTest.from_file(APP, default_timeout=120).run()
    for page in walk(at):
        assert not at.exception, (page, [e.value[:300] for e in at.exception])
        assert len(at.title) == 1, page
        text = page_text(at)
        assert not PYTHON_TEXT.search(text), (page, PYTHON_TEXT.search(text).group(0))
        notices = [n.value for n in [*at.warning, *at.info, *at.error]]
        named = {t for t, problems in package.broken.items()
                 if any("failed its checks" in n and str(problems[0]) in n for n in notices)}
        for t in named:  # the notice names the file (in the problem line) in words a reader can act on
            assert any(package.broken[t][0].file in n and package.broken[t][0].message in n for n in notices)
        if page == "pages/data.py":  # the About the data page lists every problem as FILE:ROW:COLUMN
            listing = "\n".join(c.value for c in at.code)
            assert all(str(p)[:500] in listing for p in package.problems[:500]), page
            continue
        missing = (NEEDS.get(page, set()) & set(package.broken)) - named
        if missing:
            raise AssertionError(f"{page} needs {sorted(missing)} but shows no notice naming the file: {notices}")
        if not named:  # nothing it needs is broken: it works as normal
            assert len(at.get("plotly_chart")) == baseline_charts[page], page
        if page != "pages/present.py":
            assert any("failed their checks" in w.value for w in at.warning), "the site-wide notice is shown"
    count("app cases (package x every page)")
