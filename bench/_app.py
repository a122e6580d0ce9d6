"""What the UI benchmarks share: the local server and the app in their own processes, Debian's Chromium, and a
probe in the page that timestamps the click and what the new result card shows.

Every time on the page side is `performance.now()` of the app's top document: the click listener in the
Send Request iframe (same origin) writes the parent's clock, and a MutationObserver in the parent notes the
moment the new card (a card key not on the page before the click) first shows text, Success, or the whole
expected text. Python waits for the probe with bounded timeouts and only reads the numbers afterwards, so
Playwright's own round trips are outside every measurement.

Processes started here (local server, `streamlit run`, Chromium) are stopped by their handles on exit, errors
included.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.connection import Connection, build_clients
from tests.support.real_app import CHROMIUM, CHROMIUM_ARGS, stop, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
EDITOR_FRAME = '.st-key-request-editor iframe[title="streamlit_ace.streamlit_ace"]'
ACTIONS_FRAME = 'iframe[title="components.request_actions.request_actions"]'

# The probe (JavaScript, in the app's top document). arm(expectLen, needText) starts watching for a card that
# is not on the page yet; done once that card shows a final status (Success/Failed/Stopped) and, for Success,
# any streamed text (needText) or at least expectLen characters of it.
_PROBE_JS = """
() => {
  if (window.__bench) return;
  const CARD = '[class*="st-key-result-card-"]';
  const cardKey = (el) => [...el.classList].find((c) => /^st-key-result-card-\\d+$/.test(c));
  const b = (window.__bench = { known: new Set(), t: {}, expectLen: null, done: false, armed: false });
  const newCard = () => {
    for (const el of document.querySelectorAll(CARD)) {
      const key = cardKey(el);
      if (key && !b.known.has(key)) return el;
    }
    return null;
  };
  const streamedText = (card) => {
    const code = card.querySelector('[data-testid="stCode"] code')
      || card.querySelector('[data-testid="stCode"]');
    return code ? code.textContent : "";
  };
  const check = () => {
    if (!b.armed || b.done) return;
    const now = performance.now();
    const card = newCard();
    if (!card) return;
    const t = b.t;
    if (t.card == null) {
      t.card = now;
      b.cardKey = cardKey(card);
    }
    const text = streamedText(card);
    b.length = text.length;
    if (t.firstText == null && text.length > 0) t.firstText = now;
    if (b.expectLen != null && t.full == null && text.length >= b.expectLen) t.full = now;
    for (const status of ["success", "failed", "stopped"]) {
      if (t.final == null && card.querySelector(`[class*="st-key-status-${status}-"]`)) {
        t.final = now;
        b.status = status;
      }
    }
    // Success alone is not the end when text is awaited: Streamlit may draw the status before the text.
    const textSeen = (!b.needText || t.firstText != null) && (b.expectLen == null || t.full != null);
    if (t.final != null && (textSeen || b.status !== "success")) {
      b.done = true;
      b.observer.disconnect();
      requestAnimationFrame(() => { t.frame = performance.now(); });
    }
  };
  b.observer = new MutationObserver(check);
  b.arm = (expectLen, needText) => {
    b.known = new Set([...document.querySelectorAll(CARD)].map(cardKey));
    b.t = {};
    b.expectLen = expectLen;
    b.needText = needText;
    b.cardKey = null;
    b.done = false;
    b.status = null;
    b.length = 0;
    b.armed = true;
    const all = { subtree: true, childList: true, characterData: true, attributes: true };
    b.observer.observe(document.body, all);
  };
  b.clicked = () => { if (b.armed && b.t.click == null) b.t.click = performance.now(); };
}
"""
# Capture phase on the iframe's document: runs before the button's own click handler.
_CLICK_JS = """
() => {
  if (document.__benchClick) return;
  document.__benchClick = true;
  document.addEventListener("click", (e) => {
    if (e.target && e.target.id === "send") window.parent.__bench.clicked();
  }, true);
}
"""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def describe(label: str, values: list[float]) -> str:
    """`label  median … ms  p90 … ms  n …` for a list of milliseconds."""
    median = statistics.median(values)
    return f"{label:<36} median {median:8.1f} ms   p90 {p90(values):8.1f} ms   n {len(values)}"


@contextlib.contextmanager
def local_server(token_delay: float) -> Iterator[str]:
    """`python -m local_endpoints` on a free port, in its own process (as a real endpoint would be: in the
    benchmark process its threads would compete with the boto3 baseline for the GIL). Yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "local_endpoints", "--port", "0", "--token-delay", str(token_delay)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            raise SystemExit(f"the local server did not start: {line!r}")
        yield line.rsplit("listening on ", 1)[1].split()[0]
    finally:
        stop(process)


def print_verdict(page: list[float], raw: list[float], target_ms: float) -> int:
    """The closing lines of a latency benchmark: page minus raw baseline against the target; the exit code."""
    overhead = statistics.median(page) - statistics.median(raw)
    ratio = statistics.median(page) / statistics.median(raw)
    pairwise = statistics.median(p - r for p, r in zip(page, raw, strict=True))
    print(f"median(page) - median(raw):           {overhead:8.1f} ms   (ratio {ratio:.1f}x)")
    print(f"median of pairwise differences:       {pairwise:8.1f} ms")
    print(f"load average at end: {load_average()}")
    met = overhead <= target_ms
    print(f"target <= {target_ms:.0f} ms:", "MET" if met else "NOT MET")
    return 0 if met else 1


def runtime_client(server_url: str) -> Any:
    """The boto3 sagemaker-runtime client the app itself would build for this server (the raw baseline)."""
    return build_clients(Connection(kind="local", region="us-east-1", local_url=server_url)).runtime


@dataclass(frozen=True)
class PageTimes:
    """One Send Request, in ms after the click (None: not seen). `status` is the card's final status."""

    card: float | None
    first_text: float | None
    final: float | None
    full: float | None
    frame: float | None
    status: str | None
    length: int


class AppPage:
    """The Test inference page in a tab, with the probe installed."""

    def __init__(self, page: Any) -> None:
        self.page = page
        page.evaluate(_PROBE_JS)

    def settle(self, seconds: float = 1.0) -> None:
        """Let pending reruns (a pick, Ace's auto-update after typing) finish before a measurement."""
        self.page.wait_for_timeout(seconds * 1000)

    def pick_endpoint(self, name: str) -> None:
        picker = self.page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
        picker.click()
        self.page.keyboard.type(name)
        self.page.keyboard.press("Enter")
        self.settle(1.5)
        chosen = picker.locator("input").input_value()
        if not chosen.startswith(name):
            raise SystemExit(f"the endpoint picker shows {chosen!r}, not {name}")

    def set_editor(self, text: str) -> None:
        content = self.page.frame_locator(EDITOR_FRAME).locator(".ace_content")
        content.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)
        self.settle(1.5)  # Ace's auto-update reaches Python (the stream switch follows the body's flag)
        shown = self._frame(EDITOR_FRAME).evaluate(
            "() => document.querySelector('.ace_editor').env.editor.getValue()"
        )
        if shown != text:
            raise SystemExit(f"the editor does not hold the request: {shown!r}")

    def stream_switch_on(self) -> bool:
        return bool(self.page.get_by_role("switch", name="Stream response").is_checked())

    def clear_results(self) -> None:
        button = self.page.locator(".st-key-clear-results button")
        if button.count():
            button.click()
            self.page.locator(".st-key-no-results").wait_for(timeout=20_000)
            self.settle(0.3)

    def _frame(self, selector: str) -> Any:
        frame = self.page.locator(selector).element_handle().content_frame()
        if frame is None:
            raise SystemExit(f"no frame for {selector}")
        return frame

    def send(
        self, *, need_text: bool = False, expect_len: int | None = None, timeout_s: float = 30.0
    ) -> PageTimes:
        """Click Send Request and wait until the new card is final (and, on Success, shows text when
        `need_text`, and at least `expect_len` characters when given)."""
        self._frame(ACTIONS_FRAME).evaluate(_CLICK_JS)
        self.page.evaluate("([n, text]) => window.__bench.arm(n, text)", [expect_len, need_text])
        self.page.frame_locator(ACTIONS_FRAME).locator("#send").click()
        try:
            self.page.wait_for_function("() => window.__bench.done", timeout=timeout_s * 1000, polling=50)
            self.page.wait_for_function("() => window.__bench.t.frame != null", timeout=5000, polling=20)
        except Exception as exc:
            state = self.page.evaluate("() => ({t: window.__bench.t, length: window.__bench.length})")
            raise SystemExit(f"the card did not finish in {timeout_s} s: {state}") from exc
        state = self.page.evaluate(
            "() => ({t: window.__bench.t, status: window.__bench.status, length: window.__bench.length})"
        )
        times = state["t"]
        click = times.get("click")
        if click is None:
            raise SystemExit("the click on Send Request was not seen by the probe")

        def after_click(name: str) -> float | None:
            value = times.get(name)
            return None if value is None else float(value) - float(click)

        return PageTimes(
            card=after_click("card"),
            first_text=after_click("firstText"),
            final=after_click("final"),
            full=after_click("full"),
            frame=after_click("frame"),
            status=state["status"],
            length=int(state["length"]),
        )

    def card_field(self, label: str) -> str:
        """The value under `label` in the measured card's field tables (e.g. "Tokens")."""
        return str(
            self.page.evaluate(
                """(label) => {
                  const card = document.querySelector("." + window.__bench.cardKey);
                  if (!card) return "";
                  for (const table of card.querySelectorAll("table")) {
                    const heads = [...table.querySelectorAll("th")].map((th) => th.textContent.trim());
                    const index = heads.indexOf(label);
                    if (index >= 0) return table.querySelectorAll("td")[index].textContent.trim();
                  }
                  return "";
                }""",
                label,
            )
        )

    def card_text(self) -> str:
        """The streamed text shown in the measured card."""
        return str(
            self.page.evaluate(
                """() => {
                  const card = document.querySelector("." + window.__bench.cardKey);
                  if (!card) return "";
                  const code = card.querySelector('[data-testid="stCode"] code')
                    || card.querySelector('[data-testid="stCode"]');
                  return code ? code.textContent : "";
                }"""
            )
        )


@contextlib.contextmanager
def app_page(token_delay: float) -> Iterator[tuple[str, AppPage]]:
    """Local server + `streamlit run` + Chromium on the Test inference page: yields (server URL, page)."""
    from playwright.sync_api import sync_playwright

    # SIGTERM (timeout, kill PID) ends the run through the context managers: every child process is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian's chromium is not installed (scripts/test.sh installs it)")
    with (
        local_server(token_delay) as server_url,
        tempfile.TemporaryDirectory(prefix="bench-ui-") as scratch,
        streamlit_app(server_url, Path(scratch) / "history.sqlite3") as app_url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1300})
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(app_url)
            page.get_by_test_id("stMain").wait_for()
            page.frame_locator(ACTIONS_FRAME).locator("#send").wait_for()
            yield server_url, AppPage(page)
        finally:
            browser.close()
