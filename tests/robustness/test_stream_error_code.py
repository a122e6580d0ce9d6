"""A ModelStreamError's ErrorCode (StreamBroken, ModelInvocationTimeExceeded) survives botocore, which keeps
only the event's code and message: the card names it and the history keeps it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.history import History
from tests.ui.conftest import click, pick, run_until, statuses, unescaped


def test_the_card_and_the_history_name_the_error_code(app: AppTest, server: LocalEndpoints, tmp_path: Path):
    server.inject_fault("demo-tgi-generator", break_stream_after=3, stream_error="ModelStreamError")
    pick(app, server, "demo-tgi-generator")
    click(app, "send", json.dumps({"inputs": "Hello", "parameters": {"max_new_tokens": 20}, "stream": True}))
    run_until(app, lambda at: statuses(at)[:1] == ["Failed"], timeout=30)
    titles = unescaped("\n".join(error.value for error in app.error))
    assert "Failure Reason · ModelStreamError · StreamBroken" in titles
    history = History(tmp_path / "history.sqlite3")
    deadline = time.monotonic() + 10
    while history.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    [entry] = history.list()
    assert entry.error is not None and entry.error.code == "StreamBroken"
    assert type(entry.error).__name__ == "ModelStreamError"
