"""The code of Streamlit's code block and JSON tree, loaded once the page is usable instead of while it loads.

Streamlit loads an element's frontend code the first time one is drawn. A result card's output and a
stream's live text are code blocks, whose code (the syntax highlighter, ~1.5 MB) a fresh tab would load at
its first card, ~0.5 s late. Drawing a hidden code block with the page loaded it early, but on the page
load's own path: parsing it cost every fresh tab 0.25-0.35 s before the editor was usable (measured with
bench/bench_ui_page_load.py). This script imports the same module (the URL Streamlit's own lazy import
resolves to, found in the installed package) once the editor shows its text and the browser is idle; the
first card then finds it in the module map. With another Streamlit build the file is not found and nothing
is loaded early: the first card waits as it would (while the instant card shows the text).

A JSON answer is drawn as a tree first (components.output_json): without its code loaded early, the first
JSON card of a tab showed no output for a moment after the instant card handed over to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

_STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"


def _module_url(pattern: str) -> str | None:
    found = sorted(_STATIC_JS.glob(pattern))
    return f"./static/js/{found[0].name}" if len(found) == 1 else None


HIGHLIGHTER_URL = _module_url("StreamlitSyntaxHighlighter.*.js")
JSON_TREE_URL = _module_url("Json.*.js")
URLS = [url for url in (HIGHLIGHTER_URL, JSON_TREE_URL) if url is not None]

# The modules' URLs are written into the script, so the script's CSP hash (serve.py) covers them.
SCRIPT = f"""
<script>
(function () {{
  const urls = {json.dumps(URLS)};
  if (!urls.length || window.__smtiPreload) return;
  window.__smtiPreload = true;
  const EDITOR = 'iframe[title="streamlit_ace.streamlit_ace"]';
  let tries = 0;
  function editorShown() {{
    try {{
      const frame = document.querySelector(EDITOR);
      const content = frame && frame.contentDocument.querySelector(".ace_content");
      return Boolean(content && content.textContent.trim());
    }} catch (error) {{
      return false;
    }}
  }}
  function later() {{
    if (!editorShown() && ++tries < 50) return setTimeout(later, 100);  // 5 s at most
    const load = function () {{
      urls.forEach(function (url) {{ import(new URL(url, document.baseURI).href).catch(function () {{}}); }});
    }};
    if (window.requestIdleCallback) window.requestIdleCallback(load, {{ timeout: 2000 }});
    else setTimeout(load, 200);
  }}
  later();
}})();
</script>
"""


def install() -> None:
    """Load the code block's and the JSON tree's code once the page is usable (once per browser tab)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
