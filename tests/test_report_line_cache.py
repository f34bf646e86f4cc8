"""The pivot table's rendered lines are kept across refills (tui/report/cell_cache.py): a table filled
again with the same cells draws no line again, and paints what Textual's own DataTable paints (the
random sequences of tests/test_report_cell_cache.py play on both with the line cache on)."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import DataTable

from tests.test_report_cell_cache import _fill, _Tables


def _lines(table: DataTable) -> list:
    width, height = table.size
    return [[(s.text, s.style, s.control) for s in strip] for strip in table.render_lines(Region(0, 0, width, height))]


async def _refilled(cached: bool, monkeypatch) -> tuple[list, list, int]:
    drawn = []
    draw = DataTable._render_line_in_row

    def drawing(table, *args, **kwargs):
        drawn.append(args)
        return draw(table, *args, **kwargs)

    monkeypatch.setattr(DataTable, "_render_line_in_row", drawing)
    app = _Tables(cached)
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one("#table", DataTable)
        _fill(table, 2)
        await pilot.pause()
        _fill(table, 2)  # (drawn now, whatever start-up's focus change emptied before)
        first = _lines(table)
        _fill(table, 2)  # the same cells, refilled: DataTable's own caches start afresh
        drawn.clear()
        again = _lines(table)
        return first, again, len(drawn)


async def test_a_refill_with_the_same_cells_draws_no_line_again(monkeypatch) -> None:
    first, again, drawn = await _refilled(True, monkeypatch)
    plain_first, plain_again, plain_drawn = await _refilled(False, monkeypatch)
    assert first == again == plain_first == plain_again
    assert drawn == 0 < plain_drawn
