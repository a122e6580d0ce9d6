"""The local server's own record of a request, shown on a local endpoint's failed card instead of a
CloudWatch console it does not have: what arrived (operation, headers, body) and what was answered.

The page's server asks the local server for it (`GET /_local/requests/{request id}`): a link would not do,
as the local server refuses requests a browser page sends from another origin. Drawn in a dialog, so a card
costs nothing until the record is asked for.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

import streamlit as st

from components.safe_text import escape_markdown

FETCH_TIMEOUT_S = 2.0
SHOWN_BODY_BYTES = 4096


def record_button(local_url: str, request_id: str, *, key: str) -> None:
    if st.button(
        "Show the local server's record",
        key=f"local-record-{key}",
        icon=":material/receipt_long:",
        help="What the built-in server received for this request and what it answered",
    ):
        _dialog(local_url, request_id)


@st.dialog("The local server's record", width="large")
def _dialog(local_url: str, request_id: str) -> None:
    record = fetch(local_url, request_id)
    if isinstance(record, str):
        st.caption(escape_markdown(record))  # our own sentence, escaped all the same
        return
    body = base64.b64decode(record.get("body_base64") or "")
    rows = {
        "Request ID": request_id,
        "Operation": record.get("operation"),
        "Endpoint": record.get("endpoint_name"),
        "Received": record.get("received_at"),
        "Answer status": record.get("status"),
        "Body size (bytes)": len(body),
    }
    st.dataframe([{"Field": k, "Value": str(v)} for k, v in rows.items()], hide_index=True)
    headers = record.get("headers") or {}
    st.caption("Headers (signatures left out)")
    shown = {k: v for k, v in headers.items() if k.startswith(("x-amzn-", "content-type", "accept"))}
    st.code(json.dumps(shown, indent=2), language="json")
    st.caption(f"Body (the first {SHOWN_BODY_BYTES:,} bytes)" if len(body) > SHOWN_BODY_BYTES else "Body")
    st.code(body[:SHOWN_BODY_BYTES].decode("utf-8", "replace"), language=None, wrap_lines=True)


def fetch(local_url: str, request_id: str) -> dict[str, Any] | str:
    """The record, or why it cannot be shown (a sentence)."""
    address = f"{local_url.rstrip('/')}/_local/requests/{quote(request_id, safe='')}"
    try:
        with urllib.request.urlopen(address, timeout=FETCH_TIMEOUT_S) as response:
            record = json.loads(response.read())
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            return "The local server no longer has this request (its log keeps the newest 2,000)."
        return f"The local server answered HTTP {error.code}."
    except (OSError, ValueError):
        return "The local server could not be reached (it may have been restarted)."
    return record if isinstance(record, dict) else "The local server's answer was not a record."
