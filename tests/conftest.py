"""Shared fixtures: the browser (Debian Chromium via Playwright) and a server on the shipped data."""
from __future__ import annotations

import os

import pytest

from bench.harness import CHROMIUM, LAUNCH_ARGS, app_server, chromium_available

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The suite checks the demo (illustrative values shown and marked) unless a test asks for "hide";
# servers started by tests inherit this.
os.environ.setdefault("NEL_ILLUSTRATIVE", "show")


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if IN_CI:
            pytest.fail(f"CI=true and Debian chromium is missing at {CHROMIUM}: browser tests must run in CI")
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server():
    with app_server() as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
