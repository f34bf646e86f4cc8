"""A full-year sync against the fake Admin API over loopback HTTP, with a fixed latency per request.

Two processes besides the harness, so neither's CPU or memory is counted against the other:

- ``serve``: the fake organization behind ``serve_in_thread`` with a FaultPlan "slow" fault on every
  path (``times=0``: forever) adding ``--latency`` seconds to each answer; on stdin EOF it prints the
  requests it answered, by kind.
- ``sync``: a fresh store with one connection to that URL, ``SyncEngine.sync`` from the backfill start
  (the first day of the month twelve months back, as the app defaults to) through a frozen today; it
  prints wall time, time inside store writes, rows, pages and its own peak RSS.

The minimum the API allows: ``ceil(days / 180)`` cost pages (``limit=180`` buckets each) plus the name
lookups (``ceil(projects / 100)`` project pages and one key page per project whose keys have costs).
The engine also reads the ungrouped daily totals once per window to reconcile; that is reported apart.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_LATENCY = 0.05
DEFAULT_TIMEOUT = 300.0  # the client's read timeout: a 180-day page of the large org takes ~20 s to generate
PAGE_DAYS = 180
LIST_PAGE = 100


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


# -- the server process -------------------------------------------------------------------------------

def _serve(args: argparse.Namespace) -> int:
    from openai_cost_tui.core.dates import add_months
    from openai_cost_tui.fake.api import FakeAdminApi
    from openai_cost_tui.fake.faults import Fault, FaultPlan
    from openai_cost_tui.fake.org import FakeOrg
    from openai_cost_tui.fake.server import serve_in_thread

    from .memory import peak_rss_mb

    end = date.fromisoformat(args.end)
    org = FakeOrg(args.seed, start=add_months(end, -args.months), end=end, size=args.size)
    faults = FaultPlan([Fault("slow", path="*", times=0, delay=args.latency)]) if args.latency > 0 else None
    api = FakeAdminApi(org, faults=faults, clock=lambda: _noon(end))
    with serve_in_thread(api) as url:
        print(json.dumps({"url": url}), flush=True)
        sys.stdin.read()  # until the harness closes our stdin
    counts = {"costs_grouped": 0, "costs_ungrouped": 0, "projects": 0, "api_keys": 0, "other": 0}
    for r in api.requests:
        if r.path.endswith("/organization/costs"):
            grouped = any(k == "group_by" for k, _ in r.query)
            counts["costs_grouped" if grouped else "costs_ungrouped"] += 1
        elif r.path.endswith("/api_keys"):
            counts["api_keys"] += 1
        elif r.path.endswith("/organization/projects"):
            counts["projects"] += 1
        else:
            counts["other"] += 1
    print(json.dumps({"requests": counts, "total": len(api.requests), "projects_in_org": len(org.projects),
                      "faults_fired": api.faults.fired, "peak_rss_mb": round(peak_rss_mb(), 1)}), flush=True)
    return 0


# -- the sync process ---------------------------------------------------------------------------------

def _sync(args: argparse.Namespace) -> int:
    from openai_cost_tui.core.clock import fixed_clock
    from openai_cost_tui.core.dates import add_months
    from openai_cost_tui.services.context import DemoKeyStore
    from openai_cost_tui.store.store import NewConnection, Store
    from openai_cost_tui.sync.engine import SyncEngine

    from .memory import peak_rss_mb

    end = date.fromisoformat(args.end)
    backfill = add_months(end, -12)
    timings = {"replace_window": 0.0, "write_transactions": 0.0}
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as folder:
        store = Store(str(Path(folder) / "costs.db"))
        conn = store.add_connection(NewConnection(description="bench sync", base_url=args.url, key_source="demo",
                                                  key_ref="bench", backfill_start=backfill))
        _instrument(store, timings)
        engine = SyncEngine(store, DemoKeyStore(Path(folder)), clock=fixed_clock(_noon(end)),
                            client_options={"timeout": args.timeout})
        first_window: list[float] = []
        started = time.perf_counter()
        cpu_started = time.process_time()

        def progress(p) -> None:
            if p.phase == "costs" and not p.message and not first_window:
                first_window.append(time.perf_counter() - started)

        result = engine.sync(conn, progress=progress)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        with store.read():
            key_projects = store.db.execute_sql(
                "SELECT COUNT(DISTINCT project_id) FROM cost WHERE api_key_id != '' AND project_id != ''"
            ).fetchone()[0]
        rows = store.cost_count()
        store.close()
    print(json.dumps({
        "outcome": result.outcome,
        "error": result.error,
        "pages": result.pages,
        "rows_written": result.rows,
        "rows_stored": rows,
        "days": (end - backfill).days + 1,
        "wall_s": round(wall, 3),
        "client_cpu_s": round(cpu, 3),
        "first_window_s": round(first_window[0], 3) if first_window else None,
        "store_replace_window_s": round(timings["replace_window"], 3),
        "store_replace_window_cpu_s": round(timings.get("replace_window_cpu", 0.0), 3),
        "store_write_transactions_s": round(timings["write_transactions"], 3),
        "projects_with_key_costs": key_projects,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }), flush=True)
    return 0


def _instrument(store, timings: dict) -> None:
    """Time ``replace_window`` and every outermost write transaction (commit included) on this Store."""
    replace_window = store.replace_window
    write = store.write
    depth = threading.local()

    def timed_replace_window(*a, **kw):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return replace_window(*a, **kw)
        finally:
            timings["replace_window"] += time.perf_counter() - start
            timings["replace_window_cpu"] = timings.get("replace_window_cpu", 0.0) + time.thread_time() - cpu

    @contextlib.contextmanager
    def timed_write(**kw):
        level = getattr(depth, "n", 0)
        depth.n = level + 1
        start = time.perf_counter()
        try:
            with write(**kw):
                yield
        finally:
            depth.n = level
            if level == 0:
                timings["write_transactions"] += time.perf_counter() - start

    store.replace_window = timed_replace_window
    store.write = timed_write


# -- the harness side -----------------------------------------------------------------------------------

def _env() -> tuple[dict, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}, root


def _rates(synced: dict) -> dict:
    """Rows per second: of wall time (the fake's generation and the latency included), of the sync
    process's CPU time (the engine: parsing, reconciling, storing) and of the store's write transactions."""
    rows = synced.get("rows_stored") or 0

    def per(seconds: float | None) -> float | None:
        return round(rows / seconds) if seconds else None

    return {"rows_per_s_wall": per(synced.get("wall_s")), "rows_per_s_client_cpu": per(synced.get("client_cpu_s")),
            "rows_per_s_store_writes": per(synced.get("store_write_transactions_s"))}


def sync_benchmark(*, size: str, seed: int, end: date, months: int = 13, latency: float = DEFAULT_LATENCY,
                   timeout: float = DEFAULT_TIMEOUT, log=lambda s: None) -> dict:
    """Run the server and the sync in two subprocesses; return timings, request counts and minimums."""
    env, root = _env()
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sync_timing", "serve", "--size", size, "--seed", str(seed),
         "--end", end.isoformat(), "--months", str(months), "--latency", str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=root,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        url = json.loads(server.stdout.readline())["url"]
        log(f"syncing a year of the fake {size!r} organization from {url} ({latency * 1000:.0f} ms per request)")
        client = subprocess.run(
            [sys.executable, "-m", "benchmarks.sync_timing", "sync", "--url", url, "--end", end.isoformat(),
             "--timeout", str(timeout)],
            capture_output=True, text=True, env=env, cwd=root,
        )
        server.stdin.close()
        served = json.loads(server.stdout.readline() or "{}")
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    try:
        synced = json.loads(client.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": (client.stderr or client.stdout).strip()[-800:], "server": served}
    days = synced["days"]
    cost_pages = math.ceil(days / PAGE_DAYS)
    names = math.ceil(served.get("projects_in_org", 0) / LIST_PAGE) + synced["projects_with_key_costs"]
    req = served.get("requests", {})
    made = served.get("total", 0)
    return {
        "org_size": size,
        "seed": seed,
        "latency_ms": round(latency * 1000, 1),
        "client_timeout_s": timeout,
        **synced,
        "network_and_parse_s": round(synced["wall_s"] - synced["store_write_transactions_s"], 3),
        **_rates(synced),
        "latency_total_s": round(made * latency, 3),
        "requests": req,
        "requests_total": made,
        "minimum_requests": cost_pages + names,
        "minimum_breakdown": {"cost_pages": cost_pages, "name_lookups": names},
        "minimum_with_reconciliation": 2 * cost_pages + names,
        "server_peak_rss_mb": served.get("peak_rss_mb"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync_timing")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="(internal) serve a fake organization; prints its URL")
    serve.add_argument("--size", default="demo")
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--end", required=True)
    serve.add_argument("--months", type=int, default=13)
    serve.add_argument("--latency", type=float, default=DEFAULT_LATENCY)
    sync = sub.add_parser("sync", help="(internal) one full-year sync; prints JSON")
    sync.add_argument("--url", required=True)
    sync.add_argument("--end", required=True)
    sync.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    return _serve(args) if args.command == "serve" else _sync(args)


if __name__ == "__main__":
    raise SystemExit(main())
