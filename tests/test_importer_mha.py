"""The Mental Health Act annual figures importer: the shipped outcome rows are exactly the import of the kept file."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from data.importers.mha_annual import RAW_FILE, ImportError_, main, read_detentions
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "data" / "nel"
# The digest of the CSV as recorded in shared/data/mha-2023-24/PROVENANCE.md and data/raw/mha-2023-24/README.md.
SHA256 = "6d32b580645eabb125644aefab51b58e278d66d52f2daebc01a888dd8deefb93"


def test_kept_source_file_is_the_recorded_file_byte_for_byte():
    assert hashlib.sha256(RAW_FILE.read_bytes()).hexdigest() == SHA256
    assert SHA256 in (RAW_FILE.parent / "README.md").read_text(encoding="utf-8")


def test_reimport_from_the_kept_file_gives_the_shipped_rows_unchanged(tmp_path):
    package = tmp_path / "nel"
    shutil.copytree(PACKAGE, package)
    (package / "outcomes.csv").unlink()  # start from nothing: the import alone makes it
    sources = pd.read_csv(package / "sources.csv", dtype=str, keep_default_na=False)
    sources[sources["source_id"] != "nhse-mha-2023-24"].to_csv(package / "sources.csv", index=False, lineterminator="\n")
    assert main([str(RAW_FILE), "--package", str(package)]) == 0
    for name in ("outcomes.csv", "sources.csv"):
        assert (package / name).read_bytes() == (PACKAGE / name).read_bytes(), name
    assert main([str(RAW_FILE), "--package", str(package)]) == 0  # again: the same bytes, no second copy
    assert (package / "outcomes.csv").read_bytes() == (PACKAGE / "outcomes.csv").read_bytes()


def _rate(frame: pd.DataFrame, area: str, group: str, kind: str = "crude") -> float:
    row = frame[(frame["area_code"] == area) & (frame["group"] == group) & (frame["rate_kind"] == kind)]
    assert len(row) == 1, (area, group, kind)
    return float(row["rate"].iloc[0])


def test_shipped_rows_hold_the_published_figures():
    out = load_package(PACKAGE).table("outcomes")
    assert set(out["status"]) == {"published"} and set(out["source_id"]) == {"nhse-mha-2023-24"}
    assert _rate(out, "QMF", "black") == 254.6 and _rate(out, "QMF", "white") == 96.3
    assert _rate(out, "E92000001", "black", "standardised") == 242.3
    assert _rate(out, "E92000001", "white", "standardised") == 68.4
    england_all = out[(out["area_code"] == "E92000001") & (out["group"] == "all")]
    assert england_all["count"].tolist() == [52458]
    unknown = out[(out["area_code"] == "QMF") & (out["group"] == "unknown")].iloc[0]
    assert unknown["count"] == 195 and pd.isna(unknown["rate"]) and pd.isna(unknown["rate_kind"])
    assert sorted(out["area_code"].unique()) == ["E92000001", "QKK", "QMF", "QMJ", "QRV", "QWE"]
    # The same cells read straight from the kept file, without the importer.
    raw = pd.read_csv(RAW_FILE, dtype=str, keep_default_na=False)
    cell = raw[(raw["Measure"] == "All detentions") & (raw["measureSubcategory"] == "All") & (raw["OrgID"] == "QWE")
               & (raw["DemographicBreakdown"] == "Black or Black British")]
    assert cell["CrudeRate"].tolist() == ["254.1"] and _rate(out, "QWE", "black") == 254.1


def _edited(tmp_path: Path, line: int, column: str, value: str) -> Path:
    lines = RAW_FILE.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    assert len(cells) == len(header), "the edited line must have no quoted commas"
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    bad = tmp_path / "mha.csv"
    bad.write_bytes("\r\n".join(lines).encode("utf-8"))
    return bad


def _line_of(org: str, group: str) -> int:
    raw = pd.read_csv(RAW_FILE, dtype=str, keep_default_na=False)
    hit = raw[(raw["Measure"] == "All detentions") & (raw["measureSubcategory"] == "All") & (raw["OrgID"] == org)
              & (raw["Demographic"] == "Ethnicity") & (raw["DemographicBreakdown"] == group)]
    assert len(hit) == 1
    return int(hit.index[0]) + 2


@pytest.mark.parametrize(("column", "value", "message"), [
    ("CrudeRate", "25x.6", "CrudeRate: expected a number or an empty cell, found '25x.6'"),
    ("Total_Count", "702", "Total_Count: expected a count rounded to 5, found 702"),
    ("OrgName", "NHS SOMEWHERE ELSE", "OrgName: expected 'NHS NORTH EAST LONDON INTEGRATED CARE BOARD' for QMF"),
    ("Year", "2022/23", "Year: expected 2023/24, found '2022/23'"),
    ("CrudeRate", "", "CrudeRate: expected a value, found an empty cell"),
])
def test_unexpected_cells_name_file_line_and_column(tmp_path, column, value, message):
    line = _line_of("QMF", "Black or Black British")
    bad = _edited(tmp_path, line, column, value)
    with pytest.raises(ImportError_) as info:
        read_detentions(bad)
    assert str(info.value).startswith(f"{bad}:{line}:{message}"), str(info.value)


def test_a_rate_for_unknown_ethnicity_is_refused(tmp_path):
    line = _line_of("QMF", "Unknown")
    bad = _edited(tmp_path, line, "CrudeRate", "12.0")
    with pytest.raises(ImportError_, match=rf"^{bad}:{line}:CrudeRate: expected an empty cell"):
        read_detentions(bad)


def test_only_the_documented_edit_of_organisation_breakdown_is_allowed(tmp_path):
    read_detentions(RAW_FILE)  # line 2's 'h' is the copy's known edit
    bad = _edited(tmp_path, 3, "OrganisationBreakdown", "h")
    with pytest.raises(ImportError_, match=rf"^{bad}:3:OrganisationBreakdown: unknown value 'h'"):
        read_detentions(bad)


def test_a_missing_group_and_a_missing_column_are_named(tmp_path):
    line = _line_of("QRV", "Mixed")
    bad = _edited(tmp_path, line, "DemographicBreakdown", "Mixed ")
    with pytest.raises(ImportError_, match=rf"^{bad}:-:DemographicBreakdown: no row of 'All detentions' for QRV, group 'mixed'"):
        read_detentions(bad)
    text = RAW_FILE.read_bytes().decode("utf-8").replace("CrudeRate", "Crude_Rate", 1)
    bad.write_bytes(text.encode("utf-8"))
    with pytest.raises(ImportError_, match=rf"^{bad}:1:CrudeRate: missing column"):
        read_detentions(bad)


def test_the_validator_checks_outcome_rows(tmp_path):
    package = tmp_path / "nel"
    shutil.copytree(PACKAGE, package)
    lines = (package / "outcomes.csv").read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",black,", ",purple,")  # line 4: NEL Black
    lines[2] = lines[2].replace(",crude,100000,", ",,100000,")  # line 3: a rate with no kind
    (package / "outcomes.csv").write_text("\n".join(lines), encoding="utf-8")
    problems = [str(p) for p in load_package(package).problems]
    assert "outcomes.csv:4:group: unknown group: expected an ethnic_group of ethnic_groups.csv, 'all' or 'unknown'" in problems
    assert "outcomes.csv:3:rate_kind: rate and rate_kind must both be given or both be empty" in problems
