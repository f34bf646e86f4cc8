"""A daily bar chart of the row under the cursor (or the total), drawn in block characters."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from ...core import money
from ...core.grid import DisplayRow
from ...core.sparkline import bars
from ...core.text import shown

CHART_HEIGHT = 5


class ChartPanel(Static):
    """Shows ``row``'s cost per day over ``days``; the highest day is the full height."""

    def plot(self, row: DisplayRow | None, days: tuple[date, ...], *, filters: str) -> None:
        width = max(10, self.size.width - 2 if self.size.width else 78)
        if row is None or not row.series or not days:
            self.update(Text("No daily figures for this row in the range.", style="dim"))
            return
        series = row.series
        peak = max(series)
        total = sum(series)
        name = shown(row.label.strip("▸▾ ").strip()) or "Total"
        head = Text.assemble(
            ("Daily cost ", "bold"),
            (name, "bold cyan"),
            f" · total {money.usd(total)} · peak {money.usd(peak)}/day",
            (f" · {shown(filters)}" if filters else "", "dim"),
            no_wrap=True,
            overflow="ellipsis",
        )
        lines = bars(series, width, CHART_HEIGHT)
        per = -(-len(days) // width) if len(days) > width else 1
        axis = f"{days[0]}" + (f" ({per}-day averages)" if per > 1 else "")
        axis = (
            axis
            + " " * max(1, min(width, len(lines[0]) if lines else width) - len(axis) - 10)
            + f"{days[-1]}"
        )
        body = Text("\n".join(lines), style="cyan", no_wrap=True)
        self.update(Text("\n").join([head, body, Text(axis, style="dim", no_wrap=True)]))



