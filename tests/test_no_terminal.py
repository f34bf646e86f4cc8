"""Without a terminal there is no TUI, and off POSIX there is no tool: one line and exit 2, at once.

``openai-cost-tui </dev/null >out`` used to start the TUI, write escape codes into ``out`` and never end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-m", "openai_cost_tui"]


def env_for(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "OPENAI_COST_TUI_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}


@pytest.mark.parametrize("argv", [[], ["--demo"], ["--refresh-minutes", "0"]], ids=["plain", "demo", "refresh"])
def test_no_terminal_no_tui(tmp_path: Path, argv: list[str]) -> None:
    out = subprocess.run([*BASE, *argv], stdin=subprocess.DEVNULL, capture_output=True,
                         env=env_for(tmp_path), timeout=60)
    assert out.returncode == 2
    assert out.stdout == b""  # no escape codes
    lines = out.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "needs a terminal" in lines[0]
    assert "openai-cost-tui report" in lines[0] and "sync" in lines[0] and "--help" in lines[0]
    assert not (tmp_path / "home").exists()  # nothing was opened or created


def test_a_terminal_on_one_side_is_not_enough(tmp_path: Path) -> None:
    """stdin a terminal, stdout a pipe (``openai-cost-tui | less``): still no TUI."""
    leader, follower = os.openpty()
    try:
        out = subprocess.run(BASE, stdin=follower, capture_output=True, env=env_for(tmp_path), timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert out.returncode == 2 and out.stdout == b""
    assert "needs a terminal" in out.stderr.decode()


def test_commands_still_run_without_a_terminal(tmp_path: Path) -> None:
    out = subprocess.run([*BASE, "report", "--format", "json"], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, env=env_for(tmp_path), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.lstrip().startswith("{")


HIDE_FCNTL = """
import sys
sys.modules["fcntl"] = None  # what a system without fcntl (Windows) gives: ImportError on import
from openai_cost_tui.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["report"], [], ["--version"]], ids=["report", "tui", "version"])
def test_without_fcntl_the_tool_says_posix_only(tmp_path: Path, argv: list[str]) -> None:
    out = subprocess.run([sys.executable, "-c", HIDE_FCNTL, *argv], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, env=env_for(tmp_path), timeout=60)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "POSIX" in lines[0] and "Linux, macOS" in lines[0] and "Windows" in lines[0]
    assert not (tmp_path / "home").exists()
