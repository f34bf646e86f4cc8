"""Type to narrow in the date dialog (`d`), as in every picker: the search field keeps the focus, the
presets narrow by name and by the days beside them, arrows move, Enter picks (a whole day typed goes to
From), nothing matching says so in a line; Tab still reaches From and To, Esc cancels."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, OptionList

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.report_state import PRESETS, DateChoice
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.date_range import DateRangeModal
from openai_cost_tui.tui.screens.report import ReportScreen
from tests.support.tui import FROZEN, keys, settle

TODAY = FROZEN.date()


@pytest.fixture
def app(demo_copy):
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


async def open_dates(pilot, *typed: str) -> DateRangeModal:
    await settle(pilot)
    await keys(pilot, "d", *typed)
    dialog = pilot.app.screen
    assert isinstance(dialog, DateRangeModal)
    return dialog


def listed(dialog: DateRangeModal) -> list[str]:
    presets = dialog.query_one("#date-presets", OptionList)
    if not presets.display:
        return []
    return [presets.get_option_at_index(i).id for i in range(presets.option_count)]


def highlighted(dialog: DateRangeModal) -> str | None:
    presets = dialog.query_one("#date-presets", OptionList)
    return None if presets.highlighted is None else presets.get_option_at_index(presets.highlighted).id


def search(dialog: DateRangeModal) -> Input:
    return dialog.query_one("#date-search", Input)


def report(app) -> ReportScreen:
    assert isinstance(app.screen, ReportScreen), app.screen
    return app.screen


async def test_the_search_field_has_the_focus_and_typing_narrows_the_presets(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot)
        assert app.focused is search(dialog)
        assert listed(dialog) == list(PRESETS)
        assert highlighted(dialog) == "3m"  # the current preset (the report opens on it)
        await keys(pilot, *"90")
        assert listed(dialog) == ["90d"]
        assert highlighted(dialog) == "90d"
        await keys(pilot, "backspace", "backspace")
        assert listed(dialog) == list(PRESETS) and highlighted(dialog) == "3m"  # back to the current preset
        await keys(pilot, *"last")
        # Its id first (last_month starts with "last"), then the names that start with it, in their order.
        assert listed(dialog) == ["last_month", "7d", "30d", "90d"]
        assert highlighted(dialog) == "last_month"
        assert app.focused is search(dialog)


async def test_the_days_beside_each_preset_narrow_too(app) -> None:
    """A month typed keeps the presets whose days show it, then every other preset whose days cover it
    (Year to date holds October though its days read 2026-01-01..2026-11-27)."""
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"2026-10")
        shown = [k for k in PRESETS if k != "custom" and "2026-10" in str(DateChoice(k).resolve(TODAY))]
        october = DateRange(date(2026, 10, 1), date(2026, 10, 31))
        over = [k for k in PRESETS if k != "custom" and DateChoice(k).resolve(TODAY).start <= october.end
                and october.start <= DateChoice(k).resolve(TODAY).end]
        assert listed(dialog) == shown + [k for k in over if k not in shown]
        assert "last_month" in shown and "ytd" in over and "ytd" not in shown and "mtd" not in listed(dialog)


async def test_a_day_that_is_no_calendar_day_is_said_at_once(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"2026-13-01")
        assert listed(dialog) == []
        line = str(dialog.query_one("#date-nothing").render())
        assert "not a real calendar date" in line
        await keys(pilot, "enter")
        assert app.screen is dialog and app.focused is search(dialog)  # nothing picked, nothing moved to From


async def test_enter_picks_the_narrowed_preset_and_the_report_shows_its_days(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dates(pilot, *"90")
        await keys(pilot, "enter")
        screen = report(app)
        assert screen.state.dates == DateChoice("90d")
        assert screen.data is not None
        assert screen.data.result.date_range == DateRange(date(2026, 8, 30), TODAY)  # 90 days up to today
        assert "Last 90 days (2026-08-30..2026-11-27)" in str(screen.query_one("#summary").render())


async def test_arrows_move_in_the_narrowed_list_round_its_ends(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"last", "down")
        assert highlighted(dialog) == "7d"
        await keys(pilot, "up", "up")
        assert highlighted(dialog) == "90d"  # round from the first to the last, as in the pickers
        await keys(pilot, "home")
        assert highlighted(dialog) == "last_month"
        await keys(pilot, "end", "enter")
        assert report(app).state.dates == DateChoice("90d")


async def test_nothing_matching_says_so_in_a_line_and_enter_picks_nothing(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"zzz")
        assert listed(dialog) == []
        nothing = dialog.query_one("#date-nothing")
        assert nothing.display and not dialog.query_one("#date-presets").display  # a line, not an empty box
        assert nothing.region.height > 0
        text = str(nothing.render())
        assert 'No preset matches "zzz"' in text and "Tab" in text
        await keys(pilot, "enter", "down")
        assert app.screen is dialog
        await keys(pilot, "backspace", "backspace", "backspace")
        assert not dialog.query_one("#date-nothing").display
        assert listed(dialog) == list(PRESETS) and highlighted(dialog) == "3m"


async def test_a_whole_day_typed_goes_to_from_and_on_to_a_custom_range(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"2026-11-05")
        assert listed(dialog)[0] == "custom" and highlighted(dialog) == "custom"
        prompt = dialog.query_one("#date-presets", OptionList).get_option_at_index(0).prompt
        assert "Custom range from 2026-11-05" in str(prompt)
        await keys(pilot, "enter")
        from_input = dialog.query_one("#date-from", Input)
        assert app.focused is from_input and from_input.value == "2026-11-05"
        await keys(pilot, "enter", "enter")  # From is fine: on to To (today, as the current range ends)
        dates = report(app).state.dates
        assert (dates.preset, dates.start, dates.end) == ("custom", date(2026, 11, 5), TODAY)


async def test_a_preset_whose_days_hold_the_typed_day_stays_one_arrow_away(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"2026-11-01")
        holding = [k for k in PRESETS if k != "custom" and "2026-11-01" in str(DateChoice(k).resolve(TODAY))]
        over = [k for k in PRESETS if k not in ("custom", *holding)
                and DateChoice(k).resolve(TODAY).start <= date(2026, 11, 1) <= DateChoice(k).resolve(TODAY).end]
        assert holding and over and listed(dialog) == ["custom", *holding, *over]  # shown first, then covering
        await keys(pilot, "down", "enter")
        assert report(app).state.dates == DateChoice(holding[0])


async def test_custom_range_tab_and_escape_work_as_before(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot, *"cust")
        await keys(pilot, "enter")
        from_input = dialog.query_one("#date-from", Input)
        assert app.focused is from_input
        await keys(pilot, "shift+tab")
        assert app.focused is search(dialog)
        await keys(pilot, "tab")
        assert app.focused is from_input
        await keys(pilot, "end", "home")  # in From, Home and End are the field's own
        assert from_input.cursor_position == 0
        assert highlighted(dialog) == "custom"
        await keys(pilot, "tab")
        assert app.focused is dialog.query_one("#date-to", Input)
        await keys(pilot, "up")  # the list's keys belong to the search field
        assert highlighted(dialog) == "custom"
        await keys(pilot, "escape")
        assert report(app).state.dates == DateChoice("3m")  # cancelled: the dates are as they were


async def test_the_whole_dialog_fits_at_80x24(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot)
        picker = dialog.query_one("#date-picker")
        assert picker.max_scroll_y == 0  # nothing cut off or scrolled out of view
        for selector in ("#date-search", "#date-presets", "#date-from", "#date-to", ".dialog-hint"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and picker.region.contains_region(region), (selector, region)
        hint = str(dialog.query_one(".dialog-hint").render())
        assert "YYYY-MM-DD goes to From" in hint


async def test_what_was_typed_shows_as_typed_in_the_no_match_line(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dates(pilot)
        search(dialog).value = "[b]x\x1b"  # markup and a control character: shown, not run
        await settle(pilot)
        assert 'No preset matches "[b]x\\x1b"' in str(dialog.query_one("#date-nothing").render())
