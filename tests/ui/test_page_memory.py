"""What the user set on Test inference and Chat is still there after a visit to another page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.chat_settings import FORMAT_KEY, SYSTEM_KEY
from local_endpoints import LocalEndpoints
from tests.ui.conftest import editor_key, pick, picker_key, stream_switch


def test_the_form_survives_a_visit_to_history(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-csv-regressor")
    app.session_state[editor_key(app)] = "1,2,3,4\n"
    app.run()
    stream_switch(app).set_value(True).run()
    app.switch_page("app_pages/history.py").run()
    app.switch_page("app_pages/inference.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key=picker_key(server)).value == "demo-csv-regressor"
    assert app.session_state["editor_text"] == "1,2,3,4\n"  # not the sample again
    assert app.text_input(key="opt-content-type").value == "text/csv"
    assert app.segmented_control(key="body-kind").value == "CSV"
    assert stream_switch(app).value is True


def test_the_chat_settings_survive_a_visit_to_test_inference(app: AppTest, server: LocalEndpoints):
    app.switch_page("app_pages/chat.py").run()
    app.selectbox(key=FORMAT_KEY).set_value("tgi").run()
    app.text_area(key=SYSTEM_KEY).set_value("Answer like a pirate.").run()
    app.switch_page("app_pages/inference.py").run()
    app.switch_page("app_pages/chat.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key=FORMAT_KEY).value == "tgi"
    assert app.text_area(key=SYSTEM_KEY).value == "Answer like a pirate."
