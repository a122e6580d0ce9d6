"""The conversation's turns: each message, each answer (live while it runs) and the buttons under it.

Every element drawn costs every run, and a long conversation is drawn whole on each one: what is only
looked at now and then (an answer to copy, a turn's request and boto3 code, a message to edit) opens in a
dialog drawn only when asked for. A turn then costs a handful of elements, whatever its size, and the
request bodies (each carrying the whole conversation so far) are not re-sent with every run. Only the
last RECENT_TURNS turns are drawn unless the user opens the earlier ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from components import chat_answer, code_example, live_follow, service_cache
from components.card_stack import FIRST_NEWS_S
from components.chat_markdown import safe_markdown
from services.chat_conversation import Conversation, Turn
from services.connection import Connection

#: turns drawn by default; earlier ones behind an expander drawn only while open. A run draws ~12 elements a
#: turn and the browser renders them all again: at 50 turns that put ~200 ms before a new answer's first
#: token (bench_ui_chat 9c); with a window, a long conversation answers as fast as a short one.
RECENT_TURNS = 6


@st.dialog("Edit your message", width="large")
def _edit(turn: Turn, index: int, on_resend: Callable[[int], None]) -> None:
    st.text_area("Your message", value=turn.user, key=f"chat-edit-{index}", height=160)
    st.caption("Sending it drops this turn's answer and every turn after it.")
    st.button("Resend", key=f"chat-resend-{index}", on_click=on_resend, args=(index,), type="primary")


@st.dialog("The answer, as the model wrote it", width="large")
def _copy(turn: Turn) -> None:
    st.caption("The copy button is at the top right of the box.")
    st.code(turn.answer, language="markdown", wrap_lines=True)


@st.dialog("The request for this answer", width="large")
def _request(turn: Turn, index: int, connection: Connection) -> None:
    st.caption("The exact body sent (it carries the conversation up to this turn)")
    # Sent as written here (services.chat_formats.body_bytes lays it out); shown byte for byte.
    st.code(turn.request.body.decode("utf-8", "replace"), language="json", wrap_lines=True)
    st.caption("The boto3 code that sends it, and the AWS CLI command")
    code_example.render(turn.request, stream=True, connection=connection, key=f"chat-sdk-{index}")


def _grace(turn: Turn) -> None:
    """An answer asked for by this very run gets FIRST_NEWS_S to start before it is drawn: its first words
    then come with it, instead of one follow step later (card_stack does the same for a card)."""
    left = FIRST_NEWS_S - (time.monotonic() - turn.started)
    if left > 0 and turn.invocation is not None:
        service_cache.invoker().wait_for_news({turn.invocation: 0}, left)


def _user(turn: Turn, index: int, *, editable: bool, on_resend: Callable[[int], None]) -> None:
    with st.chat_message("user"):
        st.markdown(safe_markdown(turn.user))
        if editable and st.button(
            "Edit", key=f"chat-edit-button-{index}", icon=":material/edit:", type="tertiary"
        ):
            _edit(turn, index, on_resend)


def _answer(
    turn: Turn,
    index: int,
    *,
    last: bool,
    presenting: bool,
    connection: Connection,
    on_regenerate: Callable[[], None],
) -> chat_answer.LiveAnswer | None:
    with st.chat_message("assistant"):
        slots = chat_answer.AnswerSlots(st.container(key=f"chat-answer-{index}"))
        if turn.running:
            _grace(turn)
            live = chat_answer.LiveAnswer(turn, slots, presenting=presenting)
            chat_answer.stop_button(turn, key=f"chat-stop-{index}")
            return live
        chat_answer.draw_answer(slots, turn, presenting=presenting)
        if turn.refused_for_format:
            return None  # it goes again in the format its refusal asked for: no buttons for this try
        with st.container(horizontal=True, key=f"chat-actions-{index}"):
            if st.button("Copy", key=f"chat-copy-{index}", icon=":material/content_copy:", type="tertiary"):
                _copy(turn)
            if last:
                st.button(
                    "Regenerate",
                    key=f"chat-regenerate-{index}",
                    icon=":material/refresh:",
                    type="tertiary",
                    on_click=on_regenerate,
                )
            if not presenting and st.button(
                "Show request", key=f"chat-request-{index}", icon=":material/data_object:", type="tertiary"
            ):
                _request(turn, index, connection)
    return None


def render(
    conversation: Conversation,
    *,
    presenting: bool,
    connection: Connection,
    on_resend: Callable[[int], None],
    on_regenerate: Callable[[], None],
) -> list[live_follow.Followed]:
    """Draw every turn, oldest first; the running answers, for the page to follow."""
    live: list[live_follow.Followed] = []
    running = conversation.running
    turns = list(conversation.turns)
    first_shown = max(0, len(turns) - RECENT_TURNS)

    def draw(index: int) -> None:
        turn = turns[index]
        _user(turn, index, editable=not presenting and not running, on_resend=on_resend)
        answer = _answer(
            turn,
            index,
            last=index == len(turns) - 1 and not running,
            presenting=presenting,
            connection=connection,
            on_regenerate=on_regenerate,
        )
        if answer is not None:
            live.append(answer)

    with st.container(key="chat-turns"):
        if first_shown:
            earlier = st.expander(
                f"{first_shown} earlier turn{'s' if first_shown != 1 else ''}",
                icon=":material/history:",
                key="chat-earlier",
                on_change="rerun",
            )
            if earlier.open:
                with earlier:
                    for index in range(first_shown):
                        draw(index)
        # One box per turn, in order; the running answer's box is filled first, so its first words leave
        # the server ahead of the turns above it (the browser still shows the boxes in order).
        # Keyed: the browser's instant turn (components.chat_instant) hides a new one until it caught up.
        boxes = {index: st.container(key=f"chat-turn-{index}") for index in range(first_shown, len(turns))}
        order = sorted(boxes, key=lambda index: not turns[index].running)
        for index in order:
            with boxes[index]:
                draw(index)
    return live
