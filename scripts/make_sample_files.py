"""Writes the bundled sample request bodies, assets/samples/sample.png and assets/samples/sample.wav, byte for
byte as they are committed (tests/unit/test_sample_files.py checks that they still are).

    .venv/bin/python scripts/make_sample_files.py [OUTPUT_DIR]

The picture is a 96x64 sunset (sky gradient, sun, two hills) drawn with +, -, * and / only, so every pixel is
the same on every machine, and saved by Pillow as a palette PNG whose image data is stored, not compressed
(zlib builds compress differently; 7 KB either way). The sound is one second of 16 kHz 16-bit mono PCM: an A
(440 Hz) for 0.45 s, a rest, an E (660 Hz) for 0.4 s, then silence, written with the `wave` module.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from pathlib import Path

from PIL import Image

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"
WIDTH, HEIGHT = 96, 64
SKY, SUN, HILL = 0, 128, 192  # each part's first palette index
SKY_COLOURS, SUN_COLOURS, HILL_COLOURS = 128, 64, 32
RATE = 16_000
#: (start s, end s, frequency Hz, amplitude of full scale) of each tone
TONES = ((0.0, 0.45, 440.0, 0.5), (0.5, 0.9, 660.0, 0.4))
ATTACK_S, RELEASE_S = 0.01, 0.03


def _blend(start: tuple[int, int, int], end: tuple[int, int, int], t: float) -> list[int]:
    return [round(a + (b - a) * t) for a, b in zip(start, end, strict=True)]


def _palette() -> list[int]:
    colours: list[int] = []
    for i in range(SKY_COLOURS):  # deep indigo at the top to a warm orange at the horizon
        colours += _blend((38, 36, 98), (250, 158, 96), i / (SKY_COLOURS - 1))
    for i in range(SUN_COLOURS):  # pale yellow in the middle of the sun to orange at its edge
        colours += _blend((255, 244, 178), (247, 170, 66), i / (SUN_COLOURS - 1))
    for i in range(HILL_COLOURS):  # dark at the hilltop to lighter green at the bottom
        colours += _blend((34, 66, 64), (74, 124, 86), i / (HILL_COLOURS - 1))
    return colours + [0, 0, 0] * (256 - len(colours) // 3)


def _pixel(x: int, y: int) -> int:
    horizon = min(42 + (x - 22.5) ** 2 / 70, 47 + (x - 76.5) ** 2 / 90)  # two hills
    if y >= horizon:
        return HILL + min(HILL_COLOURS - 1, int((y - horizon) / (HEIGHT - horizon + 1) * HILL_COLOURS))
    reach = ((x - 60) ** 2 + (y - 36) ** 2) / 15**2  # the sun: a disc of radius 15, sinking behind a hill
    if reach < 1:
        return SUN + min(SUN_COLOURS - 1, int(reach * SUN_COLOURS))
    height = (y * 0.85 + x * 0.15 * HEIGHT / WIDTH) / (HEIGHT - 1)
    return SKY + min(SKY_COLOURS - 1, int(height * SKY_COLOURS))


def sample_png() -> bytes:
    """The sample picture as PNG bytes."""
    picture = Image.new("P", (WIDTH, HEIGHT))
    picture.putpalette(_palette())
    picture.putdata([_pixel(x, y) for y in range(HEIGHT) for x in range(WIDTH)])
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def _level(t: float) -> float:
    for start, end, frequency, amplitude in TONES:
        if start <= t < end:
            envelope = min(1.0, (t - start) / ATTACK_S, (end - t) / RELEASE_S)
            return amplitude * envelope * math.sin(2 * math.pi * frequency * (t - start))
    return 0.0


def sample_wav() -> bytes:
    """The sample sound as WAV bytes."""
    frames = bytearray()
    for n in range(RATE):
        frames += round(_level(n / RATE) * 32767).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(bytes(frames))
    return buffer.getvalue()


def main(folder: Path = SAMPLES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (("sample.png", sample_png()), ("sample.wav", sample_wav())):
        (folder / name).write_bytes(data)
        print(f"{folder / name}: {len(data):,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES)
