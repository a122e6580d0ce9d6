"""A stateful session in Chromium: started from the Session popover, used by a request, closed; the local
server's request log shows the session header on each."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import (
    cards,
    invocations,
    newest_card,
    pick_endpoint,
    send,
    wait_for_editor_json,
    wait_for_status,
)


def _popover(page: Page, name: str) -> None:
    page.get_by_test_id("stPopover").get_by_role("button", name=name).click()


def test_a_session_is_started_used_and_closed(page: Page, server: LocalEndpoints):
    # Slow answers: each card is drawn Pending and followed, so the Session button must change when the
    # request that opened (or closed) the session ends, not only when the page happens to run again.
    server.inject_fault("demo-text-classifier", delay_ms=300)
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    _popover(page, "Session")
    page.get_by_role("button", name="Start session").click()
    expect(cards(page)).to_have_count(1)
    wait_for_status(newest_card(page), "success")
    opening = invocations(server)[-1]
    assert opening.headers["x-amzn-sagemaker-session-id"] == "NEW_SESSION"
    page.keyboard.press("Escape")  # close the popover
    label = page.get_by_test_id("stPopover").get_by_role("button", name="In session")
    expect(label).to_be_visible()

    send(page)
    expect(cards(page)).to_have_count(2)
    wait_for_status(newest_card(page), "success")
    used = invocations(server)[-1].headers["x-amzn-sagemaker-session-id"]
    assert used not in ("", "NEW_SESSION")

    label.click()
    page.get_by_role("button", name="Close session").click()
    expect(cards(page)).to_have_count(3)
    wait_for_status(newest_card(page), "success")
    closing = invocations(server)[-1]
    assert closing.headers["x-amzn-sagemaker-session-id"] == used and b"CLOSE" in closing.body
    expect(page.get_by_test_id("stPopover").get_by_role("button", name="Session", exact=True)).to_be_visible()
