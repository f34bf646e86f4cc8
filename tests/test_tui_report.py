"""Pilot tests of the report screen: every interaction by keyboard, on the synced demo (frozen clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openai_cost_tui.core.report_state import DateChoice
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.messages import DataChanged
from openai_cost_tui.tui.report.chart import ChartPanel
from openai_cost_tui.tui.report.pivot_table import PivotTable
from openai_cost_tui.tui.screens.report import ReportScreen
from tests.support.tui import keys, settle, synced_demo

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ctx():
    c = synced_demo()  # the demo as its first sync at NOW leaves it: a copy of the session's
    assert c.today == NOW.date()
    yield c
    c.close()


async def typed(pilot, text: str) -> None:
    await keys(pilot, *[{" ": "space"}.get(ch, ch) for ch in text])


def screen(app) -> ReportScreen:
    assert isinstance(app.screen, ReportScreen)
    return app.screen


def table_text(app) -> list[list[str]]:
    table = app.screen.query_one(PivotTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def header(app) -> list[str]:
    return [str(c.label).strip() for c in app.screen.query_one(PivotTable).columns.values()]


@pytest.fixture
def run(ctx):
    def start(size=(120, 36)):
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        return app, app.run_test(size=size)

    return start


async def test_default_view_marks_provisional_and_formats_numbers(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        assert header(app)[:5] == ["Service", "2026-09", "2026-10", "2026-11*", "Total"]
        rows = table_text(app)
        assert rows[0][0].removesuffix(" ⚠") == "Chats and Completions"  # ⚠: an anomalous day (see F5)
        assert rows[-1][0] == "Total"
        assert all("," in r[4] for r in rows[:1])  # thousands separators
        assert rows[0][1].startswith(" ") or len(rows[0][1]) == len(rows[0][1].strip())  # right-padded
        caption = str(app.screen.query_one("#caption").render())
        assert "Cost (USD)" in caption and "2026-11-27 (today, UTC) is still filling" in caption


async def test_pickers_rows_nest_cols_measure_and_swap(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "r")
        await typed(pilot, "proj")
        await keys(pilot, "enter")
        assert screen(app).state.rows == ("project",)
        await keys(pilot, "i")
        await typed(pilot, "subcat")
        await keys(pilot, "enter")
        assert screen(app).state.rows == ("project", "subcategory")
        assert table_text(app)[0][0].startswith("▾ ")
        await keys(pilot, "c")
        await typed(pilot, "none")
        await keys(pilot, "enter")
        assert screen(app).state.cols is None
        await keys(pilot, "c")
        await typed(pilot, "week")
        await keys(pilot, "enter")
        assert screen(app).state.cols == "week"
        await keys(pilot, "m")
        await typed(pilot, "quantity")
        await keys(pilot, "enter")
        assert screen(app).state.measure == "quantity"
        await keys(pilot, "s")
        assert screen(app).state.rows == ("week", "subcategory") and screen(app).state.cols == "project"


async def test_filter_include_chip_removal_and_exclude_row(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "f", "enter")  # the picker starts on the row dimension
        await typed(pilot, "Images")
        await keys(pilot, "enter")
        state = screen(app).state
        assert [(f.dim, f.values, f.exclude) for f in state.filters] == [("service", ("Images",), False)]
        assert [r[0] for r in table_text(app)] == ["Images", "Total"]
        chips = list(app.screen.query(".chip"))
        assert len(chips) == 1 and "Service = Images" in str(chips[0].label)
        chips[0].focus()
        await keys(pilot, "enter")
        assert screen(app).state.filters == ()
        first = table_text(app)[0][0]
        app.screen.query_one(PivotTable).focus()
        await settle(pilot)
        await keys(pilot, "x")
        assert screen(app).state.filters[0].exclude and first not in [r[0] for r in table_text(app)]
        await keys(pilot, "F")
        assert screen(app).state.filters == ()


async def test_enter_on_the_exclude_box_applies_what_it_shows(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "f", "enter")  # filter by service
        await keys(pilot, "down", "space")  # tick the first value
        modal = app.screen
        modal.query_one("#filter-exclude").focus()
        await keys(pilot, "space")  # Exclude: ticked
        assert modal.query_one("#filter-exclude").value is True
        await keys(pilot, "enter")  # applies as shown: an exclude filter, the box not flipped back
        flt = screen(app).state.filters[0]
        assert flt.dim == "service" and flt.exclude and len(flt.values) == 1


async def test_filter_modal_lists_values_with_totals_and_excludes(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "f")
        await typed(pilot, "tier")
        await keys(pilot, "enter")
        values = app.screen.query_one("#filter-values")
        prompts = [str(values.get_option_at_index(i).prompt) for i in range(values.option_count)]
        assert any(p.startswith("standard") and "," in p for p in prompts)
        await keys(pilot, "down", "space", "tab", "space", "tab", "space")  # choose, then tick Exclude
        await keys(pilot, "escape")
        assert screen(app).state.filters == ()  # Escape cancels
        await keys(pilot, "f")
        await typed(pilot, "tier")
        await keys(pilot, "enter", "down", "space")
        app.screen.query_one("#filter-exclude").value = True
        await keys(pilot, "enter")
        flt = screen(app).state.filters[0]
        assert flt.dim == "tier" and flt.exclude and flt.values == ("standard",)


async def test_workspace_and_date_presets_and_custom_validation(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "w")
        await typed(pilot, "Production")
        await keys(pilot, "enter")
        assert screen(app).state.workspace == "Production"
        await keys(pilot, "d", "up", "up", "enter")
        assert screen(app).state.dates == DateChoice("mtd")
        assert header(app)[1] == "2026-11*"
        await keys(pilot, "d", "end", "enter")  # Custom range: focus moves to From
        from_input = app.screen.query_one("#date-from")
        from_input.value = "2026-13-01"
        await keys(pilot, "enter")
        assert "not a real calendar date" in str(app.screen.query_one("#date-error").render())
        from_input.value = "2026-10-05"
        await keys(pilot, "enter")
        app.screen.query_one("#date-to").value = "2026-10-01"
        await keys(pilot, "enter")
        assert "after" in str(app.screen.query_one("#date-error").render())
        app.screen.query_one("#date-to").value = "2026-10-20"
        await keys(pilot, "enter")
        assert screen(app).state.dates == DateChoice(
            "custom", NOW.date().replace(month=10, day=5), NOW.date().replace(month=10, day=20)
        )


async def test_drill_down_breadcrumb_and_back_up(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "enter")
        s = screen(app).state
        assert s.rows == ("category",) and s.crumbs == (("service", "Chats and Completions"),)
        assert "Service: Chats and Completions" in str(app.screen.query_one("#breadcrumb").render())
        model = table_text(app)[0][0]
        await keys(pilot, "enter")
        assert screen(app).state.rows == ("subcategory",)
        assert screen(app).state.filter_for("category").values == (model,)
        await keys(pilot, "backspace")
        assert screen(app).state.rows == ("category",)
        await keys(pilot, "escape")
        assert screen(app).state.rows == ("service",) and screen(app).state.filters == ()
        table = app.screen.query_one(PivotTable)
        table.move_cursor(row=table.row_count - 1)
        await keys(pilot, "enter")  # the Total row does not drill
        assert screen(app).state.rows == ("service",)


async def test_sort_by_cursor_column_and_reverse(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "right", "o")  # 2026-09, largest first
        values = [r[1] for r in table_text(app)[:-1]]
        numbers = [float(v.replace(",", "")) for v in values if v.strip()]
        assert numbers == sorted(numbers, reverse=True)
        await keys(pilot, "o")
        numbers = [float(v.replace(",", "")) for v in [r[1] for r in table_text(app)[:-1]] if v.strip()]
        assert numbers == sorted(numbers)
        await keys(pilot, "home", "o")  # by label
        assert screen(app).state.sort == ("label", False)


async def test_fold_groups_and_top_n(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await typed(pilot, "subcat")
        await keys(pilot, "enter")
        before = app.screen.query_one(PivotTable).row_count
        await keys(pilot, "space")
        rows = table_text(app)
        assert rows[0][0].startswith("▸ ") and len(rows) < before
        await keys(pilot, "space")
        assert table_text(app)[0][0].startswith("▾ ")
        await keys(pilot, "t")
        assert screen(app).state.top == 50


async def test_compare_previous_period(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "r")
        await typed(pilot, "proj")
        await keys(pilot, "enter", "d", "up", "enter", "v")
        assert header(app)[1:5] == ["Previous", "Current", "Change", "Change %"]
        rows = table_text(app)
        assert rows[0][3].strip().startswith(("+", "-"))
        assert rows[0][4].strip().endswith("%") or rows[0][4].strip() == "new"
        caption = str(app.screen.query_one("#caption").render())
        assert "previous 2026-09-01..2026-09-30" in caption
        await keys(pilot, "v")
        assert header(app)[1] == "2026-10"


async def test_chart_of_the_cursor_row(run) -> None:
    app, test = run(size=(80, 24))
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "g")
        chart = app.screen.query_one(ChartPanel)
        assert chart.display
        assert "Daily cost Chats and Completions" in str(chart.render())
        await keys(pilot, "down")
        assert "Daily cost Images" in str(chart.render())
        await keys(pilot, "g")
        assert not chart.display


async def test_save_and_open_a_view(run, ctx) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "r")
        await typed(pilot, "api")
        await keys(pilot, "enter", "S")
        await typed(pilot, "By key")
        await keys(pilot, "enter")
        assert "By key" in ctx.store.view_names()
        await keys(pilot, "r")
        await typed(pilot, "tier")
        await keys(pilot, "enter")
        assert screen(app).state.rows == ("tier",)
        await keys(pilot, "l")
        await typed(pilot, "By key")
        await keys(pilot, "enter")
        assert screen(app).state.rows == ("api_key",)


async def test_presets_show_caching_savings_and_tiers_and_go_back(run, ctx) -> None:
    from openai_cost_tui.core.economics import describe_caching
    from openai_cost_tui.services import analysis

    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "p")
        await typed(pilot, "caching")
        await keys(pilot, "enter")
        state = screen(app).state
        assert (state.rows, state.cols, state.dates.preset) == (("category",), "subcategory", "30d")
        assert header(app)[0] == "Category"
        assert set(header(app)[1:]) - {"Total", "Daily trend"} <= {"input", "cached input", "audio input", "text input", "image input",
                                          "cache writes", "text cached input", "audio cached input"}
        line = app.screen.query_one("#caching")
        assert line.display
        expected = describe_caching(analysis.cache_economics(ctx.store, state.date_range(ctx.today),
                                                             today=ctx.today, filters=state.filters))
        assert expected.startswith("Prompt caching saved $") and str(line.render()).startswith(expected[:60])
        await keys(pilot, "p")
        await typed(pilot, "tier")
        await keys(pilot, "enter")
        assert (screen(app).state.rows, screen(app).state.cols) == (("category",), "tier")
        assert header(app)[1] == "standard"  # the largest tier first
        assert not app.screen.query_one("#caching").display
        await keys(pilot, "backspace", "backspace")
        assert screen(app).state.rows == ("service",)


async def test_live_refresh_keeps_cursor_and_drops_stale_results(run) -> None:
    app, test = run()
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "down", "down", "right")
        table = app.screen.query_one(PivotTable)
        before = table.current_ids()
        old_data = screen(app).data
        app.broadcast(DataChanged("sync"))
        await settle(pilot)
        assert table.current_ids() == before
        # a result from an older query arrives late: it must not replace the newer one
        await keys(pilot, "r")
        await typed(pilot, "tier")
        await keys(pilot, "enter")
        newer = screen(app).data
        app.screen.post_message(ReportScreen.Loaded(1, old_data))
        await settle(pilot)
        assert screen(app).data is newer


async def test_keyboard_only_at_80x24(run) -> None:
    app, test = run(size=(80, 24))
    async with test as pilot:
        await settle(pilot)
        await keys(pilot, "enter", "enter", "enter")
        assert len(screen(app).state.crumbs) == 3
        await keys(pilot, "backspace", "backspace", "backspace")
        assert screen(app).state.crumbs == ()
        footer = [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]
        assert {"Drill", "Back", "Rows", "Filter", "Compare"} <= set(footer)


def test_every_report_binding_has_an_id_and_tooltip() -> None:
    for binding in [*ReportScreen.BINDINGS, *PivotTable.BINDINGS]:
        assert binding.id and binding.tooltip, binding
