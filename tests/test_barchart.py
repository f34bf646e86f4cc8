"""The report's daily chart (core.barchart): a scale on the y-axis, dates under their bars, the full
height given, and the day still filling kept apart for the screen to mark."""

from __future__ import annotations

from datetime import date, timedelta

from openai_cost_tui.core import money
from openai_cost_tui.core.barchart import bar_chart, nice_top

D = money.SCALE
START = date(2026, 11, 1)


def days(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


def test_nice_top_is_a_round_figure_at_or_above_the_peak() -> None:
    assert [nice_top(v * D) for v in (1, 7, 11, 1214, 2600, 99)] == [D, 8 * D, 12 * D, 1500 * D, 3000 * D, 100 * D]


def test_scale_labels_sit_on_their_lines_and_bars_fill_the_height() -> None:
    values = [100 * D, 50 * D, 0, 25 * D, 100 * D]
    chart = bar_chart(values, days(5), width=40, height=9)
    assert len(chart.lines) == 9
    assert chart.lines[0].lstrip().startswith("100 ┤") and chart.lines[4].lstrip().startswith("50 ┤")
    assert chart.lines[8].lstrip().startswith("0 ┤")
    bars = [line[chart.axis_width:] for line in chart.lines]
    step = 35 // 5  # the room after the axis, shared by the five days
    first = [line[0] for line in bars]
    assert first == ["█"] * 9  # the peak is the full height
    half = [line[step] if len(line) > step else " " for line in bars]
    assert half[:4] == [" "] * 4 and set(half[5:]) == {"█"}  # 50 reaches the half line
    empty_day = [line[2 * step] if len(line) > 2 * step else " " for line in bars]
    assert set(empty_day) == {" "}  # a day without cost draws nothing


def test_dates_sit_under_their_bars() -> None:
    chart = bar_chart([D] * 30, days(30), width=100, height=4)
    step = (100 - chart.axis_width) // 30
    for i, d in enumerate(days(30)):
        label = d.strftime("%m-%d")
        at = chart.labels.find(label)
        if at >= 0 and i < 29:
            assert at == chart.axis_width + i * step, label
    assert "11-01" in chart.labels and "11-30" in chart.labels  # first and last are named
    assert chart.baseline.startswith(" " * (chart.axis_width - 1) + "└")


def test_the_filling_day_is_located_for_marking() -> None:
    chart = bar_chart([D] * 10, days(10), width=60, height=4, filling=START + timedelta(days=9))
    step = (60 - chart.axis_width) // 10
    assert chart.filling == (chart.axis_width + 9 * step, chart.axis_width + 10 * step - 1)
    assert bar_chart([D] * 10, days(10), width=60, height=4, filling=date(2027, 1, 1)).filling is None


def test_many_days_are_averaged_and_a_year_boundary_shows_years() -> None:
    span = [date(2025, 12, 1) + timedelta(days=i) for i in range(200)]
    chart = bar_chart([D] * 200, span, width=80, height=4, filling=span[-1])
    assert chart.per_bar == 3 and chart.filling is not None
    assert "2025-12-01" in chart.labels
    assert max(len(line) for line in chart.lines) <= 80 and len(chart.labels) <= 80
