"""Who is syncing: ``member@host``, written beside a sync's outcome in a shared store.

$OPENAI_COST_TUI_MEMBER names the member (e.g. ``cron@reports``, or two members on one machine);
else the login name and the machine's name.
"""

from __future__ import annotations

import getpass
import os
import platform

ENV_MEMBER = "OPENAI_COST_TUI_MEMBER"
MAX_LENGTH = 120


def member_name() -> str:
    chosen = os.environ.get(ENV_MEMBER, "").strip()
    if not chosen:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container without a passwd entry)
            user = str(os.getuid()) if hasattr(os, "getuid") else "someone"
        chosen = f"{user}@{platform.node() or 'localhost'}"
    return "".join(ch for ch in chosen if ch.isprintable())[:MAX_LENGTH]
