"""Opening a store: SQLite file (default) or PostgreSQL URL. Opening is a call, never an import effect."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from ..core.errors import StoreError


def _peewee_without_its_driver():
    """peewee imports psycopg2 at its own import when it is installed (~35-45 ms, a third of what peewee
    costs a start); only a PostgreSQL store needs it, so it is held back here and handed to peewee when
    such a store opens (``_postgres_driver``). When something imported peewee first, it is left as it is."""
    held = "peewee" not in sys.modules and "psycopg2" not in sys.modules
    if held:
        sys.modules["psycopg2"] = None  # type: ignore[assignment]  (import psycopg2 -> ImportError)
    try:
        import peewee
    finally:
        if held:
            del sys.modules["psycopg2"]
    return peewee


pw = _peewee_without_its_driver()

from . import rollup, tag_cube  # noqa: E402  (these import peewee: after it was imported without its driver)
from .schema import ADDED_COLUMNS, SCHEMA_VERSION, Models, build_models  # noqa: E402

# SQLite's page cache of each connection, also the memory its sorter may use before it writes to temporary
# files: 16 MB instead of the default 2 MB (10M rows: the edge days of project x API key sort 30k rows,
# 24 -> 20 ms; a year of cost_month, 123 -> 108 ms). Pages are allocated as they are read.
CACHE_PRAGMA = ("cache_size", -16000)
# A new store's pages are 16 KB instead of 4 KB: a window's rows split fewer pages as they go in (a year of the
# large organization: ~0.8 s less of ~12 s of window writes). A store made with other pages keeps them: SQLite
# changes them only by rewriting the whole file, and not at all in WAL mode.
SQLITE_PRAGMAS = (
    ("page_size", 16384),
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", 1),
    ("busy_timeout", 15000),
    CACHE_PRAGMA,
)
READ_PRAGMAS = (("foreign_keys", 1), ("busy_timeout", 15000), ("query_only", 1), CACHE_PRAGMA)
MEMORY = ":memory:"  # an empty store that lives in memory: what a read command sees where no store is yet
READ, WRITE = "read", "write"


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """Where the store lives, for messages (a PostgreSQL URL without its password)."""
    if url == MEMORY:
        return "an empty store (none exists yet)"
    if not is_postgres_url(url):
        return url
    parts = urlparse(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ":?"
    host = parts.hostname or "localhost"
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
        raise StoreError(scrub(explain(cause, where))) from exc
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


def open_database(url: str, *, mode: str = WRITE) -> tuple[pw.Database, Models]:
    """Connect, check the schema version, migrate (backing the file up first) and return models.

    A SQLite file is first read in SQLite's read-only mode: a damaged file, a foreign database, a
    newer or unreadable schema version is refused before any pragma could write to it (``journal_mode
    = wal`` rewrites the header), so such a file keeps every byte. ``mode=READ`` opens an existing store
    read-only (``mode=ro``; ``immutable=1`` when its folder is not writable): a read command never
    writes, and a store without write permission can still be reported on. ``mode=READ`` on a missing
    or empty file gives an empty in-memory store and creates nothing.
    """
    if mode not in (READ, WRITE):
        raise ValueError(mode)
    if url == MEMORY:
        return _memory()
    if is_postgres_url(url):
        db = _postgres(url)
        where = describe(url)
        models = build_models(db)
        with translate_errors(where):
            db.connect(reuse_if_open=True)
            _migrate(db, models, where, None, _schema_version(db, models, where))
        return db, models
    path = Path(url).expanduser()
    where = str(path)
    if path.exists() and path.is_dir():
        raise StoreError(f"the store path {path} is a folder, not a database file")
    if not path.parent.exists():
        raise StoreError(f"cannot open the store {path}: the folder {path.parent} does not exist")
    fresh = not path.exists() or path.stat().st_size == 0
    version, immutable = (None, False) if fresh else probe(path)
    if version is None and (fresh or mode == READ):
        if mode == READ:
            return _memory()
    elif mode == READ and version < SCHEMA_VERSION and not _writable(path):
        raise StoreError(
            f"the store {path} has schema {version} and this version of openai-cost-tui needs to upgrade it "
            f"to {SCHEMA_VERSION} once, which needs write access to the file and its folder; it was left untouched"
        )
    elif mode == READ and version == SCHEMA_VERSION:
        uri = f"file:{quote(str(path.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")
        db = pw.SqliteDatabase(uri, uri=True, pragmas=READ_PRAGMAS, timeout=15, check_same_thread=False)
        models = build_models(db)
        with translate_errors(where):
            db.connect(reuse_if_open=True)
        return db, models
    if fresh:
        # Create the file 0600 before SQLite does (it would follow the umask).
        with translate_errors(where):
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    db = pw.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=15, check_same_thread=False)
    models = build_models(db)
    with translate_errors(where):
        db.connect(reuse_if_open=True)
        _migrate(db, models, where, path, version)
    return db, models


def _memory() -> tuple[pw.Database, Models]:
    db = pw.SqliteDatabase(MEMORY, pragmas=(("foreign_keys", 1),), thread_safe=False, check_same_thread=False)
    models = build_models(db)
    db.connect()
    _migrate(db, models, "an empty store", None, None)
    return db, models


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def probe(path: Path) -> tuple[int | None, bool]:
    """Read a SQLite file's schema version in SQLite's read-only mode: (version or None for a database
    with no table yet, whether ``immutable=1`` was needed to read it). A damaged file, a foreign
    database and a newer or unreadable version raise StoreError; nothing is written either way."""
    where = str(path)
    base = f"file:{quote(str(path.absolute()))}?mode=ro"
    immutable = False
    try:
        try:
            con, tables = _read_tables(base)
        except sqlite3.OperationalError as exc:
            # a WAL store in a folder this user cannot write: no -shm can be made ("unable to open",
            # "attempt to write a readonly database"), so it is read as immutable
            if not any(sign in str(exc).lower() for sign in ("unable to open", "readonly", "read-only")):
                raise
            con, tables = _read_tables(base + "&immutable=1")
            immutable = True
        try:
            if "meta" not in tables:
                if tables:
                    raise StoreError(f"the database {where} holds tables that are not an openai-cost-tui store; "
                                     "it was left untouched")
                return None, immutable
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            con.close()
    except StoreError:
        raise
    except PermissionError as exc:
        raise StoreError(f"cannot open the store {where}: permission denied") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(exc, where)) from exc
    version = _parse_version(row[0] if row else None, where)
    known = {m._meta.table_name for m in build_models(pw.SqliteDatabase(None)).all()}
    if version is not None and version > SCHEMA_VERSION:
        raise _newer(where, version)
    if tables - known:
        raise StoreError(f"the database {where} holds tables that are not an openai-cost-tui store "
                         f"({', '.join(sorted(tables - known)[:3])}); it was left untouched")
    return version, immutable


def _read_tables(uri: str) -> tuple[sqlite3.Connection, set[str]]:
    con = sqlite3.connect(uri, uri=True, timeout=15)
    try:
        return con, _tables(con)
    except BaseException:
        con.close()
        raise


def _tables(con: sqlite3.Connection) -> set[str]:
    rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def _parse_version(raw: object, where: str) -> int | None:
    if raw is None:
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        shown = repr(str(raw))[:40]
        raise StoreError(f"the store {where} has an unreadable schema version {shown} (in its meta table); "
                         "it was left untouched. Restore a backup or move the file aside")
    return int(text)


def _newer(where: str, version: int) -> StoreError:
    return StoreError(
        f"the store {where} was written by a newer version of openai-cost-tui "
        f"(schema {version}, this one knows {SCHEMA_VERSION}); it was left untouched: upgrade the tool"
    )


def _postgres(url: str) -> pw.Database:
    """The URL goes to libpq as it is, so a URL without a password takes it from libpq's usual places
    ($PGPASSWORD, ~/.pgpass or $PGPASSFILE, a service file via ?service=NAME or $PGSERVICE) and a URL
    without a host uses $PGHOST or the local socket. A password in the URL is scrubbed from messages."""
    try:
        _postgres_driver()
    except ImportError as exc:
        raise StoreError(
            "a PostgreSQL store needs the psycopg2 driver: pip install 'openai-cost-tui[postgres]'"
        ) from exc
    try:
        password = urlparse(url).password
    except ValueError:
        password = None
    if password:
        _SECRETS.update({password, unquote(password), quote(unquote(password), safe="")})
    return pw.PostgresqlDatabase("postgresql://" + url.split("://", 1)[1])  # peewee hands it to libpq as a DSN


def _postgres_driver() -> None:
    """psycopg2, imported now and given to peewee as peewee's own import would have (see
    ``_peewee_without_its_driver``); ImportError when it is not installed."""
    if getattr(pw, "psycopg2", None) is not None:
        return
    import psycopg2
    from psycopg2 import extensions
    from psycopg2.extras import Json, register_uuid

    register_uuid()
    pw.psycopg2, pw.pg_extensions, pw.pg_register_uuid, pw.Json_pg2 = psycopg2, extensions, register_uuid, Json
    adapter = pw.Psycopg2Adapter  # its class body read the transaction states only when psycopg2 was there
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN


_SECRETS: set[str] = set()  # passwords of the PostgreSQL URLs opened: never in a message


def scrub(text: str) -> str:
    """``text`` without any password a store URL carried."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "****")
    return text


def _migrate(db: pw.Database, models: Models, where: str, path: Path | None, version: int | None) -> None:
    if version == SCHEMA_VERSION:
        return
    # 1 -> 2 only adds the saved_view table, 2 -> 3 the budget and restatement tables:
    # create_tables(safe=True) below does exactly that.
    if version is not None and version > SCHEMA_VERSION:
        raise _newer(where, version)
    if version is not None and path is not None:
        backup_before_migration(db, path, version)
    with db.atomic():
        if version is not None and version < 14:  # 14 keyed the rollups by API key by project too
            db.execute_sql("DROP TABLE IF EXISTS cost_day_key")
            db.execute_sql("DROP TABLE IF EXISTS cost_month_key")
        db.create_tables(models.all(), safe=True)
        _add_columns(db)
        if version is not None and version < 10:
            # 9: the rollups as WITHOUT ROWID tables (SQLite, ~3 s on 2M rows); 10: cost keyed by COST_KEY
            _rowless_tables(db, models, cost=True, rollups=version < 9)
        if version is not None:  # each rollup a later schema added or changed, made from the table it sums
            rollup.rebuild(db, rollup.made_after(version))
        if version is not None and version < 13:  # 12 built the cubes of tags by project or key, 13 by charge too
            from .tags import stored_tags

            tag_cube.build(db, models, stored_tags(db, models))  # from the daily rollups: seconds on 10M rows
        if version is not None and version < 14:  # 14: the cube of key labels, where keys share names
            tag_cube.keep_key_labels(db, models)
        if version is not None and 13 <= version < 15:  # 15: the part cubes of tags by charge (13 built them)
            tag_cube.build_parts(db, models)
        Meta = models.Meta
        Meta.insert(key="schema_version", value=str(SCHEMA_VERSION)).on_conflict(
            conflict_target=[Meta.key], preserve=[Meta.value]
        ).execute()
        models.Meta.insert(key="created_at", value=datetime.now(UTC).isoformat()).on_conflict_ignore().execute()
        models.Meta.insert(key="store_id", value=uuid.uuid4().hex).on_conflict_ignore().execute()
    if version is not None and version < 10 and path is not None:
        db.execute_sql("VACUUM")  # the rowid table's pages back to the system: 498 -> 238 MB, ~3 s on 2M rows


def _rowless_tables(db: pw.Database, models: Models, *, cost: bool, rollups: bool) -> None:
    """Each SQLite table still stored with rowids copied row for row into its WITHOUT ROWID table, keyed as
    schema.py says (the rollups by ROLLUP_KEYS before schema 9, ``cost`` by COST_KEY before 10, in that
    key's order so each row lands beside the last). PostgreSQL keeps its rollups as they are; its ``cost``
    loses the id column and the two indexes, and is keyed by COST_KEY in place."""
    if not isinstance(db, pw.SqliteDatabase):
        if cost:
            _keyed_cost_postgres(db, models)
        return
    for model in ([models.Cost] if cost else []) + (models.rollups() if rollups else []):
        table = model._meta.table_name
        (ddl,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        if "WITHOUT ROWID" in ddl.upper():
            continue
        columns = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
        key = _key_columns(model)
        db.execute_sql(f'ALTER TABLE "{table}" RENAME TO "{table}_old"')
        model.create_table(safe=False)
        db.execute_sql(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}_old" ORDER BY {key}')
        db.execute_sql(f'DROP TABLE "{table}_old"')  # its indexes go with it


def _keyed_cost_postgres(db: pw.Database, models: Models) -> None:
    """Schema 9's PostgreSQL ``cost`` (an id, a unique index led by the connection, a day index) keyed by
    COST_KEY instead, rows kept (the unique index held the same rows unique)."""
    if "id" not in {c.name for c in db.get_columns("cost")}:
        return
    db.execute_sql('ALTER TABLE "cost" DROP COLUMN "id"')  # and its primary key
    for index in db.get_indexes("cost"):
        db.execute_sql(f'DROP INDEX "{index.name}"')
    db.execute_sql(f'ALTER TABLE "cost" ADD PRIMARY KEY ({_key_columns(models.Cost)})')


def _key_columns(model: type[pw.Model]) -> str:
    """A model's composite primary key as a column list, in the key's order."""
    meta = model._meta
    return ", ".join(f'"{meta.fields[name].column_name}"' for name in meta.primary_key.field_names)


def _add_columns(db: pw.Database) -> None:
    """Columns a migration added to an existing table (only those still missing)."""
    for table, columns in ADDED_COLUMNS.items():
        have = {c.name for c in db.get_columns(table)}
        for name, kind in columns:
            if name not in have:
                db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}')


def _schema_version(db: pw.Database, models: Models, where: str) -> int | None:
    """The schema version of an open database (PostgreSQL; SQLite files are read by ``probe``)."""
    if not db.table_exists(models.Meta._meta.table_name):
        if db.get_tables():
            raise StoreError(f"the database {where} holds tables that are not an openai-cost-tui store; "
                             "it was left untouched")
        return None
    row = models.Meta.get_or_none(models.Meta.key == "schema_version")
    return _parse_version(row.value if row else None, where)


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
