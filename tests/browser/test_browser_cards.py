"""Result cards in a real browser: every field of a Success card, a Failed card for a model error, and model
output that tries to be HTML."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import (
    card_output,
    cards,
    code_text,
    fields,
    invocations,
    newest_card,
    pick_endpoint,
    replace_editor_text,
    send,
    status_of,
    wait_for_editor_json,
    wait_for_status,
)


def test_a_success_card_shows_every_field_in_studios_words(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    replace_editor_text(page, '{"features": ["What a wonderful, delightful day!"]}')
    sent_at = datetime.now().astimezone()
    send(page)
    card = newest_card(page)
    wait_for_status(card, "success")

    [request] = invocations(server)
    seen = fields(card)
    assert seen["Request type"] == "JSON"
    assert seen["Status"] == "Success"
    assert re.fullmatch(r"[\d,]+", seen["Execution Length (ms)"]), seen
    assert seen["Request Time"] == "just now"
    assert seen["Result Time"] == "just now"
    assert seen["Invoked variant"] == "AllTraffic"
    assert str(uuid.UUID(seen["Request ID"])) == seen["Request ID"]  # the x-amzn-RequestId answered
    assert seen["Response content type"] == "application/json"
    expect(card).to_contain_text("demo-text-classifier")

    output = code_text(card_output(card))
    assert output.startswith('{\n  "predictions": [\n')  # pretty JSON, two-space indent
    prediction = json.loads(output)["predictions"][0]
    assert prediction["label"] == "positive" and 0 < prediction["score"] <= 1
    assert request.body == b'{"features": ["What a wonderful, delightful day!"]}'

    # The exact times are one hover away: the times' row carries them as its title.
    times = card.locator('[title^="Request Time: "]')
    expect(times).to_contain_text("just now")
    exact = times.get_attribute("title") or ""
    request_line, result_line = exact.split("\n")
    assert re.fullmatch(r"Request Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+", request_line), exact
    assert re.fullmatch(r"Result Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+", result_line), exact
    shown = datetime.strptime(request_line[len("Request Time: ") :][:23], "%Y-%m-%d %H:%M:%S.%f")
    assert abs((shown - sent_at.replace(tzinfo=None)).total_seconds()) < 10


def test_a_model_error_gives_a_failed_card_with_the_models_status_and_message(
    page: Page, server: LocalEndpoints
):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    server.inject_fault(
        "demo-text-classifier",
        model_error_status=503,
        model_error_message="CUDA out of memory while loading weights",
    )
    send(page)
    card = newest_card(page)
    wait_for_status(card, "failed")
    expect(card).to_contain_text("Original status code")

    seen = fields(card)
    assert seen["Status"] == "Failed"
    assert seen["Original status code"] == "503"
    expect(card.get_by_role("alert")).to_contain_text("Failure Reason · ModelError (HTTP 424)")
    expect(card).to_contain_text("CUDA out of memory while loading weights")
    # A local endpoint's card tells local truths: no CloudWatch, no account; the local server's record.
    expect(card.get_by_role("link", name="View the logs in CloudWatch")).to_have_count(0)
    expect(card).not_to_contain_text("123456789012")
    card.get_by_role("button", name="Show the local server's record").click()
    record = page.get_by_role("dialog")
    expect(record).to_contain_text("InvokeEndpoint")
    expect(record).to_contain_text("424")
    assert len(invocations(server)) == 1


HOSTILE = (
    "<img src=x onerror=window.__pwned=1> and <script>window.__pwned=2</script> **bold** [link](https://x)"
)


def _assert_inert(page: Page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    inside_cards = page.locator('[class*="st-key-result-card-"] img, [class*="st-key-result-card-"] script')
    expect(inside_cards).to_have_count(0)
    expect(page.locator('[class*="st-key-result-card-"] a[href="https://x"]')).to_have_count(0)


def test_model_output_that_looks_like_html_is_shown_as_text_and_never_runs(
    page: Page, server: LocalEndpoints
):
    # Two real paths for the model's words: the generator echoing its prompt (return_full_text), and a
    # container's error message.
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    body = {"inputs": HOSTILE, "parameters": {"max_new_tokens": 3, "return_full_text": True}}
    replace_editor_text(page, json.dumps(body))
    send(page)
    wait_for_status(newest_card(page), "success")
    expect(card_output(newest_card(page))).to_contain_text(HOSTILE.replace('"', '\\"')[:40])

    server.inject_fault("demo-tgi-generator", model_error_status=500, model_error_message=HOSTILE)
    send(page)
    expect(cards(page)).to_have_count(2)
    wait_for_status(newest_card(page), "failed")
    expect(newest_card(page)).to_contain_text(HOSTILE)

    older = cards(page).first  # the stack is drawn oldest first and shown newest first
    expect(status_of(older, "success")).to_have_count(1)
    newest_box, older_box = newest_card(page).bounding_box(), older.bounding_box()
    assert newest_box and older_box and newest_box["y"] + newest_box["height"] <= older_box["y"]
    _assert_inert(page)
    assert [r.operation for r in invocations(server)] == ["InvokeEndpoint", "InvokeEndpoint"]


def test_the_code_blocks_code_loads_once_the_page_is_usable_not_with_it(page: Page):
    # A card's output is a code block, whose code (Streamlit's syntax highlighter) a fresh tab would load at
    # its first card. components.element_preload imports it once the editor shows its text; the page itself
    # draws no hidden code block for it any more (that put the load on the page load's own path).
    loaded = """() => performance.getEntriesByType("resource")
        .filter((entry) => entry.name.includes("/static/js/StreamlitSyntaxHighlighter."))
        .map((entry) => entry.startTime)"""
    wait_for_editor_json(page, "value.features !== undefined || value.inputs !== undefined")
    page.wait_for_function(f"() => ({loaded})().length > 0", timeout=20_000)
    assert page.get_by_test_id("stCode").count() == 0  # nothing drawn for it, no card yet
    shown = page.evaluate(
        """() => { const frame = document.querySelector('iframe[title="streamlit_ace.streamlit_ace"]');
        return frame.contentWindow.performance.timeOrigin - performance.timeOrigin; }"""
    )
    assert min(page.evaluate(loaded)) > shown  # after the editor's frame started, not during the page load
