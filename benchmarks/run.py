"""``python -m benchmarks [--quick] [--json PATH] [--sizes 20k,200k,2m] [--runs N]``, or one benchmark:
``python -m benchmarks cold|keys|sync|memory [options]`` (``commands.py``).

For each store size: build (or reuse) the store, time the fixed pivot specs through ``run_pivot``, plain
``sqlite3`` and DuckDB, time key press to painted pivot in the headless TUI and cold start to first paint;
then cold start of ``--demo``, a cProfile of one query on the largest store, and a full-year sync over
loopback HTTP. Prints a table, writes JSON (medians, every run, ratios to DuckDB and to plain SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
import time
import traceback
from datetime import UTC, date, datetime
from pathlib import Path

from . import queries as q
from . import stores
from .memory import MemoryLog

PHASES = ("queries", "plain", "duckdb", "tui", "cold", "sync", "profile")  # plain: the naive sqlite3 floor


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1],
                                epilog="One benchmark alone: python -m benchmarks cold|keys|sync|memory --help")
    p.add_argument("--quick", action="store_true", help="only the 20k and 200k stores, 3 runs (< 2 minutes)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    p.add_argument("--sizes", help="comma-separated store sizes: 20k,200k,2m,10m (default: 20k,200k,2m; "
                                   "--quick: 20k,200k; 10m is the 2M store five times, built once and cached)")
    p.add_argument("--runs", type=int, help="timed runs per figure, after one warm-up (default 5; --quick 3)")
    p.add_argument("--seed", type=int, default=7, help="the fake organizations' seed (default 7, as --demo)")
    p.add_argument("--end", type=date.fromisoformat, default=stores.DEFAULT_END,
                   help=f"the stores' last day and the frozen 'today' (default {stores.DEFAULT_END})")
    p.add_argument("--latency", type=float, default=0.05, help="seconds added to each fake API answer (0.05)")
    p.add_argument("--sync-size", choices=("small", "demo", "large"),
                   help="the fake organization to sync (default: the one matching the largest store)")
    p.add_argument("--sync-timeout", type=float, default=300.0, help="the sync client's read timeout, seconds")
    p.add_argument("--cache-dir", type=Path, help="where stores are cached (default $OPENAI_COST_TUI_BENCH_CACHE "
                                                  "or a folder in the temp directory)")
    p.add_argument("--skip", default="", help=f"comma-separated phases to skip: {', '.join(PHASES)}")
    args = p.parse_args(argv)
    args.sizes = [s.strip().lower() for s in (args.sizes or ("20k,200k" if args.quick else "20k,200k,2m")).split(",")
                  if s.strip()]
    for s in args.sizes:
        stores.tier(s)
    args.runs = args.runs or (3 if args.quick else 5)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(PHASES)
    if unknown:
        p.error(f"unknown phase(s) in --skip: {', '.join(sorted(unknown))}")
    return args


def _log(text: str) -> None:
    print(text, flush=True)


def _error(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[-500:]


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "duckdb": stores.duckdb_available(),
    }
    for name in ("textual", "peewee"):
        try:
            info[name] = __import__(name).__version__
        except Exception:  # noqa: S110 - a version is only informative
            pass
    try:
        info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    if args.cache_dir:
        args.cache_dir.mkdir(parents=True, exist_ok=True)
        os.environ["OPENAI_COST_TUI_BENCH_CACHE"] = str(args.cache_dir)
    mem = MemoryLog()
    notes: list[str] = []
    duck_version = stores.duckdb_available() if "duckdb" not in args.skip else None
    if duck_version is None:
        note = ("duckdb is not importable: the DuckDB column is skipped "
                "(pip install 'openai-cost-tui[bench]' or pip install duckdb)")
        if "duckdb" in args.skip:
            note = "DuckDB skipped (--skip duckdb)"
        notes.append(note)
        _log(f"NOTE: {note}")
    fingerprint = stores.schema_fingerprint()
    report: dict = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "sizes": args.sizes,
            "runs": args.runs,
            "seed": args.seed,
            "end": args.end.isoformat(),
            "schema": fingerprint,
            "quick": args.quick,
            "loadavg_start": _loadavg(),  # other work on the machine skews figures: see loadavg_end too
        },
        "tiers": {},
        "notes": notes,
    }
    for name in args.sizes:
        report["tiers"][name] = tier_report = {}
        try:
            with mem.phase(f"build {name}") as ph:
                path, build = stores.ensure_store(name, seed=args.seed, end=args.end, fingerprint=fingerprint,
                                                  log=_log)
            build["peak_mb"] = round(ph.peak_mb or 0, 1) if not build.get("cached") else None
            tier_report.update(rows=build["rows"], store_mb=round(path.stat().st_size / 1e6, 1), build=build,
                               path=str(path))
            how = "cached" if build.get("cached") else f"built in {build['seconds']} s"
            _log(f"{name}: {build['rows']:,} cost rows in {path} ({tier_report['store_mb']} MB, {how})")
        except Exception as exc:
            tier_report["error"] = _error(exc)
            _log(f"{name}: could not build the store: {tier_report['error']}")
            continue
        duck_path = None
        if duck_version is not None:
            try:
                with mem.phase(f"duckdb copy {name}"):
                    duck_path = stores.ensure_duckdb_copy(path, log=_log)
            except Exception as exc:
                tier_report["duckdb_error"] = _error(exc)
                _log(f"{name}: DuckDB copy failed, column skipped: {tier_report['duckdb_error']}")
        if "queries" not in args.skip:
            _log(f"{name}: timing {len(q.QUERIES)} + {len(q.MORE_QUERIES)} pivot specs and {len(q.TAG_QUERIES)} tag views "
                 f"x {args.runs} runs "
                 f"(run_pivot{'' if 'plain' in args.skip else ', sqlite'}{', duckdb' if duck_path else ''})")
            try:
                with mem.phase(f"pivots {name}"):
                    timings = q.time_queries(path, duck_path, args.end, args.runs,
                                             (*q.QUERIES, *q.MORE_QUERIES, *q.TAG_QUERIES),
                                             plain="plain" not in args.skip)
                more = len(q.QUERIES) + len(q.MORE_QUERIES)
                tier_report["queries"] = [t.as_dict() for t in timings[:len(q.QUERIES)]]
                tier_report["more_queries"] = [t.as_dict() for t in timings[len(q.QUERIES):more]]
                tier_report["tag_queries"] = [t.as_dict() for t in timings[more:]]
                tier_report["queries_loadavg"] = _loadavg()
                for t in timings:
                    if not t.totals_agree:
                        notes.append(f"{name}: {t.name}: the engines' grand totals or group counts differ")
            except Exception as exc:
                tier_report["queries_error"] = _error(exc)
                _log(f"{name}: pivot timing failed: {tier_report['queries_error']}")
        if "tui" not in args.skip:
            _log(f"{name}: key press to painted pivot (headless TUI)")
            try:
                with mem.phase(f"tui keys {name}"):
                    from .tui_timing import keypress_timing

                    tier_report["tui_keys"] = asyncio.run(keypress_timing(path, args.end, args.runs))
            except Exception as exc:
                tier_report["tui_keys"] = {"error": _error(exc)}
                _log(f"{name}: TUI timing failed: {tier_report['tui_keys']['error']}")
        if "cold" not in args.skip:
            _log(f"{name}: cold start to first paint")
            from .tui_timing import cold_start

            t0 = time.perf_counter()
            try:
                cold = cold_start(demo=False, store_path=path, today=args.end, runs=min(args.runs, 3))
            except Exception as exc:
                cold = {"error": _error(exc)}
            tier_report["cold_start"] = cold
            mem.add_external(f"cold start {name} (subprocess)", time.perf_counter() - t0, cold.get("peak_rss_mb"))

    if "cold" not in args.skip:
        _log("--demo: cold start to first paint and to first data")
        from .tui_timing import cold_start

        t0 = time.perf_counter()
        try:
            cold = cold_start(demo=True, runs=min(args.runs, 3))
        except Exception as exc:
            cold = {"error": _error(exc)}
        report["cold_start_demo"] = cold
        mem.add_external("cold start --demo (subprocess)", time.perf_counter() - t0, cold.get("peak_rss_mb"))

    built = [n for n in args.sizes if "path" in report["tiers"][n]]
    if "profile" not in args.skip and built:
        largest = built[-1]
        report["profile"] = profiles = []
        for query in q.PROFILED:
            _log(f"{largest}: cProfile of one run_pivot ({query.name})")
            try:
                with mem.phase(f"profile {largest}: {query.name}"):
                    profiles.append({"size": largest, **q.profile_query(Path(report["tiers"][largest]["path"]),
                                                                         args.end, query)})
            except Exception as exc:
                profiles.append({"query": query.name, "error": _error(exc)})

    if "sync" not in args.skip:
        size = args.sync_size or stores.tier(args.sizes[-1]).sync_size
        t0 = time.perf_counter()
        try:
            from .sync_timing import sync_benchmark

            report["sync"] = sync = sync_benchmark(
                size=size, seed=args.seed, end=args.end, latency=args.latency, timeout=args.sync_timeout, log=_log)
        except Exception as exc:
            report["sync"] = sync = {"error": _error(exc)}
        mem.add_external(f"sync {size} (subprocess)", time.perf_counter() - t0, sync.get("peak_rss_mb"))
        if sync.get("server_peak_rss_mb") is not None:
            mem.add_external(f"fake API server {size} (subprocess)", 0.0, sync["server_peak_rss_mb"])

    report["memory"] = mem.as_list()
    in_process = [p.peak_mb for p in mem.phases if p.rss_before_mb is not None and p.peak_mb is not None]
    report["meta"]["harness_peak_rss_mb"] = round(max(in_process), 1) if in_process else None
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    report["meta"]["loadavg_end"] = _loadavg()
    return report


# -- printing -------------------------------------------------------------------------------------------

def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f}"


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f}x"


def render(report: dict) -> str:
    out: list[str] = []
    meta = report["meta"]
    m = meta["machine"]
    out.append(f"openai-cost-tui benchmarks, {meta['date']}: {m.get('cpus')} cores, Python {m.get('python')}, "
               f"SQLite {m.get('sqlite')}, DuckDB {m.get('duckdb') or 'not installed'}; "
               f"medians of {meta['runs']} runs; today = {meta['end']}")
    for name, t in report["tiers"].items():
        out.append("")
        if "error" in t:
            out.append(f"== {name}: {t['error']}")
            continue
        out.append(f"== {name}: {t['rows']:,} cost rows, {t['store_mb']} MB ==")
        if t.get("queries"):
            head = f"{'pivot spec':<56} {'run_pivot':>10} {'sqlite':>9} {'duckdb':>8} {'piv/duck':>9} " \
                   f"{'sql/duck':>9} {'piv/sql':>8} {'groups':>7}  ok"
            out.append(head)
            out.append("-" * len(head))
            for r in [*t["queries"], *t.get("more_queries", ()), *t.get("tag_queries", ())]:
                out.append(
                    f"{r['query'][:56]:<56} {_ms(r['run_pivot_ms']):>10} {_ms(r['sqlite_ms']):>9} "
                    f"{_ms(r['duckdb_ms']):>8} {_ratio(r['run_pivot_over_duckdb']):>9} "
                    f"{_ratio(r['sqlite_over_duckdb']):>9} {_ratio(r['run_pivot_over_sqlite']):>8} "
                    f"{r['groups']:>7}  {'yes' if r['totals_agree'] else 'NO'}"
                )
            out.append("  (ms; piv = run_pivot, sql = plain sqlite3; ok = every engine's grand total and "
                       f"group count agree; load average after timing: {t.get('queries_loadavg')})")
        elif t.get("queries_error"):
            out.append(f"  pivots failed: {t['queries_error']}")
        keys = t.get("tui_keys") or {}
        if keys.get("keys"):
            parts = [f"'{k}' {_ms(v.get('median_ms'))} ms (idle after {_ms(v.get('until_idle_median_ms'))} ms)"
                     for k, v in keys["keys"].items()]
            out.append(f"  TUI key press -> painted pivot ({keys.get('size', ['?'])[0]}x{keys.get('size', ['?', '?'])[1]}): "
                       + ", ".join(parts))
        elif keys.get("error"):
            out.append(f"  TUI timing failed: {keys['error']}")
        cold = t.get("cold_start") or {}
        if cold.get("first_paint_s") is not None:
            out.append(f"  cold start -> first painted report: {cold['first_paint_s']:.2f} s "
                       f"(imports {cold.get('import_s') or 0:.2f} s; peak {cold.get('peak_rss_mb')} MB)")
        elif cold:
            out.append(f"  cold start failed: {cold.get('error') or cold.get('errors')}")
    demo = report.get("cold_start_demo")
    if demo:
        out.append("")
        if demo.get("first_paint_s") is not None:
            out.append(f"--demo cold start: first painted report {demo['first_paint_s']:.2f} s, first painted costs "
                       f"(first synced window) {_ms(demo.get('first_data_s'))} s; peak {demo.get('peak_rss_mb')} MB")
        else:
            out.append(f"--demo cold start failed: {demo.get('error') or demo.get('errors')}")
    if report.get("profile"):
        out.append("")
    for prof in report.get("profile") or ():
        if "error" in prof:
            out.append(f"profile of '{prof.get('query')}' failed: {prof['error']}")
        else:
            out.append(f"cProfile, {prof['size']} '{prof['query']}': {prof['profiled_ms']:,} ms profiled "
                       f"({prof['unprofiled_ms']:,} ms without), of which SQLite execute/fetch "
                       f"{prof['sqlite_ms']:,} ms ({(prof['sqlite_share'] or 0) * 100:.0f}%), "
                       f"Python {prof['python_ms']:,} ms")
    sync = report.get("sync")
    if sync:
        out.append("")
        if "requests" not in sync or "wall_s" not in sync:
            out.append(f"sync failed: {sync.get('error')}")
        else:
            r = sync["requests"]
            out.append(
                f"sync, a year ({sync['days']} days) of the fake {sync['org_size']!r} org over loopback, "
                f"{sync['latency_ms']:.0f} ms/request: {sync['outcome']}, {sync['rows_stored']:,} rows in "
                f"{sync['wall_s']:.1f} s (first window {_ms(sync.get('first_window_s'))} s; store writes "
                f"{sync['store_write_transactions_s']:.1f} s, of which replace_window {sync['store_replace_window_s']:.1f} s; "
                f"network+generate+parse {sync['network_and_parse_s']:.1f} s); peak {sync['peak_rss_mb']} MB "
                f"(server {sync.get('server_peak_rss_mb')} MB)")
            out.append(
                f"  requests {sync['requests_total']}: costs {r.get('costs_grouped')} grouped + "
                f"{r.get('costs_ungrouped')} ungrouped totals, projects {r.get('projects')}, api_keys "
                f"{r.get('api_keys')}, other {r.get('other')}; minimum {sync['minimum_requests']} "
                f"({sync['minimum_breakdown']['cost_pages']} cost pages + "
                f"{sync['minimum_breakdown']['name_lookups']} name lookups), "
                f"{sync['minimum_with_reconciliation']} with the reconciliation totals")
            if sync.get("error"):
                out.append(f"  error: {sync['error']}")
    if report.get("memory"):
        out.append("")
        out.append(f"{'phase':<44} {'seconds':>8} {'peak RSS MB':>12}")
        for p in report["memory"]:
            peak = "-" if p["peak_mb"] is None else f"{p['peak_mb']:,.0f}"
            star = "" if p["peak_is_per_phase"] else " *"
            out.append(f"{p['phase'][:44]:<44} {p['seconds']:>8.1f} {peak:>12}{star}")
        if any(not p["peak_is_per_phase"] for p in report["memory"]):
            out.append("  * process-wide high-water mark (per-phase reset unavailable here)")
    for note in report.get("notes", []):
        out.append(f"NOTE: {note}")
    out.append(f"(harness: {meta.get('seconds')} s; load average at start {meta.get('loadavg_start')}, "
               f"at end {meta.get('loadavg_end')})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("cold", "keys", "sync", "memory"):  # the single benchmarks of benchmarks/commands.py
        from .commands import main as command

        return command(argv)
    args = parse_args(argv)
    report = run(args)
    print()
    print(render(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
