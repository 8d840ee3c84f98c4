"""Keyboard and screen reader on a phone (390x844) in Debian Chromium, published figures only (issue #20, part 6):
Tab with the menu closed reaches visible elements only and "Menu" early, the open menu's links are reachable; each
chart is one image named by its alt text, with none of plotly's tick or legend text in the accessibility tree, and
the sentence printed under a chart is not in its name (where it completed the name, it is the chart's description);
axe finds nothing on the overview and a trust profile. static/navigation.js and components/ui/chart_card.py."""
from __future__ import annotations

import re

import pytest

from bench.harness import app_server, exceptions, wait_for_app
from tests.test_browser_pages import axe_violations

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
SIDEBAR = '[data-testid="stSidebar"]'
CHART = '[data-testid="stPlotlyChart"]'
FOCUSED = """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
  return {tag: e.tagName, testid: e.getAttribute('data-testid'),
          text: (e.getAttribute('aria-label') || e.innerText || '').trim().split('\\n').pop().slice(0, 40),
          left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; }"""


@pytest.fixture(scope="module")
def published_server():
    with app_server(env={"NEL_ILLUSTRATIVE": "hide"}) as base:
        yield base


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def in_view(box: dict) -> bool:
    return (box["width"] > 0 and box["height"] > 0 and box["left"] >= -1 and box["top"] >= -1
            and box["right"] <= PHONE["viewport"]["width"] + 1 and box["bottom"] <= PHONE["viewport"]["height"] + 1)


def tab_stops(page, count: int, key: str = "Tab") -> list[dict]:
    stops = []
    for _ in range(count):
        page.keyboard.press(key)
        page.wait_for_timeout(50)  # the page scrolls the focused element into view
        stops.append(page.evaluate(FOCUSED))
    return stops


def menu_state(page) -> str:
    return page.locator(SIDEBAR).get_attribute("data-collapsed") or ""


@pytest.mark.parametrize("view", ["", "trust?org=R1H"])
def test_tab_with_the_menu_closed_reaches_visible_elements_only(published_server, phone, view):
    page = phone
    page.goto(f"{published_server}/{view}")
    wait_for_app(page, min_charts=1)
    assert menu_state(page) == "true"
    stops = tab_stops(page, 14)
    hidden = [s for s in stops if not in_view(s)]
    assert hidden == [], f"Tab focused elements outside the screen: {hidden}"
    assert not any(s["testid"] == "stSidebarNavLink" for s in stops), stops
    names = [s["text"] for s in stops]
    assert "Menu" in names[:2], f"'Menu' should be the first or second Tab stop: {names}"

    # Open the menu from the keyboard: its links are Tab stops again, and visible.
    page.keyboard.press("Shift+Tab")
    page.get_by_role("button", name="Menu", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').dataset.collapsed === 'false'")
    page.wait_for_function(f"!document.querySelector('{SIDEBAR}').hasAttribute('inert')", timeout=5_000)
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').getBoundingClientRect().left >= 0")  # slid in
    assert page.evaluate(FOCUSED)["text"] == "Close menu"  # focus moved into the menu, before its links
    stops = tab_stops(page, 12)
    links = [s for s in stops if s["testid"] == "stSidebarNavLink"]
    assert [s["text"] for s in links][:3] == ["Overview", "Borough map", "Workforce and WRES"], stops
    assert "Trust profile" in [s["text"] for s in links]
    assert all(in_view(s) for s in links), links

    # Close it again from the keyboard: focus returns to "Menu", and the links leave the Tab order.
    page.get_by_role("button", name="Close menu").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').dataset.collapsed === 'true'")
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').hasAttribute('inert')", timeout=5_000)
    page.wait_for_function("document.activeElement.getAttribute('aria-label') === 'Menu'", timeout=5_000)
    stops = tab_stops(page, 4)
    assert all(in_view(s) for s in stops) and not any(s["testid"] == "stSidebarNavLink" for s in stops), stops
    assert exceptions(page) == []


def accessible(page, selector: str) -> list[dict]:
    """The browser's own computed role, name and description of each element matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    out = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
        out.append({key: (ax.get(key) or {}).get("value", "") for key in ("role", "name", "description")})
    cdp.detach()
    return out


@pytest.mark.parametrize("mode", ["published_server", "server"], ids=["published-only", "demo"])
def test_each_chart_is_one_named_image_and_its_sentence_is_read_once(request, phone, mode):
    base = request.getfixturevalue(mode)
    page = phone
    page.goto(f"{base}/trust?org=R1H")
    wait_for_app(page, min_charts=2)
    page.wait_for_function(f"[...document.querySelectorAll('{CHART}')].every(c => c.getAttribute('role') === 'img')",
                           timeout=5_000)
    cards = page.locator('[class*="st-key-card-"]')
    assert cards.count() >= 2
    described = 0
    for i in range(cards.count()):
        card = cards.nth(i)
        # min_charts=2 lets the check start before every card's chart is drawn: wait for this card's own
        card.locator('[data-testid="stPlotlyChart"][role="img"]').first.wait_for(timeout=30_000)
        snapshot = card.aria_snapshot()
        images = [line for line in snapshot.splitlines() if re.match(r"\s*- '?img\b", line)]
        assert len(images) == 1 and re.match(r'^- \'?img "Dot|^- \'?img "Line', images[0].strip()), snapshot
        assert images[0].rstrip().endswith(('"', "'")), f"the chart image has children: {images[0]}"
        # No tick, axis or legend text from plotly's SVG anywhere in the card's tree.
        assert not re.search(r"\b20% 40%|\b0 20 40\b|Published \(filled marker\)|Global-majority share\s*$", snapshot, re.M), snapshot
        chart_id = card.locator(CHART).evaluate("e => e.id || (e.id = 'probe-' + Math.random().toString(36).slice(2))")
        [ax] = accessible(page, f"#{chart_id}")
        assert ax["role"] == "image" and len(ax["name"]) > 40, ax
        paragraphs = [p.strip() for p in card.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()]
        sentence = max(paragraphs, key=len)
        assert sentence not in ax["name"], "the chart's name repeats the sentence printed under it"
        if ax["description"]:
            assert ax["description"] == sentence  # the sentence completes the name: pointed to, not repeated
            described += 1
    assert described >= 1  # the trend chart's name ends where its printed sentence starts

    compare = accessible(page, f'.st-key-card-representation-compare-R1H {CHART}')[0]
    assert re.search(r"England \(diamonds\): all staff 29% \(2024\), very senior managers 13% \(2024\) and board 17% "
                     r"\(2024\)\.", compare["name"]), compare
    assert compare["description"] == ""  # its name lists every marker; the sentence below is read once, in order


@pytest.mark.parametrize("view", ["", "trust?org=R1H"])
def test_axe_finds_nothing_on_a_phone(published_server, phone, view):
    page = phone
    page.goto(f"{published_server}/{view}")
    wait_for_app(page, min_charts=1)
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').hasAttribute('inert')", timeout=5_000)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Menu", exact=True).click()
    page.wait_for_function(f"!document.querySelector('{SIDEBAR}').hasAttribute('inert')", timeout=5_000)
    assert axe_violations(page) == []
