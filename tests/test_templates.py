"""The publishers' templates, workbook and data dictionaries come from the schema and the package:
a changed schema changes them, and a template filled with its own example passes every check but one."""
from __future__ import annotations

import copy
import csv
import io
import json
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data import package as pkgmod
from data import package_files, submission_read, templates
from data import schema as canonical_schema
from data import submission as sub

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"
SCHEMA = json.loads((ROOT / "data" / "schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables():
    return pkgmod.load_package(SHIPPED).tables


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def schema_fields(table: str) -> list[dict]:
    return next(r for r in SCHEMA["resources"] if r["name"] == table)["schema"]["fields"]


@pytest.mark.parametrize("table", templates.PARTNER_TABLES)
def test_each_template_has_the_schemas_columns_and_one_marked_example(tables, table):
    rows = read_csv(templates.template_csv(table, tables))
    assert rows[0] == [f["name"] for f in schema_fields(table)]
    assert len(rows) == 2
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["note"].startswith("EXAMPLE ROW")


@pytest.mark.parametrize("table", templates.PARTNER_TABLES)
def test_each_dictionary_describes_every_column(tables, table):
    rows = read_csv(templates.dictionary_csv(table, tables))
    assert rows[0] == ["column", "meaning", "type", "required", "allowed values", "example"]
    entries = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    for f in schema_fields(table):
        entry = entries[f["name"]]
        assert entry["meaning"].startswith(f["description"])
        assert entry["required"] == ("yes" if f.get("constraints", {}).get("required") else "no")
        for value in f.get("constraints", {}).get("enum", []):
            assert str(value) in entry["allowed values"]


def test_coded_columns_list_the_packages_codes(tables):
    entries = {r[0]: r for r in read_csv(templates.dictionary_csv("workforce", tables))[1:]}
    for code in ("R1H", "RF4", "RQX", "RAT", "RWK"):
        assert code in entries["ods_code"][4]
    for group in tables["staff_groups"]["staff_group"]:
        assert group in entries["staff_group"][4]
    assert entries["status"][4] == "one of: published, illustrative"
    assert entries["gm_percent"][4] == "from 0 to 100"


def test_the_templates_filled_with_their_examples_fail_only_on_the_example_row(tables):
    uploads = [(f"{t}.csv", templates.template_csv(t, tables)) for t in templates.PARTNER_TABLES]
    result, refusals = sub.check(package_files.Current.read(str(SHIPPED)), uploads)
    assert refusals == []
    assert {(p.file, p.row, p.column) for p in result.problems} == {(f"{t}.csv", 2, "note") for t in templates.PARTNER_TABLES}
    assert all("example row" in p.message for p in result.problems)


def test_the_workbook_has_a_sheet_per_table_with_drop_downs(tables):
    book = load_workbook(io.BytesIO(templates.workbook(tables)))
    assert set(templates.PARTNER_TABLES) <= set(book.sheetnames)
    assert book["lists"].sheet_state == "hidden"
    lists = book["lists"]
    columns = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)
                                        if lists.cell(r, c).value is not None]
               for c in range(1, lists.max_column + 1)}
    assert columns["workforce.status"] == ["published", "illustrative"]
    assert columns["workforce.staff_group"] == list(tables["staff_groups"]["staff_group"])
    assert columns["wres.indicator"] == [str(i) for i in tables["wres_indicators"]["indicator"]]
    assert columns["remi.stage"] == [str(i) for i in tables["remi_stages"]["stage"]]
    assert columns["commitments.progress"] == next(f for f in schema_fields("commitments")
                                                   if f["name"] == "progress")["constraints"]["enum"]
    ws = book["workforce"]
    header = [c.value for c in ws[1]]
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = "ABCDEFGHIJ"[header.index("staff_group")]
    dv = validations[f"{letter}2:{letter}{templates.VALIDATED_ROWS}"]
    assert dv.type == "list" and dv.formula1.lstrip("=").startswith("lists!")
    # each coded column of each table has its drop-down
    for table in templates.PARTNER_TABLES:
        coded = [f["name"] for f in schema_fields(table) if templates.coded_values(table, f["name"], tables)]
        assert len(book[table].data_validations.dataValidation) == len(coded), table


def test_the_workbook_reads_back_as_the_csv_templates(tables):
    parts, problems = submission_read.read_upload("book.xlsx", templates.workbook(tables))
    assert problems == []
    by_table = {p.table: p for p in parts}
    for table in templates.PARTNER_TABLES:
        rows = read_csv(templates.template_csv(table, tables))
        assert by_table[table].header == rows[0]
        assert by_table[table].rows == [rows[1]], table
        assert by_table[table].lines == [2]


def test_a_changed_schema_changes_the_templates(tables, monkeypatch):
    changed = copy.deepcopy(canonical_schema.canonical())
    workforce = next(r for r in changed["resources"] if r["name"] == "workforce")
    workforce["schema"]["fields"].insert(3, {"name": "contract", "type": "string", "description": "Contract type.",
                                        "constraints": {"required": True, "enum": ["permanent", "bank"]}})
    status = next(f for f in workforce["schema"]["fields"] if f["name"] == "status")
    status["constraints"]["enum"] = ["published", "illustrative", "provisional"]
    monkeypatch.setattr(canonical_schema, "canonical", lambda: changed)
    rows = read_csv(templates.template_csv("workforce", tables))
    assert rows[0][3] == "contract" and rows[1][3] == "permanent"
    entries = {r[0]: r for r in read_csv(templates.dictionary_csv("workforce", tables))[1:]}
    assert entries["contract"][1] == "Contract type." and entries["contract"][4] == "one of: permanent, bank"
    assert "provisional" in entries["status"][4]
    book = load_workbook(io.BytesIO(templates.workbook(tables)))
    assert [c.value for c in book["workforce"][1]][3] == "contract"
    lists = book["lists"]
    names = [lists.cell(1, c).value for c in range(1, lists.max_column + 1)]
    col = names.index("workforce.contract") + 1
    assert [lists.cell(r, col).value for r in (2, 3)] == ["permanent", "bank"]


def test_make_templates_writes_every_file(tmp_path):
    from data.templates import main
    assert main(["--output", str(tmp_path / "t")]) == 0
    names = sorted(p.name for p in (tmp_path / "t").iterdir())
    expected = sorted([f"{t}.csv" for t in templates.PARTNER_TABLES] + [f"{t}-dictionary.csv" for t in templates.PARTNER_TABLES]
                      + [templates.WORKBOOK_NAME])
    assert names == expected


def test_text_that_looks_like_a_formula_is_written_and_read_back_as_text(tables):
    rows = {"remi": [{"ods_code": "R1H", "year": "2026", "domain_id": "leadership", "stage": "3",
                      "period": "Self-assessment 2026", "source_id": "s", "status": "published",
                      "note": "=HYPERLINK(\"http://example.org\",\"click\")"}]}
    book = templates.workbook(tables, ("remi",), rows=rows)
    sheet = load_workbook(io.BytesIO(book))["remi"]
    assert sheet["H2"].data_type == "s" and sheet["H2"].value.startswith("=HYPERLINK")
    parts, problems = submission_read.read_upload("remi.xlsx", book)
    assert problems == [] and parts[0].rows[0][7] == rows["remi"][0]["note"]


def test_the_workbook_is_the_same_bytes_every_time(tables):
    first = templates.workbook(tables)
    time.sleep(2.1)  # zip timestamps have two-second resolution; the document's own stamp has one second
    assert templates.workbook(tables) == first
