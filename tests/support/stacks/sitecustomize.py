"""Loaded at start-up by an app a test runs in a real terminal (this folder on PYTHONPATH): SIGUSR1 writes
every thread's stack to the file OPENAI_COST_TUI_TEST_STACKS names, so a test that finds the app no longer
drawing can say where it stands (its threads, or that it is stopped) instead of only that it timed out."""

import faulthandler
import os
import signal

_PATH = os.environ.get("OPENAI_COST_TUI_TEST_STACKS")
if _PATH:
    _FILE = open(_PATH, "w")  # noqa: SIM115 (kept open for the life of the process: the handler writes to it)
    faulthandler.register(signal.SIGUSR1, file=_FILE, all_threads=True)
