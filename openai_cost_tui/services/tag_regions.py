"""Tags whose rules read one dimension each (or one tag with cubes), evaluated in SQL.

A tag like ``team`` by project divides the view's projects among its values. The labels that dimension
shows in the view are read once (from the month rollups: a few hundred projects) and each is matched to
its value; the store then groups the view's own dimensions and the tag's value, a CASE over the fact
table's ids, in one query from its rollups. The cost rows are never brought to Python one combination
of day and project at a time (2M rows, team x day over 90 days: 25k combinations).

One tag with cubes (store/tag_cube.py: by project, key, or charge dimensions, those by several of them
included) is read from them where they answer the view.

The records are those services/tags.py would make by grouping by the rules' dimensions, added up over
what the view does not show; a value that a proportional split shares out is read by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core.dates import DateRange, add_months
from ..core.models import Cell, Classes, Filter, PivotSpec
from ..core.pivot import split_by_month, split_by_part
from ..core.tags import UNTAGGED, Tag, matcher_for

if TYPE_CHECKING:
    from ..store.store import Store



def answerable(store: Store, tags: list[Tag]) -> bool:
    """True when every tag's rules read exactly one dimension, or the view's one tag may have cubes (a
    tag whose rules read several charge dimensions: ``records`` says None when its cubes cannot answer)."""
    return bool(tags) and (all(len(t.dims()) == 1 for t in tags) or (len(tags) == 1 and store.keeps_tag_cubes(tags[0])))


def labels_by_value(store: Store, tag: Tag, base: PivotSpec, today: date) -> dict[str, tuple[str, ...]]:
    """Each value of ``tag`` (``(untagged)`` too) -> the labels of its dimension that it claims, of
    those present under ``base``'s workspace and filters in the months of its dates (read from the
    month rollups; a label with no cost on the view's own days only makes an empty query)."""
    (dim,) = tag.dims()
    matcher = matcher_for(tag)
    out: dict[str, list[str]] = defaultdict(list)
    months = _whole_months(base, today)
    labels = store.labels_shown(months, dim)
    if labels is None:
        labels = {label for (label,) in store.group_cells(months, [dim], today=today)}
    for label in labels:
        out[matcher.value({dim: label})].append(label)
    return {value: tuple(sorted(labels)) for value, labels in out.items()}


def records(store: Store, base: PivotSpec, wanted: list[str], tags: list[Tag], today: date, *,
            splits: bool) -> list[tuple[dict[str, str], Cell]] | None:
    """(dimension and tag -> value, cell) records, or None when the view's tags cannot be read this way
    (two tags with proportional splits: the caller groups by the rules' dimensions instead).

    One query groups the view's dimensions and each tag's value (a CASE over ids: core.models.Classes);
    a value a proportional split shares out is read apart, by day. One tag by project, key or charge
    dimensions is read from its cubes (store/tag_cube.py) where they answer the view; None for a tag by
    several dimensions that they do not answer."""
    if len(tags) == 1 and (found := _from_cube(store, base, wanted, tags[0], today, splits=splits)) is not None:
        return found
    if any(len(t.dims()) != 1 for t in tags):
        return None
    return _classed(store, base, wanted, tags, today, splits=splits)


def _classed(store: Store, base: PivotSpec, wanted: list[str], tags: list[Tag], today: date, *,
             splits: bool) -> list[tuple[dict[str, str], Cell]] | None:
    """``records`` read by classing the fact rows' project or key ids in SQL."""
    per_tag = [(tag, tag.dims()[0], labels_by_value(store, tag, base, today)) for tag in tags]
    by_day = [(tag, dim, tuple(sorted(label for v, labels in values.items() if _shared_by_day(tag, v, splits)
                                      for label in labels)))
              for tag, dim, values in per_tag]
    by_day = [(tag, dim, labels) for tag, dim, labels in by_day if labels]
    if len(by_day) > 1:
        return None
    classes = {tag.name: _classes(dim, values) for tag, dim, values in per_tag}
    names = [tag.name for tag in tags]
    reads = [(list(wanted), base)]
    if by_day:
        ((_, dim, labels),) = by_day
        reads = [(list(wanted), replace(base, filters=(*base.filters, Filter(dim, labels, exclude=True)))),
                 (list(dict.fromkeys(["day", *wanted])), replace(base, filters=(*base.filters, Filter(dim, labels))))]
    out: list[tuple[dict[str, str], Cell]] = []
    for dims, spec in reads:
        grouped = [*dims, *names]
        for keys, cell in store.group_cells(spec, grouped, today=today, classes=classes).items():
            out.append((dict(zip(grouped, keys, strict=True)), cell))
    return out


def _from_cube(store: Store, base: PivotSpec, wanted: list[str], tag: Tag, today: date, *,
               splits: bool) -> list[tuple[dict[str, str], Cell]] | None:
    """The records of ``records`` from the tag's cubes: from its day cube, the values a proportional split
    shares out by day and the others by the view's own dimensions; else, for a view by a charge
    dimension, its whole months from the month cube and its edge days classed as before. None when
    the cubes cannot answer the view."""
    shared = [v.name for v in tag.values if splits and v.split == "proportional"]
    reads: list[tuple[list[str], list[str] | None, bool]] = [(list(wanted), None, False)]
    if shared:
        reads = [(list(wanted), shared, True), (list(dict.fromkeys(["day", *wanted])), shared, False)]
    out: list[tuple[dict[str, str], Cell]] = []
    for dims, values, exclude in reads:
        grouped = [*dims, tag.name]
        cells = store.tag_cells(tag, base, grouped, values=values, exclude=exclude)
        if cells is None:
            return None if shared else _by_months(store, base, wanted, tag, today)
        out += [(dict(zip(grouped, keys, strict=True)), cell) for keys, cell in cells.items()]
    return out


def _by_months(store: Store, base: PivotSpec, wanted: list[str], tag: Tag,
               today: date) -> list[tuple[dict[str, str], Cell]] | None:
    """The whole months of a view with no split by day from the tag's month cube, its edge days classed."""
    if base.date_range is None or {"day", "week"} & set(wanted):
        return None
    months, edges = split_by_month(base.date_range, store.last_day())
    if not months or (edges and len(tag.dims()) != 1):  # edge days are classed by one dimension only
        return None
    grouped = [*wanted, tag.name]
    cells = store.tag_cells(tag, base, grouped, months=months)
    if cells is None:
        return None
    out = [(dict(zip(grouped, keys, strict=True)), cell) for keys, cell in cells.items()]
    last_day = store.last_day() if edges else None
    for lo, hi in edges:
        days = [(lo, hi)]
        parts, left = split_by_part(lo, hi, last_day)  # whole parts of weeks from its part cube, if it has one
        if parts and (found := store.tag_cells(tag, base, grouped, parts=parts)) is not None:
            out += [(dict(zip(grouped, keys, strict=True)), cell) for keys, cell in found.items()]
            days = left
        for a, b in days:
            edge = _classed(store, replace(base, date_range=DateRange(a, b)), wanted, [tag], today, splits=False)
            if edge is None:
                return None
            out += edge
    return out


def _shared_by_day(tag: Tag, value: str, splits: bool) -> bool:
    found = tag.value(value)
    return splits and found is not None and found.split == "proportional"


def _classes(dim: str, values: dict[str, tuple[str, ...]]) -> Classes:
    """The tag's values as classes of ``dim``'s labels: the value with the most labels as the rest (the
    labels are every one the view shows, so that is the same rows, with fewer ids to list)."""
    if not values:
        return Classes(dim, (), UNTAGGED)
    widest = max(values, key=lambda v: (len(values[v]), v))
    return Classes(dim, tuple((v, labels) for v, labels in sorted(values.items()) if v != widest), widest)


def _whole_months(spec: PivotSpec, today: date) -> PivotSpec:
    dates = spec.date_range or DateRange(today.replace(day=1), today)
    return replace(spec, quantities=False, date_range=DateRange(dates.start.replace(day=1),
                                              add_months(dates.end.replace(day=1), 1) - timedelta(days=1)))


def day_costs(store: Store, tag: Tag, base: PivotSpec, today: date) -> dict[str, dict[str, int]] | None:
    """Each day's cost of each value of ``tag`` that keeps its cost, over the view's dates and
    workspace (not its other filters), grouped by day and value in one query; None when neither the
    tag's cube nor one query can answer (its rules read several dimensions and it has no cube)."""
    unfiltered = replace(base, filters=())
    keep = set(tag.targets)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    cells = store.tag_cells(tag, unfiltered, ["day", tag.name], values=sorted(keep))
    if cells is not None:
        for (day, value), cell in cells.items():
            out[day][value] += cell.amount
        return out
    if len(tag.dims()) != 1:
        return None
    (dim,) = tag.dims()
    classes = {tag.name: _classes(dim, labels_by_value(store, tag, unfiltered, today))}
    for (day, value), cell in store.group_cells(unfiltered, ["day", tag.name], today=today, classes=classes).items():
        if value in keep:
            out[day][value] += cell.amount
    return out
