"""The report's plain-Python parts: state changes, drill order, compare arithmetic, shaping, charts,
export files, saved views and the schema 1 -> 2 migration. No terminal needed."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.drill import DrillError, crumb_text, drill, next_dim
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.grid import display_rows, grid_from_compare, grid_from_pivot, text
from openai_cost_tui.core.models import Cell, Filter, PivotResult, PivotSpec
from openai_cost_tui.core.report_state import DateChoice, ReportState, previous_range
from openai_cost_tui.core.sparkline import bars, bucket, spark
from openai_cost_tui.store.store import Store
from openai_cost_tui.tui.report.export import write_export

TODAY = date(2026, 11, 27)


def usd(text_: str) -> Cell:
    return Cell(money.parse_exact(text_))


def test_previous_range_shifts_whole_months_by_months() -> None:
    assert previous_range(DateRange(date(2026, 10, 1), date(2026, 10, 31))) == DateRange(
        date(2026, 9, 1), date(2026, 9, 30)
    )
    assert previous_range(DateRange(date(2026, 11, 1), date(2026, 11, 27))) == DateRange(
        date(2026, 10, 1), date(2026, 10, 27)
    )
    assert previous_range(DateRange(date(2026, 3, 1), date(2026, 3, 31))) == DateRange(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert previous_range(DateRange(date(2026, 11, 21), date(2026, 11, 27))) == DateRange(
        date(2026, 11, 14), date(2026, 11, 20)
    )


def test_presets_resolve_against_today() -> None:
    assert DateChoice("last_month").resolve(TODAY) == DateRange(date(2026, 10, 1), date(2026, 10, 31))
    assert DateChoice("7d").resolve(TODAY) == DateRange(date(2026, 11, 21), TODAY)
    assert DateChoice("ytd").resolve(TODAY).start == date(2026, 1, 1)
    with pytest.raises(UsageError):
        DateChoice("custom", date(2026, 5, 2), date(2026, 5, 1))
    with pytest.raises(UsageError):
        DateChoice("yesterday-ish")


def test_state_changes_keep_rows_and_columns_apart() -> None:
    s = ReportState()
    assert s.with_rows("month").cols == "service"  # rows took the columns' dimension: they trade
    assert s.with_cols("service").rows == ("month",)
    swapped = ReportState(rows=("service", "tier"), cols="month").swapped()
    assert (swapped.rows, swapped.cols) == (("month", "tier"), "service")
    assert ReportState(cols=None).swapped().cols == "service"
    with pytest.raises(UsageError):
        ReportState(rows=("service",), cols="service")
    assert s.sorted_by("2026-10").sort == ("2026-10", True)
    assert s.sorted_by("2026-10").sorted_by("2026-10").sort == ("2026-10", False)
    assert s.next_top().top == 50 and ReportState(top=None).next_top().top == 10


def test_state_round_trips_through_json() -> None:
    s = ReportState(
        rows=("project", "api_key"),
        cols=None,
        measure="unit_cost",
        filters=(Filter("service", ("Images", "Audio"), True),),
        workspace="Production",
        dates=DateChoice("custom", date(2026, 5, 1), date(2026, 5, 31)),
        top=None,
        compare=True,
        sort=("delta", True),
    )
    assert ReportState.from_dict(s.to_dict()) == s
    with pytest.raises(UsageError):
        ReportState.from_dict({"rows": ["nope"]})


def test_drill_follows_the_chain_and_skips_pinned_dimensions() -> None:
    s = ReportState()
    d1 = drill(s, ("Chats and Completions",))
    assert d1.rows == ("category",) and d1.crumbs == (("service", "Chats and Completions"),)
    d2 = drill(d1, ("gpt-4o",))
    assert d2.rows == ("subcategory",)
    assert [f.dim for f in d2.filters] == ["service", "category"]
    assert drill(drill(d2, ("cached input",)), ("Support Bot",)).rows == ("api_key",)
    assert next_dim("month", s.with_cols(None)) == "service"
    nested = ReportState(rows=("service", "category"), cols="month")
    assert drill(nested, ("Images",)).rows == ("category",)
    assert drill(nested, ("Images", "dall-e 3")).rows == ("subcategory",)
    with pytest.raises(DrillError):
        drill(s, ("(other)",))
    assert crumb_text(d2.crumbs) == "All costs › Service: Chats and Completions › Category: gpt-4o"


RANGE = DateRange(date(2026, 10, 1), date(2026, 11, 27))


def result(rows, cols, cells, rng=RANGE, provisional=TODAY):
    spec = PivotSpec(rows=rows, cols=cols, date_range=rng)
    row_totals, col_totals, total = {}, {}, Cell()
    for (rk, ck), c in cells.items():
        row_totals[rk] = row_totals.get(rk, Cell()) + c
        col_totals[ck] = col_totals.get(ck, Cell()) + c
        total = total + c
    keys = tuple(sorted(row_totals, key=lambda k: -row_totals[k].amount))
    return PivotResult(
        spec,
        rng,
        keys,
        tuple(sorted(col_totals)) if cols else (),
        cells if cols else {},
        row_totals,
        col_totals if cols else {},
        total,
        provisional,
    )


def test_grid_marks_provisional_columns_and_nests_with_subtotals() -> None:
    r = result(
        ("service", "tier"),
        "month",
        {
            (("Images", "standard"), "2026-10"): usd("1000"),
            (("Images", "batch"), "2026-11"): usd("2.5"),
            (("Audio", "standard"), "2026-11"): usd("3"),
        },
    )
    grid = grid_from_pivot(r)
    assert [c.title for c in grid.columns] == ["2026-10", "2026-11*", "Total"]
    rows = display_rows(grid)
    assert [(r.kind, r.label) for r in rows] == [
        ("group", "▾ Images"),
        ("leaf", "  standard"),
        ("leaf", "  batch"),
        ("group", "▾ Audio"),
        ("leaf", "  standard"),
        ("total", "Total"),
    ]
    assert [text(grid, i, rows[0].cells) for i in range(3)] == ["1,000.00", "2.50", "1,002.50"]
    assert text(grid, 0, rows[2].cells) == ""  # empty, not 0.00
    folded = display_rows(grid, collapsed=frozenset({"Images"}))
    assert [r.label for r in folded][:2] == ["▸ Images", "▾ Audio"]
    by_nov = display_rows(grid, sort=("2026-11", True))
    assert by_nov[0].key == ("Audio",)


def test_a_period_still_filling_is_marked_as_a_row_too_after_a_swap() -> None:
    cells = {
        (("2026-10",), "Images"): usd("1000"),
        (("2026-11",), "Images"): usd("2.5"),
        (("2026-11",), "Audio"): usd("3"),
    }
    rows = display_rows(grid_from_pivot(result(("month",), "service", cells)))  # rows by month: s on the default
    assert [(r.label, r.provisional) for r in rows] == [("2026-10", False), ("2026-11*", True), ("Total", False)]
    nested = {((s, m), "x"): c for ((m,), s), c in cells.items()}
    rows = display_rows(grid_from_pivot(result(("service", "month"), "x", nested)))
    assert [(r.label, r.provisional) for r in rows if r.kind == "leaf"] == [
        ("  2026-10", False), ("  2026-11*", True), ("  2026-11*", True)]
    rows = display_rows(grid_from_pivot(result(("month",), "service", cells, provisional=None)))
    assert not any(r.provisional or r.label.endswith("*") for r in rows)  # a past range: nothing filling


def test_dimension_columns_fold_beyond_twelve() -> None:
    cells = {(("Images",), f"p{i:02d}"): usd(str(100 - i)) for i in range(20)}
    grid = grid_from_pivot(result(("service",), "project", cells))
    assert len(grid.columns) == 14 and grid.columns[-2].title == "(other)"
    assert text(grid, 12, grid.cells[("Images",)]) == f"{sum(100 - i for i in range(12, 20))}.00"


def test_compare_change_and_percent() -> None:
    rng = DateRange(date(2026, 10, 1), date(2026, 10, 31))
    prev = result(
        ("project",),
        None,
        {(("A",), ""): usd("100"), (("B",), ""): usd("50")},
        rng=rng.previous(),
        provisional=None,
    )
    cur = result(
        ("project",), None, {(("A",), ""): usd("150"), (("C",), ""): usd("10")}, rng=rng, provisional=None
    )
    grid = grid_from_compare(cur, prev, top=None)
    rows = {r.key: [text(grid, i, r.cells) for i in range(4)] for r in display_rows(grid)}
    assert rows[("A",)] == ["100.00", "150.00", "+50.00", "+50.0%"]
    assert rows[("B",)] == ["50.00", "", "-50.00", "-100.0%"]
    assert rows[("C",)] == ["", "10.00", "+10.00", "new"]
    assert rows[()] == ["150.00", "160.00", "+10.00", "+6.7%"]
    top1 = grid_from_compare(cur, prev, top=1)
    assert [r.key for r in display_rows(top1, sort=("delta", True))][:2] == [("A",), ("(other)",)]


def test_sparklines_and_bars() -> None:
    assert spark([1, 2, 3, 4, 5, 6, 7, 8], 8) == "▁▂▃▄▅▆▇█"
    assert spark([5, 5], 4) == "▄▄"
    assert bucket(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert bars([0, 4, 8], 3, 2) == ["  █", " ██"]
    assert bars([], 10, 3) == []


def test_export_writes_private_files_and_overwrites_only_when_told(tmp_path) -> None:
    import pytest

    from openai_cost_tui.core.errors import UsageError
    from openai_cost_tui.tui.report.export import default_path, read_path

    r = result(("service",), "month", {(("Images",), "2026-10"): usd("1.5")})
    now = datetime(2026, 11, 27, 15, 0)
    path = default_path(tmp_path, r, "csv", now)
    assert path == tmp_path / "report-service-by-month-20261127-150000.csv"
    first = write_export(path, r, "csv")
    assert first.read_text().splitlines()[0] == "Service,2026-10,Total"
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(FileExistsError):
        write_export(path, r, "json")
    assert first.read_text().startswith("Service,")  # untouched
    write_export(path, r, "json", overwrite=True)
    assert '"cost": "1.5"' in path.read_text() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert write_export(tmp_path / "r.md", r, "markdown").read_text().startswith("**Cost (USD)")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "r.md"])  # no temporary file left
    assert read_path("costs", "markdown", cwd=tmp_path) == tmp_path / "costs.md"
    assert read_path("~/x.csv", "csv", cwd=tmp_path) == Path.home() / "x.csv"
    for bad, said in (("", "type a file name"), ("nowhere/x.csv", "there is no folder"), (".", "is a folder")):
        with pytest.raises(UsageError, match=said):
            read_path(bad, "csv", cwd=tmp_path)


def test_saved_views_round_trip(store: Store) -> None:
    state = ReportState(rows=("api_key",), filters=(Filter("subcategory", ("cached input",)),))
    assert store.save_view("  Cached by key ", state) == "Cached by key"
    store.save_view("Cached by key", state.with_measure("quantity"))  # overwrite
    assert store.view_names() == ["Cached by key"]
    assert store.load_view("Cached by key").measure == "quantity"
    # names are compared regardless of case: a case-only twin overwrites the view, and opens it
    assert store.save_view("cached BY key", state) == "Cached by key"
    assert store.view_names() == ["Cached by key"] and store.load_view("cached by KEY").measure == "cost"
    with pytest.raises(UsageError, match="saved views: Cached by key"):
        store.load_view("nope")
    with pytest.raises(UsageError):
        store.save_view("", state)
    store.delete_view("Cached by key")
    assert store.view_names() == []


def test_a_schema_1_store_migrates_by_adding_the_views_table(store_path) -> None:
    Store(store_path).close()
    db = sqlite3.connect(store_path)
    db.execute("DROP TABLE saved_view")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Store(store_path) as store:
        store.save_view("x", ReportState())
        assert store.view_names() == ["x"]
    db = sqlite3.connect(store_path)
    from openai_cost_tui.store.schema import SCHEMA_VERSION

    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    db.close()
    assert list(Path(store_path).parent.glob("*.schema1-*.bak"))


def test_unit_cost_values_are_per_million_tokens() -> None:
    cell = Cell(money.parse_exact("2.5"), money.parse_exact("1000000"), frozenset({"tokens"}))
    r = result(("service",), None, {(("Chats",), ""): cell})
    grid = grid_from_pivot(
        PivotResult(
            PivotSpec(rows=("service",), cols=None, measure="unit_cost"),
            r.date_range,
            r.row_keys,
            (),
            {},
            r.row_totals,
            {},
            r.total,
            None,
        )
    )
    assert text(grid, 0, grid.cells[("Chats",)]) == "2.5000"


def test_largest_first_means_largest_in_the_measure_shown() -> None:
    from openai_cost_tui.core.dates import DateRange
    from openai_cost_tui.core.grid import display_rows, grid_from_pivot
    from openai_cost_tui.core.models import Cell, PivotSpec
    from openai_cost_tui.core.pivot import fold

    day = date(2026, 11, 2)
    raw = [(("big cost",), "", Cell(900, 10, frozenset({"tokens"}))),
           (("many tokens",), "", Cell(100, 5000, frozenset({"tokens"})))]
    for measure, first in (("cost", "big cost"), ("quantity", "many tokens")):
        spec = PivotSpec(rows=("project",), cols=None, measure=measure)
        result = fold(spec, DateRange(day, day), raw, today=date(2026, 11, 27))
        rows = display_rows(grid_from_pivot(result))
        assert rows[0].key == (first,), measure


def test_a_shown_change_agrees_with_the_shown_figures() -> None:
    from openai_cost_tui.core import money
    from openai_cost_tui.core.grid import Column, Grid, text
    from openai_cost_tui.core.models import Cell

    # 22,326.034 -> 22,490.675 is +164.641 exactly (+164.64), but shown as 22,326.03 -> 22,490.68 the
    # change must read +164.65; 21.366 -> 0.004 (21.37 -> 0.00 shown) must read -21.37, not -21.36
    columns = (Column("prev", "Before"), Column("cur", "Now"), Column("delta", "Change", derive="delta"))
    for before, now, change in (("22326.034", "22490.675", "+164.65"), ("21.366", "0.004", "-21.37")):
        cells = (Cell(money.parse_exact(before)), Cell(money.parse_exact(now)), None)
        grid = Grid(("service",), "cost", columns, {("x",): cells}, (("x",),), cells)
        shown = [text(grid, i, cells) for i in range(3)]
        assert shown[2] == change, shown
        assert Decimal(shown[1].replace(",", "")) - Decimal(shown[0].replace(",", "")) == Decimal(change)


def test_view_history_names_each_step_and_undoes_one_at_a_time() -> None:
    from dataclasses import replace

    from openai_cost_tui.core.view_history import ViewHistory, change_name

    start = ReportState()
    h = ViewHistory(start)
    assert h.undo() is None and h.undo_what() is None
    nested = start.with_second_row("project")
    dated = replace(nested, dates=DateChoice("30d"))
    assert change_name(start, nested) == "Nest: Project"
    assert change_name(nested, dated) == "Dates: Last 30 days"
    assert change_name(dated, dated.with_cols("week")) == "Cols: Week"
    assert change_name(dated, dated.hiding("2026-10")) == "Hide 2026-10"
    assert h.push(nested, "Nest: Project") and h.push(dated, "Dates: Last 30 days")
    assert not h.push(dated, "again")  # no change, no step
    assert h.undo_what() == "Dates: Last 30 days" and h.undo() == nested and h.undo() == start
    assert h.redo() == nested
    h.push(dated.with_cols("week"), "Cols: Week")  # a new change drops the steps ahead
    assert h.redo() is None and [s.what for s in h.steps] == ["Start", "Nest: Project", "Cols: Week"]
    shown, current = h.crumbs(30)  # "… › Nest: Project › Cols: Week"
    assert shown == ["…", "Nest: Project", "Cols: Week"] and current == 2
