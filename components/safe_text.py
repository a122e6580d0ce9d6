"""Text from outside the app (endpoint names, failure reasons, messages) made inert inside Markdown."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every Markdown special character so `text` shows literally (no links, no HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


class TrustedHtml(str):
    """HTML that this app built from its own values (a timestamp, a number), never from foreign text."""
