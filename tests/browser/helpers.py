"""What a user does on the Test inference page, in Playwright terms (selectors from the UI's author).

Every wait is one of Playwright's auto-waiting `expect(...)` calls or a `wait_for_function` on the page's own
state: no sleeps.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from playwright.sync_api import FrameLocator, Locator, Page, expect

from local_endpoints import LocalEndpoints
from local_endpoints.request_log import RecordedRequest

# Only elements of the current run: during a rerun a replaced element can linger for a moment, marked stale.
_CURRENT = '[data-testid="stElementContainer"][data-stale="false"]'
ACE_IFRAME = f'.st-key-request-editor {_CURRENT} iframe[title="streamlit_ace.streamlit_ace"]'
ACTIONS_IFRAME = f'{_CURRENT} iframe[title="components.request_actions.request_actions"]'
CARDS = '[class*="st-key-result-card-"]'


def invocations(server: LocalEndpoints) -> list[RecordedRequest]:
    """Requests that reached a runtime path (InvokeEndpoint or its streaming form), oldest first."""
    return [r for r in server.requests() if r.operation.startswith("InvokeEndpoint")]


# -- a tab of the app ----------------------------------------------------------------------------------


@contextlib.contextmanager
def checked_tab(browser, url: str, height: int = 1300) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh browser tab (its own context) at `url`. When the test ends: no traceback anywhere, and
    nothing the page itself logged as an error (a failing script, a component that did not load, a blocked
    resource)."""
    context = browser.new_context(viewport={"width": 1500, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    tab.on("console", lambda message: _note_console_error(message, problems))
    tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    tab.goto(url)
    yield tab
    try:
        tracebacks = tab.get_by_test_id("stException")
        assert tracebacks.count() == 0, "a traceback is shown: " + " | ".join(tracebacks.all_inner_texts())
        assert not problems, f"the page logged errors: {problems}"
    finally:
        context.close()


def _note_console_error(message, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    url = message.location.get("url", "")
    # Opened at a page's own address (/chat), Streamlit's frontend first looks for its server under that
    # path (/chat/_stcore/health): two 404s of its own before it finds it at the root.
    if message.type == "error" and "/_stcore/" not in url:
        problems.append(f"{message.text} ({url})")


# -- the endpoint picker ----------------------------------------------------------------------------------


def endpoint_picker(page: Page) -> Locator:
    # By its key, not its place: while a fresh page is still mounting, the first selectbox on it may be
    # another one (the saved requests).
    return page.get_by_test_id("stMain").locator(
        '[class*="st-key-endpoint-choice-"] [data-testid="stSelectbox"]'
    )


def pick_endpoint(page: Page, name: str) -> None:
    """Type the endpoint's name into the searchable picker and take the match."""
    picker = endpoint_picker(page)
    picker.locator("input").fill(name)
    option = page.get_by_role("option", name=f"{name} · ", exact=False).first
    expect(option).to_be_visible()
    page.keyboard.press("Enter")
    expect(picker.locator("input")).to_have_value(re.compile(rf"^{re.escape(name)} · "))


# -- the Ace editor ---------------------------------------------------------------------------------------


def editor(page: Page) -> FrameLocator:
    return page.frame_locator(ACE_IFRAME)


def editor_text(page: Page) -> str:
    """The text Ace holds right now (what the user sees)."""
    return str(editor(page).locator(".ace_editor").evaluate("element => element.env.editor.getValue()"))


# The editor's text from the page itself, for waits that poll in the browser (a new sample arrives in a fresh
# editor iframe, so the frame is looked up again on every poll).
_EDITOR_VALUE_JS = """(selector) => {
    const frame = document.querySelector(selector);
    const element = frame && frame.contentDocument && frame.contentDocument.querySelector(".ace_editor");
    return element && element.env ? element.env.editor.getValue() : null;
}"""


def wait_for_editor_text(page: Page, expected: str, timeout: float = 20.0) -> None:
    """Wait until the editor shows exactly `expected`."""
    page.wait_for_function(
        f"([selector, expected]) => ({_EDITOR_VALUE_JS})(selector) === expected",
        arg=[ACE_IFRAME, expected],
        timeout=timeout * 1000,
    ).dispose()


def wait_for_editor_json(page: Page, predicate_js: str, timeout: float = 20.0) -> Any:
    """Wait until the editor's text is JSON satisfying `predicate_js` (a JS expression over `value`)."""
    page.wait_for_function(
        f"""(selector) => {{
            let value;
            try {{ value = JSON.parse(({_EDITOR_VALUE_JS})(selector)); }} catch (e) {{ return false; }}
            return value !== null && typeof value === "object" && Boolean({predicate_js});
        }}""",
        arg=ACE_IFRAME,
        timeout=timeout * 1000,
    ).dispose()
    return json.loads(editor_text(page))


def wait_for_editor_match(page: Page, pattern_js: str, timeout: float = 20.0) -> None:
    """Wait until the editor's text matches the JS regular expression `pattern_js` (e.g. "/^5\\.1,/")."""
    page.wait_for_function(
        f"(selector) => {pattern_js}.test(({_EDITOR_VALUE_JS})(selector) || '')",
        arg=ACE_IFRAME,
        timeout=timeout * 1000,
    ).dispose()


def replace_editor_text(page: Page, text: str) -> None:
    """Select all the editor's text and put `text` in its place, as a paste would (exact, no auto-close)."""
    editor(page).locator(".ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


# -- Send Request / Format / Reset --------------------------------------------------------------------------


def actions(page: Page) -> FrameLocator:
    return page.frame_locator(ACTIONS_IFRAME)


def send_button(page: Page) -> Locator:
    return actions(page).get_by_test_id("smti-send")


def send(page: Page) -> None:
    """Click Send Request at once (Playwright still waits for it to be enabled)."""
    send_button(page).click()


# -- result cards ----------------------------------------------------------------------------------------


def cards(page: Page) -> Locator:
    return page.locator(CARDS)


def newest_card(page: Page) -> Locator:
    """The card on top of the stack: the last one in the page (the stack is drawn oldest first and shown
    reversed, components.card_stack)."""
    return cards(page).last


def status_of(card: Locator, status: str) -> Locator:
    """The card's status hook for `status` ("pending", "success", "failed", "stopped")."""
    return card.locator(f'[class*="st-key-status-{status}-"]')


def wait_for_status(card: Locator, status: str, timeout: float = 20.0) -> None:
    """Wait until the card shows `status` in its badge and in its Status field, fully drawn (a finishing card
    is redrawn once more by a whole-page run: nothing of it may still be stale)."""
    try:
        expect(status_of(card, status)).to_have_count(1, timeout=timeout * 1000)
    except AssertionError as missing:  # say what the card shows instead: a flake is then a finding
        shown = card.inner_text(timeout=1000) if card.count() else "(no card)"
        raise AssertionError(f"no {status} card; the newest card shows: {shown[:1500]!r}") from missing
    expect(card.locator("table").first.locator("td").nth(1)).to_have_text(status.capitalize())
    if status != "pending":
        # The card's elements arrive one by one; the run that draws the finished card must be over.
        wait_for_idle(card.page)
    expect(card.locator('[data-stale="true"]')).to_have_count(0)


def fields(card: Locator) -> dict[str, str]:
    """Every labelled value of the card's field tables: {"Status": "Success", ...}. A table whose header
    row is empty (the response details) holds label | value rows."""
    found: dict[str, str] = {}
    for table in card.locator("table").all():
        headers = [h.strip() for h in table.locator("th").all_inner_texts()]
        values = [v.strip() for v in table.locator("td").all_inner_texts()]
        if headers and not any(headers):
            found.update(zip(values[::2], values[1::2], strict=False))
        else:
            found.update(zip(headers, values, strict=False))
    return found


# The output text of a card as a reader sees it: the live text box while a stream runs (and for very long
# answers), else the output's code block; only elements of the current run count.
_OUTPUT_TEXT_JS = """(card) => {
    if (!card) return null;
    const fresh = (element) => !element.closest('[data-stale="true"]');
    const box = [...card.querySelectorAll('[class*="st-key-chunked-"]')].find(fresh);
    if (box) return box.textContent;
    const code = [...card.querySelectorAll('[data-testid="stCode"] code')].find(fresh);
    return code ? code.textContent : "";
}"""


def output_text(card: Locator) -> str:
    """The card's output text: a stream's text so far, or the output block of a finished card."""
    return str(card.evaluate(_OUTPUT_TEXT_JS))


def wait_for_newest_output_longer_than(page: Page, length: int, timeout: float = 20.0) -> None:
    """Wait until the newest card's output holds more than `length` characters (looked up afresh on every
    poll: the end of a stream replaces the element)."""
    page.wait_for_function(
        f"(length) => {{ const text = ({_OUTPUT_TEXT_JS})([...document.querySelectorAll('{CARDS}')].pop());"
        " return text !== null && text.length > length; }",
        arg=length,
        timeout=timeout * 1000,
    ).dispose()


def card_output(card: Locator) -> Locator:
    """The card's first code block: the output of a finished card."""
    return card.get_by_test_id("stCode").first


def code_text(block: Locator) -> str:
    """A code block's text as the user reads it (without line wrapping artefacts)."""
    return str(block.locator("code").evaluate("element => element.textContent"))


def wait_until_still(page: Page, selector: str, still_ms: int = 300, timeout: float = 20.0) -> None:
    """Wait until the element `selector` has kept its place and size for `still_ms`: after a fold or an
    unfold the page moves for a moment, and a click aimed at a button's old place lands elsewhere."""
    page.wait_for_function(
        """([selector, stillMs]) => {
            const el = document.querySelector(selector);
            if (!el) return false;
            const r = el.getBoundingClientRect(), now = performance.now();
            const key = [r.x, r.y, r.width, r.height].join(",");
            const w = (window.__still = window.__still || {});
            if (w[selector] === undefined || w[selector].key !== key) w[selector] = { key, since: now };
            return now - w[selector].since >= stillMs;
        }""",
        arg=[selector, still_ms],
        timeout=timeout * 1000,
        polling="raf",
    ).dispose()


def wait_for_idle(page: Page) -> None:
    """Wait until no script run is going on (Streamlit marks its root with the script state)."""
    # A click is sent to the server asynchronously: first let its run start (or finish), then wait it out.
    page.wait_for_timeout(0)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


# -- a slow Streamlit path, on demand ---------------------------------------------------------------------

# Wraps the page's WebSocket so that what Streamlit's server sends can be held back in the browser, in order,
# for `window.__streamlitHoldMs` (0: delivered at once, as without the wrapper). Streamlit listens with
# addEventListener("message"). What goes from the page to the server (a click) is never held.
_HOLD_JS = """(() => {
  const Native = window.WebSocket;
  window.__streamlitHoldMs = 0;
  window.WebSocket = class extends Native {
    addEventListener(type, listener, options) {
      if (type !== "message" || typeof listener !== "function") {
        return super.addEventListener(type, listener, options);
      }
      let due = 0;
      return super.addEventListener(type, (event) => {
        const hold = window.__streamlitHoldMs, now = performance.now();
        if (!hold && due <= now) return listener.call(this, event);
        due = Math.max(due, now + hold);
        setTimeout(() => listener.call(this, event), due - now);
      }, options);
    }
  };
})();"""


def make_holdable(page: Page) -> None:
    """Streamlit's messages are holdable (`hold_streamlit`) in every page the tab opens from now on."""
    page.add_init_script(_HOLD_JS)


def open_with_holdable_streamlit(page: Page) -> None:
    """Reload the tab with Streamlit's messages holdable (`hold_streamlit`)."""
    make_holdable(page)
    page.reload()
    page.get_by_test_id("stMain").get_by_role("heading", name="Test inference").wait_for()


def hold_streamlit(page: Page, milliseconds: int) -> None:
    """From now on, everything a Streamlit run sends reaches the page `milliseconds` late: the page lags as on
    a loaded machine or a long page, deterministically (the instant card's feed is not held)."""
    page.evaluate("(ms) => { window.__streamlitHoldMs = ms; }", milliseconds)
