"""One sync at a time per store: a file lock beside a SQLite store, an advisory lock on PostgreSQL.

The lock is also how a reader tells a live sync from a dead one: a connection whose status says
``syncing`` while nobody holds the lock was interrupted (kill -9, a crash, a power cut), see
``sync_running``. The kernel releases a flock when its process dies, so the answer is never stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import StoreError, SyncBusy

if TYPE_CHECKING:
    from .store import Store

PG_LOCK_ID = 0x0C057_7C1  # arbitrary, fixed: "cost tui"


@contextlib.contextmanager
def sync_lock(store: Store, *, wait: bool = False, poll: float = 0.2) -> Iterator[None]:
    if store.is_postgres:
        with _pg_lock(store, wait=wait, poll=poll):
            yield
        return
    lock_path = lock_file(store)
    try:
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot take the sync lock {lock_path}: {exc.strerror or exc}; "
                         "check the store folder's permissions") from exc
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise SyncBusy(
                        f"another openai-cost-tui process is syncing {store.where}; "
                        "wait for it to finish (its data will be there) and try again"
                    ) from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_file(store: Store) -> Path:
    path = Path(store.url).expanduser()
    return path.with_name(path.name + ".sync-lock")


def sync_running(store: Store) -> bool:
    """True while some process (this one included) holds the store's sync lock. Creates nothing: no
    lock file means no sync ever ran here. When the answer cannot be known, True (never claim that a
    live sync was interrupted)."""
    if store.is_postgres:
        return _pg_lock_held(store)
    try:
        path = lock_file(store)
    except (TypeError, ValueError):
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a shared lock conflicts only with a sync's
        except BlockingIOError:
            return True
        except OSError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _pg_lock_held(store: Store) -> bool:
    key = PG_LOCK_ID
    try:
        row = store.db.execute_sql(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s AND objid = %s AND objsubid = 1",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchone()
    except Exception:  # noqa: BLE001 - unknown: assume a sync may be running
        return True
    return bool(row and row[0])


@contextlib.contextmanager
def _pg_lock(store: Store, *, wait: bool, poll: float) -> Iterator[None]:
    db = store.db
    while True:
        got = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (PG_LOCK_ID,)).fetchone()[0]
        if got:
            break
        if not wait:
            raise SyncBusy(f"another openai-cost-tui process is syncing {store.where}; try again when it is done")
        time.sleep(poll)
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (PG_LOCK_ID,))
