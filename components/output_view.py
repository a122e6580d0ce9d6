"""A response body drawn the way people look at it: JSON as a tree with its text one tab away, an embedding
as its figures, CSV as a table with real column labels, an image, audio with a player, text, or size, hex
and a download; and under every one, the whole body as a download.

What is drawn comes from `services.output_display.display`, remembered per body: a run that draws fifty
finished cards decodes nothing. Model output is untrusted: it only ever goes through st.code / st.json /
st.dataframe / st.image (an image Pillow has read whole first) / st.audio, never Markdown/HTML; what of it
reaches a caption is escaped. Large outputs are cut for display and offered whole as a download. Whatever the
bytes, something is drawn: if drawing still fails, the card shows its size, its first bytes and a download.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import streamlit as st

from components import output_json, output_media, output_table
from components.output_text import cut_caption, human_size
from components.safe_text import escape_markdown
from services.output_display import HEX_PREVIEW_BYTES, Display, display, hex_dump

__all__ = ["download", "hex_dump", "human_size", "plain", "render"]


def render(body: bytes, content_type: str | None, *, key: str) -> None:
    """Draw one response body. `key` makes its widgets unique per card. Never raises for any body: what
    Streamlit refuses to draw becomes the plain view (size, first bytes, download)."""
    try:
        _render(body, content_type, key=key)
    except Exception as exc:  # a last resort: no known body reaches it (tests/robustness)
        plain(
            body,
            content_type,
            key=f"{key}-plain",
            why=f"The output could not be drawn ({type(exc).__name__}).",
        )


def _render(body: bytes, content_type: str | None, *, key: str) -> None:
    shown = display(body, content_type)
    if shown.note:
        st.caption(shown.note)
    _DRAWERS[shown.kind](shown, body, key)
    if shown.kind != "empty":
        download(body, file_name=shown.file_name, mime=shown.mime, key=key)


def download(data: bytes, *, file_name: str, mime: str, key: str) -> None:
    """The whole of `data` as a file, named with its size (no rerun when clicked)."""
    st.download_button(
        f"Download {escape_markdown(file_name)} ({human_size(len(data))})",
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def plain(body: bytes, content_type: str | None, *, key: str, why: str | None = None) -> None:
    """Bytes shown as what they are: their size, the first ones in hex, and the whole as a download."""
    if why:
        st.caption(why)
    kind = escape_markdown(content_type) if content_type else "no content type"
    st.caption(f"Binary output ({kind}), {human_size(len(body))}")
    if body:
        st.code(hex_dump(body[:HEX_PREVIEW_BYTES]), language=None)
        download(body, file_name="response.bin", mime="application/octet-stream", key=key)


def _empty(shown: Display, body: bytes, key: str) -> None:
    st.caption("The response body is empty.")


def _text(shown: Display, body: bytes, key: str) -> None:
    st.code(shown.text, language=None, wrap_lines=True, height="content" if len(shown.text) < 4000 else 420)
    if shown.cut:
        st.caption(cut_caption(shown))


def _binary(shown: Display, body: bytes, key: str) -> None:
    st.caption(f"Binary output ({escape_markdown(shown.mime)}), {human_size(shown.size)}")
    st.code(shown.text, language=None)


def _image(shown: Display, body: bytes, key: str) -> None:
    st.image(io.BytesIO(body))
    st.caption(f"Image, {human_size(shown.size)}")


_DRAWERS: dict[str, Callable[[Display, bytes, str], None]] = {
    "empty": _empty,
    "json": output_json.draw,
    "embedding": output_json.draw_embedding,
    "text": _text,
    "csv": output_table.draw,
    "image": _image,
    "audio": output_media.draw_audio,
    "binary": _binary,
}
