"""Model output of any shape, through the whole page (AppTest → boto3 → local server → replay container):
the card draws something for it, says why it is not shown richly, and the result is saved."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.history import History
from tests.support.replay_container import REPLAY_ENDPOINT, replay_request
from tests.ui.conftest import card_places, click, pick, run_until, statuses


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def send_reply(app: AppTest, server: LocalEndpoints, body: bytes, content_type: str | None, **how) -> None:
    """Send the request that makes the replay container answer `body`, and wait for its card to end."""
    if app.session_state["_sample_loaded_for"][1] != REPLAY_ENDPOINT:
        pick(app, server, REPLAY_ENDPOINT)
    before = set(card_places(app))  # by key: the stack keeps 50 cards, so a count stops growing
    click(app, "send", replay_request(body, content_type, **how))
    run_until(
        app, lambda at: bool(set(card_places(at)) - before) and statuses(at)[0] != "Pending", timeout=30
    )


def saved(tmp_path: Path, count: int) -> History:
    """The app's history once it holds `count` rows (each is written when its request ends)."""
    history = History(tmp_path / "history.sqlite3")
    deadline = time.monotonic() + 10
    while history.count() < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert history.count() == count
    return history


def captions(app: AppTest) -> str:
    return "\n".join(caption.value for caption in app.caption)


HOSTILE_OUTPUTS = [
    pytest.param(b"this is not a PNG", "image/png", "cannot be read as one", id="declared-png-not-png"),
    pytest.param(_png()[:40], "image/png", "cannot be read as one", id="truncated-png"),
    pytest.param(
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        "image/svg+xml",
        "never drawn as markup",
        id="svg",
    ),
    pytest.param(b"BM\x00\x01\x02 not a bitmap", "application/octet-stream", "Binary output", id="bm-magic"),
    pytest.param(b"GIF89a\x00\x00", None, "Binary output", id="gif-magic"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", "nested too deeply", id="deep-json"),
    pytest.param(b'{"a": "\\ud800 lone", "b": "\\udfff"}', "application/json", None, id="lone-surrogates"),
    pytest.param(b"1" * 5_000, "application/json", None, id="5000-digit-integer"),
    pytest.param(b'a,b\n"1\x00', "text/csv", "Binary output", id="csv-with-nul"),
    pytest.param(bytes(range(256)) * 4, "application/octet-stream", "Binary output", id="all-bytes"),
    pytest.param(b"\xff\xfe\x00garbage", "text/plain", "Binary output", id="text-not-utf8"),
]


@pytest.mark.parametrize(("body", "content_type", "note"), HOSTILE_OUTPUTS)
def test_any_output_is_drawn_with_a_note_and_saved(
    app: AppTest,
    server: LocalEndpoints,
    tmp_path: Path,
    body: bytes,
    content_type: str | None,
    note: str | None,
):
    send_reply(app, server, body, content_type)
    assert statuses(app)[0] == "Success"
    if note is not None:
        assert note in captions(app)
    [entry] = saved(tmp_path, 1).list()
    assert entry.status.value == "Success" and entry.body_size == len(body)


def test_a_lone_surrogate_in_json_output_is_shown_as_its_escape(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, b'{"text": "\\ud800"}', "application/json")
    assert any('"\\ud800"' in code.value for code in app.code if code.language == "json")


def test_a_readable_image_is_still_drawn(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, _png(), "image/png")
    assert len(app.get("image")) == 1
    assert "Image, " in captions(app)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'data: {"token": {"text": "\\ud800"}}\n\n', id="tgi-lone-surrogate"),
        pytest.param(b"\xff\xfe raw bytes \x00\x01 as text", id="bytes"),
        pytest.param(b'{"token": {"text": "a"}}\n{"token": ' + b"[" * 50_000 + b"\n", id="deep-line"),
    ],
)
def test_any_streamed_output_is_drawn_and_saved(
    app: AppTest, server: LocalEndpoints, tmp_path: Path, body: bytes
):
    send_reply(app, server, body, "application/octet-stream", stream=True, pieces=3)
    assert statuses(app)[0] in ("Success", "Failed")
    [entry] = saved(tmp_path, 1).list()
    assert entry.stream is not None
