"""One result card, in Studio's words: request type, Status, Execution Length, Request/Result Time, output.

Everything that came from the endpoint is inert: outputs and messages go through st.code / st.text, and the
few values shown inside Markdown (endpoint name, variant, request id) are escaped first. A card is drawn with
few elements (a row of fields is one Markdown table): a running card is redrawn many times a second.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import streamlit as st

from components import output_view, relative_time
from components.safe_text import escape_markdown
from services.errors import ModelError, ServiceError, StreamError
from services.results import InvocationResult, Status

_BADGES = {
    Status.SUCCESS: ("green", "check_circle"),
    Status.FAILED: ("red", "error"),
    Status.STOPPED: ("gray", "stop_circle"),
    Status.PENDING: ("blue", "progress_activity"),
}
LIVE_TEXT_HEIGHT = 360
TIMES_REFRESH_S = 20.0


def request_type(content_type: str) -> str:
    """Studio's 'request type': JSON, CSV, Text, or the content type itself."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return "JSON"
    if kind == "text/csv":
        return "CSV"
    if kind.startswith("text/"):
        return "Text"
    return kind or "Binary"


def badge(status: Status) -> str:
    """The Markdown of a status badge (Success green, Failed red, Pending blue, Stopped gray)."""
    color, icon = _BADGES[status]
    return f":{color}-badge[:material/{icon}: {status.value}]"


def status_badge(status: Status, key: str) -> None:
    """A badge on its own; a Pending one spins (the container's key is the CSS hook, see page_style)."""
    with st.container(key=f"status-{status.value.lower()}-{key}", width="content"):
        st.markdown(badge(status))


def fields_table(fields: list[tuple[str, str]], title: str | None = None) -> None:
    """A row of labelled values as one Markdown table (one element, however many fields).

    `title` is shown when the pointer rests on the table (the exact times behind "just now"). st.markdown's
    own `help` is not drawn for a table, so the table is wrapped in a <div title=...>: that div is the only
    HTML, built here from our own text; every value stays Markdown-escaped text.
    """
    header = " | ".join(label for label, _ in fields)
    values = " | ".join(escape_markdown(value) for _, value in fields)
    table = f"| {header} |\n|{'---|' * len(fields)}\n| {values} |"
    if title is None:
        st.markdown(table)
        return
    attribute = html.escape(title, quote=True).replace("\n", "&#10;")
    st.markdown(f'<div class="smti-times" title="{attribute}">\n\n{table}\n\n</div>', unsafe_allow_html=True)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def render(
    result: InvocationResult,
    *,
    key: str,
    on_stop: Callable[[], None] | None = None,
    started_monotonic: float | None = None,
    live: bool = False,
) -> None:
    """Draw a card. A Pending `result` is a live view (text so far); `on_stop` adds a Stop button. `live` says
    the caller redraws the card often (its relative times then need no timer of their own)."""
    with st.container(border=True, key=f"result-card-{key}"):
        _head(result, key, on_stop)
        if live:
            _times(result, started_monotonic)
        else:
            _times_kept_current(result)
        if result.status == Status.PENDING:
            _pending_body(result, key)
        else:
            _finished_body(result, key)
        _details(result)


def _head(result: InvocationResult, key: str, on_stop: Callable[[], None] | None) -> None:
    request = result.request
    target = request.endpoint_name
    if request.inference_component_name:
        target += f" / {request.inference_component_name}"
    line = f"{badge(result.status)} **{escape_markdown(target)}**"
    if result.streamed:
        line += " :gray[· streamed]"
    # A container keyed by status: the CSS hook that spins the Pending icon (see page_style).
    holder = st.container(key=f"status-{result.status.value.lower()}-{key}")
    if on_stop is None:
        holder.markdown(line)
        return
    left, right = holder.columns([3, 1], vertical_alignment="center")
    left.markdown(line)
    right.button("Stop", key=f"stop-{key}", on_click=on_stop, icon=":material/stop:", width="content")


@st.fragment(run_every=TIMES_REFRESH_S)
def _times_kept_current(result: InvocationResult) -> None:
    """The times of a finished card, redrawn on a slow timer so "just now" becomes "2 minutes ago"."""
    _times(result, None)


def _times(result: InvocationResult, started_monotonic: float | None) -> None:
    if result.status == Status.PENDING and started_monotonic is not None:
        execution = f"{_ms((time.monotonic() - started_monotonic) * 1000)} …"
    else:
        execution = _ms(result.execution_ms)
    fields = [
        ("Request type", request_type(result.request.content_type)),
        ("Status", result.status.value),
        ("Execution Length (ms)", execution),
        ("Request Time", relative_time.describe(result.requested_at)),
        ("Result Time", relative_time.describe(result.returned_at) if result.returned_at else "—"),
    ]
    exact = f"Request Time: {relative_time.exact(result.requested_at)}"
    if result.returned_at is not None:
        exact += f"\nResult Time: {relative_time.exact(result.returned_at)}"
    fields_table(fields, title=exact)
    if result.stream is not None:
        stats = result.stream
        rate = stats.tokens_per_second(result.execution_ms)
        fields_table(
            [
                ("Time to first token (ms)", _ms(stats.time_to_first_token_ms)),
                ("Tokens per second", "—" if rate is None else f"{rate:,.1f}"),
                ("Tokens", f"{stats.token_count:,}"),
            ]
        )


def _pending_body(result: InvocationResult, key: str) -> None:
    if not result.streamed:
        st.caption("Waiting for the endpoint…")
    elif result.text:
        # The whole text so far, in a box of fixed height that keeps its newest line in view (autoscroll):
        # a reader follows the answer from its first word, and the card does not grow with every tick.
        with st.container(height=LIVE_TEXT_HEIGHT, border=True, autoscroll=True, key=f"live-text-{key}"):
            st.code(result.text, language=None, wrap_lines=True)
    else:
        st.caption("Waiting for the first token…")


def _text_height(text: str) -> int | str:
    return "content" if len(text) < 1500 and text.count("\n") < 14 else LIVE_TEXT_HEIGHT


def _finished_body(result: InvocationResult, key: str) -> None:
    if result.streamed:
        text = result.text or (result.error.partial_text if isinstance(result.error, StreamError) else "")
        if text:
            ok = result.status == Status.SUCCESS
            st.caption("Output" if ok else "Output received before the stream ended")
            st.code(text, language=None, wrap_lines=True, height=_text_height(text))
        elif result.status == Status.SUCCESS:
            st.caption("The stream ended without any text.")
    elif result.status == Status.SUCCESS or result.body:
        st.caption("Output")
        output_view.render(result.body, result.content_type, key=f"download-{key}")
    if result.error is not None:
        failure_reason(result.error)


def failure_reason(error: ServiceError) -> None:
    """The Failure Reason block: message, hint, and for model errors the model's status, message and logs."""
    title = "Failure Reason"
    if error.code:
        title += f" · {escape_markdown(error.code)}"
    if error.http_status:
        title += f" (HTTP {error.http_status})"
    st.error(title, icon=":material/error:")
    st.text(error.message)
    if error.hint:
        st.caption("What to try")
        st.text(error.hint)
    if isinstance(error, ModelError):
        if error.original_status is not None:
            fields_table([("Original status code", str(error.original_status))])
        if error.original_message:
            st.caption("Original message")
            st.code(error.original_message, language=None, wrap_lines=True)
        if error.log_url and error.log_url.startswith("https://"):
            st.link_button("View the logs in CloudWatch", error.log_url, icon=":material/open_in_new:")


def _details(result: InvocationResult) -> None:
    request_id = result.request_id or (result.error.request_id if result.error else None)
    fields = [("Invoked variant", result.invoked_variant or "—"), ("Request ID", request_id or "—")]
    if result.attempts > 1:
        fields.append(("Attempts", f"{result.attempts} ({result.attempts - 1} retried)"))
    if result.content_type:
        fields.append(("Response content type", result.content_type))
    fields_table(fields)
