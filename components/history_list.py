"""The History page's list of saved requests: one compact row per entry, with its actions (open, load into
the editor, re-run, star, pick for a diff, copy as Markdown, delete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components import relative_time, result_card
from components.safe_text import escape_markdown
from services.history import HistoryEntry

Action = Callable[[int], None]


@dataclass(frozen=True)
class RowActions:
    """What each row's buttons call, with the entry id."""

    open: Action
    load: Action
    rerun: Action
    star: Action
    compare: Action
    markdown: Action
    delete: Action


def _summary(entry: HistoryEntry) -> str:
    name = entry.request.target
    when = relative_time.describe(entry.requested_at)
    # No-break spaces: a narrow row wrapped "123 / ms" (the number and its unit on two lines).
    took = "—" if entry.execution_ms is None else f"{entry.execution_ms:,.0f}\u00a0ms"
    kind = " · streamed" if entry.stream else ""
    star = ":orange[:material/star:] " if entry.starred else ""
    return (
        f"{star}{result_card.badge(entry.status)} **{escape_markdown(name)}** :gray[· {when} · {took}{kind}]"
    )


# Seven actions a row: smaller buttons keep a row to two lines of them.
_STYLE = """<style>
[class*="st-key-history-row-"] button {min-height: 2rem; padding: 0.1rem 0.55rem;}
[class*="st-key-history-row-"] button p {font-size: 0.85rem;}
</style>"""


def render(entries: list[HistoryEntry], actions: RowActions, *, compared: list[int]) -> None:
    """Draw the rows; `compared`: the ids picked for a diff (their Compare button is shown pressed)."""
    st.html(_STYLE)
    if not entries:
        st.caption("No saved requests match. Every request sent from Test inference is saved here.")
        return
    for entry in entries:
        with st.container(border=True, key=f"history-row-{entry.id}"):
            exact = relative_time.exact(entry.requested_at)
            st.markdown(_summary(entry), help=f"Sent {exact} · {escape_markdown(entry.connection_label)}")
            with st.container(horizontal=True):
                st.button("Open", key=f"open-{entry.id}", on_click=actions.open, args=(entry.id,))
                st.button(
                    "Load into editor",
                    key=f"load-{entry.id}",
                    on_click=actions.load,
                    args=(entry.id,),
                    help="Put this request back into the Test inference editor",
                )
                st.button(
                    "Re-run",
                    key=f"rerun-{entry.id}",
                    icon=":material/replay:",
                    on_click=actions.rerun,
                    args=(entry.id,),
                    help="Send this request again now, with the current connection; the result is saved too",
                )
                st.button(
                    "Starred" if entry.starred else "Star",
                    key=f"star-{entry.id}",
                    icon=":material/star:" if entry.starred else ":material/star_border:",
                    on_click=actions.star,
                    args=(entry.id,),
                )
                picked = entry.id in compared
                st.button(
                    "Compare",
                    key=f"compare-{entry.id}",
                    icon=":material/check_box:" if picked else ":material/check_box_outline_blank:",
                    type="primary" if picked else "secondary",
                    on_click=actions.compare,
                    args=(entry.id,),
                    help="Pick two entries to see what differs between their outputs",
                )
                st.button(
                    "Markdown",
                    key=f"markdown-{entry.id}",
                    icon=":material/content_copy:",
                    on_click=actions.markdown,
                    args=(entry.id,),
                    help="Copy this result as Markdown, for a report",
                )
                st.button(
                    "Delete",
                    key=f"delete-{entry.id}",
                    icon=":material/delete:",
                    on_click=actions.delete,
                    args=(entry.id,),
                )
