"""A daily bar chart in block characters: a y-axis with a scale, date labels under their bars, and the
day still filling (today) kept apart so a screen can mark it. Pure text; the TUI only colours it.

Amounts are ``int`` atto-dollars. Days beyond the width are averaged in equal runs (``sparkline.bucket``),
and a run holding the filling day is the filling bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import money
from .render import compact_text
from .sparkline import EIGHTHS, bucket

_NICE = ("1", "1.2", "1.5", "2", "2.5", "3", "4", "5", "6", "8", "10")


@dataclass(frozen=True)
class BarChart:
    lines: list[str]  # the plot rows, top first, each starting with the axis
    baseline: str  # the x-axis under the bars
    labels: str  # the dates, each under the bar it names
    axis_width: int  # characters before the first bar (scale labels and the axis line)
    filling: tuple[int, int] | None  # [start, end) columns of the filling bar, for a screen to mark
    per_bar: int  # days per bar (1, or the run length when days were averaged)
    top: int  # the scale's top, atto-dollars


def nice_top(peak: int) -> int:
    """The smallest round figure (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or
    above ``peak`` (atto-dollars, at least a cent): the scale's top."""
    peak = max(peak, money.SCALE // 100)
    power = 10 ** (len(str(peak)) - 1)
    for step in _NICE:
        top = int(Decimal(step) * power)
        if top >= peak:
            return top
    return 10 * power  # pragma: no cover - 10 * power > peak always


def scale_text(atto: int, top: int) -> str:
    """A tick's label: whole dollars when the top is $100 or more (compacted above 10,000), else cents."""
    if top >= 100 * money.SCALE:
        return compact_text(money.format_display(atto, 0))
    return money.format_display(atto)


def bar_chart(values: Sequence[int], days: Sequence[date], *, width: int, height: int,
              filling: date | None = None) -> BarChart:
    """``values[i]`` is the cost of ``days[i]``; the chart fits ``width`` x (``height`` + 2) characters."""
    height = max(2, height)
    probe = [scale_text(nice_top(max([*values, 0])), nice_top(max([*values, 0]))), "0"]
    axis_width = max(len(p) for p in probe) + 2  # label, space, axis character
    room = max(1, width - axis_width)
    points = bucket(list(values), room)
    per = -(-len(values) // room) if len(values) > room else 1
    top = nice_top(max([*points, 0]))
    step = max(1, room // max(1, len(points)))
    gap = 1 if step >= 3 else 0
    ticks = {0: top, height - 1: 0} | ({(height - 1) // 2: top // 2} if height >= 5 else {})
    if height >= 5 and (height - 1) % 2:  # an odd spacing: the middle tick is where the half really is
        ticks.pop((height - 1) // 2)
        ticks[round((height - 1) / 2)] = top // 2
    lines = []
    for row in range(height):
        level = height - row  # the top row is level ``height``
        mark = "┤" if row in ticks else "│"
        label = scale_text(ticks[row], top) if row in ticks and ticks[row] else ("0" if row in ticks else "")
        cells = []
        for v in points:
            eighths = 0 if v <= 0 else round(v * height * 8 / top)
            fill = max(0, min(8, eighths - (level - 1) * 8))
            if v > 0 and level == 1 and fill == 0:
                fill = 1  # a day with any cost never disappears
            cells.append(EIGHTHS[fill] * (step - gap) + " " * gap)
        lines.append(label.rjust(axis_width - 2) + " " + mark + "".join(cells).rstrip())
    used = step * len(points)
    baseline = " " * (axis_width - 1) + "└" + "─" * used
    starts = [days[i * per] for i in range(len(points))]
    labels = _labels(starts, step, axis_width, wide=len({d.year for d in days}) > 1, width=width)
    fill_at = None
    if filling is not None and days and days[0] <= filling <= days[-1]:
        index = (days.index(filling) if filling in days else len(days) - 1) // per
        fill_at = (axis_width + index * step, axis_width + index * step + step - gap)
    return BarChart(lines, baseline, labels, axis_width, fill_at, per, top)


def _labels(starts: Sequence[date], step: int, offset: int, *, wide: bool, width: int) -> str:
    """Dates under their bars, left-aligned on the bar (the last one ends at ``width`` when it would
    run past it), never overlapping; the first and the last bar are named."""
    text = (lambda d: d.isoformat()) if wide else (lambda d: d.strftime("%m-%d"))
    size = len(text(starts[0])) if starts else 0
    out = [" "] * (offset + step * len(starts) + size)
    every = max(1, -(-(size + 2) // step))
    chosen = list(range(0, len(starts), every))
    last = len(starts) - 1
    if starts and last not in chosen:
        if chosen and (last - chosen[-1]) * step < 2 * size + 2:  # room for it, even moved left
            chosen.pop()
        chosen.append(last)
    for i in chosen:
        at = min(offset + i * step, max(offset, width - size))
        out[at : at + size] = text(starts[i])
    return "".join(out).rstrip()
