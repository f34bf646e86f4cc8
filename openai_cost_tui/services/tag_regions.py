"""Tags whose rules read one dimension each, evaluated as one query per value, in SQL.

A tag like ``team`` by project divides the view's projects among its values. The labels that dimension
shows in the view are read once (a small query: a few hundred projects), each is matched to its value,
and each value becomes a filter on those labels: the store then sums the view's own dimensions for it,
by ids and from its rollups, as for any filtered pivot. The cost rows are never brought to Python one
combination of day and project at a time (2M rows, team x day over 90 days: 25k combinations).

The records are those services/tags.py would make by grouping by the rules' dimensions, added up over
what the view does not show; a value that a proportional split shares out is read by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from itertools import product
from typing import TYPE_CHECKING

from ..core.dates import DateRange, add_months
from ..core.models import Cell, Filter, PivotSpec
from ..core.tags import Matcher, Tag

if TYPE_CHECKING:
    from ..store.store import Store

MAX_REGIONS = 64  # combinations of values of the tags in one view; past that, the grouping path


def answerable(tags: list[Tag]) -> bool:
    """True when every tag's rules read exactly one dimension."""
    return bool(tags) and all(len(t.dims()) == 1 for t in tags)


def labels_by_value(store: Store, tag: Tag, base: PivotSpec, today: date) -> dict[str, tuple[str, ...]]:
    """Each value of ``tag`` (``(untagged)`` too) -> the labels of its dimension that it claims, of
    those present under ``base``'s workspace and filters in the months of its dates (read from the
    month rollups; a label with no cost on the view's own days only makes an empty query)."""
    (dim,) = tag.dims()
    matcher = Matcher(tag)
    out: dict[str, list[str]] = defaultdict(list)
    for (label,) in store.group_cells(_whole_months(base, today), [dim], today=today):
        out[matcher.value({dim: label})].append(label)
    return {value: tuple(sorted(labels)) for value, labels in out.items()}


def records(store: Store, base: PivotSpec, wanted: list[str], tags: list[Tag], today: date, *,
            splits: bool) -> list[tuple[dict[str, str], Cell]] | None:
    """(dimension and tag -> value, cell) records, or None when the view has too many combinations of
    values (the caller groups by the rules' dimensions instead)."""
    per_tag = [(tag, tag.dims()[0], labels_by_value(store, tag, base, today)) for tag in tags]
    combos = 1
    for _, _, values in per_tag:
        combos *= len(values)
    if combos > MAX_REGIONS:
        return None
    out: list[tuple[dict[str, str], Cell]] = []
    for combo in product(*(sorted(_filters(dim, values).items()) for _, dim, values in per_tag)):
        split = [tag.value(value) for (tag, _, _), (value, _) in zip(per_tag, combo, strict=True)]
        split = [v for v in split if splits and v is not None and v.split]
        dims = list(wanted)
        if any(v.split == "proportional" for v in split):  # shared out by each day's figures
            dims = list(dict.fromkeys(["day", *wanted]))
        spec = replace(base, filters=(*base.filters, *(f for _, f in combo)))
        named = {tag.name: value for (tag, _, _), (value, _) in zip(per_tag, combo, strict=True)}
        for keys, cell in store.group_cells(spec, dims, today=today).items():
            out.append(({**dict(zip(dims, keys, strict=True)), **named}, cell))
    return out


def _whole_months(spec: PivotSpec, today: date) -> PivotSpec:
    dates = spec.date_range or DateRange(today.replace(day=1), today)
    return replace(spec, date_range=DateRange(dates.start.replace(day=1),
                                              add_months(dates.end.replace(day=1), 1) - timedelta(days=1)))


def _filters(dim: str, values: dict[str, tuple[str, ...]]) -> dict[str, Filter]:
    """Each value's filter: its labels; the value with the most, as "none of the others' labels"
    (the labels are every one the view shows, so that is the same rows, with fewer ids to list)."""
    if not values:
        return {}  # no label in the view: no cost to query
    widest = max(values, key=lambda v: (len(values[v]), v))
    others = tuple(sorted(label for v, labels in values.items() if v != widest for label in labels))
    out = {v: Filter(dim, labels) for v, labels in values.items() if v != widest}
    out[widest] = Filter(dim, others, exclude=True) if others else Filter(dim, values[widest])
    return out


def day_costs(store: Store, tag: Tag, base: PivotSpec, today: date) -> dict[str, dict[str, int]]:
    """Each day's cost of each value of ``tag`` that keeps its cost, over the view's dates and
    workspace (not its other filters), summed in SQL value by value."""
    unfiltered = replace(base, filters=())
    (dim,) = tag.dims()
    keep = set(tag.targets)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for value, labels in labels_by_value(store, tag, unfiltered, today).items():
        if value not in keep:
            continue
        spec = replace(unfiltered, filters=(Filter(dim, labels),))
        for (day,), cell in store.group_cells(spec, ["day"], today=today).items():
            out[day][value] += cell.amount
    return out
