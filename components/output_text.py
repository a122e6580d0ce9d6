"""Small words about an output: sizes as people read them, and what part of a long output is shown."""

from __future__ import annotations

from services.output_display import Display


def human_size(size: int) -> str:
    """Bytes in the unit people read: 512 B, 1.5 KB, 2.0 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def cut_caption(shown: Display) -> str:
    """What a cut text shows of the whole (the download below it has all of it)."""
    chars = len(shown.text)
    if shown.text_total is None:
        return f"Showing the first {chars:,} characters, laid out. The download has the whole answer."
    return f"Showing the first {chars:,} of {shown.text_total:,} characters. The download has them all."
