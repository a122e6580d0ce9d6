"""The card's Request type: Studio's words, and a short word for any other content type."""

from __future__ import annotations

import pytest

from components.result_card import request_type


@pytest.mark.parametrize(
    ("content_type", "word"),
    [
        ("application/json", "JSON"),
        ("application/vnd.api+json; charset=utf-8", "JSON"),
        ("text/csv", "CSV"),
        ("text/plain", "Text"),
        ("image/png", "Image"),
        ("audio/wav", "Audio"),
        ("application/octet-stream", "Binary"),
        ("", "Binary"),
        ("application/x-protobuf", "File"),
    ],
)
def test_the_request_type_is_one_short_word(content_type: str, word: str):
    assert request_type(content_type) == word
