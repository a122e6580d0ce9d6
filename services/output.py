"""The decoded view of a response body: JSON, CSV rows, an image, text, or binary with its size.

Pure; never raises, whatever the bytes. A body that cannot be shown the way its content type asks (an image
Pillow cannot read, an SVG, JSON nested too deep to lay out) falls back to text or binary, and `note` says
why, so the page always has something to draw.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import warnings
from dataclasses import dataclass
from typing import Any, Literal

from services.foreign_text import escape_in_json, scrub

Kind = Literal["json", "text", "csv", "image", "binary", "empty"]

# How PNG, JPEG, GIF and BMP files start: a body with no image content type is tried as an image then.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
# What a browser draws from an <img> and Pillow can check first. SVG is markup (scripts, links, fetches):
# model output is never drawn as markup, so an SVG is shown as its source.
_DRAWN_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "WEBP": "image/webp",
}
MAX_IMAGE_PIXELS = 40_000_000  # beyond this an image is offered as a download, not decoded (memory)


@dataclass(frozen=True)
class DecodedOutput:
    """``value`` by kind: json → the parsed value (a list of values for JSON lines); csv → list of rows;
    text → str; image and binary → the bytes; empty → None. ``size`` is the body's length in bytes.
    ``note``: why the body is not shown as its content type says (None when it is)."""

    kind: Kind
    value: Any
    size: int
    media_type: str | None = None  # the image's type (from Pillow's reading of its bytes)
    note: str | None = None


def decode_output(body: bytes, content_type: str | None) -> DecodedOutput:
    """Decode a body for display, trusting the content type first and the bytes second."""
    size = len(body)
    if not body:
        return DecodedOutput("empty", None, 0)
    media = (content_type or "").split(";", 1)[0].strip().lower()

    note = None
    if media == "image/svg+xml":
        note = "An SVG image is shown as its source: model output is never drawn as markup."
    elif media.startswith("image/") or _looks_like_image(body, media):
        image_type, problem = _readable_image(body)
        if image_type is not None:
            return DecodedOutput("image", body, size, image_type)
        if media.startswith("image/"):
            note = problem  # a declared image that is not one says so; a magic-byte guess stays quiet

    text = _utf8(body)
    if media == "application/jsonlines" or media.endswith(("/jsonl", "/x-ndjson", "/ndjson", "/jsonlines")):
        values = _json_lines(text) if text is not None else None
        if values is not None:
            return DecodedOutput("json", values, size, note=note)
    if media.endswith("json") or (text is not None and text.lstrip()[:1] in ("{", "[")):
        value = _json(text) if text is not None else _Missing
        if value is _TooDeep:
            note = "The JSON is nested too deeply to lay out: it is shown as the text it came as."
        elif value is not _Missing:
            return DecodedOutput("json", value, size, note=note)
    if media == "text/csv" and text is not None:
        rows = _csv_rows(text)
        if rows is not None:
            return DecodedOutput("csv", rows, size, note=note)
        note = "The CSV could not be read as rows: it is shown as text."
    if text is not None and _looks_like_text(text):
        return DecodedOutput("text", text, size, note=note)
    return DecodedOutput("binary", body, size, note=note)


def json_text(value: Any, source: str) -> tuple[str, str | None]:
    """A parsed JSON value laid out with a 2-space indent, and a note when it could not be (never raises).

    Non-ASCII characters stay as they are; a lone surrogate (from a ``\\ud800`` escape) is written back as
    its escape, which is the same JSON. What the encoder cannot write (nested deeper than it goes, an
    integer over Python's 4,300 digits) is shown as `source`, the text it was parsed from."""
    try:
        return escape_in_json(json.dumps(value, indent=2, ensure_ascii=False)), None
    except (RecursionError, ValueError):
        return scrub(source), "The JSON could not be laid out again: it is shown as the text it came as."


class _Missing:
    """Marks 'not JSON' (None is a valid JSON value)."""


class _TooDeep:
    """Marks JSON nested deeper than the parser goes."""


def _looks_like_image(body: bytes, media: str) -> bool:
    if media.startswith("text/") or media.endswith("json"):
        return False  # "BM" also starts plain text such as "BMW ...": text that says it is text stays text
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return True
    return body.startswith(_IMAGE_MAGIC)


@functools.lru_cache(maxsize=64)
def _readable_image(body: bytes) -> tuple[str | None, str]:
    """The media type of an image a browser can draw and Pillow reads whole, else None and why not.

    Streamlit opens (and may resize) the image with Pillow when it is drawn: anything Pillow fails on here
    would fail there, inside the page's run. Remembered per body: every run draws every finished card again,
    and a card's body is the same bytes object each time (its hash is kept, so a hit costs no decoding)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                kind = _DRAWN_FORMATS.get(image.format or "")
                if kind is None:
                    return None, f"The body is a {image.format} image, which a browser does not draw."
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return None, f"The image is too large to draw here ({width:,} × {height:,} pixels)."
                image.load()
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, bombs)
        return None, f"It says it is an image, but it cannot be read as one ({type(exc).__name__})."
    return kind, ""


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        return _TooDeep
    except ValueError:  # not JSON, or an integer longer than Python converts (4,300 digits)
        return _Missing


def _json_lines(text: str) -> list[Any] | None:
    values = []
    for line in text.splitlines():
        if line.strip():
            value = _json(line)
            if value is _Missing or value is _TooDeep:
                return None
            values.append(value)
    return values


def _csv_rows(text: str) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error:  # a NUL byte, a field over the csv module's size limit
        return None


def _looks_like_text(text: str) -> bool:
    # NUL and other C0 controls (beyond tab, newline, CR, form feed) mean bytes that only happen to be UTF-8.
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:4096])
