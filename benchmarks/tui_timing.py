"""The TUI, headless: key press to painted pivot, and cold start to the first painted report.

Key press: ``make_app`` + ``run_test`` on a benchmark store with a frozen clock; a key that changes the
pivot (``s`` swaps rows and columns, ``t`` cycles top N) is pressed and the clock stops at the first
frame the app writes that shows the answer to that key's query. The time until the app is idle again
(the daily trend column and anomaly marks, computed after the pivot is on screen) is reported beside it.

Cold start: a fresh interpreter (``python -m benchmarks.tui_timing cold ...``) that imports the app, opens
the demo or a store, runs the app headless and reports the time from the parent's spawn to the first
painted report (and, for ``--demo``, to the first painted report with costs in it, i.e. after the first
synced window landed). The report screen is being finished concurrently, so everything that peeks at its
internals (``_generation``, ``_shown_generation``, ``data``) is defensive and falls back to waiting for
workers and a pilot pause.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

SIZE = (140, 44)  # a roomy terminal: wide enough for the report's daily trend column
KEYS = ("s", "t")  # swap rows/cols; next top-N: both re-query without a modal
TIMEOUT = 120.0


def _frozen(today: date):
    from openai_cost_tui.core.clock import fixed_clock

    return fixed_clock(datetime(today.year, today.month, today.day, 12, 0, tzinfo=UTC))


def _make_app(ctx, *, sync_on_start: bool):
    from openai_cost_tui.tui.app import make_app

    try:
        app = make_app(ctx, sync_on_start=sync_on_start, refresh_interval=0)
    except TypeError:  # an older/newer factory without these options
        app = make_app(ctx)
    app.animation_level = "none"
    return app


def _generation(screen) -> tuple[int | None, int | None]:
    return getattr(screen, "_generation", None), getattr(screen, "_shown_generation", None)


def _report_rows(screen) -> int | None:
    data = getattr(screen, "data", None)
    grid = getattr(data, "grid", None)
    order = getattr(grid, "order", None)
    return None if order is None else len(order)


def _painted(app, since: int) -> bool | None:
    """True when the report answered a query newer than ``since``; None when its internals are unknown."""
    try:
        screen = app.screen
    except Exception:  # no screen yet (starting) or any more (closing)
        return False
    gen, shown = _generation(screen)
    if gen is None or shown is None:
        return None
    return gen > since and shown >= gen and getattr(screen, "data", None) is not None



async def _workers_done(app) -> None:
    """Every worker finished; one that a newer exclusive worker replaced counts as finished (Textual
    raises WorkerCancelled for it from wait_for_complete)."""
    from textual.worker import WorkerCancelled

    while running := [w for w in app.workers if not w.is_finished]:
        try:
            await app.workers.wait_for_complete(running)
        except WorkerCancelled:
            continue

async def _composite(app, pilot=None) -> None:
    """Let pending messages run, then composite the screen once (what a real frame would do)."""
    wait = getattr(pilot, "_wait_for_screen", None)
    if wait is not None:
        await wait()
    update = getattr(app.screen, "_on_timer_update", None)
    if update is not None:
        update()
    else:  # pragma: no cover - fallback for other Textual versions
        await asyncio.sleep(0)


async def _until_painted(app, pilot, since: int, timeout: float = TIMEOUT, want_rows: bool = False) -> bool:
    deadline = time.perf_counter() + timeout
    while True:
        state = _painted(app, since)
        if state is None:  # unknown screen: wait for every worker, then a pause
            await _workers_done(app)
            await pilot.pause()
            return True
        if state and (not want_rows or (_report_rows(app.screen) or 0) > 0):
            await _composite(app, pilot)
            return True
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.002)


# -- key press to painted pivot ------------------------------------------------------------------------

def _record_frames(app) -> list[tuple[float, int | None]]:
    """Every frame the app writes, as (time, the report generation it shows). The pivot counts as
    painted at the first frame showing the new generation; the pilot's ``press`` only returns once the
    app is idle, after the trend column and anomaly marks that follow the pivot have landed too."""
    frames: list[tuple[float, int | None]] = []
    display = app._display

    def recording(screen, renderable) -> None:
        display(screen, renderable)
        frames.append((time.perf_counter(), _generation(screen)[1]))

    app._display = recording
    return frames

def _pending_timers(app) -> int:
    """Timers still due on the app and its screen (toasts' expiry, cursor blink ...), for the record."""
    nodes = [app]
    try:
        nodes += list(app.screen.walk_children(with_self=True))
    except Exception:  # noqa: S110 - no screen: only the app's own timers
        pass
    return sum(1 for node in nodes for timer in getattr(node, "_timers", ()) if getattr(timer, "_task", None))


async def _until_idle(app, pilot) -> None:
    """No worker left running and every queued message handled (repeated: a worker's last message can
    start another step), then one composite, as a frame would."""
    while True:
        await _workers_done(app)
        await pilot._wait_for_screen()
        if all(w.is_finished for w in app.workers):
            break
    await _composite(app, pilot)


async def _show_rows(app, pilot, rows: str) -> bool:
    """Group the report's rows by ``rows`` (as the Rows dialog does), and wait for it to settle."""
    screen = app.screen
    state = getattr(screen, "state", None)
    if state is None or not hasattr(screen, "set_state"):
        return False
    if state.rows[:1] != (rows,):
        screen.set_state(state.with_rows(rows, None))
    await _until_idle(app, pilot)
    return True


async def keypress_timing(store_path: Path, today: date, runs: int, keys: tuple[str, ...] = KEYS,
                          rows: tuple[str, ...] = ("service",)) -> dict:
    """Median ms from a key press to the first frame of the repainted pivot, and to idle (no worker
    running, no message pending), per key and per row dimension, on the store at ``store_path``."""
    from openai_cost_tui.services.context import open_context

    out: dict = {"size": list(SIZE), "keys": {}, "by_rows": {}}
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as folder:
        ctx = open_context(folder=folder, db=str(store_path), clock=_frozen(today))
        try:
            app = _make_app(ctx, sync_on_start=False)
            async with app.run_test(size=SIZE) as pilot:
                start = time.perf_counter()
                if not await _until_painted(app, pilot, since=0):
                    out["error"] = "the report never painted"
                    return out
                out["first_paint_in_process_ms"] = round((time.perf_counter() - start) * 1000, 1)
                out["screen"] = type(app.screen).__name__
                frames = _record_frames(app)
                for dim in rows:
                    if not await _show_rows(app, pilot, dim):
                        out["by_rows"][dim] = {"error": "the screen has no report state"}
                        continue
                    out["by_rows"][dim] = found = {}
                    for key in keys:
                        found[key] = await _time_key(app, pilot, frames, key, runs)
                if rows:
                    out["keys"] = out["by_rows"].get(rows[0]) or {}
        finally:
            ctx.close()
    return out


async def _time_key(app, pilot, frames: list, key: str, runs: int) -> dict:
    first_ms, idle_ms, timers = [], [], []
    for _ in range(runs + 1):  # the first press warms caches: not counted
        await _until_idle(app, pilot)  # the last key's trend column and marks are done
        gen_before = _generation(app.screen)[0] or 0
        frames.clear()
        t0 = time.perf_counter()
        await pilot.press(key)
        if _painted(app, gen_before) is not None and (_generation(app.screen)[0] or 0) <= gen_before:
            break  # the key did not start a query (not bound on this screen?)
        if not await _until_painted(app, pilot, since=gen_before):
            break
        await _until_idle(app, pilot)
        done = (time.perf_counter() - t0) * 1000
        first = next((t for t, shown in frames if shown is not None and shown > gen_before), None)
        first_ms.append((first - t0) * 1000 if first is not None else done)
        idle_ms.append(done)
        timers.append(_pending_timers(app))
    if len(first_ms) < 2:
        return {"median_ms": None, "note": "no re-query after this key"}
    return {"median_ms": round(statistics.median(first_ms[1:]), 1),
            "runs_ms": [round(t, 1) for t in first_ms[1:]],
            "until_idle_median_ms": round(statistics.median(idle_ms[1:]), 1),
            "idle_runs_ms": [round(t, 1) for t in idle_ms[1:]],
            "timers_pending_at_idle": max(timers[1:]),
            "rows_shown": _report_rows(app.screen)}


# -- cold start in a fresh interpreter -----------------------------------------------------------------

def _child_env(root: str) -> dict[str, str]:
    """The children's environment: bytecode as an installed app has it. Where the shell sets
    PYTHONDONTWRITEBYTECODE, every spawn compiled the checkout's ~100 modules from source (~0.3 s) while
    Textual's site-packages already had their .pyc: the ratio charged the app for compiling that no user
    pays after the first run. The children write and read bytecode in a cache of their own instead
    (PYTHONPYCACHEPREFIX, outside the checkout), filled by an untimed warm-up spawn."""
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / f"openai-cost-tui-bench-pyc-{os.getuid()}")
    return env


def _spawn(cmd: list[str], timeout: float) -> dict:
    """One fresh interpreter; its last stdout line is its JSON sample (with its wall time), or an error."""
    root = str(Path(__file__).resolve().parent.parent)
    env = {**_child_env(root), "BENCH_T0": repr(time.time())}
    spawned = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root, timeout=timeout + 60)
    wall = time.perf_counter() - spawned
    try:
        sample = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": (proc.stderr or proc.stdout or f"exit {proc.returncode}").strip()[-400:]}
    sample["process_wall_s"] = round(wall, 3)
    return sample


def _cold_cmd(demo: bool, store_path: Path | None, today: date | None) -> list[str]:
    cmd = [sys.executable, "-m", "benchmarks.tui_timing", "cold"]
    if demo:
        return [*cmd, "--demo"]
    assert store_path is not None and today is not None
    return [*cmd, "--db", str(store_path), "--today", today.isoformat()]


MINIMAL_CMD = [sys.executable, "-m", "benchmarks.minimal_app"]
SAMPLE_FIELDS = ("import_s", "first_paint_s", "first_data_s", "peak_rss_mb")


def _medians(samples: list[dict]) -> dict:
    good = [s for s in samples if "error" not in s]
    out: dict = {"runs": good}
    errors = [s["error"] for s in samples if "error" in s]
    if errors:
        out["errors"] = errors
    for field in SAMPLE_FIELDS:
        values = [s[field] for s in good if s.get(field) is not None]
        out[field] = round(statistics.median(values), 3) if values else None
    return out


def cold_start(*, demo: bool, store_path: Path | None = None, today: date | None = None, runs: int = 3,
               timeout: float = TIMEOUT) -> dict:
    """Median seconds from spawning ``python`` to the first painted report (and first data for --demo)."""
    cmd = _cold_cmd(demo, store_path, today)
    _spawn(cmd, timeout)  # warm-up, untimed: bytecode written, the store's pages in the OS cache
    return _medians([_spawn(cmd, timeout) for _ in range(runs)])


def cold_compare(*, store_path: Path | None, today: date | None, runs: int = 3, timeout: float = TIMEOUT) -> dict:
    """Cold start of the minimal Textual app, ``--demo`` and the store (when given), interleaved run by
    run so a burst of load hits all of them alike; each app's median over the minimal app's median."""
    cmds = {"minimal": MINIMAL_CMD, "demo": _cold_cmd(True, None, None)}
    if store_path is not None:
        cmds["store"] = _cold_cmd(False, store_path, today)
    samples: dict[str, list[dict]] = {name: [] for name in cmds}
    for cmd in cmds.values():
        _spawn(cmd, timeout)  # warm-up, untimed: bytecode written, the store's pages in the OS cache
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(_spawn(cmd, timeout))
    out: dict = {name: _medians(found) for name, found in samples.items()}
    base = out["minimal"]["first_paint_s"]
    out["ratio_to_minimal"] = {
        name: (round(out[name]["first_paint_s"] / base, 2) if base and out[name]["first_paint_s"] else None)
        for name in cmds if name != "minimal"
    }
    return out


async def _cold(app, *, want_data: bool, timeout: float, t0: float) -> dict:
    result: dict = {}
    task = asyncio.create_task(app.run_async(headless=True, size=SIZE))
    deadline = time.perf_counter() + timeout
    try:
        for name, rows in (("first_paint_s", False), ("first_data_s", True)):
            if rows and not want_data:
                break
            while not task.done():
                if _painted(app, 0) and (not rows or (_report_rows(app.screen) or 0) > 0):
                    break
                if _painted(app, 0) is None and app.is_running and not rows:  # unknown screen internals
                    await _workers_done(app)
                    break
                if time.perf_counter() > deadline:
                    result["error"] = f"timed out waiting for {name}"
                    break
                await asyncio.sleep(0.002)
            if task.done() or "error" in result:
                break
            done = asyncio.get_running_loop().create_future()
            app.call_after_refresh(lambda f=done: f.done() or f.set_result(None))
            await asyncio.wait_for(done, timeout=10)
            result[name] = round(time.time() - t0, 3)
            result[name.replace("_s", "_rows")] = _report_rows(app.screen)
    finally:
        if getattr(app, "sync_running", False):
            app.action_cancel_sync()  # stop the demo's sync after its current window
        if not task.done():
            app.exit()
        try:
            await asyncio.wait_for(task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            pass
    return result


def _cold_main(args: argparse.Namespace) -> int:
    t0 = float(os.environ.get("BENCH_T0") or time.time())
    from openai_cost_tui.services.context import open_context, open_demo
    from openai_cost_tui.tui.app import make_app  # noqa: F401  (the import is part of the cold start)

    from .memory import peak_rss_mb

    import_s = time.time() - t0
    folder = tempfile.mkdtemp(prefix="bench-cold-")
    if args.demo:
        ctx = open_demo()
        app = _make_app(ctx, sync_on_start=True)  # as `openai-cost-tui --demo`: syncs on start
    else:
        ctx = open_context(folder=folder, db=args.db, clock=_frozen(date.fromisoformat(args.today)))
        app = _make_app(ctx, sync_on_start=False)
    result = asyncio.run(_cold(app, want_data=args.demo, timeout=args.timeout, t0=t0))
    result["import_s"] = round(import_s, 3)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result), flush=True)
    try:
        ctx.close()
    except Exception as exc:  # a demo sync may still be running in its thread
        print(f"(close: {type(exc).__name__})", file=sys.stderr)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)  # do not wait for a demo sync thread still fetching


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tui_timing")
    sub = parser.add_subparsers(dest="command", required=True)
    cold = sub.add_parser("cold", help="(internal) one cold start; prints JSON")
    cold.add_argument("--demo", action="store_true")
    cold.add_argument("--db")
    cold.add_argument("--today")
    cold.add_argument("--timeout", type=float, default=TIMEOUT)
    keys = sub.add_parser("keys", help="(internal) key presses on a store in this process alone; prints JSON")
    keys.add_argument("--db", required=True)
    keys.add_argument("--today", required=True)
    keys.add_argument("--runs", type=int, default=3)
    keys.add_argument("--rows", default="service,project")
    args = parser.parse_args(argv)
    return _cold_main(args) if args.command == "cold" else _keys_main(args)


def _keys_main(args: argparse.Namespace) -> int:
    """The app alone in this interpreter: its peak RSS is the app's, with the store it opened."""
    from .memory import peak_rss_mb

    rows = tuple(r.strip() for r in args.rows.split(",") if r.strip())
    found = asyncio.run(keypress_timing(Path(args.db), date.fromisoformat(args.today), args.runs, rows=rows))
    found["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(found), flush=True)
    return 0


def keys_in_subprocess(store_path: Path, today: date, runs: int, rows: tuple[str, ...] = ("service", "project"),
                       timeout: float = TIMEOUT * 5) -> dict:
    """``keypress_timing`` in a fresh interpreter holding nothing but the app (for its peak memory)."""
    cmd = [sys.executable, "-m", "benchmarks.tui_timing", "keys", "--db", str(store_path), "--today",
           today.isoformat(), "--runs", str(runs), "--rows", ",".join(rows)]
    return _spawn(cmd, timeout)


if __name__ == "__main__":
    raise SystemExit(main())
