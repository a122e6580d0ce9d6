"""The live path in a real browser: a running request goes on whatever the user does, its card changes once
when it ends, its times move on by themselves, and its result is saved even when nobody watches."""

from __future__ import annotations

import itertools
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
    hold_streamlit,
    invocations,
    newest_card,
    open_with_holdable_streamlit,
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
# server's cards: whether both were ever on screen at once (a doubled card). A card kept hidden (the real
# one, while the instant card still shows more of its text) is not on screen.
_INSTANT_JS = """() => {
  const w = (window.__instant = { both: 0, seen: false, cards: 0 });
  const shown = () => [...document.querySelectorAll('[class*="st-key-result-card-"]')]
    .filter((el) => el.checkVisibility()).length;
  const before = shown();
  const frame = () => {
    const instant = document.querySelector(".smti-instant-card");
    const cards = shown();
    if (instant && instant.checkVisibility()) w.seen = true;
    if (instant && instant.checkVisibility() && cards > before) w.both += 1;
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
    page.evaluate(_ANSWER_JS)
    send(page)
    card = newest_card(page)
    expect(status_of(card, "pending")).to_have_count(1)
    wait_for_status(card, "success")
    watch = page.evaluate("() => window.__instant")
    assert watch["seen"], "no Pending card was drawn at the click"
    assert watch["both"] == 0 and watch["cards"] == 1, watch  # replaced, never doubled
    expect(page.locator(".smti-instant-card")).to_have_count(0)
    # Whichever showed the answer first (the instant card's feed, or the run when it is as quick), it stayed
    # on screen, whole, through the hand-over. Which one wins is a race: bench/bench_ui_output.py times it.
    answer = page.evaluate("() => window.__answer.lengths")
    changes = [step for i, step in enumerate(answer) if i == 0 or step != answer[i - 1]]
    first = next(i for i, (_, length) in enumerate(answer) if length)
    assert _never_goes_back(answer, first), changes


def _never_goes_back(answer: list[list], first: int) -> bool:
    """From the first frame that shows the answer on, every frame shows all of it: the same text, or (once
    the real card has taken over) the JSON answer drawn as a tree (components.output_json), never nothing."""
    return all(
        length == answer[first][1] or (kind == "tree" and length > 0) for kind, length in answer[first:]
    )


def test_an_answer_comes_from_the_feed_when_the_page_lags(page: Page, server: LocalEndpoints):
    # Streamlit's messages held back 600 ms, as on a loaded machine: the instant card shows the answer from
    # its feed, and keeps it until the real card shows as much (the text never goes back).
    server.inject_fault("demo-text-classifier", delay_ms=300)
    open_with_holdable_streamlit(page)
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    page.wait_for_timeout(500)
    hold_streamlit(page, 600)
    card, answer = _send_watched(page)
    changes = [step for i, step in enumerate(answer) if i == 0 or step != answer[i - 1]]
    first = next(i for i, (_, length) in enumerate(answer) if length)
    assert answer[first][0] == "instant", changes
    assert _never_goes_back(answer, first), changes
    shown = re.sub(r"\s+", "", page.evaluate("() => window.__answer.instantText"))
    assert shown == re.sub(r"\s+", "", output_text(card)), (shown, output_text(card))


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


# Watches, frame by frame from the click on, the answer's text as the user can read it: the instant card's
# while it is displayed, else the new card's once displayed (its live text box, or its output block), each
# without whitespace (the two lay text out alike but not byte for byte). Notes where it was read.
_ANSWER_JS = """() => {
  const w = (window.__answer = { lengths: [], instantText: "", instantImages: 0 });
  const shown = (el) => el !== null && el.checkVisibility();
  const squeeze = (text) => text.replace(/\\s+/g, "");
  const all = () => [...document.querySelectorAll('[class*="st-key-result-card-"]')];
  const known = new Set(all());
  const frame = () => {
    const instant = document.querySelector(".smti-instant-card");
    let text = null;
    if (shown(instant)) {
      w.instantImages += instant.querySelectorAll("img, script, iframe").length;
      const out = instant.querySelector(".smti-instant-output");
      text = shown(out) ? out.textContent : "";
      if (text) w.instantText = text;
      w.lengths.push(["instant", squeeze(text).length]);
    } else {
      const real = all().filter((el) => shown(el) && !known.has(el)).pop();  // the new card
      if (real) {
        const fresh = (el) => shown(el) && !el.closest('[data-stale="true"]');
        const box = [...real.querySelectorAll('[class*="st-key-chunked-"]')].find(fresh);
        const code = [...real.querySelectorAll('[data-testid="stCode"] code')].find(fresh);
        const tree = [...real.querySelectorAll('[data-testid="stJson"]')].find(fresh);
        if (!box && !code && tree) w.lengths.push(["tree", squeeze(tree.textContent).length]);
        else {
          text = box ? box.textContent : code ? code.textContent : "";
          w.lengths.push(["card", squeeze(text).length]);
        }
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def _send_watched(page: Page) -> tuple[Locator, list[list]]:
    page.evaluate(_ANSWER_JS)
    send(page)
    card = newest_card(page)
    wait_for_status(card, "success", timeout=30)
    expect(page.locator(".smti-instant-card")).to_have_count(0)
    return card, page.evaluate("() => window.__answer.lengths")


def test_a_streams_first_words_come_from_the_feed_and_the_card_takes_over_without_going_back(
    page: Page, server: LocalEndpoints
):
    # The instant card reads the request's own feed (serve.py): it shows the first tokens before any run of
    # the page can draw them (held back here, so that is so on any machine), and the real card is shown only
    # once it has caught up: the text never goes back and the real card ends displayed.
    server.token_delay = 0.02
    open_with_holdable_streamlit(page)
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    parameters = {"max_new_tokens": 60, "ignore_eos_token": True}
    replace_editor_text(page, json.dumps({"inputs": "Tell me", "parameters": parameters, "stream": True}))
    page.wait_for_timeout(800)
    hold_streamlit(page, 400)
    card, watched = _send_watched(page)
    lengths = [length for _, length in watched]
    first_text = next(i for i, length in enumerate(lengths) if length)
    changes = [step for i, step in enumerate(watched) if i == 0 or step != watched[i - 1]]
    assert watched[first_text][0] == "instant", changes
    assert all(a <= b for a, b in itertools.pairwise(lengths[first_text:])), changes  # never goes back
    assert lengths[-1] == len(re.sub(r"\s+", "", output_text(card)))
    expect(card).to_be_visible()
    instant_text = page.evaluate("() => window.__answer.instantText")
    assert instant_text and output_text(card).startswith(instant_text)


def test_a_failure_reason_in_the_instant_card_is_text(page: Page, server: LocalEndpoints):
    # The endpoint's own error text reaches the instant card through the feed: it is written as text.
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    server.inject_fault("demo-text-classifier", model_error_status=500, model_error_message=hostile)
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    page.wait_for_timeout(800)
    page.evaluate(_ANSWER_JS)
    page.evaluate("""() => { window.__reasons = []; new MutationObserver(() => {
        const card = document.querySelector(".smti-instant-card");
        if (card) window.__reasons.push(card.textContent); })
      .observe(document.body, { subtree: true, childList: true, characterData: true }); }""")
    send(page)
    card = newest_card(page)
    wait_for_status(card, "failed")
    assert any(hostile in text for text in page.evaluate("() => window.__reasons")), "the reason never showed"
    assert page.evaluate("() => window.__answer.instantImages") == 0
    assert page.evaluate("() => window.__pwned === undefined")


def _generator_request(page: Page, tokens: int) -> None:
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    replace_editor_text(page, json.dumps({"inputs": "Tell me", "parameters": parameters, "stream": True}))
    page.wait_for_timeout(800)


def test_a_slow_first_token_comes_from_the_feed_too(page: Page, server: LocalEndpoints):
    # A model that thinks for a second: its card is on the page long before its first token. The instant
    # card keeps showing the wait (the real one hidden), so the first words still come from the feed.
    server.inject_fault("demo-tgi-generator", delay_ms=1000)
    server.token_delay = 0.02
    _generator_request(page, 30)
    _, watched = _send_watched(page)
    first = next(i for i, (_, length) in enumerate(watched) if length)
    changes = [step for i, step in enumerate(watched) if i == 0 or step != watched[i - 1]]
    assert watched[first][0] == "instant", changes
    lengths = [length for _, length in watched[first:]]
    assert all(a <= b for a, b in itertools.pairwise(lengths)), changes


def test_stop_on_the_instant_card_stops_the_stream(page: Page, server: LocalEndpoints):
    # Before the first token the user sees the instant card; its Stop presses the real card's.
    server.inject_fault("demo-tgi-generator", delay_ms=1500)
    server.token_delay = 0.05
    _generator_request(page, 200)
    send(page)
    page.locator(".smti-instant-stop").click()
    card = newest_card(page)
    wait_for_status(card, "stopped", timeout=30)
    expect(card).to_be_visible()
    assert len(output_text(card)) < 200, output_text(card)  # 200 tokens would take 10 s
