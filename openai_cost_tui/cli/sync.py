"""``sync``: fetch costs for every (or the named) connection; progress on stderr.

A connection this member has no key for is skipped with a note (exit 0): another member syncs it.

Ctrl+C, SIGTERM and a broken pipe stop the sync and are recorded as ``interrupted`` (with the time it
started), never left as a stale ``syncing``: the engine records them before the exception goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator

from ..core.errors import UsageError
from ..core.text import shown
from ..sync.engine import SyncProgress, SyncResult
from .common import context, day_arg, err, text_arg

SIGTERM_EXIT = 128 + signal.SIGTERM


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sync", help="fetch costs from the Admin API into the store")
    parser.add_argument("--connection", action="append", default=[], metavar="NAME_OR_ID",
                        type=text_arg("--connection"), help="sync only this connection (repeatable; default: all)")
    parser.add_argument("--since", metavar="DATE",
                        help="re-read everything from this day on: YYYY-MM-DD, or today, yesterday, -7d, 2026-11, "
                             "this-month, last-month")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: progress and a line per connection on stderr; json: one object on stdout "
                             "with each connection's outcome, rows, pages and error (no progress)")
    allow_negative_dates(parser)
    parser.set_defaults(handler=cmd_sync)


def allow_negative_dates(parser: argparse.ArgumentParser) -> None:
    """Let ``--since -7d`` (and ``--from -2w``) be read as a value, not as an unknown option."""
    import re

    parser._negative_number_matcher = re.compile(r"^-\d+[dw]?$|^-\d*\.\d+$")  # argparse's own, widened


def cmd_sync(args: argparse.Namespace) -> int:
    try:
        return _sync(args)
    except BrokenPipeError:  # the reader of our output went away: the engine recorded "interrupted"
        _quiet_broken_pipes()
        with contextlib.suppress(OSError, ValueError):
            print("openai-cost-tui: output pipe closed; the sync is recorded as interrupted, the data from "
                  "before it is intact", file=sys.stderr)
        return 1


def _quiet_broken_pipes() -> None:
    """Point stdout/stderr at /dev/null so exiting does not fail again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
                fd = stream.fileno()
                try:
                    stream.flush()
                except OSError:
                    os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _sync(args: argparse.Namespace) -> int:
    as_json = args.format == "json"
    notes: list[str] = []
    with context(args, synced_demo=False, need="existing") as ctx:
        since = day_arg(args.since, what="--since", today=ctx.today, notes=notes)
        if since and since > ctx.today:
            raise UsageError(f"--since {since} is in the future")
        conns = [ctx.store.connection(ref) for ref in args.connection] or ctx.store.connections()
        if not conns:
            if as_json:
                print(json.dumps({"ok": True, "connections": []}, indent=1))
            else:
                err("No connections to sync. Add one with: openai-cost-tui connections add --description NAME")
            return 0
        progress = None if args.quiet or as_json else _printer()
        with _sigterm_stops_the_sync():
            results = ctx.engine.sync_all(conns, since=since, progress=progress)
    for note in notes:
        err(note)
    failed = [r for r in results if not r.ok and not r.skipped]
    if as_json:
        print(json.dumps({"ok": not failed, "connections": [result_json(r) for r in results]}, indent=1))
        return 1 if failed else 0
    for r in results:
        for warning in r.warnings:
            err(f"warning: {r.description}: {warning}")
        if r.ok and not args.quiet:
            span = f" ({r.window[0]}..{r.window[1]})" if r.window else ""
            err(f"{r.description}: synced {r.rows:,} rows in {r.pages} pages{span}")
    for r in results:
        if r.skipped and not args.quiet:
            err(f"skipped {shown(r.description)!r}: {r.reason}")
    for r in failed:
        err(f"sync failed for {shown(r.description)!r}: {r.error}; its data from before is intact")
    return 1 if failed else 0


def result_json(r: SyncResult) -> dict:
    return {
        "id": r.connection_id,
        "connection": r.description,
        "outcome": r.outcome,
        "rows": r.rows,
        "pages": r.pages,
        "from": r.window[0].isoformat() if r.window else None,
        "to": r.window[1].isoformat() if r.window else None,
        "error": r.error,
        "warnings": list(r.warnings),
        "reason": r.reason,
    }


@contextlib.contextmanager
def _sigterm_stops_the_sync() -> Iterator[None]:
    """SIGTERM ends the sync like Ctrl+C does (the engine records it as interrupted), then exit 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(SIGTERM_EXIT)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except SystemExit as exc:
        if exc.code == SIGTERM_EXIT:
            with contextlib.suppress(OSError):
                err("openai-cost-tui: stopped by SIGTERM; the sync is recorded as interrupted, "
                    "the data from before it is intact")
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _printer():
    interactive = sys.stderr.isatty()

    def show(p: SyncProgress) -> None:
        name = shown(p.description)
        if p.phase == "costs" and p.window and p.message and interactive:
            sys.stderr.write(f"\r{name}: window {p.windows_done + 1}/{p.windows_total} "
                             f"({p.window[0]}..{p.window[1]}), {p.pages} pages, {shown(p.message)}   ")
            sys.stderr.flush()
        elif p.phase == "costs" and p.window and not p.message:
            if interactive:
                sys.stderr.write("\r")
            err(f"{p.description}: {p.windows_done}/{p.windows_total} windows, {p.pages} pages, "
                f"{p.rows:,} rows stored (through {p.window[0]}..{p.window[1]})")
        elif p.phase == "names":
            err(f"{p.description}: refreshing project and key names")

    return show
