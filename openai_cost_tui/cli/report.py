"""``report``: the pivot from the shell, as table, csv, json (long format) or markdown."""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace

from ..core import money
from ..core.dates import RELATIVE_FORMS, DateRange
from ..core.dimensions import DIMENSIONS, dimension
from ..core.errors import UsageError
from ..core.models import MEASURES, Filter, PivotSpec
from ..core.pivot import validate_spec
from ..core.render import RENDERERS
from ..core.report_presets import preset_ids, preset_state
from ..services import tags
from .common import check_dates, context, err, line, require, text_arg
from .sync import allow_negative_dates

EPILOG = """dimensions (for --rows, --cols, --where, --exclude):
{dims}
  and every virtual tag of the store (openai-cost-tui tags list), like team

--measure:
  cost       what was spent, in USD (the default)
  quantity   how much was used, in the rows' unit (tokens, images, seconds ...)
  unit_cost  cost per unit (per 1M tokens for tokens); empty where a row mixes units

--format:
  table      the wide pivot (rows x cols, with totals) for a terminal, 2 decimals (the default)
  csv        the same pivot with exact amounts, for a spreadsheet (formula-like text is quoted)
  markdown   the same pivot as a Markdown table, 2 decimals
  json       long (tidy) format, one object per cell, amounts as exact decimal strings

dates (--from, --to): YYYY-MM-DD or {relative}; a month is its first day as --from and its
last day as --to. Supported: 2020-01-01..2100-12-31. Only USD rows are summed: rows in another
currency are counted in a note."""


def _epilog() -> str:
    dims = "\n".join(f"  {d.id:<14}{d.label}" for d in DIMENSIONS)
    return EPILOG.format(dims=dims, relative=RELATIVE_FORMS)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="print a pivot of the stored costs",
                                 description="Print a pivot of the stored costs (UTC days).", epilog=_epilog(),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--view", metavar="NAME", type=text_arg("--view"),
                        help="render a view saved in the TUI; other flags override it")
    parser.add_argument("--preset", choices=preset_ids(),
                        help="a built-in view (cache: prompt caching by model; tiers: spend by tier; "
                             "context: long context); other flags override it")
    parser.add_argument("--rows", default=None, metavar="DIM[,DIM]", help="row dimension(s) (default service)")
    parser.add_argument("--cols", metavar="DIM", help="column dimension, e.g. month")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first UTC day (default: 1st of this month); e.g. 2026-05-01, -7d, last-month")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="last UTC day, inclusive (default: today); e.g. yesterday, 2026-05")
    parser.add_argument("--workspace", metavar="NAME", type=text_arg("--workspace"),
                        help="only this workspace's connections")
    parser.add_argument("--where", action="append", default=[], metavar="DIM=VALUE", help="keep only this value")
    parser.add_argument("--exclude", action="append", default=[], metavar="DIM=VALUE", help="leave this value out")
    parser.add_argument("--measure", choices=MEASURES, default=None,
                        help="what each cell sums: cost (USD, default), quantity (units) or unit_cost")
    parser.add_argument("--top", type=_positive, metavar="N", help="keep the N largest rows, fold the rest")
    parser.add_argument("--format", choices=tuple(RENDERERS), default="table",
                        help="table (default), csv (exact amounts), markdown, or json (long format)")
    parser.add_argument("--no-splits", action="store_true",
                        help="show tag values that split a shared cost as themselves, unsplit")
    allow_negative_dates(parser)
    parser.set_defaults(handler=cmd_report)


MAX_TOP = 10_000


def _positive(text: str) -> int:
    raw = text.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()):
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text[:40]!r}")
    value = int(raw) if len(raw) <= 12 else MAX_TOP + 1
    if not 1 <= value <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"must be at least 1 and at most {MAX_TOP:,}")
    return value


def _dims(text: str, flag: str) -> tuple[str, ...]:
    require(text, flag)
    dims = tuple(d.strip() for d in text.split(","))
    if any(not d for d in dims):
        raise UsageError(f"{flag} {text!r} has an empty dimension; give ids like service,month")
    return dims


def parse_filters(where: list[str], exclude: list[str]) -> tuple[Filter, ...]:
    grouped: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for items, negate in ((where, False), (exclude, True)):
        for item in items:
            dim_id, sep, value = item.partition("=")
            if not sep or not dim_id.strip():
                flag = "--exclude" if negate else "--where"
                raise UsageError(f"{flag} takes DIM=VALUE (like service=Images), not {item!r}")
            grouped[(dimension(dim_id.strip()).id, negate)].append(value)
    return tuple(Filter(dim, tuple(values), negate) for (dim, negate), values in grouped.items())


def check_args(args: argparse.Namespace) -> None:
    """Every option checked before the store is opened: empty values, dimension lists."""
    for value, flag in ((args.rows, "--rows"), (args.cols, "--cols"), (args.start, "--from"), (args.end, "--to")):
        require(value, flag)
    if args.rows is not None:
        _dims(args.rows, "--rows")
    if args.view is not None and args.preset:
        raise UsageError("--view and --preset each name a view to start from; give one of them")
    check_dates(args, whole_range=not (args.view or args.preset))


def build_spec(args: argparse.Namespace, today, notes: list[str] | None = None) -> PivotSpec:
    rows = _dims(args.rows, "--rows") if args.rows is not None else ("service",)
    date_range, resolved = DateRange.resolve(args.start, args.end, today=today)
    spec = PivotSpec(
        rows=rows,
        cols=args.cols.strip() if args.cols is not None else None,
        date_range=date_range,
        filters=parse_filters(args.where, args.exclude),
        workspace=args.workspace,
        measure=args.measure or "cost",
        top=args.top,
        quantities=(args.measure or "cost") != "cost",
    )
    validate_spec(spec)
    if notes is not None:
        notes += resolved
    return spec


def view_spec(args: argparse.Namespace, store, today, notes: list[str] | None = None) -> PivotSpec:
    """A saved view's or a preset's spec (its dates resolved against today), with any flag given
    overriding it."""

    if args.view and args.preset:
        raise UsageError("--view and --preset each name a view to start from; give one of them")
    if args.view:
        spec = store.load_view(args.view).spec(today)
    else:
        spec = preset_state(args.preset, store.charge_values("subcategory")).spec(today)
    changes: dict = {}
    if args.rows is not None:
        changes["rows"] = _dims(args.rows, "--rows")
    if args.cols is not None:
        changes["cols"] = args.cols.strip()
    if args.start is not None or args.end is not None:
        start, end = spec.date_range.start.isoformat(), spec.date_range.end.isoformat()
        date_range, resolved = DateRange.resolve(args.start if args.start is not None else start,
                                                 args.end if args.end is not None else end, today=today)
        changes["date_range"] = date_range
        if notes is not None:
            notes += resolved
    if args.where or args.exclude:
        changes["filters"] = spec.filters + parse_filters(args.where, args.exclude)
    for name in ("workspace", "measure", "top"):
        if getattr(args, name):
            changes[name] = getattr(args, name)
    spec = replace(spec, **changes)
    validate_spec(spec)
    return spec


def cmd_report(args: argparse.Namespace) -> int:
    check_args(args)
    notes: list[str] = []
    with context(args) as ctx:
        tags.load(ctx.store)  # the store's tags are dimensions too
        if args.view or args.preset:
            spec = view_spec(args, ctx.store, ctx.today, notes)
        else:
            spec = build_spec(args, ctx.today, notes)
        found = tags.evaluate(ctx.store, spec, today=ctx.today, splits=not args.no_splits)
        result = found.result
        left_out = currency_notes(ctx.store.other_currencies(tags.without_tags(spec), today=ctx.today),
                                  spec.currency)
        if allocation := tags.allocation_line(found):
            left_out.append(allocation + (" (without --no-splits it is allocated to the other values)"
                                          if args.no_splits else " (--no-splits shows it unsplit)"))
        caching = ""
        if args.format == "table":  # a person reads it: say what caching saved, when the view shows it
            from ..services.analysis import caching_line

            caching = caching_line(ctx.store, spec, ctx.today)
    if notes:
        err("dates: " + ", ".join(notes))
    print(RENDERERS[args.format](result), end="")
    if caching:
        print(line(caching) + ".")
    for note in left_out:
        if args.format == "table":
            print(f"Note: {note}.")
        elif args.format == "markdown":
            print(f"\n_Note: {note}._")
        else:  # csv and json keep their contract on stdout: the note goes to stderr
            err(f"note: {note}")
    return 0


def currency_notes(others: list[tuple[str, int, int]], currency: str) -> list[str]:
    """``3 EUR rows (12.50 EUR) are not in these USD totals``: each currency a report leaves out."""
    out = []
    for cur, rows, amount in others:
        code = line(cur).upper()
        out.append(f"{rows:,} {code} row{'s' if rows != 1 else ''} ({money.format_display(amount)} {code}) "
                   f"{'are' if rows != 1 else 'is'} not in these {currency.upper()} totals")
    return out
