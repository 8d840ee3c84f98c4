"""The menu and section links on a phone (390x844) in Debian Chromium (issue #16, section 4; static/navigation.js):
the menu's control is named "Menu" in words, choosing a page closes the menu and moves keyboard focus to the new
page's heading, the focused menu item has a focus ring the current page's item does not, and a link to a section
(/workforce#wres) opens scrolled to that section."""
from __future__ import annotations

import re

import pytest

from bench.harness import RequestLog, exceptions, wait_for_app
from tests.test_browser_pages import axe_violations

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
SIDEBAR = '[data-testid="stSidebar"]'
MENU_ITEM = '[data-testid="stSidebarNavLink"]'
STYLE = """e => { const s = getComputedStyle(e);
                  return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor}; }"""
SIDEBAR_BACKGROUND = f"() => getComputedStyle(document.querySelector('{SIDEBAR}')).backgroundColor"


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def menu_open(page) -> bool:
    return page.locator(SIDEBAR).get_attribute("data-collapsed") == "false"


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def tab_to(page, text: str, key: str = "Tab", limit: int = 40) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement.innerText").strip() == text:
            return
        page.keyboard.press(key)
    pytest.fail(f"{key} never reached the menu item {text!r}")


def wait_for_heading_focus(page, title: str) -> None:
    page.wait_for_function(
        "(title) => { const e = document.activeElement;"
        " return e && e.tagName === 'H1' && e.textContent.includes(title)"
        " && e === document.querySelector('[data-testid=\"stMain\"] h1'); }",
        arg=title, timeout=20_000)


def test_menu_is_labelled_closes_after_choosing_and_moves_focus_to_the_heading(server, phone):
    page = phone
    log = RequestLog(page, server)
    page.goto(f"{server}/")
    wait_for_app(page, min_charts=1)
    assert not menu_open(page)

    # Named "Menu", in words a sighted reader sees and in the name a screen reader reads.
    control = page.get_by_role("button", name="Menu", exact=True)
    assert control.count() == 1
    assert control.is_visible() and "Menu" in control.inner_text()
    assert page.get_by_role("button", name="Expand sidebar").count() == 0
    assert axe_violations(page) == []

    # Keyboard: open the menu, Tab to a page, Enter.
    control.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').dataset.collapsed === 'false'")
    assert axe_violations(page) == []
    current = page.locator(f'{MENU_ITEM}[aria-current="page"]')
    assert current.inner_text().strip() == "Overview"
    tab_to(page, "REMI maturity")
    focused = page.locator(MENU_ITEM, has_text="REMI maturity")
    ring, plain_current = focused.evaluate(STYLE), current.evaluate(STYLE)
    # The focused item has a visible ring (3:1 against the menu) that the current page's item does not.
    assert ring["outline"] == "solid" and ring["width"] >= 2, ring
    assert plain_current["outline"] == "none", plain_current
    assert contrast(ring["colour"], page.evaluate(SIDEBAR_BACKGROUND)) >= 3
    # The current page's item, focused, gets the same ring.
    tab_to(page, "Overview", key="Shift+Tab")
    assert current.evaluate(STYLE) == ring

    tab_to(page, "REMI maturity")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/remi(\?|$)"))
    wait_for_heading_focus(page, "REMI maturity")
    assert not menu_open(page), "the menu stayed open over the page"

    # A tap on a page's name closes the menu too, and focus again lands on the heading.
    page.get_by_role("button", name="Menu", exact=True).click()
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').dataset.collapsed === 'false'")
    page.locator(MENU_ITEM, has_text="Strategy tracker").click()
    page.wait_for_url(re.compile(r"/strategy(\?|$)"))
    wait_for_heading_focus(page, "Strategy tracker")
    page.wait_for_function(f"document.querySelector('{SIDEBAR}').dataset.collapsed === 'true'", timeout=5_000)
    assert exceptions(page) == []
    assert log.foreign() == [], log.foreign()


@pytest.mark.parametrize("view,section,title", [
    ("workforce", "wres", "WRES indicators 2 to 9"),
    ("trust?org=R1H", "remi", "Race Equity Maturity Index"),
    ("data", "privacy", "Privacy"),
])
def test_a_link_to_a_section_opens_at_that_section(server, phone, view, section, title):
    page = phone
    page.goto(f"{server}/{view}#{section}")
    wait_for_app(page, min_charts=1)
    page.wait_for_function(
        "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight && document.activeElement.id === id; }",
        arg=section, timeout=20_000)
    heading = page.locator(f"#{section}")
    assert title in heading.inner_text()
    box = heading.bounding_box()
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    assert box is not None and header is not None
    assert header["y"] + header["height"] <= box["y"] < 844 / 2, (box, header)  # below the fixed bar, near the top
    assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop") > 300
    assert page.url.endswith(f"#{section}")  # the address still names the section, to share or reload


def test_links_to_the_dashboards_own_pages_open_in_the_same_tab(server, phone):
    """Streamlit opens every Markdown link in a new tab; on a phone that loses the reader's place and the back
    button. The overview's "organisations serving Havering" links open the trust's profile here."""
    page = phone
    page.goto(f"{server}/?borough=E09000016")
    wait_for_app(page, min_charts=1)
    link = page.get_by_role("link", name=re.compile(r"Barking, Havering and Redbridge University Hospitals .*\(BHRUT\)"))
    page.wait_for_function("(e) => !e.hasAttribute('target')", arg=link.element_handle(), timeout=10_000)
    source = page.locator('[data-testid="stMain"] a[href^="http"][target="_blank"]').first
    assert source.count() == 1, "a link to another site (a source) still opens in a new tab"
    link.click()
    page.wait_for_function("() => location.pathname === '/trust' && location.search.includes('org=RF4')",
                           timeout=60_000)
    wait_for_app(page, min_charts=1)
    assert len(page.context.pages) == 1
    assert "Barking, Havering and Redbridge" in page.locator('[data-testid="stMain"]').inner_text()
    assert not exceptions(page)
