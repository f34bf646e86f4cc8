"""Insights: are we on track, and what changed? Month-end forecast, anomalies with their drivers,
cache savings and spend by tier. Everything is computed in a thread worker from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core import money
from ...core.anomalies import Anomaly, Driver
from ...core.budgets import Budget, amount_text
from ...core.dates import DateRange, last_n_days, month_to_date
from ...core.economics import CacheEconomics, TierSpend
from ...core.forecast import Forecast
from ...core.models import PivotSpec
from ...core.restatements import Restatement, signed_dollars
from ...core.text import shown
from ...services import analysis
from ...services.checks import BudgetStatus, budget_statuses
from ...store.store import Store
from ..modals.budget import BudgetAmountModal
from ..modals.choice import ChoiceModal
from ..modals.confirm import ConfirmModal
from .base import AppScreen

STATE_STYLE = {"over": "bold red", "forecast over": "red", "near": "yellow", "ok": "green"}
ANOMALY_DAYS = 14
ECONOMICS_DAYS = 30  # the report's "Last 30 days": today - 29 .. today, today's partial day included
STILL_FILLING = "today still filling"
COLUMNS = {
    "budgets": ("Budget", "Used", "Forecast", "Budget (USD)", "Used %", "Forecast %", "State"),
    "forecast": ("Service", "Month to date", "Forecast", "Range"),
    "anomalies": ("Day", "What", "Cost", "Expected", "Change", "Drivers"),
    "cache": ("Model", "Cached share", "Cached cost", "Saved"),
    "tiers": ("Tier / context", "Spend", "Share"),
}
# the columns of text a table may cut (with an ellipsis, the first first) when its row is wider than
# the screen: figures and states are never cut, and the cursor line under the table gives the full text
CUTTABLE = {"budgets": (0,), "forecast": (0,), "anomalies": (5, 1), "cache": (0,), "tiers": (0,)}
MIN_CUT_WIDTH = 12
SHORT_TITLES = {"Budget (USD)": "Amount", "Forecast %": "Fcst %"}  # when a label would be cut otherwise
CELL_PADDING = 2  # a DataTable cell's padding, one each side


def economics_range(today: date) -> DateRange:
    """Insights' "last 30 days" is exactly the report's preset of that name."""
    return last_n_days(today, ECONOMICS_DAYS)


def anomaly_range(today: date) -> DateRange:
    """The last ANOMALY_DAYS complete days (today is still filling, so it is not judged)."""
    return DateRange(today - timedelta(days=ANOMALY_DAYS), today - timedelta(days=1))


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def revisions_text(changes: list[Restatement], today: date) -> Text:
    """One line per revised day (newest first), its changes listed once: not a run-on paragraph."""
    days: dict[date, list[Restatement]] = {}
    for change in changes:
        days.setdefault(change.day, []).append(change)
    lines = [f"Revised by the API in the last 7 days ({plural(len(changes), 'change')}):"]
    for day in sorted(days, reverse=True):
        when = day.isoformat() + (" (yesterday)" if day == today - timedelta(days=1) else "")
        moves = ", ".join(f"{c.value} {signed_dollars(c.delta)}" for c in days[day])
        lines.append(f"  {when}: {moves}")
    return Text("\n".join(shown(line) for line in lines))


@dataclass
class InsightsData:
    today: date
    forecast: analysis.ForecastView | None = None
    anomalies: list[tuple[Anomaly, list[Driver]]] = field(default_factory=list)
    cache: list[CacheEconomics] = field(default_factory=list)
    tiers: TierSpend | None = None
    budgets: list[BudgetStatus] = field(default_factory=list)
    has_data: bool = False
    restated: list[Restatement] = field(default_factory=list)


def _usd(atto: int) -> Text:
    return Text(money.format_display(atto), justify="right")


def _signed(atto: int) -> Text:
    text = money.format_display(abs(atto))
    return Text(("+" if atto >= 0 else "-") + text, justify="right", style="red" if atto > 0 else "green")


class Title(Static):
    """A section's title: as wide as the screen, wrapping (a Label would be cut at the edge)."""

    def __init__(self, text: str, *, id: str) -> None:
        super().__init__(text, id=id, classes="section-title", markup=False)


class InsightsScreen(AppScreen):
    DEFAULT_CSS = """
    InsightsScreen .cut-note {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("r", "recompute", "Recompute", id="insights-recompute", tooltip="Compute everything again"),
        Binding("b", "set_budget", "Set budget", id="insights-set-budget",
                tooltip="Set a monthly budget for the total, a workspace, a connection or a project"),
        Binding("x", "remove_budget", "Remove budget", id="insights-remove-budget",
                tooltip="Remove the budget under the cursor in the budgets table"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.budget_rows: list[Budget] = []  # the budgets table's rows, in order
        self.table_rows: dict[str, list[list[Text]]] = {}  # each table's rows, uncut (to fit again)
        self.cut: dict[str, dict[int, str]] = {}  # table -> row -> the full text of its cut cells

    @dataclass
    class Computed(Message, bubble=False):
        data: InsightsData

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="insights"):
            yield Static("", id="insights-summary", classes="intro")
            yield Title("Budgets this month (b sets one, x removes the one under the cursor)", id="budgets-title")
            yield DataTable(id="budgets", cursor_type="row", zebra_stripes=True)
            yield Static("", id="budgets-full", classes="cut-note")
            yield Static("", id="restated", classes="note")
            yield Title("Month-end forecast by service", id="forecast-title")
            yield DataTable(id="forecast", cursor_type="row", zebra_stripes=True)
            yield Static("", id="forecast-full", classes="cut-note")
            yield Title(f"Anomalies in the last {ANOMALY_DAYS} complete days", id="anomalies-title")
            yield DataTable(id="anomalies", cursor_type="row", zebra_stripes=True)
            yield Static("", id="anomalies-full", classes="cut-note")
            yield Title(f"Prompt caching, last {ECONOMICS_DAYS} days", id="cache-title")
            yield DataTable(id="cache", cursor_type="row", zebra_stripes=True)
            yield Static("", id="cache-full", classes="cut-note")
            yield Title(f"Spend by tier and context, last {ECONOMICS_DAYS} days", id="tiers-title")
            yield DataTable(id="tiers", cursor_type="row", zebra_stripes=True)
            yield Static("", id="tiers-full", classes="cut-note")

    def on_mount(self) -> None:
        for table_id, names in COLUMNS.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for name in names:
                table.add_column(name, key=name)
        self.query_one("#insights-summary", Static).update("Computing...")
        self.query_one("#budgets", DataTable).focus()  # its cursor is the one x acts on
        self.reload()

    def reload(self) -> None:
        if self.is_mounted:
            self._compute(self.ctx.store.url, self.ctx.today)

    def action_recompute(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="insights", exit_on_error=False)
    def _compute(self, url: str, today: date) -> None:
        with Store(url, taxonomy=self.ctx.store.taxonomy) as store:
            data = InsightsData(today, has_data=store.last_day() is not None)
            data.forecast = analysis.forecast_view(store, PivotSpec(rows=("service",), cols=None, top=12), today)
            for anomaly in analysis.find_anomalies(store, today, lookback_days=ANOMALY_DAYS)[:30]:
                data.anomalies.append((anomaly, analysis.anomaly_drivers(store, anomaly, today, limit=3)))
            recent = economics_range(today)
            data.cache = analysis.cache_economics(store, recent, today=today)
            data.tiers = analysis.tier_spend(store, recent, today=today)
            data.budgets = budget_statuses(store, today)
            since = datetime.combine(today - timedelta(days=7), datetime.min.time())
            data.restated = [r.change for r in store.restatements(since=since, limit=6)]
        self.post_message(self.Computed(data))

    def on_insights_screen_computed(self, message: Computed) -> None:
        data = message.data
        self._show_forecast(data.forecast)
        self._show_anomalies(data.anomalies)
        self._show_cache(data.cache)
        self._show_tiers(data.tiers)
        self._show_budgets(data.budgets)
        restated = self.query_one("#restated", Static)
        restated.update(revisions_text(data.restated, data.today) if data.restated else "")
        restated.display = bool(data.restated)
        total = data.forecast.total if data.forecast else None
        if (total is None or not data.has_data) and self.cost_app.sync_running:
            summary = "The first sync is running: Insights fill in as the costs land."
        elif total is None or not data.has_data:
            summary = "No costs yet: press F3, then a, to add an organization by its Admin key."
        else:
            mtd = month_to_date(data.today)
            summary = (f"{total.month_start:%B %Y} to date ({mtd}, {STILL_FILLING}): "
                       f"{money.usd(total.month_to_date)}; forecast {money.usd(total.total)} "
                       f"({money.usd(total.low)} to {money.usd(total.high)}). "
                       f"{plural(len(data.anomalies), 'anomaly', 'anomalies')} in the last {ANOMALY_DAYS} "
                       "complete days.")
        self.query_one("#insights-summary", Static).update(Text(summary))
        self._show_titles(data.today)

    def _show_titles(self, today: date) -> None:
        """Every panel says which days it covers, as the report's date line does."""
        mtd, recent = month_to_date(today), economics_range(today)
        titles = {
            "budgets": f"Budgets, {today:%B %Y} to date ({mtd}, {STILL_FILLING}): b sets one, x removes "
                       "the one under the cursor",
            "forecast": f"Month-end forecast by service, {today:%B %Y} (to date: {mtd}, {STILL_FILLING}; "
                        "credits left out, as in budgets)",
            "anomalies": f"Anomalies, {anomaly_range(today)} (the last {ANOMALY_DAYS} complete days, "
                         "against each series' own weekday-aware baseline)",
            "cache": f"Prompt caching, last {ECONOMICS_DAYS} days ({recent}, {STILL_FILLING}): what cached "
                     "input saved against the same model's uncached input price",
            "tiers": f"Spend by tier and context, last {ECONOMICS_DAYS} days ({recent}, {STILL_FILLING})",
        }
        for table_id, title in titles.items():
            self.query_one(f"#{table_id}-title", Title).update(title)

    def _show_forecast(self, view: analysis.ForecastView | None) -> None:
        if view is None:
            self._fill("forecast", [])
            return
        rows: list[tuple[str, Forecast]] = [
            (" / ".join(k), f) for k, f in view.rows.items() if f.month_to_date or f.high or f.low
        ]  # a row with nothing spent and nothing to come ("(other)" of a short list) says nothing
        rows.sort(key=lambda r: -r[1].total)
        self._fill("forecast", [[
            Text(shown(name), style="bold" if name == "Total" else ""), _usd(f.month_to_date), _usd(f.total),
            Text(f"{money.format_display(f.low)} - {money.format_display(f.high)}", justify="right"),
        ] for name, f in [*rows, ("Total", view.total)]])  # fmt: skip

    def _show_anomalies(self, found: list[tuple[Anomaly, list[Driver]]]) -> None:
        rows = [] if found else [[Text(), Text("No day departs from its usual pattern."), *[Text()] * 4]]
        for anomaly, drivers in found:
            what = f"{anomaly.dimension.replace('_', ' ')} {' / '.join(anomaly.series)}"
            moved = ", ".join(f"{d.name} {'+' if d.delta >= 0 else '-'}{money.format_display(abs(d.delta))}"
                              for d in drivers)
            rows.append([Text(anomaly.day.isoformat()), Text(shown(what)), _usd(anomaly.value),
                         _usd(anomaly.expected), _signed(anomaly.delta), Text(shown(moved))])
        self._fill("anomalies", rows)

    def _show_cache(self, rows: list[CacheEconomics]) -> None:
        cells = []
        for r in sorted(rows, key=lambda r: -r.saved):
            total_in = r.input_tokens + r.cached_tokens
            share = f"{r.cached_tokens * 100 / total_in:.1f}%" if total_in else ""
            cells.append([Text(shown(r.category)), Text(share, justify="right"), _usd(r.cached_cost),
                          _usd(r.saved)])
        self._fill("cache", cells)

    def _show_budgets(self, statuses: list[BudgetStatus]) -> None:
        self.budget_rows = [st.budget for st in statuses]
        rows = [] if statuses else [[Text("No budgets yet: b sets one."), *[Text()] * 6]]
        for st in statuses:
            colour = STATE_STYLE.get(st.state, "")
            rows.append([
                Text(shown(st.budget.label)), _usd(st.used), _usd(st.forecast), _usd(st.budget.amount),
                Text(f"{st.used_percent}%" if st.used_percent is not None else "", justify="right"),
                Text(f"{st.forecast_percent}%" if st.forecast_percent is not None else "", justify="right",
                     style=colour),
                Text(st.state, style=colour),
            ])  # fmt: skip
        self._fill("budgets", rows)

    # -- budgets ------------------------------------------------------------------------------------

    def _budget_under_cursor(self) -> Budget | None:
        """The budget the user can see selected: the budgets table has the focus and a budget row."""
        table = self.query_one("#budgets", DataTable)
        if self.app.focused is not table:
            return None
        row = table.cursor_row
        return self.budget_rows[row] if self.budget_rows and 0 <= row < len(self.budget_rows) else None

    def action_set_budget(self) -> None:
        store = self.ctx.store
        existing = {(b.scope, b.target): b for b in self.budget_rows if b.connection is None}
        current = self._budget_under_cursor()

        def name(scope: str, target: str) -> str:
            return "Everything (the total)" if scope == "total" else f"{scope} {target}"

        def label(scope: str, target: str) -> str:
            found = existing.get((scope, target))
            now = f"  (now {money.usd(found.amount)})" if found else ""
            return name(scope, target) + now

        def chosen(key: str | None) -> None:
            if key is None:
                return
            scope, _, target = key.partition(":")
            found = existing.get((scope, target))
            title = f"Monthly budget for {name(scope, target)}, in US dollars"
            self.app.push_screen(BudgetAmountModal(title, value=amount_text(found.amount) if found else ""),
                                 lambda amount: self._save_budget(scope, target, amount))

        def options() -> list[tuple[str, str]]:
            return [(f"{scope}:{target}", label(scope, target)) for scope, target in store.budget_targets()]

        at = f"{current.scope}:{current.target}" if current and current.connection is None else None
        self.app.push_screen(ChoiceModal("Set a monthly budget for", load=options, current=at), chosen)

    def _save_budget(self, scope: str, target: str, amount: int | None) -> None:
        if amount is None:
            return
        store = self.ctx.store

        def saved(budget: Budget) -> None:
            self.notify(f"Budget for {shown(budget.label)}: {money.usd(budget.amount)} a month.",
                        timeout=4, markup=False)
            self.reload()

        self.background(lambda: store.set_budget(scope, target, amount), saved, group="insights-budgets")

    def action_remove_budget(self) -> None:
        budget = self._budget_under_cursor()
        if budget is None:
            self.notify("Select a budget first: Tab to the budgets table, then ↑↓ to the budget to remove.",
                        timeout=4)
            return
        store = self.ctx.store

        def removed(_: object) -> None:
            self.notify(f"Removed the budget for {shown(budget.label)}.", timeout=4, markup=False)
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.background(lambda: store.remove_budget(budget.scope, budget.target,
                                                            connection=budget.connection),
                                removed, group="insights-budgets")

        self.app.push_screen(ConfirmModal(
            "Remove budget", f"Remove the {money.usd(budget.amount)} monthly budget for "
            f"{shown(budget.label)}? Costs are not touched.", yes="Remove"), answered)

    def _show_tiers(self, tiers: TierSpend | None) -> None:
        rows = []
        for prefix, shares in (("tier", tiers.by_tier), ("context", tiers.by_context)) if tiers else ():
            for s in shares:
                pct = f"{s.share * 100:.1f}%" if s.share is not None else ""
                rows.append([Text(shown(f"{prefix}: {s.label}")), _usd(s.amount), Text(pct, justify="right")])
        self._fill("tiers", rows)

    # -- fitting the tables to the screen -------------------------------------------------------------

    def _fill(self, table_id: str, rows: list[list[Text]]) -> None:
        """Show ``rows`` in the table, as wide as the screen: when they do not fit, the table's columns of
        text are cut with an ellipsis (CUTTABLE), never a figure or a state; the cursor line under the
        table gives the full text of the row under the cursor."""
        self.table_rows[table_id] = rows
        table = self.query_one(f"#{table_id}", DataTable)
        keys = COLUMNS[table_id]
        scrollbar = self.query_one("#insights", VerticalScroll).styles.scrollbar_size_vertical
        limit = table.styles.max_height.cells if table.styles.max_height else None
        scrolls = limit is not None and len(rows) + 1 > limit  # the table's own scrollbar takes room too
        room = (self.size.width or self.app.size.width) - scrollbar * (1 + scrolls)
        for names in (keys, tuple(SHORT_TITLES.get(k, k) for k in keys)):  # short titles leave more label
            widths = [max([cell_len(name), *(r[i].cell_len for r in rows)]) for i, name in enumerate(names)]
            excess = sum(w + CELL_PADDING for w in widths) - room
            if excess <= 0:
                break
        for floor in (MIN_CUT_WIDTH, 0):  # a readable width first; then what the figures leave
            for i in CUTTABLE[table_id]:
                take = min(max(excess, 0), max(0, widths[i] - max(floor, cell_len(names[i]))))
                widths[i] -= take
                excess -= take
        row = table.cursor_row
        table.clear(columns=True)
        for key, name, width in zip(keys, names, widths, strict=True):
            table.add_column(name, key=key, width=width)
        self.cut[table_id] = {}
        for n, cells in enumerate(rows):
            shown_cells = []
            for i, cell in enumerate(cells):
                if cell.cell_len > widths[i]:
                    self.cut[table_id][n] = " · ".join(f"{names[j]}: {c.plain}" for j, c in enumerate(cells)
                                                       if c.cell_len > widths[j])
                    cell = cell.copy()
                    cell.truncate(widths[i], overflow="ellipsis")
                shown_cells.append(cell)
            table.add_row(*shown_cells)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1), animate=False)
        self._show_cut(table_id)

    def _show_cut(self, table_id: str) -> None:
        """The full text of the cut cells of the row under the table's cursor, while it has the focus."""
        table = self.query_one(f"#{table_id}", DataTable)
        full = self.cut.get(table_id, {}).get(table.cursor_row) if self.app.focused is table else None
        note = self.query_one(f"#{table_id}-full", Static)
        note.update(Text(full or "", no_wrap=False))
        note.display = bool(full)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id in COLUMNS:
            self._show_cut(event.data_table.id)

    def on_descendant_focus(self) -> None:
        self._show_cuts()

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._show_cuts)

    def _show_cuts(self) -> None:
        for table_id in COLUMNS:
            self._show_cut(table_id)

    def on_resize(self) -> None:
        """Fit the tables to the new width (the cut columns get back what the screen gives)."""
        for table_id, rows in list(self.table_rows.items()):
            self._fill(table_id, rows)
