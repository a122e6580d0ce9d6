"""A result is saved when its request ends, whatever the page draws: no card, no run, no browser needed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.history import History


def _send_and_drop_the_card(url: str, streamed: bool) -> None:
    """A page that sends one request and at once forgets its card (as if pushed off the stack, or as if
    the user went to another page): nothing draws it, and no later run happens."""
    import streamlit as st

    from components import service_cache, session_cards
    from services.connection import Connection
    from services.results import InvocationRequest

    if st.session_state.get("sent"):
        return
    st.session_state["sent"] = True
    body = b'{"inputs": "Hi", "parameters": {"max_new_tokens": 5}}'
    request = InvocationRequest("demo-tgi-generator", body)
    connection = Connection(kind="local", region="us-east-1", local_url=url)
    invoker = service_cache.invoker()
    session_cards.start(invoker, connection, request, stream=streamed, history=service_cache.history())
    session_cards.cards().clear()


@pytest.mark.parametrize("streamed", [False, True])
def test_a_result_is_saved_once_though_its_card_is_never_drawn(
    server: LocalEndpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
):
    history_file = tmp_path / "history.sqlite3"
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(history_file))
    server.inject_fault("demo-tgi-generator", delay_ms=600)  # still running when the page's run is over
    at = AppTest.from_function(_send_and_drop_the_card, args=(server.url, streamed), default_timeout=30)
    at.run()
    assert not at.exception
    history = History(history_file)
    assert history.count() == 0  # the run is over, the request is not
    deadline = time.monotonic() + 20
    while history.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    [entry] = history.list()
    assert entry.endpoint_name == "demo-tgi-generator" and entry.status.value == "Success"
    assert bool(entry.stream) is streamed
