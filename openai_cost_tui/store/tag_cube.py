"""Tag cubes: each value of a tag by project, API key or charge dimensions, summed per day or month.

A view by a tag whose rules read the project (``team``: Search is ``Search*`` and ``Recommendations``)
otherwise classes every row of ``cost_day_project`` with a CASE over project ids, then sorts them for
its GROUP BY: team x day over 90 days at 2M rows reads 27k rows to give 270 cells. A tag's cube holds
its values' sums instead (a tag by key likewise, from the rollups by key; a tag whose rules read only
charge dimensions, ``workload``: Generation is service ``Chats*`` or ``Images``, from those by charge):

- ``tag_day``: per (day, connection, value, currency), from ``cost_day_project`` (``cost_day_key``,
  ``cost_day_charge``): a view by the tag and days, weeks, months, organizations or connections reads one
  row per day, connection and value;
- ``tag_month``: per (month, connection, value, charge, currency), from ``cost_month``
  (``cost_month_charge``): the whole months of a view by the tag and a charge dimension (team x service
  over a year: a few thousand rows);
- ``tag_month_project_key``, for a tag by charge dimensions only: per (month, connection, value, project,
  key, currency), from ``cost_month``: the whole months of a view by the tag and projects or keys
  (workload x project over a year at 10M rows: 70k rows read instead of 346k classed by a CASE).

A tag's cubes are built when it is saved (classed in Python by the tag's own matcher: a few seconds on
10M rows) and kept exact after that in the same transaction as every change they depend on:

- a replaced window sums its days (and the whole months it touches) of its connection again;
- new or changed project (key) names class that connection's rows again (a tag by charge dimensions
  keeps ids, named as a view reads them: names change none of its rows);
- a removed connection takes its rows with it; a removed tag its cubes.

``tag_cube.stamp`` holds the hash of the definition the cubes were built from: a view reads them only
while the tag is defined the same way (``cells``), else it classes the rows as before.

One more ``tag_day`` cube belongs to no tag: ``KEY_LABELS``, the names API keys show, whose value is the
key's label itself, and its ``tag_month`` twin, kept while many keys share names (``keep_key_labels``).
API key x day over 31 days at 2M rows (1,055 keys, 20 names) then reads 651
rows instead of 31k of ``cost_day_key`` (store/pivot.py). Where keys have names of their own, the cube
would be as large as ``cost_day_key`` and cost each sync for nothing: it is not kept, or dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import repeat
from operator import add, mul
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from ..core.dates import DateRange
from ..core.dimensions import NONE_LABEL
from ..core.models import Cell, PivotSpec
from ..core.tags import Rule, Tag, TagValue, matcher_for, to_dict
from . import filters, tag_parts
from .bulk import insert_rows
from .columns import columns as result_columns
from .filters import NAMED
from .locks import PG_LOCK_ID
from .pivot import _Exprs, _Names, _parts, charge_dimensions
from .rollup import CHARGE_DIMS, CONNECTION_DIMS, months_between

if TYPE_CHECKING:
    from .schema import Models
    from .store import Store

# what each cube answers besides its tag, and what it can filter by (as store/filters.py resolves it)
DAY_DIMS = frozenset({"day", "week", "month"}) | CONNECTION_DIMS
DAY_FILTERS = frozenset({"day"}) | CONNECTION_DIMS
MONTH_DIMS = CHARGE_DIMS | CONNECTION_DIMS | {"month"}
MONTH_FILTERS = CHARGE_DIMS | CONNECTION_DIMS
OWNER_DIMS = frozenset({"project", "api_key", "month"}) | CONNECTION_DIMS  # tag_month_project_key's
OWNER_FILTERS = frozenset({"project", "api_key"}) | CONNECTION_DIMS
CUBE_LOCK_ID = PG_LOCK_ID + 1  # the advisory lock of cube writers on PostgreSQL (not the sync's)
CHARGE = "charge"  # the kind of a tag whose rules read charge dimensions only: its value is one per charge
# the cube of the names keys show (no tag: a name no tag may have, tag names being lowercase letters, digits
# and underscores: core/tags.check_tag_name); its value is the key's label
KEY_LABELS = Tag("(key labels)", (TagValue("(label)", (Rule((("api_key", ("*",)),)),)),))
KEY_LABEL_SHARE = 4  # kept while the store's keys show at most one label for every 4 keys


def kind(tag: Tag) -> str | None:
    """What a tag's cubes class: ``project`` or ``api_key`` (its rules read that and nothing else),
    ``charge`` (they read charge dimensions only: service, category ...), or None (no cube)."""
    dims = tag.dims()
    if dims in (("project",), ("api_key",)):
        return dims[0]
    return CHARGE if dims and set(dims) <= CHARGE_DIMS else None


def has_cube(tag: Tag) -> bool:
    """Whether ``tag`` gets cubes (``kind``)."""
    return kind(tag) is not None


@dataclass(frozen=True)
class _Source:
    """Where one kind of tag's cubes are summed from: the daily rollup, the month table with a charge, and
    the rollups' column that the tag classes."""

    daily: str
    monthly: str
    column: str


_SOURCES = {"project": _Source("CostDayProject", "CostMonth", NAMED["project"][2]),
            "api_key": _Source("CostDayKey", "CostMonth", NAMED["api_key"][2]),
            CHARGE: _Source("CostDayCharge", "CostMonthCharge", "charge_id")}


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


def _cubes(m: Models) -> tuple[type[pw.Model], ...]:
    return m.TagDay, m.TagMonth, m.TagMonthProjectKey


def build(db: pw.Database, m: Models, tags: Sequence[Tag]) -> None:
    """The cubes of ``tags`` made again from every connection's rows (in the caller's transaction); a tag
    whose rules read anything else loses any cube it had."""
    _serialized(db)
    db.create_tables([*_cubes(m), m.TagPartProjectKey, m.TagCube], safe=True)
    drop(db, m, [t.name for t in tags])
    for tag in tags:
        if not has_cube(tag):
            continue
        _insert(db, m, tag, _labeler(db, m, kind(tag), None))  # every connection in one pass
        m.TagCube.insert(name=tag.name, stamp=stamp(tag)).execute()
        if kind(tag) == CHARGE:
            tag_parts.build(db, m, tag, stamp(tag))


def build_parts(db: pw.Database, m: Models) -> None:
    """The part cubes of the store's tags by charge dimensions, made again (a store from before schema 15,
    whose other cubes stand)."""
    if _ready(db, m):
        _serialized(db)
        for tag in _built(db, m):
            if kind(tag) == CHARGE:
                T, C = m.TagPartProjectKey, m.TagCube
                T.delete().where(T.tag == tag.name).execute()
                C.delete().where(C.name == tag_parts.row_name(tag.name)).execute()
                tag_parts.build(db, m, tag, stamp(tag))


def reclassified(db: pw.Database, m: Models) -> None:
    """The cubes of tags by charge dimensions made again after the charges' dimensions were derived anew
    (a rules change: their labels, which those cubes are classed by, may have moved)."""
    if _ready(db, m):
        build(db, m, [t for t in _built(db, m) if kind(t) == CHARGE])


def drop(db: pw.Database, m: Models, names: Iterable[str]) -> None:
    """The cubes of these tags, removed."""
    names = list(names)
    if names and _ready(db, m):
        _serialized(db)
        for T in _with_parts(db, m):
            T.delete().where(T.tag.in_(names)).execute()
        m.TagCube.delete().where(m.TagCube.name.in_([*names, *map(tag_parts.row_name, names)])).execute()


def drop_connection(db: pw.Database, m: Models, connection_id: int) -> None:
    """A removed connection's rows of every cube."""
    if _ready(db, m):
        _serialized(db)
        for T in _with_parts(db, m):
            T.delete().where(T.connection == connection_id).execute()


def refresh(db: pw.Database, m: Models, connection_id: int, start: date | None = None, end: date | None = None,
            *, as_text: bool, kinds: Iterable[str] | None = None) -> None:
    """Every cube's days ``start..end`` and the whole months they touch (everything without them) of one
    connection, summed again from its rollups (just refreshed, in the same transaction); with ``kinds``,
    only the cubes of tags of those kinds (the ones new names change)."""
    _serialized(db)  # before reading which tags have cubes: one being built now is then seen
    tags = [t for t in _built(db, m) if kinds is None or kind(t) in kinds]
    if not tags:
        return
    labelers = {k: _labeler(db, m, k, connection_id) for k in {kind(t) for t in tags}}
    span = None if start is None or end is None else ((start.isoformat(), end.isoformat()) if as_text else (start, end))
    months = None if start is None or end is None else months_between(start, end)
    for tag in tags:
        D, *by_month = _cubes(m) if kind(tag) == CHARGE else _cubes(m)[:2]
        for T in by_month:
            whole = T.delete().where((T.tag == tag.name) & (T.connection == connection_id))
            (whole if months is None else whole.where(T.month.in_(months))).execute()
        days = D.delete().where((D.tag == tag.name) & (D.connection == connection_id))
        (days if span is None else days.where((D.day >= span[0]) & (D.day <= span[1]))).execute()
        _insert(db, m, tag, labelers[kind(tag)], connection_id, span, months)
        if kind(tag) == CHARGE:
            tag_parts.refresh(db, m, tag, stamp(tag), connection_id, start, end)


def _with_parts(db: pw.Database, m: Models) -> tuple[type[pw.Model], ...]:
    """The cubes, and the part cube where the store has it (a store whose cubes a schema before 15 made
    gets it when it migrates)."""
    return (*_cubes(m), *((m.TagPartProjectKey,) if db.table_exists(m.TagPartProjectKey._meta.table_name) else ()))


def _built(db: pw.Database, m: Models) -> list[Tag]:
    """The tags with cubes, as defined now (a cube whose tag is gone or changed is left unread)."""
    if not _ready(db, m):
        return []
    from .tags import stored_tags

    built_from = dict(db.execute(m.TagCube.select(m.TagCube.name, m.TagCube.stamp)))
    tags = [*stored_tags(db, m), KEY_LABELS]
    return [tag for tag in tags if has_cube(tag) and built_from.get(tag.name) == stamp(tag)]


def keep_key_labels(db: pw.Database, m: Models) -> None:
    """Build the cube of key labels where the store's keys share names now (at most one label for every
    ``KEY_LABEL_SHARE`` keys), drop it where they stopped (more than one for every ``KEY_LABEL_SHARE - 1``:
    a store between the two keeps what it has, so a ratio that wavers does not rebuild it at every sync).
    Run after new key names or a removed connection, in their transaction: a count of the ``api_key`` rows."""
    K, C = m.ApiKey, m.TagCube
    named = pw.fn.NULLIF(K.name, "")
    keys, labels = 0, 0
    for count, distinct_names, unnamed in db.execute(
            K.select(pw.fn.COUNT(K.key_id), pw.fn.COUNT(named.distinct()), pw.fn.COUNT(K.key_id) - pw.fn.COUNT(named))
            .group_by(K.connection)):
        keys, labels = keys + count, labels + distinct_names + unnamed
    found = db.execute(C.select(C.stamp).where(C.name == KEY_LABELS.name)).fetchall() if _ready(db, m) else []
    built = [s for (s,) in found] == [stamp(KEY_LABELS)]
    if keys and labels * KEY_LABEL_SHARE <= keys and not built:
        build(db, m, [KEY_LABELS])
    elif found and (not built or not keys or labels * (KEY_LABEL_SHARE - 1) > keys):
        drop(db, m, [KEY_LABELS.name])  # (rows of an older definition too)


Labeler = Callable[[tuple[int, object]], dict[str, str]]


def _labeler(db: pw.Database, m: Models, tag_kind: str, connection_id: int | None) -> Labeler:
    """(connection, the id a tag classes) -> what its dimensions show there, as the pivot shows them: a
    project's or key's non-empty name, else the id, else "(none)"; a charge's service, category ..."""
    if tag_kind == CHARGE:
        charges = charge_dimensions(db, m.Charge)
        return lambda pair: charges[pair[1]]
    model, ident, _ = NAMED[tag_kind]  # its name table and that table's id column
    P = getattr(m, model)
    query = P.select(P.connection, getattr(P, ident), P.name)
    if connection_id is not None:
        query = query.where(P.connection == connection_id)
    names = {(conn, pid): name for conn, pid, name in db.execute(query) if name}
    return lambda pair: {tag_kind: names.get(pair) or pair[1] or NONE_LABEL}


def _insert(db: pw.Database, m: Models, tag: Tag, labels: Labeler, connection_id: int | None = None,
            span: tuple | None = None, months: list[str] | None = None) -> None:
    """The tag's cube rows of one connection (every one without it): its days over ``span`` and its
    months in ``months`` (all of them without either)."""
    source = _SOURCES[kind(tag)]
    S = getattr(m, source.daily)
    query = S.select(S.day, S.connection, S.currency, S.week, S.month, getattr(S, source.column), S.amount_hi,
                     S.amount_lo)
    if span is not None:
        query = query.where((S.day >= span[0]) & (S.day <= span[1]))
    _write(db, m.TagDay, ("day", "connection_id", "value", "currency", "week", "month"), tag,
           _of(query, S, connection_id), labels)
    S = getattr(m, source.monthly)
    reads = [(m.TagMonth, ("month", "connection_id", "value", "charge_id", "currency"),
              S.select(S.month, S.connection, S.charge, S.currency, getattr(S, source.column), S.amount_hi,
                       S.amount_lo))]
    if kind(tag) == CHARGE:  # and by project and key, from cost_month
        C = m.CostMonth
        reads.append((m.TagMonthProjectKey, ("month", "connection_id", "value", "project_id", "api_key_id", "currency"),
                      C.select(C.month, C.connection, C.project_id, C.api_key_id, C.currency, C.charge, C.amount_hi,
                               C.amount_lo)))
    for table, columns, query in reads:
        T = query.model
        if months is not None:
            query = query.where(T.month.in_(months))
        _write(db, table, columns, tag, _of(query, T, connection_id), labels)


def _of(query: pw.ModelSelect, source: type[pw.Model], connection_id: int | None) -> pw.ModelSelect:
    return query if connection_id is None else query.where(source.connection == connection_id)


def _write(db: pw.Database, table: type[pw.Model], columns: tuple[str, ...], tag: Tag, query: pw.ModelSelect,
           labels: Labeler) -> None:
    """``query``'s rows (a period, the connection, the rest of the key, then the id the tag classes and the
    two amounts) summed by (period, connection, the tag's value, the rest), inserted into ``table`` under
    ``columns`` in that order, which is its key's: ~1 us a row. Each (connection, id) is matched once."""
    classify = (lambda shown: shown["api_key"]) if tag.name == KEY_LABELS.name else matcher_for(tag).value
    value_of: dict[tuple[int, object], str] = {}
    get, sums = value_of.get, {}
    for row in db.execute(query):
        pair = (row[1], row[-3])
        value = get(pair)
        if value is None:
            value = value_of[pair] = classify(labels(pair))
        key = (row[0], row[1], value, *row[2:-3])
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
          exclude: bool = False, months: Sequence[str] | None = None,
          parts: Sequence[tuple[str, str]] | None = None) -> dict[tuple[str, ...], Cell] | None:
    """Cost by each combination of ``dims`` (the tag's name among them) under ``spec``'s dates, currency,
    workspace and filters, read from the tag's day cube, or with ``months`` those whole months from its
    month cube (by charge, or for a tag by charge dimensions by project and key), or with ``parts`` those
    (month, week) parts from its part cube (a tag by charge dimensions: store/tag_parts.py): ``values``
    (or all but them, ``exclude``) of the tag only. None when the cube cannot answer (no cube, a changed
    tag, a dimension or filter it lacks, a part older than its part cube keeps, a view that wants
    quantities: the cubes keep amounts only, as a cost view asks for them)."""
    if spec.quantities or not has_cube(tag) or tag.name not in dims \
            or (months is None and parts is None and spec.date_range is None):
        return None
    other = [d for d in dims if d != tag.name]
    m, db = store.m, store.db
    T = _table(m, tag, other, [f.dim for f in spec.filters], months is not None, parts is not None)
    if T is None:
        return None
    with store.read():
        if not _ready(db, m):
            return None
        C = m.TagCube
        built_as = tag.name if parts is None else tag_parts.row_name(tag.name)  # the tag_cube row read below
        expected = C.select(C.stamp).where(C.name == built_as).scalar()
        if parts is None and expected != stamp(tag):
            return None
        if parts is not None and ((first := tag_parts.first_month(expected, stamp(tag))) is None
                                  or any(month < first for month, _ in parts)):
            return None
        shown = _Exprs(store, T).expr if T is m.TagMonth else {}  # the charge's labels, as the pivot's
        column = {tag.name: [T.value], **{d: [T.connection] for d in CONNECTION_DIMS},
                  **{d: [getattr(T, d)] for d in ("day", "week", "month") if d in T._meta.fields},
                  **{d: [T.charge] for d in CHARGE_DIMS if "charge" in T._meta.fields},
                  **{d: [T.connection, getattr(T, NAMED[d][2])] for d in NAMED if NAMED[d][2] in T._meta.fields}}
        selected = [col for d in dims for col in column[d]]
        query = T.select(*selected, pw.fn.SUM(T.amount_hi), pw.fn.SUM(T.amount_lo)).where(
            (T.tag == tag.name) & (T.currency == spec.currency))
        if parts is not None:
            query = query.where(_parts(T, list(parts)))
        elif months is None:
            query = query.where((T.day >= spec.date_range.start) & (T.day <= spec.date_range.end))
        else:
            query = query.where(T.month.in_(list(months)))
        for f in spec.filters:
            query = query.where(filters.resolve(store, T, f, shown))
        if spec.workspace:
            query = query.where(T.connection.in_(store.workspace_members(spec.workspace)))
        if values is not None:
            query = query.where(T.value.not_in(list(values)) if exclude else T.value.in_(list(values)))
        # and, in the same statement (one snapshot), whether the cube is still the tag's: a writer may drop
        # or rebuild it after the check above (a sync whose keys stopped sharing names drops theirs)
        still = C.select(*[pw.SQL("NULL")] * len(selected), pw.Case(None, [(C.stamp == expected, 1)], 0),
                         pw.SQL("NULL")).where(C.name == built_as)
        columns = result_columns(store, query.group_by(*dict.fromkeys(selected)).union_all(still))
        marks = [j for j, last in enumerate(columns[-1])
                 if last is None and all(column[j] is None for column in columns[:-2])]
        if [columns[-2][j] for j in marks] != [1]:
            return None  # dropped or changed meanwhile: the view is read without the cube
        for column in columns:
            del column[marks[0]]
        names = _Names(store)
        labels = _labels(names, other)
        for d in other:
            if d in NAMED:
                names._map(d)  # read here, inside the transaction
    if not columns[-1]:
        return {}
    # a column at a time, the loops in C (10M rows, a tag by service x API key: ~5k rows of its month cube
    # by key, ~2.5x less time than naming and adding them row by row; read as columns: store/columns.py);
    # pairs that show one label added up
    keys, i = [], 0
    for d in dims:
        if d in NAMED:  # (connection, id) pairs: the name, else the id, else "(none)"
            idents = columns[i + 1]
            shown = list(map(names._map(d).get, zip(columns[i], idents, strict=True), idents))
            keys.append([label or NONE_LABEL for label in shown] if "" in shown or None in shown else shown)
            i += 2
        elif d == tag.name or d in ("week", "month"):  # stored as the text shown (10M rows: ~5k a view)
            keys.append(columns[i])
            i += 1
        else:
            keys.append(list(map(labels[d].__getitem__ if d in labels else _text, columns[i])))
            i += 1
    amounts = map(add, map(mul, map(int, columns[-2]), repeat(money.HI_UNIT)), map(int, columns[-1]))
    sums: dict[tuple[str, ...], int] = {}
    get = sums.get
    for key, amount in zip(zip(*keys, strict=True), amounts, strict=True):
        sums[key] = get(key, 0) + amount
    return dict(zip(sums, map(Cell, sums.values()), strict=True))


def key_label_cells(store: Store, spec: PivotSpec, date_range: DateRange, group_dims: list[str], n_rows: int,
                    months: list[str] | None = None) -> list[tuple[tuple[str, ...], str, Cell]] | None:
    """A cost view by API key read from the cube of key labels, as the pivot reads its tables (store/pivot.py):
    (the first ``n_rows`` labels, the next one or "", cell) per group. Without ``months``, a day-binned
    view (days or weeks, organizations or connections beside) over ``date_range``; with them, those whole
    months of a view by key and charge dimensions (by service: ~23k rows at 2M instead of 69k of
    ``cost_month``). None where the cube cannot answer: none kept, quantities, other dimensions or
    filters, or more than one filter by key."""
    by_key = [f for f in spec.filters if f.dim == "api_key"]
    dims, allowed = (DAY_DIMS, DAY_FILTERS) if months is None else (MONTH_DIMS, MONTH_FILTERS)
    if spec.quantities or "api_key" not in group_dims or len(by_key) > 1 \
            or (months is None and not {"day", "week"} & set(group_dims)) \
            or not all(d == "api_key" or d in dims for d in group_dims) \
            or not all(f.dim == "api_key" or f.dim in allowed for f in spec.filters):
        return None
    name = KEY_LABELS.name
    plain = replace(spec, date_range=date_range, filters=tuple(f for f in spec.filters if f.dim != "api_key"))
    found = cells(store, KEY_LABELS, plain, [name if d == "api_key" else d for d in group_dims], months=months,
                  values=by_key[0].values if by_key else None, exclude=bool(by_key) and by_key[0].exclude)
    if found is None:
        return None
    if len(group_dims) == n_rows:
        return [(key, "", cell) for key, cell in found.items()]
    return [(key[:n_rows], key[n_rows], cell) for key, cell in found.items()]


def _table(m: Models, tag: Tag, dims: list[str], filtered: list[str], by_month: bool,
           by_part: bool = False) -> type[pw.Model] | None:
    """The cube of ``tag`` that holds ``dims`` and ``filtered`` (its days, whole months or parts), or None."""
    tables = [(m.TagDay, DAY_DIMS, DAY_FILTERS)]
    if by_part:
        tables = [(m.TagPartProjectKey, OWNER_DIMS, OWNER_FILTERS)] if kind(tag) == CHARGE else []
    elif by_month:
        tables = [(m.TagMonth, MONTH_DIMS, MONTH_FILTERS)]
        if kind(tag) == CHARGE:
            tables.append((m.TagMonthProjectKey, OWNER_DIMS, OWNER_FILTERS))
    return next((T for T, allowed, allowed_filters in tables
                 if all(d in allowed for d in dims) and all(f in allowed_filters for f in filtered)), None)


def _labels(names: _Names, dims: list[str]) -> dict[str, dict[int, str]]:
    """Each of ``dims`` that a cube keeps by id (connection or charge dimensions): stored id -> the label
    it shows, as the pivot names them."""
    return {d: names._charge_labels(d) if d in CHARGE_DIMS else names._map(d)
            for d in dims if d in CHARGE_DIMS or d in CONNECTION_DIMS}


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
