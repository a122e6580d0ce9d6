"""Compare in Chromium: two generators stream side by side at once, and the two variants of demo-ab-test
answer with their figures compared."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import invocations, pick_endpoint, wait_for_editor_json

# Counts the frames in which both cards show streamed text while both are still running.
_WATCH_PARALLEL = """() => {
  window.__both = 0;
  const tick = () => {
    const cards = [...document.querySelectorAll('[class*="st-key-result-card-"]')];
    const live = cards.filter((c) => c.querySelector('[class*="st-key-chunked-"]')
      && c.querySelector('[class*="st-key-status-pending-"]'));
    if (live.length >= 2) window.__both += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def _open_compare(page: Page, endpoint: str) -> None:
    pick_endpoint(page, endpoint)
    wait_for_editor_json(page, "true")
    page.get_by_role("button", name="Compare targets").click()
    page.get_by_role("heading", name="Compare").wait_for()


def test_two_generators_stream_side_by_side(page: Page, server: LocalEndpoints):
    server.token_delay = 0.03
    _open_compare(page, "demo-tgi-generator")
    target = page.locator(".st-key-compare-endpoint-1 input")
    target.fill("demo-lmi-generator")
    page.get_by_role("option", name="demo-lmi-generator", exact=True).click()
    page.evaluate(_WATCH_PARALLEL)
    page.get_by_role("button", name="Send to all").click()
    cards = page.locator('[class*="st-key-result-card-"]')
    expect(cards).to_have_count(2)
    expect(page.locator('[class*="st-key-status-success-"]')).to_have_count(2, timeout=30_000)
    assert page.evaluate("() => window.__both") > 0, "the two answers never streamed at the same time"
    streamed = sorted(r.endpoint_name or "" for r in invocations(server))
    assert streamed == ["demo-lmi-generator", "demo-tgi-generator"]
    expect(page.get_by_text("Outputs against the first")).to_be_visible()


def test_the_two_variants_of_an_ab_endpoint_are_compared(page: Page, server: LocalEndpoints):
    _open_compare(page, "demo-ab-test")
    page.get_by_role("button", name="Send to all").click()
    expect(page.locator('[class*="st-key-status-success-"]')).to_have_count(2)
    variants = sorted(r.headers["x-amzn-sagemaker-target-variant"] for r in invocations(server))
    assert variants == ["variant-a", "variant-b"]
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()  # the figures side by side
