"""A real `streamlit run` of the app against the test session's local server, driven in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags from the browser notes: no sandbox as root, and no background calls to the outside world.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def app_url(local_server: LocalEndpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by a real Streamlit server, using the session's local endpoints."""
    port = _free_port()
    env = dict(os.environ)
    env["LOCAL_ENDPOINTS_URL"] = local_server.url
    env["SMTI_HISTORY_PATH"] = str(tmp_path_factory.mktemp("history") / "history.sqlite3")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
