"""AppTest helpers: the app wired to the session's local server, and waits for worker threads."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Markdown, Toggle

from components.request_options import ADVANCED_KEY
from local_endpoints import LocalEndpoints

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ACTIONS_KEY = "request-actions"
_BADGE = re.compile(r":(\w+)-badge\[(?::material/\w+: )?(\w+)\]")


@pytest.fixture
def app(server: LocalEndpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The whole app (app.py + navigation) on the test server, with its own history file, run once."""
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url)
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    yield at


def picker_key(server: LocalEndpoints) -> str:
    return f"endpoint-choice-Local · {server.url}"


def pick(at: AppTest, server: LocalEndpoints, endpoint: str) -> None:
    at.selectbox(key=picker_key(server)).set_value(endpoint).run()
    assert not at.exception, at.exception


def advanced(at: AppTest, *, open_: bool = True) -> None:
    """Open (or close) the Advanced expander, as a click on its header does: its fields are drawn only
    while it is open."""
    at.session_state[ADVANCED_KEY] = open_
    at.run()
    assert not at.exception, at.exception


def editor_key(at: AppTest) -> str:
    return f"request-editor-{at.session_state['editor_generation']}"


_nonce = iter(range(1, 10**9))


def click(at: AppTest, action: str, text: str | None) -> None:
    """What the request-actions component sends on a click: the action and the editor's text right then."""
    at.session_state[ACTIONS_KEY] = {"action": action, "text": text, "nonce": f"test-{next(_nonce)}"}
    at.run()
    assert not at.exception, at.exception


def statuses(at: AppTest) -> list[str]:
    """The status badges on the page in the order the user sees them: the result cards top (newest) first.
    (The card stack's box is drawn oldest first and shown reversed: components.card_stack.)"""

    def shown(node: Any) -> list[str]:
        if isinstance(node, Markdown):
            match = _BADGE.search(node.value)
            return [match.group(2)] if match else []
        found = [badge for child in getattr(node, "children", {}).values() for badge in shown(child)]
        reversed_box = str(getattr(getattr(node, "proto", None), "id", "")).endswith("-smti-cards")
        return found[::-1] if reversed_box else found

    return shown(at._tree)


def card_places(at: AppTest) -> dict[str, tuple[int, ...]]:
    """Where each result card's box is in the page's element tree: {card key: its path of child indexes}.
    Streamlit's browser side knows a block by this path."""
    places: dict[str, tuple[int, ...]] = {}

    def walk(node: Any, path: tuple[int, ...]) -> None:
        block_id = str(getattr(getattr(node, "proto", None), "id", ""))
        if "-result-card-" in block_id:
            places[block_id.rsplit("-result-card-", 1)[1]] = path
        for index, child in getattr(node, "children", {}).items():
            walk(child, (*path, index))

    walk(at._tree, ())
    return places


def run_until(at: AppTest, done: Callable[[AppTest], bool], timeout: float = 15.0) -> None:
    """Rerun the app until `done(at)`; worker threads finish between runs."""
    deadline = time.monotonic() + timeout
    while not done(at):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out; statuses {statuses(at)}; texts {[t.value for t in at.text][:30]}"
            )
        time.sleep(0.05)
        at.run()
        assert not at.exception, at.exception


def invocations(server: LocalEndpoints) -> list:
    """Requests that reached a runtime path (not the control plane)."""
    return [r for r in server.requests() if r.operation.startswith("InvokeEndpoint")]


def stream_switch(at: AppTest) -> Toggle:
    """The "Stream" switch (one of two widgets, by what the body asks: components.stream_switch)."""
    return next(toggle for toggle in at.toggle if toggle.label == "Stream")


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def markdown(at: AppTest) -> str:
    """Every Markdown element's source, one per line (card fields are Markdown tables, values escaped)."""
    return "\n".join(m.value for m in at.markdown)


_TAG = re.compile(r"<[^>]+>")


def unescaped(text: str) -> str:
    """Markdown source as a reader sees it: no escapes, no tags (the page clock's spans keep their text)."""
    return _TAG.sub("", text).replace("\\", "")
