"""The decoded view of a response body: JSON, CSV rows, an image, text, or binary with its size.

Pure; never raises.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["json", "text", "csv", "image", "binary", "empty"]

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


@dataclass(frozen=True)
class DecodedOutput:
    """``value`` by kind: json → the parsed value (a list of values for JSON lines); csv → list of rows;
    text → str; image and binary → the bytes; empty → None. ``size`` is the body's length in bytes."""

    kind: Kind
    value: Any
    size: int
    media_type: str | None = None  # the image's type (from the content type or its magic bytes)


def decode_output(body: bytes, content_type: str | None) -> DecodedOutput:
    """Decode a body for display, trusting the content type first and the bytes second."""
    size = len(body)
    if not body:
        return DecodedOutput("empty", None, 0)
    media = (content_type or "").split(";", 1)[0].strip().lower()

    image_type = _image_type(body, media)
    if image_type is not None:
        return DecodedOutput("image", body, size, image_type)

    text = _utf8(body)
    if media == "application/jsonlines" or media.endswith(("/jsonl", "/x-ndjson", "/ndjson", "/jsonlines")):
        values = _json_lines(text) if text is not None else None
        if values is not None:
            return DecodedOutput("json", values, size)
    if media.endswith("json") or (text is not None and text.lstrip()[:1] in ("{", "[")):
        value = _json(text) if text is not None else _Missing
        if value is not _Missing:
            return DecodedOutput("json", value, size)
    if media == "text/csv" and text is not None:
        return DecodedOutput("csv", list(csv.reader(io.StringIO(text))), size)
    if text is not None and _looks_like_text(text):
        return DecodedOutput("text", text, size)
    return DecodedOutput("binary", body, size)


class _Missing:
    """Marks 'not JSON' (None is a valid JSON value)."""


def _image_type(body: bytes, media: str) -> str | None:
    if media.startswith("image/"):
        return media
    for magic, image_type in _IMAGE_MAGIC:
        if body.startswith(magic):
            # "BM" also starts plain text such as "BMW ..."; a BMP is only a BMP when nothing says it is text
            if image_type == "image/bmp" and (media.startswith("text/") or media.endswith("json")):
                return None
            return image_type
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return None


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _Missing


def _json_lines(text: str) -> list[Any] | None:
    values = []
    for line in text.splitlines():
        if line.strip():
            value = _json(line)
            if value is _Missing:
                return None
            values.append(value)
    return values


def _looks_like_text(text: str) -> bool:
    # NUL and other C0 controls (beyond tab, newline, CR, form feed) mean bytes that only happen to be UTF-8.
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:4096])
