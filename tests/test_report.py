"""`make report`: one self-contained HTML file that opens from disk with every network request blocked."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import ARTIFACTS, ROOT
from components.publish.report import render, sections
from data.package import load_package

SHIPPED = ROOT / "data" / "nel"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "index.html"
    result = subprocess.run([sys.executable, "-m", "components.publish.report", "--output", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(rf"wrote {re.escape(str(out))} \(\d+\.\d MB\)", result.stdout)
    assert "16/16" in result.stderr or "[" in result.stderr  # the progress bar
    return out


def test_report_has_every_section_and_no_external_reference(report):
    text = report.read_text(encoding="utf-8")
    for anchor in ("overview", "boroughs", "workforce", "remi", "strategy", "sources"):
        assert f"<section id='{anchor}'>" in text
    assert "Includes illustrative values (not real data)" in text
    assert not re.search(r"<script[^>]+src=", text), "plotly.js must be inlined"
    assert not re.search(r"<link[^>]+href=\"?https?:", text)
    assert "from release 2026-12-07-3 (7 December 2026)." in text      # the release it holds (releases.csv)
    assert "Strategy published 31 January 2025" in text and "Last updated" not in text  # no progress report yet


def test_report_escapes_hostile_text(tmp_path):
    import shutil

    pkg = tmp_path / "nel"
    shutil.copytree(SHIPPED, pkg)
    path = pkg / "pillars.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Leadership and workforce", "<script>alert(1)</script>"), encoding="utf-8")
    text = render(load_package(pkg))
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.browser
def test_report_opens_from_disk_with_network_blocked(browser, report):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked, failed = [], []
    page.route(re.compile(r"^(?!file:).*"), lambda route: (blocked.append(route.request.url), route.abort()))
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(report.as_uri())
        expected = page.locator(".chart").count()
        assert expected >= 10
        page.wait_for_function("(n) => document.querySelectorAll('.chart .js-plotly-plot .main-svg').length >= n",
                               arg=expected, timeout=60_000)
        drawn = page.evaluate("() => [...document.querySelectorAll('.chart .js-plotly-plot')].filter(d => d.querySelector("
                              "'.plot .trace, .polarlayer .trace, .scatterlayer .trace, .barlayer .trace, .heatmaplayer image'"
                              ")).length")
        assert drawn == expected
        assert blocked == [] and failed == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=True)
        assert (ARTIFACTS / "report.pdf").stat().st_size > 50_000
    finally:
        context.close()


def test_sections_use_the_catalogue_kinds():
    from components.cards.catalogue import KINDS

    tables = load_package(SHIPPED).tables
    for section in sections(tables):
        for kind, _ in section.charts:
            assert kind in KINDS


def test_report_survives_a_table_that_fails_its_checks(tmp_path):
    """A REMI stage of 9 fails remi.csv's checks: the report says so where the REMI charts go, and builds."""
    import shutil

    from components.publish.report import render
    from data.package import load_package

    bad = tmp_path / "nel"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "nel", bad)
    lines = (bad / "remi.csv").read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    cells[3] = "9"
    lines[1] = ",".join(cells)
    (bad / "remi.csv").write_text("\n".join(lines), encoding="utf-8")
    package = load_package(bad)
    assert "remi" in package.broken
    html = render(package)
    assert html.count("This chart cannot be shown: the file for remi failed its checks.") == 2
    assert "Traceback" not in html and "KeyError" not in html
