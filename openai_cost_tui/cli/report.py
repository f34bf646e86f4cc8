"""``report``: the pivot from the shell, as table, csv, json (long format) or markdown."""

from __future__ import annotations

import argparse
from collections import defaultdict

from ..core.dates import DateRange
from ..core.dimensions import dimension
from ..core.errors import UsageError
from ..core.models import MEASURES, Filter, PivotSpec
from ..core.render import RENDERERS
from ..store.pivot import run_pivot, validate_spec
from .common import context


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="print a pivot of the stored costs")
    parser.add_argument("--rows", default="service", metavar="DIM[,DIM]", help="row dimension(s) (default service)")
    parser.add_argument("--cols", metavar="DIM", help="column dimension, e.g. month")
    parser.add_argument("--from", dest="start", metavar="DATE", help="first UTC day (default: 1st of this month)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last UTC day, inclusive (default: today)")
    parser.add_argument("--workspace", metavar="NAME", help="only this workspace's connections")
    parser.add_argument("--where", action="append", default=[], metavar="DIM=VALUE", help="keep only this value")
    parser.add_argument("--exclude", action="append", default=[], metavar="DIM=VALUE", help="leave this value out")
    parser.add_argument("--measure", choices=MEASURES, default="cost")
    parser.add_argument("--top", type=_positive, metavar="N", help="keep the N largest rows, fold the rest")
    parser.add_argument("--format", choices=tuple(RENDERERS), default="table")
    parser.set_defaults(handler=cmd_report)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


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


def build_spec(args: argparse.Namespace, today) -> PivotSpec:
    rows = tuple(d.strip() for d in args.rows.split(",") if d.strip())
    spec = PivotSpec(
        rows=rows,
        cols=args.cols.strip() if args.cols else None,
        date_range=DateRange.parse(args.start, args.end, today=today),
        filters=parse_filters(args.where, args.exclude),
        workspace=args.workspace,
        measure=args.measure,
        top=args.top,
    )
    validate_spec(spec)
    return spec


def cmd_report(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        spec = build_spec(args, ctx.today)
        result = run_pivot(ctx.store, spec, today=ctx.today)
    print(RENDERERS[args.format](result), end="")
    return 0
