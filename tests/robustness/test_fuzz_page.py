"""Hypothesis through the whole page: random bytes and random JSON as model output, random text in the editor.

However malformed, nothing raises in the page (every AppTest run is checked), every output gets a card that
ends, and every request that was sent is saved. A body the page refuses is never sent. Through the real path:
AppTest → boto3 → the local server → the replay container.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.history import History
from services.request_body import check_json
from tests.robustness.test_page_outputs import saved, send_reply
from tests.ui.conftest import click, invocations, pick, statuses

EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs every run: a failure here is a bug, never bad luck
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANY_CHARACTER = st.characters(exclude_categories=())  # lone surrogates and controls included
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHARACTER, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHARACTER, max_size=8), inner),
    max_leaves=20,
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/jsonlines",
        "text/csv",
        "text/plain; charset=utf-8",
        "image/png",
        "image/svg+xml",
        "image/x-icon",
        "application/octet-stream",
        "text/[x](javascript:alert(1))",
    ]
)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()  # ASCII: surrogates travel as \\udXXX escapes


OUTPUTS = st.one_of(
    st.binary(max_size=3000),
    JSON_VALUES.map(_json_bytes),
    st.text(ANY_CHARACTER, max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.sampled_from(
        [b"\x89PNG\r\n\x1a\n\x00\x00", b"GIF89a", b"BM\x00\x00", b"\xff\xd8\xff\xe0", b"RIFFxxxxWEBP"]
    ),
)
EDITOR_TEXTS = st.one_of(
    st.text(ANY_CHARACTER, max_size=300),
    JSON_VALUES.map(lambda value: json.dumps(value, ensure_ascii=False)),
    JSON_VALUES.map(lambda value: json.dumps(value, ensure_ascii=True)),
    st.integers(1, 200_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(4000, 6000).map(lambda digits: '{"n": ' + "9" * digits + "}"),
)


def test_random_model_output_always_gets_a_card_and_is_saved(
    app: AppTest, server: LocalEndpoints, tmp_path: Path
):
    sent = 0

    @FUZZ
    @given(body=OUTPUTS, content_type=CONTENT_TYPES, streamed=st.booleans(), pieces=st.integers(1, 4))
    def one(body: bytes, content_type: str | None, streamed: bool, pieces: int) -> None:
        nonlocal sent
        send_reply(app, server, body, content_type, stream=streamed, pieces=pieces)
        sent += 1
        assert statuses(app)[0] in ("Success", "Failed", "Stopped")
        saved(tmp_path, sent)

    one()
    rows = History(tmp_path / "history.sqlite3").count()
    print(f"\nmodel outputs tried: {sent}, crashes: 0, results saved: {rows}")


def test_random_editor_text_gets_a_message_or_is_sent_and_never_breaks_the_page(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    tried = 0

    @FUZZ
    @given(text=EDITOR_TEXTS)
    def one(text: str) -> None:
        nonlocal tried
        tried += 1
        before = len(invocations(server))
        click(app, "format", text)  # click() asserts the run raised nothing
        click(app, "send", text)
        sent = len(invocations(server)) - before
        assert sent == (1 if check_json(text) is None else 0)
        if sent == 0:
            assert app.error, "a body that is not sent says why next to the editor"

    one()
    print(f"\neditor texts tried: {tried}, crashes: 0")
