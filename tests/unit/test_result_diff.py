"""The output diff: JSON by key, text by line, binary by size and first byte; hostile inputs never crash."""

from __future__ import annotations

import json

from services import result_diff
from services.result_diff import JsonChange, diff_outputs, diff_texts


def test_json_outputs_differ_by_key_with_paths() -> None:
    a = json.dumps(
        {"label": "POSITIVE", "score": 0.91, "extra": {"model": "v1"}, "items": [1, 2, 3]}
    ).encode()
    b = json.dumps({"label": "POSITIVE", "score": 0.87, "new key": True, "items": [1, 2]}).encode()
    diff = diff_outputs(a, "application/json", b, "application/json")
    assert diff.kind == "json" and not diff.same
    assert set(diff.changes) == {
        JsonChange("$.score", "changed", "0.91", "0.87"),
        JsonChange("$.extra", "removed", old='{"model": "v1"}'),
        JsonChange('$["new key"]', "added", new="true"),
        JsonChange("$.items[2]", "removed", old="3"),
    }
    assert diff.summary == "JSON: 1 changed, 1 added, 2 removed (by key)"


def test_equal_json_with_other_spacing_and_key_order_is_the_same() -> None:
    diff = diff_outputs(b'{"a": 1, "b": [1, 2]}', None, b'{ "b":[1,2],"a":1 }\n', "application/json")
    assert diff.kind == "json" and diff.same and diff.summary == "Identical outputs"


def test_a_number_and_a_string_or_bool_are_a_change() -> None:
    diff = diff_outputs(b'{"a": 1}', None, b'{"a": true}', None)
    assert [c.op for c in diff.changes] == ["changed"]


def test_text_outputs_differ_by_line() -> None:
    diff = diff_outputs(b"one\ntwo\nthree\n", "text/plain", b"one\n2\nthree\nfour\n", "text/plain")
    assert diff.kind == "text" and not diff.same
    assert diff.lines[:2] == ("--- A", "+++ B")
    assert "-two" in diff.lines and "+2" in diff.lines and "+four" in diff.lines
    assert diff.summary == "Text: 1 lines removed, 2 added"
    assert diff_texts("same", "same").same


def test_json_against_text_is_a_text_diff() -> None:
    diff = diff_outputs(b'{"a": 1}', "application/json", b"not json", "text/plain")
    assert diff.kind == "text" and not diff.same


def test_binary_and_invalid_utf8_are_compared_by_bytes() -> None:
    diff = diff_outputs(b"\x89PNG\x00\x01\x02", "image/png", b"\x89PNG\x00\x01\x03\x04", "image/png")
    assert diff.kind == "binary" and not diff.same and diff.first_difference == 6
    assert "7 vs 8 bytes" in diff.summary
    invalid = diff_outputs(b"caf\xe9", "text/plain", b"caf\xe9", "text/plain")
    assert invalid.kind == "binary" and invalid.same
    prefix = diff_outputs(b"\xff\xfe", None, b"\xff\xfe\x00", None)
    assert prefix.first_difference == 2


def test_deeply_nested_json_does_not_crash() -> None:
    deep = ("[" * 5000 + "]" * 5000).encode()  # deeper than json.loads can parse: text then
    diff = diff_outputs(deep, "application/json", deep + b" ", "application/json")
    assert diff.kind == "text"
    nested = "1"
    for _ in range(result_diff.MAX_DEPTH * 3):
        nested = '{"k": ' + nested + "}"
    other = nested.replace("1", "2")
    diff = diff_outputs(nested.encode(), None, other.encode(), None)
    assert diff.kind == "json" and not diff.same and len(diff.changes) == 1
    assert diff.changes[0].path.count(".k") == result_diff.MAX_DEPTH  # compared whole below the limit


def test_huge_outputs_are_cut_and_listed_changes_capped() -> None:
    a = "\n".join(f"line {i}" for i in range(200_000)).encode()
    b = "\n".join(f"LINE {i}" for i in range(200_000)).encode()
    diff = diff_outputs(a, "text/plain", b, "text/plain")
    assert diff.kind == "text" and diff.truncated and not diff.same
    assert len(diff.lines) <= result_diff.MAX_LINES and diff.omitted > 0
    many_a = json.dumps({f"k{i}": i for i in range(2000)}).encode()
    many_b = json.dumps({f"k{i}": i + 1 for i in range(2000)}).encode()
    keys = diff_outputs(many_a, None, many_b, None)
    assert len(keys.changes) == result_diff.MAX_CHANGES and keys.omitted == 2000 - result_diff.MAX_CHANGES
    big = b"x" * (result_diff.MAX_COMPARED_BYTES + 10)
    assert diff_outputs(big, None, big, None).same


def test_a_long_line_is_cut_and_line_endings_alone_still_differ() -> None:
    diff = diff_outputs(b"a" * 10_000, None, b"b" * 10_000, None)
    assert all(len(line) <= result_diff.MAX_LINE_CHARS + 2 for line in diff.lines)
    endings = diff_outputs(b"one\r\ntwo", None, b"one\ntwo", None)
    assert not endings.same and endings.kind == "text"


def test_empty_outputs() -> None:
    assert diff_outputs(b"", None, b"", None).same
    assert not diff_outputs(b"", None, b"x", None).same
