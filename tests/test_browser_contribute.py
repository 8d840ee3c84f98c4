"""/contribute in Debian Chromium against the real server (one server for the module, NEL_ILLUSTRATIVE=hide
as in production): zero axe violations, a valid upload drawn and its merged zip validating, a malformed
file's problems visible at once, and oversized and hostile uploads refused with nothing left on disk."""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from bench.harness import ARTIFACTS, ROOT, RequestLog, app_server, exceptions, wait_for_app
from data import validate
from tests.test_browser_pages import axe_violations
from tests.test_merge import SOURCE_HEADER, SOURCE_ROW, WORKFORCE_HEADER, csv_bytes, workbook_bytes, workforce_rows

pytestmark = pytest.mark.browser

MARKER = f"contribute-marker-{uuid.uuid4().hex}"
SHOTS = ARTIFACTS / "screenshots"
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis"}


@pytest.fixture(scope="module")
def server_tmp():
    path = Path(tempfile.mkdtemp(prefix="nel-contribute-server-tmp-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def contribute_server(browser, server_tmp):
    env = {"TMPDIR": str(server_tmp), "NEL_ILLUSTRATIVE": "hide"}
    with app_server(env=env) as base:
        yield base


def open_contribute(page, server: str):
    page.goto(f"{server}/contribute")
    wait_for_app(page)
    page.locator('input[type="file"]').wait_for(state="attached")


def choose_files(page, files: list[tuple[str, bytes]], expect: str, min_charts: int = 0):
    """Upload the files and wait for ``expect`` (case-sensitive) among the results."""
    page.locator('input[type="file"]').set_input_files(
        [{"name": n, "mimeType": "application/octet-stream", "buffer": d} for n, d in files])
    page.get_by_text(re.compile(re.escape(expect))).first.wait_for(timeout=90_000)
    wait_for_app(page, min_charts=min_charts, timeout=90_000)


def valid_files() -> list[tuple[str, bytes]]:
    return [("workforce.csv", csv_bytes([WORKFORCE_HEADER] + workforce_rows())),
            ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))]


def test_the_page_is_accessible_and_fits_a_phone(browser, contribute_server, page):
    log = RequestLog(page, contribute_server)
    open_contribute(page, contribute_server)
    assert exceptions(page) == []
    assert page.get_by_text("up to 10 MB per file").count() >= 1
    assert axe_violations(page) == []
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        small = phone.new_page()
        open_contribute(small, contribute_server)
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 391
    finally:
        phone.close()
    # the REMI form, with a stage chosen so that the radar is drawn live
    page.goto(f"{contribute_server}/contribute?form=remi")
    wait_for_app(page)
    page.get_by_text("4. Embedding").first.click()
    wait_for_app(page, min_charts=1)
    assert exceptions(page) == []
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "contribute_form-remi.png"), full_page=True)
    assert log.foreign() == []


def test_a_valid_upload_draws_the_preview_and_its_merged_zip_validates(contribute_server, page, tmp_path):
    open_contribute(page, contribute_server)
    choose_files(page, valid_files(), "No problems", min_charts=3)
    assert exceptions(page) == []
    labels = page.locator('[data-testid="stPlotlyChart"]')
    assert all(len(labels.nth(i).get_attribute("aria-label") or "") > 20 for i in range(labels.count()))
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "contribute_preview.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the merged package (zip)").click()
    archive = tmp_path / "merged.zip"
    archive.write_bytes(Path(download.value.path()).read_bytes())
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "merged")
    assert validate.main([str(tmp_path / "merged")]) == 0
    workforce = (tmp_path / "merged" / "workforce.csv").read_text(encoding="utf-8")
    assert "R1H,2025,band_8a_plus,600,2500,,31 March 2025,r1h-wres-2025,published," in workforce
    assert ",illustrative," not in workforce, "NEL_ILLUSTRATIVE=hide: no illustrative row leaves the server"


def test_a_malformed_file_shows_its_problems_with_row_and_column_at_once(contribute_server, page):
    rows = workforce_rows()
    rows[1][0] = "XYZ1"
    book = workbook_bytes({"workforce": [WORKFORCE_HEADER, *rows], "sources": [SOURCE_HEADER, SOURCE_ROW]})
    open_contribute(page, contribute_server)
    choose_files(page, [("figures.xlsx", book)], "problem")
    heading = page.get_by_text("figures.xlsx, sheet workforce").first
    assert heading.is_visible()
    cell = page.get_by_text("unknown organisation 'XYZ1' (not in organisations.csv)").first
    row = page.locator("tr", has=cell).first
    assert [c.strip() for c in row.inner_text().split("\t")][:2] == ["3", "ods_code (column A)"]
    box = cell.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], \
        f"the first problem is below the fold at y={box and box['y']}"
    assert axe_violations(page) == []


def tree_with(root: Path, needle: bytes, since: float) -> list[str]:
    """Files under root changed since ``since`` that contain ``needle``."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                if MARKER in name:
                    hits.append(str(path))
                    continue
                if path.stat().st_mtime < since or path.stat().st_size > 50 * 1024 * 1024:
                    continue
                if needle in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue
    return hits


def hostile_files() -> list[tuple[str, bytes, str]]:
    """(name, bytes, what the page must say)."""
    mark = MARKER.encode()
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr(f"../../{MARKER}.csv", b"a,b\n" + mark)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("wres.csv", mark + b"0" * (100 * 1024 * 1024))
    formula = workbook_bytes({"workforce": [WORKFORCE_HEADER, *workforce_rows()]}, formula="=HYPERLINK(\"http://x\")")
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(formula)) as src, zipfile.ZipFile(macro, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
        dst.writestr("xl/worksheets/sheet1.xml", src.read("xl/worksheets/sheet1.xml").replace(b"<f>", b"<v>").replace(b"</f>", b"</v>"))
        dst.writestr("xl/vbaProject.bin", mark)
    script = [["<img src=x onerror=\"window.__pwned=1\">", "2025", "<script>window.__pwned=2</script>", "1", "9", "",
               MARKER, "illustrative", "published", ""]]
    return [
        ("slip.zip", slip.getvalue(), "path leads outside the package"),
        ("bomb.zip", bomb.getvalue(), "would expand to"),
        ("formula.xlsx", formula, "has a formula in sheet workforce, cell D3"),
        ("macro.xlsx", macro.getvalue(), "contains macros"),
        ("remi.csv", "ods_code,year\n".encode() + mark + "caf\u00e9\n".encode("latin-1"), "bytes are not valid UTF-8"),
        ("wres.csv", b"\x7fELF\x02\x01\x01\x00" + mark + bytes(range(256)) * 8, "this is not a CSV file"),
        ("workforce.csv", csv_bytes([WORKFORCE_HEADER] + script), "unknown organisation"),
    ]


def test_oversized_and_hostile_uploads_are_refused_and_leave_nothing_behind(contribute_server, page, server_tmp):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tmp_before = sorted(os.listdir(server_tmp))
    started = time.time() - 1
    open_contribute(page, contribute_server)

    big = MARKER.encode() + b"," + b"1" * (11 * 1024 * 1024)
    page.locator('input[type="file"]').set_input_files([{"name": "workforce.csv", "mimeType": "text/csv", "buffer": big}])
    page.get_by_text("10.0MB or smaller").first.wait_for(timeout=30_000)
    assert page.get_by_text("No problems").count() == 0

    open_contribute(page, contribute_server)
    files = hostile_files()
    choose_files(page, [(n, d) for n, d, _ in files], "Refused:")
    body = page.inner_text("body")
    for name, _, said in files:
        assert said in body, f"{name}: expected {said!r} on the page"
    assert exceptions(page) == []
    assert page.evaluate("() => window.__pwned === undefined"), "script from a cell ran"
    assert dialogs == []
    assert page.locator('[data-testid="stMain"] img[src="x"]').count() == 0
    assert "<script>window.__pwned=2</script>" in body or "window.__pwned=2" in body  # shown as text
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0

    time.sleep(1)
    assert sorted(os.listdir(server_tmp)) == tmp_before, "the server wrote to its temp directory"
    assert tree_with(ROOT, MARKER.encode(), started) == [], "an upload reached the app's directory (or its log)"
    assert not list(ROOT.parent.glob(f"*{MARKER}*")) and not list(Path(tempfile.gettempdir()).glob(f"*{MARKER}*"))
