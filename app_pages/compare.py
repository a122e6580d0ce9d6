"""Compare: the Test inference request sent to two to four targets (endpoints, variants, inference
components) at once; their cards side by side, streaming in parallel, then their figures and outputs
compared.

The cards are the Test inference cards (components.live_card, components.result_card), followed by the same
loop (components.live_follow), and every result is saved to History as any card's is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import streamlit as st

from components import (
    card_stack,
    compare_diff,
    compare_entry,
    compare_targets,
    live_follow,
    page_style,
    session_cards,
)
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.safe_text import escape_markdown
from components.service_cache import catalog_for, history, invoker
from services.comparison import Target, check_targets, request_for, rows
from services.connection import Connection
from services.errors import ServiceError
from services.history import History

_RUN = "_compare-run"


@dataclass
class ComparisonRun:
    targets: list[Target]
    cards: list[session_cards.Card]

    @property
    def finished(self) -> bool:
        return all(card.result is not None for card in self.cards)


def _history_or_none() -> History | None:
    try:
        return history()
    except (OSError, sqlite3.Error, RuntimeError):
        return None


def _send(connection: Connection, targets: list[Target]) -> None:
    handed = compare_entry.current()
    if handed is None:
        return
    store = _history_or_none()
    cards = [
        session_cards.begin(
            invoker(), connection, request_for(handed.request, t), stream=handed.stream, history=store
        )
        for t in targets
    ]
    st.session_state[_RUN] = ComparisonRun(list(targets), cards)


def _request_summary(handed: compare_entry.HandedRequest) -> None:
    request = handed.request
    title = f"The request: {len(request.body):,} bytes of {escape_markdown(request.content_type)}, " + (
        "streamed" if handed.stream else "not streamed"
    )
    with st.expander(
        title,
        icon=":material/data_object:",
    ):
        st.code(request.body[:20_000].decode("utf-8", "replace"), language=None, wrap_lines=True)
        if len(request.body) > 20_000:
            st.caption("Showing the first 20,000 bytes.")
        st.page_link("app_pages/inference.py", label="Edit it on Test inference", icon=":material/edit:")


def _cards(run: ComparisonRun) -> list[live_follow.Followed]:
    live: list[live_follow.Followed] = []
    for column, target, card in zip(st.columns(len(run.cards)), run.targets, run.cards, strict=True):
        with column:
            st.markdown(f"**{escape_markdown(target.label)}**")
            running = card_stack.draw(card)  # as on Test inference
            if running is not None:
                live.append(running)
    return live


def _figures(run: ComparisonRun) -> None:
    table = rows(run.targets, [card.result for card in run.cards])
    st.dataframe(
        [
            {
                "Target": row.label,
                "Status": row.status,
                "Execution Length (ms)": None if row.execution_ms is None else round(row.execution_ms, 1),
                "vs first": None if row.vs_first is None else f"{row.vs_first:.2f}×",
                "Time to first token (ms)": None if row.ttft_ms is None else round(row.ttft_ms, 1),
                "Tokens/s": None if row.tokens_per_s is None else round(row.tokens_per_s, 1),
                "Output bytes": row.output_bytes,
                "Invoked variant": row.invoked_variant or "",
                "Fastest": "✓" if row.fastest else "",
            }
            for row in table
        ],
        hide_index=True,
    )


def main() -> None:
    page_style.apply()
    connection: Connection = st.session_state[CONNECTION_KEY]
    st.title("Compare", anchor=False)
    st.caption(
        "The same request to two to four endpoints, variants or inference components at once: their "
        "answers side by side, with Execution Length and time to first token compared and the outputs "
        "diffed."
    )
    handed = compare_entry.current()
    if handed is None:
        st.info("Open a request here from Test inference: **Compare targets**, under Send Request.")
        st.page_link("app_pages/inference.py", label="Test inference", icon=":material/play_circle:")
        return
    _request_summary(handed)
    try:
        catalog = catalog_for(connection)
    except ServiceError as error:
        st.error(escape_markdown(error.message), icon=":material/key_off:")
        return
    targets = compare_targets.render(catalog, handed.request)
    problem = check_targets(targets)
    st.button(
        "Send to all",
        key="compare-send",
        type="primary",
        icon=":material/send:",
        disabled=problem is not None,
        help=escape_markdown(problem or "Send the request to every target at once"),
        on_click=_send,
        args=(connection, targets),
    )
    run: ComparisonRun | None = st.session_state.get(_RUN)
    if run is None:
        return
    live = _cards(run)
    _figures(run)
    if run.finished:
        compare_diff.render(run.targets, [card.result for card in run.cards])
    # Once every card has ended, one more run draws the figures and the diffs whole.
    live_follow.follow(live, invoker(), on_end=lambda _: st.rerun() if run.finished else None)


main()
