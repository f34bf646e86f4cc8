"""Opening a store: SQLite file (default) or PostgreSQL URL. Opening is a call, never an import effect."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee as pw

from ..core.errors import StoreError
from . import rollup
from .schema import SCHEMA_VERSION, Models, build_models

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", 1),
    ("busy_timeout", 15000),
)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """Where the store lives, for messages (a PostgreSQL URL without its password)."""
    if not is_postgres_url(url):
        return url
    parts = urlparse(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"postgresql://{user}{host}{port}{parts.path}"


@contextlib.contextmanager
def translate_errors(where: str) -> Iterator[None]:
    """Turn driver errors into one clear StoreError naming the store."""
    try:
        yield
    except StoreError:
        raise
    except (pw.DatabaseError, sqlite3.DatabaseError, pw.InterfaceError) as exc:
        cause: BaseException = exc
        # SQLite rolls back by itself on SQLITE_FULL and some I/O errors; the ORM's own rollback
        # then fails with "no transaction is active", hiding the real cause.
        while "no transaction is active" in str(cause) and cause.__context__ is not None:
            cause = cause.__context__
        raise StoreError(explain(cause, where)) from exc
    except PermissionError as exc:
        raise StoreError(f"cannot open the store {where}: permission denied") from exc


def explain(exc: BaseException, where: str) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"the store {where} is damaged or not a SQLite database; it was left untouched. "
            "Move it aside (or restore a backup) and sync again"
        )
    if "locked" in text or "busy" in text:
        return f"the store {where} is locked by another process; try again when it is done"
    if "readonly" in text or "read-only" in text:
        return f"the store {where} is read-only; check the file's and folder's permissions"
    if "full" in text:
        return f"the disk holding {where} is full; nothing was written. Free space and try again"
    if "unable to open" in text:
        return f"cannot open the store {where}; check that its folder exists and is writable"
    if "newer version" in text:
        return str(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the store {where} failed: {first[:200]}"


def open_database(url: str) -> tuple[pw.Database, Models]:
    """Connect, check the schema version, migrate (backing the file up first) and return models."""
    if is_postgres_url(url):
        db = _postgres(url)
        where = describe(url)
    else:
        path = Path(url).expanduser()
        if path.exists() and path.is_dir():
            raise StoreError(f"the store path {path} is a folder, not a database file")
        if not path.parent.exists():
            raise StoreError(f"cannot open the store {path}: the folder {path.parent} does not exist")
        fresh = not path.exists() or path.stat().st_size == 0
        db = pw.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=15, check_same_thread=False)
        where = str(path)
        if fresh:
            # Create the file 0600 before SQLite does (it would follow the umask).
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    models = build_models(db)
    with translate_errors(where):
        db.connect(reuse_if_open=True)
        _migrate(db, models, where, None if is_postgres_url(url) else Path(url).expanduser())
    return db, models


def _postgres(url: str) -> pw.Database:
    try:
        import psycopg2  # noqa: F401  (imported lazily: only a team store needs it)
    except ImportError as exc:
        raise StoreError(
            "a PostgreSQL store needs the psycopg2 driver: pip install 'openai-cost-tui[postgres]'"
        ) from exc
    parts = urlparse(url)
    return pw.PostgresqlDatabase(
        (parts.path or "/").lstrip("/") or "postgres",
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
    )


def _migrate(db: pw.Database, models: Models, where: str, path: Path | None) -> None:
    version = _schema_version(db, models)
    if version == SCHEMA_VERSION:
        return
    # 1 -> 2 only adds the saved_view table, 2 -> 3 the budget and restatement tables:
    # create_tables(safe=True) below does exactly that.
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"the store {where} was written by a newer version of openai-cost-tui "
            f"(schema {version}, this one knows {SCHEMA_VERSION}); upgrade the tool"
        )
    if version is not None and path is not None:
        backup_before_migration(db, path, version)
    with db.atomic():
        db.create_tables(models.all(), safe=True)
        if version is not None and version < 4:
            rollup.rebuild(db)  # 4 added the monthly rollup, 5 the daily ones: fill them from the rows
        elif version is not None and version < 5:
            rollup.rebuild(db, rollup.DAILY)
        Meta = models.Meta
        Meta.insert(key="schema_version", value=str(SCHEMA_VERSION)).on_conflict(
            conflict_target=[Meta.key], preserve=[Meta.value]
        ).execute()
        models.Meta.insert(key="created_at", value=datetime.now(UTC).isoformat()).on_conflict_ignore().execute()


def _schema_version(db: pw.Database, models: Models) -> int | None:
    if not db.table_exists(models.Meta._meta.table_name):
        if db.get_tables():
            raise StoreError("the database holds tables that are not an openai-cost-tui store; left untouched")
        return None
    row = models.Meta.get_or_none(models.Meta.key == "schema_version")
    return int(row.value) if row else None


def backup_before_migration(db: pw.Database, path: Path, version: int) -> Path:
    """Copy the store aside with SQLite's online backup before changing its schema."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.schema{version}-{stamp}.bak")
    source = sqlite3.connect(str(path))
    try:
        dest = sqlite3.connect(str(target))
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()
    os.chmod(target, 0o600)
    return target
