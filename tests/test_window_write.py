"""Writing a window (Store.replace_window) on SQLite and PostgreSQL: rows that repeat a store key are
summed once the primary key refuses them, with nothing of the refused insert left; a connection
removed meanwhile gets no rows; and SQLite checks foreign keys again after a sync's write, which skips
them."""

from __future__ import annotations

from datetime import date

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.errors import StoreError
from openai_cost_tui.store import rollup
from openai_cost_tui.store.store import Store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (pg_url: the fixture)
from tests.test_rollup import all_rollups_match, rollup_dump
from tests.test_store import conn_draft, row


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=needs_postgres)])
def url(request, tmp_path) -> str:
    return str(tmp_path / "costs.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_rows_repeating_a_store_key_are_summed_and_the_rollups_follow(url) -> None:
    with Store(url) as store:
        c = store.add_connection(conn_draft())
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 3), [row(1, "9"), row(3, "7")])
        rows = [row(1, "1", qty="10"), row(2, "2"), row(1, "2", qty="5"), row(2, "-1", line="Promotional credit",
                key=None, qty=None, unit=None), row(2, "4", qty=None), row(2, "0.5", project="proj_b")]
        # the first two rows, repeated further on, are inserted before the primary key refuses them
        assert store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 2), rows) == 4
        costs = {(d, p, k, line): (money.join(hi, lo), qhi, qlo)
                 for _, d, p, k, line, _, _, hi, lo, qhi, qlo in store.dump_costs()}
        gpt = "gpt-4o-2024-08-06, input"
        assert costs == {
            ("2026-05-01", "proj_a", "key_a", gpt): (money.parse_exact("3"), 15, 0),
            ("2026-05-02", "proj_a", "key_a", gpt): (money.parse_exact("6"), 1000, 0),  # the missing one adds nothing
            ("2026-05-02", "proj_a", "", "Promotional credit"): (money.parse_exact("-1"), None, None),
            ("2026-05-02", "proj_b", "key_a", gpt): (money.parse_exact("0.5"), 1000, 0),
            ("2026-05-03", "proj_a", "key_a", gpt): (money.parse_exact("7"), 1000, 0),  # outside: kept
        }
        assert all_rollups_match(store)


def test_a_connection_removed_meanwhile_gets_no_rows(url) -> None:
    with Store(url) as store, Store(url) as other:
        c = store.add_connection(conn_draft())
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
        other.remove_connection(c.id)  # another process, between two windows of a sync
        with pytest.raises(StoreError, match="no connection .* removed, perhaps by another process.*; its costs were not"):
            store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 2), [row(1, "2"), row(2, "3")])
        assert store.cost_count() == 0
        assert all(rollup_dump(store, r) == [] for r in (*rollup.ROLLUPS, *rollup.ACROSS))


def test_sqlite_checks_foreign_keys_again_after_a_windows_write(store: Store) -> None:
    c = store.add_connection(conn_draft())
    orphan = ("INSERT INTO cost (connection_id, day, week, month, project_id, api_key_id, charge_id, currency, "
              "amount_hi, amount_lo) VALUES (999, '2026-05-01', '2026-W18', '2026-05', '', '', 1, 'usd', 1, 0)")
    store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    with pytest.raises(StoreError, match="FOREIGN KEY"), store.write():
        store.db.execute_sql(orphan)
    store.remove_connection(c.id)
    with pytest.raises(StoreError, match="no connection"):  # a failed window's write: checks come back too
        store.replace_window(c.id, date(2026, 5, 1), date(2026, 5, 1), [row(1, "1")])
    with pytest.raises(StoreError, match="FOREIGN KEY"), store.write():
        store.db.execute_sql(orphan)
    with store.read():
        assert store.db.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)


def test_windows_that_held_no_rows_keep_their_months_exact(url) -> None:
    """A window with no rows before (a first sync's) takes its months' other days from ``cost_month``;
    windows out of order within a month, beside another connection's, and written again, keep every
    rollup equal to sums over ``cost``."""
    with Store(url) as store:
        a, b = store.add_connection(conn_draft("A")), store.add_connection(conn_draft("B"))
        store.replace_window(b.id, date(2026, 5, 1), date(2026, 5, 31), [row(d, f"{d}.5") for d in (1, 12, 30)])
        for first, last in ((20, 31), (1, 5), (10, 15), (6, 9), (10, 15), (16, 19)):  # (10, 15) again: it held rows
            rows = [row(d, f"0.{d}", project=p, qty=None if d % 3 else "7") for d in range(first, last + 1)
                    for p in ("proj_a", "proj_b")]
            store.replace_window(a.id, date(2026, 5, first), date(2026, 5, last), rows)
            assert all_rollups_match(store), (first, last)
        store.replace_window(a.id, date(2026, 5, 6), date(2026, 5, 9), [])  # emptied: then empty, written again
        store.replace_window(a.id, date(2026, 5, 6), date(2026, 5, 9), [row(7, "1")])
        assert all_rollups_match(store)
        kept = [d for d in range(1, 32) if not 6 <= d <= 9]
        assert store.total(connection_id=a.id) == 2 * sum(money.parse_exact(f"0.{d}") for d in kept) + money.parse_exact("1")
