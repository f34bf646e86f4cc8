"""Building apps for pilot and snapshot tests: frozen clock, seeded demo data, no cursor blink."""

from __future__ import annotations

from datetime import UTC, datetime

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import AppContext, open_demo

FROZEN = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def synced_demo(size: str = "small") -> AppContext:
    ctx = open_demo(clock=fixed_clock(FROZEN), size=size)
    results = ctx.engine.sync_all(ctx.store.connections())
    assert all(r.ok for r in results), results
    return ctx


def quiet(app):
    """Deterministic rendering for snapshots: no blinking cursors, no animations."""
    app.animation_level = "none"
    return app


async def settle(pilot) -> None:
    """Wait until no worker runs and every message is handled: the app reads and writes the store
    only in workers, and a job's answer may start another one (the status line's facts, a reload)."""
    from textual.worker import WorkerCancelled, WorkerState

    app = pilot.app
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive job replaced by a newer one: wait for that one instead
            pass
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            await pilot.pause()
            if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
                return
