"""The ONS Census 2021 TS021 importer, on a small fixture in the bulk file's layout."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data.importers.census_ts021 import ImportError_, main, read_ts021
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "census2021-ts021-ltla-sample.csv"


def test_reads_the_five_high_level_groups():
    frame = read_ts021(FIXTURE)
    hackney = frame[frame["gss_code"] == "E09000012"].set_index("ethnic_group")["count"]
    assert hackney.to_dict() == {"asian": 26000, "black": 55000, "mixed": 17000, "white": 138000, "other": 23000}
    assert set(frame["gss_code"]) == {"E06000001", "E09000012", "E09000016"}


def test_import_replaces_borough_rows_and_package_stays_valid(tmp_path):
    package = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", package)
    assert main([str(FIXTURE), "--package", str(package), "--retrieved", "2026-11-25"]) == 0
    loaded = load_package(package)
    assert loaded.valid, [str(p) for p in loaded.problems]
    pop = loaded.table("population")
    hackney = pop[pop["gss_code"] == "E09000012"]
    assert len(hackney) == 5
    assert set(hackney["status"]) == {"published"} and set(hackney["source_id"]) == {"ons-ts021"}
    assert int(hackney.loc[hackney["ethnic_group"] == "black", "count"].iloc[0]) == 55000
    assert "E06000001" not in set(pop["gss_code"])  # not a London borough of this package
    newham = pop[pop["gss_code"] == "E09000025"]
    assert set(newham["source_id"]) == {"vob-newham"}  # untouched
    assert "ons-ts021" in set(loaded.table("sources")["source_id"])


def test_wrong_layout_names_file_line_and_column(tmp_path):
    bad = tmp_path / "ts021.csv"
    bad.write_text("date,geography,geography code,Total\n2021,Hackney,E09000012,10\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        read_ts021(bad)
    assert str(info.value).startswith(f"{bad}:1:Ethnic group: Total: All usual residents: missing column")


def test_groups_that_do_not_add_up_are_rejected(tmp_path):
    text = FIXTURE.read_bytes().decode("utf-8-sig").split("\r\n")
    text[2] = text[2].replace(",138000,", ",138001,", 1)
    bad = tmp_path / "ts021.csv"
    bad.write_bytes("\r\n".join(text).encode("utf-8"))
    with pytest.raises(ImportError_) as info:
        read_ts021(bad)
    assert f"{bad}:3:Ethnic group: Total: All usual residents: the five groups add up to" in str(info.value)
