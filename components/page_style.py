"""The app's few style touches: a spinning Pending badge and tidy cards. Our own CSS only, no model text."""

from __future__ import annotations

import streamlit as st

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
/* Less empty space above the title: the editor and the first card fit on one screen. */
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>
"""


def apply() -> None:
    """Inject the stylesheet (a style-only st.html adds no visible element)."""
    st.html(_CSS)
