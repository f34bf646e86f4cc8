"""Insights a newcomer can check against the report: one forecast, one month to date (today's partial
day included, also on the 1st), the report's own "last 30 days", dates on every panel, no empty rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from textual.widgets import DataTable

from openai_cost_tui.core import money
from openai_cost_tui.core.budgets import parse_amount
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.core.report_state import DateChoice, ReportState
from openai_cost_tui.services import analysis
from openai_cost_tui.tui.app import make_app
from tests.support.tui import settle

FIRST = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)  # the demo store holds November: "today" is its 1st


def text(widget) -> str:
    return str(widget.render())


def cells(table: DataTable) -> dict[str, list[str]]:
    return {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}


async def open_insights(ctx):
    app = make_app(ctx, sync_on_start=False)
    return app


async def test_summary_budget_row_and_forecast_total_are_one_forecast(demo_copy) -> None:
    demo_copy.store.set_budget("total", "", parse_amount("1000000"))
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        budget = cells(screen.query_one("#budgets", DataTable))["total"]
        total = cells(screen.query_one("#forecast", DataTable))["Total"]
        summary = text(screen.query_one("#insights-summary"))
        assert budget[1] == total[1] and budget[2] == total[2], (budget, total)  # used, forecast
        assert f"forecast ${total[2]} " in summary and f": ${total[1]};" in summary, summary


async def test_on_the_first_month_to_date_is_today_so_far_as_in_the_report(demo_copy) -> None:
    demo_copy.clock = fixed_clock(FIRST)
    today = demo_copy.today
    report = demo_copy.store.run_pivot(
        PivotSpec(("service",), None, ReportState(dates=DateChoice("mtd")).dates.resolve(today),
                  (analysis.NO_CREDITS,)), today=today)
    month = money.format_display(report.total.amount)
    assert report.total.amount > 0
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        summary = text(screen.query_one("#insights-summary"))
        assert f"November 2026 to date (2026-11-01..2026-11-01, today still filling): ${month};" in summary
        assert "2026-10-31" not in summary and "$0.00 so far" not in summary
        rows = cells(screen.query_one("#forecast", DataTable))
        assert rows["Total"][1] == month
        assert any(r[1] != "0.00" for name, r in rows.items() if name != "Total")


async def test_every_panel_says_its_dates_and_last_30_days_is_the_reports(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        titles = {t.id: text(t) for t in app.screen.query(".section-title") if t.id}
        assert set(titles) == {"budgets-title", "forecast-title", "anomalies-title", "cache-title", "tiers-title"}
        window = str(DateChoice("30d").resolve(demo_copy.today))  # the report's preset: 2026-10-29..2026-11-27
        assert window == "2026-10-29..2026-11-27"
        assert window in titles["cache-title"] and window in titles["tiers-title"]
        assert "2026-11-01..2026-11-27" in titles["budgets-title"]
        assert "2026-11-01..2026-11-27" in titles["forecast-title"]
        assert "2026-11-13..2026-11-26" in titles["anomalies-title"]


async def test_forecast_table_has_no_empty_trend_column_nor_zero_rows(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#forecast", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Service", "Month to date", "Forecast", "Range"]
        for name, row in cells(table).items():
            assert not (row[1] == "0.00" and row[2] == "0.00"), name


def test_revisions_are_a_list_one_line_per_day() -> None:
    from openai_cost_tui.core.restatements import Restatement
    from openai_cost_tui.tui.screens.insights import revisions_text

    d = money.SCALE
    changes = [Restatement(date(2026, 11, 26), "service", "Images", 0, 5 * d),
               Restatement(date(2026, 11, 26), "service", "Audio", 3 * d, d),
               Restatement(date(2026, 11, 25), "service", "Images", 0, d)]
    assert str(revisions_text(changes, date(2026, 11, 27))).splitlines() == [
        "Revised by the API in the last 7 days (3 changes):",
        "  2026-11-26 (yesterday): Images +$5.00, Audio -$2.00",
        "  2026-11-25: Images +$1.00",
    ]
