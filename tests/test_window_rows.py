"""A window's rows as ``cost`` keeps them (store/window_rows.py), built column by column, against the
definition row by row: rows that share a store key summed (a missing project or key is the same key as
''), credits kept apart from charges of the same line item, quantities summed where present and split
hi/lo exactly."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import month_id, week_id
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.store.convert import QTY_SCALE
from openai_cost_tui.store.window_rows import WindowColumns

START = date(2026, 5, 1)


def by_definition(rows: list[CostRow], charge_ids: dict) -> list[tuple]:
    merged: dict[tuple, tuple[int, int | None]] = {}
    for r in rows:
        key = (r.day, r.project_id or "", r.api_key_id or "", (r.line_item, r.unit, r.amount < 0), r.currency)
        amount, qty = merged.get(key, (0, None))
        if r.quantity is not None:
            qty = (qty or 0) + r.quantity
        merged[key] = (amount + r.amount, qty)
    per_qty = money.SCALE // QTY_SCALE
    out = []
    for (day, project, key, charge, currency), (amount, qty) in merged.items():
        hi, lo = divmod(amount, money.HI_UNIT)
        qhi, qlo = (None, None) if qty is None else divmod(qty // per_qty, QTY_SCALE)
        out.append((7, day.isoformat(), week_id(day), month_id(day), project, key, charge_ids[charge], currency,
                    hi, lo, qhi, qlo))
    return out


rows_strategy = st.lists(st.builds(
    CostRow,
    day=st.integers(0, 3).map(lambda i: START + timedelta(days=i)),
    project_id=st.sampled_from([None, "", "proj_a", "proj_b"]),
    line_item=st.sampled_from([None, "gpt-4o, input", "web search"]),
    api_key_id=st.sampled_from([None, "", "key_1"]),
    currency=st.sampled_from(["usd", "eur"]),
    amount=st.integers(-(10**27), 10**27) | st.sampled_from([0, -1, 1, 10**9 - 1, -(10**9)]),
    quantity=st.none() | st.integers(-(10**33), 10**33) | st.sampled_from([0, 10**9 - 1, -1]),
    unit=st.sampled_from([None, "tokens"]),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(rows=rows_strategy)
def test_columns_equal_the_row_by_row_definition(rows: list[CostRow]) -> None:
    charges = {(r.line_item, r.unit, r.amount < 0) for r in rows}
    charge_ids = {c: i for i, c in enumerate(sorted(charges, key=str), start=1)}
    window = WindowColumns(rows).merged()
    assert sorted(window.cost_rows(7, charge_ids, as_text=True)) == sorted(by_definition(rows, charge_ids))
    assert set(window.charges) == charges
    assert window.outside(START, START + timedelta(days=3)) is None


def test_the_first_day_outside_the_window_is_named() -> None:
    rows = [CostRow(START + timedelta(days=i), "p", "x", "k", "usd", 1) for i in (1, 5, 0, 9)]
    assert WindowColumns(rows).outside(START, START + timedelta(days=3)) == START + timedelta(days=5)
    assert WindowColumns([]).outside(START, START) is None
