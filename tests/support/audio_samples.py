"""Small audio files made here, byte by byte: a real PCM WAV (the stdlib `wave`), a float WAV, and the headers
of FLAC, Ogg (Vorbis, Opus) and MP3 files, for the output decoder's tests and the pages'."""

from __future__ import annotations

import io
import math
import struct
import wave


def wav(seconds: float = 0.5, rate: int = 16_000, channels: int = 1, pitch_hz: float = 440.0) -> bytes:
    """A sine tone as 16-bit PCM."""
    frames = int(seconds * rate)
    samples = (int(12_000 * math.sin(2 * math.pi * pitch_hz * i / rate)) for i in range(frames))
    data = b"".join(struct.pack("<h", sample) * channels for sample in samples)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(data)
    return out.getvalue()


def float_wav(seconds: float = 0.25, rate: int = 22_050) -> bytes:
    """32-bit IEEE float mono (format 3), which Python 3.11's `wave` refuses to read."""
    data = b"".join(struct.pack("<f", math.sin(i / 10)) for i in range(int(seconds * rate)))
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def flac_header(rate: int = 44_100, channels: int = 2, samples: int = 88_200) -> bytes:
    """ "fLaC" and its STREAMINFO block (the frames themselves are left out)."""
    packed = (rate << 44) | ((channels - 1) << 41) | (15 << 36) | samples
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info


def _ogg_page(packet: bytes, granule: int, sequence: int) -> bytes:
    header = b"OggS" + bytes([0, 2 if sequence == 0 else 4]) + struct.pack("<qII", granule, 1, sequence)
    return header + b"\x00\x00\x00\x00" + bytes([1, len(packet)]) + packet


def ogg_vorbis(rate: int = 48_000, channels: int = 2, seconds: float = 2.0) -> bytes:
    identification = b"\x01vorbis" + struct.pack("<IBI", 0, channels, rate) + b"\x00" * 13
    return _ogg_page(identification, 0, 0) + _ogg_page(b"audio", int(seconds * rate), 1)


def ogg_opus(channels: int = 1, seconds: float = 1.5, pre_skip: int = 312) -> bytes:
    head = b"OpusHead" + bytes([1, channels]) + struct.pack("<HIhB", pre_skip, 16_000, 0, 0)
    return _ogg_page(head, 0, 0) + _ogg_page(b"audio", pre_skip + int(seconds * 48_000), 1)


MP3_FRAME_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 Layer III, 128 kb/s, 44.1 kHz, joint stereo: 417-byte frames


def mp3(frames: int = 3, id3: bool = True) -> bytes:
    frame = MP3_FRAME_HEADER + b"\x00" * 413
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + b"\x00" * 20 if id3 else b""
    return tag + frame * frames
