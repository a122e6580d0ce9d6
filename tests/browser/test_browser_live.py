"""The live path in a real browser: a running request goes on whatever the user does, its card changes once
when it ends, its times move on by themselves, and its result is saved even when nobody watches."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from local_endpoints import LocalEndpoints
from services.history import History
from tests.browser.helpers import (
    cards,
    fields,
    invocations,
    newest_card,
    output_text,
    pick_endpoint,
    replace_editor_text,
    send,
    status_of,
    wait_for_editor_json,
    wait_for_newest_output_longer_than,
    wait_for_status,
)


def _slow_stream(page: Page, server: LocalEndpoints, tokens: int = 200) -> Locator:
    """A stream of `tokens` at 30 ms each, seen growing in its card."""
    server.token_delay = 0.03
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    body = {"inputs": "Tell me", "parameters": {"max_new_tokens": tokens, "ignore_eos_token": True}}
    replace_editor_text(page, json.dumps({**body, "stream": True}))
    send(page)
    card = newest_card(page)
    expect(status_of(card, "pending")).to_have_count(1)
    wait_for_newest_output_longer_than(page, 0)
    return card


def test_other_widgets_answer_while_a_stream_runs_and_the_stream_goes_on(page: Page, server: LocalEndpoints):
    card = _slow_stream(page, server, tokens=250)
    page.get_by_text("Use Python SDK example code").click()
    expect(page.locator(".st-key-sdk-python")).to_contain_text("invoke_endpoint_with_response_stream")
    expect(status_of(card, "pending")).to_have_count(1)  # the SDK code came while the stream was running
    page.get_by_text("Test the sample request").click()
    page.get_by_text("Advanced").click()
    wait_for_status(card, "success", timeout=60)
    assert fields(card)["Tokens"] == "250"
    assert len(invocations(server)) == 1


def test_a_stream_goes_on_during_a_visit_to_the_history_page(page: Page, server: LocalEndpoints):
    card = _slow_stream(page, server, tokens=150)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="History")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Test inference").click()
    card = newest_card(page)
    wait_for_status(card, "success", timeout=60)
    assert fields(card)["Tokens"] == "150"
    assert len(output_text(card)) > 100


# Watches the card a Send adds (the first box with a key not on the page when the watch starts) from before
# its request is sent to its end: how many boxes carry its key, whether any of its parts is stale (a faded
# copy), its output's length (a card that shrinks to its header drops to 0 after text had been shown); and
# whether any card ever holds a part of another card (a status or a Stop keyed with another card's number:
# a card drawn where another one was, showing that one for a moment).
_WATCH_JS = """() => {
  if (window.__watch) window.__watch.observer.disconnect();
  const cardKey = (box) => [...box.classList].find((c) => c.startsWith("st-key-result-card-"));
  const boxes = () => [...document.querySelectorAll('[class*="st-key-result-card-"]')];
  const known = new Set(boxes().map(cardKey));
  const w = (window.__watch = { maxCopies: 0, staleSeen: 0, shrank: 0, longest: 0, foreign: [] });
  const observer = (w.observer = new MutationObserver(() => {
    const all = boxes();
    for (const box of all) {
      const id = cardKey(box).split("-").pop();
      for (const part of box.querySelectorAll('[class*="st-key-status-"], [class*="st-key-stop-"]')) {
        const key = [...part.classList].find((c) => /^st-key-(status|stop)-/.test(c));
        if (key.split("-").pop() !== id && w.foreign.length < 5) w.foreign.push(id + " holds " + key);
      }
    }
    const added = all.find((box) => !known.has(cardKey(box)));
    if (!added) return;
    w.maxCopies = Math.max(w.maxCopies, document.querySelectorAll("." + cardKey(added)).length);
    // Placeholders (stEmpty) count as stale while any script runs: they show nothing, so they do not count.
    const stale = [...added.querySelectorAll('[data-stale="true"]')];
    if (stale.some((e) => !e.querySelector('[data-testid="stEmpty"]'))) w.staleSeen += 1;
    const code = added.querySelector('[class*="st-key-chunked-"], [data-testid="stCode"]');
    const length = code ? code.textContent.length : 0;
    if (w.longest > 0 && length < w.longest) w.shrank += 1;
    w.longest = Math.max(w.longest, length);
  }));
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


def test_a_card_changes_once_and_cleanly_when_its_stream_ends(page: Page, server: LocalEndpoints):
    server.token_delay = 0.01
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    parameters = {"max_new_tokens": 120, "ignore_eos_token": True}
    replace_editor_text(page, json.dumps({"inputs": "Tell me", "parameters": parameters, "stream": True}))
    page.wait_for_timeout(1000)  # the editor's own rerun is over before the watch starts
    for number in range(1, 4):  # the later ones are drawn where no card was, older cards staying put
        page.evaluate(_WATCH_JS)
        send(page)
        expect(cards(page)).to_have_count(number)
        card = newest_card(page)
        wait_for_status(card, "success", timeout=60)
        watch = page.evaluate("() => { const { observer, ...w } = window.__watch; return w; }")
        assert watch["maxCopies"] == 1, watch  # never a stale copy beside the fresh one
        assert watch["staleSeen"] == 0, watch  # no faded part at any moment
        assert watch["shrank"] == 0 and watch["longest"] > 100, watch  # it never lost its text on the way
        assert watch["foreign"] == [], watch  # no card ever showed a part of another


def test_a_pending_cards_execution_length_counts_up_in_the_browser(page: Page, server: LocalEndpoints):
    server.inject_fault("demo-text-classifier", delay_ms=2500)
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    send(page)
    card = newest_card(page)
    execution = card.locator("td").nth(2)  # Request type | Status | Execution Length | ...
    expect(execution).to_have_text(re.compile(r"^[\d,]+ …$"))
    first = fields(card)["Execution Length (ms)"]
    page.wait_for_timeout(600)
    second = fields(card)["Execution Length (ms)"]
    assert first.endswith("…") and second.endswith("…"), (first, second)
    assert int(second.rstrip(" …").replace(",", "")) > int(first.rstrip(" …").replace(",", ""))
    assert fields(card)["Request Time"] == "just now"
    wait_for_status(card, "success")
    assert not fields(card)["Execution Length (ms)"].endswith("…")


def test_a_request_still_ends_and_is_saved_once_when_its_tab_is_closed(
    browser: Browser, app_url: str, app_history: Path, server: LocalEndpoints
):
    history = History(app_history)
    before = history.count()
    server.inject_fault("demo-text-classifier", delay_ms=1500)
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    try:
        tab = context.new_page()
        tab.goto(app_url)
        pick_endpoint(tab, "demo-text-classifier")
        wait_for_editor_json(tab, "value.features")
        replace_editor_text(tab, '{"features": ["saved with the tab closed"]}')
        send(tab)
        expect(status_of(newest_card(tab), "pending")).to_have_count(1)
    finally:
        context.close()  # the tab goes while the model still works
    deadline = time.monotonic() + 30
    while history.count() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert history.count() == before + 1
    [entry] = history.list(limit=1)
    assert entry.request.body == b'{"features": ["saved with the tab closed"]}', entry.request.body
    assert entry.status.value == "Success"


# Watches, frame by frame (what is painted) from the click on, the browser's own Pending card and the
# server's cards: whether both were ever on screen at once (a doubled card).
_INSTANT_JS = """() => {
  const w = (window.__instant = { both: 0, seen: false, cards: 0 });
  const before = document.querySelectorAll('[class*="st-key-result-card-"]').length;
  const frame = () => {
    const instant = document.querySelector(".smti-instant-card");
    const cards = document.querySelectorAll('[class*="st-key-result-card-"]').length;
    if (instant) w.seen = true;
    if (instant && cards > before) w.both += 1;
    w.cards = cards - before;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def test_a_pending_card_shows_at_the_click_and_gives_way_to_the_real_one(page: Page, server: LocalEndpoints):
    server.inject_fault("demo-text-classifier", delay_ms=1500)
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    page.wait_for_timeout(500)
    page.evaluate(_INSTANT_JS)
    send(page)
    card = newest_card(page)
    expect(status_of(card, "pending")).to_have_count(1)
    wait_for_status(card, "success")
    watch = page.evaluate("() => window.__instant")
    assert watch["seen"], "no Pending card was drawn at the click"
    assert watch["both"] == 0 and watch["cards"] == 1, watch  # replaced, never doubled
    expect(page.locator(".smti-instant-card")).to_have_count(0)


def test_no_pending_card_is_drawn_for_a_request_that_is_not_sent(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    replace_editor_text(page, '{"features": [1,]}')  # invalid JSON: refused next to the editor
    page.wait_for_timeout(800)
    page.evaluate(_INSTANT_JS)
    send(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("Invalid JSON at line 1")
    assert page.evaluate("() => window.__instant.seen") is False
    assert invocations(server) == []
