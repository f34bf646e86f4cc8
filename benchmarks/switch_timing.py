"""Screen switches on the demo: ms from F2/F3/F4/F5 to the first frame of the screen it shows.

The event loop only paints (every store call runs in a worker), so a switch is a compose and a frame;
the figures a screen reads arrive in later frames. Run: ``python -m benchmarks.switch_timing``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.screens.connections import ConnectionsScreen
from openai_cost_tui.tui.screens.insights import InsightsScreen
from openai_cost_tui.tui.screens.report import ReportScreen
from openai_cost_tui.tui.screens.workspaces import WorkspacesScreen
from tests.support.tui import settle, synced_demo

SCREENS = {"f3": ConnectionsScreen, "f4": WorkspacesScreen, "f5": InsightsScreen, "f2": ReportScreen}


async def switch_timing(runs: int = 5) -> dict[str, list[float]]:
    ctx = synced_demo("demo")
    try:
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        out: dict[str, list[float]] = {key: [] for key in SCREENS}
        async with app.run_test(size=(120, 36)) as pilot:
            frames: list[tuple[float, type]] = []
            display = app._display

            def recording(screen, renderable) -> None:
                display(screen, renderable)
                frames.append((time.perf_counter(), type(screen)))

            app._display = recording
            await settle(pilot)
            for _ in range(runs):
                for key, screen_type in SCREENS.items():
                    frames.clear()
                    started = time.perf_counter()
                    await pilot.press(key)
                    await settle(pilot)
                    first = next((t for t, kind in frames if kind is screen_type), None)
                    out[key].append(((first or time.perf_counter()) - started) * 1000)
        return out
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    found = asyncio.run(switch_timing(args.runs))
    for key, values in found.items():
        print(f"{key.upper()} -> {SCREENS[key].__name__}: median {statistics.median(values):.0f} ms, "
              f"max {max(values):.0f} ms over {len(values)} switches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
