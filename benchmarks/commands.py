"""The single-purpose benchmarks of issue #14, each a command: ``python -m benchmarks COMMAND [options]``.

- ``cold``: cold start to the first painted report, ``--demo`` and a store, beside a minimal Textual app
  (``minimal_app.py``) in the same run, interleaved; the ratio of medians is the figure.
- ``keys``: key press to first frame and to idle (no worker running, no message pending) on service rows
  and on project rows, in a fresh interpreter holding only the app.
- ``sync``: rows per second through the real ``SyncEngine`` from the bundled fake API over loopback.
- ``memory``: the peak resident memory of the app process alone with a store open, painting and
  re-querying service and project rows (the 10M store by default).

Each prints its figures with the load average before and after, and writes them as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

from . import stores

COMMANDS = ("cold", "keys", "sync", "memory")


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name, size, runs, text in (("cold", "2m", 5, "cold start beside a minimal Textual app"),
                                   ("keys", "2m", 5, "key press to first frame and to idle"),
                                   ("memory", "10m", 1, "peak memory of the app process alone")):
        c = sub.add_parser(name, help=text)
        c.add_argument("--size", default=size, help=f"the benchmark store (default {size})"
                       + ("; 'none': the minimal app and --demo only" if name == "cold" else ""))
        c.add_argument("--runs", type=int, default=runs, help=f"runs per figure (default {runs})")
        if name != "cold":
            c.add_argument("--rows", default="service,project", help="row dimensions to time, in turn")
    s = sub.add_parser("sync", help="rows per second through the real sync engine")
    s.add_argument("--sync-size", default="large", choices=("small", "demo", "large"))
    s.add_argument("--latency", type=float, default=0.0, help="seconds added to each fake API answer (0)")
    s.add_argument("--sync-timeout", type=float, default=300.0)
    for c in sub.choices.values():
        c.add_argument("--seed", type=int, default=7)
        c.add_argument("--end", type=date.fromisoformat, default=stores.DEFAULT_END)
        c.add_argument("--cache-dir", type=Path)
        c.add_argument("--json", metavar="PATH")
    args = p.parse_args(argv)
    if getattr(args, "runs", 1) < 1:
        p.error("--runs must be at least 1")
    size = getattr(args, "size", None)  # sync has none; cold takes 'none' (no store)
    if size is not None and not (args.command == "cold" and size == "none"):
        try:
            stores.tier(size)
        except ValueError as exc:
            p.error(str(exc))
    return args


def _store(args: argparse.Namespace, log) -> Path | None:
    if args.size == "none":
        return None
    path, _ = stores.ensure_store(args.size, seed=args.seed, end=args.end, fingerprint=stores.schema_fingerprint(),
                                  log=log)
    return path


def run(args: argparse.Namespace, log=print) -> dict:
    if args.cache_dir:
        args.cache_dir.mkdir(parents=True, exist_ok=True)
        os.environ["OPENAI_COST_TUI_BENCH_CACHE"] = str(args.cache_dir)
    out: dict = {"command": args.command, "loadavg_start": _loadavg()}
    if args.command == "sync":
        from .sync_timing import sync_benchmark

        out["sync"] = sync_benchmark(size=args.sync_size, seed=args.seed, end=args.end, latency=args.latency,
                                     timeout=args.sync_timeout, log=log)
    else:
        path = _store(args, log)
        out["size"] = args.size
        out["rows"] = stores.count_rows(path) if path else None
        if args.command == "cold":
            from .tui_timing import cold_compare

            out["cold"] = cold_compare(store_path=path, today=args.end, runs=args.runs)
        else:
            from .tui_timing import keys_in_subprocess

            rows = tuple(r.strip() for r in args.rows.split(",") if r.strip())
            out["app"] = keys_in_subprocess(path, args.end, args.runs, rows)
    out["loadavg_end"] = _loadavg()
    return out


def _ms(x) -> str:
    return "-" if x is None else f"{x:,.1f}"


def _s(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def render(out: dict) -> str:
    lines: list[str] = []
    if "cold" in out:
        cold = out["cold"]
        for name in ("minimal", "demo", "store"):
            if name in cold:
                c = cold[name]
                ratio = cold["ratio_to_minimal"].get(name)
                lines.append(f"cold start, {name:<8} first paint {_s(c['first_paint_s'])} s (imports "
                             f"{_s(c['import_s'])} s, peak {c['peak_rss_mb']} MB)"
                             + (f": {ratio}x the minimal app" if ratio else "")
                             + (f"; errors: {c['errors']}" if c.get("errors") else ""))
    if "app" in out:
        app = out["app"]
        if "error" in app:
            lines.append(f"app failed: {app['error']}")
        for dim, keys in (app.get("by_rows") or {}).items():
            for key, v in keys.items():
                lines.append(f"{dim} rows, key {key!r}: first frame {_ms(v.get('median_ms'))} ms, idle "
                             f"{_ms(v.get('until_idle_median_ms'))} ms ({v.get('rows_shown')} rows; timers "
                             f"pending at idle {v.get('timers_pending_at_idle')})")
        lines.append(f"app process peak RSS: {app.get('peak_rss_mb')} MB with the {out['size']} store "
                     f"({out['rows']:,} rows)" if out.get("rows") else f"app peak RSS {app.get('peak_rss_mb')} MB")
    if "sync" in out:
        s = out["sync"]
        if "rows_stored" not in s:
            lines.append(f"sync failed: {s.get('error')}")
        else:
            lines.append(f"sync of the fake {s['org_size']!r} org: {s['rows_stored']:,} rows, wall {s['wall_s']} s "
                         f"({s['rows_per_s_wall']:,} rows/s), client CPU {s['client_cpu_s']} s "
                         f"({s['rows_per_s_client_cpu']:,} rows/s), store writes {s['store_write_transactions_s']} s "
                         f"({s['rows_per_s_store_writes']:,} rows/s); client peak {s['peak_rss_mb']} MB")
    lines.append(f"(load average {out['loadavg_start']} -> {out['loadavg_end']})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse(argv)
    out = run(args)
    print(render(out))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0
