"""Snapshots of the report's main states at 80x24 and 120x36 (frozen clock, seeded demo data).

Update after an intended change with: pytest tests/test_snapshots_report.py --snapshot-update
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from tests.support.tui import settle

SIZES = [(80, 24), (120, 36)]
STATES = {
    "default": (),
    "nested-folded": ("i", *"subcat", "enter", "space"),
    "drilled-filtered": ("enter", "enter", "x"),
    "compare": ("r", *"proj", "enter", "v"),
    "chart": ("down", "g"),
    "filter-modal": ("f", *"sub", "enter", *"cached"),
    "dates-modal": ("d",),
    "unit-cost-by-week": ("m", *"unit", "enter", "c", *"week", "enter"),
    "preset-caching": ("p", *"caching", "enter"),
}


@pytest.fixture
def app(demo_copy):  # the session's synced demo, copied for this test
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


def steps(*keys):
    """Each key once the app is idle (no worker left, every message handled), starting from a report
    whose pivot, anomaly marks and status line are all in and whose start-up notice is gone: a modal
    shows the screen under it as it was when it opened, so that screen must not depend on timing."""

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        pilot.app.clear_notifications()
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", list(STATES))
def test_report(snap_compare, app, size, state) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*STATES[state]))
