"""Pivots group projects and keys by their stored ids and name them in Python: ids that show the same
name (in two connections) are one row, with the money of both and the units of a single SQL group."""

from __future__ import annotations

from datetime import date

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, Cell, CostRow, Filter, PivotSpec, Project
from openai_cost_tui.store.store import NewConnection

DAY = date(2026, 5, 12)
TODAY = date(2026, 6, 2)


def _add(store, name: str, project_id: str, rows: list[tuple[str, int, str]]) -> int:
    conn = store.add_connection(NewConnection(name, "https://api.openai.com/v1", "env", "K", DAY))
    store.save_names(conn.id, [Project(project_id, "Search")], [ApiKeyInfo("key_" + name, "ci", project_id)])
    store.replace_window(conn.id, DAY, DAY, [
        CostRow(DAY, project_id, line, "key_" + name, "usd", amount, 10**18, unit) for line, amount, unit in rows])
    return conn.id


def test_a_name_shared_by_two_connections_is_one_row_with_the_least_and_greatest_unit(store) -> None:
    _add(store, "A", "proj_a", [("gpt-image-1 image, output", 3, "images")])
    _add(store, "B", "proj_b", [("gpt-4o-2024-08-06, input", 7, "tokens"), ("tts-1", 5, "characters")])
    for months in (DateRange(DAY, DAY), DateRange(date(2026, 5, 1), date(2026, 5, 31))):  # days, a month cube
        for dim in ("project", "api_key"):
            result = store.run_pivot(PivotSpec(rows=(dim,), cols=None, date_range=months), today=TODAY)
            name = "Search" if dim == "project" else "ci"
            assert result.row_keys == ((name,),)
            # as one GROUP BY over the name would give: 15 in all, units "characters" .. "tokens"
            assert result.row_totals[(name,)] == Cell(15, 3 * 10**18, frozenset({"characters", "tokens"}))
            only_b = store.run_pivot(PivotSpec(rows=(dim,), cols="connection", date_range=months,
                                               filters=(Filter("connection", ("B",)),)), today=TODAY)
            assert only_b.cells == {((name,), "B"): Cell(12, 2 * 10**18, frozenset({"characters", "tokens"}))}
