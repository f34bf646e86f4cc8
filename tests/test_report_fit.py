"""A figure is never cut: columns of figures that cannot all fit are abbreviated (10.0B, 1.2M), the
exact figure leads the caption while the cursor is on one, and a wide terminal shows them whole."""

from __future__ import annotations

import re

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from tests.support.tui import keys, settle


async def quantity_by_day(pilot) -> None:
    await keys(pilot, "m", *"quantity", "enter", "c", *"day", "enter")


def figures(app) -> list[str]:
    table = app.screen.query_one(PivotTable)
    return [str(c).strip() for i in range(table.row_count) for c in list(table.get_row_at(i))[1:]]


async def test_wide_figures_are_abbreviated_and_the_cursor_line_gives_them_exactly(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await quantity_by_day(pilot)
        table = app.screen.query_one(PivotTable)
        shown = figures(app)
        assert any(re.fullmatch(r"[0-9.,]+[KMB]", f) for f in shown), shown[:20]
        for column, width in ((c, c.width) for c in list(table.columns.values())[1:]):
            assert all(len(str(table.get_cell(r, column.key)).strip()) <= width for r in table.rows), column
        await keys(pilot, "right")  # the first day of the top row: an abbreviated figure
        caption = str(app.screen.query_one("#caption").render())
        cell = str(table.get_cell_at(table.cursor_coordinate)).strip()
        assert re.fullmatch(r"[0-9.,]+[KMB]", cell), cell
        match = re.match(r"exact: (.+?) · (\d{4}-\d\d-\d\d): ([0-9,.]+) ·", caption)
        assert match, caption
        assert match.group(1) == table.display_rows[0].label
        assert len(match.group(3).replace(",", "")) > len(cell)  # every digit, not the short form


async def test_figures_that_fit_are_shown_whole(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "m", *"quantity", "enter")
        assert not any(re.fullmatch(r"[0-9.,]+[KMBT]", f) for f in figures(app))
        assert any(len(f) >= 14 for f in figures(app))  # 27,006,194,900 and the like, whole
        await keys(pilot, "right")
        assert "exact:" not in str(app.screen.query_one("#caption").render())
