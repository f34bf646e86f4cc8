"""Insights at 80x24 and 120x36 (issue #13): every table fits the screen. A column of text (a budget's
label, an anomaly's drivers) is cut with an ellipsis, never a figure or a state, and the line under the
table gives the full text of the row under the cursor. And the report's labels take the room the
figures leave: a long label is not cut while the line has columns to spare."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from openai_cost_tui.core import money
from openai_cost_tui.core.budgets import CENT, parse_amount
from openai_cost_tui.services.checks import budget_statuses
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from tests.support.tui import settle

SIZES = [(80, 24), (120, 36)]
LONG = "project Search Ranking in Globex Research (demo)"


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def visible_rows(table: DataTable) -> list[str]:
    """Each row as the screen shows it: the table's own lines, cut at its right edge."""
    lines = []
    for y in range(table.size.height):
        lines.append("".join(seg.text for seg in table.render_line(y)))
    return lines


def set_budgets(ctx) -> dict[str, str]:
    """A budget with a label too long for 80 columns, in each state; returns label -> state."""
    store = ctx.store
    store.set_budget("total", "", parse_amount("1000000"))
    store.set_budget("project", "Search Ranking", parse_amount("1"), connection="Globex Research (demo)")
    for scope, target in store.budget_targets():
        if scope == "project":
            store.set_budget(scope, target, parse_amount("1"))
    statuses = {st.budget.label: st for st in budget_statuses(store, ctx.today)}
    st = statuses["project Support Bot"]  # between used and forecast: "forecast over"
    store.set_budget("project", "Support Bot", (st.used + st.forecast) // 2 // CENT * CENT)
    found = {st.budget.label: st.state for st in budget_statuses(store, ctx.today)}
    assert found["project Support Bot"] == "forecast over" and found[LONG] == "over", found
    return found


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_budgets_table_shows_every_state_and_figure_and_cuts_the_label(demo_copy, size) -> None:
    states = set_budgets(demo_copy)
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#budgets", DataTable)
        assert table.max_scroll_x == 0, "the budgets table scrolls sideways: its last columns are off screen"
        rows = visible_rows(table)
        header = rows[0]
        for name in ("Used", "Forecast", "Used %", "State"):
            assert name in header, header
        assert ("Budget (USD)" in header and "Forecast %" in header) or ("Amount" in header and "Fcst %" in header)
        statuses = budget_statuses(demo_copy.store, demo_copy.today)
        assert len(statuses) == len(states)
        for st, line in zip(statuses, rows[1:], strict=False):  # the table's rows, in the same order
            fields = [f.strip() for f in line.split("  ") if f.strip()]
            figures = [money.format_display(n) for n in (st.used, st.forecast, st.budget.amount)]
            assert fields[1:4] == figures and fields[-1] == st.state, (fields, st)  # never "forecast o"
        long_row = rows[1 + [st.budget.label for st in statuses].index(LONG)]
        if size[0] > 100:  # with the short titles (Amount, Fcst %) the whole label fits
            assert LONG in long_row, long_row
            return
        # the label is cut with an ellipsis (the figures need the room), the full label on the cursor line
        assert LONG not in long_row and "…" in long_row, long_row
        table.move_cursor(row=[st.budget.label for st in statuses].index(LONG))
        await settle(pilot)
        note = str(app.screen.query_one("#budgets-full").render())
        assert LONG in note, note


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_insights_table_fits_the_screen(demo_copy, size) -> None:
    """The siblings: forecast, anomalies (its drivers ran off the right edge at 120 columns too),
    caching and tiers never scroll sideways; an anomaly's full drivers are on its cursor line."""
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        for table_id in ("budgets", "forecast", "anomalies", "cache", "tiers"):
            table = app.screen.query_one(f"#{table_id}", DataTable)
            assert table.row_count, table_id
            assert table.max_scroll_x == 0, f"{table_id} scrolls sideways at {size}"
            for name in ("Cost", "Expected", "Change") if table_id == "anomalies" else ():
                assert name in visible_rows(table)[0]
        anomalies = app.screen.query_one("#anomalies", DataTable)
        cut = app.screen.cut["anomalies"]
        assert cut, "the demo's drivers are longer than the screen: some are cut"
        row = min(cut)
        anomalies.focus()
        anomalies.move_cursor(row=row)
        await settle(pilot)
        note = str(app.screen.query_one("#anomalies-full").render())
        drivers = str(anomalies.get_row_at(row)[5])
        assert drivers.endswith("…") and drivers[:-1] in note and "Drivers: " in note, (drivers, note)


async def test_report_label_takes_the_room_the_figures_leave(demo_copy) -> None:
    """Issue #13 item 14: at 120 columns "Chats and Completions ⚠" was cut to "Chats and Completion…"
    (its anomaly mark lost) with some forty columns free on the right."""
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PivotTable)
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "Chats and Completions ⚠" in labels, labels
        lines = screen_lines(app)
        assert any("Chats and Completions ⚠" in line for line in lines), lines
