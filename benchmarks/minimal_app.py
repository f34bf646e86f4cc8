"""The yardstick for cold start: a minimal Textual app (a header, a DataTable of a few rows, a footer).

``python -m benchmarks.minimal_app`` imports Textual, runs this app headless at the harness's size and
prints, as JSON, the seconds from the parent's spawn (``BENCH_T0``) to its first painted frame: the
same clock and the same stop (the frame after the table is filled) as the app's own cold start in
``tui_timing``, so the two can be divided in one run.
"""

from __future__ import annotations

import asyncio
import json
import os
import time


def main() -> int:
    t0 = float(os.environ.get("BENCH_T0") or time.time())
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    from .memory import peak_rss_mb
    from .tui_timing import SIZE

    import_s = time.time() - t0
    painted: dict = {}

    class Minimal(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("service", "September", "October", "November", "total")
            table.add_rows([(f"service {i}", f"{i * 3.5:.2f}", f"{i * 4.25:.2f}", f"{i:.2f}", f"{i * 8.75:.2f}")
                            for i in range(12)])
            self.call_after_refresh(self.first_frame)

        def first_frame(self) -> None:
            painted["first_paint_s"] = round(time.time() - t0, 3)
            self.exit()

    asyncio.run(Minimal().run_async(headless=True, size=SIZE))
    print(json.dumps({**painted, "import_s": round(import_s, 3), "peak_rss_mb": round(peak_rss_mb(), 1)}),
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
