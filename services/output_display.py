"""What a result card draws of a response body: the decoded output cut to what a browser takes at once, and
the name and type the whole body is downloaded under.

Every page run draws every finished card again (up to 50), so `display` is remembered per body: a card's body
is the same bytes object on every run, and a hit costs no decoding. What is remembered is only what is drawn
(the first 100,000 characters of a 5 MB answer, the first 1,000 rows of a table), never a large parsed value.
Pure; never raises.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from services.foreign_text import escape_in_json, scrub
from services.output import DecodedOutput, Kind, collector_paused, decode_output, is_json_lines, json_text
from services.output_audio import AudioInfo
from services.output_embedding import Embedding
from services.output_table import Columns

TREE_LIMIT_BYTES = 200 * 1024  # JSON up to this size is offered as a tree; larger goes straight to its text
TEXT_LIMIT_CHARS = 100_000  # characters of text (or laid-out JSON) drawn; the whole body is a download
TABLE_LIMIT_ROWS = 1_000
HEX_PREVIEW_BYTES = 256
_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
_EXTENSIONS = {
    "application/json": ".json",
    "text/csv": ".csv",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/markdown": ".md",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/svg+xml": ".svg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/ogg": ".ogg",
    "audio/opus": ".ogg",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/webm": ".webm",
}
_KIND_EXTENSIONS = {"json": ".json", "embedding": ".json", "csv": ".csv", "text": ".txt"}


@dataclass(frozen=True, eq=False)  # one per body (remembered): compared and hashed as itself
class Display:
    """One body as a card draws it.

    text: the text drawn (laid-out JSON, text, or a hex dump of the first bytes), at most TEXT_LIMIT_CHARS;
    text_total: the whole text's length in characters, None when not known (a large JSON is laid out only
    as far as it is drawn); tree: JSON source for a collapsible tree (None: too large, or not JSON);
    rows: a table's first rows, with `columns` and `row_total`."""

    kind: Kind
    size: int
    file_name: str
    mime: str
    note: str | None = None
    text: str = ""
    text_total: int | None = None
    tree: str | None = None
    rows: list[list[str]] | None = None
    row_total: int = 0
    columns: Columns | None = None
    audio: AudioInfo | None = None
    embedding: Embedding | None = None
    media_type: str | None = None

    @property
    def cut(self) -> bool:
        """Whether `text` is only the start of the whole."""
        return self.text_total is None or self.text_total > len(self.text)


@functools.lru_cache(maxsize=64)
def display(body: bytes, content_type: str | None) -> Display:
    """What to draw for `body` (remembered per body and content type: see the module's docstring)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    try:
        with collector_paused(len(body)):  # until the large parsed value is dropped, not only while made
            return _display(decode_output(body, content_type, row_limit=TABLE_LIMIT_ROWS), body, media)
    except Exception as exc:  # a last resort, like output_view.render's: no known body reaches it
        why = f"The output could not be decoded ({type(exc).__name__})."
        return _binary(DecodedOutput("binary", body, len(body), note=why), body, media)


def _display(output: DecodedOutput, body: bytes, media: str) -> Display:
    if output.kind in ("json", "embedding"):
        return _json(output, body, media)
    if output.kind == "csv":
        return _table(output, body, media)
    if output.kind == "text":
        text = str(output.value)
        return _base(output, media, text=text[:TEXT_LIMIT_CHARS], text_total=len(text))
    if output.kind in ("image", "audio"):
        return _base(output, media, audio=output.audio, media_type=output.media_type)
    if output.kind == "empty":
        return _base(output, media)
    return _binary(output, body, media)


def _base(output: DecodedOutput, media: str, note: str | None = None, **drawn: Any) -> Display:
    file_name = "response" + extension(media, output)
    return Display(output.kind, output.size, file_name, _mime(media, output), note or output.note, **drawn)


def _mime(media: str, output: DecodedOutput) -> str:
    """The download's type: the declared one when it is a well-formed type, else what the bytes are."""
    return media if _MEDIA_TYPE.match(media) else output.media_type or "application/octet-stream"


def _binary(output: DecodedOutput, body: bytes, media: str) -> Display:
    return _base(output, media, text=hex_dump(body[:HEX_PREVIEW_BYTES]), text_total=None)


def _json(output: DecodedOutput, body: bytes, media: str) -> Display:
    source = body.decode("utf-8", "replace")
    note = output.note
    if output.size <= TREE_LIMIT_BYTES:
        text, problem = json_text(output.value, source)
        total: int | None = len(text)
        tree = _tree_source(output.value, source, lines=is_json_lines(media))
    else:
        text, problem = _json_start(output.value, source)
        total, tree = None, None
    if problem:
        note = f"{note} {problem}" if note else problem
    shown = text[:TEXT_LIMIT_CHARS]
    return _base(output, media, note, text=shown, text_total=total, tree=tree, embedding=output.embedding)


def _tree_source(value: Any, source: str, *, lines: bool) -> str | None:
    """The JSON text the tree is drawn from: the body itself (nothing to encode), or for JSON lines their
    values as one list. None when that cannot be written (the raw view still shows the text)."""
    if not lines:
        return source  # valid UTF-8, so no lone surrogate: a \ud800 in it is still its escape
    try:
        return json.dumps(value, ensure_ascii=True)
    except (RecursionError, ValueError):
        return None


def _json_start(value: Any, source: str) -> tuple[str, str | None]:
    """The first TEXT_LIMIT_CHARS characters of `value` laid out, encoding no further (a 5 MB answer is laid
    out in a few ms instead of ~0.2 s, and its whole text is never held)."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    pieces: list[str] = []
    length = 0
    try:
        for piece in encoder.iterencode(value):
            pieces.append(piece)
            length += len(piece)
            if length > TEXT_LIMIT_CHARS:
                break
    except (RecursionError, ValueError):
        return scrub(source[:TEXT_LIMIT_CHARS]), "The JSON could not be laid out: it is shown as it came."
    text = escape_in_json("".join(pieces))[:TEXT_LIMIT_CHARS]
    line_end = text.rfind("\n") + 1
    return (text[:line_end] if line_end > len(text) - 2000 else text), None  # end on a whole line if near


def _table(output: DecodedOutput, body: bytes, media: str) -> Display:
    rows: list[list[str]] = output.value
    header = output.columns is not None and output.columns.header
    data = rows[1:] if header else rows
    total = output.row_count - (1 if header else 0)
    return _base(output, media, rows=data[:TABLE_LIMIT_ROWS], row_total=total, columns=output.columns)


def extension(media: str, output: DecodedOutput) -> str:
    """A file name's extension for a body: from its content type, else from what it turned out to be."""
    if media in _EXTENSIONS:
        return _EXTENSIONS[media]
    if is_json_lines(media):
        return ".jsonl"
    if media.endswith("+json"):
        return ".json"
    if output.kind in ("image", "audio") and output.media_type in _EXTENSIONS:
        return _EXTENSIONS[output.media_type]
    if output.kind == "text" and media.startswith("text/"):
        return ".txt"
    return _KIND_EXTENSIONS.get(output.kind, ".bin")


def hex_dump(data: bytes) -> str:
    """16 bytes a line: offset, hex, and the printable ASCII (others as '.')."""
    lines = []
    for offset in range(0, len(data), 16):
        row = data[offset : offset + 16]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{offset:08x}  {row.hex(' '):<47}  {ascii_}")
    return "\n".join(lines)
