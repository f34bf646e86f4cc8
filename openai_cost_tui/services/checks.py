"""Budgets against spend, and ``check``: what needs attention, one finding per line, for cron.

A budget's **used** is the month to date through today (UTC, today partial); its **forecast** is the
month-end forecast of ``core.forecast`` over complete days, never below what is already used.
Spend is usage: credits are left out (a monthly credit is not a budget's business), and only USD.

States: ``over`` (used > budget), ``forecast over`` (forecast > budget), ``near`` (forecast at least
90% of the budget), ``ok``. ``check`` reports over and forecast over budgets, anomalies of the last
complete days, connections whose last sync failed or was interrupted (killed, Ctrl+C, SIGTERM, a
broken pipe) and data older than ``stale_hours`` (26).

The store is imported inside the functions (like analysis.py), so importing this loads no driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from ..core import money
from ..core.anomalies import Anomaly
from ..core.errors import CostToolError
from ..core.models import Connection, Filter
from ..core.restatements import signed_dollars
from . import analysis

if TYPE_CHECKING:
    from ..api.limits import SpendAlert, SpendLimit
    from ..core.budgets import Budget
    from ..store.store import Store
    from ..sync.engine import SyncEngine

NEAR = Fraction(9, 10)
STALE_HOURS = 26
DIM_WORDS = {"service": "service", "project": "project", "api_key": "API key"}


def usd(atto: int) -> str:
    """``$12,340.00`` (``-$5.00`` for a negative amount)."""
    return ("-" if atto < 0 else "") + "$" + money.format_display(abs(atto))


def percent(part: int, whole: int) -> int | None:
    """``part`` as a whole percent of ``whole`` (rounded half-even), None for a zero whole."""
    return round(Fraction(part * 100, whole)) if whole else None


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    used: int  # month to date, today included (atto-dollars)
    forecast: int  # month-end forecast, at least ``used``
    low: int
    high: int

    @property
    def state(self) -> str:
        amount = self.budget.amount
        if self.used > amount:
            return "over"
        if self.forecast > amount:
            return "forecast over"
        if self.forecast >= NEAR * amount:
            return "near"
        return "ok"

    @property
    def used_percent(self) -> int | None:
        return percent(self.used, self.budget.amount)

    @property
    def forecast_percent(self) -> int | None:
        return percent(self.forecast, self.budget.amount)

    @property
    def needs_attention(self) -> bool:
        return self.state in ("over", "forecast over")

    def sentence(self) -> str:
        """``budget Production: forecast $12,340.00 > budget $10,000.00 (123%)``."""
        b = self.budget
        if self.state == "over":
            return f"budget {b.label}: used {usd(self.used)} > budget {usd(b.amount)} ({self.used_percent}%)"
        op = ">" if self.forecast > b.amount else "<="
        return f"budget {b.label}: forecast {usd(self.forecast)} {op} budget {usd(b.amount)} ({self.forecast_percent}%)"

    def to_json(self) -> dict:
        b = self.budget
        return {
            "scope": b.scope,
            "target": b.target,
            "connection": b.connection,
            "label": b.label,
            "budget": money.format_exact(b.amount),
            "used": money.format_exact(self.used),
            "forecast": money.format_exact(self.forecast),
            "forecast_low": money.format_exact(self.low),
            "forecast_high": money.format_exact(self.high),
            "used_percent": self.used_percent,
            "forecast_percent": self.forecast_percent,
            "state": self.state,
        }


def budget_scope(budget: Budget) -> tuple[str | None, tuple[Filter, ...]]:
    """(workspace, filters) selecting the budget's spend, credits left out."""
    filters: list[Filter] = [analysis.NO_CREDITS]
    workspace = None
    if budget.scope == "workspace":
        workspace = budget.target
    elif budget.scope == "connection":
        filters.append(Filter("connection", (budget.target,)))
    elif budget.scope == "project":
        filters.append(Filter("project", (budget.target,)))
        if budget.connection:
            filters.append(Filter("connection", (budget.connection,)))
    elif budget.scope == "tag":  # "team=Search": that value of the tag, its allocated shares included
        tag, _, value = budget.target.partition("=")
        filters.append(Filter(tag, (value,)))
    return workspace, tuple(filters)


def budget_status(store: Store, budget: Budget, today: date, *, weeks: int = 6) -> BudgetStatus:
    """Used, forecast and state of one budget for ``today``'s month (the one forecast of
    ``analysis.month_forecast``: used is its month to date, today's partial day included)."""
    workspace, filters = budget_scope(budget)
    fc = analysis.month_forecast(store, today, workspace=workspace, filters=filters, weeks=weeks)
    return BudgetStatus(budget, fc.month_to_date, fc.total, fc.low, fc.high)


def budget_statuses(store: Store, today: date, *, workspace: str | None = None) -> list[BudgetStatus]:
    """Every budget (or those inside ``workspace``) with its used, forecast and state."""

    chosen = store.budgets()
    if workspace is not None:
        members = _members(store, workspace)
        chosen = [b for b in chosen if in_workspace(b, workspace, members)]
    return [budget_status(store, b, today) for b in chosen]


def in_workspace(budget: Budget, workspace: str, members: set[str]) -> bool:
    """A workspace's own budget, and budgets of its connections (and of projects in them)."""
    if budget.scope == "workspace":
        return budget.target == workspace
    if budget.scope == "connection":
        return budget.target in members
    if budget.scope == "project":
        return budget.connection in members
    return False


def _members(store: Store, workspace: str) -> set[str]:
    name = store.require_workspace(workspace)
    return {c.description for c in store.connections() if name in c.workspaces}


# -- limits from the Admin API ------------------------------------------------------------------


@dataclass
class ApiLimits:
    """What a connection's key could read of its organization's limits and alerts."""

    connection: Connection
    limit: SpendLimit | None = None
    alerts: list[SpendAlert] | None = None
    project_limits: dict[str, SpendLimit] = field(default_factory=dict)  # by project name
    error: str | None = None

    def sentence(self) -> str:
        from ..api.limits import describe_alerts, describe_limit

        if self.error:
            return f"limits {self.connection.description}: not read ({self.error})"
        parts = []
        if self.limit is not None:
            parts.append("organization " + describe_limit(self.limit))
        if self.alerts:
            parts.append(describe_alerts(self.alerts))
        parts += [f"project {name} {describe_limit(lim)}" for name, lim in sorted(self.project_limits.items())]
        shown = "; ".join(parts) if parts else "no limit or alert readable with this key"
        return f"limits {self.connection.description}: {shown}"


def read_limits(engine: SyncEngine, connections: Sequence[Connection],
                projects: Sequence[str] = ()) -> list[ApiLimits]:
    """Each connection's organization limit and alerts, and the hard limits of the named projects;
    a connection that fails (no key, network) gets ``error`` and the others go on."""
    out = []
    for conn in connections:
        item = ApiLimits(conn)
        try:
            names = engine.store.project_names(conn.id)
            with engine.client(conn) as client:
                item.limit = client.spend_limit()
                item.alerts = client.spend_alerts()
                for pid, name in sorted(names.items()):
                    if (name or pid) in projects:
                        lim = client.project_spend_limit(pid)
                        if lim is not None:
                            item.project_limits[name or pid] = lim
        except CostToolError as exc:
            item.error = exc.message
        out.append(item)
    return out


# -- check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "budget" | "anomaly" | "sync" | "stale" | "limit"
    text: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckReport:
    today: date
    findings: tuple[Finding, ...]
    budgets: tuple[BudgetStatus, ...]
    anomalies: tuple[Anomaly, ...]
    notes: tuple[str, ...] = ()  # informational (limits read from the API), never a reason to fail

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict:
        return {
            "status": "ok" if self.ok else "attention",
            "today": self.today.isoformat(),
            "findings": [{"kind": f.kind, "text": f.text, **f.detail} for f in self.findings],
            "budgets": [s.to_json() for s in self.budgets],
            "notes": list(self.notes),
        }


def freshness_findings(connections: Sequence[Connection], now: datetime, *,
                       stale_hours: int = STALE_HOURS) -> list[Finding]:
    """A failed last sync, and data older than ``stale_hours``, per connection."""
    out = []
    for conn in connections:
        if conn.status == "failed":
            out.append(Finding("sync", f"sync {conn.description}: the last sync failed: {conn.last_error or 'unknown error'}",
                               {"connection": conn.description}))
        elif conn.status == "interrupted":  # killed, Ctrl+C, SIGTERM or a broken pipe mid-sync
            why = conn.last_error or "the last sync was interrupted before it finished"
            out.append(Finding("sync", f"sync {conn.description}: {why}",
                               {"connection": conn.description, "status": "interrupted"}))
        if conn.last_synced_at is None:
            out.append(Finding("stale", f"stale {conn.description}: never synced; run: openai-cost-tui sync",
                               {"connection": conn.description, "last_synced_at": None}))
            continue
        age = now - conn.last_synced_at
        if age > timedelta(hours=stale_hours):
            hours = int(age.total_seconds() // 3600)
            when = conn.last_synced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
            out.append(Finding(
                "stale",
                f"stale {conn.description}: data last synced {when} UTC, {hours} h ago (over {stale_hours} h)",
                {"connection": conn.description, "last_synced_at": conn.last_synced_at.isoformat()},
            ))
    return out


def anomaly_sentence(anomaly: Anomaly, drivers: Sequence[str]) -> str:
    """``anomaly 2026-11-25: project Search Ranking $965.20 vs expected $120.00 (+$845.20; drivers: ...)``."""
    word = DIM_WORDS.get(anomaly.dimension, anomaly.dimension)
    why = f"; drivers: {', '.join(drivers)}" if drivers else ""
    return (f"anomaly {anomaly.day.isoformat()}: {word} {anomaly.label} {usd(anomaly.value)} vs expected "
            f"{usd(anomaly.expected)} ({signed_dollars(anomaly.delta)}{why})")


def run_check(store: Store, today: date, now: datetime, *, workspace: str | None = None, anomaly_days: int = 2,
              stale_hours: int = STALE_HOURS, limits: Sequence[ApiLimits] = ()) -> CheckReport:
    """Every finding that needs attention, budgets first, then anomalies, then data freshness."""
    connections = store.connections()
    if workspace is not None:
        workspace = store.require_workspace(workspace)
        connections = [c for c in connections if workspace in c.workspaces]
    findings: list[Finding] = []
    statuses = budget_statuses(store, today, workspace=workspace)
    for s in statuses:
        if s.needs_attention:
            findings.append(Finding("budget", s.sentence(), s.to_json()))
    found: list[Anomaly] = []
    if anomaly_days > 0:
        found = analysis.find_anomalies(store, today, lookback_days=anomaly_days, workspace=workspace)
        for a in found:
            moved = analysis.anomaly_drivers(store, a, today, workspace=workspace, limit=3)
            names = [d.name for d in moved if (d.delta > 0) == (a.direction == "up") and d.delta][:3]
            findings.append(Finding("anomaly", anomaly_sentence(a, names), {
                "day": a.day.isoformat(), "dimension": a.dimension, "series": list(a.series),
                "value": money.format_exact(a.value), "expected": money.format_exact(a.expected),
                "drivers": names,
            }))
    notes = []
    for item in limits:
        notes.append(item.sentence())
        if item.limit is not None and item.limit.currency == "usd" and item.limit.amount > 0:
            from ..core.budgets import Budget

            s = budget_status(store, Budget("connection", item.connection.description, item.limit.amount), today)
            if s.forecast > item.limit.amount:
                findings.append(Finding("limit", (
                    f"limit {item.connection.description}: forecast {usd(s.forecast)} > organization hard limit "
                    f"{usd(item.limit.amount)} ({s.forecast_percent}%)"),
                    {"connection": item.connection.description, "forecast": money.format_exact(s.forecast),
                     "limit": money.format_exact(item.limit.amount)}))
    findings += freshness_findings(connections, now, stale_hours=stale_hours)
    return CheckReport(today, tuple(findings), tuple(statuses), tuple(found), tuple(notes))
