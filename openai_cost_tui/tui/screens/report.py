"""The pivot report: where the money goes, by any two dimensions, filtered, drilled, compared.

The screen holds one immutable ``ReportState``; each key makes a new one and asks the worker for
the pivot. Queries run in one exclusive thread worker and come back as a ``Loaded`` message tagged
with a generation number, so a slow, stale answer never replaces a newer one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields, replace

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...core import money
from ...core.dimensions import TIME_DIMENSIONS, label
from ...core.drill import DrillError, drill
from ...core.errors import CostToolError, UsageError
from ...core.grid import LABEL_KEY, display_rows, sort_description
from ...core.models import Filter
from ...core.narrow import holding_a_match, narrow
from ...core.pivot import OTHER_LABEL
from ...core.render import measure_title, row_unit_note
from ...core.report_presets import PRESETS, preset_state
from ...core.report_state import ReportState
from ...core.text import shown
from ...core.view_history import ViewHistory, change_name
from ...services.report_query import ReportData, kept_series, load_report, value_totals, with_series
from ...store.validate import clean_name
from ..messages import FactsChanged, StoreFacts
from ..report.chart import ChartPanel
from ..report.pivot_table import ALLOCATED_MARK, TREND_KEY, PivotTable
from .base import AppScreen

WIDE_ENOUGH_FOR_TREND = 100
PAINT_WAIT = 0.5  # seconds the series read waits for the figures to be painted (at most)


def _b(
    key: str,
    action: str,
    description: str,
    ident: str,
    tooltip: str,
    *,
    show: bool = True,
    key_display: str | None = None,
) -> Binding:
    return Binding(
        key, action, description, show=show, id=f"report-{ident}", tooltip=tooltip, key_display=key_display
    )


class ReportScreen(AppScreen):
    CSS_PATH = "../report.tcss"
    BINDINGS = [
        _b("backspace,escape", "back", "Back", "back", "Undo the last change of the view (drill, dates, "
           "columns, filters, ...): the breadcrumb shows the steps", key_display="⌫"),
        _b("ctrl+y", "forward", "Redo", "redo", "Redo the change Backspace undid", show=False),
        _b("r", "pick_rows", "Rows", "rows", "Group rows by a dimension"),
        _b("c", "pick_cols", "Cols", "cols", "Columns: day, week, month or any dimension"),
        _b("f", "filter", "Filter", "filter", "Keep or exclude values of any dimension"),
        _b("d", "dates", "Dates", "dates", "Month to date, last month, last 7/30/90 days, custom ..."),
        _b("v", "compare", "Compare", "compare", "Show the previous period alongside with the change"),
        _b("g", "chart", "Chart", "chart", "Daily chart of the row under the cursor"),
        _b("e", "export", "Export", "export", "Write this view to a file (CSV, JSON, Markdown) or copy it to the clipboard"),
        _b("p", "presets", "Presets", "presets", "Built-in views: prompt caching savings, spend by tier, long context"),
        _b("i", "pick_nested", "Nest", "nest", "A second row dimension, nested inside the rows, with subtotals",
           show=False),
        _b("s", "swap", "Swap", "swap", "Swap rows and columns", show=False),
        _b("m", "pick_measure", "Measure", "measure", "Cost, quantity or unit cost", show=False),
        _b("o", "sort", "Sort", "sort", "Sort by the cursor's column (again: reverse)", show=False),
        _b("left_square_bracket", "sort_as(False)", "Sort up", "sort-up",
           "Sort by the cursor's column, smallest (or A) first", show=False, key_display="["),
        _b("right_square_bracket", "sort_as(True)", "Sort down", "sort-down",
           "Sort by the cursor's column, largest (or Z) first", show=False, key_display="]"),
        _b("minus", "hide_column", "Hide column", "hide-column", "Hide the cursor's column (+ shows them again)",
           show=False, key_display="-"),
        _b("plus", "show_columns", "Show columns", "show-columns", "Show every hidden column again",
           show=False, key_display="+"),
        _b("x", "exclude_row", "Exclude", "exclude", "Leave the row under the cursor out", show=False),
        _b("F", "clear_filters", "Clear filters", "clear-filters", "Remove every filter", show=False),
        _b("w", "workspace", "Workspace", "workspace", "Only one workspace's connections", show=False),
        _b("t", "top", "Top N", "top", "Show the top 10/25/50/100 or all rows", show=False),
        _b("S", "save_view", "Save view", "save-view", "Save this view by name", show=False),
        _b("l", "open_view", "Open view", "open-view", "Open a saved view", show=False),
        _b("T", "tags", "Tags", "tags", "Virtual tags: see and edit the rules of team, cost center ...", show=False),
        _b("a", "toggle_splits", "Splits", "splits", "Tags' shared costs allocated (the default: rows holding a share are marked ≈) or unsplit",
           show=False),
    ]

    FOOTER_ORDER = (
        "report-drill", "report-back", "report-rows", "report-cols", "report-filter", "help",
        "show-insights", "show-connections", "show-workspaces", "search", "report-dates", "report-measure",
        "report-compare", "report-chart", "report-export", "report-presets", "sync-all", "quit",
    )

    @dataclass
    class Loaded(Message, bubble=False):
        """A query finished (posted from the worker thread)."""

        generation: int
        data: ReportData
        painted: threading.Event | None = None  # set once the answer is painted (or dropped)

    def __init__(self, state: ReportState | None = None) -> None:
        super().__init__()
        self.state = state or ReportState()
        self.data: ReportData | None = None
        self.history = ViewHistory(self.state)
        self.chart_visible = False
        self._chips: tuple | None = None  # the filters the chips show (rebuilt only when they change)
        self._generation = 0
        self._shown_generation = 0
        self._cursor_home = False
        self._narrowed = (0, 0)  # rows before and after the `/` narrowing
        self.splits = True  # tag values that split a shared cost are allocated (a: shown unsplit)

    # -- layout ---------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="report-head"):
            yield Static(id="breadcrumb")
            yield Static(id="summary")
            yield Horizontal(id="chips")
        yield PivotTable(id="pivot")
        yield Static(id="caption")
        yield Static(id="caching")
        yield ChartPanel(id="chart")

    def on_mount(self) -> None:
        self.query_one("#chart", ChartPanel).display = False
        self.query_one("#caching", Static).display = False
        self.query_one(PivotTable).focus()
        self._paint_head()
        self.refresh_report()
        self._mount_queried = True

    _mount_queried = False  # the mount has asked the store; the resume that follows it need not again
    _skip_reload = False

    def on_screen_resume(self) -> None:
        # the first resume comes right after the mount: its query is running (asking again threw a 2M
        # store's first answer away, ~150 ms of a start). Textual calls the base class's handler after
        # this one (which reloads): calling it here as well asked the store twice.
        self._skip_reload, self._mount_queried = self._mount_queried, False

    def reload(self) -> None:
        """Data changed (a sync landed) or the screen came back: query again, keep the cursor."""
        if self._skip_reload:
            self._skip_reload = False
            return
        if self.is_mounted and not self._workspace_gone(self.cost_app.facts):
            self.refresh_report()

    def on_facts_changed(self, message: FactsChanged) -> None:
        self._workspace_gone(message.facts)  # (the base class's handler, which Textual calls after, too)

    def _workspace_gone(self, facts: StoreFacts | None) -> bool:
        """The view's workspace was deleted or renamed (on F4 or by another member): fall back to all
        connections, and say so. True when it did (the new state has queried already)."""
        gone = self.state.workspace
        if facts is None or not gone or gone.casefold() in {w.casefold() for w in facts.workspaces}:
            return False
        self.set_state(replace(self.state, workspace=None), step=False)
        self.history.replace(self.state)
        self.notify(f"The workspace {gone!r} is gone; showing all connections.", title="Workspace",
                    severity="warning", timeout=8, markup=False)
        return True

    # -- state and queries --------------------------------------------------------------------------

    def set_state(self, state: ReportState, *, query: bool | None = None, what: str | None = None,
                  step: bool = True) -> None:
        """Show ``state``: every change is one step of the history (``what`` names it; by default the
        difference says what changed); ``query``: None asks the store only when the figures change."""
        old = self.state
        if state.rows != old.rows or state.filters != old.filters:
            if step and state.collapsed == old.collapsed:  # folds belong to the rows they folded
                state = replace(state, collapsed=())
            self._cursor_home = True
        if query is None:
            query = _query_of(state) != _query_of(old)
        if step:
            self.history.push(state, what or change_name(old, state))
        self.state = state
        if query or self.data is None:
            self.refresh_report()  # first: the head then describes the figures still on screen
            self._paint_head()
        else:
            self._paint_head()
            self._paint_table()

    _asked_series = False  # the last query read the daily series (the trend column had room, or the chart)

    def refresh_report(self) -> None:
        self._generation += 1
        want_series = self._asked_series = self.chart_visible or self._trend_fits()
        self._paint_caption(loading=True)
        self._query(self.state, self._generation, want_series)

    def on_resize(self) -> None:
        """Widths are fitted to the terminal: a resize fits them again; one that makes room for the trend
        column reads the series it had no room for (the figures stay on screen meanwhile)."""
        if self.data is None or not self.is_mounted:
            return
        self._paint_head()
        if self._trend_fits() and not self._asked_series and self.data.grid.order:
            self.refresh_report()
        else:
            self._paint_table()

    def _trend_fits(self) -> bool:
        return self.app.size.width >= WIDE_ENOUGH_FOR_TREND and self.state.cols not in ("day",)

    @work(thread=True, exclusive=True, group="pivot", exit_on_error=False, description="Pivot query")
    def _query(self, state: ReportState, generation: int, series: bool) -> None:
        # The pivot first (month views read the monthly rollup: fast), then the daily series for the
        # trend column, which needs every daily row: the table is on screen before it arrives. A series
        # kept from an earlier visit comes with the figures (one message, one rebuild of the table); one
        # to read is read once the figures are painted (a read holding the GIL slowed that paint).
        store, today = self.ctx.store, self.ctx.today
        data = load_report(store, state, today, splits=self.splits)
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        found = kept_series(store, data, today) if series else None
        painted = threading.Event()
        self.post_message(self.Loaded(generation, data if found is None else found, painted))
        if not series or found is not None:
            return
        painted.wait(PAINT_WAIT)
        if worker.is_cancelled:
            return
        found = with_series(store, data, today)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(generation, found))

    def on_report_screen_loaded(self, message: Loaded) -> None:
        painted = message.painted
        if message.generation < self._generation:
            if painted is not None:
                painted.set()
            return  # a newer query is on its way
        if painted is not None:
            self.call_after_refresh(painted.set)
        data = message.data
        if not data.grid.series and self.data is not None and self.data.grid.series \
                and _same_figures(self.data.state, data.state):
            # keep the trend column while the new series loads: the layout does not jump
            data = replace(data, grid=replace(data.grid, series=self.data.grid.series), days=self.data.days)
        self._shown_generation = message.generation
        self.data = data
        self._paint_head()
        self._paint_table()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # the app turns the error into a notification; here the caption stops saying "querying"
        if event.worker.group == "pivot" and event.state == WorkerState.ERROR:
            self._shown_generation = self._generation
            self._paint_caption()

    # -- painting -----------------------------------------------------------------------------------

    def _pending(self) -> bool:
        return self._shown_generation < self._generation

    def shown_state(self) -> ReportState:
        """The view the figures on screen answer: while a new query runs, or after one failed, the
        figures' own (their dimensions, measure, dates and filters) with the current display options
        (sort, hidden columns, folds)."""
        s = self.state
        if self.data is None or _query_of(self.data.state) == _query_of(s):
            return s
        try:
            return replace(self.data.state, sort=s.sort, hidden=s.hidden, collapsed=s.collapsed, crumbs=s.crumbs)
        except UsageError:  # the figures' view names a tag deleted since: say what was asked for
            return s

    def _paint_head(self) -> None:
        back = self.history.undo_what()
        hint = f"   ⌫ undoes {back}" if back else "   Enter drills into a row"
        width = (self.size.width or self.app.size.width) - 2
        crumbs, current = self.history.crumbs(width - len(hint))
        trail = Text(no_wrap=True, overflow="ellipsis")
        if len(" › ".join(crumbs)) + len(hint) > width:  # too narrow for the steps: the hint says it all
            crumbs, hint = [], hint.lstrip()
        for i, name in enumerate(crumbs):
            if i:
                trail.append(" › ", "dim")
            trail.append(shown(name), "bold" if i == current else "dim" if i > current else "")
        trail.append(hint, "dim")
        self.query_one("#breadcrumb", Static).update(trail)
        state = self.shown_state()
        self.query_one("#summary", Static).update(
            Text(shown(state.describe(self.ctx.today)), no_wrap=True, overflow="ellipsis")
        )
        if (state.filters, width) == self._chips:
            return  # the chips stay as they are (no flicker, no jump while a query runs)
        self._chips = (state.filters, width)
        chips = self.query_one("#chips", Horizontal)
        labels = [shown(_chip_label(f)) for f in state.filters]
        fit = chips_that_fit(labels, width)
        with self.app.batch_update():
            chips.remove_children()
            chips.display = bool(state.filters)
            chips.mount_all(
                Button(Text(label), name=str(i), compact=True, classes="chip",
                       tooltip="Enter or click removes this filter")
                for i, label in enumerate(labels[:fit])
            )
            if fit < len(labels):  # never cut silently: say how many more there are and where they are
                hidden = "\n".join(labels[fit:])
                more = Static(Text(more_chips(len(labels) - fit)), classes="chips-more")
                more.tooltip = Text(f"{hidden}\n(removing a chip shows the next; F clears every filter)")
                chips.mount(more)

    def _paint_table(self) -> None:
        if self.data is None:
            return
        table = self.query_one(PivotTable)
        grid = self.data.grid
        state = self.shown_state()
        collapsed = frozenset(state.collapsed)
        if self.search_text and collapsed:  # a match under a folded group shows: the search opens it
            collapsed -= holding_a_match(display_rows(grid, sort=state.sort), self.search_text)
        rows = display_rows(grid, collapsed=collapsed, sort=state.sort)
        self._narrowed = (len(rows), 0)
        if self.search_text:
            narrowed = narrow(rows, self.search_text)
            self._narrowed = (len(rows), len(narrowed))
            rows = narrowed
        allocated = self.data.allocated if self.data.splits else {}
        table.show(grid, rows, with_trend=bool(grid.series) and self._trend_fits(), home=self._cursor_home,
                   hidden=state.hidden, allocated=allocated)
        self._cursor_home = False
        self._paint_caption()
        caching = self.query_one("#caching", Static)
        allocation = shown(self.data.allocation)
        if any(table.allocated_rows):
            allocation = f"{ALLOCATED_MARK} includes an allocated share; a shows it unsplit · {allocation}"
        footnote = " · ".join(t for t in (allocation, self.data.caching) if t)
        caching.update(Text(footnote, no_wrap=True, overflow="ellipsis"))
        caching.display = bool(footnote)
        self._paint_chart()

    def search_changed(self, text: str) -> None:
        """On the pivot a search narrows the rows as it is typed (n and N then walk what is left)."""
        self._paint_table()

    _exact_shown: str | None = None  # the exact figure the caption gives for an abbreviated cell
    _caption_row: int | None = None  # the row the caption speaks of (its exact figure, its allocated share)

    def _paint_caption(self, *, loading: bool = False) -> None:
        caption = self.query_one("#caption", Static)
        if self.data is None:
            caption.update(Text("Querying ...", style="dim"))
            return
        grid, result = self.data.grid, self.data.result
        parts = [measure_title(result)]
        parts.extend(grid.notes)  # first, before what the line may lose at its end: compare's two periods
        if result.provisional_from is not None:
            parts.append(f"* {result.provisional_from} (today, UTC) is still filling")
        leaves = len(grid.order)
        parts.append(
            f"{leaves} row{'s' if leaves != 1 else ''} · sorted {sort_description(grid, self.state.sort)}"
        )
        if grid.flags:
            n = len(grid.flags)
            parts.append(f"⚠ {n} row{'s' if n != 1 else ''} had an unusual day: see Insights (F5)")
        if not grid.order:
            if not self.data.has_data and self.cost_app.sync_running:
                parts = ["The first sync is running: costs appear here as each window of days lands"]
            elif not self.data.has_data:
                parts = ["No costs yet: press F3, then a, to add an organization by its Admin key "
                         "(or try openai-cost-tui --demo)"]
            else:
                parts.insert(0, "No costs in this range with these filters")
        if self.search_text and self._narrowed[1] < self._narrowed[0]:
            parts.insert(0, f"narrowed to rows holding {self.search_text!r} (/ changes, Esc in it drops; "
                            f"Total counts every row)")
        if loading or self._pending():
            parts.insert(0, "querying ...")
        table = self.query_one(PivotTable)
        row = table.current_row()
        unit = None if row is None or row.kind == "total" else row_unit_note(
            result, row.label, frozenset().union(*(c.units for c in row.cells if c is not None)))
        if unit:  # a quantity or unit cost over mixed units: what the cursor's row is counted in
            parts.insert(0, unit)
        self._exact_shown = table.cursor_exact()
        allocated = table.cursor_allocated()
        if allocated:  # the cursor's row holds a share of a split: how much, and how to see it unsplit
            name, amount = allocated
            parts.insert(0, f"{ALLOCATED_MARK} {name} includes {money.usd(amount)} allocated (a: unsplit)")
        if self._exact_shown:
            parts.insert(0, f"exact: {self._exact_shown}")
        self._caption_row = table.cursor_coordinate.row if allocated or self._exact_shown or unit else None
        caption.update(Text(shown(" · ".join(parts)), style="dim", no_wrap=True, overflow="ellipsis"))

    def _paint_chart(self) -> None:
        if not self.chart_visible or self.data is None:
            return
        filters = ", ".join(_chip_label(f).rstrip(" ✕") for f in self.state.filters)
        self.query_one("#chart", ChartPanel).plot(
            self.query_one(PivotTable).current_row(), self.data.days, filters=filters
        )

    @on(DataTable.CellHighlighted)
    def _cursor_moved(self) -> None:
        self._paint_chart()
        table = self.query_one(PivotTable)
        if self.data is not None and (table.short_columns or any(table.allocated_rows)
                                      or self._caption_row is not None or self.state.measure != "cost"):
            self._paint_caption()  # the exact figure of an abbreviated cell, a row's allocated share lead it

    # -- drill ----------------------------------------------------------------------------------

    def action_drill(self) -> None:
        row = self.query_one(PivotTable).current_row()
        if row is None or row.kind == "total":
            self.notify(
                "Move to a row first: Enter keeps only that row's value and groups by the next dimension.",
                timeout=4,
            )
            return
        try:
            new = drill(self.state, row.key)
        except DrillError as exc:
            self.notify(shown(exc), severity="warning", timeout=5, markup=False)
            return
        self.set_state(new)

    def action_back(self) -> None:
        what = self.history.undo_what()
        state = self.history.undo()
        if state is None:
            self.notify("This is the view you started from: nothing to undo.", timeout=3)
            return
        self.set_state(state, step=False)
        self.notify(f"Undid: {what}", timeout=2, markup=False)

    def action_forward(self) -> None:
        state = self.history.redo()
        if state is None:
            self.notify("Nothing to redo.", timeout=3)
            return
        self.set_state(state, step=False)

    # -- dimensions and measure ------------------------------------------------------------------

    def action_pick_rows(self) -> None:
        # (each dialog's module is imported when it first opens, not at start: see tui/lazy.py)
        from ..modals.choice import ChoiceModal, dimension_options

        def chosen(dim: str | None) -> None:
            if dim:
                self._change(lambda s: s.with_rows(dim, s.rows[1] if len(s.rows) > 1 else None))

        self.app.push_screen(
            ChoiceModal("Rows: group by", dimension_options(), current=self.state.rows[0]), chosen
        )

    def action_pick_nested(self) -> None:
        from ..modals.choice import NONE_CHOICE, ChoiceModal, dimension_options

        def chosen(dim: str | None) -> None:
            if dim:
                self._change(lambda s: s.with_second_row(None if dim == NONE_CHOICE else dim))

        options = dimension_options(none_label="(none: one row dimension)", exclude=(self.state.rows[0],))
        current = self.state.rows[1] if len(self.state.rows) > 1 else NONE_CHOICE
        self.app.push_screen(
            ChoiceModal(f"Nest inside {label(self.state.rows[0])}", options, current=current), chosen
        )

    def action_pick_cols(self) -> None:
        from ..modals.choice import NONE_CHOICE, ChoiceModal, dimension_options

        def chosen(dim: str | None) -> None:
            if dim:
                self._change(lambda s: s.with_cols(None if dim == NONE_CHOICE else dim))

        options = dimension_options(none_label="(none: totals only)")
        time_first = [o for o in options if o[0] in (NONE_CHOICE, *TIME_DIMENSIONS)]
        options = time_first + [o for o in options if o not in time_first]
        self.app.push_screen(ChoiceModal("Columns", options, current=self.state.cols or NONE_CHOICE), chosen)

    def action_pick_measure(self) -> None:
        from ..modals.choice import ChoiceModal, measure_options

        def chosen(measure: str | None) -> None:
            if measure:
                self._change(lambda s: s.with_measure(measure))

        self.app.push_screen(ChoiceModal("Measure", measure_options(), current=self.state.measure), chosen)

    def action_swap(self) -> None:
        self._change(lambda s: s.swapped())

    def _change(self, how) -> None:
        try:
            new = how(self.state)
        except CostToolError as exc:
            self.notify(shown(exc.message), title=exc.title, severity="warning", markup=False)
            return
        self.set_state(new)

    # -- filters, workspace, dates ------------------------------------------------------------------

    def action_filter(self) -> None:
        from ..modals.choice import ChoiceModal, dimension_options
        from ..modals.filter import FilterModal

        def dim_chosen(dim: str | None) -> None:
            if not dim:
                return
            state, today = self.state, self.ctx.today
            store = self.ctx.store
            modal = FilterModal(dim, lambda: value_totals(store, state, dim, today), state.filter_for(dim))
            self.app.push_screen(modal, lambda flt: self._filter_chosen(dim, flt))

        current = self.query_one(PivotTable).current_row()
        dim = self.state.rows[0] if current is None or current.kind != "leaf" else self.state.rows[-1]
        self.app.push_screen(ChoiceModal("Filter by", dimension_options(), current=dim), dim_chosen)

    def _filter_chosen(self, dim: str, flt: Filter | None) -> None:
        if flt is None:
            return
        state = self.state.with_filter(flt, dim)
        if not flt.values:
            state = replace(state, crumbs=tuple(c for c in state.crumbs if c[0] != dim))
        self.set_state(state)

    def action_exclude_row(self) -> None:
        row = self.query_one(PivotTable).current_row()
        if row is None or row.kind == "total" or OTHER_LABEL in row.key:
            self.notify("Move to a row to exclude it.", timeout=3)
            return
        dim, value = self.state.rows[len(row.key) - 1], row.key[-1]
        old = self.state.filter_for(dim)
        values = (*old.values, value) if old and old.exclude else (value,)
        self.set_state(self.state.with_filter(Filter(dim, values, exclude=True), dim))

    @on(Button.Pressed, ".chip")
    def _chip_pressed(self, event: Button.Pressed) -> None:
        index = int(event.button.name or 0)
        if index < len(self.state.filters):
            dim = self.state.filters[index].dim
            state = self.state.without_filter(index)
            self.set_state(replace(state, crumbs=tuple(c for c in state.crumbs if c[0] != dim)))
            self.query_one(PivotTable).focus()

    def action_clear_filters(self) -> None:
        if self.state.filters:
            self.set_state(replace(self.state, filters=(), crumbs=()))

    def action_workspace(self) -> None:
        from ..modals.choice import NONE_CHOICE, ChoiceModal

        def chosen(name: str | None) -> None:
            if name is not None:
                self.set_state(replace(self.state, workspace=None if name == NONE_CHOICE else name))

        store = self.ctx.store

        def options() -> list[tuple[str, str]]:
            found = [(NONE_CHOICE, "All connections")]
            return found + [(w.name, f"{w.name}  ({', '.join(w.connections) or 'no connections'})")
                            for w in store.workspaces()]

        self.app.push_screen(
            ChoiceModal("Workspace", load=options, current=self.state.workspace or NONE_CHOICE), chosen
        )

    def action_dates(self) -> None:
        from ..modals.date_range import DateRangeModal

        def chosen(dates) -> None:
            if dates is not None:
                self.set_state(replace(self.state, dates=dates))

        self.app.push_screen(DateRangeModal(self.state.dates, self.ctx.today), chosen)

    # -- view options -------------------------------------------------------------------------------

    def action_sort(self) -> None:
        table = self.query_one(PivotTable)
        _, column = table.current_ids()
        if column is None or column == TREND_KEY:
            self.notify("Move the cursor to a column of numbers (or the labels) to sort by it.", timeout=3)
            return
        self.set_state(self.state.sorted_by(column))

    def action_sort_as(self, descending: bool) -> None:
        _, column = self.query_one(PivotTable).current_ids()
        if column is None or column == TREND_KEY:
            self.notify("Move the cursor to a column of numbers (or the labels) to sort by it.", timeout=3)
            return
        self.set_state(self.state.sorted_as(column, descending))

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        if column and column != TREND_KEY:
            self.set_state(self.state.sorted_by(column))

    def action_hide_column(self) -> None:
        _, column = self.query_one(PivotTable).current_ids()
        if column is None or column == LABEL_KEY:
            self.notify("Move the cursor to a column of figures to hide it (the labels stay).", timeout=3)
            return
        self.set_state(self.state.hiding(column))
        self.notify("Column hidden: + shows every column again, ⌫ undoes.", timeout=3)

    def action_show_columns(self) -> None:
        if not self.state.hidden:
            self.notify("No column is hidden (- hides the cursor's column).", timeout=3)
            return
        self.set_state(replace(self.state, hidden=()))

    def action_toggle_group(self) -> None:
        table = self.query_one(PivotTable)
        row = table.current_row()
        if row is None or len(self.state.rows) < 2 or row.kind == "total":
            self.notify("Folding needs two row dimensions (n nests a second one).", timeout=3)
            return
        outer = row.key[0]
        self.set_state(self.state.toggled_fold(outer))
        table.select_row(f"group:{outer}")

    def action_top(self) -> None:
        self.set_state(self.state.next_top())
        self.notify(
            f"Showing {'the top ' + str(self.state.top) if self.state.top else 'every'} row"
            f"{'s' if self.state.top != 1 else ''}.",
            timeout=2,
        )

    def action_compare(self) -> None:
        self.set_state(self.state.toggled_compare())

    def action_chart(self) -> None:
        self.chart_visible = not self.chart_visible
        self.query_one("#chart", ChartPanel).display = self.chart_visible
        if self.chart_visible and (self.data is None or not self.data.grid.series):
            self.refresh_report()
        else:
            self._paint_chart()

    # -- export and views ---------------------------------------------------------------------------

    def action_export(self) -> None:
        from ..modals.export import start_export

        if self.data is not None:
            start_export(self, self.data.result, compare=bool(self.state.compare))

    def action_save_view(self) -> None:
        from ..modals.line import LineModal

        store, state = self.ctx.store, self.state

        def saved(name: str) -> None:
            self.notify(
                f"Saved view {name!r}: l opens it, `openai-cost-tui report --view {name!r}` prints it.",
                title="View saved", timeout=6, markup=False,
            )

        def named(name: str | None) -> None:
            if name:
                self.background(lambda: store.save_view(name, state), saved, group="report-store")

        self.app.push_screen(LineModal("Save this view as", lambda text: clean_name(text, what="view name"),
                                       placeholder="e.g. Monthly by project", ok="Save"), named)

    def action_presets(self) -> None:
        from ..modals.choice import ChoiceModal

        store, workspace = self.ctx.store, self.state.workspace

        titles = {p.id: p.title for p in PRESETS}

        def chosen(preset_id: str | None) -> None:
            def apply(state: ReportState) -> None:
                self.set_state(replace(state, workspace=workspace), what=f"Preset: {titles[preset_id]}")

            if preset_id:
                self.background(lambda: preset_state(preset_id, store.charge_values("subcategory")), apply,
                                group="report-store", exclusive=True)

        options = [(p.id, f"{p.title:<24} {p.description}") for p in PRESETS]
        self.app.push_screen(ChoiceModal("Presets (⌫ comes back)", options), chosen)

    def action_tags(self) -> None:
        from .tags import TagsScreen

        self.app.push_screen(TagsScreen(), lambda changed: self.refresh_report() if changed else None)

    def action_toggle_splits(self) -> None:
        self.splits = not self.splits
        self.notify("Shared costs of tags: " + ("allocated to the other values" if self.splits else "unsplit"))
        self.refresh_report()

    def action_open_view(self) -> None:
        from ..modals.choice import ChoiceModal

        store = self.ctx.store

        def opened(found: tuple[str, ReportState]) -> None:
            name, state = found
            self.set_state(state, what=f"View: {name}")
            self.notify(f"Opened view {name!r}.", timeout=3, markup=False)

        def chosen(name: str | None) -> None:
            if name:
                self.background(lambda: (name, store.load_view(name)), opened, group="report-store")

        self.app.push_screen(ChoiceModal("Open a saved view", load=lambda: [(n, n) for n in store.view_names()],
                                         empty="No saved views yet: S saves the current one."), chosen)


DISPLAY_ONLY = frozenset({"sort", "hidden", "collapsed", "crumbs"})  # a change of these asks the store nothing


CHIP_PAD = 3  # a compact chip's padding (1 each side) and its right margin


def more_chips(n: int) -> str:
    return f"+{n} more"


def chips_that_fit(labels: list[str], width: int) -> int:
    """How many filter chips fit in ``width`` columns, leaving room to say how many more there are."""
    widths = [cell_len(label) + CHIP_PAD for label in labels]
    if sum(widths) <= width:
        return len(labels)
    used = 0
    for n, w in enumerate(widths):
        if used + w + len(more_chips(len(labels) - n - 1)) > width:
            return n
        used += w
    return len(labels)


def _chip_label(flt: Filter) -> str:
    from ..modals.filter import chip_label  # (the filter dialog's module: imported once a filter is shown)

    return chip_label(flt)


def _query_of(state: ReportState) -> tuple:
    """What a view asks the store: its fields but the display options (read, not rebuilt: a state
    naming a tag deleted since is not checked again here)."""
    return tuple(getattr(state, f.name) for f in fields(state) if f.name not in DISPLAY_ONLY)


def _same_figures(a: ReportState, b: ReportState) -> bool:
    """Two views whose rows hold the same daily series (the trend column may be kept while one loads)."""
    return (a.rows, a.filters, a.workspace, a.measure, a.dates) == (b.rows, b.filters, b.workspace, b.measure,
                                                                    b.dates)
