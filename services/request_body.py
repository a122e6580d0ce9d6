"""Checks and formatting for the request body the user edits. Pure; nothing here raises for any text.

The editor can hold text that is not JSON, JSON Python cannot read (nested 100,000 deep), JSON with an
integer of 5,000 digits (valid, and sent as written), and characters UTF-8 cannot encode: each gets a
problem with its line and column, and a body with a problem is never sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.errors import InvalidRequestError
from services.foreign_text import escape_in_json, first_lone_surrogate

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
    not_json: bool = True  # False: the text is not sendable at all (UTF-8 cannot encode it)

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


def check_text(text: str) -> JsonProblem | None:
    """None when ``text`` can be sent (encoded as UTF-8), else where it cannot: a lone surrogate."""
    index = first_lone_surrogate(text)
    if index is None:
        return None
    line, column = _position(text, index)
    return JsonProblem(
        line,
        column,
        f"The character U+{ord(text[index]):04X} (half of a surrogate pair) cannot be sent as UTF-8: "
        "remove it, or write it as an escape inside a JSON string",
        not_json=False,
    )


def check_json(text: str) -> JsonProblem | None:
    """None when ``text`` is one JSON value (surrounding whitespace allowed) that can be sent, else the
    first problem. Never raises, whatever the text."""
    if not text.strip():
        return JsonProblem(1, 1, "The body is empty: write a JSON value")
    problem = check_text(text)
    if problem is not None:
        return problem
    try:
        _parse(text)
    except json.JSONDecodeError as exc:
        return JsonProblem(exc.lineno, exc.colno, _plain(exc.msg))
    except RecursionError:
        depth, index = _deepest(text)
        line, column = _position(text, index)
        return JsonProblem(line, column, f"Nested {depth:,} levels deep: more than this app can check")
    return None


def parse_json(text: str) -> Any:
    """The JSON value of ``text``, or NOT_JSON for anything else (never raises). Integers longer than
    Python converts (4,300 digits) come back as their digits, in a str."""
    try:
        return _parse(text)
    except (ValueError, RecursionError):
        return NOT_JSON


NOT_JSON: Any = object()


def format_json(text: str) -> str:
    """The same JSON with a 2-space indent, key order and non-ASCII characters kept (a lone surrogate stays
    the escape it was written as).

    Raises InvalidRequestError (with line and column) when ``text`` is not JSON, or cannot be laid out.
    """
    problem = check_json(text)
    if problem is not None:
        raise InvalidRequestError(str(problem), "Fix the JSON before formatting it.", "InvalidJson")
    try:
        return escape_in_json(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    except (ValueError, RecursionError) as exc:  # an integer of over 4,300 digits, a value nested very deep
        raise InvalidRequestError(
            f"Format cannot lay this JSON out ({exc}). It is left as it is, and can be sent as it is.",
            "",
            "CannotFormat",
        ) from exc


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer over Python's int-string limit: valid JSON, so keep its digits
        return json.loads(text, parse_int=str)


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _deepest(text: str) -> tuple[int, int]:
    """The greatest nesting of arrays and objects in ``text`` and the index of the bracket that first
    reaches it (strings skipped). Only called for text the parser could not follow."""
    depth = deepest = at = 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, index
        elif char in "]}":
            depth -= 1
    return deepest, at


def _plain(message: str) -> str:
    for prefix, plain in _PLAIN.items():
        if message.startswith(prefix):
            return plain
    return message
