"""Published-only mode (NEL_ILLUSTRATIVE=hide): no illustrative value leaves the server.

A server started with NEL_ILLUSTRATIVE=hide is opened in Chromium on every page, trust profiles and every
slide of the default deck. Nothing it sends may carry an illustrative row: not the words that mark one
("illustrative", "not real data"), not a distinctive count from an illustrative row, not an illustrative
workforce share at full precision (what a chart plots). Page text, the charts' data read from the DOM and
every downloaded file (CSV and the package zip) are checked. The same check on the demo server
(NEL_ILLUSTRATIVE=show) must find them, so the check is known to see a leak.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from bench.harness import RequestLog, app_server, exceptions, wait_for_app
from components.ui.package_cache import MODE_LINES
from data.package import load_for_site, load_package
from tests.test_privacy import CHART_DATA, download_all, leaked_numbers, settle, token_re

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "data" / "nel"
MARKING = re.compile(r"(?i)illustrative|not real data")
# The package's schema (datapackage.json) defines the status column, so it names the value 'illustrative'
# among those allowed; it holds no row. Only the marking's own words are checked there.
SCHEMA_MARKING = re.compile(r"(?i)not real data")
VIEWS = ["", "boroughs", "workforce", "workforce?org=R1H", "remi", "trust?org=R1H", "trust?org=RF4", "trust?org=RAT",
         "strategy", "data", "outcomes", *[f"present?deck=default&slide={n}" for n in range(1, 8)]]
DOWNLOADS = {"data", "workforce?org=R1H", "trust?org=RF4", "boroughs", "outcomes"}


def illustrative_values() -> tuple[list[str], list[float]]:
    """Text tokens (distinctive counts, written as the dashboard writes them: '10,432') and full-precision
    shares that only illustrative rows hold. Bare four-digit numbers are left out: years and the map's
    coordinates are full of them."""
    tokens: set[str] = set()
    numbers: list[float] = []
    with (PACKAGE / "workforce.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    published = {r["gm_headcount"] for r in rows if r["status"] == "published"} | {
        r["total_headcount"] for r in rows if r["status"] == "published"}
    for r in rows:
        if r["status"] != "illustrative" or not r["total_headcount"]:
            continue
        gm, total = int(r["gm_headcount"]), int(r["total_headcount"])
        for n in (gm, total, total - gm):
            if n >= 1000 and str(n) not in published:
                tokens.add(f"{n:,}")
        share = 100 * gm / total if total else None
        if share is not None and abs(share * 100 - round(share * 100)) > 1e-6:  # 50.0 or 32.25 occur anyway
            numbers.append(share)
    with (PACKAGE / "wres.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["status"] == "illustrative":
                for cell in (r["numerator"], r["denominator"]):
                    if cell and int(cell) >= 1000:
                        tokens.add(f"{int(cell):,}")
    # A published count that happens to equal an invented one (North Central London's 2,245 detentions) is no leak.
    with (PACKAGE / "outcomes.csv").open(encoding="utf-8") as f:
        tokens -= {f"{int(r['count']):,}" for r in csv.DictReader(f) if r["status"] == "published" and r["count"]}
    return sorted(tokens), numbers


def scan(page, base: str) -> dict:
    """Every view's text, chart data and (for some views) downloaded files."""
    out = {}
    for view in VIEWS:
        page.goto(f"{base}/{view}")
        wait_for_app(page, min_charts=0)
        settle(page, min_charts=0)
        assert exceptions(page) == [], view
        files = download_all(page) if view in DOWNLOADS else {}
        out[view] = {"page text": page.locator('[data-testid="stMain"]').inner_text(),
                     "chart data": page.evaluate(CHART_DATA), **files}
    return out


def findings(seen: dict, tokens: list[str], numbers: list[float]) -> list[str]:
    found = []
    for view, surfaces in seen.items():
        for where, blob in surfaces.items():
            marking = SCHEMA_MARKING if where.endswith("datapackage.json") else MARKING
            found += [f"/{view} {where}: marking {m.group(0)!r}" for m in marking.finditer(blob)][:3]
            found += [f"/{view} {where}: {t}" for t in tokens if token_re(t).search(blob)]
            if where != "page text":
                found += [f"/{view} {where}: {n!r}" for n in leaked_numbers(blob, numbers)]
    return found


@pytest.fixture(scope="module")
def hidden_server():
    with app_server(env={"NEL_ILLUSTRATIVE": "hide"}) as base:
        yield base


@pytest.mark.browser
def test_hide_mode_sends_no_illustrative_value_anywhere(browser, hidden_server, server):
    tokens, numbers = illustrative_values()
    assert len(tokens) >= 50 and len(numbers) >= 100
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    log = RequestLog(page, hidden_server)
    try:
        hidden = scan(page, hidden_server)
    finally:
        context.close()
    leaks = findings(hidden, tokens, numbers)
    assert leaks == [], leaks[:20]
    assert log.foreign() == []
    files = {where: blob for s in hidden.values() for where, blob in s.items() if where not in ("page text", "chart data")}
    assert len(files) >= 15 and any(name.endswith(".zip/workforce.csv") for name in files)
    for view, surfaces in hidden.items():  # the mode line, on every page and slide
        assert MODE_LINES["hide"] in surfaces["page text"], view
    # Gaps are still listed: the coverage matrix says what is not yet published, the REMI page who has published.
    assert "not yet published" in hidden["data"]["page text"].lower()
    assert "No partner's REMI self-assessment is in this dashboard yet" in hidden["remi"]["page text"]

    # Control: the demo server shows the same values, marked, so this check does see them.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        shown = scan(page, server)
    finally:
        context.close()
    seen = findings(shown, tokens, numbers)
    assert len({line.rsplit(": ", 1)[1] for line in seen}) >= 20, seen[:10]
    assert all(MODE_LINES["show"] in s["page text"] for s in shown.values())


def test_hide_mode_package_zip_is_published_rows_only_and_validates(tmp_path):
    from data.export import package_zip

    pkg = load_for_site(PACKAGE, "hide")
    archive = package_zip(pkg)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        zf.extractall(tmp_path)
        texts = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    assert not any((SCHEMA_MARKING if n == "datapackage.json" else MARKING).search(t) for n, t in texts.items())
    reloaded = load_package(tmp_path)
    assert reloaded.valid, [str(p) for p in reloaded.problems[:5]]
    full = load_package(PACKAGE)
    for name in ("population", "workforce", "wres"):
        published = full.tables[name][full.tables[name]["status"] == "published"]
        assert len(reloaded.tables[name]) == len(published) > 0, name


def test_hide_mode_report_has_no_illustrative_value():
    from components.publish.report import render

    tokens, numbers = illustrative_values()
    html = render(load_for_site(PACKAGE, "hide"))
    parts = html.split("<script")
    library = max(parts, key=len)  # plotly.js itself, inlined once; every chart's own data is kept
    content = re.sub(r"<style>.*?</style>", "", "<script".join(p for p in parts if p is not library), flags=re.S)
    assert not MARKING.search(content), MARKING.search(content)
    assert [t for t in tokens if token_re(t).search(content)] == []
    assert leaked_numbers(content, numbers) == []
    shown = render(load_for_site(PACKAGE, "show"))
    assert MARKING.search(shown) and len(leaked_numbers(shown.replace(library, ""), numbers)) >= 20  # the check sees them


def test_mode_setting_fails_closed():
    from data.package import illustrative_mode

    assert illustrative_mode({"NEL_ILLUSTRATIVE": "show"}) == "show"
    assert illustrative_mode({"NEL_ILLUSTRATIVE": " Show "}) == "show"
    for value in ("hide", "", "shwo", "true", "1"):
        assert illustrative_mode({"NEL_ILLUSTRATIVE": value}) == "hide", value
    assert illustrative_mode({}) == "hide"


def test_no_url_parameter_turns_hide_into_show(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for name in ("illustrative", "NEL_ILLUSTRATIVE", "mode", "show"):
        at.query_params[name] = "show"
    at.run()
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.title, *at.info])
    assert MODE_LINES["hide"] in text and not MARKING.search(text)
