"""``export focus``: the stored costs as a FOCUS 1.2 dataset (CSV, or Parquet with pyarrow)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from ..core import money
from ..core.dates import RELATIVE_FORMS, DateRange
from ..core.errors import UsageError
from ..services.focus import (
    FOCUS_VERSION,
    ExportSummary,
    check_target,
    focus_rows,
    require_parquet,
    write_csv,
    write_file,
)
from .common import check_dates, context, err, require
from .sync import allow_negative_dates

EPILOG = """One row per stored cost row and UTC day, with every column FOCUS {version} defines and a few
x_ columns of this tool's own; docs/FOCUS.md says what each holds. Amounts are exact decimals in USD
(BilledCost = EffectiveCost = ListCost = ContractedCost: the Costs API reports no discounts).

dates (--from, --to): inclusive UTC days, YYYY-MM-DD or {relative}.

--format:
  csv        UTF-8 CSV, empty cell = null (the default); to stdout unless -o FILE
  parquet    one Parquet file (needs pyarrow: pip install 'openai-cost-tui[parquet]'); needs -o FILE

In CSV, a text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
carriage return: project, key and organization names come from outside) gets a leading ' (OWASP);
amounts and dates are never changed. --raw-csv writes every value as stored, for pipelines that
never open the file in a spreadsheet. Parquet always holds the raw values.

Example: openai-cost-tui export focus --from last-month --to last-month -o focus.csv"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write the stored costs in a standard format (FOCUS)",
                                 description="Write the stored costs in a standard format.")
    kinds = parser.add_subparsers(dest="export_kind", metavar="KIND", required=True, parser_class=type(parser))
    focus = kinds.add_parser(
        "focus", help=f"a FOCUS {FOCUS_VERSION} cost and usage dataset (FinOps Foundation)",
        description=f"Write the stored costs of a date range as a FOCUS {FOCUS_VERSION} dataset.",
        epilog=EPILOG.format(version=FOCUS_VERSION, relative=RELATIVE_FORMS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    focus.add_argument("--from", dest="start", required=True, metavar="DATE", help="first UTC day, e.g. 2026-05-01")
    focus.add_argument("--to", dest="end", required=True, metavar="DATE", help="last UTC day, inclusive")
    focus.add_argument("--format", choices=("csv", "parquet"), default="csv", help="csv (default) or parquet")
    focus.add_argument("-o", "--output", metavar="FILE", help="write to FILE (replaced only once complete); "
                       "default: stdout for csv")
    focus.add_argument("--raw-csv", action="store_true",
                       help="do not prefix formula-like text cells with ' (see below)")
    allow_negative_dates(focus)
    focus.set_defaults(handler=cmd_focus)


def check_args(args: argparse.Namespace) -> None:
    """Every option checked before the store is opened (exit 2 without touching anything)."""
    require(args.start, "--from")
    require(args.end, "--to")
    require(args.output, "-o")
    to_stdout = args.output is None or args.output == "-"
    if args.format == "parquet":
        if to_stdout:
            raise UsageError("--format parquet writes a file: give -o FILE")
        require_parquet()
    check_dates(args)
    if not to_stdout:
        check_target(args.output)


def cmd_focus(args: argparse.Namespace) -> int:
    check_args(args)
    to_stdout = args.output is None or args.output == "-"
    safe = not args.raw_csv
    with context(args) as ctx:
        span, notes = DateRange.resolve(args.start, args.end, today=ctx.today)
        summary = ExportSummary()
        rows = focus_rows(ctx.store, span.start, span.end, summary)
        if to_stdout:
            try:
                write_csv(rows, sys.stdout, safe=safe)
                sys.stdout.flush()
            except BrokenPipeError:  # the reader went away (| head): stop quietly
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 1
        else:
            write_file(rows, args.output, fmt=args.format, safe=safe)
        provisional = span.end >= ctx.today
    if notes:
        err("dates: " + ", ".join(notes))
    totals = ", ".join(f"{money.format_display(total)} {cur}" for cur, total in sorted(summary.totals.items()))
    where = "" if to_stdout else f" to {args.output}"
    err(f"wrote {summary.rows:,} FOCUS {FOCUS_VERSION} row{'s' if summary.rows != 1 else ''}{where}"
        f" ({span.start.isoformat()}..{span.end.isoformat()}{': ' + totals if totals else ''})")
    if provisional:
        err("note: today's costs (UTC) are still coming in; an export made later will differ for today")
    return 0
