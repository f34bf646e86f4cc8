"""``sync``: fetch costs for every (or the named) connection; progress on stderr."""

from __future__ import annotations

import argparse
import sys

from ..core.dates import parse_day
from ..core.errors import UsageError
from ..sync.engine import SyncProgress
from .common import context, err


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sync", help="fetch costs from the Admin API into the store")
    parser.add_argument("--connection", action="append", default=[], metavar="NAME_OR_ID",
                        help="sync only this connection (repeatable; default: all)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="re-read everything from this day on")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(handler=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    since = parse_day(args.since, what="--since") if args.since else None
    with context(args, synced_demo=False) as ctx:
        if since and since > ctx.today:
            raise UsageError(f"--since {since} is in the future")
        conns = [ctx.store.connection(ref) for ref in args.connection] or ctx.store.connections()
        if not conns:
            err("No connections to sync. Add one with: openai-cost-tui connections add --description NAME")
            return 0
        progress = None if args.quiet else _printer()
        results = ctx.engine.sync_all(conns, since=since, progress=progress)
    failed = [r for r in results if not r.ok]
    for r in results:
        for warning in r.warnings:
            err(f"warning: {r.description}: {warning}")
        if r.ok and not args.quiet:
            span = f" ({r.window[0]}..{r.window[1]})" if r.window else ""
            err(f"{r.description}: synced {r.rows:,} rows in {r.pages} pages{span}")
    for r in failed:
        err(f"sync failed for {r.description!r}: {r.error}; its data from before is intact")
    return 1 if failed else 0


def _printer():
    interactive = sys.stderr.isatty()

    def show(p: SyncProgress) -> None:
        if p.phase == "costs" and p.window and p.message and interactive:
            sys.stderr.write(f"\r{p.description}: window {p.windows_done + 1}/{p.windows_total} "
                             f"({p.window[0]}..{p.window[1]}), {p.pages} pages, {p.message}   ")
            sys.stderr.flush()
        elif p.phase == "costs" and p.window and not p.message:
            if interactive:
                sys.stderr.write("\r")
            err(f"{p.description}: {p.windows_done}/{p.windows_total} windows, {p.pages} pages, "
                f"{p.rows:,} rows stored (through {p.window[0]}..{p.window[1]})")
        elif p.phase == "names":
            err(f"{p.description}: refreshing project and key names")

    return show
