"""Chat conversations kept in the history file: save (each time a turn ends), list, reopen, rename, delete;
and the first prompts a presenter prepared per endpoint.

One row per conversation, its turns as a JSON document: what was asked, the exact request body, the answer
as it came, how it ended and its figures. A table of its own beside `invocations` (created if missing), so a
history file written before it existed keeps working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.chat_conversation import Conversation, Turn
from services.chat_formats import ChatFormat, ChatSettings
from services.errors import ServiceError
from services.history import History
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    target TEXT NOT NULL,
    connection_label TEXT NOT NULL,
    renamed INTEGER NOT NULL DEFAULT 0,
    turns INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    document TEXT NOT NULL
)
"""


_SUGGESTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_suggestions (
    target TEXT PRIMARY KEY,
    prompts TEXT NOT NULL
)
"""
MAX_SUGGESTIONS = 6


@dataclass(frozen=True)
class SavedConversation:
    id: str
    title: str
    target: str
    connection_label: str
    turns: int
    updated_at: datetime


class ConversationStore:
    """Thread-safe: every call opens its own connection (saves come from the invoker's reader thread)."""

    def __init__(self, history: History) -> None:
        self._history = history
        with history.connection() as conn:
            conn.execute(_SCHEMA)
            conn.execute(_SUGGESTIONS_SCHEMA)

    def suggestions(self, target: str) -> list[str]:
        """The first prompts a presenter prepared for this target (endpoint, or "endpoint / component")."""
        with self._history.connection() as conn:
            row = conn.execute("SELECT prompts FROM chat_suggestions WHERE target = ?", (target,)).fetchone()
        if row is None:
            return []
        try:
            prompts = json.loads(row["prompts"])
        except ValueError:
            return []
        return [p for p in prompts if isinstance(p, str)] if isinstance(prompts, list) else []

    def set_suggestions(self, target: str, prompts: list[str]) -> None:
        """Keep these prompts for the target (blank ones dropped, at most MAX_SUGGESTIONS); none: forget."""
        kept = [p.strip()[:500] for p in prompts if p.strip()][:MAX_SUGGESTIONS]
        with self._history.connection() as conn:
            if kept:
                conn.execute(
                    "INSERT INTO chat_suggestions (target, prompts) VALUES (?, ?)"
                    " ON CONFLICT(target) DO UPDATE SET prompts = excluded.prompts",
                    (target, json.dumps(kept, ensure_ascii=False)),
                )
            else:
                conn.execute("DELETE FROM chat_suggestions WHERE target = ?", (target,))

    def save(self, conversation: Conversation) -> None:
        """Insert or replace the conversation as it is now (finished turns only keep their results)."""
        with conversation.lock:
            document = _document(conversation)
            title, turns = conversation.display_title(), len(conversation.turns)
        now = datetime.now(UTC).isoformat()
        with self._history.connection() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, target, connection_label, turns, created_at,"
                " updated_at, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                " title = CASE WHEN renamed THEN title ELSE excluded.title END, turns = excluded.turns,"
                " updated_at = excluded.updated_at, document = excluded.document",
                (
                    conversation.id,
                    title,
                    conversation.target,
                    conversation.connection_label,
                    turns,
                    conversation.created_at.isoformat(),
                    now,
                    json.dumps(document, ensure_ascii=False),
                ),
            )

    def list(self, limit: int = 50) -> list[SavedConversation]:
        with self._history.connection() as conn:
            rows = conn.execute(
                "SELECT id, title, target, connection_label, turns, updated_at FROM conversations"
                " ORDER BY updated_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            SavedConversation(
                r["id"], r["title"], r["target"], r["connection_label"], r["turns"], _moment(r["updated_at"])
            )
            for r in rows
        ]

    def load(self, conversation_id: str) -> Conversation | None:
        with self._history.connection() as conn:
            row = conn.execute(
                "SELECT title, renamed, document FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        if row is None:
            return None
        try:
            conversation = _conversation(json.loads(row["document"]))
        except (ValueError, KeyError, TypeError):
            return None  # a document this version cannot read: listed, not opened
        if row["renamed"]:
            conversation.title = row["title"]
        return conversation

    def rename(self, conversation_id: str, title: str) -> None:
        with self._history.connection() as conn:
            conn.execute(
                "UPDATE conversations SET title = ?, renamed = 1 WHERE id = ?",
                (title.strip()[:200], conversation_id),
            )

    def delete(self, conversation_id: str) -> None:
        with self._history.connection() as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _document(conversation: Conversation) -> dict[str, Any]:
    settings = conversation.settings
    return {
        "id": conversation.id,
        "title": conversation.title,
        "endpoint": conversation.endpoint,
        "component": conversation.component,
        "connection_label": conversation.connection_label,
        "format": conversation.format.value,
        "template": conversation.template,
        "system": conversation.system,
        "settings": {
            "max_new_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "stop": list(settings.stop),
        },
        "created_at": conversation.created_at.isoformat(),
        "turns": [_turn(turn) for turn in conversation.turns if turn.result is not None],
    }


def _turn(turn: Turn) -> dict[str, Any]:
    result = turn.result
    assert result is not None
    stats = result.stream
    return {
        "user": turn.user,
        "request_body": turn.request.body.decode("utf-8", "replace"),
        "max_new_tokens": turn.max_new_tokens,
        "answer": result.text,
        "status": result.status.value,
        "requested_at": result.requested_at.isoformat(),
        "execution_ms": result.execution_ms,
        "error": result.error.message if result.error is not None else None,
        "ttft_ms": stats.time_to_first_token_ms if stats else None,
        "tokens": stats.token_count if stats else 0,
        "finish_reason": stats.finish_reason if stats else None,
        "format": stats.format if stats else "text",
    }


def _conversation(document: dict[str, Any]) -> Conversation:
    settings = document["settings"]
    conversation = Conversation(
        endpoint=document["endpoint"],
        component=document["component"],
        connection_label=document["connection_label"],
        format=ChatFormat(document["format"]),
        template=document["template"],
        system=document["system"],
        settings=ChatSettings(
            int(settings["max_new_tokens"]),
            float(settings["temperature"]),
            float(settings["top_p"]),
            tuple(settings["stop"]),
        ),
        id=document["id"],
        title=document["title"],
        created_at=datetime.fromisoformat(document["created_at"]),
    )
    for saved in document["turns"]:
        request = InvocationRequest(
            endpoint_name=conversation.endpoint,
            body=saved["request_body"].encode("utf-8"),
            inference_component_name=conversation.component,
        )
        stats = StreamStats(
            format=saved["format"],
            time_to_first_token_ms=saved["ttft_ms"],
            token_count=saved["tokens"],
            finish_reason=saved["finish_reason"],
        )
        error = ServiceError(saved["error"]) if saved["error"] else None
        result = InvocationResult(
            request,
            Status(saved["status"]),
            datetime.fromisoformat(saved["requested_at"]),
            execution_ms=saved["execution_ms"],
            error=error,
            stream=stats,
            text=saved["answer"],
        )
        conversation.turns.append(Turn(saved["user"], request, saved["max_new_tokens"], result=result))
    return conversation
