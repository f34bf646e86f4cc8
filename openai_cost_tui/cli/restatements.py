"""``restatements``: what recent syncs revised in days already stored, one sentence each."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, timedelta

from ..core import money
from ..core.restatements import describe
from ..core.text import shown
from .common import context

MAX_DAYS = 3660


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("restatements", help="costs of stored days that a later sync revised")
    parser.add_argument("--days", type=_days, default=7, metavar="N",
                        help="revisions found by syncs in the last N days (default 7)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=cmd_restatements)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {text!r}") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_DAYS}")
    return value


def cmd_restatements(args: argparse.Namespace) -> int:

    with context(args) as ctx:
        since = (ctx.clock().astimezone(UTC) - timedelta(days=args.days)).replace(tzinfo=None)
        items = ctx.store.restatements(since=since, limit=None)
        today = ctx.today
        several = len(ctx.store.connections()) > 1
    if args.format == "json":
        print(json.dumps([
            {"connection": r.connection, "day": r.change.day.isoformat(), "dimension": r.change.dimension,
             "value": r.change.value, "currency": r.currency, "old": money.format_exact(r.change.old),
             "new": money.format_exact(r.change.new), "delta": money.format_exact(r.change.delta),
             "detected_at": r.detected_at.replace(tzinfo=UTC).isoformat()}
            for r in items
        ], indent=1))
        return 0
    if not items:
        print(f"No stored day was revised by a sync in the last {args.days} day(s).")
    for r in items:
        line = describe(r.change, today=today)
        if r.currency != "usd":
            line += f" ({r.currency.upper()})"
        print(shown(f"{r.connection}: {line}" if several else line))
    return 0
