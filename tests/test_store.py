"""The store: exact replace-window semantics, connections, workspaces, names, removal."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.errors import StoreError, UsageError
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Project
from openai_cost_tui.store.store import NewConnection, Store


def conn_draft(name: str = "Acme prod") -> NewConnection:
    return NewConnection(name, "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 1, 1))


def row(day: int, amount: str, line: str | None = "gpt-4o-2024-08-06, input", project: str | None = "proj_a",
        key: str | None = "key_a", qty: str | None = "1000", unit: str | None = "tokens") -> CostRow:
    return CostRow(date(2026, 5, day), project, line, key, "usd", money.parse_exact(amount),
                   money.parse_exact(qty) if qty else None, unit)


def test_replace_window_is_exact_and_idempotent(store: Store) -> None:
    c = store.add_connection(conn_draft())
    rows = [row(1, "0.0123456789012345"), row(2, "1.5"), row(2, "-3", line="Promotional credit", key=None)]
    assert store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 3), rows) == 3
    first = store.dump_costs()
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 3), rows)
    assert store.dump_costs() == first
    assert money.format_exact(store.total()) == "-1.4876543210987655"


def test_revised_window_replaces_vanished_and_new_items(store: Store) -> None:
    c = store.add_connection(conn_draft())
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 3),
                         [row(1, "1"), row(2, "2"), row(2, "5", line="o1-pro, output"), row(3, "3")])
    store.replace_window(c.id, date(2026, 5, 2), date(2026, 5, 3),
                         [row(2, "2.25"), row(3, "3", line="gpt-image-1 image, output", unit="images")])
    dump = store.dump_costs()
    lines = {(d, li) for _, d, _, _, li, *_ in dump}
    assert lines == {("2026-05-01", "gpt-4o-2024-08-06, input"), ("2026-05-02", "gpt-4o-2024-08-06, input"),
                     ("2026-05-03", "gpt-image-1 image, output")}
    assert money.format_exact(store.total()) == "6.25"


def test_rows_outside_the_window_are_refused_and_nothing_changes(store: Store) -> None:
    c = store.add_connection(conn_draft())
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    before = store.dump_costs()
    with pytest.raises(StoreError):
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "9"), row(4, "1")])
    assert store.dump_costs() == before


def test_duplicate_results_in_one_day_are_summed_once(store: Store) -> None:
    c = store.add_connection(conn_draft())
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1", qty="10"), row(1, "2", qty="5")])
    assert store.cost_count() == 1
    assert money.format_exact(store.total()) == "3"


def test_large_amounts_sum_without_overflow(store: Store) -> None:
    c = store.add_connection(conn_draft())
    rows = [row(1, "123456789.9999999999999999", project=f"p{i}") for i in range(50)]
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), rows)
    assert money.format_exact(store.total()) == "6172839499.999999999999995"


def test_connections_are_validated_and_unique(store: Store) -> None:
    store.add_connection(conn_draft("Acme"))
    with pytest.raises(UsageError, match="exists already"):
        store.add_connection(conn_draft("Acme"))
    for bad in ("", "   ", "a\nb", "tab\there", "x" * 10_000, "bell\x07"):
        with pytest.raises(UsageError):
            store.add_connection(conn_draft(bad))
    assert [c.description for c in store.connections()] == ["Acme"]
    with pytest.raises(UsageError, match="no connection 'nope'; known connections: Acme"):
        store.connection("nope")
    assert store.connection("1").description == "Acme"


def test_remove_connection_leaves_no_trace_and_spares_others(store: Store) -> None:
    a = store.add_connection(conn_draft("A"), workspaces=["prod", "all"])
    b = store.add_connection(conn_draft("B"), workspaces=["all"])
    for c in (a, b):
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 2), [row(1, "1"), row(2, "2")])
        store.save_names(c.id, [Project("proj_a", "Alpha")], [ApiKeyInfo("key_a", "prod-backend", "proj_a")])
        store.finish_run(store.start_run(c.id), outcome="ok", pages=1, rows=2, window=None)
    b_before = store.dump_costs(b.id)
    summary = store.remove_connection(a.id)
    assert summary.cost_rows == 2 and summary.workspaces == ("all", "prod")
    assert store.dump_costs(a.id) == [] and store.project_names(a.id) == {} and store.key_names(a.id) == {}
    assert store.runs(a.id) == []
    assert store.dump_costs(b.id) == b_before
    assert [(w.name, w.connections) for w in store.workspaces()] == [("all", ("B",)), ("prod", ())]
    assert store.integrity_ok()


def test_workspaces_lifecycle(store: Store) -> None:
    a = store.add_connection(conn_draft("A"))
    store.add_workspace("Team")
    with pytest.raises(UsageError):
        store.add_workspace("Team")
    store.assign("Team", [a.id])
    store.rename_workspace("Team", "Platform")
    assert store.connection(a.id).workspaces == ("Platform",)
    with pytest.raises(UsageError, match="no workspace 'Team'"):
        store.assign("Team", [a.id])
    store.unassign("Platform", [a.id])
    assert store.connection(a.id).workspaces == ()
    store.remove_workspace("Platform")
    assert store.workspaces() == []


def test_names_update_in_place(store: Store) -> None:
    c = store.add_connection(conn_draft())
    store.save_names(c.id, [Project("proj_a", "Alpha")], [ApiKeyInfo("key_a", "old", "proj_a")])
    store.save_names(c.id, [Project("proj_a", "Alpha 2", archived=True)], [ApiKeyInfo("key_a", "new", "proj_a")])
    assert store.project_names(c.id) == {"proj_a": "Alpha 2"}
    assert store.key_names(c.id) == {"key_a": "new"}


def test_reclassify_after_rule_change_needs_no_resync(store_path: str) -> None:
    from openai_cost_tui.core.dates import DateRange
    from openai_cost_tui.core.models import PivotSpec
    from openai_cost_tui.core.taxonomy import Taxonomy

    s = Store(store_path)
    c = s.add_connection(conn_draft())
    s.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1", line="acme-secret-model, input")])
    s.close()
    s = Store(store_path, taxonomy=Taxonomy.from_toml('[[rule]]\nmatch = "acme-*"\nservice = "Fine-tuning"\n'))
    assert s.reclassify() == 1
    spec = PivotSpec(rows=("service",), cols=None, date_range=DateRange(date(2026, 5, 1), date(2026, 5, 31)))
    assert s.run_pivot(spec, today=date(2026, 6, 1)).row_keys == (("Fine-tuning",),)
    s.close()


def test_store_file_is_private_and_in_wal_mode(store: Store, store_path: str) -> None:
    import os
    import stat

    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o600
    with store.read():
        assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_corrupt_file_is_reported_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "costs.db"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="damaged or not a SQLite database"):
        Store(str(path))
    assert path.read_bytes() == garbage


def test_foreign_sqlite_database_is_not_taken_over(tmp_path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an openai-cost-tui store"):
        Store(str(path))


def test_newer_schema_is_refused(store_path: str) -> None:
    Store(store_path).close()
    con = sqlite3.connect(store_path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(store_path)


def test_missing_folder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(str(tmp_path / "nope" / "costs.db"))


def test_disk_full_keeps_old_data(store: Store) -> None:
    c = store.add_connection(conn_draft())
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    before = store.dump_costs()
    with store.read():
        pages = store.db.execute_sql("PRAGMA page_count").fetchone()[0]
        store.db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    many = [row(1, "1", project=f"proj_{i}", line=f"gpt-4o-2024-08-06, input {i}") for i in range(5000)]
    with pytest.raises(StoreError, match="disk holding .* is full"):
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), many)
    assert store.dump_costs() == before


def test_read_only_database_is_reported(store: Store, store_path: str) -> None:
    c = store.add_connection(conn_draft())
    store.close()
    ro = Store(store_path)
    with ro.read():
        ro.db.execute_sql("PRAGMA query_only = 1")
    with pytest.raises(StoreError, match="read-only"):
        ro.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    ro.close()


def test_locked_database_is_reported_not_hung(store: Store, store_path: str) -> None:
    c = store.add_connection(conn_draft())
    blocker = sqlite3.connect(store_path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with store.read():
            store.db.execute_sql("PRAGMA busy_timeout = 200")
        with pytest.raises(StoreError, match="locked by another process"):
            store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    finally:
        blocker.rollback()
        blocker.close()
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
