"""The app's few style touches: a spinning Pending badge and tidy cards. Our own CSS only, no model text."""

from __future__ import annotations

import streamlit as st

from components import chat_instant, element_preload, page_clock

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
.st-key-smti-page-helpers { display: none; }
/* The Chat page in presentation mode: a conversation a room can read from the back. */
.st-key-chat-stage { max-width: 60rem; margin: 0 auto; }
.st-key-chat-stage [data-testid="stChatMessage"] [data-testid="stMarkdown"] p,
.st-key-chat-stage [data-testid="stChatMessage"] [data-testid="stMarkdown"] li {
  font-size: 1.35rem; line-height: 1.6;
}
/* The chat turn the browser shows at Enter (components.chat_instant), until the run's own arrives. */
.st-key-chat-instant:not(:has(.smti-chat-turn)) { display: none; }
.smti-chat-turn { display: flex; flex-direction: column; gap: 1rem; }
.smti-chat-text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.6; }
.smti-chat-waiting { font-style: italic; }
.smti-chat-own { display: flex; gap: 1rem; padding: 1rem; border-radius: 0.5rem; }
.smti-chat-avatar {
  flex: none; width: 2rem; height: 2rem; border-radius: 0.5rem; background: rgba(9, 114, 211, 0.12);
  font-size: 0.75rem; display: flex; align-items: center; justify-content: center;
}
.smti-chat-stop {
  align-self: flex-start; margin-top: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  background: transparent; padding: 0.2rem 0.75rem; font: inherit; cursor: pointer;
}
.st-key-chat-stage .smti-chat-text { font-size: 1.35rem; }
/* The Pending card the browser shows at the click (request_actions), until the real one arrives: drawn
   like a Streamlit bordered container with a card's header and times row. */
.smti-instant-card {
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px);
  margin-top: 1rem; font-size: 1rem;
}
.smti-instant-head { display: flex; align-items: center; gap: 0.4rem; margin-bottom: 0.75rem; }
.smti-instant-badge {
  display: inline-flex; align-items: center; gap: 0.25rem; padding: 0 0.375rem; border-radius: 0.25rem;
  background: rgba(28, 131, 225, 0.1); color: rgb(0, 104, 201); font-size: 0.875rem; line-height: 1.5;
}
.smti-instant-spinner {
  width: 0.7rem; height: 0.7rem; border: 2px solid currentColor; border-right-color: transparent;
  border-radius: 50%; animation: smti-spin 1s linear infinite;
}
.smti-instant-muted { opacity: 0.6; font-size: 0.875rem; }
.smti-instant-head .smti-instant-muted { font-size: 1rem; }
.smti-instant-card table {
  font-size: 0.875rem; width: 100%; border-collapse: collapse; margin-bottom: 0.25rem;
}
.smti-instant-card th {
  font-weight: 400; opacity: 0.65; text-align: left; padding: 0.1rem 0.5rem 0 0; white-space: nowrap;
}
.smti-instant-card td { font-family: "Source Code Pro", monospace; padding: 0 0.5rem 0.2rem 0; }
/* Its text (components.request_actions): the look of the real card's text box, so the hand-over shows. */
.smti-instant-output {
  margin: 0.5rem 0 0; max-height: 360px; overflow-y: auto; background: rgb(252, 252, 251);
  border-radius: 0.5rem; padding: 1rem; font-family: "Source Code Pro", monospace; font-size: 0.875rem;
  line-height: 1.6; white-space: pre-wrap; overflow-wrap: break-word;
}
.smti-instant-stop {
  margin-left: auto; font: inherit; font-size: 0.875rem; padding: 0.125rem 0.75rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: white; color: inherit;
}
.smti-instant-stop:hover { border-color: #0972d3; color: #0972d3; }
.smti-instant-badge[data-status="success"] { background: rgba(33, 195, 84, 0.1); color: rgb(21, 130, 55); }
.smti-instant-badge[data-status="failed"] { background: rgba(255, 43, 43, 0.09); color: rgb(125, 53, 59); }
.st-key-smti-instant:not(:has(.smti-instant-card)) { display: none; }
/* The cards are drawn oldest first (components.card_stack says why) and shown newest first. */
.st-key-smti-cards { flex-direction: column-reverse; }
body:has(.smti-instant-card) .st-key-no-results { display: none; }
/* Less empty space above the title: the editor and the first card fit on one screen. */
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.25rem; padding-top: 0.5rem; }
/* A card's response details (result_card._details): label | value rows, ids on one line, selectable whole;
   the box scrolls sideways when an id is wider than the card. */
.smti-details { overflow-x: auto; }
.smti-details thead { display: none; }
[class*="st-key-result-card-"] .smti-details table { width: auto; margin-bottom: 0; }
[class*="st-key-result-card-"] .smti-details td {
  white-space: nowrap; overflow-wrap: normal; padding-right: 1rem;
}
[class*="st-key-result-card-"] .smti-details td:first-child { font-family: inherit; opacity: 0.65; }
/* An output's views (components.output_json): only the pane picked in its segmented control shows. */
[class*="st-key-view-"] > [data-testid="stLayoutWrapper"]:has(> [class*="st-key-pane-"]) { display: none; }
[class*="st-key-view-tree-"] > [data-testid="stLayoutWrapper"]:has(> [class*="st-key-pane-tree-"]),
[class*="st-key-view-raw-"] > [data-testid="stLayoutWrapper"]:has(> [class*="st-key-pane-raw-"]),
[class*="st-key-view-summary-"] > [data-testid="stLayoutWrapper"]:has(> [class*="st-key-pane-summary-"]) {
  display: flex;
}
/* A JSON tree scrolls inside the card instead of making it a page long. */
[class*="st-key-result-card-"] [data-testid="stJson"] { max-height: 420px; overflow: auto; }
[class*="st-key-result-card-"] [data-testid="stJson"] .variable-row,
[class*="st-key-result-card-"] [data-testid="stJson"] .object-key-val {
  padding-top: 1px !important; padding-bottom: 1px !important;  /* its rows closer: more of it shows */
}
</style>
"""


def apply() -> None:
    """Inject the stylesheet (a style-only st.html adds no visible element), start the page's clock, and
    have the browser load the code of a result card's code block once the page is usable."""
    st.html(_CSS)
    with st.container(key="smti-page-helpers"):
        page_clock.install()
        element_preload.install()
        chat_instant.install()
