"""The package's release log (data/releases.py, releases.csv): a merge appends one row with the right counts, a dry
run none; importers append one only when asked; the log is checked like every table."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from data import merge as merge_cli
from data import releases, validate
from data.importers import census_ts021
from data.package import load_package, published_only
from tests.test_merge import SOURCE_HEADER, SOURCE_ROW, WORKFORCE_HEADER, csv_bytes, workforce_rows

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"


def log_rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "releases.csv").read_text(encoding="utf-8"))))


@pytest.fixture
def package_copy(tmp_path) -> Path:
    target = tmp_path / "nel"
    shutil.copytree(SHIPPED, target)
    return target


def submission(tmp_path: Path, workforce: list[list[str]]) -> list[Path]:
    wf, src = tmp_path / "workforce.csv", tmp_path / "sources.csv"
    wf.write_bytes(csv_bytes([WORKFORCE_HEADER, *workforce]))
    src.write_bytes(csv_bytes([SOURCE_HEADER, SOURCE_ROW]))
    return [wf, src]


def test_the_shipped_log_is_checked_and_dated_by_the_repository_history():
    pkg = load_package(SHIPPED)
    assert pkg.valid, pkg.problems[:5]
    log = pkg.tables["releases"]
    assert list(log["release_id"]) == ["2026-11-25-1", "2026-11-27-1", "2026-11-27-2", "2026-12-07-1", "2026-12-07-2",
                                       "2026-12-07-3"]
    assert log["date"].max() == pd_timestamp("2026-12-07")
    assert set(log["tables"].iloc[1].split(";")) >= {"population", "area_population"}  # the Census import
    # the log has no status column: published-only mode keeps every release
    assert published_only(pkg).tables["releases"].equals(log)


def pd_timestamp(text: str):
    import pandas as pd
    return pd.Timestamp(text)


def test_a_merge_appends_one_release_with_the_right_counts(package_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(releases, "today", lambda: dt.date(2026, 12, 8))
    before = log_rows(package_copy)
    # one new year of six rows for Barts Health, and one illustrative row replaced by a published figure
    rows = workforce_rows() + [["RF4", "2022", "all_staff", "9000", "21000", "", "31 March 2022", "r1h-wres-2025",
                                "published", ""]]
    code = merge_cli.main([*map(str, submission(tmp_path, rows)), "--package", str(package_copy)])
    out = capsys.readouterr().out
    assert code == 0, out
    after = log_rows(package_copy)
    assert after[:-1] == before and len(after) == len(before) + 1
    new = after[-1]
    assert new["release_id"] == "2026-12-08-1" and new["date"] == "2026-12-08"
    assert new["tables"] == "sources;workforce" and new["organisations"] == "R1H;RF4"
    assert (new["rows_added"], new["rows_changed"], new["rows_removed"]) == ("7", "1", "0")  # 6 + 1 source; 1 replaced
    assert new["summary"] == "New and changed figures in workforce representation and sources, for Barts Health and BHRUT."
    assert "release 2026-12-08-1 added to the release log" in out
    assert validate.main([str(package_copy)]) == 0
    # a second merge the same day gets the next number, and its own summary
    code = merge_cli.main([*map(str, submission(tmp_path, workforce_rows("2026"))), "--package", str(package_copy),
                           "--summary", "Barts Health's 2026 workforce figures"])
    assert code == 0
    last = log_rows(package_copy)[-1]
    assert (last["release_id"], last["rows_added"], last["rows_changed"]) == ("2026-12-08-2", "6", "0")
    assert last["summary"] == "Barts Health's 2026 workforce figures"


def test_a_dry_run_or_a_merge_that_changes_nothing_appends_no_release(package_copy, tmp_path, capsys):
    before = (package_copy / "releases.csv").read_bytes()
    files = submission(tmp_path, workforce_rows())
    assert merge_cli.main([*map(str, files), "--package", str(package_copy), "--dry-run"]) == 0
    assert (package_copy / "releases.csv").read_bytes() == before
    # the same rows as already held: every row unchanged, so no release
    held = [r for r in csv.reader(io.StringIO((SHIPPED / "workforce.csv").read_text()))][1:3]
    only_workforce = tmp_path / "workforce.csv"
    only_workforce.write_bytes(csv_bytes([WORKFORCE_HEADER, *held]))
    code = merge_cli.main([str(only_workforce), "--package", str(package_copy), "--replace-published"])
    assert code == 0, capsys.readouterr().out
    assert (package_copy / "releases.csv").read_bytes() == before


def test_a_submitted_release_log_is_refused_and_one_in_a_zip_is_left_alone(package_copy, tmp_path, capsys):
    log = tmp_path / "releases.csv"
    log.write_bytes((SHIPPED / "releases.csv").read_bytes())
    code = merge_cli.main([str(log), "--package", str(package_copy)])
    out = capsys.readouterr().out
    assert code == 1 and "releases.csv:-:-: the release log is written when figures are merged" in out
    from data.submission_read import read_upload
    from tests.test_merge import zip_of
    parts, problems = read_upload("nel.zip", zip_of({"nel/releases.csv": log.read_bytes(),
                                                     "nel/workforce.csv": csv_bytes([WORKFORCE_HEADER, *workforce_rows()])}))
    assert [p.table for p in parts] == ["workforce"] and problems == []


def test_the_log_is_checked_like_every_table(package_copy):
    text = (package_copy / "releases.csv").read_text()
    (package_copy / "releases.csv").write_text(text.replace("2026-11-27-2,2026-11-27,sources,",
                                                            "2026-11-28-2,2026-11-27,sourcez,"))
    lines = [str(p) for p in load_package(package_copy).problems]
    assert "releases.csv:4:tables: unknown table 'sourcez': expected table names such as workforce" in lines
    assert any(line.startswith("releases.csv:4:release_id: identifier '2026-11-28-2' does not start") for line in lines)


def test_compare_counts_rows_by_key_and_names_organisations_with_published_figures():
    old = (SHIPPED / "wres.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(old.decode())))
    header, body = rows[0], rows[1:]
    status = header.index("status")
    first, second = [i for i, r in enumerate(body) if r[status] == "illustrative" and r[0] in ("RQX", "RAT")][:2]
    body[first] = [*body[first][:status], "published", body[first][status + 1]]  # now a published figure
    removed_org = body[second][0]
    new = csv_bytes([header, *body[:second], *body[second + 1:]])
    counts = releases.compare({"wres.csv": old}, {"wres.csv": new})
    assert (counts.tables, counts.added, counts.changed, counts.removed) == (("wres",), 0, 1, 1)
    # the changed row is published; the removed one was illustrative, so its organisation is not named for it
    assert counts.organisations == (body[first][0],) and removed_org in ("RQX", "RAT")


def test_append_release_by_hand_and_nothing_when_nothing_changed(package_copy, tmp_path):
    before = releases.snapshot(package_copy)
    assert releases.append_release(package_copy, "Nothing", before=before) is None
    with (package_copy / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write(",".join(SOURCE_ROW) + "\n")
    release = releases.append_release(package_copy, "A source added", before=before, date=dt.date(2026, 12, 8))
    assert release is not None and release.release_id == "2026-12-08-1"
    assert log_rows(package_copy)[-1] == {"release_id": "2026-12-08-1", "date": "2026-12-08", "tables": "sources",
                                          "organisations": "", "rows_added": "1", "rows_changed": "0",
                                          "rows_removed": "0", "summary": "A source added"}


def test_the_census_importer_logs_a_release_only_when_asked(package_copy, capsys):
    log = (package_copy / "releases.csv").read_bytes()
    assert census_ts021.main(["--package", str(package_copy)]) == 0
    assert (package_copy / "releases.csv").read_bytes() == log  # the byte-for-byte re-import stays true
    assert census_ts021.main(["--package", str(package_copy), "--release", "Census again"]) == 0
    assert "no row changed: no release logged" in capsys.readouterr().out
    assert (package_copy / "releases.csv").read_bytes() == log
    population = package_copy / "population.csv"
    population.write_text("".join(population.read_text().splitlines(keepends=True)[:-3]))  # three rows lost
    assert census_ts021.main(["--package", str(package_copy), "--release", "Census 2021 restored"]) == 0
    new = log_rows(package_copy)[-1]
    assert (new["tables"], new["rows_added"], new["summary"]) == ("population", "3", "Census 2021 restored")


def test_a_release_logged_by_hand_from_a_copy_taken_before(package_copy, tmp_path, capsys):
    before = tmp_path / "before"
    shutil.copytree(package_copy, before)
    with (package_copy / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write(",".join(SOURCE_ROW) + "\n")
    assert releases.main(["--package", str(package_copy), "--before", str(before), "A source added by hand"]) == 0
    assert "0 changed, 0 removed in sources" in capsys.readouterr().out
    assert log_rows(package_copy)[-1]["summary"] == "A source added by hand"
    assert releases.main(["--package", str(before), "--before", str(before), "Nothing"]) == 1
    assert validate.main([str(package_copy)]) == 0
