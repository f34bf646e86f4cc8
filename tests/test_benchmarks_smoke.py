"""The benchmark harness runs end to end on a tiny store and writes valid JSON.

No timing is asserted (CI never times anything): only that every part produces numbers, that the
plain-SQL and DuckDB versions of each pivot agree with ``run_pivot``'s exact total, and that the cached
store is a valid store the app's own code opens.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import queries, stores
from benchmarks.run import main, render
from openai_cost_tui.store.store import Store

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "bench.json"
    code = main(["--sizes", "tiny", "--runs", "1", "--latency", "0", "--cache-dir", str(folder / "cache"),
                 "--json", str(out)])
    assert code == 0
    return json.loads(out.read_text("utf-8"))


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x >= 0


def test_tiny_store_is_a_valid_store(report: dict) -> None:
    tier = report["tiers"]["tiny"]
    assert 1_000 < tier["rows"] < 20_000
    path = Path(tier["path"])
    with Store(str(path)) as store:
        assert store.integrity_ok()
        assert len(store.connections()) == 2
        assert [w.name for w in store.workspaces()] == sorted([stores.WORKSPACE, stores.PRODUCTION])
        assert store.cost_count() == tier["rows"]
        result = store.run_pivot(queries.QUERIES[0].spec(stores.DEFAULT_END), today=stores.DEFAULT_END)
        assert result.row_keys


def test_every_pivot_spec_has_numbers_and_agrees(report: dict) -> None:
    rows = [*report["tiers"]["tiny"]["queries"], *report["tiers"]["tiny"]["more_queries"]]
    assert [r["query"] for r in rows] == [q.name for q in (*queries.QUERIES, *queries.MORE_QUERIES)]
    duck = stores.duckdb_available() is not None
    for r in rows:
        assert _number(r["run_pivot_ms"]) and _number(r["sqlite_ms"])
        assert r["totals_agree"], r
        assert r["groups"] > 0
        if duck:
            assert _number(r["duckdb_ms"]) and _number(r["run_pivot_over_duckdb"])
        else:
            assert r["duckdb_ms"] is None
    if not duck:
        assert any("duckdb" in n for n in report["notes"])


def test_tui_cold_start_sync_and_memory_have_numbers(report: dict) -> None:
    tier = report["tiers"]["tiny"]
    keys = tier["tui_keys"]
    assert "error" not in keys, keys
    assert any(_number(v.get("median_ms")) for v in keys["keys"].values()), keys
    assert _number(tier["cold_start"]["first_paint_s"]), tier["cold_start"]
    assert _number(report["cold_start_demo"]["first_paint_s"]), report["cold_start_demo"]
    sync = report["sync"]
    assert sync["outcome"] == "ok", sync
    assert sync["rows_stored"] > 0 and _number(sync["wall_s"])
    assert sync["requests"]["costs_grouped"] >= sync["minimum_breakdown"]["cost_pages"]
    assert sync["requests_total"] >= sync["minimum_requests"]
    assert all(_number(p["sqlite_ms"]) for p in report["profile"])
    assert report["memory"] and all(p["peak_mb"] is None or _number(p["peak_mb"]) for p in report["memory"])


def test_table_renders(report: dict) -> None:
    text = render(report)
    assert "tiny" in text and "run_pivot" in text and "sync" in text


def test_plain_sql_matches_run_pivot_filters_and_workspace() -> None:
    spec = queries.QUERIES[-1].spec(stores.DEFAULT_END)  # filtered by category
    sql, params = queries.plain_sql(spec, dates_as_text=True)
    assert "ch.category IN (?)" in sql and queries.MODEL_CATEGORY in params
    ws = next(q for q in queries.QUERIES if q.workspace).spec(stores.DEFAULT_END)
    sql, params = queries.plain_sql(ws, dates_as_text=False)
    assert "workspace_connection" in sql and stores.WORKSPACE in params


@pytest.mark.parametrize("argv", [
    ["cold", "--size", "tiny", "--runs", "1"],
    ["keys", "--size", "tiny", "--runs", "1", "--rows", "service"],
    ["memory", "--size", "tiny", "--runs", "1", "--rows", "project"],
    ["sync", "--sync-size", "small"],
], ids=lambda argv: argv[0])
def test_each_single_benchmark_runs_once_on_tiny_inputs(report: dict, tmp_path: Path, argv: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Path(report["tiers"]["tiny"]["path"]).parent  # the tiny store the harness built: no rebuild
    monkeypatch.setenv("OPENAI_COST_TUI_BENCH_CACHE", str(cache))
    out_path = tmp_path / "out.json"
    assert main([*argv, "--cache-dir", str(cache), "--json", str(out_path)]) == 0
    out = json.loads(out_path.read_text("utf-8"))
    assert _number(out["loadavg_start"][0])
    if argv[0] == "cold":
        cold = out["cold"]
        for name in ("minimal", "demo", "store"):
            assert _number(cold[name]["first_paint_s"]), cold[name]
        assert _number(cold["ratio_to_minimal"]["demo"]) and _number(cold["ratio_to_minimal"]["store"])
    elif argv[0] == "sync":
        sync = out["sync"]
        assert sync["outcome"] == "ok", sync
        assert sync["rows_stored"] > 0 and _number(sync["rows_per_s_client_cpu"])
    else:
        app = out["app"]
        dim = argv[-1]
        assert "error" not in app, app
        assert set(app["by_rows"]) == {dim}
        for timing in app["by_rows"][dim].values():
            assert _number(timing["median_ms"]) and _number(timing["until_idle_median_ms"]), timing
        assert _number(app["peak_rss_mb"]) and out["rows"] == report["tiers"]["tiny"]["rows"]
