"""The code block's and JSON tree's code preload points at modules the installed Streamlit really serves."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import element_preload


def test_the_highlighter_module_is_found_in_the_installed_streamlit():
    # A Streamlit upgrade that renames or splits the module fails here: look again at what its code block
    # loads (bench/bench_ui_page_load.py shows the cost), rather than silently losing the preload.
    url = element_preload.HIGHLIGHTER_URL
    assert url is not None and url.startswith("./static/js/StreamlitSyntaxHighlighter.")
    assert (Path(st.__file__).parent / "static" / url.removeprefix("./")).is_file()
    assert url in element_preload.SCRIPT


def test_the_json_tree_module_is_found_in_the_installed_streamlit():
    # The JSON tree (st.json) draws a JSON answer first: its module is loaded early too.
    url = element_preload.JSON_TREE_URL
    assert url is not None and url.startswith("./static/js/Json.")
    assert (Path(st.__file__).parent / "static" / url.removeprefix("./")).is_file()
    assert url in element_preload.SCRIPT
