"""Snapshots of the shell's screens and modals at 80x24 and 120x36 (frozen clock, seeded data).

Update after an intended change with: pytest tests/test_snapshots_app.py --snapshot-update
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from tests.support.tui import settle

SIZES = [(80, 24), (120, 36)]


@pytest.fixture
def app(no_keyring, demo_copy):  # the add form shows the keyring state: pin it to "no keyring", as on CI
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)  # the session's synced demo, copied


async def no_blink(pilot) -> None:
    pilot.app.animation_level = "none"
    await settle(pilot)  # Markdown renders in a worker; screens read the store in workers
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def steps(*keys):
    """Each key once the app is idle (no worker left, every message handled): the picture depends on
    what the app did, never on how fast this machine did it."""

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await no_blink(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)
    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [("f3",), ("f3", "a"), ("f3", "d"), ("f3", "e"), ("f4",), ("f4", "a"), ("f1",), ("f5",)],
    ids=["connections", "add-connection", "remove-confirm", "edit-connection", "workspaces", "new-workspace",
         "help", "insights"],
)
def test_screens(snap_compare, app, size, keys) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))
