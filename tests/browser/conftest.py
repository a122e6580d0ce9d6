"""A real `streamlit run` of the app against the test session's local server, driven in Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from local_endpoints import LocalEndpoints
from tests.support.real_app import CHROMIUM, CHROMIUM_ARGS, streamlit_app

# Every wait is for what the user waits for, with a margin that holds on a loaded two-core machine: the same
# 20 s for Playwright's auto-waiting `expect` (its own default is 5 s) as for locators (see `page`).
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The history file of the app under test."""
    return tmp_path_factory.mktemp("history") / "history.sqlite3"


@pytest.fixture(scope="session")
def app_url(local_server: LocalEndpoints, app_history: Path) -> Iterator[str]:
    """The app served by a real Streamlit server, using the session's local endpoints. When the session
    ends, the server must not have logged a traceback or a warning (a lost fragment, an error in a run)."""
    log = app_history.parent / "streamlit.log"
    with streamlit_app(local_server.url, app_history, log_path=log) as url:
        yield url
    problems = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(word in line for word in ("Traceback", "WARNING", "ERROR", "does not exist anymore"))
    ]
    assert not problems, "the app's server logged:\n" + "\n".join(problems[:20])


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/test.sh, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
