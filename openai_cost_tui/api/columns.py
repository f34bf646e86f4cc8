"""Cost results as columns: one list per field of CostRow, in CostRow's order, no object per row.

A large organization sends ~4,000 results a day; a page's results parsed into columns and a
window's pages joined column by column (``list.extend``, in C) cost a fraction of one CostRow each.
``rows()`` gives the same results as CostRow objects, for callers that want them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from operator import attrgetter

from ..core.models import CostRow

FIELDS = ("days", "project_ids", "line_items", "api_key_ids", "currencies", "amounts", "quantities", "units")
_ROW_FIELDS = attrgetter("day", "project_id", "line_item", "api_key_id", "currency", "amount", "quantity", "unit")


class CostColumns:
    """The fields of many cost results, a list per field (``days[i]``, ``amounts[i]``... are result i)."""

    __slots__ = FIELDS
    days: list[date]
    project_ids: list[str | None]
    line_items: list[str | None]
    api_key_ids: list[str | None]
    currencies: list[str]
    amounts: list[int]
    quantities: list[int | None]
    units: list[str | None]

    def __init__(self) -> None:
        for name in FIELDS:
            setattr(self, name, [])

    @classmethod
    def from_rows(cls, rows: Iterable[CostRow]) -> CostColumns:
        columns = cls()
        columns.add_rows(rows)
        return columns

    def __len__(self) -> int:
        return len(self.days)

    def columns(self) -> tuple[list, ...]:
        """Every column, in CostRow's field order."""
        return (self.days, self.project_ids, self.line_items, self.api_key_ids, self.currencies, self.amounts,
                self.quantities, self.units)

    def add(self, *columns: Sequence) -> None:
        """Append results given as columns of equal length, in CostRow's field order."""
        for mine, more in zip(self.columns(), columns, strict=True):
            mine.extend(more)

    def add_rows(self, rows: Iterable[CostRow]) -> None:
        fields = tuple(zip(*map(_ROW_FIELDS, rows), strict=True))
        if fields:
            self.add(*fields)

    def extend(self, other: CostColumns) -> None:
        self.add(*other.columns())

    def rows(self) -> list[CostRow]:
        return [CostRow(*fields) for fields in zip(*self.columns(), strict=True)]
