"""A diff of two outputs (services.result_diff) on the page, for History's "Compare" and the Compare page:
which is A and which is B, the summary, then the changed keys as a table for JSON or the changed lines as
code for text. Every value shown is the outputs' own text, drawn as data or code, never as Markdown."""

from __future__ import annotations

import streamlit as st

from components.safe_text import escape_markdown
from services.result_diff import Diff


def render(diff: Diff, *, a_label: str, b_label: str, key: str) -> None:
    st.markdown(f"**A** {escape_markdown(a_label)}  \n**B** {escape_markdown(b_label)}")
    (st.success if diff.same else st.info)(diff.summary, icon=":material/difference:")
    if diff.truncated:
        st.caption("The outputs were long: only their first MiB was compared.")
    if diff.kind == "json" and diff.changes:
        st.dataframe(
            {
                "Path": [c.path for c in diff.changes],
                "Change": [c.op for c in diff.changes],
                "A": [c.old for c in diff.changes],
                "B": [c.new for c in diff.changes],
            },
            hide_index=True,
            key=f"{key}-changes",
            width="stretch",
        )
    elif diff.kind == "text" and diff.lines:
        height = min(420, 24 * len(diff.lines) + 40)
        st.code("\n".join(diff.lines), language="diff", wrap_lines=True, height=height)
    if diff.omitted:
        st.caption(f"{diff.omitted:,} more not listed.")
