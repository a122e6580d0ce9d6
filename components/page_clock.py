"""Times that move on by themselves in the browser: "just now" → "2 minutes ago", and a Pending card's
running Execution Length. No server timer and no rerun: a page with only finished cards costs the server
nothing.

Python writes a span carrying the moment (epoch milliseconds) and the text for now; one small script of ours
(never any model text) rewrites that text in place as time passes. The app binds 127.0.0.1, so the browser
and the server share one clock.
"""

from __future__ import annotations

import html
from datetime import datetime

import streamlit as st

from components import relative_time
from components.safe_text import TrustedHtml

SCRIPT = """
<script>
(function () {
  if (window.__smtiClock) return;
  const UNITS = [[86400, "day"], [3600, "hour"], [60, "minute"]];
  function ago(seconds) {
    if (seconds < 45) return "just now";
    for (const [size, unit] of UNITS) {
      if (seconds >= size * 0.75 || unit === "minute") {
        const count = Math.max(1, Math.round(seconds / size));
        return count + " " + unit + (count === 1 ? "" : "s") + " ago";
      }
    }
    return "just now";
  }
  function put(element, text) {
    // Change the text node React made, in place: React's own later updates then still land on it.
    const node = element.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE) {
      if (node.nodeValue !== text) node.nodeValue = text;
    } else if (element.textContent !== text) {
      element.textContent = text;
    }
  }
  function tick() {
    const now = Date.now();
    for (const element of document.querySelectorAll("[data-smti-ago]")) {
      put(element, ago((now - Number(element.dataset.smtiAgo)) / 1000));
    }
    for (const element of document.querySelectorAll("[data-smti-elapsed]")) {
      const ms = Math.max(0, now - Number(element.dataset.smtiElapsed));
      put(element, Math.round(ms).toLocaleString("en-US") + " …");
    }
  }
  window.__smtiClock = setInterval(tick, 200);
})();
</script>
"""


def install() -> None:
    """Start the page's clock (once per browser tab; drawing it again changes nothing)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)


def _epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def ago(moment: datetime) -> TrustedHtml:
    """How long ago `moment` was, kept current by the clock."""
    return TrustedHtml(
        f'<span data-smti-ago="{_epoch_ms(moment)}">{html.escape(relative_time.describe(moment))}</span>'
    )


def elapsed_since(moment: datetime, shown_ms: float) -> TrustedHtml:
    """The milliseconds since `moment` (now `shown_ms`), counting up while the request runs."""
    return TrustedHtml(f'<span data-smti-elapsed="{_epoch_ms(moment)}">{shown_ms:,.0f} …</span>')
