"""The History page in Chromium: search the saved requests, re-run one in place, diff the two results."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import (
    checked_tab,
    invocations,
    newest_card,
    pick_endpoint,
    replace_editor_text,
    send,
    wait_for_editor_json,
    wait_for_status,
)
from tests.support.real_app import streamlit_app

ROWS = '[class*="st-key-history-row-"]'


def test_search_rerun_and_diff(browser, server: LocalEndpoints, tmp_path: Path):  # type: ignore[no-untyped-def]
    with streamlit_app(server.url, tmp_path / "history.sqlite3") as url, checked_tab(browser, url) as page:
        pick_endpoint(page, "demo-text-classifier")
        wait_for_editor_json(page, "value.features")
        for body in ('{"features": ["a narwhal sings"]}', '{"features": ["a badger digs"]}'):
            replace_editor_text(page, body)
            page.wait_for_timeout(1500)  # the editor hands its text over after a pause in typing
            send(page)
            wait_for_status(newest_card(page), "success")
        assert len(invocations(server)) == 2

        page.get_by_role("link", name="History").click()
        main = page.get_by_test_id("stMain")
        expect(main.locator(ROWS)).to_have_count(2)
        search = main.locator(".st-key-history-search input")
        search.fill("NARWHAL")
        search.press("Enter")
        expect(main.locator(ROWS)).to_have_count(1)
        rerun = main.locator('[class*="st-key-rerun-"]')
        expect(rerun).to_have_count(1)
        rerun.get_by_role("button", name="Re-run").click()
        panel = main.locator(".st-key-history-rerun-panel")
        expect(panel.locator('[class*="st-key-status-success-"]').first).to_be_visible()
        expect(main.locator(ROWS)).to_have_count(2)  # the re-run is saved, and found by the same search
        compare = main.locator('[class*="st-key-compare-"]')
        expect(compare).to_have_count(2)
        for row in range(2):
            compare.nth(row).get_by_role("button", name="Compare").click()
            expect(compare.nth(row).get_by_role("button", name="Compare")).to_have_attribute(
                "data-testid", "stBaseButton-primary"
            )
        diff = main.locator(".st-key-history-diff")
        expect(diff.get_by_text("Identical outputs")).to_be_visible()  # the model is deterministic
