r"""A model's answer as Markdown that shows what the model wrote and can do nothing else.

Answers are Markdown (lists, code blocks) and are shown so, through st.markdown without unsafe_allow_html:
raw HTML in them (`<script>`, `<img onerror>`) is shown as text, never parsed. What st.markdown adds to
Markdown is neutralised outside code, where it would change the text or reach out: `$...$` LaTeX,
`:color[...]` and `:material/...:` directives and emoji shortcodes (a backslash before `$`, `:` and `\`
shows them as typed), and images (`![alt](https://...)` would fetch an address the model chose: shown as a
link).
Code (fenced blocks, inline spans) is left exactly as written: Markdown shows it literally anyway.
"""

from __future__ import annotations

import re

# A fenced block (``` or ~~~, to its closing fence or the end of the text: a stream may be mid-block), or an
# inline code span (a run of backticks to the same run).
_CODE = re.compile(
    r"(^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\2[ \t]*$|\Z)|(`+)[^`].*?\3|(`+)[^`]*\Z)", re.M | re.S
)
_SPECIAL = re.compile(r"([\\$:])")
_IMAGE = re.compile(r"!\[")


def safe_markdown(text: str) -> str:
    """`text` for st.markdown: Markdown kept, Streamlit's extensions and images made inert outside code."""
    out: list[str] = []
    position = 0
    for code in _CODE.finditer(text):
        out.append(_prose(text[position : code.start()]))
        out.append(code.group(0))
        position = code.end()
    out.append(_prose(text[position:]))
    return "".join(out)


def _prose(text: str) -> str:
    return _IMAGE.sub(r"\\![", _SPECIAL.sub(r"\\\1", text))
