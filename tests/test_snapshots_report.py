"""Snapshots of the report's main states at 80x24 and 120x36 (frozen clock, seeded demo data).

Update after an intended change with: pytest tests/test_snapshots_report.py --snapshot-update
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from tests.support.tui import synced_demo

SIZES = [(80, 24), (120, 36)]
STATES = {
    "default": (),
    "nested-folded": ("n", *"subcat", "enter", "space"),
    "drilled-filtered": ("enter", "enter", "x"),
    "compare": ("r", *"proj", "enter", "v"),
    "chart": ("down", "g"),
    "filter-modal": ("f", *"sub", "enter", *"cached"),
    "dates-modal": ("d",),
    "unit-cost-by-week": ("m", *"unit", "enter", "c", *"week", "enter"),
    "preset-caching": ("p", *"caching", "enter"),
}


@pytest.fixture
def app():
    ctx = synced_demo()
    yield make_app(ctx, sync_on_start=False, refresh_interval=0)
    ctx.close()


def steps(*keys):
    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", list(STATES))
def test_report(snap_compare, app, size, state) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*STATES[state]))
