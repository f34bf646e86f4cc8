"""What every command needs: the context (store, keys, engine) for the chosen folder, or the demo, and
the few rules every command's output follows.

- Outside text (names, descriptions, messages from the API) is printed through ``core.text.shown``:
  ``table`` and ``line`` do it, so no control character reaches the terminal and one finding stays
  one line.
- ``need`` says what a command may do to the store: ``"read"`` (never writes, creates nothing),
  ``"existing"`` (writes to a store that exists) or ``"create"`` (may create one). See
  services/context.py. Notes (a new store, a data folder open to others, the demo's store being thrown
  away) go to stderr, one line each, once the command's work succeeded.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import date

from ..core.clock import system_clock
from ..core.clock import today as today_of
from ..core.dates import DateRange, resolve_day
from ..core.errors import UsageError
from ..core.render import text_table
from ..core.text import shown
from ..services.context import AppContext, open_context, open_demo

DEMO_NOTE = ("note: --demo: this change went to the demo's temporary store, which is thrown away now that "
             "the command is done")


@contextlib.contextmanager
def context(args: argparse.Namespace, *, synced_demo: bool = True, need: str = "read") -> Iterator[AppContext]:
    if getattr(args, "demo", False):
        ctx = open_demo()
        try:
            if synced_demo:
                ctx.engine.sync_all(ctx.store.connections())
            yield ctx
        finally:
            ctx.close()
        if need != "read":
            err(DEMO_NOTE)
        return
    ctx = open_context(folder=args.data_dir, db=args.db, need=need)
    try:
        yield ctx
    except BaseException:
        ctx.discard_created()  # a failed command leaves no new, empty store behind
        raise
    ctx.close()
    for note in ctx.notes:
        err(note)


def err(text: str) -> None:
    print(shown_lines(text), file=sys.stderr)


def line(text: object) -> str:
    """One line of output: outside text shown, never a second line or an escape sequence."""
    return shown(text)


def shown_lines(text: object) -> str:
    """Text of several lines (a table) with every line shown: newlines stay, nothing else does."""
    return "\n".join(shown(part) for part in str(text).split("\n"))


def table(header: list[str], rows: list[list[str]], *, right: set[int] = frozenset()) -> str:
    return "\n".join(text_table(header, [[shown(c) for c in r] for r in rows], right=right))


def text_arg(what: str):
    """An argparse ``type`` for an option that needs a value: an empty or blank one is refused (exit 2)."""

    def check(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError("an empty value is not accepted; give one or leave the option out")
        return value

    check.__name__ = what  # argparse names the type in some messages
    return check


def check_dates(args: argparse.Namespace, *, whole_range: bool = True) -> None:
    """``--from``/``--to`` checked before any work (the demo's sync takes seconds): each day given, and
    the range they make when ``whole_range`` (a saved view or preset fills a missing end itself). The
    command resolves them again, against its store's clock, for its notes."""
    day = today_of(system_clock)
    if whole_range:
        DateRange.resolve(args.start, args.end, today=day)
        return
    for text, what, end in ((args.start, "--from", False), (args.end, "--to", True)):
        if text is not None:
            resolve_day(text, today=day, what=what, end=end)


def day_arg(text: str | None, *, what: str, today: date, end: bool = False,
            notes: list[str] | None = None) -> date | None:
    """A date option (``None`` when not given): ``YYYY-MM-DD`` or a relative form, in the supported
    range. A relative one adds what it resolved to (``--since -7d = 2026-11-20``) to ``notes``, which
    the command prints on stderr once it succeeded (a failing command says one line only)."""
    if text is None:
        return None
    day, relative = resolve_day(text, today=today, what=what, end=end)
    if relative and notes is not None:
        notes.append(f"{what} {text.strip()} = {day.isoformat()}")
    return day


def require(value: str | None, flag: str) -> None:
    """Refuse an option given as an empty string (``--rows ''``), which would otherwise read as absent."""
    if value is not None and not value.strip():
        raise UsageError(f"{flag} is empty; give a value or leave the option out")
