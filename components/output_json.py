"""JSON as a collapsible tree with its laid-out text one tab away, and an embedding as its figures.

Both tabs are drawn (Streamlit sends every tab's content): switching costs no rerun, and the text stays in
the page, where the instant card (components.request_actions) finds it when it hands over. JSON over
TREE_LIMIT_BYTES has no tree: a tree of it would cost the browser seconds, so its text is drawn, cut.
"""

from __future__ import annotations

import math
from typing import Literal

import streamlit as st

from components.output_text import cut_caption
from services.output_display import Display
from services.output_embedding import Embedding

JSON_TABS = ("Tree", "Raw")
EMBEDDING_TABS = ("Summary", "Tree", "Raw")
LARGE_EMBEDDING_TABS = ("Summary", "Raw")  # no tree over TREE_LIMIT_BYTES
TREE_DEPTH = 3  # levels of a larger tree open at first: a typical answer's values show without a click
OPEN_BYTES = 2048  # a tree of a body up to this size opens whole
SMALL_TEXT = 4000  # characters below which the text block takes its own height (else it scrolls)


def draw(shown: Display, body: bytes, key: str) -> None:
    """A tree and its text in two tabs ("Tree", "Raw"); only the text when there is no tree."""
    if shown.tree is None:
        raw(shown)
        return
    tree, text = st.tabs(JSON_TABS, key=f"{key}-json")
    with tree:
        st.json(shown.tree, expanded=True if shown.size <= OPEN_BYTES else TREE_DEPTH)
    with text:
        raw(shown)


def draw_embedding(shown: Display, body: bytes, key: str) -> None:
    """The figures first ("Summary"), then the JSON's tree and text."""
    tabs = st.tabs(EMBEDDING_TABS if shown.tree is not None else LARGE_EMBEDDING_TABS, key=f"{key}-json")
    with tabs[0]:
        summary(shown.embedding)
    if shown.tree is not None:
        with tabs[1]:
            st.json(shown.tree, expanded=1)  # a vector of hundreds of numbers: folded
    with tabs[-1]:
        raw(shown)


def raw(shown: Display) -> None:
    """The JSON laid out with a 2-space indent (the start of it, when long)."""
    height: Literal["content"] | int = "content" if len(shown.text) < SMALL_TEXT else 420
    st.code(shown.text, language="json", wrap_lines=True, height=height)
    if shown.cut:
        st.caption(cut_caption(shown))


def summary(embedding: Embedding | None) -> None:
    """Count and dimension, the first vector's L2 norm, min, max and mean, and its first values."""
    if embedding is None:
        return
    cells = [
        ("Vectors", f"{embedding.count:,}"),
        ("Dimension", f"{embedding.dimension:,}"),
        ("L2 norm", number(embedding.norm)),
        ("Min", number(embedding.minimum)),
        ("Max", number(embedding.maximum)),
        ("Mean", number(embedding.mean)),
    ]
    header = " | ".join(label for label, _ in cells)
    values = " | ".join(value for _, value in cells)
    st.markdown(f"| {header} |\n|{'---|' * len(cells)}\n| {values} |")
    first = ", ".join(number(value) for value in embedding.first)
    more = ", …" if embedding.dimension > len(embedding.first) else ""
    st.code(f"[{first}{more}]", language=None, wrap_lines=True)
    notes = [f"Read from {embedding.shape}."]
    if embedding.count > 1:
        notes.append("The figures and values are the first vector's.")
    if embedding.non_finite:
        notes.append(f"{embedding.non_finite:,} values are NaN or Infinity, left out of the figures.")
    st.caption(" ".join(notes))


def number(value: float | None) -> str:
    """A figure in six significant digits ("—" when there is none); NaN and infinities by name."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.6g}"
