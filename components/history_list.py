"""The History page's list of saved requests: one compact row per entry, with Open / Load / Delete."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components import relative_time, result_card
from components.safe_text import escape_markdown
from services.history import HistoryEntry


def _summary(entry: HistoryEntry) -> str:
    name = entry.request.target
    when = relative_time.describe(entry.requested_at)
    # No-break spaces: a narrow row wrapped "123 / ms" (the number and its unit on two lines).
    took = "—" if entry.execution_ms is None else f"{entry.execution_ms:,.0f}\u00a0ms"
    kind = " · streamed" if entry.stream else ""
    return f"{result_card.badge(entry.status)} **{escape_markdown(name)}** :gray[· {when} · {took}{kind}]"


def render(
    entries: list[HistoryEntry],
    *,
    on_open: Callable[[int], None],
    on_load: Callable[[int], None],
    on_delete: Callable[[int], None],
) -> None:
    """Draw the rows; each button calls back with the entry id."""
    if not entries:
        st.caption("No saved requests match. Every request sent from Test inference is saved here.")
        return
    for entry in entries:
        with st.container(border=True, key=f"history-row-{entry.id}"):
            exact = relative_time.exact(entry.requested_at)
            st.markdown(_summary(entry), help=f"Sent {exact} · {escape_markdown(entry.connection_label)}")
            with st.container(horizontal=True):
                st.button("Open", key=f"open-{entry.id}", on_click=on_open, args=(entry.id,))
                st.button(
                    "Load into editor",
                    key=f"load-{entry.id}",
                    on_click=on_load,
                    args=(entry.id,),
                    help="Put this request back into the Test inference editor",
                )
                st.button(
                    "Delete",
                    key=f"delete-{entry.id}",
                    icon=":material/delete:",
                    on_click=on_delete,
                    args=(entry.id,),
                )
