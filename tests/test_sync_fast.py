"""The engine's walks over a window's rows (reconciliation sums, repeated rows, rows outside the
window) give what a row-by-row walk gives, whatever the order of the rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.api.parse import CostsPage
from openai_cost_tui.core.errors import ProtocolError
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.sync.engine import RECONCILE_TOLERANCE, SyncEngine, _Run, reconcile

START = date(2026, 3, 1)

ROWS = st.lists(st.builds(
    CostRow,
    day=st.integers(0, 3).map(lambda n: START + timedelta(days=n)),
    project_id=st.sampled_from([None, "p1", "p2"]),
    line_item=st.sampled_from([None, "a"]),
    api_key_id=st.sampled_from([None, "", "k1"]),
    currency=st.sampled_from(["usd", "eur"]),
    amount=st.integers(-(10**15), 10**15),
), max_size=30)


def row_by_row(rows, totals):
    grouped, ungrouped = defaultdict(int), defaultdict(int)
    for row in rows:
        grouped[(row.day, row.currency)] += row.amount
    for row in totals:
        ungrouped[(row.day, row.currency)] += row.amount
    return [(k[0], k[1], grouped[k], ungrouped[k]) for k in sorted(grouped.keys() | ungrouped.keys())
            if abs(grouped[k] - ungrouped[k]) > RECONCILE_TOLERANCE]


@settings(max_examples=200, deadline=None)
@given(ROWS, ROWS, st.booleans())
def test_reconcile_sums_rows_in_any_order(rows, totals, shuffle) -> None:
    if shuffle:  # days and currencies interleaved, not one run per day
        rows = rows[::2] + rows[1::2]
    assert reconcile(rows, totals) == row_by_row(rows, totals)


class Pages:
    def __init__(self, *pages: CostsPage) -> None:
        self.pages = pages

    def iter_cost_pages(self, query):
        yield from self.pages


def fetch(rows: list[CostRow], days: list[date]):
    run = _Run(SimpleNamespace(id=1, description="x"), lambda p: None)
    engine = SyncEngine.__new__(SyncEngine)
    return engine._fetch(Pages(CostsPage(rows, days, None, False)), run, (days[0], days[-1]), (), days[-1] + timedelta(days=1))


def row(day: date, amount: int = 1) -> CostRow:
    return CostRow(day, "p", "a", "k", "usd", amount)


def test_a_row_outside_the_window_fails_it_naming_the_first_such_day() -> None:
    days = [START + timedelta(days=n) for n in range(3)]
    assert fetch([row(days[2]), row(days[0])], days) == [row(days[2]), row(days[0])]
    late, early = days[2] + timedelta(days=5), days[0] - timedelta(days=1)
    with pytest.raises(ProtocolError, match=f"costs for {late}, outside the requested {days[0]}..{days[2]}"):
        fetch([row(days[1]), row(late), row(early)], days)
    with pytest.raises(ProtocolError, match=f"costs for {early}, outside"):
        fetch([row(early), row(late)], days)
