"""The real server in Debian Chromium: the home page renders, with no exception and no foreign request."""
import pytest

from bench.harness import RequestLog, exceptions, wait_for_app

pytestmark = pytest.mark.browser


def test_home_page_renders_without_foreign_requests(server, page):
    log = RequestLog(page, server)
    page.goto(server + "/")
    wait_for_app(page, min_charts=0)
    assert page.locator("h1").first.inner_text().strip()
    assert exceptions(page) == []
    page.wait_for_timeout(1000)
    assert log.foreign() == [], log.foreign()
    assert any("/_stcore/" in u or "/static/" in u for u in log.urls)


def test_a_shared_link_as_the_first_request_after_a_restart_gets_the_whole_site(browser):
    """Streamlit's legacy pages/ mode must never serve a deep link on its own (no navigation, no header)."""
    from bench.harness import app_server

    with app_server() as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(base + "/trust?org=RF4")
            wait_for_app(page, min_charts=1)
            assert exceptions(page) == []
            assert "NEL Race Equity Dashboard" in page.locator('[data-testid="stMain"]').inner_text()
            links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
            assert "Trust profile" in links and "dashboard" not in links
            assert page.title().startswith("Trust profile")
            assert "org=RF4" in page.url
        finally:
            context.close()
