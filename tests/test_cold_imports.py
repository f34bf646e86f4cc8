"""What a first paint loads: opening the TUI imports no HTTP client and no sync machinery's network half
(issue #14: httpx and the API client cost 0.3-0.5 s of a 1.1 s cold start when nothing syncs yet)."""

from __future__ import annotations

import subprocess
import sys


def test_opening_the_tui_does_not_import_the_http_client() -> None:
    code = (
        "import sys, openai_cost_tui.tui.run\n"
        "loaded = [m for m in ('httpx', 'openai_cost_tui.api.client', 'keyring') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
