"""A real image model: decodes PNG or JPEG bytes with Pillow and describes the picture (size, colours,
brightness, a perceptual hash) as JSON."""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.payloads import json_bytes, negotiate, whole_as_stream

#: larger images are refused before they are decoded (a 6 MiB PNG can still claim billions of pixels)
MAX_PIXELS = 40_000_000
#: a picture is "mostly one colour" when its dominant colour covers at least this share of it
ONE_COLOUR_SHARE = 0.9
_DOMINANT_COLOURS = 5


class ImageInspector:
    """Describes an image: `{"format", "width", "height", "mode", "has_alpha", "mean_color", "brightness",
    "dominant_colors", "mostly_one_color", "average_hash"}`. Brightness is mean luma from 0 (black) to 1
    (white); dominant colours come from median-cut quantisation with their share of the picture;
    `average_hash` is the 64-bit aHash in hex (similar pictures have similar hashes)."""

    accepts = ("image/png", "image/jpeg", "application/x-image")
    image = (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
    )

    def inspect(self, body: bytes) -> dict[str, Any]:
        """The description of the image in `body`; ModelInputError(400) when it cannot be decoded."""
        picture = _decode(body)
        has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        sample = picture.convert("RGB")
        sample.thumbnail((128, 128))
        pixels = np.asarray(sample, dtype=np.float64).reshape(-1, 3)
        mean = pixels.mean(axis=0)
        dominant = _dominant_colours(sample)
        return {
            "format": picture.format,
            "width": picture.width,
            "height": picture.height,
            "mode": picture.mode,
            "has_alpha": has_alpha,
            "mean_color": _colour(mean),
            "brightness": round(float((pixels @ np.array([0.299, 0.587, 0.114])).mean() / 255), 4),
            "dominant_colors": dominant,
            "mostly_one_color": dominant[0]["share"] >= ONE_COLOUR_SHARE,
            "average_hash": _average_hash(picture),
        }

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Describe the image as JSON."""
        negotiate(accept, ("application/json",))
        return ModelResponse(json_bytes(self.inspect(body)), "application/json")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole answer as one part."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def _decode(body: bytes) -> Image.Image:
    if not body:
        raise ModelInputError(400, "The request body is empty: send the bytes of a PNG or JPEG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(body))
            if picture.width * picture.height > MAX_PIXELS:
                raise ModelInputError(
                    400,
                    f"The image is too large: {picture.width}x{picture.height} pixels "
                    f"(at most {MAX_PIXELS:,} pixels).",
                )
            picture.load()
    except ModelInputError:
        raise
    except UnidentifiedImageError as exc:
        raise ModelInputError(
            400,
            f"The request body is not an image Pillow can read ({len(body)} bytes starting {body[:8]!r}); "
            "send the bytes of a PNG or JPEG file.",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ModelInputError(400, f"The image is too large to decode safely: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        message = f"The image cannot be decoded ({exc}); send a complete PNG or JPEG file."
        raise ModelInputError(400, message) from exc
    return picture


def _colour(rgb: Any) -> dict[str, Any]:
    values = [round(float(v)) for v in rgb]
    return {"rgb": values, "hex": "#{:02x}{:02x}{:02x}".format(*values)}


def _dominant_colours(sample: Image.Image) -> list[dict[str, Any]]:
    quantised = sample.quantize(colors=_DOMINANT_COLOURS, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    # a palette image's colours are (count, palette index) pairs
    counts: list[tuple[int, int]] = sorted(quantised.getcolors() or [], reverse=True)  # type: ignore[arg-type]
    total = sum(count for count, _ in counts)
    return [
        {**_colour(palette[3 * index : 3 * index + 3]), "share": round(count / total, 4)}
        for count, index in counts
    ]


def _average_hash(picture: Image.Image) -> str:
    small = np.asarray(picture.convert("L").resize((8, 8), Image.Resampling.BOX), dtype=np.float64)
    bits = (small > small.mean()).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"
