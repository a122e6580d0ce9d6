"""A conversation's messages, as every chat format starts from them. Pure."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    role: str  # system, user or assistant
    content: str


def conversation_messages(system: str, turns: list[tuple[str, str | None]]) -> list[Message]:
    """The messages for the next request: the system prompt (when not blank), then each (user, answer) turn;
    a turn whose answer is None is the one being asked now, and ends the list."""
    messages = [Message("system", system)] if system.strip() else []
    for user, answer in turns:
        messages.append(Message("user", user))
        if answer is None:
            break
        messages.append(Message("assistant", answer))
    return messages
