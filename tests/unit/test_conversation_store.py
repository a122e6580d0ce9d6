"""Conversations in the history file: saved as turns end, reopened whole, renamed, deleted, and a history
file from before the table existed still opens."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from services.chat_conversation import Conversation, Turn, finish_reason
from services.chat_formats import ChatFormat, ChatSettings
from services.conversation_store import ConversationStore
from services.errors import StreamError
from services.history import History
from services.results import InvocationRequest, InvocationResult, Status, StreamStats


def _turn(user: str, answer: str, status: Status = Status.SUCCESS, reason: str | None = "stop") -> Turn:
    request = InvocationRequest("demo-tgi-generator", b'{"messages": []}', inference_component_name=None)
    error = (
        StreamError("The model reported an error", partial_text=answer) if status is Status.FAILED else None
    )
    stats = StreamStats(format="openai", time_to_first_token_ms=12.5, token_count=7, finish_reason=reason)
    result = InvocationResult(
        request, status, datetime.now(UTC), execution_ms=80.0, stream=stats, text=answer, error=error
    )
    return Turn(user, request, max_new_tokens=64, result=result)


def _conversation() -> Conversation:
    conversation = Conversation(
        "demo-tgi-generator",
        None,
        "Local",
        ChatFormat.TGI,
        "chatml",
        system="Be brief.",
        settings=ChatSettings(64, 0.0, 0.9, ("###",)),
    )
    conversation.turns += [_turn("Hi <b>", "Hello **there**"), _turn("Fail?", "Part", Status.FAILED, "error")]
    return conversation


def test_a_conversation_comes_back_as_it_was_saved(tmp_path: Path):
    store = ConversationStore(History(tmp_path / "h.sqlite3"))
    saved = _conversation()
    store.save(saved)
    [listed] = store.list()
    assert (listed.title, listed.turns, listed.target) == ("Hi <b>", 2, "demo-tgi-generator")
    loaded = store.load(saved.id)
    assert loaded is not None
    assert (loaded.format, loaded.template, loaded.system, loaded.settings) == (
        ChatFormat.TGI,
        "chatml",
        "Be brief.",
        ChatSettings(64, 0.0, 0.9, ("###",)),
    )
    assert [(t.user, t.answer, finish_reason(t)) for t in loaded.turns] == [
        ("Hi <b>", "Hello **there**", "stop"),
        ("Fail?", "Part", "error"),
    ]
    assert loaded.turns[1].result.error.message == "The model reported an error"


def test_a_rename_survives_later_saves_and_delete_removes(tmp_path: Path):
    store = ConversationStore(History(tmp_path / "h.sqlite3"))
    conversation = _conversation()
    store.save(conversation)
    store.rename(conversation.id, "  Demo for the board  ")
    conversation.turns.append(_turn("More", "Sure"))
    store.save(conversation)  # a turn ended after the rename
    assert store.list()[0].title == "Demo for the board"
    assert store.load(conversation.id).title == "Demo for the board"
    store.delete(conversation.id)
    assert store.list() == [] and store.load(conversation.id) is None


def test_a_history_file_from_before_conversations_opens_and_keeps_its_rows(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    History(path)
    with sqlite3.connect(path) as conn:  # as the previous version left it: no conversations table
        conn.execute("DROP TABLE IF EXISTS conversations")
        conn.execute(
            "INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version)"
        )
    store = ConversationStore(History(path))
    assert store.list() == []
    store.save(_conversation())
    assert len(store.list()) == 1


def test_a_document_this_version_cannot_read_is_listed_not_opened(tmp_path: Path):
    history = History(tmp_path / "h.sqlite3")
    store = ConversationStore(history)
    conversation = _conversation()
    store.save(conversation)
    with history.connection() as conn:
        conn.execute("UPDATE conversations SET document = '{\"turns\": 3}'")
    assert len(store.list()) == 1 and store.load(conversation.id) is None


def test_suggested_prompts_are_kept_per_target_and_cleared_when_empty(tmp_path: Path):
    store = ConversationStore(History(tmp_path / "h.sqlite3"))
    store.set_suggestions("demo / ic-generator", ["  First?  ", "", "Second?"])
    assert store.suggestions("demo / ic-generator") == ["First?", "Second?"]
    assert store.suggestions("demo") == []
    again = ConversationStore(History(tmp_path / "h.sqlite3"))  # an app restart
    assert again.suggestions("demo / ic-generator") == ["First?", "Second?"]
    again.set_suggestions("demo / ic-generator", ["   "])
    assert again.suggestions("demo / ic-generator") == []
