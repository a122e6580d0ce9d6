"""Every kind of request body on the Test inference page, in AppTest against the local server: the kind sets
the content type, a file goes byte for byte (checked against 6 MiB before anything is sent), its example code
reads the file, and a binary request reopened from History comes back as the file it was."""

from __future__ import annotations

import io
import json

from PIL import Image
from streamlit.testing.v1 import AppTest

from components import body_kind
from local_endpoints import LocalEndpoints
from services.results import MAX_BODY_BYTES
from services.samples import SAMPLE_FILES
from tests.ui.conftest import click, editor_key, invocations, pick, run_until, statuses


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _content_type(app: AppTest) -> str:
    return str(app.text_input(key="opt-content-type").value)


def _choose(app: AppTest, kind: str) -> None:
    app.segmented_control(key=body_kind.KEY).set_value(kind).run()
    assert not app.exception, app.exception


def _upload(app: AppTest, name: str, data: bytes, mime: str) -> None:
    [uploader] = app.get("file_uploader")
    uploader.set_value((name, data, mime)).run()
    assert not app.exception, app.exception


def test_each_kind_sends_with_its_content_type_and_a_file_with_its_own(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    assert app.segmented_control(key=body_kind.KEY).value == body_kind.JSON
    for kind, content_type in [("CSV", "text/csv"), ("Text", "text/plain"), ("JSON", "application/json")]:
        _choose(app, kind)
        assert _content_type(app) == content_type
    _choose(app, "File")
    assert app.get("file_uploader")  # the uploader takes the editor's place
    _upload(app, "scan.png", _png(), "image/png")
    assert _content_type(app) == "image/png"
    pick(app, server, "demo-csv-regressor")  # another endpoint: its own sample, in its own kind
    assert (
        app.segmented_control(key=body_kind.KEY).value == body_kind.CSV and _content_type(app) == "text/csv"
    )


def test_a_picture_goes_to_the_image_inspector_byte_for_byte(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")
    _choose(app, "File")
    picture = _png()
    _upload(app, "scan 1.png", picture, "image/png")
    assert any("scan 1" in c.value and f"{len(picture):,} bytes" in c.value for c in app.caption), [
        c.value for c in app.caption
    ]
    click(app, "send", '{"ignored": "the editor is not the body"}')
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    [sent] = invocations(server)
    assert sent.body == picture and sent.headers["content-type"] == "image/png"
    answer = next(c.value for c in app.code if '"width"' in c.value)
    assert json.loads(answer)["width"] == 40


def test_a_file_over_6_mib_is_refused_before_anything_is_sent(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")
    _choose(app, "File")
    _upload(app, "huge.bin", b"\x00" * (MAX_BODY_BYTES + 1), "application/octet-stream")
    assert any("6 MiB" in e.value and "Nothing is sent" in e.value for e in app.error)
    click(app, "send", None)
    assert invocations(server) == [] and statuses(app) == []


def test_the_example_code_for_a_file_reads_the_file(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")
    _choose(app, "File")
    _upload(app, "my scan.png", _png(), "image/png")
    app.radio(key="testing-mode").set_value("Use Python SDK example code").run()
    code = "\n".join(c.value for c in app.code)
    assert 'with open("my_scan.png", "rb") as file:' in code
    assert "--body fileb://my_scan.png" in code and "--content-type image/png" in code


def test_a_binary_request_reopened_from_history_comes_back_as_its_file(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")
    _choose(app, "File")
    picture = _png()
    _upload(app, "scan.png", picture, "image/png")
    click(app, "send", None)
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    pick(app, server, "demo-text-classifier")  # the page now holds a JSON sample
    app.switch_page("app_pages/history.py").run()
    [load] = [b for b in app.button if b.key and b.key.startswith("load-")]
    load.click().run()
    run_until(app, lambda at: at.segmented_control(key=body_kind.KEY).value == body_kind.FILE)
    assert app.session_state["_request_file"].data == picture
    assert _content_type(app) == "image/png"


def test_a_body_over_6_mib_is_refused_before_sending_and_no_card_is_made(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    big = json.dumps({"features": ["x" * MAX_BODY_BYTES]})
    app.session_state[editor_key(app)] = big
    app.run()
    assert any("InvokeEndpoint takes at most" in e.value for e in app.error)
    click(app, "send", big)
    assert invocations(server) == [] and statuses(app) == []  # nothing sent, no Failed card with "—"
    large = json.dumps({"features": ["x" * 2_000_000]})
    app.session_state[editor_key(app)] = large
    app.run()
    assert not [e.value for e in app.error if "at most" in e.value]
    assert any("may show only part of it" in c.value for c in app.caption)


def test_the_image_inspectors_sample_is_the_bundled_picture_and_it_is_answered(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-image-inspector")
    assert app.segmented_control(key=body_kind.KEY).value == body_kind.FILE
    held = app.session_state["_request_file"]
    assert (held.name, held.content_type) == ("sample.png", "image/png")
    assert held.data == (SAMPLE_FILES / "sample.png").read_bytes()
    click(app, "send", None)
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    assert json.loads(next(c.value for c in app.code if '"width"' in c.value))["width"] == 96
    pick(app, server, "demo-audio-analyzer")
    assert app.session_state["_request_file"].name == "sample.wav" and _content_type(app) == "audio/wav"
