"""Run a coroutine to its end from a test, even while Playwright's sync API holds an event loop on this thread
(the browser fixture is session-wide, so any test after a browser test has one): in a thread of its own."""
from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
