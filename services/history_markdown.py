"""A saved result as Markdown for a report: the request, how it ended, its timings, and its output. Pure.

Everything from outside the app (endpoint names, messages, bodies) is made inert: names and messages are
backslash-escaped, bodies go in code fences longer than any run of backticks inside them, so a model's
output can neither end its fence nor add links, images or HTML to the report.
"""

from __future__ import annotations

import contextlib
import json
import re

from services.history import HistoryEntry

MAX_BODY_CHARS = 20_000  # of each body in the report; a longer one is cut, and says so
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def escape(text: str) -> str:
    """Backslash-escape Markdown's special characters (and `&`, so no HTML entity survives), one line."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def fence(text: str, language: str = "") -> str:
    """`text` in a fenced code block that nothing inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


def _body(data: bytes, size: int, content_type: str | None) -> str:
    if b"\x00" in data:
        return f"*{size:,} bytes of {escape(content_type or 'binary data')}, not text*"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"*{size:,} bytes of {escape(content_type or 'binary data')}, not UTF-8 text*"
    language = ""
    if text.strip()[:1] in ("{", "["):
        with contextlib.suppress(ValueError, RecursionError):
            text, language = json.dumps(json.loads(text), indent=2, ensure_ascii=False), "json"
    note = ""
    if len(text) > MAX_BODY_CHARS:
        text, note = text[:MAX_BODY_CHARS], f"\n\n*First {MAX_BODY_CHARS:,} characters of {size:,} bytes.*"
    elif len(data) < size:
        note = f"\n\n*Stored cut to its first {len(data):,} of {size:,} bytes.*"
    return fence(text, language) + note


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def entry_markdown(entry: HistoryEntry) -> str:
    """One result as a Markdown section: a heading, a table of facts, the request and the output."""
    request = entry.request
    rows: list[tuple[str, str]] = [
        ("Status", entry.status.value),
        ("Sent", entry.requested_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()),
        ("Connection", escape(entry.connection_label)),
        ("Execution length", _ms(entry.execution_ms)),
    ]
    if entry.stream is not None:
        rows += [
            ("Time to first token", _ms(entry.stream.time_to_first_token_ms)),
            ("Tokens", f"{entry.stream.token_count:,}"),
        ]
    if entry.attempts > 1:
        rows.append(("Attempts", str(entry.attempts)))
    for label, value in (
        ("Inference component", request.inference_component_name),
        ("Invoked variant", entry.invoked_variant),
        ("Request id", entry.request_id),
        ("Request content type", request.content_type),
        ("Response content type", entry.content_type),
    ):
        if value:
            rows.append((label, escape(value)))
    lines = [f"### {escape(request.target)}", "", "| | |", "| --- | --- |"]
    lines += [f"| {label} | {value} |" for label, value in rows]
    if entry.error is not None:
        message = escape(entry.error.message)
        code = f" ({escape(entry.error.code)})" if entry.error.code else ""
        lines += ["", f"**Error{code}:** {message}"]
    lines += ["", "**Request**", "", _body(request.body, entry.request_body_size, request.content_type)]
    if entry.stream is not None:
        output = _body(entry.text.encode("utf-8"), entry.text_size, "text/plain")
    else:
        output = _body(entry.body, entry.body_size, entry.content_type)
    lines += ["", "**Output**", "", output]
    return "\n".join(lines) + "\n"
