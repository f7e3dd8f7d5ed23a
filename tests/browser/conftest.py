"""Fixtures of the page tests: the seeded demo site, a TestClient, Chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.quality import WATCH_SCRIPT, csp_violations, watch
from tests.browser.site import DemoSite, demo_site, served

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def site() -> DemoSite:
    return demo_site()


@pytest.fixture
def client(site: DemoSite) -> Iterator[TestClient[Any]]:
    """A fresh browser-like client (its own cookies) of a new app over the demo."""
    with TestClient(app=site.app(), base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def base_url(site: DemoSite) -> Iterator[str]:
    with served(site.app()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running on this thread while it
    # is open, and other modules' tests on the same worker call asyncio.run().
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) at a laptop width. When the test is over, the
    last document has reported no CSP violation and no page any console error."""
    context = browser.new_context(base_url=base_url, locale="vi-VN")
    context.add_init_script(WATCH_SCRIPT)
    opened = context.new_page()
    seen = watch(opened)
    yield opened
    last = csp_violations(opened) if not opened.is_closed() else []
    context.close()
    assert not seen.errors + last, "\n".join(seen.errors + last)
