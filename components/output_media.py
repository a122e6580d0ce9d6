"""Audio a browser plays: a player and what its header says (format, duration, sample rate, channels)."""

from __future__ import annotations

import streamlit as st

from components.output_text import human_size
from components.safe_text import escape_markdown
from services.output_audio import AudioInfo
from services.output_display import Display


def draw_audio(shown: Display, body: bytes, key: str) -> None:
    audio = shown.audio
    st.audio(body, format=shown.media_type or "audio/wav")
    if audio is not None:
        st.caption(describe(audio, shown.size))


def describe(audio: AudioInfo, size: int) -> str:
    """'WAV audio · 2.00 s · 16,000 Hz · mono · 62.5 KB' (what the header does not say is left out)."""
    parts = [f"{escape_markdown(audio.format)} audio"]
    if audio.duration_s is not None:
        parts.append(f"{audio.duration_s:,.2f} s")
    if audio.sample_rate is not None:
        parts.append(f"{audio.sample_rate:,} Hz")
    if audio.channels is not None:
        parts.append({1: "mono", 2: "stereo"}.get(audio.channels, f"{audio.channels} channels"))
    parts.append(human_size(size))
    return " · ".join(parts)
