"""The robustness suite's servers: the local server with a replay container, so any bytes can be model output.

`server` (what tests/ui's `app` fixture points the page at) is that server here: the page lists the replay
endpoint beside the demo ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_endpoints import LocalEndpoints
from tests.support.replay_container import server_with_replay
from tests.ui.conftest import app  # noqa: F401 (the fixture, registered for this suite)


@pytest.fixture(scope="session")
def replay_server() -> Iterator[LocalEndpoints]:
    with server_with_replay(token_delay=0.0) as server:
        yield server


@pytest.fixture
def server(replay_server: LocalEndpoints) -> Iterator[LocalEndpoints]:
    replay_server.reset()
    yield replay_server
    replay_server.reset()
