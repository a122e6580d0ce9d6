"""What differs between two outputs: a key-by-key diff when both are JSON, a line diff when both are text,
and sizes and the first differing byte otherwise. Pure: bytes in, a Diff out; no I/O, no Streamlit.

    diff = diff_outputs(a_body, a_content_type, b_body, b_content_type)
    diff.kind        # "json" | "text" | "binary"
    diff.same        # nothing differs
    diff.changes     # json: JsonChange(path, op, old, new), e.g. ("$.labels[0].score", "changed", 0.9, 0.8)
    diff.lines       # text: unified diff lines ("--- A", "+++ B", "@@ ...", "-old", "+new", " context")
    diff.summary     # one line for a person: "2 keys changed, 1 added"

Built to take anything a model can answer: outputs over MAX_COMPARED_BYTES are compared on their first
bytes (``truncated``), JSON nested deeper than MAX_DEPTH is compared as whole values below that depth,
invalid UTF-8 is binary, and at most MAX_CHANGES changes / MAX_LINES diff lines are listed (``omitted``
counts the rest).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

MAX_COMPARED_BYTES = 1024 * 1024
MAX_COMPARED_LINES = 5_000  # per side; difflib's cost grows with lines x lines
MAX_LINE_CHARS = 2_000  # a longer line is shown cut (its change still counts)
MAX_DEPTH = 64
MAX_CHANGES = 500
MAX_LINES = 2_000
MAX_VALUE_CHARS = 200  # a changed JSON value is kept as this much of its text

DiffKind = Literal["json", "text", "binary"]
ChangeOp = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class JsonChange:
    """One difference at a JSON path: `old`/`new` are the values' JSON text (cut), "" when absent."""

    path: str
    op: ChangeOp
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class Diff:
    kind: DiffKind
    same: bool
    changes: tuple[JsonChange, ...] = ()
    lines: tuple[str, ...] = ()
    omitted: int = 0  # changes or lines not listed
    truncated: bool = False  # an output was longer than MAX_COMPARED_BYTES: only its start was compared
    sizes: tuple[int, int] = (0, 0)
    first_difference: int | None = None  # binary: the offset of the first differing byte
    counts: dict[str, int] = field(default_factory=dict)  # json: op -> number; text: "added"/"removed" lines

    @property
    def summary(self) -> str:
        if self.same:
            return "Identical outputs" + (" (first MiB compared)" if self.truncated else "")
        if self.kind == "binary":
            where = "" if self.first_difference is None else f", first at byte {self.first_difference:,}"
            return f"Binary outputs differ ({self.sizes[0]:,} vs {self.sizes[1]:,} bytes{where})"
        if self.kind == "json":
            noun = {"changed": "changed", "added": "added", "removed": "removed"}
            parts = [
                f"{self.counts[op]} {noun[op]}"
                for op in ("changed", "added", "removed")
                if self.counts.get(op)
            ]
            return "JSON: " + ", ".join(parts) + " (by key)"
        return f"Text: {self.counts.get('removed', 0)} lines removed, {self.counts.get('added', 0)} added"


def diff_outputs(a: bytes, a_type: str | None, b: bytes, b_type: str | None) -> Diff:
    """Compare output A with output B (bodies and their content types, None when unknown)."""
    sizes = (len(a), len(b))
    truncated = max(sizes) > MAX_COMPARED_BYTES
    a, b = a[:MAX_COMPARED_BYTES], b[:MAX_COMPARED_BYTES]
    a_text, b_text = _text(a, truncated), _text(b, truncated)
    if a_text is None or b_text is None:
        return _binary(a, b, sizes, truncated)
    if not truncated:
        a_json, b_json = _json(a_text, a_type), _json(b_text, b_type)
        if a_json is not _NOT_JSON and b_json is not _NOT_JSON:
            return _json_diff(a_json, b_json, sizes)
    return _text_diff(a_text, b_text, sizes, truncated)


def diff_texts(a: str, b: str) -> Diff:
    """A line diff of two texts (a streamed answer, a chat turn)."""
    return diff_outputs(a.encode("utf-8"), "text/plain", b.encode("utf-8"), "text/plain")


_NOT_JSON: Any = object()


def _text(data: bytes, truncated: bool) -> str | None:
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # The cut at MAX_COMPARED_BYTES may split a character: a valid start is still text.
        if truncated and error.start >= len(data) - 3:
            return data[: error.start].decode("utf-8")
        return None


def _json(text: str, content_type: str | None) -> Any:
    stripped = text.strip()
    looks_like = stripped[:1] in ("{", "[") or "json" in (content_type or "").lower()
    if not looks_like or not stripped:
        return _NOT_JSON
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _binary(a: bytes, b: bytes, sizes: tuple[int, int], truncated: bool) -> Diff:
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if first is None and len(a) != len(b):
        first = min(len(a), len(b))
    return Diff(
        "binary",
        same=first is None and sizes[0] == sizes[1],
        sizes=sizes,
        truncated=truncated,
        first_difference=first,
    )


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (ValueError, RecursionError):
        text = "…"
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except RecursionError:
        return False


def _key_path(path: str, key: str) -> str:
    simple = key.isidentifier()
    return f"{path}.{key}" if simple else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _json_diff(a: Any, b: Any, sizes: tuple[int, int]) -> Diff:
    changes: list[JsonChange] = []
    counts = {"changed": 0, "added": 0, "removed": 0}

    def add(change: JsonChange) -> None:
        counts[change.op] += 1
        if len(changes) < MAX_CHANGES:
            changes.append(change)

    # An explicit stack, not recursion: a deeply nested answer must not exhaust Python's stack.
    stack: list[tuple[str, Any, Any, int]] = [("$", a, b, 0)]
    while stack:
        path, old, new, depth = stack.pop()
        if isinstance(old, dict) and isinstance(new, dict) and depth < MAX_DEPTH:
            for key in reversed(list(dict.fromkeys([*old, *new]))):
                sub = _key_path(path, str(key))
                if key not in new:
                    add(JsonChange(sub, "removed", old=_short(old[key])))
                elif key not in old:
                    add(JsonChange(sub, "added", new=_short(new[key])))
                else:
                    stack.append((sub, old[key], new[key], depth + 1))
        elif isinstance(old, list) and isinstance(new, list) and depth < MAX_DEPTH:
            for index in reversed(range(max(len(old), len(new)))):
                sub = f"{path}[{index}]"
                if index >= len(new):
                    add(JsonChange(sub, "removed", old=_short(old[index])))
                elif index >= len(old):
                    add(JsonChange(sub, "added", new=_short(new[index])))
                else:
                    stack.append((sub, old[index], new[index], depth + 1))
        elif not _equal(old, new):
            add(JsonChange(path, "changed", old=_short(old), new=_short(new)))
    total = sum(counts.values())
    return Diff(
        "json",
        same=total == 0,
        changes=tuple(changes),
        omitted=total - len(changes),
        sizes=sizes,
        counts=counts,
    )


def _lines(text: str) -> list[str]:
    return [
        line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + "…"
        for line in text.splitlines()[:MAX_COMPARED_LINES]
    ]


def _text_diff(a: str, b: str, sizes: tuple[int, int], truncated: bool) -> Diff:
    if a == b:
        return Diff("text", same=True, sizes=sizes, truncated=truncated)
    a_lines, b_lines = _lines(a), _lines(b)
    more = len(a.splitlines()) > MAX_COMPARED_LINES or len(b.splitlines()) > MAX_COMPARED_LINES
    diff = list(difflib.unified_diff(a_lines, b_lines, "A", "B", lineterm="", n=2))
    counts = {
        "added": sum(1 for line in diff[2:] if line.startswith("+")),
        "removed": sum(1 for line in diff[2:] if line.startswith("-")),
    }
    if not diff:  # the same lines: the texts differ in line endings or a final newline only
        diff = ["--- A", "+++ B", "@@ line endings or the final newline differ @@"]
    return Diff(
        "text",
        same=False,
        lines=tuple(diff[:MAX_LINES]),
        omitted=max(0, len(diff) - MAX_LINES),
        sizes=sizes,
        truncated=truncated or more,
        counts=counts,
    )
