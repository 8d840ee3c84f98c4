"""data.submission_read, data.submission, data.submission_output and `python -m data.merge`: reading submissions
in memory, merging by primary key, problems traced to the publisher's file, sheet, row and column, and hostile
uploads refused."""
from __future__ import annotations

import csv
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from data import merge as merge_cli
from data import package as pkgmod
from data import package_files, submission_output, submission_read, validate
from data import submission as sub

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"

WORKFORCE_HEADER = ["ods_code", "year", "staff_group", "gm_headcount", "total_headcount", "gm_percent", "period",
                    "source_id", "status", "note"]
SOURCE_HEADER = ["source_id", "title", "publisher", "url", "licence", "date_retrieved", "grade", "note"]
SOURCE_ROW = ["r1h-wres-2025", "Barts Health WRES report 2025", "Barts Health NHS Trust",
              "https://www.bartshealth.nhs.uk/wres-2025", "Open Government Licence v3.0", "2025-09-01", "primary", ""]


# What a publisher is told to do about an unknown organisation (data.checks.FK_FIX, written out here).
ORG_FIX = "use an ODS code listed in organisations.csv (e.g. R1H), or ask the data team to add your organisation"

def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def workforce_rows(year: str = "2025", org: str = "R1H") -> list[list[str]]:
    groups = [("all_staff", 8000, 20000), ("bands_1_4", 3000, 6000), ("bands_5_7", 4000, 10000),
              ("band_8a_plus", 600, 2500), ("vsm", 10, 40), ("board", 5, 16)]
    return [[org, year, g, str(gm), str(total), "", f"31 March {year}", "r1h-wres-2025", "published", ""]
            for g, gm, total in groups]


def submission_files(tmp_path: Path, workforce: list[list[str]] | None = None) -> list[Path]:
    wf = tmp_path / "workforce.csv"
    wf.write_bytes(csv_bytes([WORKFORCE_HEADER] + (workforce if workforce is not None else workforce_rows())))
    src = tmp_path / "sources.csv"
    src.write_bytes(csv_bytes([SOURCE_HEADER, SOURCE_ROW]))
    return [wf, src]


@pytest.fixture
def package_copy(tmp_path) -> Path:
    target = tmp_path / "nel"
    shutil.copytree(SHIPPED, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def run_cli(capsys, *args) -> tuple[int, str]:
    code = merge_cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


# --- The loader over memory -------------------------------------------------------------------

def test_loading_from_memory_is_the_loader_reading_files():
    current = package_files.Current.read(str(SHIPPED))
    from_memory = package_files.load_files(current.files)
    from_disk = pkgmod.load_package(SHIPPED)
    assert from_memory.version == from_disk.version
    assert [str(p) for p in from_memory.problems] == [str(p) for p in from_disk.problems]
    assert set(from_memory.tables) == set(from_disk.tables)
    for name, frame in from_disk.tables.items():
        assert from_memory.tables[name].equals(frame), name
    # the memory switch ends with the call: the loader reads files again
    assert pkgmod.load_package(SHIPPED).version == from_disk.version


def test_memory_loads_do_not_leak_into_another_threads_load():
    current = package_files.Current.read(str(SHIPPED))
    broken = dict(current.files, **{"wres.csv": b""})
    seen: list[bool] = []

    def disk_loads():
        for _ in range(5):
            seen.append(pkgmod.load_package(SHIPPED).valid)

    thread = threading.Thread(target=disk_loads)
    thread.start()
    for _ in range(5):
        assert not package_files.load_files(broken).valid
    thread.join()
    assert seen == [True] * 5


# --- Merging ------------------------------------------------------------------------------------

def test_dry_run_prints_the_change_summary_and_writes_nothing(package_copy, tmp_path, capsys):
    before = snapshot(package_copy)
    code, out = run_cli(capsys, *submission_files(tmp_path), "--package", package_copy, "--dry-run")
    assert code == 0, out
    assert "workforce: 6 added, 0 changed" in out
    assert "sources: 1 added" in out
    assert "dry run: 2 file(s) would change" in out
    assert snapshot(package_copy) == before


def test_merge_writes_a_package_that_validates(package_copy, tmp_path, capsys):
    before = snapshot(package_copy)
    code, out = run_cli(capsys, *submission_files(tmp_path), "--package", package_copy)
    assert code == 0, out
    after = snapshot(package_copy)
    assert {n for n in after if after[n] != before[n]} == {"workforce.csv", "sources.csv"}
    assert validate.main([str(package_copy)]) == 0
    text = after["workforce.csv"].decode()
    assert "R1H,2025,band_8a_plus,600,2500,,31 March 2025,r1h-wres-2025,published," in text
    # unchanged rows keep their exact bytes: the old file is a prefix of the new one
    assert after["workforce.csv"].startswith(before["workforce.csv"])
    loaded = pkgmod.load_package(package_copy).tables["workforce"]
    rows = loaded[(loaded["ods_code"] == "R1H") & (loaded["year"] == 2025)]
    assert len(rows) == 6 and set(rows["status"]) == {"published"}


def test_a_row_with_the_same_key_replaces_the_old_one(package_copy, tmp_path, capsys):
    # R1H 2022 all_staff is illustrative in the shipped package: a published figure replaces it
    old = [r for r in csv.reader(io.StringIO((SHIPPED / "workforce.csv").read_text()))
           if r[:3] == ["R1H", "2022", "all_staff"]]
    assert len(old) == 1 and old[0][8] == "illustrative"
    rows = [["R1H", "2022", "all_staff", "9000", "21000", "", "31 March 2022", "r1h-wres-2025", "published", ""]]
    code, out = run_cli(capsys, *submission_files(tmp_path, rows), "--package", package_copy)
    assert code == 0, out
    assert "workforce: 0 added, 1 changed" in out
    assert f"gm_headcount: '{old[0][3]}' -> '9000'" in out
    after = [r for r in csv.reader(io.StringIO((package_copy / "workforce.csv").read_text()))
             if r[:3] == ["R1H", "2022", "all_staff"]]
    assert after == [rows[0]]


def test_invalid_submission_exits_1_with_file_row_column_lines_and_changes_nothing(package_copy, tmp_path, capsys):
    rows = workforce_rows()
    rows[1][0] = "XYZ1"          # line 3: unknown organisation
    rows[2][3] = "many"          # line 4: not a whole number
    rows[3][8] = "final"         # line 5: not an allowed status
    rows[4][3] = "50"            # line 6: more global-majority staff than staff
    before = snapshot(package_copy)
    code, out = run_cli(capsys, *submission_files(tmp_path, rows), "--package", package_copy)
    assert code == 1
    lines = out.splitlines()
    assert "workforce.csv:3:ods_code: unknown organisation 'XYZ1' (not in organisations.csv): " + ORG_FIX in lines
    assert "workforce.csv:4:gm_headcount: wrong type: expected a whole number, found 'many'" in lines
    assert "workforce.csv:5:status: unknown value 'final': expected one of published, illustrative" in lines
    assert "workforce.csv:6:gm_headcount: global-majority headcount (50) is more than total headcount (40)" in lines
    assert "nothing was changed" in out
    assert snapshot(package_copy) == before


def test_problems_in_two_submitted_tables_are_traced_each_to_its_own_file(package_copy, tmp_path, capsys):
    """The merge writes each table's file with its own line map: a problem the loader finds in the merged
    sources.csv and one in the merged workforce.csv come back as the publisher's own file and row."""
    rows = workforce_rows()
    rows[2][0] = "XYZ1"          # line 4 of workforce.csv: unknown organisation
    wf, src = submission_files(tmp_path, rows)
    src.write_bytes(csv_bytes([SOURCE_HEADER, SOURCE_ROW[:3] + ["javascript:alert(1)"] + SOURCE_ROW[4:]]))
    code, out = run_cli(capsys, wf, src, "--package", package_copy, "--dry-run")
    assert code == 1
    lines = out.splitlines()
    assert "workforce.csv:4:ods_code: unknown organisation 'XYZ1' (not in organisations.csv): " + ORG_FIX in lines
    assert ("sources.csv:2:url: value 'javascript:alert(1)' is not in the expected form: "
            "give a web address that starts with http:// or https:// and has no spaces") in lines
    assert {":".join(line.split(":")[:2]) for line in lines if ".csv:" in line} == {"workforce.csv:4", "sources.csv:2"}


def test_published_needs_a_source_with_a_url_or_title(package_copy, tmp_path, capsys):
    rows = workforce_rows()
    for r in rows:
        r[7] = "illustrative"
    wf = tmp_path / "workforce.csv"
    wf.write_bytes(csv_bytes([WORKFORCE_HEADER] + rows))
    code, out = run_cli(capsys, wf, "--package", package_copy, "--dry-run")
    assert code == 1
    assert "workforce.csv:2:status: a figure can be published only with a source that has a URL or a document title" in out


def test_a_year_with_published_figures_is_not_overwritten_without_the_flag(package_copy, tmp_path, capsys):
    # the shipped package holds a published band_8a_plus figure for R1H in 2024
    files = submission_files(tmp_path, workforce_rows("2024"))
    code, out = run_cli(capsys, *files, "--package", package_copy, "--dry-run")
    assert code == 1
    assert "workforce.csv:2:year: R1H already has 1 published figure(s) for 2024 in workforce.csv" in out
    code, out = run_cli(capsys, *files, "--package", package_copy, "--dry-run", "--replace-published")
    assert code == 0, out


def test_duplicate_keys_in_a_submission_name_both_rows(package_copy, tmp_path, capsys):
    rows = workforce_rows()
    rows.append(list(rows[0]))
    code, out = run_cli(capsys, *submission_files(tmp_path, rows), "--package", package_copy, "--dry-run")
    assert code == 1
    assert ("workforce.csv:8:ods_code,year,staff_group: duplicate key (R1H, 2025, all_staff): the same key is on row 2"
            in out)


def test_the_templates_example_row_is_not_accepted(package_copy, tmp_path, capsys):
    rows = workforce_rows()
    rows[0][9] = "EXAMPLE ROW: replace it with your own figures or delete it."
    code, out = run_cli(capsys, *submission_files(tmp_path, rows), "--package", package_copy, "--dry-run")
    assert code == 1
    assert "workforce.csv:2:note: this is the template's example row" in out


def test_unreadable_submission_and_usage(package_copy, tmp_path, capsys):
    code, out = run_cli(capsys, tmp_path / "missing.csv", "--package", package_copy)
    assert code == 1 and "missing.csv:-:-: file cannot be read" in out
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    code, out = run_cli(capsys, other, "--package", package_copy)
    assert code == 1 and "refused: notes.txt is not a CSV file" in out


# --- Workbooks ----------------------------------------------------------------------------------

def workbook_bytes(sheets: dict[str, list[list]], formula: str | None = None) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    if formula:
        wb[list(sheets)[0]]["D3"] = formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_is_read_with_sheet_rows_and_column_letters(package_copy, tmp_path, capsys):
    rows = [[c if i not in (1, 3, 4) else int(c) for i, c in enumerate(r)] for r in workforce_rows()]
    rows[2][0] = "XYZ1"
    book = workbook_bytes({"workforce": [WORKFORCE_HEADER, [], *rows], "sources": [SOURCE_HEADER, SOURCE_ROW]})
    path = tmp_path / "figures.xlsx"
    path.write_bytes(book)
    code, out = run_cli(capsys, path, "--package", package_copy, "--dry-run")
    assert code == 1
    # row 2 of the sheet is blank: the third data row is on sheet row 5
    assert "figures.xlsx sheet workforce:5:ods_code: unknown organisation 'XYZ1'" in out
    parts, problems = submission_read.read_upload("figures.xlsx", book)
    wf = next(p for p in parts if p.table == "workforce")
    assert wf.letters["gm_headcount"] == "D" and wf.lines[:2] == [3, 4]
    assert wf.rows[0][1] == "2025" and wf.rows[0][3] == "8000"   # numbers come back as the CSV would hold them


def test_workbooks_with_formulas_or_macros_are_refused():
    rows = [WORKFORCE_HEADER, *workforce_rows()]
    with pytest.raises(submission_read.Refused, match="formula in sheet workforce, cell D3"):
        submission_read.read_upload("figures.xlsx", workbook_bytes({"workforce": rows}, formula="=SUM(E2:E3)"))
    book = workbook_bytes({"workforce": rows})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    with pytest.raises(submission_read.Refused, match="contains macros"):
        submission_read.read_upload("figures.xlsx", buf.getvalue())
    with pytest.raises(submission_read.Refused, match="can hold macros"):
        submission_read.read_upload("figures.xlsm", book)
    with pytest.raises(submission_read.Refused, match="could not be opened|not a valid workbook"):
        submission_read.read_upload("figures.xlsx", b"PK\x03\x04 not really a workbook")


# --- Hostile uploads ---------------------------------------------------------------------------

def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("member", ["../evil.csv", "/etc/evil.csv", "nel/../../evil.csv", "..\\evil.csv", "C:/evil.csv"])
def test_a_zip_with_paths_outside_the_package_is_refused(member):
    with pytest.raises(submission_read.Refused, match="path leads outside the package"):
        submission_read.read_upload("package.zip", zip_of({"workforce.csv": b"a\n", member: b"x"}))


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = zip_of({"workforce.csv": b"0" * (80 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(submission_read.Refused, match="would expand to 80.0 MB"):
        submission_read.read_upload("package.zip", bomb)
    small_but_dense = zip_of({"workforce.csv": b"0" * (5 * 1024 * 1024)})
    with pytest.raises(submission_read.Refused, match="would expand"):
        submission_read.read_upload("package.zip", small_but_dense)


def test_a_zip_whose_header_understates_a_file_is_refused():
    data = bytearray(zip_of({"workforce.csv": b"x" * 5000}, compression=zipfile.ZIP_STORED))
    # lower the declared uncompressed size in the central directory (offset 24 of the record)
    at = data.rfind(b"PK\x01\x02")
    data[at + 24: at + 28] = (100).to_bytes(4, "little")
    with pytest.raises(submission_read.Refused):
        submission_read.read_upload("package.zip", bytes(data))


def test_a_whole_package_zip_is_read_by_table_name(package_copy, tmp_path, capsys):
    archive = zip_of({"nel/datapackage.json": b"{}", "nel/README.md": b"notes",
                      "nel/workforce.csv": csv_bytes([WORKFORCE_HEADER] + workforce_rows()),
                      "nel/sources.csv": csv_bytes([SOURCE_HEADER, SOURCE_ROW])})
    path = tmp_path / "submission.zip"
    path.write_bytes(archive)
    code, out = run_cli(capsys, path, "--package", package_copy, "--dry-run")
    assert code == 0, out
    assert "workforce: 6 added" in out


def test_not_utf8_and_binary_junk_named_csv_get_clear_problems():
    parts, problems = submission_read.read_upload("workforce.csv", "ods_code,year\nR1H,2025,Caf\u00e9\n".encode("latin-1"))
    assert parts == [] and "bytes are not valid UTF-8" in problems[0].message and problems[0].row == 2
    parts, problems = submission_read.read_upload("workforce.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    assert parts == [] and "not a CSV file (it holds binary data)" in problems[0].message
    parts, problems = submission_read.read_upload("rota.csv", b"a,b\n1,2\n")
    assert parts == [] and "not a table of this package" in problems[0].message


def test_uploads_over_the_limit_are_refused():
    with pytest.raises(submission_read.Refused, match="the limit is 10 MB"):
        submission_read.read_upload("workforce.csv", b"x" * (10 * 1024 * 1024 + 1))


def test_html_and_script_in_cells_stay_text(package_copy):
    rows = workforce_rows()
    rows[0][9] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    parts, problems = submission_read.read_upload("workforce.csv", csv_bytes([WORKFORCE_HEADER] + rows))
    src, _ = submission_read.read_upload("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))
    result = sub.merge(package_files.Current.read(str(package_copy)), parts + src)
    assert result.valid, result.problems
    merged = result.package.tables["workforce"]
    assert rows[0][9] in set(merged["note"].dropna())


# --- Outputs --------------------------------------------------------------------------------------

def test_change_summary_and_merged_zip_leave_out_withheld_counts(package_copy, tmp_path):
    current = package_files.Current.read(str(package_copy))
    parts, _ = submission_read.read_upload("workforce.csv", csv_bytes([WORKFORCE_HEADER] + workforce_rows()))
    src, _ = submission_read.read_upload("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))
    result = sub.merge(current, parts + src)
    assert result.valid
    summary = submission_output.change_summary_csv(result).decode()
    assert summary.splitlines()[0] == "table,added,changed,unchanged,removed"
    assert "workforce,6,0,0,0" in summary
    archive = zipfile.ZipFile(io.BytesIO(submission_output.merged_zip(result, current)))
    unpacked = tmp_path / "unzipped"
    archive.extractall(unpacked)
    assert validate.main([str(unpacked)]) == 0
    wf = pkgmod.load_package(unpacked).tables["workforce"]
    shipped = pkgmod.load_package(package_copy).tables["workforce"]
    # the shipped rows with withheld counts are left out, as in the /data download; the submission's rows stay
    assert len(wf[(wf["ods_code"] == "R1H") & (wf["year"] == 2025)]) == 6
    assert int(shipped["suppressed"].sum()) > 0, "the shipped package has withheld counts to leave out"
    assert not wf["suppressed"].any()
    assert len(wf) == len(shipped) - int(shipped["suppressed"].sum()) + 6
    wres = pkgmod.load_package(unpacked).tables["wres"]
    assert not wres["suppressed"].any()


def test_hiding_illustrative_rows_leaves_none_in_the_merge(monkeypatch):
    current = package_files.Current.read(str(SHIPPED)).without_illustrative()
    loaded = package_files.load_files(current.files)
    for name, frame in loaded.tables.items():
        if "status" in frame:
            assert "illustrative" not in set(frame["status"].dropna()), name
    assert "illustrative" not in set(loaded.tables["sources"]["source_id"])
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    assert package_files.illustrative_hidden()
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "show")
    assert not package_files.illustrative_hidden()


def test_workbook_xml_is_parsed_without_entity_expansion():
    import openpyxl.xml
    assert openpyxl.xml.DEFUSEDXML, "defusedxml (requirements.txt) protects the workbook reader from entity bombs"
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')
    book = io.BytesIO(workbook_bytes({"workforce": [WORKFORCE_HEADER]}))
    out = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, laughs if item.filename == "xl/workbook.xml" else src.read(item))
    with pytest.raises(submission_read.Refused, match="could not be opened"):
        submission_read.read_upload("figures.xlsx", out.getvalue())


def test_the_change_summary_never_shows_a_withheld_old_count():
    shipped = pkgmod.load_package(SHIPPED)
    wf = shipped.tables["workforce"]
    withheld = wf[wf["suppressed"]].iloc[0]
    org, year, group = str(withheld["ods_code"]), int(withheld["year"]), str(withheld["staff_group"])
    raw = next(r for r in csv.reader(io.StringIO((SHIPPED / "workforce.csv").read_text()))
               if r[:3] == [org, str(year), group])
    row = [org, str(year), group, "7", "30", "", f"31 March {year}", "r1h-wres-2025", "published", ""]
    parts, _ = submission_read.read_upload("workforce.csv", csv_bytes([WORKFORCE_HEADER, row]))
    src, _ = submission_read.read_upload("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))
    result = sub.merge(package_files.Current.read(str(SHIPPED)), parts + src)
    submission_output.masked_old_values(result, shipped)
    changes = {r["column"]: r for r in submission_output.change_rows(result) if r["table"] == "workforce"}
    assert changes["gm_headcount"]["old"] == "withheld (fewer than 5)" and changes["gm_headcount"]["new"] == "7"
    assert changes["total_headcount"]["old"] == raw[4]   # shown on the dashboard: not withheld
    summary = submission_output.change_summary_csv(result).decode()
    assert f",{raw[3]},7," not in summary and "withheld (fewer than 5)" in summary


def test_formulas_in_text_cells_are_refused_and_negative_numbers_stay_numbers(package_copy, tmp_path, capsys):
    from tests.hostile import FORMULA_PAYLOADS

    rows = workforce_rows()
    for i, (payload, _) in enumerate(FORMULA_PAYLOADS[:6]):
        rows[i][9] = payload                          # note: a text column
    extra = ["r1h-wres-2025-b"] + SOURCE_ROW[1:7]  # the carriage return, quoted, in sources.csv's note
    before = snapshot(package_copy)
    files = submission_files(tmp_path, rows)
    files[1].write_bytes(csv_bytes([SOURCE_HEADER, SOURCE_ROW]) + csv_bytes([extra])[:-1] + b',"\rBoard paper"\n')
    code, out = run_cli(capsys, *files, "--package", package_copy)
    assert code == 1, out
    lines = out.splitlines()
    for i, (_, lead) in enumerate(FORMULA_PAYLOADS[:6]):
        assert any(line.startswith(f"workforce.csv:{2 + i}:note: ") and line.endswith(f"remove the leading {lead}")
                   for line in lines), (lead, out)
    assert any(line.startswith("sources.csv:3:note: ") and line.endswith("remove the leading carriage return")
               for line in lines), out
    assert snapshot(package_copy) == before

    rows = workforce_rows()
    rows[0][3:6] = ["", "", "-10.5"]                   # gm_percent, a number column: a number, not a formula
    code, out = run_cli(capsys, *submission_files(tmp_path, rows), "--package", package_copy, "--dry-run")
    assert "would run it as a formula" not in out
    assert "workforce.csv:2:gm_percent: out of range: -10.5 is below the minimum 0" in out.splitlines(), out
