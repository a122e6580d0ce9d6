"""A chat conversation: its target, settings and turns, each turn's request and how its answer ended. Pure.

A turn's answer is written by the request itself when it ends (the invoker's `on_end`, in its reader thread),
whatever the page does; the page only reads. Exported as Markdown for a report.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.chat_formats import ChatFormat, ChatSettings, told_by_answer
from services.chat_messages import Message, conversation_messages
from services.invoker import OnEnd, RemoteInvocation
from services.results import InvocationRequest, InvocationResult, Status, StreamStats, target_label

FINISH_WORDS = {
    "stop": "stop",
    "length": "length (max new tokens)",
    "error": "error",
    "stopped": "stopped by you",
}


@dataclass
class Turn:
    """One question and its answer. `invocation` is set while it runs in this app process."""

    user: str
    request: InvocationRequest
    max_new_tokens: int
    invocation: RemoteInvocation | None = None
    result: InvocationResult | None = None
    started: float = field(default_factory=time.monotonic)  # the request's start, on this process's clock
    #: the format it went in when the target's was unknown (Automatic, nothing told): its answer tells
    learning_in: ChatFormat | None = None

    @property
    def outcome(self) -> InvocationResult | None:
        """How the request ended, once it has: `result` (written by its on_end, or read back from the store),
        else the invocation's own (the page may see the end a moment before on_end has run)."""
        if self.result is not None:
            return self.result
        return self.invocation.result if self.invocation is not None else None

    @property
    def running(self) -> bool:
        return self.invocation is not None and self.outcome is None

    @property
    def refused_for_format(self) -> bool:
        """Sent to learn the format and refused in words that name another: it goes again in that format
        (the page does it), and is never shown as a failed answer."""
        outcome = self.outcome
        if self.learning_in is None or outcome is None:
            return False
        told = told_by_answer(self.learning_in, outcome, "")
        return told is not None and told.resend

    @property
    def answer(self) -> str:
        """The answer's text so far (all of it once ended; a broken or stopped stream keeps what came)."""
        outcome = self.outcome
        if outcome is not None:
            return outcome.text
        return self.invocation.snapshot().text if self.invocation is not None else ""


@dataclass
class Conversation:
    endpoint: str
    component: str | None
    connection_label: str
    format: ChatFormat
    template: str
    system: str = ""
    settings: ChatSettings = field(default_factory=ChatSettings)
    turns: list[Turn] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    title: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def target(self) -> str:
        return target_label(self.endpoint, self.component)

    def is_with(self, endpoint: str, component: str | None, connection_label: str) -> bool:
        """Whether this is the conversation with that target, over that connection."""
        mine = (self.endpoint, self.component, self.connection_label)
        return mine == (endpoint, component, connection_label)

    @property
    def running(self) -> bool:
        return any(turn.running for turn in self.turns)

    def messages_for(self, user: str, upto: int | None = None) -> list[Message]:
        """The messages asking `user` after the first `upto` turns (all of them when None)."""
        kept = self.turns if upto is None else self.turns[:upto]
        return conversation_messages(self.system, [*((t.user, t.answer) for t in kept), (user, None)])

    def display_title(self) -> str:
        if self.title:
            return self.title
        first = (
            self.turns[0].user.strip().splitlines()[0] if self.turns and self.turns[0].user.strip() else ""
        )
        return (first[:60] + "…" if len(first) > 60 else first) or "New conversation"


def on_end(conversation: Conversation, turn: Turn, then: OnEnd | None = None) -> OnEnd:
    """The request's own end: the turn keeps its result (whatever the page does), then `then` (saving)."""

    def ended(result: InvocationResult) -> None:
        with conversation.lock:
            turn.result = result
        if then is not None:
            then(result)

    return ended


def finish_reason(turn: Turn) -> str | None:
    """Why the answer ended: stop, length, error or stopped; None while it runs. The stream's own word when
    it gave one; otherwise told from how the request ended and the tokens counted."""
    result = turn.outcome
    if result is None:
        return None
    if result.status is Status.STOPPED:
        return "stopped"
    if result.status is Status.FAILED:
        return "error"
    stats = result.stream
    if stats is not None and stats.finish_reason:
        return stats.finish_reason
    tokens = stats.token_count if stats is not None else 0
    return "length" if tokens >= turn.max_new_tokens else "stop"


def live_stats(turn: Turn) -> tuple[StreamStats | None, float | None]:
    """The figures to show now, and the total time (None while running: the newest token stands in)."""
    outcome = turn.outcome
    if outcome is not None:
        return outcome.stream, outcome.execution_ms
    if turn.invocation is None:
        return None, None
    return turn.invocation.snapshot().stats, None


def as_markdown(conversation: Conversation) -> str:
    """The conversation as a Markdown document (answers as the model wrote them, which is Markdown too)."""
    lines = [f"# {conversation.display_title()}", ""]
    lines.append(f"- Endpoint: `{conversation.target}` ({conversation.connection_label})")
    lines.append(f"- Format: {conversation.format.label}")
    lines.append(f"- Started: {conversation.created_at:%Y-%m-%d %H:%M UTC}")
    if conversation.system.strip():
        lines += ["", "## System", "", conversation.system.strip()]
    for number, turn in enumerate(conversation.turns, start=1):
        lines += [
            "",
            f"## User ({number})",
            "",
            turn.user.strip(),
            "",
            "## Assistant",
            "",
            turn.answer.strip(),
        ]
        reason = finish_reason(turn)
        stats, total = live_stats(turn)
        figures = []
        if stats is not None and stats.time_to_first_token_ms is not None:
            figures.append(f"time to first token {stats.time_to_first_token_ms:,.0f} ms")
        if total is not None:
            figures.append(f"total {total:,.0f} ms")
        if stats is not None:
            figures.append(f"{stats.token_count:,} tokens")
        if reason:
            figures.append(f"finish: {FINISH_WORDS.get(reason, reason)}")
        if figures:
            lines += ["", f"*{', '.join(figures)}*"]
    return "\n".join(lines) + "\n"
