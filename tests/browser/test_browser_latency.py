"""A latency run in a real browser: from Test inference to the Latency page, 20 requests at concurrency 4,
the figures and charts drawn and the counts right."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import invocations, pick_endpoint, wait_for_editor_json


def _set_number(page: Page, key: str, value: int) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))


def test_a_20_by_4_run_draws_its_figures_and_charts(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    page.locator(".st-key-latency-entry button").filter(visible=True).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Latency")).to_be_visible()
    expect(main.get_by_test_id("stDataFrame").first).to_contain_text("demo-text-classifier")

    _set_number(page, "latency-requests", 20)
    _set_number(page, "latency-concurrency", 4)
    page.locator(".st-key-latency-start button").click()

    summary = page.locator(".st-key-latency-summary")
    expect(summary).to_be_visible()
    metrics = summary.get_by_test_id("stMetric")
    expect(metrics.filter(has_text="Requests").first).to_contain_text("20")
    expect(metrics.filter(has_text="Successes")).to_contain_text("20")
    expect(metrics.filter(has_text="Throttled")).to_contain_text("0")
    expect(summary.get_by_test_id("stDataFrame").first).to_be_visible()
    for key in ("latency-histogram", "latency-over-time"):
        expect(page.locator(f".st-key-{key} [data-testid='stVegaLiteChart']")).to_be_visible()
    expect(main.get_by_role("heading", name="Saved runs")).to_be_visible()
    sent = [r for r in invocations(server) if "demo-text-classifier" in r.path]
    assert len(sent) == 20
    expect(page.get_by_test_id("stException")).to_have_count(0)
