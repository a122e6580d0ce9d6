"""Every string that reaches a Markdown sink (st.markdown, st.error, st.caption, a label, a tooltip...) in
components/ and app_pages/ is either the app's own text or escaped first: walked in the source, so a new sink
fed with foreign text fails here before a server's message renders as a link or an image on a user's page."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Streamlit calls whose text (first argument, or label/body) is rendered as Markdown.
MARKDOWN_SINKS = frozenset(
    {"markdown", "error", "warning", "info", "success", "caption", "subheader", "header", "title", "toast"}
    | {"write", "spinner", "expander", "exception", "button", "link_button", "download_button", "toggle"}
    | {"text_input", "selectbox", "radio", "checkbox", "text_area", "number_input", "popover", "tabs"}
)
#: calls that return escaped or own text
SAFE_CALLS = frozenset({"escape_markdown", "badge", "human_size", "_ms", "len", "request_type"})
#: expressions that are the app's own text, each with the reason (file, source) -> why
OWN_TEXT = {
    ("components/result_card.py", "text"): "built by _fields_markdown/_times_markdown: values escaped",
    ("components/result_card.py", "line"): "the badge and an escaped target",
    ("components/result_card.py", "title"): "our title plus an escaped error code",
    ("components/endpoint_picker.py", "list_error.hint"): "hints are the app's own (botocore_errors._HINTS)",
    ("components/endpoint_picker.py", "what"): "the spinner text, built with escape_markdown",
    ("components/connection_sidebar.py", "error.hint"): "hints are the app's own",
    ("components/live_card.py", "waiting"): "one of two own sentences",
    ("components/output_view.py", "shown.note"): "notes are services.output's own sentences",
    ("components/output_view.py", "cut_caption(shown)"): "own sentence with numbers (output_text)",
    ("components/output_json.py", "cut_caption(shown)"): "own sentence with numbers (output_text)",
    ("components/output_json.py", "header"): "the embedding summary's own column names",
    ("components/output_json.py", "values"): "numbers written by output_json.number",
    ("components/output_json.py", "' '.join(notes)"): "own sentences: numbers and the shape's own words",
    ("components/output_media.py", "describe(audio, shown.size)"): "numbers and the escaped format",
    ("components/output_table.py", "describe(shown)"): "numbers and own words",
    ("components/output_view.py", "why"): "own sentences naming an exception class",
    ("components/history_list.py", "_summary(entry)"): "escapes the endpoint name and request id",
    ("components/request_options.py", "', '.join(filled)"): "the names of the app's own fields",
    ("components/result_card.py", "below[0]"): "a finished card's tables, from _times_markdown",
    ("components/history_list.py", "exact"): "a timestamp written by relative_time.exact",
    ("components/output_view.py", "label"): "the download button's own label",
    ("components/output_view.py", "kind"): "the content type, escaped just above",
    ("components/request_options.py", "label"): "the Advanced fields' own labels (services.parameters)",
    ("components/request_options.py", "help_text"): "the Advanced fields' own help",
    ("app_pages/history.py", "history.count()"): "a number",
    ("app_pages/history.py", "where"): "the history path, escaped just above",
    ("app_pages/inference.py", "problem.line"): "a number",
    ("app_pages/inference.py", "problem.column"): "a number",
    ("components/chat_answer.py", "safe_markdown(text)"): "a model's answer, Markdown on purpose: "
    "chat_markdown makes HTML, LaTeX, Streamlit directives and images inert (robustness/test_chat_outputs)",
    ("components/chat_answer.py", "figures_line(turn)"): "numbers and an escaped finish reason",
    ("components/chat_answer.py", "definitions"): "the app's own definitions",
    (
        "components/chat_turns.py",
        "safe_markdown(turn.user)",
    ): "the user's own message, made inert as an answer is",
    ("components/chat_turns.py", "first_shown"): "a number",
    ("app_pages/chat.py", "prompt"): "the page's own suggested prompts",
    ("components/chat_saved.py", "note"): "the component's own sentence (_open)",
    ("components/endpoint_details.py", "table"): "built by _rows: every value escaped",
    ("components/endpoint_details.py", "label"): "the link buttons' own labels (console_links)",
    ("components/session_control.py", "label"): "own words and the session id's start, escaped",
    ("components/session_control.py", "expiry"): "own words and a time",
    ("app_pages/chat.py", "error.hint"): "hints are the app's own (botocore_errors._HINTS), in Markdown",
    ("app_pages/inference.py", "error.hint"): "hints are the app's own (botocore_errors._HINTS), in Markdown",
    ("components/compare_targets.py", "label"): "own words and a number",
    ("app_pages/compare.py", "title"): "a number, the escaped content type and own words",
    ("app_pages/history.py", "count"): "numbers and own words",
    ("components/request_handoff.py", "to.label"): "the destinations' own labels (the *_entry modules)",
}


def _sources() -> list[Path]:
    return [
        *sorted((ROOT / "components").glob("*.py")),
        *sorted((ROOT / "app_pages").glob("*.py")),
        ROOT / "app.py",
    ]


def _unsafe_parts(node: ast.expr, where: str) -> list[str]:
    """The parts of a text expression that are neither literal, nor escaped, nor known own text."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.JoinedStr):
        return [part for value in node.values for part in _unsafe_parts(value, where)]
    if isinstance(node, ast.FormattedValue):
        return [] if node.format_spec is not None else _unsafe_parts(node.value, where)  # {n:,} is a number
    if isinstance(node, ast.Name) and node.id.isupper():
        return []  # a module constant of ours
    if isinstance(node, ast.BinOp):
        return _unsafe_parts(node.left, where) + _unsafe_parts(node.right, where)
    if isinstance(node, ast.IfExp):
        return _unsafe_parts(node.body, where) + _unsafe_parts(node.orelse, where)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in SAFE_CALLS:
            return []
    source = ast.unparse(node)
    return [] if (where, source) in OWN_TEXT else [source]


def _sink_texts(call: ast.Call) -> list[ast.expr]:
    texts = list(call.args[:1])
    texts += [k.value for k in call.keywords if k.arg in ("body", "label", "help", "placeholder", "text")]
    return texts


def test_every_markdown_sink_gets_own_or_escaped_text():
    found = []
    for path in _sources():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in MARKDOWN_SINKS:
                for text in _sink_texts(node):
                    found += [f"{where}:{node.lineno}: {part}" for part in _unsafe_parts(text, where)]
    assert not found, "unescaped text in a Markdown sink (escape it, or list it in OWN_TEXT with why):\n" + (
        "\n".join(found)
    )


def test_the_walk_sees_an_unescaped_sink():
    """The check above can fail: a sink fed with a variable is caught."""
    call = ast.parse("st.error(error.message)").body[0].value  # type: ignore[attr-defined]
    assert _unsafe_parts(_sink_texts(call)[0], "components/x.py") == ["error.message"]
    ok = ast.parse("st.error(f'Failed: {escape_markdown(error.message)}')").body[0].value  # type: ignore[attr-defined]
    assert _unsafe_parts(_sink_texts(ok)[0], "components/x.py") == []
