"""A daily bar chart of the row under the cursor (or the total): a y-axis with its scale, dates under
their bars, as tall as the panel, today's partial bar marked. The layout is core.barchart's."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from ...core import money
from ...core.barchart import bar_chart
from ...core.grid import DisplayRow
from ...core.text import shown
from ..jobs import cost_app

BAR_STYLE = "cyan"
FILLING_STYLE = "yellow"  # today's bar: still filling, so lower than it will end
CHROME = 3  # lines that are not bars: the title, the x-axis and the dates


class ChartPanel(Static):
    """Shows ``row``'s cost per day over ``days``; the scale's top is a round figure above the peak."""

    _last: tuple | None = None

    def on_resize(self) -> None:
        """Drawn again at the size it was given (it is first drawn before the layout sizes it)."""
        if self._last is not None:
            self.plot(*self._last[:2], filters=self._last[2])

    def plot(self, row: DisplayRow | None, days: tuple[date, ...], *, filters: str) -> None:
        self._last = (row, days, filters)
        width = max(20, self.content_size.width or 78)
        height = max(3, (self.content_size.height or 8) - CHROME)
        if row is None or not row.series or not days:
            self.update(Text("No daily figures for this row in the range.", style="dim"))
            return
        series = row.series
        today = cost_app(self).ctx.today
        chart = bar_chart(series, days, width=width, height=height, filling=today)
        name = shown(row.label.strip("▸▾ ").strip()) or "Total"
        notes = []
        if chart.filling:
            notes.append(f"today ({today:%m-%d}) still filling")
        if chart.per_bar > 1:
            notes.append(f"each bar averages {chart.per_bar} days")
        if min(series) < 0:
            notes.append("credits (below 0) drawn at 0")
        head = Text.assemble(
            ("Daily cost ", "bold"), (name, "bold cyan"),
            f" · total {money.usd(sum(series))} · peak {money.usd(max(series))}/day",
            (f" · {shown(filters)}" if filters else "", "dim"),
            (f" · {' · '.join(notes)}" if notes else "", FILLING_STYLE if chart.filling else "dim"),
            no_wrap=True, overflow="ellipsis",
        )  # fmt: skip
        body = []
        for line in chart.lines:
            text = Text(line, no_wrap=True)
            text.stylize("dim", 0, chart.axis_width)
            text.stylize(BAR_STYLE, chart.axis_width)
            if chart.filling:
                text.stylize(FILLING_STYLE, *chart.filling)
            body.append(text)
        axis = [Text(chart.baseline, style="dim", no_wrap=True), Text(chart.labels, style="dim", no_wrap=True)]
        self.update(Text("\n").join([head, *body, *axis]))  # (report.tcss: lines are cut, never wrapped)
