"""The part cube of a tag whose rules read charge dimensions: its values by project and key per part of a
week within a month (the days an ISO week and a month share, as ``cost_part_key``), for recent months.

A view by such a tag and API keys over 31 days reads November from ``tag_month_project_key``; its six
October days (one part: Monday the 26th to the 31st) would otherwise be classed over ``cost`` (143k rows
at 10M, joined and sorted: ~150 ms). ``tag_part_project_key`` holds them as one row per part, connection,
key, project and value.

It is summed from ``cost`` (a CASE of the tag's charges), so it is kept for the recent months only:
from the month holding the store's last day minus ``RECENT_DAYS`` when the tag was saved (the edges of a
view over the last 31, 60 or 90 days), and every month after as windows arrive (every month, for a tag
saved in a store with no rows yet). Saving such a tag classes
those months' rows once (~4.7 s of its ~7.3 s at 10M rows, ~0.8 of ~1.4 s at 2M); a replaced window
classes the parts it touches again, in its transaction, unless they are older. The first month kept is
recorded beside the tag's stamp in ``tag_cube`` (row ``<tag>:parts``): a view reads a part only from a
month it covers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import peewee as pw

from ..core.dates import month_id
from ..core.tags import Tag, matcher_for
from .pivot import charge_dimensions
from .rollup import part_ids, part_span

if TYPE_CHECKING:
    from .schema import Models

RECENT_DAYS = 92
EVERY_MONTH = "0001-01"  # the first month a store with no rows keeps: all of them
SUFFIX = ":parts"  # tag names are lowercase letters, digits and underscores: no tag has this in its name


def row_name(tag_name: str) -> str:
    """The name of the ``tag_cube`` row that records a tag's part cube."""
    return tag_name + SUFFIX


def row_stamp(tag_stamp: str, first_month: str) -> str:
    """What that row holds: the tag's stamp and the first month its part cube keeps."""
    return f"{tag_stamp} {first_month}"


def first_month(recorded: str | None, tag_stamp: str) -> str | None:
    """The first month a part cube keeps, from its ``tag_cube`` row, or None when the row is not of the
    tag as defined now."""
    if recorded is None:
        return None
    stamp_part, _, month = recorded.partition(" ")
    return month if stamp_part == tag_stamp and month else None


def _values(db: pw.Database, m: Models, tag: Tag) -> dict[int, str]:
    """Each charge id -> the tag's value for it (its charge dimensions as the pivot shows them)."""
    value = matcher_for(tag).value
    return {charge: value(shown) for charge, shown in charge_dimensions(db, m.Charge).items()}


def build(db: pw.Database, m: Models, tag: Tag, tag_stamp: str) -> None:
    """The part cube of ``tag`` (a tag by charge dimensions), made from every connection's recent rows
    (in the caller's transaction, after its old rows were dropped)."""
    C = m.Cost
    last = db.execute(C.select(pw.fn.MAX(C.day))).fetchone()[0]
    last = date.fromisoformat(last) if isinstance(last, str) else last
    # no rows yet (a tag defined before the first sync, or after the last connection went): every part, as
    # its windows arrive
    first = EVERY_MONTH if last is None else month_id(last - timedelta(days=RECENT_DAYS))
    _insert(db, m, tag, date.fromisoformat(f"{first}-01"), None, None)
    m.TagCube.insert(name=row_name(tag.name), stamp=row_stamp(tag_stamp, first)).execute()


def refresh(db: pw.Database, m: Models, tag: Tag, tag_stamp: str, connection_id: int, start: date | None,
            end: date | None) -> None:
    """The parts of one connection that ``start..end`` touches (every one without them), from the month the
    cube keeps on, summed again from ``cost``."""
    C, T = m.TagCube, m.TagPartProjectKey
    first = first_month(C.select(C.stamp).where(C.name == row_name(tag.name)).scalar(), tag_stamp)
    if first is None:
        return
    since = date.fromisoformat(f"{first}-01")
    mine = (T.tag == tag.name) & (T.connection == connection_id)
    if start is None or end is None:
        T.delete().where(mine & (T.month >= first)).execute()
        _insert(db, m, tag, since, None, connection_id)
        return
    lo, hi = part_span(start, end)
    lo = max(lo, since)
    if lo > hi:
        return
    months, weeks = part_ids(lo, hi)
    T.delete().where(mine & T.month.in_(months) & T.week.in_(weeks)).execute()
    _insert(db, m, tag, lo, hi, connection_id)


def _insert(db: pw.Database, m: Models, tag: Tag, lo: date, hi: date | None, connection_id: int | None) -> None:
    """The cube's rows of the days ``lo..hi`` (on from ``lo`` without ``hi``), each a part's whole days:
    one INSERT ... SELECT, the rows' charges classed by a CASE of the tag's values."""
    values = _values(db, m, tag)
    if not values:
        return
    by_value: dict[str, list[int]] = {}
    for charge, value in values.items():
        by_value.setdefault(value, []).append(charge)
    rest = max(by_value, key=lambda v: (len(by_value[v]), v))  # the value of most charges: the CASE's ELSE
    C, T = m.Cost, m.TagPartProjectKey
    whens = [(C.charge.in_(sorted(ids)), value) for value, ids in sorted(by_value.items()) if value != rest]
    value = pw.Case(None, whens, rest) if whens else pw.Value(rest)
    query = C.select(pw.Value(tag.name), C.month, C.week, C.connection, value, C.project_id, C.api_key_id,
                     C.currency, pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo)).where(C.day >= lo)
    if hi is not None:
        query = query.where(C.day <= hi)
    if connection_id is not None:
        query = query.where(C.connection == connection_id)
    classed = [value] if whens else []  # (one value for every charge: a constant, which PostgreSQL will not group)
    query = query.group_by(C.month, C.week, C.connection, *classed, C.project_id, C.api_key_id, C.currency)
    T.insert_from(query, [T.tag, T.month, T.week, T.connection, T.value, T.project_id, T.api_key_id, T.currency,
                          T.amount_hi, T.amount_lo]).execute()
