"""A window's cost rows as ``cost`` keeps them, built column by column in C (``map``, ``zip``).

A large organization sends ~140k rows a window: a Python statement per row and field is most of what
writing them costs, so each column is made by one ``map`` or ``zip`` over the whole window and only
the quantities (which may be missing) take a comprehension. Rows that share a store key (the API should
not send them) are merged the slow way, in a loop, only when there are any: the store's primary key
finds them (``Store.replace_window``), since looking for them in Python costs ~0.7 us a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import repeat
from operator import attrgetter, floordiv, lt, mod
from typing import Protocol

from ..core import money
from ..core.dates import month_id, week_id
from ..core.models import CostRow
from .convert import QTY_SCALE

_FIELDS = attrgetter("day", "project_id", "api_key_id", "line_item", "unit", "currency", "amount", "quantity")
_BLANK = {None: ""}  # ``_BLANK.get(x, x)``: a missing project or key is kept as ''
_PER_QTY = money.SCALE // QTY_SCALE  # atto-units of a quantity per qty_lo unit
_QTY_UNIT = _PER_QTY * QTY_SCALE  # atto-units of a quantity per qty_hi unit (one whole unit)

ChargeKey = tuple[str | None, str | None, bool]  # (line_item, unit, credit), as store/charges.py


class CostColumnsLike(Protocol):
    """Cost results as columns, a sequence per CostRow field (api/columns.py's CostColumns)."""

    days: Sequence[date]
    project_ids: Sequence[str | None]
    line_items: Sequence[str | None]
    api_key_ids: Sequence[str | None]
    currencies: Sequence[str]
    amounts: Sequence[int]
    quantities: Sequence[int | None]
    units: Sequence[str | None]

    def __len__(self) -> int: ...


class WindowColumns:
    """The window's rows as columns of equal length; ``merged()`` sums those that share a store key."""

    __slots__ = ("days", "projects", "keys", "charges", "currencies", "amounts", "quantities")

    def __init__(self, rows: Sequence[CostRow] | CostColumnsLike) -> None:
        if not len(rows):
            self.days = self.projects = self.keys = self.currencies = self.amounts = self.quantities = ()
            self.charges: Sequence[ChargeKey] = ()
            return
        if isinstance(rows, Sequence):
            days, projects, keys, lines, units, currencies, amounts, quantities = zip(*map(_FIELDS, rows), strict=True)
        else:  # already columns (the sync engine's): no tuple per row to take apart
            days, projects, keys, lines, units, currencies, amounts, quantities = (
                rows.days, rows.project_ids, rows.api_key_ids, rows.line_items, rows.units, rows.currencies,
                rows.amounts, rows.quantities)
        projects = tuple(map(_BLANK.get, projects, projects))
        keys = tuple(map(_BLANK.get, keys, keys))
        charges = tuple(zip(lines, units, map(lt, amounts, repeat(0)), strict=True))
        self.days, self.projects, self.keys, self.charges = days, projects, keys, charges
        self.currencies, self.amounts, self.quantities = currencies, amounts, quantities

    def merged(self) -> WindowColumns:
        """These rows with those that share a store key summed into one (itself when none do)."""
        store_keys = tuple(zip(self.days, self.projects, self.keys, self.charges, self.currencies, strict=True))
        if len(set(store_keys)) == len(store_keys):
            return self
        merged = WindowColumns(())
        (merged.days, merged.projects, merged.keys, merged.charges, merged.currencies, merged.amounts,
         merged.quantities) = _merged(store_keys, self.amounts, self.quantities)
        return merged

    def cost_rows(self, connection_id: int, charge_ids: dict[ChargeKey, int], *, as_text: bool) -> list[tuple]:
        """``rollup.COST_COLUMNS`` tuples: amounts split hi/lo, quantities scaled and split (both None
        when missing), each day's text, week and month computed once."""
        if not self.days:
            return []
        distinct = set(self.days)
        text = {d: d.isoformat() for d in distinct} if as_text else {d: d for d in distinct}
        weeks = {d: week_id(d) for d in distinct}
        months = {d: month_id(d) for d in distinct}
        quantities = self.quantities
        return list(zip(  # repeat() is endless: the other columns have the window's length
            repeat(connection_id), map(text.__getitem__, self.days), map(weeks.__getitem__, self.days),
            map(months.__getitem__, self.days), self.projects, self.keys, map(charge_ids.__getitem__, self.charges),
            self.currencies, map(floordiv, self.amounts, repeat(money.HI_UNIT)),
            map(mod, self.amounts, repeat(money.HI_UNIT)),
            [None if q is None else q // _QTY_UNIT for q in quantities],
            [None if q is None else q % _QTY_UNIT // _PER_QTY for q in quantities],
            strict=False,
        ))

    def outside(self, start: date, end: date) -> date | None:
        """The first row's day outside ``start..end``, if any."""
        if not self.days or (start <= min(self.days) and max(self.days) <= end):
            return None
        return next(d for d in self.days if not start <= d <= end)


def _merged(store_keys: tuple, amounts: tuple, quantities: tuple) -> tuple:
    """Rows that share a store key summed into one: amounts added, quantities added where present
    (None only while every one of them is missing)."""
    merged: dict[tuple, tuple[int, int | None]] = {}
    for key, amount, quantity in zip(store_keys, amounts, quantities, strict=True):
        total, qty = merged.get(key, (0, None))
        if quantity is not None:
            qty = (qty or 0) + quantity
        merged[key] = (total + amount, qty)
    days, projects, keys, charges, currencies = zip(*merged, strict=True)
    sums = tuple(merged.values())
    return days, projects, keys, charges, currencies, tuple(s[0] for s in sums), tuple(s[1] for s in sums)
