"""The command line: ``openai-cost-tui [--demo] [COMMAND ...]``.

Headless commands never import Textual; the TUI is imported inside the command that opens it.
Errors print one line and exit 1 (the work failed) or 2 (bad usage or input); never a traceback.

The tool runs on POSIX systems only (the store's sync lock is ``fcntl.flock``): elsewhere ``main``
says so in one line and exits 2 before importing the commands, which would fail on the import.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from ..core.errors import CostToolError
from ..core.text import shown

PROG = "openai-cost-tui"
NOT_POSIX = (f"{PROG}: runs on POSIX systems only (Linux, macOS); this system has no fcntl "
             "(Windows is not supported; WSL is a Linux)")
NO_TERMINAL = (f"{PROG}: the terminal app needs a terminal (stdin and stdout are not both one); "
               f"from scripts and cron use a command: {PROG} report, {PROG} sync, or see {PROG} --help")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, as CONTRACT.md says
        self.exit(2, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from . import (
        budgets,
        check,
        completion,
        connections,
        export,
        fakeapi,
        report,
        restatements,
        sync,
        tags,
        workspaces,
    )

    parser = Parser(prog=PROG, description="Understand what your organizations spend on the OpenAI API.")
    parser.add_argument("--data-dir", metavar="DIR", help="where the store, settings and rules live "
                        "(default: $OPENAI_COST_TUI_HOME or the user data folder)")
    parser.add_argument("--db", metavar="URL", help="a SQLite path or postgresql://... (default: $OPENAI_COST_TUI_DB, "
                        "else DATA_DIR/costs.db); keep a password out of it: ~/.pgpass")
    parser.add_argument("--demo", action="store_true", help="use a built-in demo organization: no key, no network")
    parser.add_argument("--refresh-minutes", type=_minutes, default=60, metavar="N",
                        help="in the TUI, sync every N minutes while open, and on start when data is older "
                        "(default 60; 0 turns it off)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    connections.register(commands)
    workspaces.register(commands)
    sync.register(commands)
    report.register(commands)
    budgets.register(commands)
    tags.register(commands)
    check.register(commands)
    restatements.register(commands)
    export.register(commands)
    fakeapi.register(commands)
    completion.register(commands)
    _globals_after_commands(commands)
    return parser


GLOBALS_ANYWHERE = ("--data-dir", "--db", "--demo")  # also after the command: report --demo, sync --db URL


def _globals_after_commands(commands: argparse._SubParsersAction) -> None:
    """Let every command (and subcommand) take the options that choose the store, as users type them
    after the command too. A value given there wins; one given before stays when none is given after
    (SUPPRESS: argparse sets nothing). Left out of the commands' own help: the top-level help says them."""
    for sub in set(commands.choices.values()):
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                _globals_after_commands(action)
            continue
        sub.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sub.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sub.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole minutes, not {text!r}") from None
    if not 0 <= value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError("must be between 0 (off) and 10080 (a week)")
    return value


def _version() -> str:
    from .. import __version__

    return __version__


def _posix() -> bool:
    if os.name != "posix":
        return False
    try:
        import fcntl  # noqa: F401 - the store's sync lock needs it
    except ImportError:
        return False
    return True


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def main(argv: Sequence[str] | None = None) -> int:
    if not _posix():
        print(NOT_POSIX, file=sys.stderr)
        return 2
    logging.basicConfig(level=os.environ.get("OPENAI_COST_TUI_LOG", "WARNING").upper(),
                        format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            if not _interactive():  # the TUI would write escape codes into a file and never end
                print(NO_TERMINAL, file=sys.stderr)
                return 2
            return _open_tui(args)
        return int(args.handler(args) or 0)
    except CostToolError as exc:
        # the message may quote outside text (a name, an API error): each of its lines is shown safely
        print(f"{PROG}: " + "\n".join(shown(line) for line in exc.message.split("\n")), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, no traceback, no locals
        print(f"{PROG}: unexpected {type(exc).__name__}; nothing further was changed. "
              "Run again with OPENAI_COST_TUI_LOG=debug for details.", file=sys.stderr)
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        return 1


def _open_tui(args: argparse.Namespace) -> int:
    from ..tui.run import run_tui  # Textual is imported only here

    return run_tui(data_dir=args.data_dir, db=args.db, demo=args.demo, refresh_minutes=args.refresh_minutes)


def run() -> None:
    sys.exit(main())
