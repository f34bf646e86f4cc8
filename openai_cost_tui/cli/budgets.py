"""``budgets set | list | remove``: monthly USD budgets for the total, a workspace, a connection or a
project, shown as used month to date / forecast / budget."""

from __future__ import annotations

import argparse
import json

from ..core import money
from ..core.dates import month_id
from ..core.errors import UsageError
from ..core.text import shown
from .common import context, err, table

MARKERS = {"over": "!! OVER", "forecast over": "! forecast over", "near": "~ near", "ok": "ok"}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("budgets", help="monthly budgets: set, list (used / forecast / budget), remove")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    st = sub.add_parser("set", help="set the monthly USD budget of the total, a workspace, connection, project or tag value")
    _target_options(st)
    st.add_argument("amount", metavar="AMOUNT_USD",
                    help="US dollars a month, like 10000 or 1200.50 (no thousands separators)")
    st.set_defaults(handler=cmd_set)
    ls = sub.add_parser("list", help="each budget with used month to date, forecast and status")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.add_argument("--from-api", action="store_true",
                    help="also read the organizations' hard limits and spend alerts (GET only)")
    ls.set_defaults(handler=cmd_list)
    rm = sub.add_parser("remove", help="delete a budget")
    _target_options(rm)
    rm.set_defaults(handler=cmd_remove)


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="NAME", help="a workspace's budget")
    parser.add_argument("--connection", metavar="NAME",
                        help="a connection's budget (with --project: that project in this connection only)")
    parser.add_argument("--project", metavar="NAME", help="a project's budget, by name, across connections")
    parser.add_argument("--total", action="store_true", help="the budget of everything in the store")
    parser.add_argument("--tag", dest="tag_value", metavar="TAG=VALUE",
                        help="a virtual tag's value, like team=Search (its allocated shares included)")


def target(args: argparse.Namespace) -> tuple[str, str, str | None]:
    """(scope, target, connection) from the flags; exactly one target."""
    chosen = [n for n in ("workspace", "connection", "project", "total", "tag_value") if getattr(args, n)]
    if chosen == ["connection", "project"]:
        return "project", args.project, args.connection
    if len(chosen) != 1:
        raise UsageError("name exactly one of --workspace NAME, --connection NAME, --project NAME "
                         "(optionally with --connection), --tag TAG=VALUE or --total")
    if chosen == ["tag_value"]:
        return "tag", args.tag_value, None
    scope = chosen[0]
    return scope, "" if scope == "total" else getattr(args, scope), None


def cmd_set(args: argparse.Namespace) -> int:
    from ..core.budgets import parse_amount

    scope, name, conn = target(args)
    amount = parse_amount(args.amount)
    with context(args, synced_demo=False, need="create") as ctx:
        budget = ctx.store.set_budget(scope, name, amount, connection=conn)
        unseen = scope == "project" and budget.target not in ctx.store.known_project_names()
    print(shown(f"Budget for {budget.label}: ${money.format_display(budget.amount)} a month."))
    if unseen:
        err(f"note: no project named {budget.target!r} is in the store yet; the budget counts $0 until one is")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:

    scope, name, conn = target(args)
    with context(args, synced_demo=False, need="existing") as ctx:
        budget = ctx.store.remove_budget(scope, name, connection=conn)
    print(shown(f"Removed the budget for {budget.label} (${money.format_display(budget.amount)} a month)."))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services.checks import budget_statuses, read_limits, usd

    with context(args) as ctx:
        today = ctx.today
        statuses = budget_statuses(ctx.store, today)
        limits = []
        if args.from_api:
            projects = sorted({s.budget.target for s in statuses if s.budget.scope == "project"})
            limits = read_limits(ctx.engine, ctx.store.connections(), projects)
    if args.format == "json":
        doc = {
            "currency": "usd",
            "month": month_id(today),
            "today": today.isoformat(),
            "budgets": [s.to_json() for s in statuses],
        }
        if args.from_api:
            doc["limits"] = [_limits_json(item) for item in limits]
        print(json.dumps(doc, indent=1))
        return 0
    if not statuses:
        print("No budgets yet. Set one with: openai-cost-tui budgets set --total 10000")
    else:
        rows = [
            [s.budget.label, usd(s.used), usd(s.forecast), usd(s.budget.amount),
             _pct(s.used_percent), _pct(s.forecast_percent), MARKERS[s.state]]
            for s in statuses
        ]
        header = ["Budget", f"Used {month_id(today)}", "Forecast", "Budget", "Used", "Forecast", "Status"]
        print(table(header, rows, right={1, 2, 3, 4, 5}))
    for item in limits:
        print(shown(item.sentence()))
    return 0


def _pct(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def _limits_json(item) -> dict:
    def limit(lim) -> dict | None:
        if lim is None:
            return None
        return {"amount": money.format_exact(lim.amount), "currency": lim.currency, "interval": lim.interval,
                "enforcement": lim.enforcement}

    return {
        "connection": item.connection.description,
        "error": item.error,
        "hard_limit": limit(item.limit),
        "alerts": None if item.alerts is None else [
            {"id": a.id, "amount": money.format_exact(a.amount), "currency": a.currency, "interval": a.interval}
            for a in item.alerts
        ],
        "project_hard_limits": {name: limit(lim) for name, lim in sorted(item.project_limits.items())},
    }
