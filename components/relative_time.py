"""Studio-style relative times ("just now", "2 minutes ago") with the exact time on hover."""

from __future__ import annotations

from datetime import UTC, datetime

_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"))


def describe(moment: datetime, now: datetime | None = None) -> str:
    """How long ago `moment` was, in words; the last 45 seconds (or a moment ahead) are "just now"."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    for size, unit in _UNITS:
        if seconds >= size * 0.75 or unit == "minute":
            count = max(1, round(seconds / size))
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # unreachable: the minute unit always answers


def exact(moment: datetime) -> str:
    """The full local time, for the hover text."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + moment.astimezone().strftime(" %Z")
