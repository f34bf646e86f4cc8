"""The store: connections, workspaces, names and exact cost rows, behind one small API.

ORM rows never leave this package: callers get core dataclasses. Every write runs in one
``atomic('IMMEDIATE')`` transaction on SQLite (a plain transaction on PostgreSQL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import peewee as pw

from ..core import money
from ..core.errors import StoreError, UsageError
from ..core.gc_pauses import no_gc_pauses
from ..core.models import ApiKeyInfo, Connection, CostRow, PivotSpec, Project
from ..core.taxonomy import Taxonomy
from ..core.text import shown
from . import rollup, tag_cube
from .budgets import BudgetQueries
from .bulk import insert_rows
from .charges import ChargeIndex
from .convert import as_date, now_naive
from .db import MEMORY, WRITE, describe, is_postgres_url, open_database, translate_errors
from .export_rows import ExportRowQueries
from .locks import sync_lock, sync_running
from .pivot import PivotQueries
from .restatements import RestatementQueries
from .schema import SCHEMA_VERSION
from .tags import TagQueries
from .validate import clean_name, refuse_taken
from .views import ViewQueries
from .window_rows import CostColumnsLike, WindowColumns

_ABSENT = object()  # a project the store had no row for


@dataclass(frozen=True)
class NewConnection:
    description: str
    base_url: str
    key_source: str
    key_ref: str
    backfill_start: date
    masked_key: str | None = None
    organization_id: str | None = None
    organization_name: str | None = None


@dataclass(frozen=True)
class RemovalSummary:
    description: str
    cost_rows: int
    workspaces: tuple[str, ...]


@dataclass(frozen=True)
class WorkspaceInfo:
    name: str
    connections: tuple[str, ...]


@dataclass(frozen=True)
class SyncRunInfo:
    connection_id: int
    started_at: datetime
    finished_at: datetime | None
    window_start: date | None
    window_end: date | None
    pages: int
    rows: int
    outcome: str
    error: str | None


class Store(PivotQueries, BudgetQueries, ViewQueries, RestatementQueries, ExportRowQueries, TagQueries):
    """One open store (a SQLite file or a PostgreSQL database); the queries of pivots, budgets, saved
    views and restatements are mixed in from their own modules."""

    def __init__(self, url: str, *, taxonomy: Taxonomy | None = None, mode: str = WRITE) -> None:
        """``mode="read"`` opens an existing store read-only (or an empty one in memory where there is
        none): see ``db.open_database``."""
        self.url = url
        self.where = describe(url)
        self.taxonomy = taxonomy or Taxonomy()
        self.db, self.m = open_database(url, mode=mode)
        self.mode = mode
        self.is_postgres = is_postgres_url(url)
        self.in_memory = self.db.database == MEMORY
        self._charges = ChargeIndex(self.db, self.m.Charge, self.taxonomy)

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self, *, unchecked: bool = False) -> Iterator[None]:
        """One write transaction; SQLite takes the write lock up front so readers never block it.

        ``unchecked``: SQLite skips its foreign-key checks in this transaction (a sixth of inserting a
        window's rows), for a sync's window: ``replace_window`` checks its connection under the write
        lock itself, and takes its charges' ids from the charge table in the same transaction. No-op
        inside a transaction already open, and on PostgreSQL."""
        try:
            with translate_errors(self.where):
                self.db.connect(reuse_if_open=True)
                ctx = self.db.atomic() if self.is_postgres else self.db.atomic("IMMEDIATE")
                with self._foreign_keys_off(unchecked), ctx:
                    yield
        except StoreError as exc:
            upgraded = self._upgraded_meanwhile()
            if upgraded is None:
                raise
            raise upgraded from exc

    @contextlib.contextmanager
    def _foreign_keys_off(self, off: bool) -> Iterator[None]:
        if not off or self.is_postgres or self.db.in_transaction():
            yield
            return
        self.db.execute_sql("PRAGMA foreign_keys = OFF")  # outside a transaction, as SQLite requires
        try:
            yield
        finally:
            if not self.db.is_closed():  # (a connection opened again has the store's pragmas)
                self.db.execute_sql("PRAGMA foreign_keys = ON")

    def _upgraded_meanwhile(self) -> StoreError | None:
        """Why a write failed when a newer openai-cost-tui upgraded the store's schema after this process
        opened it (a team member's new version; its tables no longer match this one's), else None."""
        try:
            with translate_errors(self.where):
                row = self.m.Meta.get_or_none(self.m.Meta.key == "schema_version")
            version = int(row.value) if row is not None else None
        except (StoreError, ValueError):
            return None
        if version is None or version <= SCHEMA_VERSION:
            return None
        return StoreError(f"the store {self.where} was upgraded to schema {version} by a newer openai-cost-tui "
                          f"while this one (schema {SCHEMA_VERSION}) was running; nothing was written. Upgrade "
                          "openai-cost-tui and start it again")

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with translate_errors(self.where):
            self.db.connect(reuse_if_open=True)
            yield

    def sync_lock(self, *, wait: bool = False):
        """Keep a second process from syncing this store at the same time."""
        if self.in_memory:
            return contextlib.nullcontext()
        return sync_lock(self, wait=wait)

    def sync_running(self) -> bool:
        """True while a live process holds this store's sync lock."""
        return not self.in_memory and sync_running(self)

    @property
    def store_id(self) -> str:
        """The store's id (meta ``store_id``, set when it was created or migrated): members file their
        key references under it. A store opened read-only from before it had one is named by its place."""
        with self.read():
            row = self.m.Meta.get_or_none(self.m.Meta.key == "store_id")
        return row.value if row is not None else f"at:{self.where}"

    def integrity_ok(self) -> bool:
        with self.read():
            if self.is_postgres:
                return True
            return self.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- connections ------------------------------------------------------------------------

    def add_connection(self, new: NewConnection, *, workspaces: Sequence[str] = ()) -> Connection:
        description = clean_name(new.description, what="description")
        names = [clean_name(w, what="workspace name") for w in workspaces]
        C = self.m.Connection
        with self.write():
            self._refuse_taken_description(description)
            row = C.create(
                description=description,
                base_url=new.base_url,
                key_source=new.key_source,
                key_ref=new.key_ref,
                masked_key=new.masked_key,
                organization_id=new.organization_id,
                organization_name=new.organization_name,
                backfill_start=new.backfill_start,
                created_at=now_naive(),
            )
            for name in names:
                ws = self._workspace_for(name)
                self.m.WorkspaceConnection.insert(workspace=ws, connection=row).on_conflict_ignore().execute()
        return self.connection(row.id)

    def _refuse_taken_description(self, description: str, *, other_than: int | None = None) -> None:
        """Descriptions are unique regardless of case: ``acme`` beside ``Acme`` is refused."""
        C = self.m.Connection
        taken = (d for cid, d in C.select(C.id, C.description).tuples() if cid != other_than)
        refuse_taken(description, taken, kind="connection", hint="; pick another description")

    def connections(self) -> list[Connection]:
        with self.read():
            rows = list(self.m.Connection.select().order_by(self.m.Connection.id))
            links = self._workspace_links()
            dead = self._interrupted(rows)
        return [_to_connection(r, links.get(r.id, ()), dead.get(r.id)) for r in rows]

    def connection(self, ref: int | str) -> Connection:
        """A connection by id or description (exactly, else regardless of case); an unknown one is a
        usage error listing the known ones."""
        C = self.m.Connection
        with self.read():
            row = None
            text = str(ref).strip()
            if not text:
                raise UsageError("the connection is empty; give its id or description")
            if text.isascii() and text.isdigit() and len(text) <= 18:  # an id fits SQLite's 64-bit integer
                row = C.get_or_none(C.id == int(text))
            if row is None:
                row = C.get_or_none(C.description == text)
            if row is None:
                folded = [r for r in C.select() if r.description.casefold() == text.casefold()]
                row = folded[0] if len(folded) == 1 else None
            if row is None:
                known = ", ".join(shown(c.description) for c in C.select(C.description).order_by(C.id))
                raise UsageError(f"no connection {shown(text[:200])!r}; known connections: "
                                 f"{_cut(known) or 'none yet'}")
            links = self._workspace_links()
            dead = self._interrupted([row])
        return _to_connection(row, links.get(row.id, ()), dead.get(row.id))

    def _interrupted(self, rows) -> dict[int, str]:
        """For each row whose status says ``syncing`` while no live process holds the sync lock (it was
        killed, or crashed): why it reads as interrupted, with the time its sync started."""
        syncing = [r.id for r in rows if r.status == "syncing"]
        if not syncing or self.sync_running():
            return {}
        R = self.m.SyncRun
        started: dict[int, datetime] = {}
        for run in R.select(R.connection, R.started_at).where(R.connection.in_(syncing)).order_by(R.id):
            started[run.connection_id] = run.started_at
        out = {}
        for cid in syncing:
            when = started.get(cid)
            at = f" started {when:%Y-%m-%d %H:%M} UTC" if isinstance(when, datetime) else ""
            out[cid] = (f"the sync{at} was interrupted before it finished (its process is gone); "
                        "the data from before it is intact")
        return out

    def update_connection(self, connection_id: int, **fields: object) -> None:
        if "description" in fields:
            fields["description"] = clean_name(str(fields["description"]), what="description")
        C = self.m.Connection
        with self.write():
            if "description" in fields:
                self._refuse_taken_description(fields["description"], other_than=connection_id)
            C.update(**fields).where(C.id == connection_id).execute()

    def removal_summary(self, connection_id: int) -> RemovalSummary:
        conn = self.connection(connection_id)
        return RemovalSummary(conn.description, self.cost_count(connection_id), conn.workspaces)

    def remove_connection(self, connection_id: int) -> RemovalSummary:
        """Delete the connection and everything it brought (rows, names, runs); the key is the caller's."""
        summary = self.removal_summary(connection_id)
        m = self.m
        D = m.CostDayCharge
        with self.write():
            first, last = D.select(pw.fn.MIN(D.day), pw.fn.MAX(D.day)).where(D.connection == connection_id).scalar(
                as_tuple=True)
            for model in (m.Cost, *m.rollups(), m.Reconciliation, m.SyncRun, m.ApiKey, m.Project,
                          m.WorkspaceConnection):
                model.delete().where(model.connection == connection_id).execute()
            tag_cube.drop_connection(self.db, self.m, connection_id)
            tag_cube.keep_key_labels(self.db, self.m)  # the keys left may no longer share names
            m.Connection.delete().where(m.Connection.id == connection_id).execute()
            if first is not None:  # the days it had, summed again over the connections left
                rollup.refresh_across(self.db, as_date(first), as_date(last), as_text=not self.is_postgres)
        return summary

    def _workspace_links(self) -> dict[int, tuple[str, ...]]:
        W, WC = self.m.Workspace, self.m.WorkspaceConnection
        links: dict[int, list[str]] = {}
        query = WC.select(WC.connection, W.name).join(W).order_by(W.name).tuples()
        for conn_id, name in query:
            links.setdefault(conn_id, []).append(name)
        return {k: tuple(v) for k, v in links.items()}

    # -- workspaces -------------------------------------------------------------------------

    def add_workspace(self, name: str) -> str:
        name = clean_name(name, what="workspace name")
        W = self.m.Workspace
        with self.write():
            self._refuse_taken_workspace(name)
            W.create(name=name)
        return name

    def _refuse_taken_workspace(self, name: str, *, other_than: int | None = None) -> None:
        """Workspace names are unique regardless of case: ``ws1`` beside ``WS1`` is refused."""
        W = self.m.Workspace
        refuse_taken(name, (n for wid, n in W.select(W.id, W.name).tuples() if wid != other_than), kind="workspace")

    def _workspace_for(self, name: str):
        """The workspace called ``name`` (regardless of case), created when there is none."""
        W = self.m.Workspace
        row = W.get_or_none(W.name == name)
        if row is None:
            folded = [w for w in W.select() if w.name.casefold() == name.casefold()]
            row = folded[0] if folded else W.create(name=name)
        return row

    def workspaces(self) -> list[WorkspaceInfo]:
        W, WC, C = self.m.Workspace, self.m.WorkspaceConnection, self.m.Connection
        with self.read():
            names = [w.name for w in W.select().order_by(W.name)]
            members: dict[str, list[str]] = {n: [] for n in names}
            query = WC.select(W.name, C.description).join(W).switch(WC).join(C).order_by(C.description).tuples()
            for ws, desc in query:
                members[ws].append(desc)
        return [WorkspaceInfo(n, tuple(members[n])) for n in names]

    def _workspace(self, name: str):
        """A workspace by name: exactly, else regardless of case; an unknown one is a usage error."""
        W = self.m.Workspace
        text = (name or "").strip()
        if not text:
            raise UsageError("the workspace name is empty; give a workspace's name")
        row = W.get_or_none(W.name == text)
        if row is None:
            folded = [w for w in W.select() if w.name.casefold() == text.casefold()]
            row = folded[0] if len(folded) == 1 else None
        if row is None:
            known = ", ".join(shown(w.name) for w in W.select(W.name).order_by(W.name))
            raise UsageError(f"no workspace {shown(text[:200])!r}; known workspaces: {_cut(known) or 'none yet'}")
        return row

    def require_workspace(self, name: str) -> str:
        with self.read():
            return self._workspace(name).name

    def workspace_members(self, name: str) -> pw.ModelSelect:
        """The ids of the workspace's connections, as a subquery a view's ``connection_id IN`` reads."""
        W, WC = self.m.Workspace, self.m.WorkspaceConnection
        return WC.select(WC.connection).join(W).where(W.name == self.require_workspace(name))

    def rename_workspace(self, old: str, new: str) -> None:
        new = clean_name(new, what="workspace name")
        W = self.m.Workspace
        with self.write():
            row = self._workspace(old)
            self._refuse_taken_workspace(new, other_than=row.id)
            W.update(name=new).where(W.id == row.id).execute()

    def remove_workspace(self, name: str) -> None:
        with self.write():
            row = self._workspace(name)
            self.m.WorkspaceConnection.delete().where(self.m.WorkspaceConnection.workspace == row.id).execute()
            row.delete_instance()

    def assign(self, name: str, connection_ids: Iterable[int]) -> None:
        with self.write():
            ws = self._workspace(name)
            for cid in connection_ids:
                self.m.WorkspaceConnection.insert(workspace=ws.id, connection=cid).on_conflict_ignore().execute()

    def unassign(self, name: str, connection_ids: Iterable[int]) -> None:
        WC = self.m.WorkspaceConnection
        with self.write():
            ws = self._workspace(name)
            WC.delete().where((WC.workspace == ws.id) & (WC.connection.in_(list(connection_ids)))).execute()

    def set_workspaces(self, connection_id: int, names: Sequence[str]) -> None:
        """Make the connection a member of exactly these workspaces (created when new)."""
        clean = [clean_name(n, what="workspace name") for n in names]
        WC = self.m.WorkspaceConnection
        with self.write():
            WC.delete().where(WC.connection == connection_id).execute()
            for name in clean:
                ws = self._workspace_for(name)
                WC.insert(workspace=ws.id, connection=connection_id).on_conflict_ignore().execute()

    # -- names ------------------------------------------------------------------------------

    def save_names(self, connection_id: int, projects: Sequence[Project], keys: Sequence[ApiKeyInfo]) -> None:
        P, K = self.m.Project, self.m.ApiKey
        with self.write():
            before = dict(P.select(P.project_id, P.name).where(P.connection == connection_id).tuples())
            keys_before = dict(K.select(K.key_id, K.name).where(K.connection == connection_id).tuples())
            # a statement per 200 names, each id once (the last one sent), as PostgreSQL's ON CONFLICT wants
            _upsert(P, [P.connection, P.project_id, P.name, P.archived], [P.name, P.archived],
                    {p.id: (connection_id, p.id, p.name, p.archived) for p in projects})
            _upsert(K, [K.connection, K.key_id, K.name, K.project_id], [K.name, K.project_id],
                    {k.id: (connection_id, k.id, k.name, k.project_id) for k in keys})
            renamed = (("project",) if any(before.get(p.id, _ABSENT) != p.name for p in projects) else ()) \
                + (("api_key",) if any(keys_before.get(k.id, _ABSENT) != k.name for k in keys) else ())
            if renamed:  # labels a tag's rules read (and the cube of key labels classes)
                tag_cube.refresh(self.db, self.m, connection_id, as_text=not self.is_postgres, kinds=renamed)
            if "api_key" in renamed:  # keys may share names now, or no longer
                tag_cube.keep_key_labels(self.db, self.m)

    def project_names(self, connection_id: int) -> dict[str, str | None]:
        P = self.m.Project
        with self.read():
            return dict(P.select(P.project_id, P.name).where(P.connection == connection_id).tuples())

    def key_names(self, connection_id: int) -> dict[str, str | None]:
        K = self.m.ApiKey
        with self.read():
            return dict(K.select(K.key_id, K.name).where(K.connection == connection_id).tuples())

    # -- costs ------------------------------------------------------------------------------

    def replace_window(self, connection_id: int, start: date, end: date,
                       rows: Sequence[CostRow] | CostColumnsLike) -> int:
        """Replace the connection's rows for days ``start..end`` (inclusive) with ``rows``, atomically.

        Results that share a key within a day (the API should not send them) are summed, so the
        store keeps one row per (day, project, key, charge, currency). ``rows`` may be CostRow objects
        or columns of them (the sync engine's).
        """
        window = WindowColumns(rows)
        outside = window.outside(start, end)
        if outside is not None:
            raise StoreError(f"a cost row for {outside} falls outside the window {start}..{end}")
        C = self.m.Cost
        # unchecked: the connection is checked here, and the charges are read in this transaction
        with self.write(unchecked=True), no_gc_pauses():  # ~140k rows' tuples at once, no cycles among them
            self._connection_kept(connection_id)
            # ids_for reads the charge as the 4th item of each key: one per distinct charge is enough
            charge_ids = self._charges.ids_for((None, None, None, c) for c in set(window.charges))
            deleted = C.delete().where((C.connection == connection_id) & (C.day >= start) & (C.day <= end)).execute()
            values = self._insert_window(window, connection_id, charge_ids)
            units = {charge_id: charge[1] for charge, charge_id in charge_ids.items()}
            rollup.refresh(self.db, connection_id, start, end, as_text=not self.is_postgres, rows=values, units=units,
                           was_empty=not deleted)
            tag_cube.refresh(self.db, self.m, connection_id, start, end, as_text=not self.is_postgres)
        return len(values)

    def _connection_kept(self, connection_id: int) -> None:
        """Refuse to write for a connection that is not in the store (removed meanwhile, by another
        process); it stays until this transaction ends (SQLite's write lock; on PostgreSQL a lock on its
        row, which a removal waits for)."""
        Cn = self.m.Connection
        query = Cn.select(Cn.id).where(Cn.id == connection_id)
        if self.is_postgres:
            query = query.for_update("FOR KEY SHARE")
        if query.first() is None:
            raise StoreError(f"there is no connection {connection_id} in the store {self.where} (it was removed, "
                             "perhaps by another process); its costs were not written")

    def _insert_window(self, window: WindowColumns, connection_id: int, charge_ids: dict) -> list[tuple]:
        """The window's rows inserted into ``cost``, as the tuples inserted. Rows that share a store key
        (the API should not send them) fail the primary key: they are then summed and inserted again."""
        table = f'"{self.m.Cost._meta.table_name}"'
        # in the API's order, not sorted: its rows come day by day, so each insert lands among the day's
        # last pages already; sorting them first cost more (~0.45 s of a year's 3.5 s of inserts)
        values = window.cost_rows(connection_id, charge_ids, as_text=not self.is_postgres)
        try:
            with self.db.savepoint():
                insert_rows(self.db, table, rollup.COST_COLUMNS, values)
            return values
        except pw.IntegrityError:
            merged = window.merged()
            if merged is window:  # not a repeated key: a fault of its own
                raise
        values = merged.cost_rows(connection_id, charge_ids, as_text=not self.is_postgres)
        insert_rows(self.db, table, rollup.COST_COLUMNS, values)
        return values

    def other_currencies(self, spec: PivotSpec, *, today: date) -> list[tuple[str, int, int]]:
        """(currency, cost rows, exact total) for each currency other than the spec's among the rows the
        spec's range, workspace and filters select: what a USD report leaves out (never summed in)."""
        from .pivot import _Exprs

        start, end = (spec.date_range.start, spec.date_range.end) if spec.date_range else (today.replace(day=1), today)
        ex = _Exprs(self, self.m.Cost)
        C = self.m.Cost
        query = (ex.query({f.dim for f in spec.filters})
                 .select(C.currency, pw.fn.COUNT(pw.SQL("*")), pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo))
                 .where((C.currency != spec.currency) & (C.day >= start) & (C.day <= end)))
        for f in spec.filters:
            values = list(f.values)
            query = query.where(ex.expr[f.dim].not_in(values) if f.exclude else ex.expr[f.dim].in_(values))
        with self.read():
            if spec.workspace:
                query = query.where(C.connection.in_(self.workspace_members(spec.workspace)))
            rows = list(self.db.execute(query.group_by(C.currency).order_by(C.currency)))
        return [(cur, int(n), money.join(int(hi or 0), int(lo or 0))) for cur, n, hi, lo in rows]

    def charge_values(self, field: str) -> list[str]:
        """Every value a derived charge dimension (``subcategory``, ``tier`` ...) takes in the store."""
        Ch = self.m.Charge
        column = Ch._meta.fields[field]
        with self.read():
            return sorted(v for (v,) in Ch.select(column).distinct().tuples())

    def last_day(self) -> date | None:
        """The newest day any cost row is stored for (None for an empty store)."""
        return self._day_bound(pw.fn.MAX)

    def first_day(self) -> date | None:
        """The oldest day any cost row is stored for (None for an empty store)."""
        return self._day_bound(pw.fn.MIN)

    def _day_bound(self, fn) -> date | None:
        C = self.m.Cost
        with self.read():
            value = C.select(fn(C.day)).scalar()  # one end of the primary key (it leads with the day)
        return as_date(value) if value is not None else None

    def cost_count(self, connection_id: int | None = None) -> int:
        C = self.m.Cost
        with self.read():
            query = C.select()
            if connection_id is not None:
                query = query.where(C.connection == connection_id)
            return query.count()

    def connection_figures(self, start: date, end: date, currency: str = "usd") -> dict[int, tuple[int, int]]:
        """Per connection: (stored cost rows, exact total over ``start..end``), in one query."""
        C = self.m.Cost
        in_range = (C.day >= start) & (C.day <= end) & (C.currency == currency)
        hi = pw.fn.SUM(pw.Case(None, [(in_range, C.amount_hi)], 0))
        lo = pw.fn.SUM(pw.Case(None, [(in_range, C.amount_lo)], 0))
        query = C.select(C.connection, pw.fn.COUNT(pw.SQL("*")), hi, lo).group_by(C.connection).tuples()
        with self.read():
            return {cid: (int(n), money.join(int(h or 0), int(low or 0))) for cid, n, h, low in query}

    def total(self, *, connection_id: int | None = None, start: date | None = None, end: date | None = None,
              currency: str = "usd") -> int:
        """Exact total in atto-units (for checks and status lines)."""
        C = self.m.Cost
        query = C.select(pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo)).where(C.currency == currency)
        if connection_id is not None:
            query = query.where(C.connection == connection_id)
        if start is not None:
            query = query.where(C.day >= start)
        if end is not None:
            query = query.where(C.day <= end)
        with self.read():
            hi, lo = query.tuples().get()
        return money.join(int(hi or 0), int(lo or 0))

    def daily_totals(self, connection_id: int, start: date, end: date) -> dict[tuple[date, str], int]:
        C = self.m.Cost
        query = (
            C.select(C.day, C.currency, pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo))
            .where((C.connection == connection_id) & (C.day >= start) & (C.day <= end))
            .group_by(C.day, C.currency)
            .tuples()
        )
        with self.read():
            return {(as_date(d), cur): money.join(int(hi), int(lo)) for d, cur, hi, lo in query}

    def data_as_of(self) -> datetime | None:
        C = self.m.Connection
        with self.read():
            return C.select(pw.fn.MAX(C.last_synced_at)).scalar()

    def reclassify(self) -> int:
        """Re-derive every charge's dimensions with the current taxonomy (no re-sync needed); the cubes of
        tags by charge dimensions are classed again in the same transaction."""
        with self.write():
            changed = self._charges.reclassify()
            if changed:
                tag_cube.reclassified(self.db, self.m)
            return changed

    # -- sync runs and reconciliation ----------------------------------------------------------

    def start_run(self, connection_id: int) -> int:
        with self.write():
            return self.m.SyncRun.create(connection=connection_id, started_at=now_naive()).id

    def finish_run(self, run_id: int, *, outcome: str, pages: int, rows: int, window: tuple[date, date] | None,
                   error: str | None = None) -> None:
        R = self.m.SyncRun
        with self.write():
            R.update(
                finished_at=now_naive(),
                outcome=outcome,
                pages=pages,
                rows=rows,
                window_start=window[0] if window else None,
                window_end=window[1] if window else None,
                error=error,
            ).where(R.id == run_id).execute()

    def runs(self, connection_id: int | None = None, limit: int = 20) -> list[SyncRunInfo]:
        R = self.m.SyncRun
        query = R.select().order_by(R.id.desc()).limit(limit)
        if connection_id is not None:
            query = query.where(R.connection == connection_id)
        with self.read():
            return [
                SyncRunInfo(r.connection_id, r.started_at, r.finished_at, r.window_start, r.window_end, r.pages,
                            r.rows, r.outcome, r.error)
                for r in query
            ]

    def replace_reconciliation(self, connection_id: int, start: date, end: date,
                               mismatches: Sequence[tuple[date, str, int, int]]) -> None:
        Rc = self.m.Reconciliation
        with self.write():
            Rc.delete().where((Rc.connection == connection_id) & (Rc.day >= start) & (Rc.day <= end)).execute()
            now = now_naive()
            for day, currency, grouped, ungrouped in mismatches:
                Rc.create(connection=connection_id, day=day, currency=currency,
                          grouped_total=money.format_exact(grouped), ungrouped_total=money.format_exact(ungrouped),
                          detected_at=now)

    def reconciliation_issues(self, connection_id: int | None = None) -> list[tuple[int, date, str, str, str]]:
        Rc = self.m.Reconciliation
        query = Rc.select(Rc.connection, Rc.day, Rc.currency, Rc.grouped_total, Rc.ungrouped_total).order_by(Rc.day)
        if connection_id is not None:
            query = query.where(Rc.connection == connection_id)
        with self.read():
            return [(c, as_date(d), cur, g, u) for c, d, cur, g, u in query.tuples()]

    # -- tests and tools --------------------------------------------------------------------

    def dump_costs(self, connection_id: int | None = None) -> list[tuple]:
        """Every cost row as plain tuples, sorted: for comparing a store before and after."""
        C, Ch = self.m.Cost, self.m.Charge
        query = C.select(C.connection, C.day, C.project_id, C.api_key_id, Ch.line_item, Ch.unit, C.currency,
                         C.amount_hi, C.amount_lo, C.qty_hi, C.qty_lo).join(Ch)
        if connection_id is not None:
            query = query.where(C.connection == connection_id)
        with self.read():
            return sorted((c, str(d), *rest) for c, d, *rest in query.tuples())


def _upsert(model: type[pw.Model], fields: list, preserve: list, rows: dict[str, tuple], per: int = 200) -> None:
    """``rows`` (by id: the values of ``fields``, the connection and the id first) inserted, or their
    ``preserve`` fields updated where the (connection, id) is there already."""
    found = list(rows.values())
    for i in range(0, len(found), per):
        model.insert_many(found[i:i + per], fields=fields).on_conflict(
            conflict_target=fields[:2], preserve=preserve).execute()


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _to_connection(row, workspaces: tuple[str, ...], interrupted: str | None = None) -> Connection:
    status, last_error = row.status, row.last_error
    if interrupted is not None:
        status, last_error = "interrupted", interrupted
    return Connection(
        id=row.id,
        description=row.description,
        base_url=row.base_url,
        key_source=row.key_source,
        key_ref=row.key_ref,
        organization=row.organization_name or row.organization_id,
        masked_key=row.masked_key,
        backfill_start=as_date(row.backfill_start),
        last_synced_at=row.last_synced_at.replace(tzinfo=UTC) if row.last_synced_at else None,
        covered_from=as_date(row.covered_from) if row.covered_from else None,
        synced_through=as_date(row.covered_to) if row.covered_to else None,
        status=status,
        last_error=last_error,
        group_by_api_key=row.group_by_api_key,
        workspaces=workspaces,
        synced_by=row.synced_by,
        error_by=row.error_by,
    )
