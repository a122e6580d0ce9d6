"""One result card, in Studio's words: request type, Status, Execution Length, Request/Result Time, output.

A card is a bordered box with one slot per part (head, times, stream figures, body, details). A finished
card fills them once; a running card (components.live_card) fills them with its progress and redraws only
the parts that change, then fills them once more, in place, when its request ends.

Everything that came from the endpoint is inert: outputs and messages go through st.code / st.text, and the
few values shown inside Markdown (endpoint name, variant, request id) are escaped first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import live_text, local_record, output_view, page_clock, relative_time
from components.safe_text import TrustedHtml, escape_markdown
from services.connection import local_url_of
from services.errors import ModelError, ModelStreamError, ServiceError, StreamError
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

_BADGES = {
    Status.SUCCESS: ("green", "check_circle"),
    Status.FAILED: ("red", "error"),
    Status.STOPPED: ("gray", "stop_circle"),
    Status.PENDING: ("blue", "progress_activity"),
}
STREAM_DEFINITIONS = (
    "Time to first token: the first non-empty token's arrival minus the request's start.\n"
    "Tokens per second: 1 ÷ inter-token latency, where inter-token latency = "
    "(total − time to first token) ÷ (tokens − 1); total is the newest token's arrival while the stream "
    "runs, and the execution length once it ended.\n"
    "All measured by the process that made the call, beside nothing else."
)
Value = str | TrustedHtml
# A streamed answer longer than this stays in the chunked view its live card drew instead of becoming one
# code block (every streamed answer also gets a download): drawing an 80,000-character code block costs the
# browser ~0.3 s.
STREAM_CODE_LIMIT = 20_000


@dataclass(frozen=True)
class Slots:
    """Where each part of one card is drawn, top to bottom.

    A running card's slots are st.empty placeholders (`frame`), and its finished self fills the same ones,
    so the end of a request rewrites each part in place (a code block over the live text box, for example)
    and never leaves a part of the running card behind or the card empty for a moment. A card drawn
    finished needs no placeholders: each part is the next element of its box (`flowing`), which keeps the
    elements, and the messages sent for them, few.
    """

    head: DeltaGenerator  # badge, target, Stop
    times: DeltaGenerator  # Request type, Status, Execution Length, Request Time, Result Time
    stats: DeltaGenerator  # a stream's figures
    caption: DeltaGenerator  # "Output", "Waiting for the endpoint…"
    content: DeltaGenerator  # the output (or the live text)
    extra: DeltaGenerator  # a download for a very long answer, the Failure Reason
    details: DeltaGenerator  # variant, request id, content type, custom attributes, session ids, attempts
    in_place: bool = True  # placeholders: a part with nothing to show must be cleared

    @classmethod
    def flowing(cls, box: DeltaGenerator) -> Slots:
        return cls(box, box, box, box, box, box, box, in_place=False)


def _box(key: str) -> DeltaGenerator:
    return st.container(border=True, key=f"result-card-{key}")


def frame(key: str) -> Slots:
    """An empty card for a running request: its bordered box (`st-key-result-card-<key>`) and a
    placeholder per part."""
    box = _box(key)
    head, times, stats, caption, content, extra, details = (box.empty() for _ in range(7))
    return Slots(head, times, stats, caption, content, extra, details)


def render(result: InvocationResult, *, key: str, note: str | None = None, origin: str | None = None) -> None:
    """Draw a finished card; `note` (plain text, e.g. why it was not saved) is shown at its foot; `origin`:
    the label of the connection it was sent with (a local endpoint's card shows local truths)."""
    box = _box(key)
    draw_final(Slots.flowing(box), result, key=key, origin=origin)
    if note:
        box.caption(escape_markdown(note))


def draw_final(
    slots: Slots,
    result: InvocationResult,
    *,
    key: str,
    live: live_text.LiveText | None = None,
    origin: str | None = None,
) -> None:
    """Fill (or refill, in place) every part of a card with its final result. `live`: the text a running
    card has shown so far, which a long answer goes on in (only its tail is sent again)."""
    if slots.in_place:
        head(slots.head, result.request, result.status, streamed=result.streamed, key=key)
        times(slots.times, result)
        if result.stream is not None:
            stream_figures(slots.stats, result.stream, result.execution_ms)
        else:
            slots.stats.empty()
    else:  # drawn at once: the tables go in the head's element (each element costs a message and a render)
        tables = [_times_markdown(result, None)]
        if result.stream is not None:
            tables.append(_stream_markdown(result.stream, result.execution_ms))
        below = ("\n\n".join(text for text, _ in tables), any(is_html for _, is_html in tables))
        head(slots.head, result.request, result.status, streamed=result.streamed, key=key, below=below)
    text = _streamed_text(result)
    if result.streamed and text:
        ok = result.status == Status.SUCCESS
        slots.caption.caption("Output" if ok else "Output received before the stream ended")
        _streamed_output(slots.content, text, key, live)
    elif result.streamed and result.status == Status.SUCCESS:
        slots.caption.caption("The stream ended without any text.")
        if slots.in_place:
            slots.content.empty()
    elif not result.streamed and (result.status == Status.SUCCESS or result.body):
        slots.caption.caption("Output")
        # A placeholder holds one element: the output (code, caption, download) goes in a container there.
        with slots.content.container() if slots.in_place else slots.content:
            output_view.render(result.body, result.content_type, key=f"download-{key}")
    elif slots.in_place:
        slots.caption.empty()
        slots.content.empty()
    if text or result.error is not None or slots.in_place:
        with slots.extra.container():
            if text:  # a streamed answer, whole, as a file (a non-streamed one has its own under its output)
                data = text.encode("utf-8")
                output_view.download(data, file_name="response.txt", mime="text/plain", key=f"download-{key}")
            if result.error is not None:
                failure_reason(result.error, local_url=local_url_of(origin), key=key)
    _details(slots.details, result)


def request_type(content_type: str) -> str:
    """Studio's 'request type': JSON, CSV, Text, or the content type itself."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return "JSON"
    if kind == "text/csv":
        return "CSV"
    if kind.startswith("text/"):
        return "Text"
    # A word, not the whole type: the card's row of five fields has no room for "application/octet-stream"
    # (the response details below name the exact content type).
    for prefix, word in (("image/", "Image"), ("audio/", "Audio"), ("video/", "Video")):
        if kind.startswith(prefix):
            return word
    return "Binary" if not kind or kind == "application/octet-stream" else "File"


def badge(status: Status) -> str:
    """The Markdown of a status badge (Success green, Failed red, Pending blue, Stopped gray)."""
    color, icon = _BADGES[status]
    return f":{color}-badge[:material/{icon}: {status.value}]"


def fields_table(
    fields: list[tuple[str, Value]], title: str | None = None, into: DeltaGenerator | None = None
) -> None:
    """A row of labelled values as one Markdown table (one element, however many fields).

    Values are escaped text, or TrustedHtml of our own (the clock's spans). `title` is shown when the
    pointer rests on the table (st.markdown's own `help` is not drawn for a table, so the table is wrapped
    in a <div title=...>, built here from our own text). `into`: a placeholder or container (default: the
    current one).
    """
    target = into if into is not None else st
    text, is_html = _fields_markdown(fields, title)
    target.markdown(text, unsafe_allow_html=is_html)


def _fields_markdown(fields: list[tuple[str, Value]], title: str | None) -> tuple[str, bool]:
    """The Markdown of `fields_table`, and whether it holds HTML (only ever our own: see fields_table)."""
    header = " | ".join(label for label, _ in fields)
    values = " | ".join(v if isinstance(v, TrustedHtml) else escape_markdown(v) for _, v in fields)
    table = f"| {header} |\n|{'---|' * len(fields)}\n| {values} |"
    trusted = any(isinstance(value, TrustedHtml) for _, value in fields)
    if title is None and not trusted:
        return table, False
    attribute = "" if title is None else html.escape(title, quote=True).replace("\n", "&#10;")
    return f'<div class="smti-times" title="{attribute}">\n\n{table}\n\n</div>', True


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def head(
    slot: DeltaGenerator,
    request: InvocationRequest,
    status: Status,
    *,
    streamed: bool,
    key: str,
    on_stop: Callable[[], None] | None = None,
    below: tuple[str, bool] | None = None,
) -> None:
    """The status badge, the target and (while a stream runs) Stop. `below`: Markdown (and whether it holds
    our own HTML) drawn in the same element, under the line: a finished card's tables."""
    line = f"{badge(status)} **{escape_markdown(request.target)}**"
    if streamed:
        line += " :gray[· streamed]"
    # A container keyed by status: the CSS hook that spins the Pending icon (see page_style).
    holder = slot.container(key=f"status-{status.value.lower()}-{key}")
    if on_stop is None:
        if below is None:
            holder.markdown(line)
        else:
            holder.markdown(f"{line}\n\n{below[0]}", unsafe_allow_html=below[1])
        return
    left, right = holder.columns([3, 1], vertical_alignment="center")
    left.markdown(line)
    right.button("Stop", key=f"stop-{key}", on_click=on_stop, icon=":material/stop:", width="content")


def times(slot: DeltaGenerator, result: InvocationResult, *, elapsed_ms: float | None = None) -> None:
    """Request type, Status, Execution Length, Request Time, Result Time. A Pending card passes
    `elapsed_ms` (so far): its Execution Length then counts up in the browser."""
    text, is_html = _times_markdown(result, elapsed_ms)
    slot.markdown(text, unsafe_allow_html=is_html)


def _times_markdown(result: InvocationResult, elapsed_ms: float | None) -> tuple[str, bool]:
    if result.status == Status.PENDING and elapsed_ms is not None:
        execution: Value = page_clock.elapsed_since(result.requested_at, elapsed_ms)
    else:
        execution = _ms(result.execution_ms)
    fields: list[tuple[str, Value]] = [
        ("Request type", request_type(result.request.content_type)),
        ("Status", result.status.value),
        ("Execution Length (ms)", execution),
        ("Request Time", page_clock.ago(result.requested_at)),
        ("Result Time", page_clock.ago(result.returned_at) if result.returned_at else "—"),
    ]
    exact = f"Request Time: {relative_time.exact(result.requested_at)}"
    if result.returned_at is not None:
        exact += f"\nResult Time: {relative_time.exact(result.returned_at)}"
    return _fields_markdown(fields, exact)


def stream_figures(slot: DeltaGenerator, stats: StreamStats, total_ms: float | None) -> None:
    """Time to first token, tokens per second and tokens; `total_ms` is the execution length once the
    stream ended, or None while it runs (then the newest token's arrival stands in)."""
    text, is_html = _stream_markdown(stats, total_ms)
    slot.markdown(text, unsafe_allow_html=is_html)


def _stream_markdown(stats: StreamStats, total_ms: float | None) -> tuple[str, bool]:
    total = total_ms if total_ms is not None else stats.last_token_ms
    rate = stats.tokens_per_second(total)
    return _fields_markdown(
        [
            ("Time to first token (ms)", _ms(stats.time_to_first_token_ms)),
            ("Tokens per second", "—" if rate is None else f"{rate:,.1f}"),
            ("Tokens", f"{stats.token_count:,}"),
        ],
        STREAM_DEFINITIONS,
    )


def _text_height(text: str) -> int | Literal["content"]:
    return "content" if len(text) < 1500 and text.count("\n") < 14 else live_text.BOX_HEIGHT


def _streamed_text(result: InvocationResult) -> str:
    if not result.streamed:
        return ""
    return result.text or (result.error.partial_text if isinstance(result.error, StreamError) else "")


def _streamed_output(slot: DeltaGenerator, text: str, key: str, live: live_text.LiveText | None) -> None:
    """A stream's whole answer: one code block (with its copy button) while it is of a size a browser draws
    at once, else a chunked view: the live card's own, when it has one (its chunks stay, only the tail is
    sent), or a new one."""
    if len(text) <= STREAM_CODE_LIMIT:
        slot.code(text, language=None, wrap_lines=True, height=_text_height(text))
    elif live is not None and text.startswith(live.shown):
        live.show(text)
    else:
        live_text.LiveText(live_text.box(key, slot)).show(text)


# SageMaker's ModelError message ends by pointing at CloudWatch in the account: not true of a local endpoint.
_CONSOLE_SENTENCE = re.compile(r"\s*See https://\S+ in account \d+ for more information\.?")


def failure_reason(error: ServiceError, *, local_url: str | None = None, key: str = "") -> None:
    """The Failure Reason block: message, hint, and for model errors the model's status, message and logs
    (for a local endpoint, the local server's record of the request instead of CloudWatch). The model's
    own message is shown once: in its block, not again inside SageMaker's sentence."""
    title = "Failure Reason"
    if isinstance(error, ModelStreamError) and error.code != "ModelStreamError":
        # the event, then its ErrorCode (StreamBroken, ModelInvocationTimeExceeded)
        title += " · ModelStreamError"
    if error.code:
        title += f" · {escape_markdown(error.code)}"
    if error.http_status:
        title += f" (HTTP {error.http_status})"
    st.error(title, icon=":material/error:")
    message = error.message
    if local_url is not None:
        message = _CONSOLE_SENTENCE.sub("", message)
    original = error.original_message if isinstance(error, ModelError) else None
    if original and f'"{original}"' in message:
        message = message.replace(f'"{original}"', "(below)")
    st.text(message)
    if error.hint:
        st.caption("What to try")
        st.text(error.hint)
    if isinstance(error, ModelError):
        if error.original_status is not None:
            fields_table([("Original status code", str(error.original_status))])
        if error.original_message:
            st.caption("Original message")
            st.code(error.original_message, language=None, wrap_lines=True)
        if local_url is None and error.log_url and error.log_url.startswith("https://"):
            st.link_button("View the logs in CloudWatch", error.log_url, icon=":material/open_in_new:")
    if local_url is not None and error.request_id:
        local_record.record_button(local_url, error.request_id, key=key)


def _details(slot: DeltaGenerator, result: InvocationResult) -> None:
    """What SageMaker answered besides the body, in a label | value table (one element): the variant,
    request id and content type always, the custom attributes and session ids when it sent them."""
    text = _details_markdown(details(result))
    slot.markdown(text, unsafe_allow_html=True)


def details(result: InvocationResult) -> list[tuple[str, str]]:
    """The response's metadata a user may need, labelled: (label, value) pairs, values as SageMaker sent
    them."""
    request_id = result.request_id or (result.error.request_id if result.error else None)
    fields = [("Invoked variant", result.invoked_variant or "—"), ("Request ID", request_id or "—")]
    new_session, expires = _session(result.new_session_id)
    optional = [
        ("Response content type", result.content_type),
        ("Custom attributes", result.custom_attributes),
        ("New session ID", new_session),
        ("Session expires", expires),
        ("Closed session ID", result.closed_session_id),
    ]
    fields += [(label, value) for label, value in optional if value]
    if result.attempts > 1:
        fields.append(("Attempts", f"{result.attempts} ({result.attempts - 1} retried)"))
    return fields


def _session(value: str | None) -> tuple[str | None, str | None]:
    """NewSessionId as SageMaker sends it, "<id>; Expires=<time>", as the id (what the next request's
    SessionId takes) and the time; a value of another form stays whole."""
    if value is None:
        return None, None
    session, _, rest = value.partition(";")
    rest = rest.strip()
    if session.strip() and rest[:8].lower() == "expires=":
        return session.strip(), rest[8:].strip() or None
    return value, None


def _details_markdown(fields: list[tuple[str, str]]) -> str:
    """A two-column table without a header row, in a box of ours (`smti-details`, page_style): ids stay on
    one line (the box scrolls sideways when one is wider than the card) and can be selected whole."""
    rows = "\n".join(f"| {label} | {escape_markdown(value)} |" for label, value in fields)
    return f'<div class="smti-details">\n\n| | |\n|---|---|\n{rows}\n\n</div>'
