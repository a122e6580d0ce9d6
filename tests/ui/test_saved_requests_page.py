"""Saved requests on the Test inference page in AppTest: save what the form holds under a name, load it back
later (text, content type, Advanced parameters; a file as the file), in a new app on the same history file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components import body_kind
from components.saved_requests import NAME_KEY
from local_endpoints import LocalEndpoints
from tests.ui.conftest import APP, advanced, editor_key, pick


def _save(app: AppTest, name: str) -> None:
    app.text_input(key=NAME_KEY).set_value(name)
    app.button(key="saved-request-save").click().run()
    assert not app.exception, app.exception


def _saved(app: AppTest, endpoint: str):  # type: ignore[no-untyped-def]
    return app.selectbox(key=f"saved-request-choice-{endpoint}")


def test_a_saved_request_comes_back_with_its_content_type_and_parameters(
    app: AppTest, server: LocalEndpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    pick(app, server, "demo-text-classifier")
    assert _saved(app, "demo-text-classifier").disabled  # none yet
    app.session_state[editor_key(app)] = '{"features": ["keep me"]}'
    app.run()
    advanced(app)
    app.text_input(key="opt-custom_attributes").set_value("trace=on").run()
    _save(app, "kept one")
    assert _saved(app, "demo-text-classifier").options == ["kept one"]

    # A new app on the same history file: the request is still there, and loads whole.
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    again = AppTest.from_file(APP, default_timeout=30)
    again.run()
    pick(again, server, "demo-text-classifier")
    assert json.loads(again.session_state["editor_text"]) == {"features": ["This is great!"]}  # the sample
    _saved(again, "demo-text-classifier").set_value("kept one").run()
    assert not again.exception, again.exception
    assert json.loads(again.session_state["editor_text"]) == {"features": ["keep me"]}
    assert again.session_state["_opt-kept-custom_attributes"] == "trace=on"
    assert _saved(again, "demo-text-classifier").value is None  # ready to load it (or another) again
    pick(again, server, "demo-csv-regressor")
    assert _saved(again, "demo-csv-regressor").options == []  # saved per endpoint


def test_a_saved_file_loads_back_as_the_file(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")
    app.segmented_control(key=body_kind.KEY).set_value(body_kind.FILE).run()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    [uploader] = app.get("file_uploader")
    uploader.set_value(("tiny.png", buffer.getvalue(), "image/png")).run()
    _save(app, "tiny picture")
    app.segmented_control(key=body_kind.KEY).set_value(body_kind.JSON).run()
    _saved(app, "demo-image-inspector").set_value("tiny picture").run()
    assert app.segmented_control(key=body_kind.KEY).value == body_kind.FILE
    held = app.session_state["_request_file"]
    assert (held.name, held.data, held.content_type) == ("tiny.png", buffer.getvalue(), "image/png")
