"""A response body shown safely: pretty JSON, text, a CSV table, an image, or size and a download.

Model output is untrusted: it only ever goes through st.code / st.dataframe / st.image, never Markdown/HTML.
Large outputs are cut for display and offered whole as a download.
"""

from __future__ import annotations

import io
import json

import streamlit as st

from services.output import decode_output

DISPLAY_LIMIT_CHARS = 100_000  # beyond this the browser slows down; the whole body stays downloadable
TABLE_LIMIT_ROWS = 1_000


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
    """Draw one response body. `key` makes the download buttons unique per card."""
    output = decode_output(body, content_type)
    if output.kind == "empty":
        st.caption("The response body is empty.")
    elif output.kind == "json":
        pretty = json.dumps(output.value, indent=2, ensure_ascii=False)
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
        st.caption(f"Binary output ({content_type or 'no content type'}), {human_size(len(body))}")
        download(body, content_type, key)


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
