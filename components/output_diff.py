"""A diff of two outputs (services.result_diff) on the page: a table of changed keys for JSON, the changed
lines for text, sizes and the first differing byte otherwise. Everything foreign is shown as text: in a
table's cells or a code block, never as Markdown."""

from __future__ import annotations

import streamlit as st

from components.safe_text import escape_markdown
from services.result_diff import Diff


def render(diff: Diff, *, a_label: str, b_label: str) -> None:
    summary = diff.summary  # the service's own words and numbers
    st.caption(f"{escape_markdown(a_label)} → {escape_markdown(b_label)}: {escape_markdown(summary)}")
    if diff.same:
        return
    if diff.kind == "json" and diff.changes:
        st.dataframe(
            [{"Path": c.path, "Change": c.op, a_label: c.old, b_label: c.new} for c in diff.changes],
            hide_index=True,
        )
    elif diff.kind == "text" and diff.lines:
        st.code(
            "\n".join(diff.lines),
            language="diff",
            wrap_lines=True,
            height=min(420, 24 * len(diff.lines) + 40),
        )
    if diff.omitted:
        st.caption(f"{diff.omitted:,} more not listed.")
    if diff.truncated:
        st.caption("The outputs are longer than 1 MiB: their first MiB was compared.")
