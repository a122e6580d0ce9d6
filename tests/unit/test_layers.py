"""The architecture's one rule, checked on the code itself: only services/ talks to boto3, and services/ and
local_endpoints/ never import Streamlit (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = [
    ROOT / "app.py",
    *sorted((ROOT / "app_pages").rglob("*.py")),
    *sorted((ROOT / "components").rglob("*.py")),
]
CORE = [*sorted((ROOT / "services").rglob("*.py")), *sorted((ROOT / "local_endpoints").rglob("*.py"))]


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports (anywhere in it, functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_ui_never_imports_boto3(path: Path):
    assert not imported(path) & {"boto3", "botocore"}


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_services_and_the_local_server_never_import_streamlit(path: Path):
    assert "streamlit" not in imported(path)


def test_the_check_sees_imports(tmp_path: Path):
    module = tmp_path / "mod.py"
    code = "import os, boto3.session\nfrom botocore import config\n\ndef f():\n    import streamlit\n"
    module.write_text(code)
    assert imported(module) == {"os", "boto3", "botocore", "streamlit"}
    assert "boto3" in imported(ROOT / "services" / "connection.py")
