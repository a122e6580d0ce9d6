"""A model's answer made safe for st.markdown: Markdown kept, what is not Markdown shown as typed."""

from __future__ import annotations

from components.chat_markdown import safe_markdown


def test_html_cannot_open_an_html_block_and_streamlit_extensions_show_as_typed():
    text = '<script>x()</script><img src=x onerror="y()"> **bold** costs $5 :red[alarm] :smile: ![i](http://t/p.png)'
    assert safe_markdown(text) == (
        '\\<script>x()\\</script>\\<img src=x onerror="y()"> **bold** costs \\$5 \\:red[alarm] \\:smile\\: '
        "\\![i](http\\://t/p.png)"
    )


def test_code_is_left_exactly_as_written():
    fenced = "Run:\n```python\nprint('$HOME <b>')\n```\nthen `a:b $c` and $d"
    assert safe_markdown(fenced) == "Run\\:\n```python\nprint('$HOME <b>')\n```\nthen `a:b $c` and \\$d"
    indented = "Code:\n\n    x = '<b>' + '$1'\n    y = 2\n\nAfter: $3"
    assert safe_markdown(indented) == "Code\\:\n\n    x = '<b>' + '$1'\n    y = 2\n\nAfter\\: \\$3"


def test_a_fence_still_open_mid_stream_stays_code():
    assert safe_markdown("Here:\n```\nlet a = '$x'") == "Here\\:\n```\nlet a = '$x'"


def test_backslashes_in_prose_show_as_typed():
    assert safe_markdown(r"C:\path \$") == r"C\:\\path \\\$"
