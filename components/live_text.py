"""A growing text (a stream's answer) drawn so that each update sends only what is new.

Streamlit re-sends an element's whole content whenever it changes: one element holding a 500 KB answer would
cost 500 KB per update. Here the text is a run of elements in one box: finished chunks are sent once and
never touched again; only the last, short one (the tail) is redrawn. The chunks flow together as one text
(page_style makes the elements inline), so the reader sees no seams.

Model text is untrusted: it only goes through st.code (exact and inert), never Markdown or HTML. (st.text
would not do: it dedents and strips its text, so chunk edges would lose their spaces and newlines.)
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

CHUNK_CHARS = 8_000  # a tail longer than this is frozen into a chunk (at a line or word end when possible)
BOX_HEIGHT = 360


def box(key: str, parent: DeltaGenerator | None = None) -> DeltaGenerator:
    """The scrolling box a text grows in (`st-key-chunked-<key>`, the CSS hook that makes its chunks flow
    as one text). It keeps its newest line in view (autoscroll): a reader follows an answer from its first
    word, and the card does not grow with every update."""
    return (parent or st).container(height=BOX_HEIGHT, border=False, autoscroll=True, key=f"chunked-{key}")


class LiveText:
    """The text shown in `box` so far; `show(text)` brings it up to date with the newest (longer) text."""

    def __init__(self, box: DeltaGenerator) -> None:
        self._box = box
        self._frozen = 0  # characters already in finished chunks
        self._tail = box.empty()
        self._shown = ""

    @property
    def shown(self) -> str:
        return self._shown

    def show(self, text: str) -> None:
        """Draw `text`, which must start with everything shown before (a stream's text only grows)."""
        if text == self._shown:
            return
        while len(text) - self._frozen > CHUNK_CHARS:
            cut = chunk_end(text, self._frozen, CHUNK_CHARS)
            _put(self._tail, text[self._frozen : cut])
            self._frozen = cut
            self._tail = self._box.empty()
        _put(self._tail, text[self._frozen :])
        self._shown = text


def _put(slot: DeltaGenerator, text: str) -> None:
    # st.code drops one leading and one trailing newline of its text: give it one more of each to drop.
    if text.startswith("\n"):
        text = "\n" + text
    if text.endswith("\n"):
        text += "\n"
    slot.code(text, language=None, wrap_lines=True)


def chunk_end(text: str, start: int, size: int) -> int:
    """Where a chunk of about `size` characters from `start` should end: after the last newline in its second
    half, else after the last space there, else at `start + size`."""
    limit = start + size
    for separator in ("\n", " "):
        found = text.rfind(separator, start + size // 2, limit)
        if found >= 0:
            return found + 1
    return limit
