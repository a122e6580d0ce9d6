r"""A model's answer as Markdown that shows what the model wrote and can do nothing else.

Answers are Markdown (lists, code blocks) and are shown so, through st.markdown without unsafe_allow_html,
which never parses HTML. Outside code, a backslash goes before what would not show as typed: `<` (a line
starting with a tag would open an HTML block, inside which Markdown stops, and the other escapes would show
their backslashes), `$` (LaTeX), `:` (Streamlit's `:color[...]` and `:material/...:` directives, emoji
shortcodes) and `\` itself; and before `![`, so an image (which would fetch an address the model chose) is
shown as a link. Code (fenced and indented blocks, inline spans) is left exactly as written: Markdown shows
it literally anyway, backslashes included.
"""

from __future__ import annotations

import re

# A fenced block (``` or ~~~, to its closing fence or the end of the text: a stream may be mid-block), an
# indented block (lines of 4 spaces or a tab after a blank line), or an inline code span (a run of backticks
# to the same run).
_CODE = re.compile(
    r"(^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\2[ \t]*$|\Z)"
    r"|(?:(?<=\n\n)|\A)(?:(?: {4}|\t)[^\n]*(?:\n|\Z))+"
    r"|(`+)[^`].*?\3|(`+)[^`]*\Z)",
    re.M | re.S,
)
_SPECIAL = re.compile(r"([\\$:<])")
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
