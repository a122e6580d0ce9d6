"""The history's folder: the app's own is kept 0700 even when it already existed wider; a folder the user
chose for the file keeps its mode (changing a home directory's or /tmp's would be worse), the file is 0600."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from services.history import APP_DIR_NAME, History, default_history_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_apps_own_folder_that_exists_at_0755_becomes_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SMTI_HISTORY_PATH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    path = default_history_path()
    assert path.parent == tmp_path / APP_DIR_NAME
    path.parent.mkdir(mode=0o755)
    path.parent.chmod(0o755)
    History(path)
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_a_folder_the_user_chose_keeps_its_mode_and_the_file_is_private(tmp_path: Path):
    shared = tmp_path / "my-notes"
    shared.mkdir()
    shared.chmod(0o755)
    History(shared / "history.sqlite3")
    assert mode(shared) == 0o755
    assert mode(shared / "history.sqlite3") == 0o600
