"""Small-number suppression: applied by the loader, so no page can get the withheld values."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from data import derive
from data.package import load_package
from data.suppression import THRESHOLD, apply_suppression, is_small

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "nel"


def test_is_small_is_one_to_four():
    assert is_small(pd.Series([0, 1, 4, 5, None])).tolist() == [False, True, True, False, False]
    assert THRESHOLD == 5


def test_workforce_small_count_and_its_complement_and_percent_are_withheld():
    frame = pd.DataFrame({
        "gm_headcount": pd.array([3, 9, 10, 0], dtype="Int64"),
        "total_headcount": pd.array([12, 12, 40, 7], dtype="Int64"),
        "gm_percent": pd.array([None, None, None, None], dtype="Float64"),
    })
    out = apply_suppression("workforce", frame)
    assert out["suppressed"].tolist() == [True, True, False, False]  # 3 is small; 12 - 9 = 3 is small
    assert out["gm_headcount"].isna().tolist() == [True, True, False, False]
    assert out["total_headcount"].tolist() == [12, 12, 40, 7]


def test_wres_ratio_derived_from_a_withheld_count_is_withheld():
    frame = pd.DataFrame({
        "ods_code": ["X"] * 3, "year": [2024] * 3, "indicator": [3] * 3,
        "group": ["global_majority", "white", "comparison"],
        "value": pd.array([0.2, 0.1, 2.0], dtype="Float64"),
        "numerator": pd.array([2, 10, None], dtype="Int64"),
        "denominator": pd.array([1000, 10000, None], dtype="Int64"),
    })
    out = apply_suppression("wres", frame)
    assert out["suppressed"].tolist() == [True, False, True]
    assert out["value"].isna().tolist() == [True, False, True]
    assert out["numerator"].isna().tolist() == [True, False, True]


def small_count_package(tmp_path) -> tuple[Path, int]:
    folder = tmp_path / "nel"
    shutil.copytree(SHIPPED, folder)
    path = folder / "workforce.csv"
    text = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(text):
        if line.startswith("RQX,2022,vsm,"):
            cells = line.split(",")
            cells[3], cells[4] = "3", "31"
            text[i] = ",".join(cells)
    path.write_text("\n".join(text), encoding="utf-8")
    return folder, 3


def test_loader_never_returns_small_counts(tmp_path):
    folder, _ = small_count_package(tmp_path)
    package = load_package(folder)
    wf = package.table("workforce")
    row = wf[(wf["ods_code"] == "RQX") & (wf["year"] == 2022) & (wf["staff_group"] == "vsm")].iloc[0]
    assert pd.isna(row["gm_headcount"]) and row["suppressed"]
    staff = wf[wf["staff_group"] != "board"]  # board members are named office-holders: see the test below
    counts = pd.concat([staff["gm_headcount"], staff["total_headcount"] - staff["gm_headcount"]]).dropna()
    assert not is_small(counts).any()
    wres = package.table("wres")
    nums = pd.concat([wres["numerator"], wres["denominator"] - wres["numerator"]]).dropna()
    assert not is_small(nums).any()


def test_system_total_including_a_withheld_count_is_withheld(tmp_path):
    folder, _ = small_count_package(tmp_path)
    shares = derive.workforce_shares(load_package(folder).tables)
    nel = shares[(shares["ods_code"] == "NEL") & (shares["year"] == 2022) & (shares["staff_group"] == "vsm")].iloc[0]
    assert nel["suppressed"] and pd.isna(nel["gm_headcount"]) and pd.isna(nel["share"])


def _set_board(folder: Path, gm: int, total: int, suppress_board: str | None = None) -> None:
    path = folder / "workforce.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("RQX,2022,board,"):
            cells = line.split(",")
            cells[3], cells[4] = str(gm), str(total)
            lines[i] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    if suppress_board is not None:
        groups = folder / "staff_groups.csv"
        text = groups.read_text(encoding="utf-8").split("\n")
        text = [line.replace(",false,", f",{suppress_board},") if line.startswith("board,") else line for line in text]
        groups.write_text("\n".join(text), encoding="utf-8")


def test_board_figures_are_not_withheld_but_every_staff_group_still_is(tmp_path):
    folder, _ = small_count_package(tmp_path)
    _set_board(folder, 3, 12)  # 3 of 12 voting board members: published under WRES indicator 9
    package = load_package(folder)
    assert package.valid, [str(p) for p in package.problems]
    wf = package.table("workforce")
    board = wf[(wf["ods_code"] == "RQX") & (wf["year"] == 2022) & (wf["staff_group"] == "board")].iloc[0]
    assert board["gm_headcount"] == 3 and not board["suppressed"]
    vsm = wf[(wf["ods_code"] == "RQX") & (wf["year"] == 2022) & (wf["staff_group"] == "vsm")].iloc[0]
    assert pd.isna(vsm["gm_headcount"]) and vsm["suppressed"]  # 3 very senior managers: still withheld
    shares = derive.workforce_shares(package.tables)
    share = shares[(shares["ods_code"] == "RQX") & (shares["year"] == 2022) & (shares["staff_group"] == "board")]
    assert share["share"].iloc[0] == 25.0


def test_the_rules_scope_is_the_packages_to_set(tmp_path):
    folder, _ = small_count_package(tmp_path)
    _set_board(folder, 3, 12, suppress_board="true")
    wf = load_package(folder).table("workforce")
    board = wf[(wf["ods_code"] == "RQX") & (wf["year"] == 2022) & (wf["staff_group"] == "board")].iloc[0]
    assert pd.isna(board["gm_headcount"]) and board["suppressed"]
