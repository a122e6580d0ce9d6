"""History entries as JSON lines: one object per line, every field a report or a script needs, bodies as
text when they are UTF-8 and as base64 otherwise (``body_encoding`` says which). Pure; no Streamlit.

    data = export_jsonl(history.iter_matching(where))     # bytes for a download
    records = read_jsonl(data)                            # the dicts back, bodies decoded to bytes
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from services.history import HistoryEntry
from services.parameters import OPTIONAL_PARAMETERS

MAX_EXPORTED = 10_000  # entries per export (a download is built in memory)


def body_fields(data: bytes, size: int) -> dict[str, Any]:
    """A body as JSON fields: the text if it is UTF-8, else base64; its size as received."""
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(data).decode("ascii"), "base64"
    return {"body": text, "body_encoding": encoding, "body_size": size, "body_truncated": len(data) < size}


def entry_record(entry: HistoryEntry) -> dict[str, Any]:
    request = entry.request
    error = entry.error
    stream = entry.stream
    options = {p.attribute: getattr(request, p.attribute) for p in OPTIONAL_PARAMETERS}
    return {
        "id": entry.id,
        "saved_at": entry.saved_at.isoformat(),
        "connection": entry.connection_label,
        "endpoint": entry.endpoint_name,
        "status": entry.status.value,
        "starred": entry.starred,
        "requested_at": entry.requested_at.isoformat(),
        "returned_at": None if entry.returned_at is None else entry.returned_at.isoformat(),
        "execution_ms": entry.execution_ms,
        "attempts": entry.attempts,
        "request_id": entry.request_id,
        "invoked_variant": entry.invoked_variant,
        "request": {
            "content_type": request.content_type,
            "options": {k: v for k, v in options.items() if v is not None},
            **body_fields(request.body, entry.request_body_size),
        },
        "response": {
            "content_type": entry.content_type,
            "custom_attributes": entry.custom_attributes,
            **body_fields(entry.body, entry.body_size),
        },
        "stream": None
        if stream is None
        else {
            "format": stream.format,
            "time_to_first_byte_ms": stream.time_to_first_byte_ms,
            "time_to_first_token_ms": stream.time_to_first_token_ms,
            "tokens": stream.token_count,
            "text": entry.text,
            "text_truncated": entry.text_truncated,
        },
        "error": None
        if error is None
        else {
            "class": type(error).__name__,
            "code": error.code,
            "message": error.message,
            "hint": error.hint,
            "http_status": error.http_status,
        },
    }


def export_jsonl(entries: Iterable[HistoryEntry], limit: int = MAX_EXPORTED) -> bytes:
    """The entries (complete ones, from History.get or iter_matching) as JSON lines, at most `limit`."""
    lines = []
    for count, entry in enumerate(entries):
        if count >= limit:
            break
        lines.append(json.dumps(entry_record(entry), ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def decode_body(fields: dict[str, Any]) -> bytes:
    """A body exported by body_fields, back to its bytes."""
    if fields["body_encoding"] == "base64":
        return base64.b64decode(fields["body"])
    return str(fields["body"]).encode("utf-8")


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    """The records of an export (bodies left as exported: decode them with decode_body)."""
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
