"""The sync engine: API pages in, exact stored rows out, one window at a time.

For each window (newest first) every page is fetched before anything is written; then the window
is replaced in one transaction, so revisions and vanished line items are exact and a failure writes
nothing. The engine knows nothing of Textual or the CLI: it takes a ``threading.Event`` to cancel and
a callback for progress.

Honest state: a connection is ``syncing`` only while its sync runs under the store's sync lock. A sync
stopped by Ctrl+C, SIGTERM (the CLI turns it into SystemExit) or a broken pipe records ``interrupted``
with its start time before the exception goes on; one killed outright (kill -9) leaves ``syncing``
behind, which the store reads as interrupted once no process holds the lock (store/locks.py).

Each member syncs with their own key (keys/): a connection this member has no key for is skipped
(outcome ``skipped``, nothing written to the store), not failed. What a sync writes to the shared status
says who did it: ``synced_by`` with a success, ``error_by`` with a failure (``member@host``).

Result rows that the API repeats identically within a day are kept (the store sums rows that share a
key, which is the day's total the API reports) and counted in a warning of the sync.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby, islice
from typing import TYPE_CHECKING

from ..api.columns import CostColumns
from ..config.member import member_name
from ..core.clock import Clock, system_clock
from ..core.errors import Cancelled, CostToolError, ProtocolError
from ..core.gc_pauses import no_gc_pauses
from ..core.models import Connection, CostRow
from ..keys.keystore import KeyStore, no_key_here
from ..store.store import Store
from .plan import Window, plan_windows, rechunk, window_days

if TYPE_CHECKING:
    import httpx

    from ..api.client import AdminClient  # imported when a sync runs: a first paint needs no HTTP client

log = logging.getLogger(__name__)

FULL_GROUPING = ("project_id", "line_item", "api_key_id")
PROJECT_GROUPING = ("project_id", "line_item")
RECONCILE_TOLERANCE = 10**12  # atto-USD: 0.000001; the API sums floats, tinier gaps are noise

# A window's rows are columns (api/columns.py), walked in C, not row by row in Python (a large
# organization sends ~4,000 a day): equal tuples of every column are equal rows, hashed in C.


@dataclass(frozen=True)
class SyncProgress:
    connection_id: int
    description: str
    phase: str  # "start" | "costs" | "names" | "done" | "failed" | "cancelled"
    windows_done: int = 0
    windows_total: int = 0
    pages: int = 0
    rows: int = 0
    window: Window | None = None
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.windows_done / self.windows_total if self.windows_total else 0.0


@dataclass(frozen=True)
class SyncResult:
    connection_id: int
    description: str
    outcome: str  # "ok" | "failed" | "cancelled" | "skipped" (no key here)
    pages: int = 0
    rows: int = 0
    window: Window | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    reason: str | None = None  # why it was skipped

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def skipped(self) -> bool:
        return self.outcome == "skipped"


ProgressFn = Callable[[SyncProgress], None]
TransportFor = Callable[[Connection], "httpx.BaseTransport | None"]


@dataclass
class _Run:
    conn: Connection
    progress: ProgressFn
    windows_total: int = 0
    windows_done: int = 0
    pages: int = 0
    rows: int = 0
    span: Window | None = None
    key_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    warnings: list[str] = field(default_factory=list)
    repeated: int = 0  # grouped result rows the API sent more than once, identically, in one day
    plan_start: date | None = None  # the oldest day this sync will fetch
    totals: list[CostRow] | None = None  # ungrouped daily totals over totals_span
    totals_span: Window = (date.max, date.min)

    def report(self, phase: str, message: str = "", window: Window | None = None) -> None:
        self.progress(
            SyncProgress(self.conn.id, self.conn.description, phase, self.windows_done, self.windows_total,
                         self.pages, self.rows, window, message)
        )

    def covered(self, window: Window) -> None:
        start, end = window
        self.span = (min(start, self.span[0]), max(end, self.span[1])) if self.span else window


class SyncEngine:
    def __init__(self, store: Store, keys: KeyStore, *, clock: Clock = system_clock, trailing_days: int = 3,
                 transport_for: TransportFor | None = None, client_options: dict | None = None,
                 member: str | None = None) -> None:
        self.store = store
        self.member = member or member_name()
        self.keys = keys
        self.clock = clock
        self.trailing_days = trailing_days
        self.transport_for = transport_for or (lambda conn: None)
        self.client_options = client_options or {}

    def with_store(self, store: Store) -> SyncEngine:
        """The same engine over another Store object (each worker thread opens its own)."""
        return SyncEngine(store, self.keys, clock=self.clock, trailing_days=self.trailing_days,
                          transport_for=self.transport_for, client_options=self.client_options, member=self.member)

    def client(self, conn: Connection, cancel: threading.Event | None = None) -> AdminClient:
        from ..api.client import AdminClient

        key = self.keys.load(conn)
        return AdminClient(key, base_url=conn.base_url, transport=self.transport_for(conn), cancel=cancel,
                           **self.client_options)

    # -- public -----------------------------------------------------------------------------

    def sync_all(self, connections: Sequence[Connection], *, since: date | None = None,
                 cancel: threading.Event | None = None, progress: ProgressFn | None = None,
                 wait_for_lock: bool = False) -> list[SyncResult]:
        """Sync each connection in turn under the store's sync lock; one failure doesn't stop the rest.
        A connection this member has no key for is skipped first, without the lock (a member who
        syncs nothing never waits for, or is refused by, another member's sync)."""
        skipped = {c.id: SyncResult(c.id, c.description, "skipped", reason=no_key_here(c, self.keys.folder))
                   for c in connections if self.keys.ref_for(c, claim=True) is None}
        done: dict[int, SyncResult] = {}
        todo = [c for c in connections if c.id not in skipped]
        if todo:
            with self.store.sync_lock(wait=wait_for_lock):
                for conn in todo:
                    done[conn.id] = self._sync_one(conn, since=since, cancel=cancel, progress=progress)
                    if cancel is not None and cancel.is_set():
                        break
        return [skipped.get(c.id) or done[c.id] for c in connections if c.id in skipped or c.id in done]

    def sync(self, conn: Connection, **kwargs) -> SyncResult:
        return self.sync_all([conn], **kwargs)[0]

    # -- one connection ------------------------------------------------------------------------

    def _sync_one(self, conn: Connection, *, since: date | None, cancel: threading.Event | None,
                  progress: ProgressFn | None) -> SyncResult:
        run = _Run(conn, progress or (lambda p: None))
        today = self.clock().astimezone(UTC).date()
        backfill_start = min(conn.backfill_start or today, since) if since else (conn.backfill_start or today)
        windows = plan_windows(
            today=today,
            backfill_start=backfill_start,
            covered_from=conn.covered_from,
            covered_to=conn.synced_through,
            since=since,
            trailing_days=self.trailing_days,
        )
        run.windows_total = len(windows)
        run.plan_start = min((w[0] for w in windows), default=None)
        started = self.clock()
        run_id = self.store.start_run(conn.id)
        self.store.update_connection(conn.id, status="syncing", backfill_start=backfill_start)
        outcome, error = "ok", None
        try:
            run.report("start")
            with self.client(conn, cancel) as client:
                grouping = PROJECT_GROUPING if conn.group_by_api_key is False else FULL_GROUPING
                pending = list(windows)
                while pending:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    window = pending.pop(0)
                    before = run.rows
                    with no_gc_pauses():  # the window's rows are freed on return, before a collection walks them
                        grouping = self._sync_window(client, run, window, grouping, today)
                    run.windows_done += 1
                    # A large organization's 180-day page is hundreds of MB: size the windows still
                    # to come by the rows per day just seen, so a window holds ~WINDOW_ROWS rows.
                    pending = rechunk(pending, rows_per_day=(run.rows - before) / window_days(window))
                    run.windows_total = run.windows_done + len(pending)
                    run.report("costs", window=window)
                run.report("names")
                self._refresh_names(client, run)
        except Cancelled:
            outcome, error = "cancelled", "cancelled before it finished; the days fetched so far are kept"
        except CostToolError as exc:
            outcome, error = "failed", exc.message
        except (KeyboardInterrupt, SystemExit, BrokenPipeError) as exc:
            self._record_stop(conn, run_id, run, "interrupted", (
                f"the sync started {_naive(started):%Y-%m-%d %H:%M} UTC was interrupted ({_why(exc)}) before it "
                "finished; the data from before it is intact"))
            raise
        except Exception as exc:
            self._record_stop(conn, run_id, run, "failed", f"the sync stopped on an unexpected {type(exc).__name__}")
            raise
        if run.repeated:
            run.warnings.append(
                f"the API sent {run.repeated:,} result row(s) more than once, identically, within one day; "
                "they were kept and summed into their day (the check against the API's daily totals flags a "
                "day where that is wrong)"
            )
        fields: dict = {"status": outcome if outcome != "cancelled" else ("ok" if conn.synced_through else "new")}
        if outcome == "ok":
            fields.update(last_synced_at=_naive(self.clock()), last_error=None, synced_by=self.member, error_by=None)
        else:
            fields.update(last_error=error, error_by=self.member)
        self.store.update_connection(conn.id, **fields)
        self.store.finish_run(run_id, outcome=outcome, pages=run.pages, rows=run.rows, window=run.span, error=error)
        run.report("done" if outcome == "ok" else outcome, message=error or "")
        return SyncResult(conn.id, conn.description, outcome, run.pages, run.rows, run.span, error,
                          tuple(run.warnings))

    def _record_stop(self, conn: Connection, run_id: int, run: _Run, outcome: str, error: str) -> None:
        """Record a sync that an exception stops (the exception goes on): never leave ``syncing``."""
        try:
            self.store.update_connection(conn.id, status=outcome, last_error=error, error_by=self.member)
            self.store.finish_run(run_id, outcome=outcome, pages=run.pages, rows=run.rows, window=run.span,
                                  error=error)
        except BaseException:  # noqa: BLE001 - a second interrupt or a dead store: the lock tells the rest
            log.warning("could not record the %s sync of connection %s", outcome, conn.id, exc_info=True)

    def _sync_window(self, client: AdminClient, run: _Run, window: Window, grouping: tuple[str, ...],
                     today: date) -> tuple[str, ...]:
        from ..api.errors import GroupingRejected

        start, end = window
        try:
            rows = self._fetch_columns(client, run, window, grouping, today)
        except GroupingRejected:
            if "api_key_id" not in grouping:
                raise
            log.info("connection %s rejects group_by=api_key_id; falling back to projects", run.conn.id)
            self.store.update_connection(run.conn.id, group_by_api_key=False)
            grouping = PROJECT_GROUPING
            rows = self._fetch_columns(client, run, window, grouping, today)
        else:
            if "api_key_id" in grouping and run.conn.group_by_api_key is None:
                self.store.update_connection(run.conn.id, group_by_api_key=True)
        totals = [t for t in self._totals(client, run, window, today) if start <= t.day <= end]
        mismatches = reconcile(rows, totals)
        revisable = revisable_days(run.conn, window, today)
        with self.store.write(unchecked=True):  # rows, coverage, reconciliation, restatements: all or none
            before = self.store.day_totals(run.conn.id, *revisable) if revisable else {}
            written = self.store.replace_window(run.conn.id, start, end, rows)
            if revisable:
                self.store.record_changes(run.conn.id, before, *revisable, detected_at=_naive(self.clock()),
                               tolerance=RECONCILE_TOLERANCE)
            self._extend_coverage(run.conn.id, window)
            self.store.replace_reconciliation(run.conn.id, start, end, mismatches)
        if written < len(rows):  # rows merged by store key: count those that were identical (none if none merged)
            run.repeated += len(rows) - len(set(zip(*rows.columns(), strict=True)))
        run.rows += written
        run.covered(window)
        for project_id, key_id in set(zip(rows.project_ids, rows.api_key_ids, strict=True)):
            if key_id and project_id:
                run.key_ids[project_id].add(key_id)
        return grouping

    def _totals(self, client: AdminClient, run: _Run, window: Window, today: date) -> list[CostRow]:
        """The ungrouped daily totals for reconciliation (one row a day): for the first window, then once
        for every day still to sync (a few requests), not once per window."""
        if run.totals is None or not (run.totals_span[0] <= window[0] and window[1] <= run.totals_span[1]):
            # the first window alone (its data should land within seconds), then the rest in one go
            first = run.windows_done == 0
            span = window if first else (min(window[0], run.plan_start or window[0]), window[1])
            run.totals = self._fetch(client, run, span, (), today)
            run.totals_span = span
        return run.totals

    def _fetch(self, client: AdminClient, run: _Run, window: Window, grouping: tuple[str, ...],
               today: date) -> list[CostRow]:
        return self._fetch_columns(client, run, window, grouping, today).rows()

    def _fetch_columns(self, client: AdminClient, run: _Run, window: Window, grouping: tuple[str, ...],
                       today: date) -> CostColumns:
        """Every page of the window, its results joined column by column."""
        from ..api.client import CostsQuery

        start, end = window
        query = CostsQuery(start=start, end=end + timedelta(days=1), group_by=grouping)
        rows = CostColumns()
        seen: list[date] = []
        for page in client.iter_cost_pages(query):
            run.pages += 1
            rows.extend(page.columns())
            seen.extend(page.buckets)
            run.report("costs", window=window, message=f"{len(rows):,} rows so far")
        check_buckets(seen, start, end, today)
        days = rows.days
        if days and not (start <= min(days) and max(days) <= end):
            outside = next(day for day in days if not start <= day <= end)
            raise ProtocolError(f"the API sent costs for {outside}, outside the requested {start}..{end}")
        return rows

    def _extend_coverage(self, connection_id: int, window: Window) -> None:
        conn = self.store.connection(connection_id)
        lo = min(window[0], conn.covered_from) if conn.covered_from else window[0]
        hi = max(window[1], conn.synced_through) if conn.synced_through else window[1]
        self.store.update_connection(connection_id, covered_from=lo, covered_to=hi)

    def _refresh_names(self, client: AdminClient, run: _Run) -> None:
        """Project and key names; a failure here leaves ids in place of names, never fails the sync."""
        try:
            projects = client.projects()
            keys = []
            known = self.store.key_names(run.conn.id)
            for project_id, key_ids in sorted(run.key_ids.items()):
                if key_ids - known.keys() or any(known.get(k) is None for k in key_ids):
                    keys.extend(client.api_keys(project_id))
            self.store.save_names(run.conn.id, projects, keys)
        except Cancelled:
            raise
        except CostToolError as exc:
            run.warnings.append(f"project and key names were not refreshed: {exc.message}")
            log.warning("names not refreshed for connection %s: %s", run.conn.id, exc.message)


def revisable_days(conn: Connection, window: Window, today: date) -> Window | None:
    """The days of ``window`` that were stored complete before this sync: a change there is a
    restatement. Days stored while still filling (today, or yesterday read before midnight) are not;
    a first sync (nothing stored yet) has none."""
    if conn.covered_from is None or conn.synced_through is None or conn.last_synced_at is None:
        return None
    complete_before = min(today, conn.last_synced_at.astimezone(UTC).date())
    start = max(window[0], conn.covered_from)
    end = min(window[1], conn.synced_through, complete_before - timedelta(days=1))
    return (start, end) if start <= end else None


def check_buckets(days: list[date], start: date, end: date, today: date) -> None:
    """Every day of the window exactly once (today's bucket may still be missing): else nothing is stored."""
    counts: dict[date, int] = defaultdict(int)
    for day in days:
        counts[day] += 1
    repeated = sorted(d for d, n in counts.items() if n > 1)
    if repeated:
        raise ProtocolError(f"the API sent the day {repeated[0]} twice; nothing from this window was stored")
    missing = [d for d in _days(start, min(end, today - timedelta(days=1))) if d not in counts]
    if missing:
        raise ProtocolError(
            f"the API left out {len(missing)} day(s) of {start}..{end} (first {missing[0]}); "
            "nothing from this window was stored"
        )


def reconcile(rows: Sequence[CostRow] | CostColumns, totals: Sequence[CostRow] | CostColumns,
              ) -> list[tuple[date, str, int, int]]:
    """Days whose grouped rows don't add up to the ungrouped total: (day, currency, grouped, ungrouped)."""
    grouped: dict[tuple[date, str], int] = defaultdict(int)
    ungrouped: dict[tuple[date, str], int] = defaultdict(int)
    for sums, some in ((grouped, rows), (ungrouped, totals)):
        columns = some if isinstance(some, CostColumns) else CostColumns.from_rows(some)
        amounts = iter(columns.amounts)
        for key, run_of_rows in groupby(zip(columns.days, columns.currencies, strict=True)):  # a day's rows come together
            sums[key] += sum(islice(amounts, len(list(run_of_rows))))
    out = []
    for key in sorted(grouped.keys() | ungrouped.keys()):
        if abs(grouped[key] - ungrouped[key]) > RECONCILE_TOLERANCE:
            out.append((key[0], key[1], grouped[key], ungrouped[key]))
    return out


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)] if end >= start else []


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "Ctrl+C"
    if isinstance(exc, BrokenPipeError):
        return "a broken pipe"
    if isinstance(exc, SystemExit) and exc.code == 128 + 15:
        return "SIGTERM"
    return f"exit {exc.code}" if isinstance(exc, SystemExit) else type(exc).__name__


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
