"""Fixtures shared by every test layer: one real local SageMaker server per test session."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from local_endpoints import LocalEndpoints

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
