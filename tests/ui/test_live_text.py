"""LiveText: a growing text drawn in chunks shows exactly the text, and each update re-sends only its tail."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.live_text import CHUNK_CHARS, chunk_end

# Spaces and newlines at every edge a chunk can have, a line longer than a chunk, and non-ASCII text.
TRICKY = (
    " leading space\n\n  indented line\n"
    + "word " * 3000
    + "\n"
    + "x" * (CHUNK_CHARS + 500)
    + "\n\n\n  é ☃ 𝄞 trailing  \n"
)


def _show_growing(text: str, steps: int) -> None:
    import streamlit as st

    from components.live_text import LiveText

    live = LiveText(st.container(key="chunked-test"))
    for end in range(0, len(text) + 1, max(1, len(text) // steps)):
        live.show(text[:end])
    live.show(text)


@pytest.mark.parametrize("steps", [1, 7, 500])
def test_the_chunks_together_are_exactly_the_text(steps: int):
    at = AppTest.from_function(_show_growing, args=(TRICKY, steps))
    at.run()
    assert not at.exception
    shown = [code.value for code in at.code]
    assert "".join(shown) == TRICKY
    assert all(len(chunk) <= CHUNK_CHARS for chunk in shown)
    assert len(shown) >= len(TRICKY) // CHUNK_CHARS  # finished chunks stay, only the tail was redrawn


def test_a_chunk_ends_after_a_newline_or_a_space_when_it_can():
    text = "a" * 6000 + "\n" + "b" * 5000
    assert chunk_end(text, 0, 8000) == 6001
    spaced = "a " * 5000
    assert spaced[chunk_end(spaced, 0, 8000) - 1] == " "
    solid = "a" * 20_000
    assert chunk_end(solid, 100, 8000) == 8100
