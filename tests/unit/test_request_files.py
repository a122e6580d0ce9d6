"""A file as the request body: its content type, the 6 MiB check, and a name safe to print in code."""

from __future__ import annotations

import pytest

from services.request_files import RequestFile, content_type_for, looks_like_text, safe_file_name
from services.results import MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("name", "data", "declared", "expected"),
    [
        ("x.png", b"\x89PNG\r\n\x1a\nrest", "image/png", "image/png"),  # the browser's word first
        ("photo", b"\x89PNG\r\n\x1a\nrest", "", "image/png"),  # then the bytes
        ("clip.bin", b"RIFF\x00\x00\x00\x00WAVEfmt ", "application/octet-stream", "audio/wav"),
        ("song.mp3", b"ID3\x04", None, "audio/mpeg"),
        ("rows.csv", b"1,2\n", "", "text/csv"),  # then the name
        ("blob", b"\x00\x01", "", "application/octet-stream"),
    ],
)
def test_the_content_type_comes_from_the_browser_the_bytes_then_the_name(
    name: str, data: bytes, declared: str | None, expected: str
):
    assert content_type_for(name, data, declared) == expected


def test_the_6_mib_limit_and_an_empty_file_are_refused_before_sending():
    assert RequestFile("a.bin", b"x" * MAX_BODY_BYTES, "application/octet-stream").problem is None
    too_big = RequestFile("a.bin", b"x" * (MAX_BODY_BYTES + 1), "application/octet-stream").problem
    assert too_big is not None and "6 MiB" in too_big and f"{MAX_BODY_BYTES + 1:,}" in too_big
    assert "empty" in (RequestFile("a.bin", b"", "image/png").problem or "")


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("cat photo.png", "image/png", "cat_photo.png"),
        ("../../etc/passwd", "", "passwd"),
        ("C:\\Users\\me\\voice memo.wav", "audio/wav", "voice_memo.wav"),
        ('x"; rm -rf ~; echo ".png', "image/png", "x_rm_-rf_echo_.png"),
        ("$(reboot)`id`.jpg", "image/jpeg", "reboot_id_.jpg"),
        (".hidden", "", "hidden"),
        ("", "image/png", "request.png"),
        ("日本語", "audio/wav", "request.wav"),
        ("a" * 300 + ".png", "image/png", "a" * 80),
    ],
)
def test_a_file_name_is_safe_to_print_in_code_and_a_shell(name: str, content_type: str, expected: str):
    assert safe_file_name(name, content_type) == expected


def test_only_utf8_text_without_control_bytes_goes_back_into_the_editor():
    assert looks_like_text('{"a": "café"}\n'.encode())
    assert not looks_like_text(b"\x89PNG\r\n\x1a\n")
    assert not looks_like_text(b"text with a \x00 NUL")
