"""What every command needs: the context (store, keys, engine) for the chosen folder, or the demo."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

from ..services.context import AppContext, open_context, open_demo


@contextlib.contextmanager
def context(args: argparse.Namespace, *, synced_demo: bool = True) -> Iterator[AppContext]:
    if getattr(args, "demo", False):
        ctx = open_demo()
        try:
            if synced_demo:
                ctx.engine.sync_all(ctx.store.connections())
            yield ctx
        finally:
            ctx.close()
        return
    ctx = open_context(folder=args.data_dir, db=args.db)
    try:
        yield ctx
    finally:
        ctx.close()


def err(text: str) -> None:
    print(text, file=sys.stderr)


def table(header: list[str], rows: list[list[str]], *, right: set[int] = frozenset()) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])
