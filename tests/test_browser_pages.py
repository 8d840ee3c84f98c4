"""Every page in Debian Chromium: charts drawn, named for screen readers, zero axe violations
(WCAG 2.2 AA tag set), no exception, no request to another host, no sideways scrolling on a phone.

Screenshots of every page are saved under tests/artifacts/screenshots/ (named in the README).
"""
from __future__ import annotations

import pytest

from bench.harness import ARTIFACTS, ROOT, RequestLog, exceptions, wait_for_app
from tests.site import ORGANISATIONS, PAGES

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = ARTIFACTS / "screenshots"

VIEWS = [(path, min_charts) for path, (_, min_charts) in PAGES.items()]
VIEWS += [(f"trust?org={org}", PAGES["trust"][1]) for org in ORGANISATIONS]


def shot_name(view: str) -> str:
    return (view or "overview").replace("?", "_").replace("=", "-").replace("&", "_")


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm install` (make test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("view,min_charts", VIEWS, ids=[shot_name(v) for v, _ in VIEWS])
def test_page_is_complete_accessible_and_private(server, page, view, min_charts):
    log = RequestLog(page, server)
    page.goto(f"{server}/{view}")
    wait_for_app(page, min_charts=min_charts)
    assert exceptions(page) == []
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        label = charts.nth(i).get_attribute("aria-label") or ""
        assert len(label) > 20, f"chart {i} on /{view} has no real accessible name: {label!r}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot_name(view)}.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], violations
    page.wait_for_timeout(500)
    assert log.foreign() == [], log.foreign()


@pytest.mark.parametrize("view,min_charts", [(p, m) for p, (_, m) in PAGES.items()], ids=[shot_name(p) for p in PAGES])
def test_page_fits_a_phone_without_sideways_scrolling(browser, server, view, min_charts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/{view}")
        wait_for_app(page, min_charts=min_charts)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot_name(view)}-phone.png"), full_page=True)
        assert width <= 391, f"/{view} is {width}px wide at a 390px viewport"
        assert exceptions(page) == []
    finally:
        context.close()
