"""The demo image model decodes real PNG and JPEG bytes (built here with Pillow) and describes them; anything
it cannot decode is a 400 with a clear message."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from local_endpoints.models import ImageInspector, ModelInputError


@pytest.fixture(scope="module")
def inspector() -> ImageInspector:
    return ImageInspector()


def _encode(picture: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, image_format)
    return buffer.getvalue()


def _describe(model: ImageInspector, body: bytes, content_type: str) -> dict:
    response = model.invoke(body, content_type, "application/json")
    assert response.content_type == "application/json"
    return json.loads(response.body)


def test_png_half_blue_half_red(inspector: ImageInspector) -> None:
    picture = Image.new("RGB", (64, 48), (200, 30, 30))
    picture.paste((0, 0, 255), (0, 0, 32, 48))
    about = _describe(inspector, _encode(picture, "PNG"), "image/png")
    assert (about["format"], about["width"], about["height"], about["mode"]) == ("PNG", 64, 48, "RGB")
    assert about["has_alpha"] is False
    assert about["mean_color"] == {"rgb": [100, 15, 142], "hex": "#640f8e"}
    assert sorted(c["hex"] for c in about["dominant_colors"]) == ["#0000ff", "#c81e1e"]
    assert [c["share"] for c in about["dominant_colors"]] == [0.5, 0.5]
    assert about["mostly_one_color"] is False
    assert about["average_hash"] == "0f0f0f0f0f0f0f0f"  # the left half is darker than the mean, every row


def test_jpeg_of_one_colour(inspector: ImageInspector) -> None:
    about = _describe(inspector, _encode(Image.new("RGB", (320, 200), (250, 250, 250)), "JPEG"), "image/jpeg")
    assert (about["format"], about["width"], about["height"]) == ("JPEG", 320, 200)
    assert about["mostly_one_color"] is True
    assert about["brightness"] > 0.95
    assert all(abs(v - 250) <= 2 for v in about["mean_color"]["rgb"])


def test_transparent_png_reports_alpha_and_dark_image_is_dark(inspector: ImageInspector) -> None:
    about = _describe(
        inspector, _encode(Image.new("RGBA", (10, 10), (5, 5, 5, 0)), "PNG"), "application/x-image"
    )
    assert about["mode"] == "RGBA" and about["has_alpha"] is True
    assert about["brightness"] < 0.05


def test_stream_answers_as_one_part(inspector: ImageInspector) -> None:
    body = _encode(Image.new("RGB", (4, 4), (1, 2, 3)), "PNG")
    assert list(inspector.stream(body, "image/png", None).parts) == [
        inspector.invoke(body, "image/png", None).body
    ]


def test_bytes_that_are_not_an_image_are_a_400(inspector: ImageInspector) -> None:
    with pytest.raises(ModelInputError) as caught:
        inspector.invoke(b"GIF? no, just text", "image/png", None)
    assert caught.value.original_status == 400
    assert caught.value.message == (
        "The request body is not an image Pillow can read (18 bytes starting "
        "b'GIF? no,'); send the bytes of a PNG or JPEG file."
    )


def test_a_truncated_jpeg_is_a_400(inspector: ImageInspector) -> None:
    body = _encode(Image.new("RGB", (200, 100), (10, 200, 10)), "JPEG")
    with pytest.raises(ModelInputError) as caught:
        inspector.invoke(body[:400], "image/jpeg", None)
    assert caught.value.original_status == 400
    assert caught.value.message.startswith("The image cannot be decoded (")
    assert caught.value.message.endswith("); send a complete PNG or JPEG file.")


def test_an_empty_body_is_a_400(inspector: ImageInspector) -> None:
    with pytest.raises(ModelInputError) as caught:
        inspector.invoke(b"", "image/png", None)
    assert (caught.value.original_status, caught.value.message) == (
        400,
        "The request body is empty: send the bytes of a PNG or JPEG image.",
    )


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (with a valid checksum) claims `width` x `height` pixels."""
    small = _encode(Image.new("L", (1, 1)), "PNG")
    header = b"IHDR" + struct.pack(">II", width, height) + small[24:29]
    return small[:12] + header + struct.pack(">I", zlib.crc32(header)) + small[33:]


def test_an_image_claiming_too_many_pixels_is_refused_before_decoding(inspector: ImageInspector) -> None:
    with pytest.raises(ModelInputError) as caught:
        inspector.invoke(_png_claiming(7_000, 7_000), "image/png", None)
    assert caught.value.original_status == 400
    assert caught.value.message == "The image is too large: 7000x7000 pixels (at most 40,000,000 pixels)."
    with pytest.raises(ModelInputError) as caught:  # past Pillow's own decompression-bomb limit
        inspector.invoke(_png_claiming(20_000, 20_000), "image/png", None)
    assert caught.value.message.startswith(
        "The image is too large to decode safely: Image size (400000000 pixels)"
    )


def test_describes_itself(inspector: ImageInspector) -> None:
    assert inspector.accepts == ("image/png", "image/jpeg", "application/x-image")
    assert "pytorch-inference" in inspector.image
