"""Chat: a conversation with an LLM endpoint, its answers streaming in as they are generated.

What the user asked for (a message, a suggested prompt, Regenerate, an edited turn) is acted on at the very
start of the run, before anything is drawn, so the request leaves first; the run then draws the conversation
and ends by following the running answer (components.live_follow), then draws the message box.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components import chat_instant, chat_saved, chat_suggestions, chat_turns, live_follow, page_style
from components.chat_settings import (
    CONVERSATION_KEY as CHAT_KEY,
)
from components.chat_settings import (
    INPUT_KEY,
    PRESENT_KEY,
    ChatChoice,
    chat_choice,
    learn_from_answer,
    render_settings,
)
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.safe_text import escape_markdown
from components.service_cache import catalog_for, conversations, invoker
from services import live_feed
from services.chat_conversation import Conversation, Turn, as_markdown, on_end
from services.chat_formats import body_bytes, request_body
from services.connection import Connection
from services.errors import ServiceError
from services.results import InvocationRequest, InvocationResult

_ACTION = "_chat_action"
_NOTICE = "_chat_notice"  # why a message was not sent
_NOTE = "_chat_note"  # what the page did on its own (a message sent again in another format)
_log = logging.getLogger(__name__)


# -- what the user asked for, acted on first --------------------------------------------------------------


def _ask(text: str, upto: int | None = None, feed: str | None = None) -> None:
    st.session_state[_ACTION] = _Ask(text, upto, feed)


def _asked_in_box() -> None:
    text = st.session_state.get(INPUT_KEY)
    if isinstance(text, str) and text.strip():
        # The browser drew this message at Enter and reads its answer under this id (components.chat_instant).
        _ask(text, feed=chat_instant.feed_ids().claim())


def _regenerate() -> None:
    conversation = st.session_state.get(CHAT_KEY)
    if conversation is not None and conversation.turns:
        _ask(conversation.turns[-1].user, upto=len(conversation.turns) - 1)


def _resend(index: int) -> None:
    text = st.session_state.get(f"chat-edit-{index}")
    if isinstance(text, str) and text.strip():
        _ask(text, upto=index)


def _clear() -> None:
    st.session_state.pop(CHAT_KEY, None)


@dataclass
class _Ask:
    """A message to send, set by a callback. Marked `taken` by changing the object, not session state:
    a session-state write is a point where Streamlit may stop the run (request_actions.Click says why)."""

    text: str
    upto: int | None  # keep this many earlier turns (Regenerate, Resend); None: all of them
    feed: str | None = None  # the id its answer is published under, for the browser's instant turn
    taken: bool = False


def _learn() -> None:
    """A container nothing described tells its format by its answers: the refused first message goes again
    in the format its refusal asked for (chat_settings.learn_from_answer)."""
    conversation: Conversation | None = st.session_state.get(CHAT_KEY)
    action: _Ask | None = st.session_state.get(_ACTION)
    if conversation is None or not conversation.turns or (action is not None and not action.taken):
        return
    turn = conversation.turns[-1]
    outcome = turn.outcome
    if turn.invocation is None or outcome is None:  # running, or read back from the store
        return
    told = learn_from_answer(conversation.endpoint, conversation.component, conversation.format, outcome)
    if told is not None and told.resend and turn.refused_for_format:
        _ask(turn.user, upto=len(conversation.turns) - 1)
        st.session_state[_NOTE] = told.detection.reason


def _act(connection: Connection) -> None:
    _learn()
    action: _Ask | None = st.session_state.get(_ACTION)
    if action is None or action.taken:
        return
    ids = chat_instant.feed_ids()
    _take(action, connection)
    action.taken = True
    if action.feed is not None:
        ids.taken = action.feed


def _take(action: _Ask, connection: Connection) -> None:
    text, upto = action.text, action.upto
    try:
        choice = chat_choice(connection, catalog_for(connection))
    except ServiceError as error:
        st.session_state[_NOTICE] = f"{error.message} {error.hint}".strip()
        return
    if choice is None:
        st.session_state[_NOTICE] = "Choose an endpoint first."
        return
    if choice.blocked_reason or choice.problem:
        st.session_state[_NOTICE] = f"Not sent: {choice.blocked_reason or choice.problem}"
        return
    conversation = _conversation_for(choice, connection)
    if conversation.running:
        st.session_state[_NOTICE] = "An answer is still coming: wait for it, or Stop it first."
        return
    _start_turn(conversation, choice, connection, text, upto)
    if action.feed is not None and conversation.turns[-1].invocation is not None:
        live_feed.publish(action.feed, conversation.turns[-1].invocation)


def _conversation_for(choice: ChatChoice, connection: Connection) -> Conversation:
    """The conversation going on with this target; a new one when the target changed."""
    conversation: Conversation | None = st.session_state.get(CHAT_KEY)
    if conversation is None or not conversation.is_with(choice.endpoint, choice.component, connection.label):
        conversation = Conversation(
            choice.endpoint, choice.component, connection.label, choice.format, choice.template
        )
        st.session_state[CHAT_KEY] = conversation
    return conversation


def _start_turn(
    conversation: Conversation, choice: ChatChoice, connection: Connection, text: str, upto: int | None
) -> None:
    conversation.format, conversation.template = choice.format, choice.template
    conversation.system, conversation.settings = choice.system, choice.settings
    messages = conversation.messages_for(text, upto)
    body = request_body(choice.format, messages, choice.settings, choice.template)
    request = InvocationRequest(
        endpoint_name=choice.endpoint,
        body=body_bytes(body),
        content_type="application/json",
        inference_component_name=choice.component,
    )
    turn = Turn(user=text, request=request, max_new_tokens=choice.settings.max_new_tokens)
    turn.learning_in = choice.format if choice.learning else None
    with conversation.lock:
        if upto is not None:
            del conversation.turns[upto:]
        conversation.turns.append(turn)
    ended = on_end(conversation, turn, then=_saver(conversation))
    turn.invocation = invoker().start(connection, request, stream=True, on_end=ended)


def _saver(conversation: Conversation) -> Callable[[InvocationResult], None] | None:
    """Saves the conversation when a turn ends (in the invoker's thread); None when there is no store."""
    try:
        store = conversations()
    except (OSError, sqlite3.Error, RuntimeError):
        return None  # the conversation goes on; it is not saved

    def save(_: InvocationResult) -> None:
        try:
            store.save(conversation)
        except (OSError, sqlite3.Error) as error:
            _log.warning("A conversation could not be saved: %s", error)

    return save


# -- drawing ----------------------------------------------------------------------------------------------


def _notice() -> None:
    place = st.empty()  # always drawn: what follows keeps its position (chat_instant.slot needs it)
    notice = st.session_state.pop(_NOTICE, None)
    note = st.session_state.pop(_NOTE, None)
    if notice:
        place.error(escape_markdown(notice), icon=":material/error:")
    elif note:
        place.info(escape_markdown(note), icon=":material/swap_horiz:")


def _suggestions(choice: ChatChoice | None) -> None:
    if choice is not None and choice.detection.format is None:
        st.info(
            "SageMaker does not say which request format this endpoint's container takes: the first message "
            "goes to the Messages API, and the answer tells the rest. The Chat page is for LLM containers "
            "(TGI, LMI, vLLM, or anything that takes the Messages API); other models answer on the Test "
            "inference page.",
            icon=":material/info:",
        )
    if choice is not None:
        chat_suggestions.buttons(choice.target, _ask)


def _conversation(
    conversation: Conversation | None, choice: ChatChoice | None, *, presenting: bool, connection: Connection
) -> list[live_follow.Followed]:
    if conversation is None or not conversation.turns:
        with st.container(key="chat-empty"):
            _suggestions(choice)
        chat_instant.slot(chat_instant.feed_ids(), index=0, busy=False)
        return []
    live = chat_turns.render(
        conversation,
        presenting=presenting,
        connection=connection,
        on_resend=_resend,
        on_regenerate=_regenerate,
    )
    chat_instant.slot(chat_instant.feed_ids(), index=len(conversation.turns), busy=conversation.running)
    if not presenting:
        with st.container(key="chat-tools", horizontal=True):
            st.button("New conversation", key="chat-clear", icon=":material/add_comment:", on_click=_clear)
            st.download_button(
                "Export Markdown",
                as_markdown(conversation),
                file_name="conversation.md",
                mime="text/markdown",
                key="chat-export",
                icon=":material/download:",
                on_click="ignore",
            )
    return live


def _picked(connection: Connection) -> ChatChoice | None:
    """The endpoint and settings the page holds now (read once per run); None when none can be told."""
    try:
        return chat_choice(connection, catalog_for(connection))
    except ServiceError:
        return None  # the settings column says why


def _current(choice: ChatChoice | None, connection: Connection) -> Conversation | None:
    """The conversation with the endpoint now picked; None (a new one starts) after a switch to another. The
    one left behind was saved as its answers ended, and is under Saved conversations."""
    conversation: Conversation | None = st.session_state.get(CHAT_KEY)
    if conversation is None or choice is None:  # nothing picked can be told: keep what is on the page
        return conversation
    return conversation if conversation.is_with(choice.endpoint, choice.component, connection.label) else None


def main() -> None:
    page_style.apply()
    connection: Connection = st.session_state[CONNECTION_KEY]
    _act(connection)
    presenting = bool(st.session_state.get(PRESENT_KEY, False))
    title, switch = st.columns([4, 1], vertical_alignment="bottom")
    title.title("Chat", anchor=False)
    switch.toggle(
        "Presentation mode",
        key=PRESENT_KEY,
        help="Hide timings and requests: a clean conversation for a room.",
    )
    choice = _picked(connection)
    conversation = _current(choice, connection)
    if presenting:
        with st.container(key="chat-stage"):
            _notice()
            live = _conversation(conversation, choice, presenting=True, connection=connection)
    else:
        settings, talk = st.columns([3, 7], gap="large")
        with talk:  # first: the answer the user waits for leaves the server before the settings
            _notice()
            live = _conversation(conversation, choice, presenting=False, connection=connection)
        with settings:
            try:
                render_settings(connection, catalog_for(connection))
            except ServiceError as error:
                st.error(escape_markdown(error.message), icon=":material/key_off:")
                if error.hint:
                    st.caption(error.hint)  # our own words, in Markdown
            chat_saved.render(connection)
            if choice is not None:
                chat_suggestions.editor(choice.target)
    if conversation is not None and conversation.turns and conversation.turns[-1].refused_for_format:
        st.rerun()  # refused before it was followed: the next run sends it again (_learn)
    # A finished answer gets its buttons (Copy, Regenerate) from a run that draws it finished.
    live_follow.follow(live, invoker(), on_end=lambda _: st.rerun())
    target = choice.target if choice is not None else None
    st.chat_input(
        f"Message {target}…" if target else "Send a message…", key=INPUT_KEY, on_submit=_asked_in_box
    )


main()
