"""Regenerate the README's screenshots from the same app factory the tests use.

    .venv/bin/python screenshots/generate.py          # SVGs, plus PNGs where rsvg-convert exists

Frozen clock and seeded demo data, so the pictures only change when the app does.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import open_demo
from openai_cost_tui.tui.app import make_app

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
    ("report-nested", ("n", "p", "r", "o", "j", "enter"), (120, 36)),
    ("report-caching", ("p", *"caching", "enter"), (120, 36)),
    ("report-tiers", ("p", *"tier", "enter"), (120, 36)),
    ("insights", ("f5",), (120, 36)),
    ("insights-savings", ("f5", "end"), (120, 36)),
    ("set-budget", ("f5", "b", *"connection umbrella", "enter"), (120, 36)),
    ("connections", ("f3",), (120, 36)),
    ("add-connection", ("f3", "a"), (120, 36)),
    ("remove-connection", ("f3", "d"), (120, 36)),
    ("workspaces", ("f4",), (120, 36)),
    ("help", ("f1",), (120, 36)),
]


async def shoot(name: str, keys: tuple[str, ...], size: tuple[int, int]) -> Path:
    ctx = open_demo(clock=fixed_clock(FROZEN), size="demo")
    try:
        ctx.engine.sync_all(ctx.store.connections())
        ctx.engine.sync_all(ctx.store.connections())  # the demo's upstream revision of yesterday lands
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        async with app.run_test(size=size) as pilot:
            app.animation_level = "none"
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            app.clear_notifications()
            await pilot.pause()
            target = HERE / f"{name}.svg"
            app.save_screenshot(filename=target.name, path=str(HERE))
            return target
    finally:
        ctx.close()


def main() -> int:
    converter = shutil.which("rsvg-convert")
    for name, keys, size in SHOTS:
        svg = asyncio.run(shoot(name, keys, size))
        if converter:
            subprocess.run([converter, str(svg), "-o", str(svg.with_suffix(".png"))], check=True)
        print(f"wrote {svg.relative_to(HERE.parent)}")
    if not converter:
        print("rsvg-convert not found (Debian: apt-get install librsvg2-bin): SVGs only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
