"""The decoded view of a response body: JSON, an embedding, CSV rows, an image, audio, text, or binary.

Chosen from the content type and the bytes: a declared type is tried first, then what the bytes are (magic
bytes for images and audio, a leading bracket for JSON). Pure; never raises, whatever the bytes. A body that
cannot be shown the way its content type asks (an image Pillow cannot read, a WAV `wave` cannot, an SVG,
JSON nested too deep to lay out) falls back to text or binary, and `note` says why, so the page always has
something to draw. What the page draws of it, cut to a size a browser takes, is `services.output_display`.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import io
import itertools
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from services.foreign_text import escape_in_json, scrub
from services.output_audio import AudioInfo, read_audio
from services.output_embedding import Embedding, find_embedding
from services.output_table import Columns, columns_of

Kind = Literal["json", "embedding", "text", "csv", "image", "audio", "binary", "empty"]

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
_PAUSE_GC_SIZE = 1_000_000  # a body this long is decoded with the cyclic garbage collector paused
MAX_IMAGE_PIXELS = 40_000_000  # beyond this an image is offered as a download, not decoded (memory)


@dataclass(frozen=True)
class DecodedOutput:
    """``value`` by kind: json and embedding → the parsed value (a list of values for JSON lines); csv → list
    of rows (the header row too, if any: ``columns`` tells); text → str; image, audio and binary → the bytes;
    empty → None. ``size`` is the body's length in bytes. ``note``: why the body is not shown as its content
    type says (None when it is)."""

    kind: Kind
    value: Any
    size: int
    media_type: str | None = None  # an image's or audio's type, from its bytes
    note: str | None = None
    columns: Columns | None = None  # csv: the labels, and whether the first row gave them
    row_count: int = 0  # csv: rows in all, the header row too (``value`` may hold only the first ones)
    audio: AudioInfo | None = None  # audio: format, duration, sample rate, channels
    embedding: Embedding | None = None  # embedding: the vectors' count, dimension and figures


def decode_output(body: bytes, content_type: str | None, *, row_limit: int | None = None) -> DecodedOutput:
    """Decode a body for display, trusting the content type first and the bytes second. `row_limit`: keep
    only that many CSV rows (plus a header row) and count the rest (``row_count``)."""
    size = len(body)
    if not body:
        return DecodedOutput("empty", None, 0)
    media = (content_type or "").split(";", 1)[0].strip().lower()

    note: str | None = None
    if media == "image/svg+xml":
        note = "An SVG image is shown as its source: model output is never drawn as markup."
    elif media.startswith("image/") or _looks_like_image(body, media):
        image_type, problem = _readable_image(body)
        if image_type is not None:
            return DecodedOutput("image", body, size, image_type)
        if media.startswith("image/"):
            note = problem  # a declared image that is not one says so; a magic-byte guess stays quiet

    text = _utf8(body)
    readable = text is not None and _looks_like_text(text)
    if not (media.startswith("text/") or media.endswith("json")):  # text that says it is text stays text
        audio, not_audio = read_audio(body, media, looks_like_text=readable)
        if audio is not None:
            return DecodedOutput("audio", body, size, audio.media_type, note=audio.note, audio=audio)
        note = not_audio or note
    if is_json_lines(media):
        values = _json_lines(text) if text is not None else None
        if values is not None:
            return DecodedOutput("json", values, size, note=note)
    if media.endswith("json") or (text is not None and text.lstrip()[:1] in ("{", "[")):
        value = _json(text) if text is not None else _Missing
        if value is _TooDeep:
            note = "The JSON is nested too deeply to lay out: it is shown as the text it came as."
        elif value is not _Missing:
            embedding = find_embedding(value)
            kind: Kind = "json" if embedding is None else "embedding"
            return DecodedOutput(kind, value, size, note=note, embedding=embedding)
    if media == "text/csv" and text is not None and not readable:
        note = "The CSV holds control characters (a NUL byte...) that text does not: it is shown as bytes."
    elif media == "text/csv" and text is not None:
        read = _csv_rows(text, row_limit)
        if read is not None:
            rows, count = read
            return DecodedOutput("csv", rows, size, note=note, columns=columns_of(rows), row_count=count)
        note = "The CSV could not be read as rows: it is shown as text."
    if text is not None and readable:
        return DecodedOutput("text", text, size, note=note)
    return DecodedOutput("binary", body, size, note=note)


def is_json_lines(media: str) -> bool:
    """Whether a media type (lowercase, no parameters) names JSON lines."""
    return media == "application/jsonlines" or media.endswith(
        ("/jsonl", "/x-ndjson", "/ndjson", "/jsonlines")
    )


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


@contextlib.contextmanager
def collector_paused(size: int) -> Iterator[None]:
    """The cyclic garbage collector paused while a body of `size` bytes or characters (over a megabyte) is
    decoded. Parsing megabytes of JSON makes millions of objects, and the collector walks them all, several
    times over, while they are made and once more after (measured: 160-200 ms of a 5 MiB answer's parse,
    against 60-85 ms without it). They hold no cycles: freed by their counts when dropped, they need no
    walk. Process-wide, for the fraction of a second it lasts; nested pauses are one."""
    pause = size > _PAUSE_GC_SIZE and gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()


def _json(text: str) -> Any:
    try:
        with collector_paused(len(text)):
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


def _csv_rows(text: str, limit: int | None) -> tuple[list[list[str]], int] | None:
    """The rows (the first `limit` + 1 of them when given), and how many there are in all."""
    try:
        reader = csv.reader(io.StringIO(text))
        rows = list(reader if limit is None else itertools.islice(reader, limit + 1))
        return rows, len(rows) + sum(1 for _ in reader)  # counted, not kept: ~4x faster for 5 MB
    except csv.Error:  # a field over the csv module's size limit
        return None


def _looks_like_text(text: str) -> bool:
    # NUL and other C0 controls (beyond tab, newline, CR, form feed) mean bytes that only happen to be UTF-8.
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:4096])
