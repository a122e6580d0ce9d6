"""The app's few style touches: a spinning Pending badge and tidy cards. Our own CSS only, no model text."""

from __future__ import annotations

import streamlit as st

from components import page_clock

_CSS = """
<style>
@keyframes smti-spin { from { transform: rotate(0deg); } to { transform: rotate(360deg); } }
[class*="st-key-status-pending-"] [data-testid="stIconMaterial"] { animation: smti-spin 1s linear infinite; }
/* Rows of fields in a card: compact tables, labels muted, values in monospace. */
[class*="st-key-result-card-"] table { font-size: 0.875rem; margin-bottom: 0.25rem; width: 100%; }
[class*="st-key-result-card-"] th {
  font-weight: 400; opacity: 0.65; border: none; padding: 0.1rem 0.5rem 0 0;
}
[class*="st-key-result-card-"] td {
  font-family: "Source Code Pro", monospace; border: none; padding: 0 0.5rem 0.2rem 0;
  overflow-wrap: break-word;
}
[class*="st-key-result-card-"] tr { border: none; background: transparent !important; }
[class*="st-key-result-card-"] th { white-space: nowrap; }
/* A chunked text (components.live_text): its st.code pieces flow as one text, without gaps, and look
   like the st.code block the finished card shows (same font, background, padding), so the end of a stream
   changes nothing the eye notices. The box grows with its text up to its height, then scrolls. */
[class*="st-key-chunked-"], div:has(> [class*="st-key-chunked-"]) {
  height: auto !important; max-height: 360px; flex: 0 1 auto !important;
}
[class*="st-key-chunked-"] {
  display: block; gap: 0; background: rgb(252, 252, 251); border-radius: 0.5rem; padding: 1rem;
}
[class*="st-key-chunked-"] :is([data-testid="stElementContainer"], [data-testid="stCode"], pre, pre > div,
    code) {
  display: inline; width: auto; padding: 0; margin: 0; border: 0; background: transparent;
}
[class*="st-key-chunked-"] code { font-size: 0.875rem; line-height: 1.6; white-space: pre-wrap; }
[class*="st-key-chunked-"] button { display: none; }  /* one copy button per chunk would be noise */
/* While a run follows live cards (components.live_card), what the run before drew and this one did not is
   a leftover: hide it instead of leaving it faded on screen until the stream ends. */
body:has([data-stale="false"] .smti-following) [data-testid="stElementContainer"][data-stale="true"] {
  display: none;
}
.st-key-smti-clock { display: none; }
/* Less empty space above the title: the editor and the first card fit on one screen. */
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>
"""


def apply() -> None:
    """Inject the stylesheet (a style-only st.html adds no visible element) and start the page's clock."""
    st.html(_CSS)
    with st.container(key="smti-clock"):
        page_clock.install()
