"""A response body shown safely: pretty JSON, text, a CSV table, an image, or size, hex and a download.

Model output is untrusted: it only ever goes through st.code / st.dataframe / st.image (an image Pillow has
read whole first), never Markdown/HTML. Large outputs are cut for display and offered whole as a download.
Whatever the bytes, something is drawn: a body that cannot be shown richly is shown plainer, with a note of
why, and if drawing it still fails the card shows its size, its first bytes and a download.
"""

from __future__ import annotations

import io

import streamlit as st

from components.safe_text import escape_markdown
from services.output import decode_output, json_text

DISPLAY_LIMIT_CHARS = 100_000  # beyond this the browser slows down; the whole body stays downloadable
TABLE_LIMIT_ROWS = 1_000
HEX_PREVIEW_BYTES = 256


def human_size(size: int) -> str:
    """Bytes in the unit people read: 512 B, 1.5 KB, 2.0 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def download(
    body: bytes, content_type: str | None, key: str, label: str = "Download the whole output"
) -> None:
    st.download_button(
        label,
        data=body,
        file_name="response" + _extension(content_type),
        mime=content_type or "application/octet-stream",
        key=key,
        icon=":material/download:",
    )


def _extension(content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    return {
        "application/json": ".json",
        "text/csv": ".csv",
        "text/plain": ".txt",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "application/jsonlines": ".jsonl",
    }.get(kind, ".bin")


def _text_block(text: str, body: bytes, content_type: str | None, key: str, language: str | None) -> None:
    if len(text) > DISPLAY_LIMIT_CHARS:
        st.code(text[:DISPLAY_LIMIT_CHARS], language=language, wrap_lines=True, height=420)
        st.caption(f"Showing the first {DISPLAY_LIMIT_CHARS:,} of {len(text):,} characters.")
        download(body, content_type, key)
    else:
        st.code(text, language=language, wrap_lines=True, height="content" if len(text) < 4000 else 420)


def render(body: bytes, content_type: str | None, *, key: str) -> None:
    """Draw one response body. `key` makes the download buttons unique per card. Never raises for any
    body: what Streamlit refuses to draw becomes the plain view (size, first bytes, download)."""
    try:
        _render(body, content_type, key=key)
    except Exception as exc:  # a last resort: no known body reaches it (tests/robustness)
        plain(body, content_type, key=key, why=f"The output could not be drawn ({type(exc).__name__}).")


def _render(body: bytes, content_type: str | None, *, key: str) -> None:
    output = decode_output(body, content_type)
    if output.note:
        st.caption(output.note)
    if output.kind == "empty":
        st.caption("The response body is empty.")
    elif output.kind == "json":
        pretty, note = json_text(output.value, body.decode("utf-8", "replace"))
        if note:
            st.caption(note)
        _text_block(pretty, body, content_type, key, "json")
    elif output.kind == "text":
        _text_block(str(output.value), body, content_type, key, None)
    elif output.kind == "csv":
        _table(output.value, body, content_type, key)
    elif output.kind == "image":
        st.image(io.BytesIO(body))
        st.caption(f"Image, {human_size(len(body))}")
        download(body, content_type, key, "Download the image")
    else:
        plain(body, content_type, key=key)


def plain(body: bytes, content_type: str | None, *, key: str, why: str | None = None) -> None:
    """Bytes shown as what they are: their size, the first ones in hex, and the whole as a download."""
    if why:
        st.caption(why)
    kind = escape_markdown(content_type) if content_type else "no content type"
    st.caption(f"Binary output ({kind}), {human_size(len(body))}")
    if body:
        st.code(hex_dump(body[:HEX_PREVIEW_BYTES]), language=None)
        download(body, content_type, key)


def hex_dump(data: bytes) -> str:
    """16 bytes a line: offset, hex, and the printable ASCII (others as '.')."""
    lines = []
    for offset in range(0, len(data), 16):
        row = data[offset : offset + 16]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{offset:08x}  {row.hex(' '):<47}  {ascii_}")
    return "\n".join(lines)


def _table(rows: object, body: bytes, content_type: str | None, key: str) -> None:
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame.columns = [str(column) for column in frame.columns]
    if len(frame) > TABLE_LIMIT_ROWS:
        st.dataframe(frame.head(TABLE_LIMIT_ROWS), hide_index=True)
        st.caption(f"Showing the first {TABLE_LIMIT_ROWS:,} of {len(frame):,} rows.")
        download(body, content_type, key)
    else:
        st.dataframe(frame, hide_index=True)
