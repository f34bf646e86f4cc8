"""Navigation: one undo history, columns, search, the footer, help, palette, keymap file and mouse.

Each test drives the app as a user does (keys, clicks) on a copy of the session's synced demo.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from openai_cost_tui.tui.screens.help import HelpScreen
from openai_cost_tui.tui.screens.report import ReportScreen
from openai_cost_tui.tui.search import SearchBar
from openai_cost_tui.tui.widgets.footer import FittedFooter, FooterKey
from tests.support.tui import keys, settle


@pytest.fixture
def app(demo_copy):
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


def report(app) -> ReportScreen:
    assert isinstance(app.screen, ReportScreen)
    return app.screen


def crumb(app) -> str:
    return str(app.screen.query_one("#breadcrumb").render())


def labels(app) -> list[str]:
    table = app.screen.query_one(PivotTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def header(app) -> list[str]:
    return [str(c.label).strip() for c in app.screen.query_one(PivotTable).columns.values()]


# -- one history (#13 item 12, #16 item 3) ----------------------------------------------------------


async def test_every_view_change_is_one_step_and_backspace_undoes_the_last(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "⌫" not in crumb(app)  # nothing to undo at the start: no "goes back" hint
        start = report(app).state
        await keys(pilot, "enter")  # drill
        drilled = report(app).state
        await keys(pilot, "d", "down", "down", "enter")  # a date change is a step
        dated = report(app).state
        assert dated.dates.preset != drilled.dates.preset
        assert "⌫ undoes Dates: " in crumb(app)
        await keys(pilot, "c", *"week", "enter")  # so is a column change
        assert report(app).state.cols == "week"
        assert "⌫ undoes Cols: Week" in crumb(app)
        assert "Service: Chats and Completions" in crumb(app)  # the steps, as breadcrumbs
        await keys(pilot, "backspace")
        assert report(app).state == dated
        await keys(pilot, "backspace")
        assert report(app).state == drilled
        assert "⌫ undoes Service: Chats and Completions" in crumb(app)
        await keys(pilot, "backspace")
        assert report(app).state == start
        assert "⌫" not in crumb(app)
        await keys(pilot, "backspace")  # at the start: stays, says so
        assert report(app).state == start
        await keys(pilot, "ctrl+y", "ctrl+y")  # redo walks forward again
        assert report(app).state == dated


async def test_a_saved_view_restores_hidden_columns_sort_and_folds(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "i", *"subcat", "enter", "space", "right", "minus", "right", "left_square_bracket")
        state = report(app).state
        assert state.hidden and state.collapsed and state.sort is not None
        await keys(pilot, "S", *"Everything", "enter")
        await keys(pilot, "r", *"proj", "enter")
        await keys(pilot, "l", *"Everything", "enter")
        assert report(app).state == state
        assert "View: Everything" in crumb(app)


# -- columns (#16 item 1) and the mouse (#16 item 10) ----------------------------------------------


async def test_hide_a_column_sort_either_way_and_jump_to_the_last_column(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = header(app)[1]
        await keys(pilot, "right", "minus")
        assert first not in header(app)
        await keys(pilot, "plus")
        assert first in header(app)
        await keys(pilot, "end")
        table = app.screen.query_one(PivotTable)
        assert table.cursor_coordinate.column == len(table.columns) - 1
        await keys(pilot, "home")
        assert table.cursor_coordinate.column == 0
        await keys(pilot, "right", "left_square_bracket")
        figures = [str(table.get_row_at(i)[1]).strip() for i in range(table.row_count - 1)]
        numbers = [float(v.replace(",", "")) for v in figures if v]
        assert numbers == sorted(numbers)
        await keys(pilot, "right_square_bracket")
        figures = [str(table.get_row_at(i)[1]).strip() for i in range(table.row_count - 1)]
        assert [float(v.replace(",", "")) for v in figures if v] == sorted(numbers, reverse=True)


async def test_mouse_header_sorts_click_selects_double_click_drills(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PivotTable)
        await pilot.click(PivotTable, offset=(2, 0))  # the label header
        await settle(pilot)
        assert report(app).state.sort == ("label", False)
        await pilot.click(PivotTable, offset=(2, 3))
        await settle(pilot)
        assert table.cursor_coordinate.row == 2
        assert report(app).state.crumbs == ()  # one click only selects
        name = labels(app)[2].removesuffix(" ⚠")
        await pilot.click(PivotTable, offset=(2, 3), times=2)
        await settle(pilot)
        assert report(app).state.crumbs == (("service", name),)


# -- search (#16 item 2) ----------------------------------------------------------------------------


async def test_slash_narrows_the_pivot_as_you_type_and_n_walks_the_matches(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        everything = labels(app)
        await keys(pilot, "slash", *"i")
        assert isinstance(app.focused, SearchBar)
        narrowed = labels(app)
        assert narrowed[-1] == "Total" and len(narrowed) < len(everything)
        assert all("i" in label.lower() for label in narrowed[:-1])
        await keys(pilot, "m")
        assert all("im" in label.lower() for label in labels(app)[:-1]) and len(labels(app)) == 2
        assert "narrowed to rows holding 'im'" in str(app.screen.query_one("#caption").render())
        await keys(pilot, "backspace", "enter")
        assert isinstance(app.focused, PivotTable)
        table = app.focused
        rows = []
        for _ in range(3):
            await keys(pilot, "n")
            rows.append(table.cursor_coordinate.row)
        assert all("i" in labels(app)[r].lower() for r in rows)
        await keys(pilot, "N")
        assert table.cursor_coordinate.row == rows[-2]
        await keys(pilot, "slash", "escape")  # Esc in the bar drops the search
        assert labels(app) == everything


async def test_a_search_opens_a_folded_group_holding_a_match(app) -> None:
    from dataclasses import replace

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = report(app)
        screen.set_state(replace(screen.state, rows=("service", "category")))
        await settle(pilot)
        groups = [label for label in labels(app) if label.startswith("▾ ")]
        outer = groups[0].removeprefix("▾ ")
        screen.set_state(screen.state.toggled_fold(outer))
        await settle(pilot)
        assert f"▸ {outer}" in labels(app)
        data = screen.data
        inner = next(k[1] for k in data.grid.order if k[0] == outer and k[1])
        await keys(pilot, "slash", *inner)
        shown_rows = [label.strip() for label in labels(app)]
        assert inner in shown_rows, (inner, shown_rows)  # the match under the folded group is shown
        await keys(pilot, "escape")
        assert f"▸ {outer}" in labels(app)  # the search gone, the group is folded as the user left it


async def test_widening_the_terminal_brings_the_trend_column_it_had_no_room_for(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Daily trend" not in header(app)  # no room at 80 columns
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert header(app)[-1] == "Daily trend"
        table = app.screen.query_one(PivotTable)
        assert str(table.get_row_at(0)[-1]).strip(), "the trend is drawn, not an empty column"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Daily trend" not in header(app)  # narrowed again: the figures get the room back


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_filter_chips_that_do_not_fit_are_counted_never_cut(app, size) -> None:
    from dataclasses import replace

    from textual.widgets import Button

    from openai_cost_tui.core.models import Filter

    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = report(app)
        services = [k[0] for k in screen.data.grid.order]
        filters = tuple(Filter(dim, (value,), exclude=True) for dim, value in
                        [("service", services[1]), ("context", "(none)"), ("category", "gpt-4o"),
                         ("tier", "batch"), ("project", "Search Ranking"), ("api_key", "(none)")])
        screen.set_state(replace(screen.state, filters=filters))
        await settle(pilot)
        chips = app.screen.query_one("#chips")
        shown_chips = list(chips.query(Button))
        assert shown_chips and all(c.region.right <= size[0] for c in shown_chips)
        more = list(chips.query(".chips-more"))
        assert len(shown_chips) < len(filters) if size[0] == 80 else True  # six filters do not fit in 80
        if len(shown_chips) < len(filters):
            assert more and more[0].region.right <= size[0]
            assert f"+{len(filters) - len(shown_chips)} more" in str(more[0].render())
        else:
            assert not more


async def test_slash_finds_rows_in_the_other_tables_too(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "f3")
        table = app.screen.query_one("#connections")
        names = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert len(names) == 2, names
        target = next(i for i, n in enumerate(names) if "Globex" in n)
        assert table.cursor_coordinate.row != target
        await keys(pilot, "slash", *"globex", "enter")
        assert table.cursor_coordinate.row == target


# -- footer (#16 item 6), help (#16 item 5), palette (#16 item 4) -----------------------------------


def footer_keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(FittedFooter).query(FooterKey))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_footer_fits_and_keeps_the_most_used_keys(app, size) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for mode in ("report", "connections", "workspaces", "insights"):
            await app.switch_mode(mode)
            await settle(pilot)
            found = footer_keys(app)
            assert sum(k.outer_size.width for k in found) <= size[0], mode
            text = [f"{k.key_display} {k.description}".strip() for k in found]
            assert "F1 Help" in text, (mode, text)
            reachable = " ".join(text)
            if size[0] < 100:  # every screen alike: the other screens folded into one key
                assert "F2-F5 screens" in reachable and "F3 Connections" not in reachable, (mode, text)
            for f in ("F2", "F3", "F4", "F5"):  # the other screens, by name or folded into one key
                assert f in reachable or "F2-F5 screens" in reachable or (f == {"report": "F2", "connections": "F3", "workspaces": "F4",
                                                "insights": "F5"}[mode]), (mode, f, text)
        await app.switch_mode("report")
        await settle(pilot)
        text = [k.description for k in footer_keys(app)]
        assert text[:5] == ["Drill", "Back", "Rows", "Cols", "Filter"]


def shown_footer(app) -> list[str]:
    """The footer the user sees: the main screen's (a dialog has none of its own)."""
    footer = app.screen_stack[0].query_one(FittedFooter)
    return [f"{k.key_display} {k.description}".strip() for k in footer.query(FooterKey)]


async def test_with_a_dialog_open_the_footer_shows_the_dialogs_keys_not_the_screens_beneath(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.switch_mode("insights")
        await settle(pilot)
        assert "b Set budget" in shown_footer(app)
        await keys(pilot, "b")  # the budget picker
        assert app.screen.is_modal
        text = shown_footer(app)
        assert text and "esc Cancel" in text, text
        assert not {"b Set budget", "r Recompute", "F1 Help"} & set(text), text  # keys that do nothing here
        await keys(pilot, "escape")
        assert "b Set budget" in shown_footer(app)  # back on the screen: its keys again
        await app.switch_mode("report")
        await settle(pilot)
        await keys(pilot, "T")  # the tags dialog: its own keys, and no F1 that would do nothing
        text = shown_footer(app)
        assert "n New rule" in text and "F1 Help" not in text and "f Filter" not in text, text
        await keys(pilot, "n")  # a dialog over that dialog: the footer follows the top one
        assert "n New rule" not in shown_footer(app) and "esc Cancel" in shown_footer(app)
        await keys(pilot, "escape")
        assert "n New rule" in shown_footer(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_help_lists_every_key_with_its_case_and_scrolls(app, size) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert box.outer_size.width <= size[0] and box.outer_size.height <= size[1]
        lines = app.screen.lines
        for needle in ("Enter | Drill", "Space | Fold", "Ctrl+S | Sync", "Home | First column",
                       "/ | Search", "n | Next match", "N | Previous match", "## Report table", "## Workspaces screen"):
            assert any(line.startswith(needle) for line in lines), needle
        assert any(line.startswith("f | Filter") for line in lines)  # the exact case: f and F differ
        assert any(line.startswith("F | Clear filters") for line in lines)
        assert box.max_scroll_y > 0 if size == (80, 24) else True
        await keys(pilot, "end")
        assert box.scroll_y == box.max_scroll_y


async def test_question_mark_opens_the_help_at_the_focused_panel(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        panel = app.screen.query_one("#help-report-panel")
        assert box.scroll_y > 0 and panel.region.y - box.region.y <= 2  # its title at the top (under the border)


async def test_the_palette_finds_every_action_by_a_word_of_its_name(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        for binding in [*ReportScreen.BINDINGS, *PivotTable.BINDINGS]:
            assert binding.description in titles, binding.description
        assert len(titles) == len(set(titles)), titles  # one "Quit", not the app's and Textual's
        assert "Keys" not in titles and "Key panel (Textual)" in titles  # not read as the app's "Keys here"
        from textual.fuzzy import Matcher

        from openai_cost_tui.tui.keymap import own_bindings

        for mode in ("report", "connections", "workspaces", "insights"):
            await app.switch_mode(mode)
            await settle(pilot)
            found = list(app.get_system_commands(app.screen))
            for b in [*own_bindings(type(app.screen)), *own_bindings(type(app))]:
                word = max(b.description.split(), key=len)[:6].lower()  # a word of its name, as typed
                hits = [c for c in found if Matcher(word).match(c.title) > 0 and c.title == b.description]
                assert any(b.tooltip in h.help for h in hits), (mode, b.description)
        await app.switch_mode("report")
        await settle(pilot)
        compare = next(c for c in commands if c.title == "Compare")
        assert "(v)" in compare.help and "previous period" in compare.help
        await keys(pilot, "ctrl+p", *"compar")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await settle(pilot)
        await keys(pilot, "enter")
        await settle(pilot)
        assert report(app).state.compare


# -- fast typing (#13 item 10) ----------------------------------------------------------------------


def burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's burst: all queued before the first is handled."""
    for key in keys:
        char = key if len(key) == 1 else {"space": " ", "tab": "\t", "backspace": "\x7f"}.get(key)
        app.post_message(events.Key(key, char))


async def test_six_backspaces_in_the_palette_clear_six_characters(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "ctrl+p", *"compar")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "compar"
        burst(app, *["backspace"] * 6)
        await settle(pilot)
        assert app.screen.query_one(Input).value == ""


async def test_typing_fast_across_a_focus_change_lands_in_the_right_field(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "f3")
        burst(app, "e", *["backspace"] * 40, *"Acme renamed", "tab", *"Prod")  # e opens Edit connection
        await settle(pilot)
        fields = {i.id: i.value for i in app.screen.query(Input)}
        assert fields["description"] == "Acme renamed" and fields["workspaces"] == "Prod", str(fields)
        await keys(pilot, "escape", "f2")
        burst(app, "r", *"proj", "enter")  # a picker opened by a key gets the keys typed after it
        await settle(pilot)
        assert report(app).state.rows == ("project",)


async def test_a_burst_through_two_dialogs_sends_each_key_once(app, tmp_path, monkeypatch) -> None:
    """e, Enter (CSV), Enter (the default path) typed at once: each key reaches one dialog once. A key
    routed again when its dialog was shown pressed Enter twice in the path dialog, which closed it
    twice and ended the app."""
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "e", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen) and app.is_running
        assert [p.suffix for p in tmp_path.iterdir()] == [".csv"]


# -- keymap file (#16 item 7) ------------------------------------------------------------------------


async def test_a_keymap_file_remaps_two_bindings_and_reports_a_bad_line(demo_copy, tmp_path) -> None:
    settings = tmp_path / "tui.toml"
    settings.write_text('theme = "nord"\n\n[keymap]\nreport-rows = "R"\nno-such-binding = "z"\n'
                        'show-insights = "f6"\n', encoding="utf-8")
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        notes = [n.message for n in app._notifications]
        assert any("line 5" in m and "no-such-binding" in m for m in notes), notes
        await keys(pilot, "R")
        assert type(app.screen).__name__ == "ChoiceModal"
        await keys(pilot, "escape", "f6")
        assert type(app.screen).__name__ == "InsightsScreen"
        await keys(pilot, "f2", "f1")
        assert any(line.startswith("F6 | Insights") for line in app.screen.lines)


# -- a measure switch (#13 item 3) -------------------------------------------------------------------


async def test_while_a_new_measure_loads_the_head_and_caption_describe_the_figures_shown(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "x")  # a filter, so there is a chip
        screen = report(app)
        chips = list(screen.query(".chip"))
        assert chips
        shown_figures = labels(app), [str(c) for c in app.screen.query_one(PivotTable).get_row_at(0)]
        screen.set_state(screen.state.with_measure("quantity"))  # the query starts; nothing is awaited
        summary = str(screen.query_one("#summary").render())
        caption = str(screen.query_one("#caption").render())
        assert "· Cost ·" in summary and "Quantity" not in summary  # the figures on screen are costs
        assert caption.startswith("querying") and "Cost (USD)" in caption and "Quantity" not in caption
        assert list(screen.query(".chip")) == chips  # the chips stay (no flicker, no jump)
        assert (labels(app), [str(c) for c in app.screen.query_one(PivotTable).get_row_at(0)]) == shown_figures
        await settle(pilot)
        assert "· Quantity ·" in str(screen.query_one("#summary").render())
        caption = str(screen.query_one("#caption").render())
        # led by what the row under the cursor is counted in (the view mixes units), then the measure
        assert "Quantity (mixed units)" in caption and "querying" not in caption
        assert list(screen.query(".chip")) == chips


async def test_after_a_query_fails_the_head_still_describes_the_figures_shown(app, monkeypatch) -> None:
    """A failed query leaves the last figures on screen: the head keeps saying what they are (it said
    the new measure over the old figures once the query was no longer pending)."""
    import openai_cost_tui.tui.screens.report as report_module

    real = report_module.load_report

    def failing(store, state, today, **options):
        if state.measure == "quantity":
            raise OSError("disk I/O error")
        return real(store, state, today, **options)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(report_module, "load_report", failing)
        screen = report(app)
        screen.set_state(screen.state.with_measure("quantity"))
        await settle(pilot)
        summary = str(screen.query_one("#summary").render())
        caption = str(screen.query_one("#caption").render())
        assert "· Cost ·" in summary and "Quantity" not in summary, summary
        assert caption.startswith("Cost (USD)") and "querying" not in caption, caption
        await keys(pilot, "]")  # a sort: the head is painted again, over the same cost figures
        summary = str(screen.query_one("#summary").render())
        assert "· Cost ·" in summary and "Quantity" not in summary, summary
        assert str(screen.query_one("#caption").render()).startswith("Cost (USD)")


def test_the_settings_file_names_the_line_of_each_bad_entry(tmp_path) -> None:
    from openai_cost_tui.config.tui_settings import read_settings

    path = tmp_path / "tui.toml"
    path.write_text('# keys\ntheme = "neon"\n\n[keymap]\n"report-rows" = "R"\nreport-filter = ""\n'
                    'report-dates = "ctrl+d"\n[colours]\nx = 1\n', encoding="utf-8")
    got = read_settings(path, binding_ids={"report-rows", "report-filter", "report-dates"}, themes={"nord"})
    assert got.keymap == {"report-rows": "R", "report-dates": "ctrl+d"} and got.theme is None
    assert [p.split(":")[0] for p in got.problems] == [f"{path}, line 2", f"{path}, line 6", f"{path}, line 8"]
    path.write_text('theme = "nord"\n[keymap\n', encoding="utf-8")
    broken = read_settings(path, binding_ids=set(), themes={"nord"})
    assert broken.theme is None and "line 2" in broken.problems[0]  # tomllib says where it broke
    assert read_settings(tmp_path / "missing.toml", binding_ids=set(), themes=set()).problems == []
