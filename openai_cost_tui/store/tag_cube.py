"""Tag cubes: each value of a tag by project or API key, summed per day or month and connection.

A view by a tag whose rules read the project (``team``: Search is ``Search*`` and ``Recommendations``)
otherwise classes every row of ``cost_day_project`` with a CASE over project ids, then sorts them for
its GROUP BY: team x day over 90 days at 2M rows reads 27k rows to give 270 cells. A tag's cube holds
its values' sums instead (a tag by key likewise, from the rollups by key):

- ``tag_day``: per (day, connection, value, currency), from ``cost_day_project`` (``cost_day_key``): a view
  by the tag and days, weeks, months, organizations or connections reads one row per day, connection and
  value;
- ``tag_month``: per (month, connection, value, charge, currency), from ``cost_month``: the whole months
  of a view by the tag and a charge dimension (team x service over a year: a few thousand rows).

A tag's cubes are built when it is saved (classed in Python by the tag's own matcher: a few seconds on
10M rows) and kept exact after that in the same transaction as every change they depend on:

- a replaced window sums its days (and the whole months it touches) of its connection again;
- new or changed project (key) names class that connection's rows again;
- a removed connection takes its rows with it; a removed tag its cubes.

``tag_cube.stamp`` holds the hash of the definition the cubes were built from: a view reads them only
while the tag is defined the same way (``cells``), else it classes the rows as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from ..core.dimensions import NONE_LABEL
from ..core.models import Cell, PivotSpec
from ..core.tags import Tag, matcher_for, to_dict
from . import filters
from .bulk import insert_rows
from .locks import PG_LOCK_ID
from .pivot import _Exprs, _Names
from .rollup import CHARGE_DIMS, CONNECTION_DIMS, months_between

if TYPE_CHECKING:
    from .schema import Models
    from .store import Store

# what each cube answers besides its tag, and what it can filter by (as store/filters.py resolves it)
DAY_DIMS = frozenset({"day", "week", "month"}) | CONNECTION_DIMS
DAY_FILTERS = frozenset({"day"}) | CONNECTION_DIMS
MONTH_DIMS = CHARGE_DIMS | CONNECTION_DIMS | {"month"}
MONTH_FILTERS = CHARGE_DIMS | CONNECTION_DIMS
CUBE_LOCK_ID = PG_LOCK_ID + 1  # the advisory lock of cube writers on PostgreSQL (not the sync's)


def has_cube(tag: Tag) -> bool:
    """Whether ``tag`` gets cubes: its rules read the project, or the API key, and nothing else."""
    return tag.dims() in (("project",), ("api_key",))


# per dimension a cube classes: its name table, that table's id column, the rollups' id column, the daily rollup
_SOURCES = {"project": ("Project", "project_id", "project_id", "CostDayProject"),
            "api_key": ("ApiKey", "key_id", "api_key_id", "CostDayKey")}


def stamp(tag: Tag) -> str:
    """The hash of the tag's definition, as the store keeps it (store/tags.py)."""
    text = json.dumps(to_dict(tag), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _serialized(db: pw.Database) -> None:
    """On PostgreSQL, cube writers of a team store one after the other until the transaction ends: a tag
    saved while a sync replaces a window then reads that window's rows, or the sync refreshes the new
    tag's cube after it (else the cube could miss the window). SQLite's write lock does this already."""
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CUBE_LOCK_ID,))


def _ready(db: pw.Database, m: Models) -> bool:
    return db.table_exists(m.TagCube._meta.table_name)


def _cubes(m: Models) -> tuple[type[pw.Model], type[pw.Model]]:
    return m.TagDay, m.TagMonth


def build(db: pw.Database, m: Models, tags: Sequence[Tag]) -> None:
    """The cubes of ``tags`` made again from every connection's rows (in the caller's transaction); a tag
    whose rules read anything else loses any cube it had."""
    _serialized(db)
    db.create_tables([*_cubes(m), m.TagCube], safe=True)
    drop(db, m, [t.name for t in tags])
    for tag in tags:
        if not has_cube(tag):
            continue
        _insert_days(db, m, tag)  # every connection in one pass (their rows lie day by day, not by connection)
        _insert_months(db, m, tag)
        m.TagCube.insert(name=tag.name, stamp=stamp(tag)).execute()


def drop(db: pw.Database, m: Models, names: Iterable[str]) -> None:
    """The cubes of these tags, removed."""
    names = list(names)
    if names and _ready(db, m):
        _serialized(db)
        for T in _cubes(m):
            T.delete().where(T.tag.in_(names)).execute()
        m.TagCube.delete().where(m.TagCube.name.in_(names)).execute()


def drop_connection(db: pw.Database, m: Models, connection_id: int) -> None:
    """A removed connection's rows of every cube."""
    if _ready(db, m):
        _serialized(db)
        for T in _cubes(m):
            T.delete().where(T.connection == connection_id).execute()


def refresh(db: pw.Database, m: Models, connection_id: int, start: date | None = None, end: date | None = None,
            *, as_text: bool) -> None:
    """Every cube's days ``start..end`` and the whole months they touch (everything without them) of one
    connection, summed again from its rollups (just refreshed, in the same transaction)."""
    _serialized(db)  # before reading which tags have cubes: one being built now is then seen
    tags = _built(db, m)
    if not tags:
        return
    D, M = _cubes(m)
    names = {dim: _names(db, m, dim, connection_id) for dim in {t.dims()[0] for t in tags}}
    span = None if start is None or end is None else ((start.isoformat(), end.isoformat()) if as_text else (start, end))
    months = None if start is None or end is None else months_between(start, end)
    for tag in tags:
        days = D.delete().where((D.tag == tag.name) & (D.connection == connection_id))
        whole = M.delete().where((M.tag == tag.name) & (M.connection == connection_id))
        if span is not None:
            days, whole = days.where((D.day >= span[0]) & (D.day <= span[1])), whole.where(M.month.in_(months))
        days.execute()
        whole.execute()
        _insert_days(db, m, tag, connection_id, span, names[tag.dims()[0]])
        _insert_months(db, m, tag, connection_id, months, names[tag.dims()[0]])


def _built(db: pw.Database, m: Models) -> list[Tag]:
    """The tags with cubes, as defined now (a cube whose tag is gone or changed is left unread)."""
    if not _ready(db, m):
        return []
    from .tags import stored_tags

    built_from = dict(db.execute(m.TagCube.select(m.TagCube.name, m.TagCube.stamp)))
    return [tag for tag in stored_tags(db, m) if has_cube(tag) and built_from.get(tag.name) == stamp(tag)]


def _names(db: pw.Database, m: Models, dim: str, connection_id: int | None) -> dict[tuple[int, str], str]:
    """(connection, project or key id) -> its non-empty name, of one connection or of all."""
    model, ident, _, _ = _SOURCES[dim]
    P = getattr(m, model)
    query = P.select(P.connection, getattr(P, ident), P.name)
    if connection_id is not None:
        query = query.where(P.connection == connection_id)
    return {(conn, pid): name for conn, pid, name in db.execute(query) if name}


def _classer(tag: Tag, names: dict[tuple[int, str], str]):
    """(connection, project or key id) -> the tag's value of the label it shows (matched once per pair)."""
    matcher = matcher_for(tag)
    (dim,) = tag.dims()
    value_of: dict[tuple[int, str], str] = {}

    def value(pair: tuple[int, str]) -> str:
        found = value_of.get(pair)
        if found is None:
            found = value_of[pair] = matcher.value({dim: names.get(pair) or pair[1] or NONE_LABEL})
        return found

    return value_of, value


def _insert_days(db: pw.Database, m: Models, tag: Tag, connection_id: int | None = None, span: tuple | None = None,
                 names: dict[tuple[int, str], str] | None = None) -> None:
    """The tag's day rows of one connection (every one without it), over ``span`` (every day without it)."""
    (dim,) = tag.dims()
    _, _, column, daily = _SOURCES[dim]
    S = getattr(m, daily)
    query = S.select(S.day, S.connection, S.currency, S.week, S.month, getattr(S, column), S.amount_hi, S.amount_lo)
    if connection_id is not None:
        query = query.where(S.connection == connection_id)
    if span is not None:
        query = query.where((S.day >= span[0]) & (S.day <= span[1]))
    _write(db, m.TagDay, ("day", "connection_id", "value", "currency", "week", "month"), tag, query,
           _names(db, m, dim, connection_id) if names is None else names)


def _insert_months(db: pw.Database, m: Models, tag: Tag, connection_id: int | None = None,
                   months: list[str] | None = None, names: dict[tuple[int, str], str] | None = None) -> None:
    """The tag's month rows of one connection (every one without it), over ``months`` (all without them)."""
    (dim,) = tag.dims()
    S = m.CostMonth
    query = S.select(S.month, S.connection, S.charge, S.currency, getattr(S, _SOURCES[dim][2]), S.amount_hi,
                     S.amount_lo)
    if connection_id is not None:
        query = query.where(S.connection == connection_id)
    if months is not None:
        query = query.where(S.month.in_(months))
    _write(db, m.TagMonth, ("month", "connection_id", "value", "charge_id", "currency"), tag, query,
           _names(db, m, dim, connection_id) if names is None else names)


def _write(db: pw.Database, table: type[pw.Model], columns: tuple[str, ...], tag: Tag, query: pw.ModelSelect,
           names: dict[tuple[int, str], str]) -> None:
    """``query``'s rows (a period, the connection, the rest of the key, then the id the tag classes and the
    two amounts) summed by (period, connection, the tag's value, the rest), inserted into ``table`` under
    ``columns`` in that order, which is its key's: ~1 us a row."""
    value_of, value = _classer(tag, names)
    get, sums = value_of.get, {}
    for row in db.execute(query):
        pair = (row[1], row[-3])
        key = (row[0], row[1], get(pair) or value(pair), *row[2:-3])
        found = sums.get(key)
        if found is None:
            sums[key] = [row[-2], row[-1]]
        else:
            found[0] += row[-2]
            found[1] += row[-1]
    rows = sorted((tag.name, *key, hi, lo) for key, (hi, lo) in sums.items())
    if rows:
        insert_rows(db, f'"{table._meta.table_name}"', ("tag", *columns, "amount_hi", "amount_lo"), rows)


def cells(store: Store, tag: Tag, spec: PivotSpec, dims: Sequence[str], *, values: Sequence[str] | None = None,
          exclude: bool = False, months: Sequence[str] | None = None) -> dict[tuple[str, ...], Cell] | None:
    """Cost by each combination of ``dims`` (the tag's name among them) under ``spec``'s dates, currency,
    workspace and filters, read from the tag's day cube, or with ``months`` those whole months from its
    month cube: ``values`` (or all but them, ``exclude``) of the tag only. None when the cube cannot
    answer (no cube, a changed tag, a dimension or filter it lacks, a view that wants quantities: the
    cubes keep amounts only, as a cost view asks for them)."""
    other = [d for d in dims if d != tag.name]
    allowed, allowed_filters = (DAY_DIMS, DAY_FILTERS) if months is None else (MONTH_DIMS, MONTH_FILTERS)
    if spec.quantities or not has_cube(tag) or tag.name not in dims or any(d not in allowed for d in other) \
            or any(f.dim not in allowed_filters for f in spec.filters) or (months is None and spec.date_range is None):
        return None
    m, db = store.m, store.db
    T = m.TagDay if months is None else m.TagMonth
    with store.read():
        if not _ready(db, m) or m.TagCube.select(m.TagCube.stamp).where(m.TagCube.name == tag.name).scalar() \
                != stamp(tag):
            return None
        shown = _Exprs(store, T).expr if months is not None else {}  # the charge's labels, as the pivot's
        column = {tag.name: T.value, **{d: T.connection for d in CONNECTION_DIMS},
                  **({d: getattr(T, d) for d in ("day", "week", "month")} if months is None
                     else {"month": T.month, **{d: T.charge for d in CHARGE_DIMS}})}
        selected = [column[d] for d in dims]
        query = T.select(*selected, pw.fn.SUM(T.amount_hi), pw.fn.SUM(T.amount_lo)).where(
            (T.tag == tag.name) & (T.currency == spec.currency))
        if months is None:
            query = query.where((T.day >= spec.date_range.start) & (T.day <= spec.date_range.end))
        else:
            query = query.where(T.month.in_(list(months)))
        for f in spec.filters:
            query = query.where(filters.resolve(store, T, f, shown))
        if spec.workspace:
            query = query.where(T.connection.in_(store.workspace_members(spec.workspace)))
        if values is not None:
            query = query.where(T.value.not_in(list(values)) if exclude else T.value.in_(list(values)))
        rows = db.execute(query.group_by(*dict.fromkeys(selected))).fetchall()
        labels = _labels(store, shown, [d for d in other if d in CONNECTION_DIMS or d in CHARGE_DIMS])
    out: dict[tuple[str, ...], Cell] = {}
    for *keys, hi, lo in rows:
        key = tuple(labels[d][k] if d in labels else _text(k) for d, k in zip(dims, keys, strict=True))
        amount = int(hi) * money.HI_UNIT + int(lo)
        out[key] = Cell(out[key].amount + amount) if key in out else Cell(amount)
    return out


def _labels(store: Store, shown: dict[str, pw.Node], dims: list[str]) -> dict[str, dict[int, str]]:
    """Each of ``dims`` (connection or charge dimensions): stored id -> the label it shows."""
    out: dict[str, dict[int, str]] = {}
    charge_dims = [d for d in dims if d in CHARGE_DIMS]
    if charge_dims:
        Ch = store.m.Charge
        rows = store.db.execute(Ch.select(Ch.id, *(shown[d] for d in charge_dims))).fetchall()
        for i, d in enumerate(charge_dims, start=1):
            out[d] = {row[0]: row[i] for row in rows}
    names = _Names(store)
    out.update({d: names._map(d) for d in dims if d in CONNECTION_DIMS})  # as the pivot names them
    return out


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
