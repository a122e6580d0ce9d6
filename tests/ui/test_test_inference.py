"""The Test inference page in AppTest, against the real local server (boto3 over HTTP, no mocks)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import (
    APP,
    advanced,
    card_places,
    click,
    editor_key,
    invocations,
    markdown,
    pick,
    picker_key,
    run_until,
    statuses,
    stream_switch,
    texts,
    unescaped,
)


def test_page_renders_with_the_local_endpoints_listed_and_a_sample_loaded(
    app: AppTest, server: LocalEndpoints
):
    picker = app.selectbox(key=picker_key(server))
    assert "demo-text-classifier" in picker.options[0] + " ".join(picker.options)
    assert any(option.endswith("· Failed") for option in picker.options)
    assert picker.value is not None
    assert app.session_state["editor_text"].strip().startswith(("{", "5.1"))
    assert app.sidebar.radio[0].value == "Local endpoints"
    assert server.url in texts(app)


def test_picking_an_endpoint_loads_its_sample_and_content_type(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-csv-regressor")
    assert app.text_input(key="opt-content-type").value == "text/csv"
    assert app.session_state["editor_text"].startswith("5.1,3.5")

    pick(app, server, "demo-tgi-generator")
    assert app.text_input(key="opt-content-type").value == "application/json"
    assert json.loads(app.session_state["editor_text"])["stream"] is True
    assert stream_switch(app).value is True  # on because the request asks for "stream": true

    pick(app, server, "demo-text-classifier")
    assert json.loads(app.session_state["editor_text"]) == {"features": ["This is great!"]}
    assert stream_switch(app).value is False


def test_send_adds_a_card_and_sends_exactly_the_text_the_click_carried(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    # Python's copy of the editor is older than the text on screen when Send is clicked: the click's wins.
    app.session_state[editor_key(app)] = '{"features": ["stale"]}'
    app.run()
    clicked = '{"features": ["I love this product!"]}'
    click(app, "send", clicked)
    assert statuses(app)[:1] in (["Pending"], ["Success"])  # the card is there at once

    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    assert [r.body for r in invocations(server)] == [clicked.encode()]
    card = unescaped(markdown(app))
    assert "**demo-text-classifier**" in card
    assert "| Request type | Status | Execution Length (ms) | Request Time | Result Time |" in card
    assert "| JSON | Success |" in card and "| just now | just now |" in card
    assert "| Invoked variant | AllTraffic |" in card and "| Request ID | " in card
    outputs = [c for c in app.code if "predictions" in c.value]
    assert [c.language for c in outputs] == ["json"] and outputs[0].value.startswith('{\n  "')  # pretty


def test_send_without_text_falls_back_to_the_editors_copy(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    app.session_state[editor_key(app)] = '{"features": ["from the editor"]}'
    app.run()
    click(app, "send", None)  # the component could not read the editor
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    assert [r.body for r in invocations(server)] == [b'{"features": ["from the editor"]}']


def test_invalid_json_is_reported_with_line_and_column_and_never_sent(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{\n  "features": ["a",]\n}')
    errors = [e.value for e in app.error]
    assert any("line 2, column 20" in message for message in errors), errors
    assert statuses(app) == []
    assert invocations(server) == []


def test_a_model_error_gives_a_failed_card_with_the_models_status_and_message(
    app: AppTest, server: LocalEndpoints
):
    server.inject_fault(
        "demo-text-classifier", model_error_status=503, model_error_message="GPU fell off the bus"
    )
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": ["x"]}')
    run_until(app, lambda at: statuses(at)[:1] == ["Failed"])
    assert any("Failure Reason" in e.value for e in app.error)
    assert "| Original status code |\n|---|\n| 503 |" in markdown(app)
    assert any("GPU fell off the bus" in c.value for c in app.code)  # original message


def test_an_endpoint_that_is_not_in_service_cannot_be_sent_to(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-failed")
    warnings = [w.value for w in app.warning]
    assert any("failed" in w.lower() for w in warnings), warnings
    click(app, "send", '{"features": ["x"]}')
    assert invocations(server) == []
    assert statuses(app) == []
    assert any("Not sent" in e.value for e in app.error)


def test_format_reloads_the_editor_with_indented_json(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    before = editor_key(app)
    click(app, "format", '{"b": 1, "a": [1, 2]}')
    assert editor_key(app) != before  # a fresh editor, so Ace really shows the new text
    assert app.session_state["editor_text"] == '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ]\n}'
    assert invocations(server) == []


def test_reset_brings_back_the_sample(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "reset", '{"edited": true}')
    assert json.loads(app.session_state["editor_text"]) == {"features": ["This is great!"]}


def test_one_click_is_acted_on_once_however_many_reruns_follow(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": ["once"]}')
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    app.run()
    app.run()
    assert len(invocations(server)) == 1
    assert statuses(app) == ["Success"]


def test_a_new_card_goes_on_top_and_every_older_card_keeps_its_place_in_the_page(
    app: AppTest, server: LocalEndpoints
):
    # A block drawn where another was shows that one's content until its own arrives (components.card_stack):
    # a new card must take a place no card had, and the older ones must stay where they were.
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": ["first"]}')
    run_until(app, lambda at: statuses(at) == ["Success"])
    first = card_places(app)
    server.inject_fault("demo-text-classifier", model_error_status=500, model_error_message="second")
    click(app, "send", '{"features": ["second"]}')
    run_until(app, lambda at: statuses(at) == ["Failed", "Success"])  # newest first, as shown
    second = card_places(app)
    assert len(first) == 1 and len(second) == 2
    assert {key: second[key] for key in first} == first


def test_sdk_example_shows_the_editors_current_request(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    app.session_state[editor_key(app)] = '{"features": ["for the SDK"]}'
    app.run()
    app.radio(key="testing-mode").set_value("Use Python SDK example code").run()
    code = [c.value for c in app.code]
    python = next(c for c in code if "import boto3" in c)
    cli = next(c for c in code if "aws sagemaker-runtime invoke-endpoint" in c)
    assert "for the SDK" in python and "demo-text-classifier" in python
    assert "for the SDK" in cli and server.url in cli
    # Coming back, the editor shows the same text.
    app.radio(key="testing-mode").set_value("Test the sample request").run()
    assert app.session_state["editor_text"] == '{"features": ["for the SDK"]}'


def test_a_stream_fills_its_card_and_reports_token_stats(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-tgi-generator")
    assert stream_switch(app).value is True
    click(app, "send", app.session_state["editor_text"])
    run_until(app, lambda at: statuses(at)[:1] == ["Success"], timeout=30)
    [request] = invocations(server)
    assert request.operation == "InvokeEndpointWithResponseStream"
    assert "| Time to first token (ms) | Tokens per second | Tokens |" in markdown(app)
    streamed = [c.value for c in app.code if c.language == "plaintext"]
    # The sample samples (temperature 0.7): its answer is sometimes one short sentence, never empty.
    assert streamed and streamed[0].strip()  # the streamed text, as plain text


def test_cards_survive_a_trip_to_the_history_page(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": ["keep me"]}')
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    app.switch_page("app_pages/history.py").run()
    assert not app.exception
    app.switch_page("app_pages/inference.py").run()
    assert statuses(app) == ["Success"]


def _long_generation() -> str:
    return json.dumps(
        {
            "inputs": "Tell me a story",
            "parameters": {"max_new_tokens": 3000, "ignore_eos_token": True},
            "stream": True,
        }
    )


def test_a_broken_stream_keeps_its_partial_text_and_shows_the_failure(app: AppTest, server: LocalEndpoints):
    server.inject_fault("demo-tgi-generator", break_stream_after=6)
    pick(app, server, "demo-tgi-generator")
    click(app, "send", _long_generation())
    run_until(app, lambda at: statuses(at)[:1] == ["Failed"])
    assert any("Failure Reason" in e.value for e in app.error)
    assert any("Output received before the stream ended" in c.value for c in app.caption)
    partial = [c.value for c in app.code if c.language == "plaintext"]
    assert partial and partial[0].strip()


def test_model_text_is_never_rendered_as_markdown_or_html(app: AppTest, server: LocalEndpoints):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> [link](javascript:alert(3)) **bold**'
    server.inject_fault("demo-text-classifier", model_error_status=400, model_error_message=hostile)
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": ["x"]}')
    run_until(app, lambda at: statuses(at)[:1] == ["Failed"])
    assert any(hostile in c.value for c in app.code)
    markdown_like = [*app.markdown, *app.caption, *app.error, *app.warning, *app.info, *app.success]
    assert not [m.value for m in markdown_like if "<script>" in m.value or "javascript:" in m.value]


def test_aws_without_credentials_explains_itself(server: LocalEndpoints, tmp_path, monkeypatch):
    # AppTest reruns only the page after the first run (not app.py's sidebar), so the AWS choice is made
    # before that first run.
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url)
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["connection-kind"] = "AWS"
    at.session_state["connection-region"] = "eu-west-1"
    at.run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert len([m for m in messages if "No AWS credentials found" in m]) == 1, messages  # said once
    hints = [c.value for c in at.caption if "aws configure" in c.value]
    assert hints == [
        "Configure credentials (`aws configure` or `aws sso login`), pick another profile, "
        "or use the Local connection."
    ]  # Markdown, so the commands show as code rather than with their backticks
    assert any("Not connected" in c.value for c in at.sidebar.caption)
    assert any(h.value == "Results" for h in at.subheader)  # the results column is still there
    assert invocations(server) == []


def test_an_endpoint_with_inference_components_sends_to_the_chosen_component(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-inference-components")
    component = app.selectbox(key=f"inference-component-Local · {server.url}-demo-inference-components")
    assert set(component.options) >= {"ic-classifier · InService", "ic-generator · InService"}
    component.set_value("ic-classifier").run()
    click(app, "send", '{"features": ["to the component"]}')
    run_until(app, lambda at: statuses(at)[:1] in (["Success"], ["Failed"]))
    [request] = invocations(server)
    assert request.headers["x-amzn-sagemaker-inference-component"] == "ic-classifier"
    assert statuses(app)[:1] == ["Success"]


def test_advanced_parameters_travel_with_the_request(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    advanced(app)
    app.text_input(key="opt-custom_attributes").set_value("accept_eula=true").run()
    app.text_input(key="opt-inference_id").set_value("trace-42").run()
    click(app, "send", '{"features": ["x"]}')
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    [request] = invocations(server)
    assert request.headers["x-amzn-sagemaker-custom-attributes"] == "accept_eula=true"
    assert request.headers["x-amzn-sagemaker-inference-id"] == "trace-42"


def test_closed_advanced_fields_are_not_drawn_but_keep_their_values_and_say_so(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    assert not [field for field in app.text_input if (field.key or "").startswith("opt-custom")]
    advanced(app)
    app.text_input(key="opt-custom_attributes").set_value("accept_eula=true").run()
    advanced(app, open_=False)
    assert not [field for field in app.text_input if (field.key or "").startswith("opt-custom")]
    assert "Sent with every request: CustomAttributes." in [caption.value for caption in app.caption]
    for _ in range(2):  # more runs with the field not drawn: its value stays
        click(app, "send", '{"features": ["x"]}')
        run_until(app, lambda at: all(status != "Pending" for status in statuses(at)))
    assert [request.headers["x-amzn-sagemaker-custom-attributes"] for request in invocations(server)] == [
        "accept_eula=true",
        "accept_eula=true",
    ]
    advanced(app)
    assert app.text_input(key="opt-custom_attributes").value == "accept_eula=true"


def test_a_csv_request_is_not_checked_as_json_and_its_answer_is_a_table(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-csv-regressor")
    body = app.session_state["editor_text"]
    click(app, "send", body)
    run_until(app, lambda at: statuses(at)[:1] == ["Success"])
    [request] = invocations(server)
    assert request.body == body.encode() and request.headers["content-type"] == "text/csv"
    assert "| CSV | Success |" in unescaped(markdown(app))
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 2  # one row per input line


def test_an_async_endpoint_is_explained_and_cannot_be_sent_to(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-async")
    assert any("asynchronous endpoint" in w.value for w in app.warning)
    click(app, "send", '{"features": ["x"]}')
    assert invocations(server) == []


def test_the_run_of_the_click_follows_a_stream_to_its_end(app: AppTest, server: LocalEndpoints):
    # No timer and no second run: the click's own run draws the tokens as they come and then the final card.
    # (Stop and other widgets during a stream need a browser: tests/browser/test_browser_streaming.py.)
    pick(app, server, "demo-tgi-generator")
    parameters = {"max_new_tokens": 400, "ignore_eos_token": True}
    click(app, "send", json.dumps({"inputs": "Go on", "parameters": parameters, "stream": True}))
    assert statuses(app) == ["Success"]
    assert "| 400 |" in markdown(app)  # every token arrived
    assert len(invocations(server)) == 1


def test_clear_results_appears_when_the_first_card_ends_in_the_run_that_follows_it(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    assert not [b for b in app.button if b.key == "clear-results"]
    server.inject_fault("demo-text-classifier", delay_ms=300)  # still running when its card is first drawn
    click(app, "send", '{"features": ["x"]}')
    assert statuses(app) == ["Success"]
    [clear] = [b for b in app.button if b.key == "clear-results"]
    clear.click().run()
    assert statuses(app) == []
