"""Checks and formatting for the JSON request body the user edits. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.errors import InvalidRequestError

# json's terse messages, in plain words
_PLAIN = {
    "Expecting value": "Expected a value (a string, number, object, array, true, false or null)",
    "Extra data": "Unexpected text after the end of the JSON value",
    "Expecting property name enclosed in double quotes": "Expected a property name in double quotes",
    "Expecting ',' delimiter": "Expected a comma",
    "Expecting ':' delimiter": "Expected a colon after the property name",
    "Unterminated string starting at": "This string is not closed with a double quote",
    "Invalid control character at": "A string contains a raw control character (write a newline as \\n)",
    "Invalid \\escape": "Invalid escape sequence in a string",
}


@dataclass(frozen=True)
class JsonProblem:
    """Where and why a body is not JSON; line and column are 1-based."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


def check_json(text: str) -> JsonProblem | None:
    """None when ``text`` is one JSON value (surrounding whitespace allowed), else the first problem."""
    if not text.strip():
        return JsonProblem(1, 1, "The body is empty: write a JSON value")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonProblem(exc.lineno, exc.colno, _plain(exc.msg))
    return None


def format_json(text: str) -> str:
    """The same JSON with a 2-space indent, key order and non-ASCII characters kept.

    Raises InvalidRequestError (with line and column) when ``text`` is not JSON.
    """
    problem = check_json(text)
    if problem is not None:
        raise InvalidRequestError(str(problem), "Fix the JSON before formatting it.", "InvalidJson")
    return json.dumps(json.loads(text), indent=2, ensure_ascii=False)


def _plain(message: str) -> str:
    for prefix, plain in _PLAIN.items():
        if message.startswith(prefix):
            return plain
    return message
