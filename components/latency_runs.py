"""The latency runs store for the history file the app uses (built once per file, thread-safe)."""

from __future__ import annotations

import streamlit as st

from components.service_cache import history_at
from services.history import default_history_path
from services.latency_store import LatencyRuns


def store() -> LatencyRuns:
    return store_at(str(default_history_path()))


@st.cache_resource(show_spinner=False)
def store_at(path: str) -> LatencyRuns:
    return LatencyRuns(history_at(path))
