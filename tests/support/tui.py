"""Building apps for pilot and snapshot tests: frozen clock, seeded demo data, no cursor blink."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import AppContext, open_demo

FROZEN = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def sync_demo_now(size: str = "small") -> AppContext:
    """A demo context that has just synced its twelve months (seconds of work)."""
    ctx = open_demo(clock=fixed_clock(FROZEN), size=size)
    results = ctx.engine.sync_all(ctx.store.connections())
    assert all(r.ok for r in results), results
    return ctx


_TEMPLATES: dict[str, Path] = {}


def synced_demo(size: str = "small") -> AppContext:
    """A demo context in the state its first sync leaves: a copy of one sync per process and size.

    The demo's fake organizations read only the store to decide what they serve next (the revision
    of yesterday after a first sync keys on ``synced_through``), so a copy behaves as the synced
    original would; ``sync_demo_now`` is there for a test that must watch the sync itself."""
    from tests.support.demo_store import copy_demo

    return copy_demo(demo_template(size), size)


def demo_template(size: str = "small") -> Path:
    """The synced demo store of this test process (built on first use, removed at exit)."""
    from tests.support.demo_store import build_template

    if size not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="octui-demo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        _TEMPLATES[size] = build_template(folder, size)
    return _TEMPLATES[size]


def quiet(app):
    """Deterministic rendering for snapshots: no blinking cursors, no animations."""
    app.animation_level = "none"
    return app


async def settle(pilot) -> None:
    """Wait until no worker runs and every message is handled: the app reads and writes the store
    only in workers, and a job's answer may start another one (the status line's facts, a reload)."""
    app = pilot.app
    for _ in range(100):
        # A job that fails is the app's to report (inline or as a notification: tests look at that), and
        # an exclusive job replaced by a newer one is cancelled: wait for every worker, whatever its end.
        # (Under load a failed worker can still be listed when this looks; Textual's wait_for_complete
        # would raise its error here.)
        await asyncio.gather(*[worker.wait() for worker in app.workers], return_exceptions=True)
        await pilot.pause()
        if not busy(app):
            await pilot.pause()
            if not busy(app):
                return


def busy(app) -> bool:
    """A worker runs or a typed key is still on its way (the app hands keys on one at a time)."""
    from textual.worker import WorkerState

    return getattr(app, "keys_pending", False) or any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def keys(pilot, *names: str) -> None:
    """Press each key and let what it started finish before the next (as a user waits for the screen)."""
    for name in names:
        await pilot.press(name)
        await settle(pilot)
