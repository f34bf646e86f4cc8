"""A total's units read as the group of all its rows would: the least and the greatest unit.

The store keeps each group's least and greatest unit (its rollups hold no more), so the row total of
a row whose columns have {images} and {characters, tokens} must be {characters, tokens}, as a group
over all those rows would be; a union of the columns' units gave three (found by the PostgreSQL
property test with a loaded machine's random examples)."""

from __future__ import annotations

from datetime import date

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import Cell, PivotSpec, unit_ends
from openai_cost_tui.core.pivot import fold

RANGE = DateRange(date(2026, 5, 1), date(2026, 5, 31))


def test_totals_keep_the_least_and_the_greatest_unit() -> None:
    spec = PivotSpec(rows=("service",), cols="model_version", date_range=RANGE, measure="quantity")
    raw = [
        (("Images",), "a", Cell(5, 1, frozenset({"images"}))),
        (("Images",), "b", Cell(7, 2, frozenset({"characters", "tokens"}))),
        (("Audio",), "a", Cell(1, None, frozenset({"characters"}))),
    ]
    result = fold(spec, RANGE, raw, today=date(2026, 5, 31))
    assert result.row_totals[("Images",)] == Cell(12, 3, frozenset({"characters", "tokens"}))
    assert result.col_totals["a"].units == frozenset({"characters", "images"})
    assert result.total.units == frozenset({"characters", "tokens"})


def test_a_sum_of_cells_keeps_the_ends() -> None:
    assert (Cell(1, None, frozenset({"images"})) + Cell(2, None, frozenset({"characters", "tokens"}))).units \
        == frozenset({"characters", "tokens"})
    assert unit_ends(frozenset({"tokens"})) == frozenset({"tokens"})


def test_records_of_one_label_add_up_in_a_cost_view_as_in_any_other() -> None:
    """A cost view (amounts only) adds its records' amounts as integers, as a view with quantities adds its
    cells: two connections' projects of one name, a month's rollup row and its edge days, and the rows
    top-N folds into "(other)" each make one cell, and a cost view's cells carry no quantity or unit (the
    property test's small examples seldom make two records of one label)."""
    raw = [
        (("Alpha",), "2026-05", Cell(5)), (("Alpha",), "2026-05", Cell(7)), (("Alpha",), "2026-06", Cell(1)),
        (("Beta",), "2026-05", Cell(-2)), (("Gamma",), "2026-05", Cell(3)), (("Gamma",), "2026-06", Cell(4)),
    ]
    for quantities in (False, True):
        spec = PivotSpec(rows=("project",), cols="month", date_range=RANGE, top=2, quantities=quantities)
        result = fold(spec, RANGE, raw, today=date(2026, 5, 31))
        assert {k: c.amount for k, c in result.cells.items()} == {
            (("Alpha",), "2026-05"): 12, (("Alpha",), "2026-06"): 1, (("Gamma",), "2026-05"): 3,
            (("Gamma",), "2026-06"): 4, (("(other)",), "2026-05"): -2}
        assert result.total.amount == 18
        assert result.row_keys == (("Alpha",), ("Gamma",), ("(other)",))
        if not quantities:
            assert all(c.quantity is None and not c.units for c in result.cells.values())
