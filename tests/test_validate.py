"""The validator: the shipped package passes; every class of bad input gets FILE:ROW:COLUMN lines, exit 1."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data.package import load_package
from data.validate import main as validate_main

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"
LINE = re.compile(r"^[^:\s][^:]*:(\d+|-):[^:]*: .+$")


@pytest.fixture
def pkg(tmp_path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(SHIPPED, target)
    return target


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell (line is the 1-based line in the file; line 1 is the header)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    import csv
    import io

    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[line - 1]]))
    cells[header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[line - 1] = buf.getvalue()
    path.write_text("\n".join(lines), encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if text.startswith(prefix):
            return i
    raise AssertionError(f"{prefix!r} not in {path}")


def run(path, capsys) -> tuple[int, list[str]]:
    code = validate_main([str(path)])
    out = capsys.readouterr().out.strip().splitlines()
    return code, out


def test_shipped_package_is_valid(capsys):
    code, out = run(SHIPPED, capsys)
    assert code == 0
    assert len(out) == 1 and out[0].startswith("valid: ")


def test_cli_exit_codes_and_no_traceback(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "data.validate", "data/nel"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.count("\n") == 1
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    (bad_dir / "datapackage.json").write_text("{not json", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "data.validate", str(bad_dir)], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    assert bad.stdout.splitlines()[0].startswith("datapackage.json:1:-: not valid JSON")
    usage = subprocess.run([sys.executable, "-m", "data.validate"], cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode == 2


def expect(pkg, capsys, *patterns: str) -> list[str]:
    code, out = run(pkg, capsys)
    assert code == 1, out
    assert all(LINE.match(line) for line in out), [line for line in out if not LINE.match(line)]
    for pattern in patterns:
        assert any(re.search(pattern, line) for line in out), (pattern, out)
    return out


def test_missing_file(pkg, capsys):
    (pkg / "wres.csv").unlink()
    expect(pkg, capsys, r"^wres\.csv:-:-: file not found$")


def test_unreadable_file(pkg, capsys):
    (pkg / "remi.csv").unlink()
    (pkg / "remi.csv").mkdir()
    expect(pkg, capsys, r"^remi\.csv:-:-: expected a file, found a folder$")


def test_empty_file(pkg, capsys):
    (pkg / "pillars.csv").write_bytes(b"")
    expect(pkg, capsys, r"^pillars\.csv:-:-: file is empty")


def test_not_utf8(pkg, capsys):
    path = pkg / "organisations.csv"
    data = path.read_bytes().replace("Barts Health NHS Trust".encode(), "Barts H\xe9alth NHS Trust".encode("latin-1"))
    path.write_bytes(data)
    expect(pkg, capsys, rf"^organisations\.csv:{line_of_bytes(data, b'R1H')}:-: bytes are not valid UTF-8")


def line_of_bytes(data: bytes, marker: bytes) -> int:
    return data[: data.index(marker)].count(b"\n") + 1


def test_bom_and_crlf_are_accepted(pkg, capsys):
    for path in pkg.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    code, out = run(pkg, capsys)
    assert code == 0, out


def test_missing_and_unexpected_columns(pkg, capsys):
    path = pkg / "boroughs.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("gss_code,name,in_nel,source_id", "gss_code,borough,in_nel,source_id", 1), encoding="utf-8")
    expect(pkg, capsys, r"^boroughs\.csv:1:name: missing column$", r"^boroughs\.csv:1:borough: unexpected column")


def test_wrong_type(pkg, capsys):
    path = pkg / "population.csv"
    edit_csv(path, 3, "count", "lots")
    expect(pkg, capsys, r"^population\.csv:3:count: wrong type: expected a whole number, found 'lots'$")


def test_percentage_out_of_range(pkg, capsys):
    path = pkg / "workforce.csv"
    line = line_of(path, "ENG,2022,all_staff")
    edit_csv(path, line, "gm_percent", "124.2")
    expect(pkg, capsys, rf"^workforce\.csv:{line}:gm_percent: out of range: 124\.2 is above the maximum 100$")


def test_wres_percentage_out_of_range(pkg, capsys):
    path = pkg / "wres.csv"
    line = line_of(path, "ENG,2024,6,global_majority")
    edit_csv(path, line, "value", "-3")
    expect(pkg, capsys, rf"^wres\.csv:{line}:value: out of range: a percentage must be 0 to 100")


def test_negative_count(pkg, capsys):
    path = pkg / "population.csv"
    edit_csv(path, 2, "count", "-5")
    expect(pkg, capsys, r"^population\.csv:2:count: out of range: -5 is below the minimum 0$")


def test_numerator_above_denominator(pkg, capsys):
    path = pkg / "workforce.csv"
    line = line_of(path, "R1H,2020,bands_1_4")
    edit_csv(path, line, "gm_headcount", "999999")
    expect(pkg, capsys, rf"^workforce\.csv:{line}:gm_headcount: global-majority headcount \(999999\) is more than total headcount")
    wres = pkg / "wres.csv"
    wline = line_of(wres, "RQX,2024,4,white")
    edit_csv(wres, wline, "numerator", "5000")
    expect(pkg, capsys, rf"^wres\.csv:{wline}:numerator: numerator \(5000\) is more than denominator")


def test_remi_stage_out_of_range(pkg, capsys):
    path = pkg / "remi.csv"
    edit_csv(path, 2, "stage", "7")
    expect(pkg, capsys, r"^remi\.csv:2:stage: out of range: 7 is above the maximum 6$")


def test_year_out_of_range(pkg, capsys):
    path = pkg / "workforce.csv"
    edit_csv(path, 2, "year", "1999")
    expect(pkg, capsys, r"^workforce\.csv:2:year: out of range: 1999 is below the minimum 2000$")


def test_duplicate_primary_key(pkg, capsys):
    path = pkg / "boroughs.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines.append(lines[3])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expect(pkg, capsys, rf"^boroughs\.csv:{len(lines)}:gss_code: duplicate")


@pytest.mark.parametrize("file,column,value,word", [
    ("workforce.csv", "ods_code", "ZZZ", "organisation"),
    ("population.csv", "gss_code", "E09000099", "borough"),
    ("remi.csv", "source_id", "made-up", "source"),
])
def test_unknown_foreign_keys(pkg, capsys, file, column, value, word):
    edit_csv(pkg / file, 2, column, value)
    expect(pkg, capsys, rf"^{re.escape(file)}:2:{column}: unknown {word} '{value}'")


def test_unknown_status(pkg, capsys):
    edit_csv(pkg / "wres.csv", 2, "status", "estimated")
    expect(pkg, capsys, r"^wres\.csv:2:status: unknown value 'estimated': expected one of published, illustrative$")


def test_manifest_not_json(pkg, capsys):
    (pkg / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    expect(pkg, capsys, r"^datapackage\.json:1:-: not valid JSON")


def test_manifest_names_missing_file(pkg, capsys):
    manifest = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in manifest["resources"]:
        if res["name"] == "workforce":
            res["path"] = "workforce-2025.csv"
    (pkg / "datapackage.json").write_text(json.dumps(manifest), encoding="utf-8")
    expect(pkg, capsys, r"^workforce-2025\.csv:-:-: file not found$")


def test_manifest_path_outside_package(pkg, capsys):
    manifest = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    manifest["resources"][0]["path"] = "../../etc/passwd"
    (pkg / "datapackage.json").write_text(json.dumps(manifest), encoding="utf-8")
    expect(pkg, capsys, r"^datapackage\.json:-:resources\[0\]\.path: resource 'sources' needs a relative path")


def test_ragged_row(pkg, capsys):
    path = pkg / "staff_groups.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra,Extra\n", encoding="utf-8")
    expect(pkg, capsys, r"^staff_groups\.csv:\d+:-: row has 2 cells but the header has 5$")


def test_many_errors_are_capped_but_counted(pkg, capsys):
    path = pkg / "wres.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [lines[0]] + [line.replace(",illustrative,illustrative,", ",illustrative,guess,") for line in lines[1:]]
    path.write_text("\n".join(lines), encoding="utf-8")
    out = expect(pkg, capsys, r"^wres\.csv:-:status: \d+ more rows with the same problem")
    assert sum(1 for line in out if line.startswith("wres.csv:") and ":status: unknown value" in line) == 20


def test_broken_table_leaves_others_usable(pkg):
    (pkg / "remi.csv").write_bytes(b"")
    package = load_package(pkg)
    assert "remi" in package.broken
    assert len(package.table("workforce")) > 0
    with pytest.raises(Exception) as info:
        package.table("remi")
    assert "remi" in str(info.value)


def test_frictionless_agrees_the_shipped_package_is_valid():
    exe = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(exe), "validate", "data/nel/datapackage.json"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "INVALID" not in result.stdout


def test_frictionless_also_rejects_a_bad_package(pkg):
    edit_csv(pkg / "remi.csv", 2, "stage", "9")
    exe = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(exe), "validate", str(pkg / "datapackage.json")], capture_output=True, text=True)
    assert result.returncode != 0


def test_shipped_manifest_embeds_the_canonical_schema():
    from data import schema

    manifest = json.loads((SHIPPED / "datapackage.json").read_text(encoding="utf-8"))
    embedded = {r["name"]: r["schema"] for r in manifest["resources"]}
    assert embedded == {name: r["schema"] for name, r in schema.resources().items()}


def test_illustrative_rows_are_never_marked_published():
    package = load_package(SHIPPED)
    for name, frame in package.tables.items():
        if "source_id" in frame and "status" in frame:
            invented = frame[frame["source_id"] == "illustrative"]
            assert (invented["status"] == "illustrative").all(), name
            assert (frame.loc[frame["status"] == "published", "source_id"] != "illustrative").all(), name


def test_generator_is_deterministic(tmp_path):
    target = tmp_path / "pkg"
    shutil.copytree(SHIPPED, target)
    subprocess.run([sys.executable, "-m", "data.generate_illustrative", str(target)], cwd=ROOT, check=True, capture_output=True)
    for path in SHIPPED.glob("*.csv"):
        assert (target / path.name).read_bytes() == path.read_bytes(), path.name


# --- Spreadsheet formulas in text cells ---------------------------------------------------------

def test_text_that_a_spreadsheet_would_run_is_refused_and_negative_numbers_pass(pkg, capsys):
    from tests.hostile import FORMULA_PAYLOADS

    orgs = pkg / "organisations.csv"
    first = line_of(orgs, "R1H,")
    edit_csv(orgs, first, "site_lon", "-10.5")  # a number column: a negative number is a number
    code, out = run(pkg, capsys)
    assert code == 0, out
    import csv
    import io

    remi = pkg / "remi.csv"
    rows = list(csv.reader(io.StringIO(remi.read_text(encoding="utf-8"), newline="")))
    for i, (payload, _) in enumerate(FORMULA_PAYLOADS):
        rows[1 + i][rows[0].index("note")] = payload
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)  # a "\r" cell quoted, as Excel does
    remi.write_text(buf.getvalue(), encoding="utf-8", newline="")
    out = expect(pkg, capsys)
    formula_lines = [line for line in out if "spreadsheet would run it as a formula" in line]
    assert len(formula_lines) == len(FORMULA_PAYLOADS), out
    for i, (_, lead) in enumerate(FORMULA_PAYLOADS):
        assert any(line.startswith(f"remi.csv:{2 + i}:note: ") and line.endswith(f"remove the leading {lead}")
                   for line in formula_lines), (lead, formula_lines)
    assert not any("site_lon" in line for line in out)
