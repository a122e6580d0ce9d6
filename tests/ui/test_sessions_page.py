"""A stateful session on the Test inference page in AppTest, against the local server: started, used by the
requests sent meanwhile (the server's request log shows the session header), and closed."""

from __future__ import annotations

import json
from typing import Any

from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import click, invocations, pick, run_until, statuses


def _session_label(app: AppTest) -> str:
    """The Session popover's label (it says when requests go in a session)."""
    labels: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, BlockProto) and proto.HasField("popover"):
            labels.append(proto.popover.label)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    [label] = [label for label in labels if "ession" in label]
    return label


def test_a_session_is_started_used_and_closed(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    assert _session_label(app) == "Session"
    app.button(key="session-start").click().run()
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    opened = invocations(server)[-1]
    assert opened.headers["x-amzn-sagemaker-session-id"] == "NEW_SESSION"
    session_id = json.loads(next(c.value for c in app.code if "sessionId" in c.value))["sessionId"]
    assert _session_label(app) == f"In session {session_id[:6]}…"

    click(app, "send", '{"features": ["in the session"]}')
    run_until(app, lambda at: statuses(at)[:2] == ["Success", "Success"])
    assert invocations(server)[-1].headers["x-amzn-sagemaker-session-id"] == session_id

    app.button(key="session-close").click().run()
    run_until(app, lambda at: statuses(at)[:3] == ["Success"] * 3)
    closing = invocations(server)[-1]
    assert closing.headers["x-amzn-sagemaker-session-id"] == session_id and b"CLOSE" in closing.body
    assert _session_label(app) == "Session"
    click(app, "send", '{"features": ["after the session"]}')
    run_until(app, lambda at: statuses(at)[:4] == ["Success"] * 4)
    assert "x-amzn-sagemaker-session-id" not in invocations(server)[-1].headers
