"""Request body checks and formatting."""

from __future__ import annotations

import pytest

from services.errors import InvalidRequestError
from services.request_body import NOT_JSON, JsonProblem, check_json, check_text, format_json, parse_json


def test_valid_json_has_no_problem() -> None:
    assert check_json('{"inputs": "hi"}') is None
    assert check_json("  [1, 2]\n") is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_body(text: str) -> None:
    assert check_json(text) == JsonProblem(1, 1, "The body is empty: write a JSON value")


def test_missing_comma_points_at_line_and_column() -> None:
    problem = check_json('{\n  "a": 1\n  "b": 2\n}')
    assert problem == JsonProblem(3, 3, "Expected a comma")
    assert str(problem) == "Line 3, column 3: Expected a comma"


def test_trailing_garbage() -> None:
    assert check_json('{"a": 1} x') == JsonProblem(1, 10, "Unexpected text after the end of the JSON value")


def test_unclosed_string_and_missing_value() -> None:
    assert check_json('{"a": "b}') == JsonProblem(1, 7, "This string is not closed with a double quote")
    assert check_json('{"a": }') == JsonProblem(
        1, 7, "Expected a value (a string, number, object, array, true, false or null)"
    )


def test_columns_count_characters_not_bytes() -> None:
    assert check_json('{"é": 1,}') == JsonProblem(1, 9, "Expected a property name in double quotes")


def test_format_keeps_order_and_non_ascii_with_two_spaces() -> None:
    assert format_json('{"z": 1, "a": ["é", {"b": null}]}') == (
        '{\n  "z": 1,\n  "a": [\n    "é",\n    {\n      "b": null\n    }\n  ]\n}'
    )


def test_format_refuses_invalid_json_with_the_position() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        format_json('{"a" 1}')
    assert raised.value.message == "Line 1, column 6: Expected a colon after the property name"


def test_json_too_deep_to_parse_names_its_deepest_bracket() -> None:
    text = '{"a": [\n' + "[" * 3000 + "]" * 3000 + "]}"
    problem = check_json(text)
    assert problem is not None
    assert (problem.line, problem.column) == (2, 3000)
    assert "3,002 levels" in problem.message


def test_a_huge_integer_is_valid_json_that_format_declines() -> None:
    text = '{"n": ' + "9" * 5000 + "}"
    assert check_json(text) is None
    assert parse_json(text) == {"n": "9" * 5000}
    with pytest.raises(InvalidRequestError, match="Format cannot lay this JSON out"):
        format_json(text)


def test_lone_surrogates_cannot_be_sent_and_format_keeps_their_escapes() -> None:
    problem = check_text("ab\n c\ud800")
    assert problem is not None and (problem.line, problem.column, problem.not_json) == (2, 3, False)
    assert check_json('"\ud800"') == JsonProblem(1, 2, problem.message, not_json=False)
    assert format_json('["\\ud800", "\\ud83d\\ude00"]') == '[\n  "\\ud800",\n  "😀"\n]'
    assert check_text("fine: é 😀") is None


def test_parse_json_never_raises() -> None:
    for text in ("", "{", "[" * 100_000, '"\\ud800"', "1" * 5000, "NaN"):
        parse_json(text)
    assert parse_json("{") is NOT_JSON
