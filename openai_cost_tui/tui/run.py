"""Open the TUI from the command line (the only place the CLI imports Textual).

Quitting, a closed terminal (SIGHUP) and SIGTERM all end the same way: the sync worker is
cancelled, the app exits, and the context (with ``--demo``'s temporary folder) is closed only after
the sync thread has stopped writing into it.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from ..config.paths import data_dir as find_data_dir
from ..config.tui_settings import settings_file
from ..services.context import open_context, open_demo
from .app import CostApp, make_app

SYNC_STOP_SECONDS = 150.0  # a request's own deadline bounds how long the sync thread can take to stop


def run_tui(*, data_dir: str | None, db: str | None, demo: bool, refresh_minutes: int = 60) -> int:
    ctx = open_demo() if demo else open_context(folder=data_dir, db=db)
    with ctx:
        # With refresh off, a sync still runs on start when data was never fetched.
        # keys and theme from tui.toml in the data folder (the demo reads the real one: only reads it)
        settings = settings_file(ctx.folder if not demo else find_data_dir(data_dir))
        app = make_app(ctx, refresh_interval=refresh_minutes * 60.0, settings=settings)
        try:
            with _stop_on_signals(app):
                app.run()
        finally:
            app.stop_sync()
            app.sync_stopped.wait(SYNC_STOP_SECONDS)
        return app.return_code or 0


@contextmanager
def _stop_on_signals(app: CostApp) -> Iterator[None]:
    """SIGHUP and SIGTERM quit like ctrl+q does (the handlers run on the event loop's thread)."""

    def handler(signum: int, frame: object) -> None:
        app.stop_sync()
        try:
            asyncio.get_running_loop().call_soon_threadsafe(app.exit)
        except RuntimeError:  # the loop is not running yet or any more: leave through the finally
            raise SystemExit(128 + signum) from None

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
