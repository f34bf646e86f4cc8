"""``report``: the pivot from the shell, as table, csv, json (long format) or markdown."""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace

from ..core.dates import DateRange
from ..core.dimensions import dimension
from ..core.errors import UsageError
from ..core.models import MEASURES, Filter, PivotSpec
from ..core.pivot import validate_spec
from ..core.render import RENDERERS
from ..core.report_presets import preset_ids, preset_state
from .common import context


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="print a pivot of the stored costs")
    parser.add_argument("--view", metavar="NAME", help="render a view saved in the TUI; other flags override it")
    parser.add_argument("--preset", choices=preset_ids(),
                        help="a built-in view (cache: prompt caching by model; tiers: spend by tier; "
                             "context: long context); other flags override it")
    parser.add_argument("--rows", default=None, metavar="DIM[,DIM]", help="row dimension(s) (default service)")
    parser.add_argument("--cols", metavar="DIM", help="column dimension, e.g. month")
    parser.add_argument("--from", dest="start", metavar="DATE", help="first UTC day (default: 1st of this month)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last UTC day, inclusive (default: today)")
    parser.add_argument("--workspace", metavar="NAME", help="only this workspace's connections")
    parser.add_argument("--where", action="append", default=[], metavar="DIM=VALUE", help="keep only this value")
    parser.add_argument("--exclude", action="append", default=[], metavar="DIM=VALUE", help="leave this value out")
    parser.add_argument("--measure", choices=MEASURES, default=None)
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
    rows = tuple(d.strip() for d in (args.rows or "service").split(",") if d.strip())
    spec = PivotSpec(
        rows=rows,
        cols=args.cols.strip() if args.cols else None,
        date_range=DateRange.parse(args.start, args.end, today=today),
        filters=parse_filters(args.where, args.exclude),
        workspace=args.workspace,
        measure=args.measure or "cost",
        top=args.top,
    )
    validate_spec(spec)
    return spec


def view_spec(args: argparse.Namespace, store, today) -> PivotSpec:
    """A saved view's or a preset's spec (its dates resolved against today), with any flag given
    overriding it."""

    if args.view and args.preset:
        raise UsageError("--view and --preset each name a view to start from; give one of them")
    if args.view:
        spec = store.load_view(args.view).spec(today)
    else:
        spec = preset_state(args.preset, store.charge_values("subcategory")).spec(today)
    changes: dict = {}
    if args.rows:
        changes["rows"] = tuple(d.strip() for d in args.rows.split(",") if d.strip())
    if args.cols:
        changes["cols"] = args.cols.strip()
    if args.start or args.end:
        start, end = spec.date_range.start.isoformat(), spec.date_range.end.isoformat()
        changes["date_range"] = DateRange.parse(args.start or start, args.end or end, today=today)
    if args.where or args.exclude:
        changes["filters"] = spec.filters + parse_filters(args.where, args.exclude)
    for name in ("workspace", "measure", "top"):
        if getattr(args, name):
            changes[name] = getattr(args, name)
    spec = replace(spec, **changes)
    validate_spec(spec)
    return spec


def cmd_report(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        spec = view_spec(args, ctx.store, ctx.today) if args.view or args.preset else build_spec(args, ctx.today)
        result = ctx.store.run_pivot(spec, today=ctx.today)
        caching = ""
        if args.format == "table":  # a person reads it: say what caching saved, when the view shows it
            from ..services.analysis import caching_line

            caching = caching_line(ctx.store, spec, ctx.today)
    print(RENDERERS[args.format](result), end="")
    if caching:
        print(caching + ".")
    return 0
