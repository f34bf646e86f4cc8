"""Compare (v) says which two periods it sets side by side, and warns when the previous one starts
before the first stored day (its figures are then partial and the change overstated)."""

from __future__ import annotations

from dataclasses import replace

from openai_cost_tui.core.report_state import DateChoice, ReportState
from openai_cost_tui.services.report_query import load_report

COMPARE = ReportState(rows=("service",), cols=None, compare=True)


def test_compare_names_both_periods_and_warns_when_the_previous_one_predates_the_store(demo_copy) -> None:
    store = demo_copy.store
    today = demo_copy.today
    first = store.first_day()
    assert first is not None and first < today
    grid = load_report(store, COMPARE, today).grid  # three months against the three before: stored
    assert grid.notes[0].startswith("previous ") and " · current " in grid.notes[0]
    assert not any("partial" in n for n in grid.notes)
    grid = load_report(store, replace(COMPARE, dates=DateChoice("ytd")), today).grid  # a year back: not stored
    assert any(f"costs are stored from {first} only: the previous period is partial" in n for n in grid.notes)


def test_first_and_last_day_of_an_empty_store_are_none(tmp_path) -> None:
    from openai_cost_tui.store.store import Store

    store = Store(str(tmp_path / "empty.db"))
    try:
        assert (store.first_day(), store.last_day()) == (None, None)
    finally:
        store.close()
