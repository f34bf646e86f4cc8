"""The synced demo store, built once per test session and copied for each test that needs one.

Syncing the twelve-month demo takes seconds; the snapshot tests need it some thirty times, always the
same (frozen clock, seeded fake organizations). ``build_template`` syncs it once into a folder of its
own; ``copy_demo`` opens a fresh demo context (its own temporary folder, fake transports and keys,
exactly as ``open_demo`` makes them) and puts a copy of the synced store under it, so each test starts
from the state a sync would have left and may change it freely.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import AppContext, open_demo
from tests.support.tui import FROZEN, sync_demo_now


def build_template(folder: Path, size: str = "small") -> Path:
    """Sync the demo once and keep its store in ``folder``."""
    ctx = sync_demo_now(size)
    try:
        target = folder / "synced-demo.db"
        copy_store(Path(ctx.store.url), target)
    finally:
        ctx.close()
    return target


def copy_demo(template: Path, size: str = "small") -> AppContext:
    """A demo context whose store holds a copy of the synced ``template``."""
    ctx = open_demo(clock=fixed_clock(FROZEN), size=size)
    ctx.store.close()  # the store reconnects on its next query, to the copied file
    copy_store(template, Path(ctx.store.url))
    return ctx


def copy_store(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy whatever is in the source's WAL, replacing the target."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
