"""The last good package (issue #21, part 5; data/last_good.py): when the package on disk changes and the new
version fails its checks, a running app keeps serving the last version that passed and logs the refusal as one
JSON line naming file, row and column; it switches as soon as a valid version appears; an app that starts on a
failing package withholds each broken table with a notice, as before.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.harness import ARTIFACTS, app_server, wait_for_app
from components.ui.oplog import JsonLines
from data.last_good import LastGood
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"
RENAMED = "Renamed pillar for the last-good test"


def copy_package(folder: Path) -> Path:
    shutil.copytree(SHIPPED, folder)
    return folder


def break_sort_order(folder: Path) -> None:
    """pillars.csv line 2's sort_order becomes a word: a problem at pillars.csv:2:sort_order."""
    path = folder / "pillars.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = "second"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rename_first_pillar(folder: Path) -> str:
    path = folder / "pillars.csv"
    old = str(load_package(folder).tables["pillars"]["name"].iloc[0])
    path.write_text(path.read_text(encoding="utf-8").replace(old, RENAMED), encoding="utf-8")
    return old


@pytest.fixture
def json_log():
    """What the logger nel.data writes, formatted as the app formats it (components/ui/oplog.py)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("nel.data")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.level = level


def test_a_failing_new_version_is_refused_logged_once_and_a_valid_one_taken(tmp_path, json_log):
    folder = copy_package(tmp_path / "pkg")
    last_good = LastGood()
    good = load_package(folder)
    assert good.valid and last_good.choose("k", good) is good

    break_sort_order(folder)
    broken = load_package(folder)
    assert not broken.valid and "pillars" in broken.broken
    assert last_good.choose("k", broken) is good
    assert last_good.choose("k", broken) is good            # asked again on the next page run: still the good one
    (line,) = json_log()                                    # logged once per refused version
    assert line["event"] == "package_rejected" and line["level"] == "warning"
    assert (line["file"], line["row"], line["column"]) == ("pillars.csv", 2, "sort_order")
    assert line["problems"][0].startswith("pillars.csv:2:sort_order:")
    assert line["serving_digest"] == good.version and line["rejected_digest"] == broken.version
    assert line["tables_failed"] == sorted(broken.broken)

    shutil.copy(SHIPPED / "pillars.csv", folder / "pillars.csv")
    rename_first_pillar(folder)
    mended = load_package(folder)
    assert mended.valid and last_good.choose("k", mended) is mended
    assert RENAMED in set(last_good.choose("k", mended).tables["pillars"]["name"])
    assert len(json_log()) == 1


def test_a_process_that_starts_on_a_failing_package_serves_it_as_before(tmp_path, json_log):
    folder = copy_package(tmp_path / "pkg")
    break_sort_order(folder)
    broken = load_package(folder)
    last_good = LastGood()
    assert last_good.choose("k", broken) is broken          # nothing better: each broken table withheld
    assert "pillars" not in broken.tables and broken.unavailable("pillars") is not None
    assert json_log() == []
    shutil.copy(SHIPPED / "pillars.csv", folder / "pillars.csv")
    fixed = load_package(folder)
    assert last_good.choose("k", fixed) is fixed
    break_sort_order(folder)
    assert last_good.choose("k", load_package(folder)) is fixed   # from now on the last good one is kept


def test_each_source_and_mode_keeps_its_own_last_good_version(tmp_path):
    a, b = copy_package(tmp_path / "a"), copy_package(tmp_path / "b")
    last_good = LastGood()
    good_a = load_package(a)
    last_good.choose(("a", "show"), good_a)
    break_sort_order(b)
    broken_b = load_package(b)
    assert last_good.choose(("b", "show"), broken_b) is broken_b
    assert last_good.choose(("a", "hide"), broken_b) is broken_b


def _server_log(base: str) -> list[dict]:
    port = base.rsplit(":", 1)[1]
    lines = (ARTIFACTS / f"server-{port}.log").read_text(encoding="utf-8", errors="replace").splitlines()
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def _strategy(page, base: str) -> dict:
    page.goto(f"{base}/strategy")
    wait_for_app(page, min_charts=0)
    with contextlib.suppress(PlaywrightTimeout):             # a page whose table is withheld draws no chart
        wait_for_app(page, min_charts=1, timeout=20_000)
    return page.evaluate("""() => ({
        text: document.querySelector('[data-testid="stMain"]').innerText,
        charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
        warnings: [...document.querySelectorAll('[data-testid="stAlert"]')].map(e => e.innerText),
    })""")


@pytest.mark.browser
def test_a_running_app_keeps_drawing_the_last_good_package_while_the_new_one_is_broken(tmp_path, browser):
    folder = copy_package(tmp_path / "live")
    old_name = str(load_package(folder).tables["pillars"]["name"].iloc[0])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        with app_server(str(folder), env={"NEL_ILLUSTRATIVE": "hide"}) as base:
            before = _strategy(page, base)
            assert old_name in before["text"] and before["charts"] >= 1
            assert not [w for w in before["warnings"] if "failed" in w]

            break_sort_order(folder)
            time.sleep(3)                                     # past the app's 2 s look at the files
            during = _strategy(page, base)
            assert during["charts"] == before["charts"] and old_name in during["text"]
            assert not [w for w in during["warnings"] if "failed" in w or "cannot be shown" in w], during["warnings"]
            refused = [e for e in _server_log(base) if e.get("event") == "package_rejected"]
            assert len(refused) == 1, refused
            assert (refused[0]["file"], refused[0]["row"], refused[0]["column"]) == ("pillars.csv", 2, "sort_order")

            shutil.copy(SHIPPED / "pillars.csv", folder / "pillars.csv")
            rename_first_pillar(folder)
            time.sleep(3)
            after = _strategy(page, base)
            assert RENAMED in after["text"] and old_name not in after["text"]
            assert after["charts"] == before["charts"]
    finally:
        context.close()
