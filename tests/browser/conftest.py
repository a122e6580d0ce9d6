"""Browser tests: a real `streamlit run` of the app (`app_url`, `browser`: tests/conftest.py, shared with
tests/robustness), driven in Debian's Chromium, one fresh tab per test (`page`)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import checked_tab

# Every wait is for what the user waits for, with a margin that holds on a loaded two-core machine: the same
# 20 s for Playwright's auto-waiting `expect` (its own default is 5 s) as for locators (see `page`).
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser, app_url: str, server: LocalEndpoints) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh browser tab on the app, with a clean local server (no faults, empty request log)."""
    with checked_tab(browser, app_url) as tab:
        tab.get_by_test_id("stMain").get_by_role("heading", name="Test inference").wait_for()
        yield tab
