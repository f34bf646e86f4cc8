"""A project or key filter over several connections seeks the fact table's key instead of reading every row
of the dates (store/filters.py): SQLite does not seek through an OR of (connection, ids) terms, so the filter
leads with the connections and ids it names. The rows, and so the figures, are those of the OR alone."""

from __future__ import annotations

from datetime import date, timedelta

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import CostRow, Filter, PivotSpec, Project
from openai_cost_tui.store.store import NewConnection, Store

DAY = date(2026, 5, 1)


def _store(path) -> Store:
    """Two connections that each name a project 'Search' (under other ids), beside other projects."""
    store = Store(str(path))
    for n, search_id in enumerate(("p1", "p9")):
        conn = store.add_connection(NewConnection(f"C{n}", "https://api.openai.com/v1", "env", "K", DAY))
        store.save_names(conn.id, [Project(search_id, "Search"), Project("p2", "Ads")], [])
        rows = [CostRow(DAY + timedelta(days=d), pid, item, None, "usd", 1_000_000 * (n + 1) + d)
                for d in range(20) for pid in ("p1", "p2", "p9", "p3")
                for item in ("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output")]
        store.replace_window(conn.id, DAY, DAY + timedelta(days=19), rows)
    return store


def _plans(store: Store, spec: PivotSpec) -> list[str]:
    """The query plan of each pivot query ``run_pivot`` sends for ``spec``."""
    sent: list[str] = []
    store.db.connection().set_trace_callback(sent.append)
    try:
        store.run_pivot(spec, today=DAY + timedelta(days=19), use_rollups=False)
    finally:
        store.db.connection().set_trace_callback(None)
    return [" | ".join(row[-1] for row in store.db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
            for sql in sent if "SUM(" in sql]


def test_one_project_across_connections_seeks_its_ids_and_sums_only_them(tmp_path) -> None:
    with _store(tmp_path / "costs.db") as store:
        spec = PivotSpec(rows=("service",), cols="day", date_range=DateRange(DAY, DAY + timedelta(days=9)),
                         filters=(Filter("project", ("Search",)),))
        (plan,) = _plans(store, spec)
        assert "connection_id=? AND project_id=?" in plan, plan  # every row of the dates was read before
        got = store.run_pivot(spec, today=DAY + timedelta(days=19), use_rollups=False).total.amount
        # C0's p1 and C1's p9 are Search; C0's p9 and C1's p1 are ids shown as themselves, not Search
        expected = sum(2 * (1_000_000 * (n + 1) + d) for n in range(2) for d in range(10))
        assert got == expected
        excluded = store.run_pivot(PivotSpec(rows=("project",), date_range=spec.date_range,
                                             filters=(Filter("project", ("Search",), exclude=True),)),
                                   today=DAY + timedelta(days=19), use_rollups=False)
        assert "Search" not in {k[0] for k in excluded.row_keys}
        assert excluded.total.amount == 4 * sum(1_000_000 * (n + 1) + d for n in range(2) for d in range(10)) * 2 \
            - expected
