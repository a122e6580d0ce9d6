"""boto3 clients for the integration tests, built one way: pointed at the local server, dummy credentials.

Raw boto3 clients (`runtime_client`, `sagemaker_client`, `boto3_clients` for other settings) make exactly one
attempt per call, so a test sees every error and the server's log holds exactly the calls made. A module can
point them at another server by defining its own `server` fixture. `clients` is the invocation service's
`Clients` for the shared server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from local_endpoints import LocalEndpoints
from services.connection import Clients, Connection, build_clients
from services.invoker import Invoker

#: one attempt per call: boto3's default retries would hide throttling and repeat failing calls
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def local_boto3_client(service: str, url: str, config: Config = NO_RETRIES) -> Any:
    """A boto3 client for `service` ("sagemaker-runtime" or "sagemaker") talking to the server at `url`."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=config,
    )


@pytest.fixture
def boto3_clients(server: LocalEndpoints) -> Iterator[Callable[..., Any]]:
    """`make(service="sagemaker-runtime", url=None, **config)`: a client for `server` (or the server at
    `url`) with these botocore Config settings (retries default to one attempt); every client made is closed
    after the test."""
    made: list[Any] = []

    def make(service: str = "sagemaker-runtime", url: str | None = None, **config: Any) -> Any:
        client = local_boto3_client(service, url or server.url, NO_RETRIES.merge(Config(**config)))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()  # idle pooled connections would otherwise be left to the garbage collector


@pytest.fixture
def runtime_client(boto3_clients: Callable[..., Any]) -> Any:
    """A sagemaker-runtime client for `server`, one attempt per call."""
    return boto3_clients("sagemaker-runtime")


@pytest.fixture
def sagemaker_client(boto3_clients: Callable[..., Any]) -> Any:
    """A sagemaker (control plane) client for `server`, one attempt per call."""
    return boto3_clients("sagemaker")


@pytest.fixture(scope="session")
def clients(local_server: LocalEndpoints) -> Iterator[Clients]:
    """The invocation service's clients for the shared local server (local connection, its defaults)."""
    built = build_clients(Connection(kind="local", region="us-east-1", local_url=local_server.url))
    yield built
    built.runtime.close()
    built.sagemaker.close()


@pytest.fixture(scope="module")
def invoker() -> Iterator[Invoker]:
    """The invoker (its own child process), one per test module."""
    shared = Invoker()
    yield shared
    shared.close()


@pytest.fixture
def connection(server: LocalEndpoints) -> Connection:
    """The app's connection to the shared local server."""
    return Connection(kind="local", region="us-east-1", local_url=server.url)
