"""Browser tests: a real `streamlit run` of the app (`app_url`, `browser`: tests/conftest.py, shared with
tests/robustness), driven in Debian's Chromium, one fresh tab per test (`page`)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from local_endpoints import LocalEndpoints

# Every wait is for what the user waits for, with a margin that holds on a loaded two-core machine: the same
# 20 s for Playwright's auto-waiting `expect` (its own default is 5 s) as for locators (see `page`).
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser, app_url: str, server: LocalEndpoints):  # type: ignore[no-untyped-def]
    """A fresh browser tab on the app, with a clean local server (no faults, empty request log)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    tab.on("console", lambda message: _note_console_error(message, problems))
    tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    tab.goto(app_url)
    tab.get_by_test_id("stMain").get_by_role("heading", name="Test inference").wait_for()
    yield tab
    try:
        # Every test ends with these checks: no traceback anywhere, and nothing the page itself logged as an
        # error (a failing script, a component that did not load, a blocked resource).
        tracebacks = tab.get_by_test_id("stException")
        assert tracebacks.count() == 0, "a traceback is shown: " + " | ".join(tracebacks.all_inner_texts())
        assert not problems, f"the page logged errors: {problems}"
    finally:
        context.close()


def _note_console_error(message, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    if message.type == "error":
        problems.append(f"{message.text} ({message.location.get('url', '')})")
