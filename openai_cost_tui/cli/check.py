"""``check``: for cron. One line per budget, anomaly or stale connection that needs attention.

Exit codes: 0 nothing needs attention; 1 the check itself failed (the store could not be read);
2 bad usage; 3 a budget was crossed (or is forecast to be), an anomaly appeared, a connection's
last sync failed or was interrupted, or its data is older than 26 hours.
"""

from __future__ import annotations

import argparse
import json

from ..core.text import shown
from .common import context, require

ATTENTION = 3
MAX_ANOMALY_DAYS = 60


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check", help="for cron: exit 3 and one line per budget crossed, anomaly or stale data (0 when none)"
    )
    parser.add_argument("--workspace", metavar="NAME",
                        help="only this workspace: its budgets, its connections' budgets, anomalies and freshness")
    parser.add_argument("--anomaly-days", type=_days, default=2, metavar="N",
                        help="look for anomalies in the last N complete UTC days (default 2; 0: none)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--from-api", action="store_true",
                        help="also read each organization's hard limit (GET only) and flag a forecast above it")
    parser.add_argument("--quiet", action="store_true", help="print nothing when nothing needs attention")
    parser.set_defaults(handler=cmd_check)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {text!r}") from None
    if not 0 <= value <= MAX_ANOMALY_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_ANOMALY_DAYS}")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    from ..services.checks import read_limits, run_check

    require(args.workspace, "--workspace")
    with context(args) as ctx:
        if args.workspace is not None:
            ctx.store.require_workspace(args.workspace)  # a typo is bad usage (2), before any work
        limits = []
        if args.from_api:
            conns = ctx.store.connections()
            if args.workspace is not None:
                conns = [c for c in conns if args.workspace.strip() in c.workspaces]
            limits = read_limits(ctx.engine, conns)
        report = run_check(ctx.store, ctx.today, ctx.clock(), workspace=args.workspace,
                           anomaly_days=args.anomaly_days, limits=limits)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=1))
    else:
        for finding in report.findings:
            print(shown(finding.text))  # one line per finding, whatever the names hold
        for note in report.notes:
            print(shown(note))
        if report.ok and not args.quiet:
            print(f"ok: {len(report.budgets)} budget(s) within limits, no anomaly in the last "
                  f"{args.anomaly_days} complete day(s), data fresh")
    return 0 if report.ok else ATTENTION
