"""The date-range dialog (`d`): an error goes once the days are edited, and a whole date fits its field."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.date_range import DateRangeModal
from openai_cost_tui.tui.screens.report import ReportScreen
from tests.support.tui import keys, settle


@pytest.fixture
def app(demo_copy):
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


async def open_custom(pilot) -> Input:
    """`d`, then "Custom range": focus is in From, its text selected (typing replaces it)."""
    await settle(pilot)
    await keys(pilot, "d", "end", "enter")
    assert isinstance(pilot.app.screen, DateRangeModal)
    from_input = pilot.app.screen.query_one("#date-from", Input)
    assert pilot.app.focused is from_input
    return from_input


def error(app) -> str:
    return str(app.screen.query_one("#date-error").render()).strip()


async def test_editing_from_after_an_error_clears_it(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        from_input = await open_custom(pilot)
        await keys(pilot, *"2026-13-01", "enter")
        assert "not a real calendar date" in error(app)
        assert app.focused is from_input  # an error keeps the user where the problem is
        # Correct the month as a user does: cursor back over "-01", delete the "3", type "1".
        await keys(pilot, "left", "left", "left", "backspace")
        assert error(app) == ""  # the first edit already takes the stale error away
        await keys(pilot, "1")
        assert from_input.value == "2026-11-01"
        assert error(app) == ""
        await keys(pilot, "enter")  # still checked on Enter: From is fine, on to To
        assert app.focused is app.screen.query_one("#date-to", Input)
        assert error(app) == ""


async def test_editing_to_after_an_error_clears_it_and_enter_checks_again(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_custom(pilot)
        await keys(pilot, *"2026-10-05", "enter")  # From is fine: focus moves to To
        to_input = app.screen.query_one("#date-to", Input)
        assert app.focused is to_input
        await keys(pilot, *"2026-10-01", "enter")
        assert "after" in error(app)
        await keys(pilot, "backspace")
        assert error(app) == ""
        await keys(pilot, "0", "enter")  # "2026-10-00": a new problem is shown on Enter
        assert "not a real calendar date" in error(app)
        await keys(pilot, "backspace", "backspace", *"20")
        assert error(app) == ""
        await keys(pilot, "enter")
        assert isinstance(app.screen, ReportScreen)
        dates = app.screen.state.dates
        assert dates.preset == "custom"
        assert (dates.start.isoformat(), dates.end.isoformat()) == ("2026-10-05", "2026-10-20")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_whole_date_and_the_cursor_fit_each_field(app, size) -> None:
    async with app.run_test(size=size) as pilot:
        from_input = await open_custom(pilot)
        await keys(pilot, *"2026-11-01")
        to_input = app.screen.query_one("#date-to", Input)
        for field in (from_input, to_input):
            assert field.content_region.width >= 11, field.content_region  # 10 characters + cursor
        assert from_input.value == "2026-11-01"
        assert from_input.scroll_offset.x == 0  # nothing scrolled out of view: "2026", not "026"
        shown = "".join(seg.text for seg in from_input.render_line(0))
        assert "2026-11-01" in shown, shown
