"""The decoded view of a response body."""

from __future__ import annotations

import pytest

from services.output import decode_output

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


def test_json_by_content_type_keeps_the_value() -> None:
    out = decode_output(b'{"label": "positive", "score": 0.98}', "application/json")
    assert (out.kind, out.value, out.size) == ("json", {"label": "positive", "score": 0.98}, 36)


def test_json_is_sniffed_without_a_json_content_type() -> None:
    assert decode_output(b" [1, 2, 3]", "text/plain").value == [1, 2, 3]
    assert decode_output(b'{"a": 1}', None).kind == "json"


def test_json_content_type_with_parameters() -> None:
    assert decode_output(b'"h\xc3\xa9"', "application/json; charset=utf-8").value == "hé"


def test_broken_json_falls_back_to_text() -> None:
    out = decode_output(b'{"a": 1', "application/json")
    assert (out.kind, out.value) == ("text", '{"a": 1')


def test_json_lines_become_a_list() -> None:
    out = decode_output(b'{"a": 1}\n{"a": 2}\n', "application/jsonlines")
    assert (out.kind, out.value) == ("json", [{"a": 1}, {"a": 2}])


def test_csv_becomes_rows() -> None:
    out = decode_output(b'1.5,"a,b"\n2.5,c\n', "text/csv")
    assert (out.kind, out.value) == ("csv", [["1.5", "a,b"], ["2.5", "c"]])


@pytest.mark.parametrize(
    ("body", "content_type", "media_type"),
    [
        (PNG, "image/png", "image/png"),
        (PNG, "application/octet-stream", "image/png"),
        (JPEG, None, "image/jpeg"),
        (b"GIF89a....", None, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp"),
        (b"anything", "image/svg+xml", "image/svg+xml"),
    ],
)
def test_images_by_content_type_or_magic_bytes(
    body: bytes, content_type: str | None, media_type: str
) -> None:
    out = decode_output(body, content_type)
    assert (out.kind, out.value, out.media_type, out.size) == ("image", body, media_type, len(body))


def test_text_that_starts_like_a_bitmap_stays_text() -> None:
    assert decode_output(b"BMW is a car", "text/plain").kind == "text"


def test_utf8_text() -> None:
    out = decode_output("Grüße 👋".encode(), "text/plain")
    assert (out.kind, out.value) == ("text", "Grüße 👋")


@pytest.mark.parametrize("body", [b"\x00\x01\x02\x03", b"\xff\xfe\xfd", bytes(range(256))])
def test_other_bytes_are_binary_with_their_size(body: bytes) -> None:
    out = decode_output(body, "application/octet-stream")
    assert (out.kind, out.value, out.size) == ("binary", body, len(body))


def test_empty_body() -> None:
    out = decode_output(b"", "application/json")
    assert (out.kind, out.value, out.size) == ("empty", None, 0)


def test_never_raises_on_odd_input() -> None:
    for body in (b"{", b"[", b"\n\n", b"\xc3", b"{\xff}", b"a\x00b"):
        for content_type in (None, "", "application/json", "text/csv", "application/jsonlines", ";;;"):
            decode_output(body, content_type)
