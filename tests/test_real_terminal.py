"""The app in a real terminal (tmux), as a newcomer runs it: demo data shows, keys work, it quits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
EXE = Path(sys.executable).parent / "openai-cost-tui"


class Tmux:
    def __init__(self, command: str, width: int = 120, height: int = 36) -> None:
        self.name = f"octui-{uuid.uuid4().hex[:8]}"
        self.socket = f"octui-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "TERM": "xterm-256color"}
        subprocess.run(["tmux", "-L", self.socket, "new-session", "-d", "-s", self.name, "-x", str(width),
                        "-y", str(height), command], check=True, env=env)

    def screen(self) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", self.name],
                             capture_output=True, text=True)
        return out.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", self.name],
                              capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_demo_in_a_real_terminal(size) -> None:
    term = Tmux(f"{EXE} --demo", *size)
    try:
        screen = term.wait_for("data as of", timeout=45)
        assert "DEMO" in screen
        term.keys("F3")
        screen = term.wait_for("(demo)")
        assert "Connections" in screen
        term.keys("F4")
        term.wait_for("Everything")
        term.keys("F1")
        term.wait_for("Keys")
        term.keys("Escape", "C-q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), "the app did not quit on ctrl+q"
    finally:
        term.close()


def test_hostile_names_and_an_escape_laden_api_error_in_a_real_terminal(tmp_path) -> None:
    """Markup and terminal escapes from outside, as a user meets them: a workspace named like markup,
    and a sync whose API error carries ESC/OSC sequences and markup. The app keeps running, shows the
    text literally, and the terminal is neither cleared nor retitled."""
    import socket

    from openai_cost_tui.store.store import NewConnection, Store

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(EXE), "fake-api", "--port", str(port), "--size", "small",
                               "--fault", "costs:hostile-error:status=400:times=0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = tmp_path / "costs.db"
    with Store(str(db)) as store:
        store.add_workspace("[/bold] team")
        conn = store.add_connection(NewConnection(
            description="[/] acme", base_url=f"http://127.0.0.1:{port}/v1", key_source="env",
            key_ref="HOSTILE_TEST_KEY", backfill_start=__import__("datetime").date(2026, 11, 1)))
        store.assign("[/bold] team", [conn.id])
    key = "sk-admin-" + "h" * 40
    term = Tmux(f"env HOSTILE_TEST_KEY={key} {EXE} --db {db}", 160, 40)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the fake API is up when it answers
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        screen = term.wait_for("Sync failed", timeout=45)
        assert "[/bold] x" in screen  # the error's markup shown as text
        term.keys("F3")
        screen = term.wait_for("[/] acme")
        term.keys("F4")
        screen = term.wait_for("[/bold] team")
        title = subprocess.run(["tmux", "-L", term.socket, "display-message", "-p", "-t", term.name,
                                "#{pane_title}"], capture_output=True, text=True).stdout
        assert "pwned" not in title  # an OSC sequence never reached the terminal
        assert term.alive()
        term.keys("C-q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), "the app did not quit on ctrl+q"
    finally:
        term.close()
        server.terminate()
        server.wait(10)
