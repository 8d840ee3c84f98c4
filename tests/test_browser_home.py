"""The real server in Debian Chromium: the home page renders, with no exception and no foreign request."""
import pytest

from tests.browser import RequestLog, exceptions, wait_for_app

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
