"""Coverage matrix counts, the lettered heatmap, sources/licences text, and the downloadable package zip."""
from __future__ import annotations

import io
import json
import shutil
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from components.cards import about_data
from components.cards import coverage as cov
from data import derive, export
from data.package import load_package
from data.schema import SHIPPED_PACKAGE
from data.suppression import RULE_TEXT

NA = np.nan


def small_tables() -> dict[str, pd.DataFrame]:
    """Two trusts, the system, England and the ICB; every cell's expected coverage is written beside it."""
    orgs = pd.DataFrame({
        "ods_code": ["QMF", "R1H", "RF4", "NEL", "ENG"],
        "short_name": ["NEL ICB", "Barts Health", "BHRUT", "NEL system", "England"],
        "kind": ["ICB", "acute trust", "acute trust", "system", "national"],
    })
    staff_groups = pd.DataFrame({"staff_group": ["all_staff", "board"], "label": ["All staff", "Board"],
                                 "sort_order": [1, 2]})
    wf = pd.DataFrame([
        # ods, year, group, gm, total, pct, status, suppressed
        ("R1H", 2022, "all_staff", 50, 100, NA, "published", False),      # published
        ("ENG", 2022, "all_staff", NA, NA, 25.0, "published", False),     # published
        ("R1H", 2023, "all_staff", 60, 100, NA, "illustrative", False),   # illustrative
        ("RF4", 2023, "all_staff", 40, 80, NA, "illustrative", False),    # illustrative (+ NEL 2023 all_staff illustrative)
        ("R1H", 2023, "board", 5, 12, NA, "illustrative", False),         # illustrative
        ("RF4", 2023, "board", NA, 10, NA, "illustrative", True),         # withheld (+ NEL 2023 board withheld)
    ], columns=["ods_code", "year", "staff_group", "gm_headcount", "total_headcount", "gm_percent", "status", "suppressed"])
    wf = wf.assign(source_id=np.where(wf["status"] == "published", "pub", "illustrative"), period="31 March", note="")
    for col in ("gm_headcount", "total_headcount"):
        wf[col] = wf[col].astype("Int64")
    wres = pd.DataFrame([
        ("ENG", 2022, 2, "comparison", 1.5, "published", False),          # published
        ("R1H", 2023, 2, "global_majority", 10.0, "illustrative", False),  # illustrative
        ("R1H", 2023, 2, "white", 12.0, "illustrative", False),
        ("RF4", 2023, 5, "global_majority", 30.0, "published", False),     # published + illustrative -> illustrative
        ("RF4", 2023, 5, "white", 25.0, "illustrative", False),
        ("R1H", 2022, 3, "global_majority", NA, "illustrative", True),     # withheld
        ("R1H", 2022, 1, "global_majority", 50.0, "illustrative", False),  # indicator 1: not in this family
    ], columns=["ods_code", "year", "indicator", "group", "value", "status", "suppressed"]).assign(source_id="pub")
    remi = pd.DataFrame([
        ("QMF", 2024, "leadership", 2, "illustrative"),                   # illustrative
        ("R1H", 2024, "leadership", 3, "published"),                      # published
    ], columns=["ods_code", "year", "domain_id", "stage", "status"]).assign(source_id="pub")
    domains = pd.DataFrame({"domain_id": ["leadership", "policy"], "name": ["Leadership", "Policy"], "sort_order": [1, 2]})
    indicators = pd.DataFrame({"indicator": range(1, 10), "short_name": [f"Indicator {i}" for i in range(1, 10)]})
    return {"organisations": orgs, "staff_groups": staff_groups, "workforce": wf, "wres": wres, "remi": remi,
            "remi_domains": domains, "wres_indicators": indicators}


SOURCES = pd.DataFrame({"source_id": ["pub", "illustrative"], "title": ["Pub", "Invented"],
                        "publisher": ["P", "D"], "url": ["https://example.org/", pd.NA]})


@pytest.fixture(scope="module")
def long():
    return cov.coverage_long(small_tables())


def test_counts_equal_what_was_constructed(long):
    by = cov.coverage_counts(long, "family")
    # workforce: 2 groups x (R1H, RF4, NEL, ENG) x 2022-2023 = 16 cells; QMF has no workforce rows and is no trust
    assert by.loc["workforce"].to_dict() == {"published": 2, "illustrative": 4, "withheld": 2, "missing": 8, "total": 16}
    # wres: indicators 2-8 (7) x (R1H, RF4, ENG) x 2022-2023 = 42 cells
    assert by.loc["wres"].to_dict() == {"published": 1, "illustrative": 2, "withheld": 1, "missing": 38, "total": 42}
    # remi: 2 domains x (QMF, R1H, RF4) x 2024 = 6 cells
    assert by.loc["remi"].to_dict() == {"published": 1, "illustrative": 1, "withheld": 0, "missing": 4, "total": 6}
    everything = cov.coverage_counts(long).iloc[0].to_dict()
    assert everything == {"published": 4, "illustrative": 7, "withheld": 3, "missing": 50, "total": 64}
    assert "64 places" in cov.coverage_sentence(long) and "3 withheld (fewer than 5)" in cov.coverage_sentence(long)


def test_cells_are_where_they_were_put(long):
    cell = long.set_index(["family", "measure_id", "ods_code", "year"])["cell"]
    assert cell[("workforce", "board", "NEL", 2023)] == "withheld"
    assert cell[("workforce", "all_staff", "NEL", 2023)] == "illustrative"
    assert cell[("workforce", "all_staff", "NEL", 2022)] == "missing"   # only one trust reported in 2022
    assert cell[("wres", "5", "RF4", 2023)] == "illustrative"            # one invented value makes the cell illustrative
    assert cell[("wres", "3", "R1H", 2022)] == "withheld"
    assert "1" not in set(long.loc[long["family"] == "wres", "measure_id"])
    assert set(long.loc[long["family"] == "remi", "ods_code"]) == {"QMF", "R1H", "RF4"}


def test_heatmap_letters_and_colours(long):
    card = cov.coverage_card(long, "workforce", "NEL", SOURCES)
    heat = card.figure.data[0]
    assert heat.type == "heatmap"
    assert list(heat.x) == ["2022", "2023"] and list(heat.y) == ["All staff", "Board"]
    assert [list(r) for r in heat.text] == [["\u2013", "I"], ["\u2013", "W"]]
    assert [list(r) for r in heat.z] == [[0, 2], [0, 1]]
    legend = [t.name for t in card.figure.data[1:]]
    assert legend == ["P = Published", "I = Illustrative (not real data)", "W = Withheld (fewer than 5)",
                      "\u2013 = Not yet published"]
    assert card.title == "NEL system: none of 4 workforce figures are published yet"
    assert card.sentence == ("For NEL system, none of the 4 workforce figures for 2022 to 2023 are published, "
                             "1 is illustrative (not real data), 1 is withheld (fewer than 5) and 2 are not yet published.")
    assert RULE_TEXT in card.all_caveats()
    assert list(card.table["Coverage"]) == ["Not yet published", "Illustrative (not real data)",
                                            "Not yet published", "Withheld (fewer than 5)"]
    assert not card.has_illustrative          # the coverage chart itself is not illustrative data
    assert cov.coverage_card(long, "workforce", "QMF", SOURCES) is None
    r1h = cov.coverage_card(long, "workforce", "R1H", SOURCES)
    assert r1h.title == "Barts Health: 1 of 4 workforce figures is published"


def test_summary_and_wide_tables(long):
    summary = cov.coverage_summary_table(long)
    assert list(summary.columns) == ["Coverage", "Workforce", "WRES 2 to 8", "REMI"]
    assert summary.set_index("Coverage").loc["All", "WRES 2 to 8"] == "42"
    by_org = cov.coverage_by_org(long).set_index("Organisation")
    assert list(by_org.columns) == ["Workforce", "WRES 2 to 8", "REMI"]
    assert list(by_org.index) == ["NEL ICB", "Barts Health", "BHRUT", "NEL system", "England"]
    assert by_org.loc["NEL system", "Workforce"] == "1 illustrative; 1 withheld; 2 not yet published"
    assert by_org.loc["Barts Health", "REMI"] == "1 published; 1 not yet published"
    assert by_org.loc["NEL ICB", "Workforce"] == "not reported"
    csv = cov.coverage_csv(long).decode()
    assert csv.splitlines()[0] == "family,measure,ods_code,org,year,cell,coverage,source_id"
    assert csv.count("\n") == len(long) + 1


def test_shipped_coverage_adds_up():
    pkg = load_package(SHIPPED_PACKAGE)
    long = cov.coverage_long(pkg.tables)
    counts = cov.coverage_counts(long).iloc[0]
    assert counts["total"] == len(long) == counts[list(cov.CELLS)].sum()
    # every published workforce row of a trust appears as a published cell
    wf = pkg.tables["workforce"]
    pub = wf[(wf["status"] == "published") & wf["ods_code"].isin(["R1H", "RF4", "RQX", "RWK", "RAT"])]
    cells = long[long["family"] == "workforce"].set_index(["measure_id", "ods_code", "year"])["cell"]
    for _, r in pub.iterrows():
        assert cells[(r["staff_group"], r["ods_code"], int(r["year"]))] == "published"
    shares = derive.workforce_shares(pkg.tables)
    assert not pkg.tables["wres"]["suppressed"].any()            # so every withheld cell is a workforce one
    assert counts["withheld"] == int(shares["suppressed"].sum())
    nel_board = long[(long["family"] == "workforce") & (long["ods_code"] == "NEL") & (long["measure_id"] == "board")]
    assert set(nel_board.loc[nel_board["cell"] == "withheld", "year"]) == set(
        shares.loc[(shares["ods_code"] == "NEL") & (shares["staff_group"] == "board") & shares["suppressed"], "year"])


def test_source_lines_link_and_escape():
    sources = pd.DataFrame({
        "source_id": ["a", "b"], "title": ["Good *title*", "[x](javascript:alert(1))"],
        "publisher": ["Pub", "Bad <script>"], "url": ["https://example.org/a", "javascript:alert(1)"],
        "licence": ["Open Government Licence v3.0", pd.NA], "date_retrieved": [pd.Timestamp("2026-11-25"), pd.NaT],
        "grade": ["primary", "secondary"], "note": [pd.NA, "note"],
    })
    lines = about_data.source_lines(sources)
    assert lines[0].startswith("**[Good \\*title\\*](https://example.org/a)**")
    assert "Retrieved 25 November 2026" in lines[0] and "Licence: Open Government Licence v3\\.0" in lines[0]
    assert "](javascript" not in lines[1] and "<script>" not in lines[1] and "Licence: not stated" in lines[1]
    groups = dict(about_data.licence_groups(sources))
    assert groups == {"Open Government Licence v3.0": ["Good *title*"], "Not stated": ["[x](javascript:alert(1))"]}


def extract(data: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        zf.extractall(folder)
    return names


def test_zip_holds_every_table_and_revalidates(tmp_path):
    pkg = load_package(SHIPPED_PACKAGE)
    names = extract(export.package_zip(pkg), tmp_path)
    manifest = json.loads((tmp_path / "datapackage.json").read_text())
    paths = {r["name"]: r["path"] for r in manifest["resources"]}
    assert set(paths) == set(pkg.tables)
    assert sorted(names) == sorted(["README.md", "LICENCE.md", "datapackage.json", *paths.values()])
    again = load_package(tmp_path)
    assert again.problems == [], again.problems[:5]
    assert set(again.tables) == set(pkg.tables)
    withheld = int(pkg.tables["workforce"]["suppressed"].sum())
    assert withheld > 0 and manifest["withheld_rows"] == {"workforce": withheld}
    assert len(again.tables["workforce"]) == len(pkg.tables["workforce"]) - withheld
    assert not again.tables["workforce"]["suppressed"].any()
    for name in pkg.tables:
        if name not in ("workforce", "wres"):
            pd.testing.assert_frame_equal(again.tables[name].reset_index(drop=True),
                                          pkg.tables[name].reset_index(drop=True), check_dtype=False)
    header = (tmp_path / "workforce.csv").read_text().splitlines()[0]
    assert "suppressed" not in header and "status" in header


def test_zip_leaves_out_a_broken_table(tmp_path):
    src = tmp_path / "pkg"
    shutil.copytree(SHIPPED_PACKAGE, src)
    text = (src / "remi.csv").read_text().splitlines()
    text[1] = text[1].replace(",3,", ",nine,", 1) if ",3," in text[1] else text[1].replace(",2,", ",nine,", 1)
    (src / "remi.csv").write_text("\n".join(text) + "\n")
    pkg = load_package(src)
    assert "remi" in pkg.broken
    out = tmp_path / "out"
    names = extract(export.package_zip(pkg), out)
    assert "remi.csv" not in names and "workforce.csv" in names
    again = load_package(out)
    assert {p.file for p in again.problems} == {"datapackage.json"}      # only: the remi resource is absent
    assert set(again.tables) == set(pkg.tables)


def test_table_csv_keeps_status_and_empties_withheld_counts():
    pkg = load_package(SHIPPED_PACKAGE)
    frame = pd.read_csv(io.BytesIO(export.table_csv(pkg.tables["workforce"])))
    assert "status" in frame.columns and "suppressed" in frame.columns
    hidden = frame[frame["suppressed"]]
    assert len(hidden) and hidden["gm_headcount"].isna().all() and hidden["gm_percent"].isna().all()


def test_readme_figures_match_the_data():
    """The README's and the package README's published/illustrative counts are the package's own."""
    import re
    from pathlib import Path

    from components.cards.coverage import status_counts
    from data.package import load_package
    from data.schema import SHIPPED_PACKAGE

    counts = status_counts(load_package(SHIPPED_PACKAGE).tables).set_index("File")
    measurement = counts.drop(index=["commitments.csv", "actions.csv"])
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    expected = (f"{measurement['Rows'].sum():,} measurement rows: {measurement['Published'].sum():,} published, "
                f"{measurement['Illustrative'].sum():,}\nillustrative")
    assert expected.replace("\n", " ") in readme.replace("\n", " "), expected
    package_readme = (root / "data" / "nel" / "README.md").read_text(encoding="utf-8")
    for file, r in counts.iterrows():
        row = re.search(rf"^\| `{re.escape(file)}` \| (\d+) \| (\d+)[^|]*\| (\d+) \|$", package_readme, re.M)
        assert row, file
        assert tuple(map(int, row.groups())) == (r["Rows"], r["Published"], r["Illustrative"]), file


def test_the_package_zip_is_the_same_bytes_every_time():
    pkg = load_package(SHIPPED_PACKAGE)
    # A reader who downloads twice, or a checksum in a publication, gets the same file: no build-time stamps.
    first = export.package_zip(pkg)
    time.sleep(2.1)  # zip timestamps have two-second resolution
    assert export.package_zip(pkg) == first
