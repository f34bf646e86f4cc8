"""A year's sync of the fake organization replayed in process, to profile the sync's own CPU.

``record`` runs ``SyncEngine.sync`` once against the fake organization (in process, through its
MockTransport) and pickles every answer by request (path and query); ``replay`` serves those answers
from an ``httpx.MockTransport`` into a fresh store, so the fake's generation is not in the figures,
and prints the rows stored per second of the process's CPU (``time.process_time``), optionally under
cProfile::

    python -m benchmarks.replay_sync record [--size large]      # once: ~2-3 min for the large org
    python -m benchmarks.replay_sync replay [--runs 3] [--profile 30]

The recording is cached beside the benchmark stores (``stores.cache_dir()``), keyed by size, seed and
end day. This is a tool, not a test: CI never runs it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_END = "2026-11-25"
Answers = dict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, dict[str, str], bytes]]


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def _recording(size: str, seed: int, end: str) -> Path:
    from .stores import cache_dir

    return cache_dir() / f"replay-sync-{size}-{seed}-{end}.pickle"


def _key(request) -> tuple[str, tuple[tuple[str, str], ...]]:
    return request.url.path, tuple(sorted(request.url.params.multi_items()))


def _sync(transport, end: date) -> tuple[dict, float]:
    """One sync of a year into a fresh store through ``transport``; (figures, CPU seconds)."""
    from openai_cost_tui.core.base_url import DEFAULT_BASE_URL
    from openai_cost_tui.core.clock import fixed_clock
    from openai_cost_tui.core.dates import add_months
    from openai_cost_tui.services.context import DemoKeyStore
    from openai_cost_tui.store.store import NewConnection, Store
    from openai_cost_tui.sync.engine import SyncEngine

    with tempfile.TemporaryDirectory(prefix="replay-sync-") as folder:
        store = Store(str(Path(folder) / "costs.db"))
        conn = store.add_connection(NewConnection(description="replay", base_url=DEFAULT_BASE_URL,
                                                  key_source="demo", key_ref="replay",
                                                  backfill_start=add_months(end, -12)))
        engine = SyncEngine(store, DemoKeyStore(Path(folder)), clock=fixed_clock(_noon(end)),
                            transport_for=lambda c: transport, client_options={"timeout": 300.0})
        cpu, wall = time.process_time(), time.perf_counter()
        result = engine.sync(conn)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        stored = store.cost_count()
        store.close()
    return {"outcome": result.outcome, "error": result.error, "pages": result.pages, "rows": stored,
            "cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
            "rows_per_s_cpu": round(stored / cpu) if cpu else None}, cpu


def record(args: argparse.Namespace) -> int:
    import httpx

    from openai_cost_tui.core.dates import add_months
    from openai_cost_tui.fake.api import FakeAdminApi
    from openai_cost_tui.fake.org import FakeOrg
    from openai_cost_tui.fake.transport import fake_transport

    end = date.fromisoformat(args.end)
    org = FakeOrg(args.seed, start=add_months(end, -13), end=end, size=args.size)
    inner = fake_transport(FakeAdminApi(org, clock=lambda: _noon(end)))
    answers: Answers = {}

    def handler(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        body = response.read()
        answers[_key(request)] = (response.status_code, dict(response.headers), body)
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    figures, _ = _sync(httpx.MockTransport(handler), end)
    path = _recording(args.size, args.seed, args.end)
    with open(path, "wb") as out:
        pickle.dump(answers, out, protocol=pickle.HIGHEST_PROTOCOL)
    print(json.dumps({**figures, "recorded": str(path), "answers": len(answers)}))
    return 0


def replay(args: argparse.Namespace) -> int:
    import httpx

    with open(_recording(args.size, args.seed, args.end), "rb") as f:
        answers: Answers = pickle.load(f)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = answers[_key(request)]
        return httpx.Response(status, headers=headers, content=body)

    end = date.fromisoformat(args.end)
    for run in range(args.runs):
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        figures, _ = _sync(httpx.MockTransport(handler), end)
        if profile:
            profile.disable()
        print(json.dumps({"run": run + 1, **figures, "load": os.getloadavg()[0]}), flush=True)
        if profile:
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replay_sync")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("record", "replay"):
        p = sub.add_parser(name)
        p.add_argument("--size", default="large", choices=("small", "demo", "large"))
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--end", default=DEFAULT_END)
        if name == "replay":
            p.add_argument("--runs", type=int, default=1)
            p.add_argument("--profile", type=int, default=0, help="print this many functions by own time")
    args = parser.parse_args(argv)
    return record(args) if args.command == "record" else replay(args)


if __name__ == "__main__":
    raise SystemExit(main())
