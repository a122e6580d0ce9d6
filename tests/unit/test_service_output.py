"""The decoded view of a response body."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.output import MAX_IMAGE_PIXELS, decode_output, json_text


def _image(format_: str, size: tuple[int, int] = (3, 2)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=format_)
    return out.getvalue()


PNG, JPEG, GIF, WEBP, BMP = (_image(kind) for kind in ("PNG", "JPEG", "GIF", "WEBP", "BMP"))


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
        (GIF, None, "image/gif"),
        (WEBP, None, "image/webp"),
        (BMP, "image/bmp", "image/bmp"),
        (JPEG, "image/png", "image/jpeg"),  # the bytes say what they are; the browser agrees
    ],
)
def test_images_by_content_type_or_magic_bytes(
    body: bytes, content_type: str | None, media_type: str
) -> None:
    out = decode_output(body, content_type)
    assert (out.kind, out.value, out.media_type, out.size) == ("image", body, media_type, len(body))


@pytest.mark.parametrize(
    ("body", "content_type", "kind", "note"),
    [
        (b"not a png", "image/png", "text", "cannot be read as one"),
        (PNG[:30], "image/png", "binary", "cannot be read as one"),
        (b"GIF89a....", None, "text", None),  # magic bytes alone make a guess, and a wrong guess says nothing
        (b"BM\x00\x01", "application/octet-stream", "binary", None),
        (b"<svg onload='x()'/>", "image/svg+xml", "text", "never drawn as markup"),
        (_image("TIFF"), "image/tiff", "binary", "which a browser does not draw"),
    ],
)
def test_images_that_cannot_be_drawn_fall_back_with_a_note(
    body: bytes, content_type: str | None, kind: str, note: str | None
) -> None:
    out = decode_output(body, content_type)
    assert out.kind == kind
    assert (note is None and out.note is None) or (note is not None and note in (out.note or ""))


def test_an_image_too_large_to_decode_is_not_decoded() -> None:
    side = int(MAX_IMAGE_PIXELS**0.5) + 10
    body = _image("PNG", (side, side))  # a few KB of PNG, ~130 MB once decoded
    out = decode_output(body, "image/png")
    assert out.kind == "binary" and "too large" in (out.note or "")


def test_json_too_deep_to_parse_is_text_with_a_note() -> None:
    out = decode_output(b"[" * 100_000 + b"]" * 100_000, "application/json")
    assert out.kind == "text" and "nested too deeply" in (out.note or "")


def test_json_layout_never_raises_and_escapes_lone_surrogates() -> None:
    assert json_text({"a": "\ud800é"}, "") == ('{\n  "a": "\\ud800é"\n}', None)
    deep: list = []
    for _ in range(5_000):
        deep = [deep]
    assert json_text(deep, "[[[...]]]") == ("[[[...]]]", json_text(deep, "")[1])
    text, note = json_text(int("9" * 4000) * 10**400, "99…")  # over 4,300 digits: Python will not print it
    assert text == "99…" and note


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
