"""The ONS Census 2021 TS021 importer: the shipped package is exactly the import of the kept ONS files."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from data.importers.census_ts021 import COUNTRY_FILE, LTLA_FILE, ImportError_, main, read_ts021
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "data" / "nel"
FIXTURE = ROOT / "tests" / "fixtures" / "census2021-ts021-ltla-sample.csv"
# The digests ONS's own extracts have (recorded in shared/data/census2021-ts021/PROVENANCE.md and the README).
ONS_SHA256 = {
    "census2021-ts021-ltla.csv": "a343c70e6662a4a6d18c3bed28f6e3163254e6963e1f5bb1ccd8b802211dea3f",
    "census2021-ts021-ctry.csv": "41f1e30981ecfb508d0cfe654b2e76d797698d5c6e84eb03c086fcae239a5766",
}


def groups() -> pd.DataFrame:
    return pd.read_csv(PACKAGE / "ethnic_groups.csv", dtype=str, keep_default_na=False)


def test_kept_source_files_are_the_ons_files_byte_for_byte():
    for path in (LTLA_FILE, COUNTRY_FILE):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ONS_SHA256[path.name], path


def test_reimport_from_the_kept_files_gives_the_shipped_rows_unchanged(tmp_path):
    package = tmp_path / "nel"
    shutil.copytree(PACKAGE, package)
    for name in ("population.csv", "area_population.csv"):  # start from nothing: the import alone makes them
        header = (package / name).read_text(encoding="utf-8").split("\n")[0]
        (package / name).write_text(header + "\n", encoding="utf-8")
    assert main(["--package", str(package)]) == 0
    for name in ("population.csv", "area_population.csv", "sources.csv"):
        assert (package / name).read_bytes() == (PACKAGE / name).read_bytes(), name


def test_every_london_borough_has_all_24_groups_published_from_ons():
    pop = load_package(PACKAGE).table("population")
    assert pop["gss_code"].nunique() == 33 and len(pop) == 33 * 24
    assert set(pop["status"]) == {"published"} and set(pop["source_id"]) == {"ons-ts021"}
    assert sorted(pop.groupby("gss_code")["ethnic_group"].nunique().unique()) == [24]
    # Spot checks against the ONS file's own cells (read here without the importer).
    raw = pd.read_csv(LTLA_FILE, dtype=str).set_index("geography code")
    for gss, column, group in (("E09000030", "Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi", "asian_bangladeshi"),
                               ("E09000016", "Ethnic group: White: English, Welsh, Scottish, Northern Irish or British", "white_british"),
                               ("E09000025", "Ethnic group: Black, Black British, Black Welsh, Caribbean or African: African",
                                "black_african")):
        got = pop[(pop["gss_code"] == gss) & (pop["ethnic_group"] == group)]["count"].iloc[0]
        assert got == int(raw.at[gss, column])


def test_england_is_the_ons_country_row_not_a_sum():
    area = load_package(PACKAGE).table("area_population")
    assert set(area["area"]) == {"England"} and len(area) == 24
    raw = pd.read_csv(COUNTRY_FILE, dtype=str).set_index("geography code")
    white = area.loc[area["ethnic_group"] == "white", "count"].iloc[0]
    assert white == int(raw.at["E92000001", "Ethnic group: White"]) == 45_783_401


def test_reads_high_level_and_detailed_groups_of_the_sample():
    frame = read_ts021(FIXTURE, groups())
    hackney = frame[frame["gss_code"] == "E09000012"].set_index("ethnic_group")["count"]
    assert hackney["asian"] == 26000 and hackney["black"] == 55000 and hackney["black_african"] == 18334
    assert len(hackney) == 24
    assert set(frame["gss_code"]) == {"E06000001", "E09000012", "E09000016"}


def test_wrong_layout_names_file_line_and_column(tmp_path):
    bad = tmp_path / "ts021.csv"
    bad.write_text("date,geography,geography code,Total\n2021,Hackney,E09000012,10\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        read_ts021(bad, groups())
    assert str(info.value).startswith(f"{bad}:1:Ethnic group: Total: All usual residents: missing column")


def test_groups_that_do_not_add_up_are_rejected(tmp_path):
    text = FIXTURE.read_bytes().decode("utf-8-sig").split("\r\n")
    text[2] = text[2].replace(",138000,", ",138001,", 1)
    bad = tmp_path / "ts021.csv"
    bad.write_bytes("\r\n".join(text).encode("utf-8"))
    with pytest.raises(ImportError_) as info:
        read_ts021(bad, groups())
    assert f"{bad}:3:Ethnic group: Total: All usual residents: the high-level groups add up to" in str(info.value)


def test_detailed_groups_must_add_up_to_their_high_level_group(tmp_path):
    text = FIXTURE.read_bytes().decode("utf-8-sig").split("\r\n")
    text[2] = text[2].replace(",18334,", ",18335,", 1)  # Hackney's Black African, one too many
    bad = tmp_path / "ts021.csv"
    bad.write_bytes("\r\n".join(text).encode("utf-8"))
    with pytest.raises(ImportError_) as info:
        read_ts021(bad, groups())
    assert "Caribbean or African: its detailed groups add up to 55001, not 55000" in str(info.value)
    assert str(info.value).startswith(f"{bad}:3:")
