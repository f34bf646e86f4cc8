"""Open the TUI from the command line (the only place the CLI imports Textual)."""

from __future__ import annotations

from ..services.context import open_context, open_demo
from .app import make_app


def run_tui(*, data_dir: str | None, db: str | None, demo: bool, refresh_minutes: int = 60) -> int:
    ctx = open_demo() if demo else open_context(folder=data_dir, db=db)
    try:
        # With refresh off, a sync still runs on start when data was never fetched.
        app = make_app(ctx, refresh_interval=refresh_minutes * 60.0)
        app.run()
        return app.return_code or 0
    finally:
        ctx.close()
