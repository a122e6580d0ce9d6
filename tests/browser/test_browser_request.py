"""The request side in a real browser: pick an endpoint, edit, send at once, invalid JSON, the SDK example."""

from __future__ import annotations

import ast
import json
import re

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from services.request_body import check_json
from tests.browser.helpers import (
    ACTIONS_IFRAME,
    actions,
    cards,
    code_text,
    editor,
    editor_text,
    hold_streamlit,
    invocations,
    newest_card,
    open_with_holdable_streamlit,
    pick_endpoint,
    replace_editor_text,
    send,
    send_button,
    wait_for_editor_json,
    wait_for_editor_match,
    wait_for_editor_text,
    wait_for_idle,
    wait_for_status,
    wait_until_still,
)


def test_picking_an_endpoint_loads_its_sample_into_the_editor(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-tgi-generator")  # TGI with MESSAGES_API_ENABLED (DescribeModel): chat
    sample = wait_for_editor_json(page, "value.stream === true")
    assert sample["messages"][-1]["role"] == "user" and sample["max_tokens"] > 0
    expect(page.locator(".st-key-stream-response input")).to_be_checked()  # the sample asks to stream

    pick_endpoint(page, "demo-lmi-legacy-generator")  # rolling batch disabled: a batch of prompts
    sample = wait_for_editor_json(page, "Array.isArray(value.inputs)")
    assert sample["inputs"][0] and sample["parameters"]["max_new_tokens"] > 0

    pick_endpoint(page, "demo-csv-regressor")
    wait_for_editor_match(page, r"/^[0-9.]+(,[0-9.]+)+/")
    expect(page.locator(".st-key-opt-content-type input")).to_have_value("text/csv")

    pick_endpoint(page, "demo-text-classifier")
    assert wait_for_editor_json(page, "value.features") == {"features": ["This is great!"]}
    expect(page.locator(".st-key-opt-content-type input")).to_have_value("application/json")
    assert invocations(server) == []  # picking never invokes


BODIES = [
    '{"features": ["I love this product!"]}',
    '{\n  "features": [\n    "Ünïcödé ✓ and emoji 🚀",\n    "tabs\\tand \\"quotes\\""\n  ]\n}\n',
    '{"inputs": ["one", "two", "three"], "padding": "' + "x" * 3000 + '"}',
    '   {"features":["spaces around, no newline at the end"]}   ',
]


def test_the_body_sent_is_the_text_shown_even_when_send_is_clicked_right_after_typing(
    page: Page, server: LocalEndpoints
):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    for number, body in enumerate(BODIES, start=1):
        replace_editor_text(page, body)
        send(page)  # no wait of any kind between the text change and the click
        expect(cards(page)).to_have_count(number)
        wait_for_status(newest_card(page), "success")
        received = invocations(server)
        assert len(received) == number
        assert received[-1].body == body.encode("utf-8"), f"body {number} differs from the editor's text"
        assert editor_text(page) == body  # and the editor still shows it

    # A keystroke rather than a paste: one space typed at the very end, then the click at once.
    editor(page).locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" ")
    send(page)
    expect(cards(page)).to_have_count(len(BODIES) + 1)
    wait_for_status(newest_card(page), "success")
    assert invocations(server)[-1].body == (BODIES[-1] + " ").encode("utf-8")


def test_invalid_json_is_reported_with_line_and_column_and_never_sent(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    broken = '{\n  "features": [\n    "a trailing comma",\n  ]\n}'
    problem = check_json(broken)
    assert problem is not None and problem.line == 4
    replace_editor_text(page, broken)
    send(page)  # clicked before the editor's own update: the click's text is checked

    box = page.locator(".st-key-json-problem")
    expect(box).to_contain_text(f"Invalid JSON at line {problem.line}, column {problem.column}")
    expect(box).to_contain_text("Nothing is sent until it is fixed")
    send(page)  # and a second, deliberate click
    wait_for_idle(page)
    expect(cards(page)).to_have_count(0)
    assert invocations(server) == []

    # Fixing it clears the message and the next click sends exactly the fixed text.
    fixed = '{\n  "features": [\n    "no trailing comma"\n  ]\n}'
    replace_editor_text(page, fixed)
    send(page)
    expect(box).to_have_count(0)
    wait_for_status(newest_card(page), "success")
    assert [r.body for r in invocations(server)] == [fixed.encode("utf-8")]


def _payload_literal(code: str) -> object:
    """The value assigned to `payload` in the example code (a Python literal)."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "payload" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("no `payload = ...` in the example code:\n" + code)


def test_the_sdk_example_holds_exactly_the_editors_content(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    body = {
        "inputs": 'Say "hello" in three languages: 你好',
        "parameters": {"max_new_tokens": 12, "temperature": 0.5},
        "stream": True,
    }
    text = json.dumps(body, indent=2, ensure_ascii=False)
    replace_editor_text(page, text)
    page.locator(".st-key-testing-mode").get_by_text("Use Python SDK example code").click()  # at once

    python = page.locator(".st-key-sdk-python")
    expect(python).to_contain_text("你好")  # the editor's text, handed over by Ace a moment after the switch
    expect(python).to_contain_text(
        "invoke_endpoint_with_response_stream"
    )  # the switch follows "stream": true
    code = code_text(python.get_by_test_id("stCode"))
    assert _payload_literal(code) == body
    assert 'EndpointName="demo-tgi-generator"' in code
    assert server.url in code  # local mode: the example talks to the same server

    cli = code_text(page.locator(".st-key-sdk-cli").get_by_test_id("stCode"))
    assert "aws sagemaker-runtime invoke-endpoint" in cli
    assert "--endpoint-name demo-tgi-generator" in cli
    assert f"--endpoint-url {server.url}" in cli

    # Back to the editor: it still holds the text, and sending sends it.
    page.locator(".st-key-testing-mode").get_by_text("Test the sample request").click()
    wait_for_editor_text(page, text)
    send(page)
    wait_for_status(newest_card(page), "success")
    assert json.loads(invocations(server)[-1].body) == body
    assert invocations(server)[-1].body == text.encode("utf-8")


def test_send_is_disabled_with_the_reason_for_an_endpoint_that_cannot_take_requests(
    page: Page, server: LocalEndpoints
):
    pick_endpoint(page, "demo-failed")
    expect(page.locator(".st-key-endpoint-blocked-reason")).to_contain_text(
        "did not pass the ping health check"
    )
    expect(send_button(page)).to_be_disabled()
    reason = actions(page).locator("#reason")
    expect(reason).to_have_text(re.compile(r"\S"))
    assert invocations(server) == []


def test_an_advanced_parameter_typed_then_folded_away_still_travels_and_is_named(
    page: Page, server: LocalEndpoints
):
    pick_endpoint(page, "demo-text-classifier")
    advanced = page.locator(".st-key-opt-advanced")
    advanced.get_by_text("Advanced").click()
    field = page.locator(".st-key-opt-custom_attributes input")
    field.fill("accept_eula=true")
    field.press("Enter")
    wait_for_idle(page)
    advanced.get_by_text("Advanced").click()  # folded: the field is no longer drawn
    expect(field).to_have_count(0)
    expect(page.get_by_text("Sent with every request: CustomAttributes.")).to_be_visible()
    wait_for_idle(page)
    wait_until_still(page, ACTIONS_IFRAME)  # the fold moves the buttons up: a click must not miss them
    for sent in (1, 2):  # several runs without the field: its value stays
        send(page)
        expect(cards(page)).to_have_count(sent)  # the new card, not the one before it
        wait_for_status(newest_card(page), "success")
    headers = [request.headers.get("x-amzn-sagemaker-custom-attributes") for request in invocations(server)]
    assert headers == ["accept_eula=true", "accept_eula=true"]
    advanced.get_by_text("Advanced").click()
    expect(field).to_have_value("accept_eula=true")


def test_the_stream_switch_follows_the_body_even_when_the_page_lags(page: Page, server: LocalEndpoints):
    # The generator's sample asks to stream; the body typed over it does not. With Streamlit's messages held
    # back (a loaded machine), the editor's own rerun leaves while the page still shows the switch on: it
    # once carried that old value back, and the next Send streamed a body that never asked to.
    open_with_holdable_streamlit(page)
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    switch = page.locator(".st-key-stream-response input")
    expect(switch).to_be_checked()
    hold_streamlit(page, 1500)
    replace_editor_text(page, json.dumps({"inputs": "hello there", "parameters": {"max_new_tokens": 3}}))
    send(page)
    page.wait_for_timeout(1000)  # Ace hands its text over meanwhile: a rerun with the switch as shown
    hold_streamlit(page, 0)
    wait_for_status(newest_card(page), "success")
    expect(switch).not_to_be_checked()
    send(page)
    expect(cards(page)).to_have_count(2)
    wait_for_status(newest_card(page), "success")
    assert [r.operation for r in invocations(server)] == ["InvokeEndpoint", "InvokeEndpoint"]


def test_the_buttons_wait_for_streamlit_before_they_take_a_click(page: Page, app_url: str):
    # Streamlit drops a component's value set before its first render (a console warning, nothing more): a
    # Send clicked in a frame that was just created was lost, with no card and no word. The buttons come
    # disabled and are enabled by the first render; alone, outside the page, that never comes.
    page.goto(app_url.rstrip("/") + "/component/components.request_actions.request_actions/index.html")
    for name in ("smti-send", "smti-format", "smti-reset"):
        expect(page.get_by_test_id(name)).to_be_disabled()
