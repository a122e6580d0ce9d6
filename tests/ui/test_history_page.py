"""The History page in AppTest: what Test inference sent is listed, reopens as a card, and loads back."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import advanced, click, markdown, pick, run_until, statuses, unescaped


def _send_one(app: AppTest, server: LocalEndpoints, body: str) -> None:
    pick(app, server, "demo-text-classifier")
    click(app, "send", body)
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])


def test_history_page_renders_empty(app: AppTest):
    app.switch_page("app_pages/history.py").run()
    assert not app.exception
    assert any("No saved requests" in c.value for c in app.caption)


def test_a_sent_request_is_listed_and_reopens_as_a_card(app: AppTest, server: LocalEndpoints):
    _send_one(app, server, '{"features": ["remember me"]}')
    app.switch_page("app_pages/history.py").run()
    assert not app.exception
    assert "**demo-text-classifier**" in unescaped(markdown(app))
    assert statuses(app) == ["Success"]  # the row's badge
    assert "\u00a0ms]" in markdown(app)  # the time and its unit never split over two lines

    [open_button] = [b for b in app.button if b.key and b.key.startswith("open-")]
    open_button.click().run()
    assert statuses(app) == ["Success", "Success"]  # the row and the reopened card
    assert any('"remember me"' in c.value for c in app.code)  # the request body


def test_load_puts_the_request_back_into_the_editor(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    advanced(app)
    app.text_input(key="opt-custom_attributes").set_value("accept_eula=true").run()
    _send_one(app, server, '{"features": ["load me back"]}')
    app.text_input(key="opt-custom_attributes").set_value("").run()
    advanced(app, open_=False)  # the reopened request's value must come back into a field not drawn now
    pick(app, server, "demo-csv-regressor")  # the editor now holds another endpoint's sample
    app.switch_page("app_pages/history.py").run()
    [load_button] = [b for b in app.button if b.key and b.key.startswith("load-")]
    load_button.click().run()
    assert not app.exception
    run_until(
        app,
        lambda at: "editor_text" in at.session_state and "load me back" in at.session_state["editor_text"],
    )
    assert json.loads(app.session_state["editor_text"]) == {"features": ["load me back"]}
    assert app.text_input(key="opt-content-type").value == "application/json"
    # AppTest reruns the page it was last told, not the app's choice
    app.switch_page("app_pages/inference.py")
    advanced(app)
    assert app.text_input(key="opt-custom_attributes").value == "accept_eula=true"
    assert app.selectbox(key=f"endpoint-choice-Local · {server.url}").value == "demo-text-classifier"


def test_delete_removes_the_entry(app: AppTest, server: LocalEndpoints):
    _send_one(app, server, '{"features": ["delete me"]}')
    app.switch_page("app_pages/history.py").run()
    [delete_button] = [b for b in app.button if b.key and b.key.startswith("delete-")]
    delete_button.click().run()
    assert any("No saved requests" in c.value for c in app.caption)


def test_a_file_request_opens_with_its_size_and_first_bytes(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-image-inspector")  # its sample is the bundled picture, sent as a file
    click(app, "send", None)
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    app.switch_page("app_pages/history.py").run()
    [open_button] = [b for b in app.button if b.key and b.key.startswith("open-")]
    open_button.click().run()
    assert any("bytes of image/png" in c.value for c in app.caption)
    assert any(c.value.startswith("00000000  89 50 4e 47") for c in app.code)  # the PNG signature, in hex
