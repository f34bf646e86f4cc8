"""A view whose trend and flags are kept (services/report_query.kept_series) is answered by one message:
the worker sends the figures with their series, the table is filled once, and what it shows is what the
first visit showed after its figures and then its series arrived."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import TREND_KEY, PivotTable
from openai_cost_tui.tui.screens.report import ReportScreen
from tests.support.tui import settle, synced_demo

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ctx():
    c = synced_demo()
    assert c.today == NOW.date()
    yield c
    c.close()


def _shown(app) -> tuple[list[str], list[list[str]], object]:
    table = app.screen.query_one(PivotTable)
    header = [str(c.label) for c in table.columns.values()]
    rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    return header, rows, table.scroll_offset  # (a swap puts the cursor at the top: rows changed meaning)


async def test_a_kept_view_is_painted_from_one_answer_with_the_same_cells(ctx, monkeypatch) -> None:
    answers: list[tuple[int, bool]] = []  # (generation, with a series) per answer the screen receives
    loaded = ReportScreen.on_report_screen_loaded

    def recording(self, message) -> None:
        answers.append((message.generation, bool(message.data.grid.series)))
        loaded(self, message)

    monkeypatch.setattr(ReportScreen, "on_report_screen_loaded", recording)
    app = make_app(ctx, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("down", "right")
        await settle(pilot)
        first = _shown(app)
        assert TREND_KEY in {c.value for c in app.screen.query_one(PivotTable).columns}
        for _ in range(2):  # swapped and back: the first view is now kept
            await pilot.press("s")
            await settle(pilot)
        answers.clear()
        await pilot.press("s")
        await settle(pilot)
        swapped = _shown(app)
        assert len(answers) == 1 and answers[0][1], answers  # the figures with their trend, at once
        answers.clear()
        await pilot.press("s")
        await settle(pilot)
        assert len(answers) == 1 and answers[0][1], answers
        assert _shown(app) == first
        assert swapped != first
