"""Regenerate the README's screenshots from the same app factory the tests use.

    .venv/bin/python screenshots/generate.py          # SVGs, and PNGs through headless Chromium
    .venv/bin/python screenshots/generate.py insights # only the shots whose names are given

Frozen clock and seeded demo data, so the pictures only change when the app does. The PNGs are drawn
by Chromium (screenshots/png.py; Debian: apt-get install chromium), which keeps the SVG's spaces, each
exactly the size of its terminal.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import open_demo
from openai_cost_tui.tui.app import make_app

# the add-connection form as on a server without an OS keyring (the common case), whatever this machine has
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from png import browser, svg_to_png  # noqa: E402  (beside this script)

from tests.support.tui import settle  # noqa: E402  (idle: no worker left, every message handled)

HERE = Path(__file__).resolve().parent
FROZEN = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

# name, keys pressed after start, terminal size
SHOTS = [
    ("report", (), (120, 36)),
    ("report-80x24", (), (80, 24)),
    ("report-compare", ("v",), (120, 36)),
    ("report-drilled", ("enter", "enter"), (120, 36)),
    ("report-chart", ("g",), (120, 36)),
    ("report-filter", ("f", "enter"), (120, 36)),
    ("report-nested", ("i", "p", "r", "o", "j", "enter"), (120, 36)),
    ("report-caching", ("p", *"caching", "enter"), (120, 36)),
    ("report-tiers", ("p", *"tier", "enter"), (120, 36)),
    ("insights", ("f5",), (120, 36)),
    ("insights-savings", ("f5", "tab", "tab", "tab", "tab"), (120, 36)),  # focus the last table: it scrolls into view
    ("set-budget", ("f5", "b", *"connection umbrella", "enter"), (120, 36)),
    ("connections", ("f3",), (120, 36)),
    ("add-connection", ("f3", "a"), (120, 36)),
    ("remove-connection", ("f3", "d"), (120, 36)),
    ("workspaces", ("f4",), (120, 36)),
    ("help", ("f1",), (120, 36)),
    # the tags screen after a rule is saved: what it claims, on one line under the table
    ("tags", ("T", "n", *"team", "space", *"Search", "space", *"project", "equals_sign", "apostrophe", *"Search",
              "asterisk", "apostrophe", "enter"), (120, 36)),
]


async def shoot(name: str, keys: tuple[str, ...], size: tuple[int, int]) -> Path:
    ctx = open_demo(clock=fixed_clock(FROZEN), size="demo")
    try:
        ctx.engine.sync_all(ctx.store.connections())
        ctx.engine.sync_all(ctx.store.connections())  # the demo's upstream revision of yesterday lands
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        async with app.run_test(size=size) as pilot:
            app.animation_level = "none"
            await settle(pilot)
            app.clear_notifications()  # the start-up notice
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            app.clear_notifications()
            for field in app.screen.query(Input):  # a steady cursor: the picture never catches it blinked off
                field.cursor_blink = False
            await pilot.pause()
            target = HERE / f"{name}.svg"
            app.save_screenshot(filename=target.name, path=str(HERE))
            return target
    finally:
        ctx.close()


def main(names: list[str]) -> int:
    chrome = browser()
    for name, keys, size in SHOTS:
        if names and name not in names:
            continue
        svg = asyncio.run(shoot(name, keys, size))
        if chrome:
            svg_to_png(svg, chrome=chrome)
        print(f"wrote {svg.relative_to(HERE.parent)}")
    if not chrome:
        print("Chromium not found (Debian: apt-get install chromium): SVGs only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
