"""A newcomer's first hour, in a real terminal (tmux) at 80x24 and 120x36, on the demo without an OS
keyring: add a connection whose key is in an environment variable, narrow the report to a new workspace
and then delete that workspace, switch the measure, remove the second budget, export, and quit while a
sync runs. Every step waits by polling the pane for what a user would see (no fixed sleeps), under
one generous overall deadline."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
EXE = Path(sys.executable).parent / "openai-cost-tui"
KEY = "sk-admin-newcomer0123456789abcdefghijklmnop"
EXITED = "newcomer-app-exited-"
STACKS = Path(__file__).resolve().parent / "support" / "stacks"  # its sitecustomize dumps stacks on SIGUSR1


class Pane:
    """One tmux server of its own, so nothing else on the machine is touched."""

    def __init__(self, command: str, size: tuple[int, int], cwd: Path, deadline: float) -> None:
        self.name, self.socket, self.deadline = "newcomer", f"octui-newcomer-{uuid.uuid4().hex[:8]}", deadline
        self.stacks = cwd.parent / "stacks.txt"
        env = {**os.environ, "TERM": "xterm-256color", "OPENAI_COST_TUI_TEST_STACKS": str(self.stacks),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(STACKS), os.environ.get("PYTHONPATH")]))}
        # The pane outlives the app, so an app that ends early leaves its last words and exit code on screen.
        subprocess.run(["tmux", "-L", self.socket, "new-session", "-d", "-s", self.name, "-x", str(size[0]),
                        "-y", str(size[1]), "-c", str(cwd), f"{command}; echo {EXITED}$?; sleep 3600"],
                       check=True, env=env)

    def tmux(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def press(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def wait(self, what: str, *, gone: bool = False) -> str:
        """Poll until ``what`` (a regular expression) is on the screen (or, with ``gone``, is not)."""
        pattern = re.compile(what, re.MULTILINE)
        while time.monotonic() < self.deadline:
            screen = self.screen()
            if bool(pattern.search(screen)) != gone:
                return screen
            if re.search(rf"^{EXITED}", screen, re.MULTILINE):
                break  # the app has ended: what it printed last is on the screen
            time.sleep(0.1)  # a poll interval, not a wait for the app: the condition decides
        size = self.tmux("display", "-p", "-t", self.name, "#{window_width}x#{window_height}").stdout.strip()
        raise AssertionError(f"{'still there' if gone else 'never appeared'}: {what!r}; the screen ({size}):\n"
                             f"{self.screen()}\n{self.diagnose()}")

    def diagnose(self) -> str:
        """Where the app stands: its process state against the terminal's foreground group (a process
        outside it is stopped when it reads a key), and every thread's stack."""
        pane_pid = self.tmux("display", "-p", "-t", self.name, "#{pane_pid}").stdout.strip()
        lines, apps = [], []
        for pid in descendants(int(pane_pid)) if pane_pid.isdigit() else []:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                wchan = Path(f"/proc/{pid}/wchan").read_text()
            except OSError:
                continue
            lines.append(f"pid {pid} state {stat[0]} pgrp {stat[2]} terminal's foreground group {stat[5]} "
                         f"wchan {wchan}: {cmdline[:120]}")
            if "openai-cost-tui" in cmdline:
                apps.append(pid)
        for pid in apps:
            os.kill(pid, signal.SIGUSR1)
        end = time.monotonic() + 5
        while apps and time.monotonic() < end and not (self.stacks.exists() and self.stacks.stat().st_size):
            time.sleep(0.1)
        stacks = self.stacks.read_text() if self.stacks.exists() else ""
        return "\n".join(["processes:", *lines, "stacks:", stacks or "(none written)"])

    def exit_code(self) -> int | None:
        """The app's exit code once it has ended, else None."""
        found = re.search(rf"^{EXITED}(\d+)", self.screen(), re.MULTILINE)
        return int(found.group(1)) if found else None

    def close(self) -> None:
        self.tmux("kill-server")


def descendants(pid: int) -> list[int]:
    """``pid`` and the processes under it, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


@pytest.mark.timeout(300)  # about 30 s a size when the machine is idle; the suite's load can triple it
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_a_newcomers_first_hour(size, tmp_path) -> None:
    cwd = tmp_path / "here"
    cwd.mkdir()
    command = (f"env PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring NEWCOMER_KEY={KEY} "
               f"{EXE} --demo --data-dir {tmp_path / 'data'}")
    pane = Pane(command, size, cwd, deadline=time.monotonic() + 240)
    try:
        pane.wait("data as of")  # the demo's first sync has landed

        # a connection, with no OS keyring: the key stays in an environment variable
        pane.press("F3")
        pane.wait(r"Umbrella Data \(demo\)")
        pane.press("a")
        pane.wait("Environment variable name")
        pane.type("NEWCOMER_KEY")  # the variable's name takes the key field's place, and the focus
        pane.press("BTab", "BTab")
        pane.type("Newcomer Co")
        pane.press("C-s")
        screen = pane.wait(r"^ Newcomer Co +env NEWCOMER_KEY")
        assert "No OS keyring" not in screen

        # a workspace to narrow the report to, then deleted under it
        pane.press("F4")
        pane.wait("Workspaces group")
        pane.press("a")
        pane.wait("New workspace")
        pane.type("Research")
        pane.press("Enter")
        pane.wait(r"^ Research +0")
        pane.press("Tab", "Space")  # tick the first connection
        pane.wait(r"^ Research +1")
        pane.press("F2")
        pane.wait("Rows Service")
        pane.press("w")
        pane.wait(r"Research +\(")
        pane.type("Research")
        pane.press("Enter")
        pane.wait("Workspace: Research")
        pane.press("F4")
        pane.wait(r"^ Research +1")
        pane.press("Down", "Down")  # Research is the last row
        pane.press("d")
        pane.wait(r"Delete workspace Research\?")
        pane.press("y")
        pane.wait("Deleted Research")
        pane.press("F2")
        pane.wait("showing all")  # the report falls back to all connections and says so

        # another measure: its caption and its figures
        pane.press("m")
        pane.wait(r"Quantity \(tokens")
        pane.type("quantity")
        pane.press("Enter")
        screen = pane.wait(r"· Quantity ·")
        assert "Cost (USD) ·" not in screen, screen

        # the second budget removed, and only that one
        pane.press("F5")
        pane.wait(r"^ Production +[0-9,]+\.[0-9]{2}")
        pane.press("Down", "x")
        pane.wait(r"Remove the \$20,000\.00 monthly budget for")
        pane.press("y")
        pane.wait("Removed the budget for Production")
        screen = pane.wait(r"^ Production +[0-9,]+\.[0-9]{2}|Remove the \$", gone=True)  # (the dialog is shut)
        assert re.search(r"^ total +[0-9,]+\.[0-9]{2}", screen, re.MULTILINE), screen

        # an export where the user is, kept after the demo ends
        pane.press("F2")
        pane.wait("Rows Service")
        pane.press("e")
        pane.wait("Export this view")
        pane.press("Enter")
        pane.wait("Export as CSV: write to")
        pane.press("Enter")
        pane.wait("Wrote")

        # quit while a sync runs: the app ends, the terminal is given back
        pane.press("C-s")
        pane.wait("syncing")
        pane.press("C-q")
        while pane.exit_code() is None and time.monotonic() < pane.deadline:
            time.sleep(0.1)
        assert pane.exit_code() == 0, f"the app did not quit cleanly during a sync:\n{pane.screen()}"
        exports = list(cwd.glob("report-service-by-month-*.csv"))
        assert len(exports) == 1 and exports[0].read_text().startswith("Service,")
    finally:
        pane.close()
