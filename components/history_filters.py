"""The History page's search box and filters: text, endpoint, status, time, connection, starred."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from services.history import History, HistoryFilter
from services.results import Status

ANY = "Any"
TIMES = ("All time", "Last hour", "Today", "Last 7 days", "Date range")


def _since_until(choice: str, picked: object, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The bounds a time choice means, on this machine's clock (the app runs on the user's machine)."""
    midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    if choice == "Last hour":
        return now - timedelta(hours=1), None
    if choice == "Today":
        return midnight, None
    if choice == "Last 7 days":
        return now - timedelta(days=7), None
    if choice == "Date range" and isinstance(picked, tuple) and picked:
        first = picked[0]
        last = picked[1] if len(picked) > 1 else first
        if isinstance(first, date) and isinstance(last, date):
            start = datetime.combine(first, time(), tzinfo=now.tzinfo)
            return start, datetime.combine(last, time(), tzinfo=now.tzinfo) + timedelta(days=1)
    return None, None


def render(history: History) -> HistoryFilter:
    """Draw the filters and return what they select."""
    top = st.columns([5, 3, 2])
    search = top[0].text_input(
        "Search",
        key="history-search",
        placeholder="words in requests and answers, endpoint, request id, error…",
        help="Every word must appear, in any case, anywhere in the entry (its text bodies: first 64 K).",
    )
    endpoint = top[1].selectbox("Endpoint", [ANY, *history.endpoints()], key="history-endpoint")
    status = top[2].selectbox("Status", [ANY, *(s.value for s in Status)], key="history-status")
    row = st.columns([3, 4, 2], vertical_alignment="bottom")
    when = row[0].selectbox("Time", TIMES, key="history-time")
    picked: object = None
    if when == "Date range":
        today = datetime.now().date()
        picked = row[0].date_input("Dates", (today - timedelta(days=7), today), key="history-dates")
    connection = row[1].selectbox("Connection", [ANY, *history.connection_labels()], key="history-connection")
    starred = row[2].toggle("Starred only", key="history-starred")
    since, until = _since_until(when, picked, datetime.now().astimezone())
    return HistoryFilter(
        search=search.strip(),
        endpoint=None if endpoint == ANY else endpoint,
        status=None if status == ANY else status,
        connection_label=None if connection == ANY else connection,
        since=since,
        until=until,
        starred=starred,
    )
