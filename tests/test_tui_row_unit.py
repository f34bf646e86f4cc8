"""A quantity or unit-cost view over rows of several units says, under the table, what the row under the
cursor is counted in (its title can only say "per unit"), and that a row mixing units has no single one."""

from __future__ import annotations

import pytest

from openai_cost_tui.core.render import row_unit_note
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from tests.support.tui import keys, settle


@pytest.fixture
def app(demo_copy):
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


def caption(app) -> str:
    return str(app.screen.query_one("#caption").render())


async def _to_row(pilot, label: str) -> None:
    table = pilot.app.screen.query_one(PivotTable)
    at = next(i for i, row in enumerate(table.display_rows) if row.label == label)
    table.move_cursor(row=at)
    await settle(pilot)


async def test_unit_cost_names_the_unit_of_the_row_under_the_cursor(app) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "m", *"unit", "enter")
        await settle(pilot)
        assert "USD per unit" in caption(app)  # the title: the view mixes units
        await _to_row(pilot, "Storage")
        assert "Storage: USD per gibibyte hour · " in caption(app)
        await _to_row(pilot, "Chats and Completions")
        assert "Chats and Completions: USD per 1M tokens · " in caption(app)
        await keys(pilot, "m", *"quant", "enter")
        await settle(pilot)
        await _to_row(pilot, "Storage")
        assert "Storage: in gibibyte hours · " in caption(app)
        await keys(pilot, "m", *"cost", "enter")
        await settle(pilot)
        await _to_row(pilot, "Storage")
        assert "Storage:" not in caption(app)  # a cost is in dollars: nothing to say


def test_a_row_mixing_units_says_so_and_one_unit_for_all_says_nothing() -> None:
    from datetime import date

    from openai_cost_tui.core.dates import DateRange
    from openai_cost_tui.core.models import Cell, PivotResult, PivotSpec

    def result(measure: str, units: frozenset[str]) -> PivotResult:
        spec = PivotSpec(rows=("service",), cols=None, measure=measure)
        return PivotResult(spec=spec, date_range=DateRange(date(2026, 5, 1), date(2026, 5, 2)), row_keys=(),
                           col_keys=(), cells={}, row_totals={}, col_totals={}, total=Cell(1, 1, units))

    mixed = frozenset({"images", "tokens"})
    assert row_unit_note(result("quantity", mixed), "Images", mixed) == \
        "Images mixes units (images … tokens): its sum adds them"
    assert row_unit_note(result("unit_cost", frozenset({"tokens"})), "Chats", frozenset({"tokens"})) is None
