"""Streamlit's own floor: what the smallest Streamlit app costs on this machine, in the same bench run.

A page figure of the app includes what Streamlit itself needs to boot a page and to apply a run in the
browser. The floor app has a title, a button and a code block that shows how often the button was pressed;
it is served by the same `streamlit run` flags as the app (tests/support/real_app.py) and opened in the same
Chromium, so "app minus floor" is what the app's own page adds.

  page load: a brand-new context, navigation start -> the button in the DOM and not stale (stamped by an
             init script's MutationObserver on the top document's clock, as bench/_frames.js stamps the
             app's frames: Playwright's round trips stay outside the figure);
  click:     a warm tab (idle first), click -> the code block shows the new count (a capture listener and a
             MutationObserver on the browser's clock, as bench/_probe.js measures the app's cards).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _app import streamlit_process  # _app puts the repository on sys.path

FLOOR_APP = """\
import streamlit as st

st.title("Floor")
if st.button("Press"):
    st.session_state.presses = st.session_state.get("presses", 0) + 1
st.code(f"pressed {st.session_state.get('presses', 0)} times")
"""

# Stamps, from the document's start, the first mutation at which the floor app's button is drawn (not stale).
_LOAD_JS = """(() => {
  if (window !== window.top) return;
  const drawn = () => [...document.querySelectorAll('[data-testid="stButton"] button')]
    .some((el) => !el.closest('[data-stale="true"]') && el.textContent.includes("Press"));
  const observer = new MutationObserver(() => {
    if (!window.__floorShown && drawn()) { window.__floorShown = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();"""

# Stamps the click (capture phase, before Streamlit's own handler) and the first mutation at which a code
# block that is not stale shows `want`; the result lands in window.__floor.
_ARM_JS = """(want) => {
  window.__floor = null;
  let clicked = null;
  document.addEventListener("click", () => { clicked = performance.now(); }, { capture: true, once: true });
  const shows = () => [...document.querySelectorAll('[data-testid="stCode"]')]
    .some((el) => !el.closest('[data-stale="true"]') && el.textContent.includes(want));
  const observer = new MutationObserver(() => {
    if (clicked !== null && shows()) { window.__floor = performance.now() - clicked; observer.disconnect(); }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


@contextlib.contextmanager
def floor_app() -> Iterator[str]:
    """Serve the floor app; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        app_dir = Path(folder)
        (app_dir / "app.py").write_text(FLOOR_APP)
        # The floor app reads neither a local server's URL nor a history file: both are placeholders.
        with streamlit_process("http://127.0.0.1:9", app_dir / "unused.sqlite3", app_dir) as (url, _process):
            yield url


def page_load_ms(browser: Any, url: str, context: Any = None) -> float:
    """A new tab of the floor app: navigation start -> its button drawn, in ms. In a brand-new browser
    context (nothing cached), or in `context` (made by `warm_context`: a browser that opened it before)."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1500, "height": 1300})
        context.add_init_script(_LOAD_JS)
    page = context.new_page()
    try:
        page.goto(url)
        handle = page.wait_for_function("() => window.__floorShown", timeout=60_000, polling=50)
        return float(handle.json_value())
    finally:
        page.close()
        if own:
            context.close()


def warm_context(browser: Any, url: str) -> Any:
    """A browser context that has opened the floor app once (its HTTP cache holds the app's files)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    context.add_init_script(_LOAD_JS)
    page_load_ms(browser, url, context)
    return context


class FloorTab:
    """A warm tab of the floor app; `click_ms()` presses the button once and times the run's answer."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1500, "height": 1300})
        self.page = self.context.new_page()
        self.page.goto(url)
        self.button = self.page.get_by_role("button", name="Press")
        self.button.wait_for(timeout=60_000)
        self.presses = 0

    def click_ms(self, idle_s: float) -> float:
        self.page.wait_for_timeout(idle_s * 1000)
        self.presses += 1
        self.page.evaluate(_ARM_JS, f"pressed {self.presses} times")
        self.button.click()
        handle = self.page.wait_for_function("() => window.__floor", timeout=30_000, polling=50)
        return float(handle.json_value())

    def close(self) -> None:
        self.context.close()
