"""g on the report: the chart of the row under the cursor, with its scale, dates under the bars, most
of the screen's height, and today's partial bar named."""

from __future__ import annotations

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.chart import ChartPanel
from tests.support.tui import settle


async def test_chart_has_a_scale_dates_height_and_the_filling_day(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        chart = app.screen.query_one(ChartPanel)
        lines = str(chart.render()).splitlines()
        assert lines[0].startswith("Daily cost Chats and Completions")
        assert "today (11-27) still filling" in lines[0]
        scale = [line for line in lines if "┤" in line]
        assert len(scale) >= 2 and scale[-1].strip().startswith("0 ┤")
        assert len(lines) >= 12  # far more than the old five bars
        assert lines[-2].strip().startswith("└")
        assert lines[-1].strip().startswith("09-01") and lines[-1].rstrip().endswith("11-27")
        await pilot.press("down")
        await settle(pilot)
        assert str(chart.render()).startswith("Daily cost Images")
