"""The pivot engine shared by the CLI and the TUI: one GROUP BY in SQL, folded by core.pivot.

Values are matched and grouped by what the user sees (a project's name, a key's name, "(none)").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import repeat
from operator import add, mul
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from ..core.dates import DateRange
from ..core.dimensions import NONE_LABEL, dimension
from ..core.errors import UsageError
from ..core.gc_pauses import no_gc_pauses
from ..core.models import Cell, Classes, Filter, PivotResult, PivotSpec
from ..core.pivot import fold, fold_amounts, split_by_month, split_by_part, split_by_week, validate_spec
from . import filters, rollup
from .columns import columns as result_columns
from .convert import QTY_SCALE
from .rollup import CHARGE_DIMS, CONNECTION_DIMS

if TYPE_CHECKING:
    from .store import Store

_QTY_TO_ATTO = money.SCALE // QTY_SCALE


def charge_exprs(Ch: type[pw.Model]) -> dict[str, pw.Node]:
    """Each charge dimension's displayed value, over the charge table."""
    none = pw.Value(NONE_LABEL)
    return {"service": Ch.service, "category": Ch.category, "subcategory": Ch.subcategory, "tier": Ch.tier,
            "context": Ch.context,
            "model_version": pw.fn.COALESCE(pw.fn.NULLIF(Ch.model_version, ""), none),  # as a project
            "line_item": pw.fn.COALESCE(Ch.line_item, none), "unit": pw.fn.COALESCE(Ch.unit, none)}


def charge_dimensions(db: pw.Database, Ch: type[pw.Model]) -> dict[int, dict[str, str]]:
    """Each stored charge id -> what every charge dimension shows for it (what a tag's rules match)."""
    exprs = charge_exprs(Ch)
    dims = sorted(CHARGE_DIMS)
    return {row[0]: dict(zip(dims, row[1:], strict=True))
            for row in db.execute(Ch.select(Ch.id, *(exprs[d] for d in dims)))}


class _Exprs:
    """SQL expressions for each dimension's displayed value over one fact table, and the joins they need.

    The fact table is the daily ``cost`` table or one of its rollups (store/rollup.py), which keep some
    of its columns; a dimension reads the same way from every table that has its column.
    """

    def __init__(self, store: Store, table: type[pw.Model]) -> None:
        m = store.m
        self.m = m
        self.C = C = table
        self.Conn = m.Connection.alias("conn")
        self.P = m.Project.alias("p")
        self.K = m.ApiKey.alias("k")
        fields = table._meta.fields
        self.has_charge = "charge" in fields
        Ch = m.Charge
        none = pw.Value(NONE_LABEL)
        self.expr = {
            "organization": pw.fn.COALESCE(
                self.Conn.organization_name, self.Conn.organization_id, self.Conn.description
            ),
            "connection": self.Conn.description,
        }
        if "month" in fields:
            self.expr["month"] = C.month
        if "week" in fields:
            self.expr["week"] = C.week
        if self.has_charge:
            self.expr.update(charge_exprs(Ch))
            self.units = (pw.fn.MIN(Ch.unit), pw.fn.MAX(Ch.unit))
        else:
            self.units = (pw.fn.MIN(C.unit_min), pw.fn.MAX(C.unit_max))
        if "project_id" in fields:
            self.expr["project"] = pw.fn.COALESCE(pw.fn.NULLIF(self.P.name, ""), pw.fn.NULLIF(C.project_id, ""), none)
        if "api_key_id" in fields:
            self.expr["api_key"] = pw.fn.COALESCE(pw.fn.NULLIF(self.K.name, ""), pw.fn.NULLIF(C.api_key_id, ""), none)
        if "day" in fields:
            self.expr["day"] = C.day

    def query(self, dims: set[str], *, units: bool = True) -> pw.ModelSelect:
        """The fact table joined to what ``dims`` show by their names (and to the charge for its units,
        with ``units``): no join a row does not need (10M rows, API key x month in one category over a
        year: 43 -> 32 ms of SQL without the join to ``charge`` its filter had resolved to ids)."""
        C = self.C
        q = C.select()
        if self.has_charge and (units or dims & CHARGE_DIMS):
            Ch = self.m.Charge
            q = q.join(Ch, on=(C.charge == Ch.id))
        if dims & {"organization", "connection"}:
            q = q.switch(C).join(self.Conn, on=(C.connection == self.Conn.id))
        if "project" in dims:
            q = q.switch(C).join(
                self.P, pw.JOIN.LEFT_OUTER, on=((self.P.connection == C.connection) & (self.P.project_id == C.project_id))
            )
        if "api_key" in dims:
            q = q.switch(C).join(
                self.K, pw.JOIN.LEFT_OUTER, on=((self.K.connection == C.connection) & (self.K.key_id == C.api_key_id))
            )
        return q


# dimensions grouped by the stored ids and named in Python: no join per row, and a GROUP BY that follows
# the table's key order streams instead of sorting (project x day over 90 days at 2M rows: 438 -> 192 ms)
CODED = {"project": ("project_id", "Project", "project_id"), "api_key": ("api_key_id", "ApiKey", "key_id")}
# ... unless the store names several ids alike (connections of one organization's copies, a project in
# two workspaces): with at least this many named ids per name, SQL groups by the id alone where every
# connection shows each id alike (no join), else by the label (joined), and sends one row per id or name
# instead of one per connection and id (10M rows, project x day over 31 days: 47k rows -> 9.3k; ~2x less CPU)
MERGE_RATIO = 2
# ... by the label even where it could by the id when few ids are in more than one connection: grouping by
# the id then merges nothing in SQL, and a join per row costs less than sending every id's row to be added
# up here (2M rows, API key x day over 31 days: 1,055 keys of 20 names, 25k rows -> 651, ~45 -> ~32 ms of
# CPU; the 10M store's five copies of each key keep the id: 130k rows joined took twice as long). Not for
# a tag's class of those labels, which groups by the id (``class_id``).
SHARED_IDS = 1.5  # (connection, id) pairs per distinct id from which the id is grouped alone
_MONTH_CUBE = {"project": "CostMonthProject", "api_key": "CostMonthKey"}  # which ids a month holds, by dimension


def _case(store: Store, table: type[pw.Model], classes: Classes, shown: dict[str, pw.Node]) -> pw.Node:
    """``classes`` as one CASE over ``table``'s id columns: the class of the first list holding the label."""
    named = filters.NAMED.get(classes.dim)
    if named is not None and named[2] in table._meta.fields and classes.labels:
        return _case_by_connection(store, table, classes, named[2])
    whens = []
    for name, labels in classes.labels:
        cond = filters.resolve(store, table, Filter(classes.dim, labels), shown)
        if cond is None:
            raise UsageError(f"{classes.dim!r} cannot be classed over {table._meta.table_name}")
        whens.append((cond, name))
    return pw.Case(None, whens, classes.rest) if whens else pw.Value(classes.rest)


def _case_by_connection(store: Store, table: type[pw.Model], classes: Classes, column: str) -> pw.Node:
    """``classes`` of project or key labels as a CASE on the connection, then on the id among that
    connection's ids of each class: a row tests its own connection's lists only (10 connections, team x day
    over 31 days at 10M rows: 107 -> 73 ms of SQL against one OR of every connection's pairs per class)."""
    by_conn: dict[int, list[tuple[str, list[str]]]] = {}
    for name, labels in classes.labels:
        for conn, ids in filters.named_pairs(store, classes.dim, set(labels)).items():
            by_conn.setdefault(conn, []).append((name, sorted(ids)))
    col = getattr(table, column)
    if not by_conn:
        return pw.Value(classes.rest)
    # as pw.Case would write it, with each id list one SQL node instead of a node per id (~1.5 ms less
    # to build of a 2M store's ~22 ms team x day view, where each class lists dozens of ids)
    p = store.db.param
    parts: list[pw.Node] = [pw.SQL("(CASE"), table.connection]
    for conn, classed in sorted(by_conn.items()):
        parts += [pw.SQL(f"WHEN {p} THEN (CASE", [conn])]
        for name, ids in classed:
            parts += [pw.SQL("WHEN"), col, pw.SQL(f"IN ({', '.join([p] * len(ids))}) THEN {p}", [*ids, name])]
        parts.append(pw.SQL(f"ELSE {p} END)", [classes.rest]))
    parts.append(pw.SQL(f"ELSE {p} END)", [classes.rest]))
    return pw.NodeList(parts)


class _Names:
    """The labels of stored ids, read once per pivot: (connection, project or key id) -> name, and each
    connection's description and organization."""

    def __init__(self, store: Store, months: list[str] | None = None,
                 classes: dict[str, Classes] | None = None, *, pairs: bool = False, charge_ids: bool = False) -> None:
        self.store = store
        # charge dimensions grouped by the charge id and named here (no join to ``charge``, an integer to sort)
        # where a view groups them with projects or keys: it sends a row per id and charge, ~7x more than per
        # service, but a year of project x service at 2M rows reads 70k rows of cost_month (58 -> 50 ms of
        # CPU); a view by charge dimensions alone reads few rows, where sending ~7x more costs more than a join
        self.charge_ids = charge_ids
        self.months = months  # the months of the pivot's dates, when its month cubes may be read
        self.classes = classes or {}
        # pairs, never labels: the pivot reads cost_month itself (a year of it is 413k rows at 10M), where a
        # join per row to name it costs more than adding up the few thousand (connection, id) groups here
        self.pairs = pairs
        self._class_of: dict[str, dict[str, str]] = {}
        self._maps: dict[str, dict] = {}
        self._modes: dict[str, str] = {}
        self._id_labels: dict[str, dict[str, str]] = {}

    def mode(self, dim: str) -> str:
        """How SQL groups ``dim``: ``pair`` (connection and id, named here), ``id`` (the id alone, where
        every connection shows each id alike: no join, and one row per id), ``label`` (the label it
        shows, joined) or ``value`` (not a project or key). Pairs unless many ids share names (MERGE_RATIO).
        A class of project or key labels (a tag) is ``class_id`` where its dimension is grouped by the id
        alone: SQL groups by the id in the table's key order (no CASE, no sort) and each id's label is
        classed here (10M rows, team x day over 31 days: a CASE and sort of ~47k rows -> 9.3k groups
        streamed; ~93 -> ~81 ms of CPU)."""
        if dim in self.classes:
            c = self.classes[dim]
            return "class_id" if c.dim in CODED and c.labels and self.mode(c.dim) == "id" else "value"
        if dim in CHARGE_DIMS:
            return "charge_id" if self.charge_ids else "value"
        if dim not in CODED:
            return "value"
        if dim not in self._modes:
            named = self._map(dim)
            names = len(set(named.values()))
            if not named or len(named) < MERGE_RATIO * names:
                self._modes[dim] = "pair"
            elif self.pairs and not self.months:
                self._modes[dim] = "pair"  # (10M rows, a tag by service x project over a year: 521 -> 310 ms)
            elif len(named) < SHARED_IDS * len({i for _, i in named}) \
                    and all(c.dim != dim for c in self.classes.values()):
                self._modes[dim] = "label"
            else:
                self._modes[dim] = "id" if self._labels_by_id(dim) else "label"
        return self._modes[dim]

    def by_pair(self, dim: str) -> bool:
        """True when ``dim`` is grouped by its stored (connection, id) pairs and named here."""
        return self.mode(dim) == "pair"

    def _labels_by_id(self, dim: str) -> bool:
        """Whether each id that the month cube of ``dim`` holds in the pivot's months shows one label in
        every connection holding it (kept in ``_id_labels``): then grouping by the id alone is exact."""
        if not self.months:
            return False
        M = getattr(self.store.m, _MONTH_CUBE[dim])
        ident = getattr(M, CODED[dim][0])
        found: dict[str, str] = {}
        for conn, i in self.store.db.execute(M.select(M.connection, ident).where(M.month.in_(self.months))
                                             .distinct()):
            label = self.label_of(dim, conn, i)
            if found.setdefault(i, label) != label:
                return False
        self._id_labels[dim] = found
        return True

    def label_of(self, dim: str, connection: int, ident: str) -> str:
        """What a project or key id of a connection shows: its name, else the id, else "(none)"."""
        return self._map(dim).get((connection, ident)) or ident or NONE_LABEL

    def _map(self, dim: str) -> dict:
        if dim not in self._maps:
            self._maps[dim] = _unchanged_since(self.store, dim, lambda: self._read_map(dim))
        return self._maps[dim]

    def _read_map(self, dim: str) -> dict:
        m = self.store.m
        if dim in CODED:
            _, model, ident = CODED[dim]
            M = getattr(m, model)
            rows = M.select(M.connection, getattr(M, ident), M.name).where(M.name.is_null(False) & (M.name != ""))
            # the driver's tuples, with no conversion per field (1k keys: ~20 ms less)
            return {(c, i): name for c, i, name in self.store.db.execute(rows)}
        C = m.Connection
        return {cid: desc if dim == "connection" else next(v for v in (org, org_id, desc) if v is not None)
                for cid, desc, org, org_id in self.store.db.execute(
                    C.select(C.id, C.description, C.organization_name, C.organization_id))}

    def labels(self, dim: str, columns: list[tuple]) -> list[str] | tuple:
        """The label ``dim`` shows for each result row, from that dimension's column(s) of the result
        (a whole column at a time: the loops run in C, not one Python call per row)."""
        if self.by_pair(dim):
            conns, idents = columns
            out = list(map(self._map(dim).get, zip(conns, idents, strict=True), idents))  # the name, else the id
            return [label or NONE_LABEL for label in out] if "" in out else out
        (values,) = columns
        mode = self.mode(dim)
        # an id's label (or class) worked out once per distinct id, then looked up per row in C (27k rows of
        # team x day over 90 days at 10M: ~300 ids)
        if mode == "id":
            shown = self._id_labels[dim]
            return list(map({i: shown.get(i) or i or NONE_LABEL for i in set(values)}.__getitem__, values))
        if mode == "charge_id":
            shown = self._charge_labels(dim)
            return list(map(shown.__getitem__, values))
        if mode == "class_id":
            c = self.classes[dim]
            shown, of = self._id_labels[c.dim], self._classes_of(dim)
            return list(map({i: of.get(shown.get(i) or i or NONE_LABEL, c.rest) for i in set(values)}.__getitem__,
                            values))
        if dim in CONNECTION_DIMS:
            return list(map(self._map(dim).get, values, repeat("")))
        if self.store.is_postgres:  # dates come as dates, not text
            return [value if type(value) is str else _text(value) for value in values]
        return values  # SQLite gives every other value as text (COALESCE stands in for NULL)

    def _charge_labels(self, dim: str) -> dict[int, str]:
        """Each stored charge id -> what the charge dimension ``dim`` shows for it."""
        key = f"charge:{dim}"
        if key not in self._maps:
            Ch = self.store.m.Charge
            self._maps[key] = _unchanged_since(
                self.store, key, lambda: dict(self.store.db.execute(Ch.select(Ch.id, charge_exprs(Ch)[dim]))))
        return self._maps[key]

    def _classes_of(self, dim: str) -> dict[str, str]:
        """label -> its class: that of the first list holding it, as the CASE of ``_case``."""
        if dim not in self._class_of:
            of: dict[str, str] = {}
            for name, labels in self.classes[dim].labels:
                for label in labels:
                    of.setdefault(label, name)
            self._class_of[dim] = of
        return self._class_of[dim]

    def width(self, dim: str) -> int:
        """How many result columns hold ``dim``: (connection, id), or its label."""
        return 2 if self.by_pair(dim) else 1


def _unchanged_since(store: Store, key: str, read: Callable[[], dict]) -> dict:
    """``read()`` (a map of labels, never changed by its readers), kept on the store while its SQLite
    connection has seen no change since: no write of its own (``total_changes``) and no commit by another
    connection or process (``PRAGMA data_version``). Read again otherwise, inside a transaction (a rollback
    would not show in either), and on PostgreSQL. 10M rows: the names of 5k keys, ~3.5 ms a read, were
    read for each query of a pivot."""
    if store.is_postgres:
        return read()
    conn = store.db.connection()
    if conn.in_transaction:
        return read()
    seen = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    kept = store.__dict__.setdefault("_label_maps", {})
    found = kept.get(key)
    if found is not None and found[0] is conn and found[1] == seen:  # (the connection itself: never a new one)
        return found[2]
    value = read()
    kept[key] = (conn, seen, value)
    return value


def _columns(ex: _Exprs, dim: str, names: _Names) -> list[pw.Node]:
    C = ex.C
    if names.by_pair(dim):
        return [C.connection, getattr(C, CODED[dim][0])]
    mode = names.mode(dim)
    if mode == "id":
        return [getattr(C, CODED[dim][0])]
    if mode == "class_id":
        return [getattr(C, CODED[names.classes[dim].dim][0])]
    if mode == "charge_id":
        return [C.charge]
    if dim in CONNECTION_DIMS:
        return [C.connection]
    return [ex.expr[dim]]


def _key_order(table: type[pw.Model]) -> list[str]:
    """The columns of the table's primary key, in order (every table a pivot reads has a composite one)."""
    pk = table._meta.primary_key
    return list(pk.field_names) if isinstance(pk, pw.CompositeKey) else []


def _query(store: Store, table: type[pw.Model], spec: PivotSpec, group_dims: list[str], members, names: _Names,
           classes: dict[str, Classes] | None = None) -> pw.ModelSelect:
    ex = _Exprs(store, table)
    C = table
    for name, c in (classes or {}).items():
        if names.mode(name) != "class_id":  # else grouped by the id and classed in Python (_Names)
            ex.expr[name] = _case(store, table, c, ex.expr)
    selected = [col for d in group_dims for col in _columns(ex, d, names)]
    order = _key_order(table)
    grouped: dict[object, tuple[int, pw.Node]] = {}
    for col in selected:
        if isinstance(col, pw.Value):
            continue  # a class with one value for every label: nothing to group (PostgreSQL refuses it)
        name = col.name if isinstance(col, pw.Field) and col.model is table else None
        rank = order.index(name) if name in order else len(order)
        grouped.setdefault(name or id(col), (rank, col))
    group_exprs = [col for _, col in sorted(grouped.values(), key=lambda rc: rc[0])]
    conditions, by_value = [], set()
    for f in spec.filters:
        cond = filters.resolve(store, table, f, ex.expr)
        if cond is None:
            values = list(f.values)
            cond = ex.expr[f.dim].not_in(values) if f.exclude else ex.expr[f.dim].in_(values)
            by_value.add(f.dim)
        conditions.append(cond)
    joined = {d for d in group_dims if names.mode(d) in ("label", "value") and d not in CONNECTION_DIMS
              and d not in (classes or {})}
    joined |= by_value
    # a rollup's rows are already one per value of its key (the currency is filtered to one): grouping
    # by that key again would only cost time (project x day over 31 days at 2M rows: ~115 -> ~70 ms of SQL)
    own_key = {col.name for col in group_exprs if isinstance(col, pw.Field) and col.model is table}
    if group_exprs and not ex.has_charge and own_key == set(order) - {"currency"}:
        measures, group_exprs = [C.amount_hi, C.amount_lo, C.qty_hi, C.qty_lo, C.unit_min, C.unit_max], []
    else:
        measures = [pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo), pw.fn.SUM(C.qty_hi), pw.fn.SUM(C.qty_lo),
                    *ex.units]
    if not spec.quantities:
        measures = measures[:2]
    query = ex.query(joined, units=spec.quantities).select(*selected, *measures).where(C.currency == spec.currency)
    for cond in conditions:
        query = query.where(cond)
    if members is not None:
        query = query.where(C.connection.in_(members))
    if group_exprs:
        query = query.group_by(*group_exprs)
    return query


def _collect(store: Store, query: pw.ModelSelect, group_dims: list[str], n_rows: int,
             names: _Names, as_amounts: bool = False) -> list[tuple[tuple[str, ...], str, Cell]]:
    """One (row key, column key, cell) per result row, by the labels shown; ``as_amounts`` (a query of
    amounts only): the amount, no cell. Ids that show the same label (two connections' projects of one
    name) give the same keys: fold adds them up, as if SQL had grouped by the label (which it does where
    many ids share names: ``_Names.mode``)."""
    columns = result_columns(store, query)
    at = sum(map(names.width, group_dims))
    if not columns[at] or columns[at] == [None] and columns[at + 1] == [None]:
        return []  # no row, or a sum over no rows (no GROUP BY: no dimension, or only constant classes)
    if store.is_postgres:  # its sums are Decimals: to exact ints, as SQLite gives them
        columns[at:at + 4] = [[None if v is None else int(v) for v in col] for col in columns[at:at + 4]]
    keys, i = [], 0
    for d in group_dims:
        width = names.width(d)
        keys.append(names.labels(d, columns[i:i + width]))
        i += width
    his, los, *figures = columns[at:]  # and the quantities and units, unless the spec asked for amounts only
    amounts = map(add, map(mul, his, repeat(money.HI_UNIT)), los)
    row_keys = list(zip(*keys[:n_rows], strict=True)) if n_rows else [()] * len(his)
    col_keys = keys[n_rows] if len(keys) > n_rows else repeat("")
    if figures:
        cells = map(Cell, amounts, *_quantities_and_units(*figures))
        return list(zip(row_keys, col_keys, cells, strict=False))  # col_keys may repeat ""
    if not any(names.mode(d) in ("class_id", "id", "charge_id") for d in group_dims):  # ~a row per label: in C
        return list(zip(row_keys, col_keys, amounts if as_amounts else map(Cell, amounts), strict=False))
    # amounts only, a tag's value by id, ids that share their labels (id mode: at least MERGE_RATIO ids a
    # name) or charges that share theirs: their many rows per label added up as integers here, one cell per
    # label (10M rows, team x day over 90 days: 27k rows -> 270 cells, ~30 ms less than adding cells; 2M
    # rows, API key x day over 31 days: 25k rows of 1,055 keys -> 651 cells of their 20 names)
    sums: dict[tuple[tuple[str, ...], str], int] = {}
    get = sums.get
    for key, amount in zip(zip(row_keys, col_keys), amounts):  # noqa: B905 - the columns may repeat forever
        sums[key] = get(key, 0) + amount
    if as_amounts:
        return [(row_key, col_key, amount) for (row_key, col_key), amount in sums.items()]
    return [(row_key, col_key, Cell(amount)) for (row_key, col_key), amount in sums.items()]


def _amounts_of(raw: list[tuple[tuple[str, ...], str, Cell]]) -> list[tuple[tuple[str, ...], str, int]]:
    return [(row_key, col_key, cell.amount) for row_key, col_key, cell in raw]


def _quantities_and_units(qhis, qlos, umins, umaxs) -> tuple[Iterable, Iterable]:
    """The quantity (atto-units, None where no row had one) and the units of each result row."""
    if None in qhis or None in qlos:
        qtys = [None if h is None else (h * QTY_SCALE + (lo or 0)) * _QTY_TO_ATTO for h, lo in zip(qhis, qlos, strict=True)]
    else:
        qtys = map(mul, map(add, map(mul, qhis, repeat(QTY_SCALE)), qlos), repeat(_QTY_TO_ATTO))
    unit_sets = {pair: frozenset(u for u in pair if u is not None) for pair in set(zip(umins, umaxs, strict=True))}
    return qtys, map(unit_sets.__getitem__, zip(umins, umaxs, strict=True))


def _days(C: type[pw.Model], day_ranges: list[tuple[date, date]], spec: PivotSpec) -> pw.Expression:
    """The days of ``day_ranges``. With a project or key filter, as a list of days: the index
    (connection, day, project, ...) then seeks each (connection, day, project) instead of reading every
    row of the range (the one-project view over 90 days at 2M rows: 346 -> 18 ms)."""
    seek = any(f.dim in filters.NAMED and not f.exclude for f in spec.filters) and "day" in _key_order(C)
    if seek and sum((hi - lo).days + 1 for lo, hi in day_ranges) <= MAX_SEEK_DAYS:
        return C.day.in_([lo + timedelta(days=i) for lo, hi in day_ranges for i in range((hi - lo).days + 1)])
    span = None
    for lo, hi in day_ranges:
        part = (C.day >= lo) & (C.day <= hi)
        span = part if span is None else (span | part)
    return span


def _parts(P: type[pw.Model], parts: list[tuple[str, str]]) -> pw.Expression:
    """The (month, week) parts ``parts`` of a part cube."""
    by_month: dict[str, list[str]] = {}
    for month, week in parts:
        by_month.setdefault(month, []).append(week)
    found = None
    for month, weeks in by_month.items():
        part = (P.month == month) & P.week.in_(weeks)
        found = part if found is None else (found | part)
    return found


def _across_projects(needed: set[str], group_dims: list[str], spec: PivotSpec, names: _Names) -> bool:
    """Whether a day-binned view over every connection may read ``cost_day_project_all``: it needs only
    days and projects, groups every project by the id alone (each id shows one label wherever it is) and
    filters no project or key (those filters name (connection, id) pairs)."""
    return (needed <= rollup.DAY_PROJECT_ALL.dims and "project" in needed
            and not any(f.dim in filters.NAMED for f in spec.filters)
            and all(names.mode(d) in ("id", "class_id") for d in group_dims if d not in rollup.DAY_DIMS))


MAX_SEEK_DAYS = 800  # a list of days stays well under SQLite's limit of bound parameters


def _text(value: object) -> str:
    if value is None:
        return NONE_LABEL
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class PivotQueries:
    """The pivot (mixed into Store)."""

    def run_pivot(self, spec: PivotSpec, *, today: date, use_rollups: bool = True) -> PivotResult:
        """The pivot of ``spec``: whole months from the smallest month table, the other days from the
        smallest daily table, that has every dimension needed. ``use_rollups=False`` reads only the daily rows (the
        tests' reference: both ways must agree to the last digit)."""
        validate_spec(spec)
        date_range = spec.date_range or DateRange(today.replace(day=1), today)
        group_dims = [*spec.rows, *((spec.cols,) if spec.cols else ())]
        with no_gc_pauses():
            if not spec.quantities:  # each record's amount, no cell made for it
                raw = self._read_cells(spec, date_range, group_dims, len(spec.rows), use_rollups=use_rollups,
                                       as_amounts=True)
                return fold_amounts(spec, date_range, raw, today=today)
            raw = self._read_cells(spec, date_range, group_dims, len(spec.rows), use_rollups=use_rollups)
            return fold(spec, date_range, raw, today=today)

    def group_cells(self, spec: PivotSpec, dims: list[str], *, today: date,
                    classes: dict[str, Classes] | None = None) -> dict[tuple[str, ...], Cell]:
        """Cost by each combination of ``dims`` (any number of them) under ``spec``'s dates, filters and
        workspace: what a pivot reads, without its top-N, order and totals (what tags are evaluated over).
        ``classes``: names among ``dims`` that group a dimension's labels into classes, in SQL."""
        classes = classes or {}
        for d in (*(d for d in dims if d not in classes), *(f.dim for f in spec.filters)):
            dimension(d)
        if len(set(dims)) != len(dims):
            raise UsageError(f"group by each dimension once, not {dims}")
        date_range = spec.date_range or DateRange(today.replace(day=1), today)
        cells: dict[tuple[str, ...], Cell] = {}
        with no_gc_pauses():
            for key, _, cell in self._read_cells(spec, date_range, dims, len(dims), use_rollups=True,
                                                 classes=classes):
                cells[key] = cells[key] + cell if key in cells else cell
        return cells

    def labels_shown(self, spec: PivotSpec, dim: str) -> set[str] | None:
        """The labels a project or key dimension shows under ``spec``'s whole months, currency and
        workspace, read as the distinct ids of its month cube and named here: what grouping by it would
        give as keys, without a join and a sort (10M rows, 3 months: ~8 -> ~2 ms). None when ``spec``
        has filters or dates that are not whole months, or ``dim`` is not a project or key: group then."""
        dates = spec.date_range
        if dim not in _MONTH_CUBE or spec.filters or dates is None or dates.start.day != 1 \
                or (dates.end + timedelta(days=1)).day != 1:
            return None
        M = getattr(self.m, _MONTH_CUBE[dim])
        ident = getattr(M, CODED[dim][0])
        query = (M.select(M.connection, ident).distinct()
                 .where(M.month.in_(rollup.months_between(dates.start, dates.end)) & (M.currency == spec.currency)))
        with self.read():
            if spec.workspace:
                query = query.where(M.connection.in_(self.workspace_members(spec.workspace)))
            names = _Names(self)
            return {names.label_of(dim, conn, i) for conn, i in self.db.execute(query)}

    def _read_cells(self, spec: PivotSpec, date_range: DateRange, group_dims: list[str], n_rows: int, *,
                    use_rollups: bool, classes: dict[str, Classes] | None = None, as_amounts: bool = False
                    ) -> list[tuple[tuple[str, ...], str, Cell]]:
        """(the first ``n_rows`` labels, the next one or "", cell) per group of ``group_dims``, from the
        smallest tables that hold every dimension needed (ids of one label not yet added up). With
        ``as_amounts`` (a spec of amounts only), each group's amount instead of a cell."""
        classes = classes or {}
        from .tag_cube import key_label_cells  # (the tag cubes read names as this module does)

        if use_rollups and not classes and (found := key_label_cells(self, spec, date_range, group_dims,
                                                                      n_rows)) is not None:
            return _amounts_of(found) if as_amounts else found
        needed = {classes[d].dim if d in classes else d for d in group_dims} | {f.dim for f in spec.filters}
        members = self.workspace_members(spec.workspace) if spec.workspace else None
        months, weeks, parts, day_ranges = [], [], [], [(date_range.start, date_range.end)]
        weekly = rollup.pick_weekly(needed) if use_rollups and "day" not in needed else None
        daily = rollup.pick_daily(needed, every_connection=members is None) if use_rollups else None
        part_cube = None
        if use_rollups and not needed & {"day", "week"}:
            last_day = self.last_day()
            months, day_ranges = split_by_month(date_range, last_day)
            if (part_cube := rollup.pick_part(daily)) is not None:  # the edge days' whole parts of weeks
                split = [split_by_part(lo, hi, last_day) for lo, hi in day_ranges]
                parts = [part for found, _ in split for part in found]
                day_ranges = [days for _, left in split for days in left]
        elif weekly is not None:
            weeks, day_ranges = split_by_week(date_range, self.last_day())
        daily_table = self.m.Cost if daily is None else getattr(self.m, daily.model)
        raw: list[tuple[tuple[str, ...], str, Cell]] = []
        # ids alone only for day-binned views: they read a row per day and id, where the join is dearest;
        # a month view reads a few thousand cube rows, and checking a year of ids would cost more than it saves
        by_day = use_rollups and "day" in needed
        month_table = rollup.pick_monthly(needed)
        names = _Names(self, rollup.months_between(date_range.start, date_range.end) if by_day else None, classes,
                       pairs=bool(months) and (month_table is rollup.MONTH or {"project", "api_key"} <= needed),
                       charge_ids=any(d in CODED for d in group_dims))
        if by_day and members is None and _across_projects(needed, group_dims, spec, names):
            daily_table = self.m.CostDayProjectAll  # one row per day and id instead of one per connection too
        with self.read():
            quarters: list[str] = []
            if months and month_table is rollup.MONTH:  # whole months by charge and project or key:
                by_label = None if classes else key_label_cells(self, spec, date_range, group_dims, n_rows, months)
                if by_label is not None:  # from the cube of key labels where it answers
                    raw += _amounts_of(by_label) if as_amounts else by_label
                    months = []
                elif "month" not in needed:  # else their whole quarters from the quarter cube
                    quarters, months = rollup.whole_quarters(months)
            if months:
                M = getattr(self.m, month_table.model)
                monthly = _query(self, M, spec, group_dims, members, names, classes)
                raw += _collect(self, monthly.where(M.month.in_(months)), group_dims, n_rows, names, as_amounts)
            if quarters:
                Q = self.m.CostQuarter
                quarterly = _query(self, Q, spec, group_dims, members, names, classes)
                raw += _collect(self, quarterly.where(Q.quarter.in_(quarters)), group_dims, n_rows, names, as_amounts)
            if weeks:
                W = getattr(self.m, weekly.model)
                weekly_query = _query(self, W, spec, group_dims, members, names, classes)
                raw += _collect(self, weekly_query.where(W.week.in_(weeks)), group_dims, n_rows, names, as_amounts)
            if parts:
                P = getattr(self.m, part_cube.model)
                part_query = _query(self, P, spec, group_dims, members, names, classes)
                raw += _collect(self, part_query.where(_parts(P, parts)), group_dims, n_rows, names, as_amounts)
            if day_ranges:
                C = daily_table
                daily = _query(self, C, spec, group_dims, members, names, classes)
                raw += _collect(self, daily.where(_days(C, day_ranges, spec)), group_dims, n_rows, names, as_amounts)
        return raw
