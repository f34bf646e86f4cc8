"""A pivot keeps the names of projects, keys and connections between reads while the store has not
changed (store/pivot.py ``_unchanged_since``), and shows a new name at once wherever it was written: by
another program on the same file, by the store itself, or not at all (a write rolled back)."""

from __future__ import annotations

from datetime import date

import pytest

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, PivotSpec, Project
from openai_cost_tui.store.store import NewConnection, Store

DAY = date(2026, 5, 4)
SPEC = PivotSpec(rows=("project", "api_key"), cols="connection", date_range=DateRange(DAY, DAY))


def shown(store: Store) -> set[tuple[str, str, str]]:
    result = store.run_pivot(SPEC, today=DAY)
    return {(*row, col) for row, col in result.cells}


def test_a_name_written_anywhere_shows_at_the_next_pivot(tmp_path) -> None:
    path = str(tmp_path / "costs.db")
    with Store(path) as store, Store(path) as other:
        conn = store.add_connection(NewConnection("Prod", "https://api.openai.com/v1", "env", "K", DAY))
        store.save_names(conn.id, [Project("p1", "Alpha")], [ApiKeyInfo("k1", "ci", "p1")])
        store.replace_window(conn.id, DAY, DAY, [CostRow(DAY, "p1", "gpt-4o, input", "k1", "usd", 10**18, None, None)])
        assert shown(store) == shown(store) == {("Alpha", "ci", "Prod")}
        # another connection to the file (another process alike)
        other.save_names(conn.id, [Project("p1", "Beta")], [ApiKeyInfo("k1", "deploy", "p1")])
        other.update_connection(conn.id, description="Production")
        assert shown(store) == {("Beta", "deploy", "Production")}
        # the store's own write
        store.save_names(conn.id, [Project("p1", "Gamma")], [])
        assert shown(store) == {("Gamma", "deploy", "Production")}
        # a write rolled back: what a pivot read inside it is not kept
        with pytest.raises(RuntimeError), store.write():
            store.save_names(conn.id, [Project("p1", "Delta")], [])
            assert shown(store) == {("Delta", "deploy", "Production")}
            raise RuntimeError("rolled back")
        assert shown(store) == {("Gamma", "deploy", "Production")}
