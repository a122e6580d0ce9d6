"""What the user set on one page is still there after a visit to another.

Streamlit drops a widget's value at the end of a run that does not draw the widget, so a visit to History
and back reset the endpoint picked (and, with it, reloaded the sample over the edited body), the content
type, the body's kind, the stream switch and the chat's settings. Writing a widget's value back into
session state before the page runs makes it the user's value rather than the widget's, and Streamlit keeps
it (the way its documentation suggests for multipage apps). Only the keys named here are kept: buttons,
uploaders and our own components must not be written (Streamlit refuses to set them).
"""

from __future__ import annotations

import streamlit as st

# Keys ending in "-" are prefixes (one widget per connection, endpoint or body); the others are exact: a
# prefix such as "chat-stop" would also catch the Stop buttons ("chat-stop-1"), which cannot be written.
KEPT = (
    "endpoint-choice-",
    "inference-component-",
    "stream-response-",
    "compare-endpoint-",
    "compare-variant-",
    "compare-component-",
    "endpoint-manual-name",
    "opt-content-type",
    "body-kind",
    "testing-mode",
    "chat-format",
    "chat-template",
    "chat-system",
    "chat-max-new-tokens",
    "chat-temperature",
    "chat-top-p",
    "chat-stop",
    "chat-extra",
    "chat-presenting",
    "latency-mode",
    "latency-requests",
    "latency-duration",
    "latency-concurrency",
    "latency-warmup",
    "history-search",
    "history-endpoint",
    "history-status",
)
_PREFIXES = tuple(key for key in KEPT if key.endswith("-"))
_EXACT = frozenset(key for key in KEPT if not key.endswith("-"))


def keep_widget_values() -> None:
    """Call once per run, before the page runs (app.py)."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and (key in _EXACT or key.startswith(_PREFIXES)):
            st.session_state[key] = st.session_state[key]
