"""Text that came from outside (a model, a server, the editor) made safe to pass on. Pure.

A str can hold code points UTF-8 cannot encode: lone surrogates (U+D800–U+DFFF), which JSON's ``\\ud800``
escapes produce and a browser's text can carry. Everything downstream refuses them: the protobuf messages
Streamlit sends, SQLite, ``str.encode("utf-8")``. So foreign text is scrubbed where it enters the app.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def first_lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in `text`, or None."""
    if text.isascii():
        return None
    match = _LONE_SURROGATE.search(text)
    return None if match is None else match.start()


def scrub(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (what a UTF-8 decoder shows for a bad byte)."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def escape_in_json(text: str) -> str:
    """JSON source text with each lone surrogate written back as its ``\\uXXXX`` escape: the same JSON
    value, in text that can be encoded (json.dumps with ensure_ascii=False writes them raw)."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
