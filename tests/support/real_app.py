"""A real `streamlit run serve.py` on a free loopback port, and the flags Debian's Chromium needs here.

Shared by tests/browser (pytest fixtures) and bench/ (the UI benchmarks): both must start the app exactly the
way a user does, pointed at a given local endpoints server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No sandbox as root, and no background calls to the outside world (refused here, and noise anyway).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate, then kill if it lingers; always reap."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(url: str, process: subprocess.Popen[Any], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@contextlib.contextmanager
def streamlit_app(
    local_endpoints_url: str, history_path: Path, app_dir: Path | None = None, log_path: Path | None = None
) -> Iterator[str]:
    """The app served by a real Streamlit server that uses the given local server; yields the app's URL.
    `log_path` receives what the server prints (else it is dropped)."""
    with streamlit_process(local_endpoints_url, history_path, app_dir, log_path) as (url, _process):
        yield url


@contextlib.contextmanager
def streamlit_process(
    local_endpoints_url: str, history_path: Path, app_dir: Path | None = None, log_path: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """Like `streamlit_app`, also yielding the `streamlit run` process (the benchmarks read its CPU time).

    `app_dir` is the checkout whose app is served (default: this one), e.g. an older worktree: its serve.py,
    as the README runs it (the app behind security headers), or its app.py when it has none."""
    port = free_port()
    env = dict(os.environ)
    env["LOCAL_ENDPOINTS_URL"] = local_endpoints_url
    env["SMTI_HISTORY_PATH"] = str(history_path)
    log = open(log_path, "wb") if log_path is not None else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", _entry(app_dir or ROOT)),
            *("--server.headless", "true", "--server.address", "127.0.0.1"),
            *("--server.port", str(port), "--browser.gatherUsageStats", "false"),
        ],
        cwd=app_dir or ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        stop(process)
        if log is not subprocess.DEVNULL:
            log.close()


def _entry(app_dir: Path) -> str:
    return "serve.py" if (app_dir / "serve.py").exists() else "app.py"
