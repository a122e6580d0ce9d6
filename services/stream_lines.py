"""The two lowest decoder layers: payload bytes -> text -> lines.

Both are incremental: each `decode()` takes the next piece and returns only what that piece completed,
keeping the unfinished tail for later; `flush()` ends the stream and returns the tail. Part boundaries may
fall anywhere, including inside a UTF-8 character or between the `\\r` and `\\n` of a line ending.
"""

from __future__ import annotations

import codecs

_utf_8_decode = codecs.utf_8_decode


class Utf8Decoder:
    """Bytes -> text. A character split across parts comes out whole with the part that completes it.

    Invalid bytes become U+FFFD instead of raising (a stream must never die on one bad byte). A byte-order
    mark at the very start is dropped, so it cannot hide a `data:` or `{` from format detection.
    """

    def __init__(self) -> None:
        # Not the "utf-8-sig" codec: its incremental decoder silently drops a stream's last bytes when they
        # are b"\xef" or b"\xef\xbb" (a possible BOM start), even when told the input is final. Not codecs'
        # incremental "utf-8" decoder either: it wraps this same C function in two Python calls per part.
        self._pending = b""  # the start of a character whose other bytes are in the next part (<= 3 bytes)
        self._at_start = True

    def decode(self, data: bytes) -> str:
        """The text completed by `data` (possibly empty)."""
        if self._pending:
            data = self._pending + data
        text, used = _utf_8_decode(data, "replace", False)
        self._pending = data[used:] if used != len(data) else b""
        return self._drop_bom(text) if self._at_start else text

    def flush(self) -> str:
        """End of stream: an incomplete trailing character becomes U+FFFD."""
        text = _utf_8_decode(self._pending, "replace", True)[0]
        self._pending = b""
        return self._drop_bom(text)

    def _drop_bom(self, text: str) -> str:
        if self._at_start and text:
            self._at_start = False
            if text[0] == "\ufeff":
                return text[1:]
        return text


class TextPieces:
    """Text that arrives in many small pieces and is wanted whole once: appending is O(1), `take()` is
    O(length), and memory stays near the text's own size even when every piece is one character (a list of
    one-character strings costs ~60 bytes per character, so runs of pieces are packed as they accumulate)."""

    __slots__ = ("_packed", "_pieces")
    _RUN = 256  # pieces packed into one string at a time: each character is copied at most twice overall

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._packed = 0  # how many entries at the front of _pieces are packed runs

    def __bool__(self) -> bool:
        return bool(self._pieces)

    def append(self, text: str) -> None:
        pieces = self._pieces
        pieces.append(text)
        if len(pieces) - self._packed > self._RUN:
            pieces[self._packed :] = ["".join(pieces[self._packed :])]
            self._packed += 1

    def take(self) -> str:
        """The whole text; the buffer is then empty."""
        text = "".join(self._pieces)
        self._pieces = []
        self._packed = 0
        return text


class LineDecoder:
    """Text -> lines, split on `\\n`, `\\r\\n` and `\\r` only (never on U+2028 and the other characters
    `str.splitlines` treats as line ends, which may appear raw inside JSON strings).

    Only new text is searched for line ends; the unfinished line is kept as pieces joined once when its end
    arrives, so one-byte parts cost linear time and memory grows with the longest line only.
    """

    def __init__(self) -> None:
        self._tail = TextPieces()
        # The previous piece ended in "\r": a "\n" starting the next piece is the rest of that "\r\n".
        self._after_cr = False

    def decode(self, text: str) -> list[str]:
        """The lines `text` completed, without their line ends (possibly none)."""
        if not text:
            return []
        if self._after_cr:
            self._after_cr = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        if "\r" in text:
            # A "\r" ends a line whatever follows, so a trailing one is emitted now; only remember it.
            self._after_cr = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        last = lines.pop()
        if not lines:
            self._tail.append(last)
            return []
        if self._tail:
            self._tail.append(lines[0])
            lines[0] = self._tail.take()
        if last:
            self._tail.append(last)
        return lines

    def flush(self) -> list[str]:
        """End of stream: the last line if it had no line end."""
        self._after_cr = False
        return [self._tail.take()] if self._tail else []
