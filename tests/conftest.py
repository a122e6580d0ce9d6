"""Fixtures shared by every test layer: one real local SageMaker server per test session, and (for the
browser and robustness tests) one real `streamlit run` of the app and one Chromium."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from tests.support.real_app import CHROMIUM, CHROMIUM_ARGS, streamlit_app

# Tests never touch a developer's real AWS account, whatever their shell exports.
for _name in (
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
):
    os.environ.pop(_name, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalEndpoints]:
    """The built-in server on a free loopback port, streaming fast so tests stay quick."""
    with LocalEndpoints(port=0, token_delay=0.002) as server:
        yield server
        # Streamlit's AppTest points uvicorn's logger at pytest's captured stderr, closed by now.
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)


@pytest.fixture
def server(local_server: LocalEndpoints) -> Iterator[LocalEndpoints]:
    """The shared server with no faults and an empty request log."""
    local_server.reset()
    yield local_server
    local_server.reset()


# -- the real app and the browser (tests/browser, tests/robustness): one of each per test session ---------


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
