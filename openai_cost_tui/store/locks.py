"""One sync at a time per store: a file lock beside a SQLite store, an advisory lock on PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import SyncBusy

if TYPE_CHECKING:
    from .store import Store

PG_LOCK_ID = 0x0C057_7C1  # arbitrary, fixed: "cost tui"


@contextlib.contextmanager
def sync_lock(store: Store, *, wait: bool = False, poll: float = 0.2) -> Iterator[None]:
    if store.is_postgres:
        with _pg_lock(store, wait=wait, poll=poll):
            yield
        return
    path = Path(store.url).expanduser()
    lock_path = path.with_name(path.name + ".sync-lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
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
