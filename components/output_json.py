"""JSON as a collapsible tree with its laid-out text a click away, and an embedding as its figures.

A small segmented control per card picks the view ("Tree" | "Raw"; "Summary" first for an embedding). Every
view is drawn and the ones not picked are hidden by a style rule on the card's view container (page_style):
the laid-out text stays in the page, where the instant card (components.request_actions) finds it to hand
over to; and no tabs are drawn: with 30 JSON cards on the page, Streamlit's tabs made every run 150-270 ms
slower in the browser than one code block per card, this 85-130 ms (measured: click to the new card drawn).
JSON over TREE_LIMIT_BYTES has no tree: a tree of it would cost the browser seconds, so its text is drawn,
cut.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import streamlit as st

from components.output_text import cut_caption
from services.output_display import Display
from services.output_embedding import Embedding

JSON_VIEWS = ("Tree", "Raw")
EMBEDDING_VIEWS = ("Summary", "Tree", "Raw")
OPEN_BYTES = 2048  # a tree of a body up to this size opens whole
TREE_DEPTH = 3  # levels open at first up to DEEP_BYTES: a typical answer's values show without a click
DEEP_BYTES = 50 * 1024  # a larger tree opens one level (every open node is drawn again by each run)
# Laid-out JSON is coloured up to this length: the colouring is done again by the browser on every run,
# ~0.6 s a run for 100,000 characters (measured), for every card.
COLOURED_CHARS = 20_000
SMALL_TEXT = 4000  # characters below which the text block takes its own height (else it scrolls)


def draw(shown: Display, body: bytes, key: str) -> None:
    """A tree and its text, the tree shown first; only the text when there is no tree."""
    if shown.tree is None:
        raw(shown)
        return
    views(key, {"Tree": lambda: tree(shown, _depth(shown.size)), "Raw": lambda: raw(shown)})


def draw_embedding(shown: Display, body: bytes, key: str) -> None:
    """The figures first ("Summary"), then the JSON's tree (when not too large) and text."""
    panes: dict[str, Callable[[], None]] = {"Summary": lambda: summary(shown.embedding)}
    if shown.tree is not None:
        panes["Tree"] = lambda: tree(shown, 1)  # a vector of hundreds of numbers: folded
    panes["Raw"] = lambda: raw(shown)
    views(key, panes)


def views(key: str, panes: dict[str, Callable[[], None]]) -> None:
    """A segmented control naming the panes (the first picked at first), then every pane in a container of
    its own (`st-key-pane-<name>-...`) inside one that names the pick (`st-key-view-<name>-...`)."""
    names: Sequence[str] = list(panes)
    picked = st.segmented_control(
        "View", names, default=names[0], key=f"{key}-view", label_visibility="collapsed", required=True
    )
    picked = picked if picked in panes else names[0]
    with st.container(key=f"view-{picked.lower()}-{key}"):
        for name, draw_pane in panes.items():
            with st.container(key=f"pane-{name.lower()}-{key}"):
                draw_pane()


def tree(shown: Display, depth: bool | int) -> None:
    st.json(shown.tree, expanded=depth)


def raw(shown: Display) -> None:
    """The JSON laid out with a 2-space indent (the start of it, when long)."""
    height: Literal["content"] | int = "content" if len(shown.text) < SMALL_TEXT else 420
    language = "json" if len(shown.text) <= COLOURED_CHARS else None
    st.code(shown.text, language=language, wrap_lines=True, height=height)
    if shown.cut:
        st.caption(cut_caption(shown))


def _depth(size: int) -> bool | int:
    if size <= OPEN_BYTES:
        return True
    return TREE_DEPTH if size <= DEEP_BYTES else 1


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
