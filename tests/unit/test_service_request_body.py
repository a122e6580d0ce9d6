"""Request body checks and formatting."""

from __future__ import annotations

import pytest

from services.errors import InvalidRequestError
from services.request_body import JsonProblem, check_json, format_json


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
