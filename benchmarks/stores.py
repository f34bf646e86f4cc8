"""Benchmark stores of ~20k, ~200k and ~2M cost rows from the fake organization's generator.

Each tier is two connections (so workspaces and the organization dimension mean something) loaded
through the store's own write path (``Store.replace_window``, a raw ``executemany`` per window), with
project and key names, covered ranges and a "last synced" stamp, exactly like a synced store. The
result is reproducible from (tier, seed, end day) and cached under ``cache_dir()`` keyed by tier,
seed, end day, the schema version and a fingerprint of the schema's DDL, so reruns reuse it and a
schema change (a new rollup table, an index) builds it again.

A DuckDB copy of the same rows (for the engine comparison) is cached beside it when duckdb is
installed. DuckDB's sqlite extension would have to be downloaded, so the rows are copied through a
CSV file instead: the benchmark never needs the network.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openai_cost_tui.core import money
from openai_cost_tui.core.base_url import DEFAULT_BASE_URL
from openai_cost_tui.core.dates import add_months
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Project
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.store import rollup
from openai_cost_tui.store.schema import SCHEMA_VERSION
from openai_cost_tui.store.store import NewConnection, Store

BUILDER_VERSION = 3  # 3: the copies sum cost_day_charge_all again; bump when the way stores are filled changes
WINDOW_DAYS = 31  # days per replace_window call: ~140k rows at the "large" size, ~60 MB of CostRows
SEED_STEP = 4  # the second connection's seed: 7 and 11 by default, like --demo (next one if names clash)
WORKSPACE = "Everything"  # both connections
PRODUCTION = "Production"  # the first only
BASE_URL = DEFAULT_BASE_URL
DEFAULT_END = date(2026, 11, 25)  # a fixed "today": the same rows on any day (override with --end)


@dataclass(frozen=True)
class OrgSpec:
    size: str  # FakeOrg size: small | demo | large
    months: int  # history before the end day


@dataclass(frozen=True)
class Tier:
    name: str
    orgs: tuple[OrgSpec, ...]
    sync_size: str  # the fake organization a sync benchmark of this scale fetches
    copies_of: str | None = None  # another tier's store, copied ``copies`` times as new connections
    copies: int = 1


TIERS: dict[str, Tier] = {
    # a few thousand rows: the smoke test
    "tiny": Tier("tiny", (OrgSpec("small", 2), OrgSpec("small", 2)), "small"),
    "20k": Tier("20k", (OrgSpec("small", 9), OrgSpec("small", 9)), "small"),
    "200k": Tier("200k", (OrgSpec("demo", 13), OrgSpec("demo", 13)), "demo"),
    # ~4,300 rows a day at the "large" size: 15 months of it plus a demo-sized org is ~2M rows
    "2m": Tier("2m", (OrgSpec("large", 15), OrgSpec("demo", 13)), "large"),
    # the 2M store five times over, each copy as new connections (same organizations, same names)
    "10m": Tier("10m", (), "large", copies_of="2m", copies=5),
}


def tier(name: str) -> Tier:
    key = name.strip().lower()
    if key not in TIERS:
        raise ValueError(f"unknown size {name!r}; choose from {', '.join(TIERS)}")
    return TIERS[key]


def cache_dir() -> Path:
    """``$OPENAI_COST_TUI_BENCH_CACHE``, else ``~/.cache/openai-cost-tui/bench`` (``$XDG_CACHE_HOME`` if set):
    the 10M store takes minutes to build, so it outlives a reboot's cleared temp directory."""
    env = os.environ.get("OPENAI_COST_TUI_BENCH_CACHE")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = Path(env) if env else base / "openai-cost-tui" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def schema_fingerprint() -> str:
    """The schema version plus a hash of the DDL a fresh store creates (tables, indexes, triggers) and
    of its page size."""
    with tempfile.TemporaryDirectory(prefix="bench-schema-") as tmp:
        store = Store(str(Path(tmp) / "fresh.db"))
        try:
            with store.read():
                ddl = store.db.execute_sql(
                    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
                ).fetchall()
                page_size = store.db.execute_sql("PRAGMA page_size").fetchone()[0]
        finally:
            store.close()
    digest = hashlib.sha1(repr((ddl, page_size) if page_size != 4096 else ddl).encode()).hexdigest()[:10]
    return f"s{SCHEMA_VERSION}-{digest}"


def store_path(tier_name: str, *, seed: int, end: date, folder: Path | None = None,
               fingerprint: str | None = None) -> Path:
    folder = folder or cache_dir()
    fp = fingerprint or schema_fingerprint()
    return folder / f"bench-{tier_name}-seed{seed}-{end.isoformat()}-{fp}-b{BUILDER_VERSION}.db"


def org_for(spec: OrgSpec, seed: int, end: date) -> FakeOrg:
    return FakeOrg(seed, start=add_months(end, -spec.months), end=end, size=spec.size)


def orgs_for(tier_obj: Tier, seed: int, end: date) -> list[FakeOrg]:
    """The tier's organizations: seeds ``seed``, ``seed + 4``, ... each moved on until its organization
    name differs from the ones before (the organization dimension groups by name)."""
    orgs: list[FakeOrg] = []
    for i, spec in enumerate(tier_obj.orgs):
        candidate = seed + SEED_STEP * i
        org = org_for(spec, candidate, end)
        while any(o.organization_name == org.organization_name for o in orgs):
            candidate += 1
            org = org_for(spec, candidate, end)
        orgs.append(org)
    return orgs


def to_cost_row(c) -> CostRow:
    """A fake cost as the API client would parse it (exact atto-units)."""
    return CostRow(
        day=c.day,
        project_id=c.project_id,
        line_item=c.line_item,
        api_key_id=c.api_key_id,
        currency=c.currency,
        amount=money.parse_exact(c.amount),
        quantity=None if c.quantity is None else money.parse_exact(c.quantity, what="quantity"),
        unit=c.unit,
    )


def _windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    out = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + timedelta(days=days - 1))
        out.append((cursor, last))
        cursor = last + timedelta(days=1)
    return out


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_store(path: Path, tier_obj: Tier, *, seed: int, end: date,
                log: Callable[[str], None] = lambda s: None) -> dict:
    """Fill a fresh store at ``path`` (built beside it, renamed into place when complete)."""
    building = path.with_name(path.name + ".building")
    _remove_db(building)
    started = time.perf_counter()
    rows_total = 0
    store = Store(str(building))
    try:
        for i, (spec, org) in enumerate(zip(tier_obj.orgs, orgs_for(tier_obj, seed, end), strict=True)):
            workspaces = (WORKSPACE, PRODUCTION) if i == 0 else (WORKSPACE,)
            conn = store.add_connection(
                NewConnection(
                    description=f"{org.organization_name} ({spec.size} {org.seed})",
                    base_url=BASE_URL,
                    key_source="demo",
                    key_ref=f"bench-{org.seed}",
                    backfill_start=org.start,
                    masked_key="sk-admin-...bench",
                    organization_id=org.organization_id,
                    organization_name=org.organization_name,
                ),
                workspaces=workspaces,
            )
            for w_start, w_end in _windows(org.start, org.end, WINDOW_DAYS):
                rows = [to_cost_row(c) for c in org.costs_between(w_start, w_end + timedelta(days=1))]
                rows_total += store.replace_window(conn.id, w_start, w_end, rows)
                log(f"  {tier_obj.name}: connection {i + 1}/{len(tier_obj.orgs)} through {w_end}, "
                    f"{rows_total:,} rows, {time.perf_counter() - started:.0f} s")
            projects = [Project(p.id, p.name, p.archived_at is not None) for p in org.projects]
            keys = [ApiKeyInfo(k.id, k.name, k.project_id, k.redacted_value) for k in org.keys]
            store.save_names(conn.id, projects, keys)
            store.update_connection(
                conn.id,
                covered_from=org.start,
                covered_to=org.end,
                last_synced_at=datetime(end.year, end.month, end.day, 12, 0),
                status="ok",
                group_by_api_key=True,
            )
    finally:
        store.close()
    # fold the WAL into the file so the cached store is one self-contained file
    with sqlite3.connect(building) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(building, path)
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    return {"rows": rows_total, "seconds": round(time.perf_counter() - started, 2)}


# per-connection history the copies leave out: they are stores' bookkeeping, not what a pivot reads
NOT_COPIED = frozenset({"sync_run", "reconciliation", "restatement", "budget"})


def replicate_store(source: Path, path: Path, copies: int) -> dict:
    """``source`` with every connection and its rows copied ``copies - 1`` more times as new connections
    (descriptions marked "copy N", ids moved past the originals). Every table with a ``connection_id``
    column is copied row for row, rollups included, so the copy is what syncing that many connections
    would have stored: exact, and minutes faster than writing 8M rows through ``replace_window``."""
    started = time.perf_counter()
    building = path.with_name(path.name + ".building")
    _remove_db(building)
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(building)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    con = sqlite3.connect(building, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        stride = con.execute("SELECT MAX(id) FROM connection").fetchone()[0]
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        columns = {t: [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')] for t in tables}
        linked = [t for t in tables if "connection_id" in columns[t] and t not in NOT_COPIED]
        con.execute("BEGIN")
        for n in range(1, copies):
            shift = n * stride
            cols = columns["connection"]
            picked = ", ".join(f"id + {shift}" if c == "id" else f"description || ' copy {n}'" if c == "description"
                               else c for c in cols)
            con.execute(f"INSERT INTO connection ({', '.join(cols)}) SELECT {picked} FROM connection "
                        f"WHERE id <= {stride}")
            for t in linked:
                cols = [c for c in columns[t] if c != "id"]  # a row id is the copy's own
                picked = ", ".join(f"connection_id + {shift}" if c == "connection_id" else c for c in cols)
                con.execute(f'INSERT INTO "{t}" ({", ".join(cols)}) SELECT {picked} FROM "{t}" '
                            f"WHERE connection_id <= {stride}")
        for across in rollup.ACROSS:  # summed across connections: summed again over the copies too
            con.execute(f"DELETE FROM {across.table}")
            con.execute(f"{across.insert_sql()} {across.group_sql()}")
        con.execute("COMMIT")
    finally:
        con.close()
    os.replace(building, path)
    return {"rows": count_rows(path), "seconds": round(time.perf_counter() - started, 2)}


def ensure_store(tier_name: str, *, seed: int, end: date, folder: Path | None = None,
                 fingerprint: str | None = None, log: Callable[[str], None] = lambda s: None) -> tuple[Path, dict]:
    """The cached store of a tier, built first when missing. Returns (path, build info)."""
    path = store_path(tier_name, seed=seed, end=end, folder=folder, fingerprint=fingerprint)
    if path.exists():
        return path, {"rows": count_rows(path), "seconds": 0.0, "cached": True}
    tier_obj = tier(tier_name)
    if tier_obj.copies_of:
        source, _ = ensure_store(tier_obj.copies_of, seed=seed, end=end, folder=folder, fingerprint=fingerprint,
                                 log=log)
        log(f"building the {tier_name} store from {tier_obj.copies} copies of {source.name}: {path}")
        info = replicate_store(source, path, tier_obj.copies)
    else:
        log(f"building the {tier_name} store (cached for later runs): {path}")
        info = build_store(path, tier_obj, seed=seed, end=end, log=log)
    info["cached"] = False
    _prune(path, tier_name, seed)
    return path, info


def _prune(path: Path, tier_name: str, seed: int) -> None:
    """Drop this tier's older cached stores (another schema, end day or builder) and their DuckDB copies."""
    for other in path.parent.glob(f"bench-{tier_name}-seed{seed}-*"):
        if other.name.startswith(path.name) or other.name.endswith(".building"):
            continue
        other.unlink(missing_ok=True)


def count_rows(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM cost").fetchone()[0]
    finally:
        con.close()


# -- DuckDB copy --------------------------------------------------------------------------------------

DUCK_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "cost": (
        ("connection_id", "BIGINT"), ("day", "DATE"), ("week", "VARCHAR"), ("month", "VARCHAR"),
        ("project_id", "VARCHAR"), ("api_key_id", "VARCHAR"), ("charge_id", "BIGINT"), ("currency", "VARCHAR"),
        ("amount_hi", "BIGINT"), ("amount_lo", "BIGINT"), ("qty_hi", "BIGINT"), ("qty_lo", "BIGINT"),
    ),
    "charge": (
        ("id", "BIGINT"), ("line_item", "VARCHAR"), ("unit", "VARCHAR"), ("service", "VARCHAR"),
        ("category", "VARCHAR"), ("subcategory", "VARCHAR"), ("tier", "VARCHAR"), ("context", "VARCHAR"),
        ("model_version", "VARCHAR"),
    ),
    "connection": (
        ("id", "BIGINT"), ("description", "VARCHAR"), ("organization_id", "VARCHAR"),
        ("organization_name", "VARCHAR"),
    ),
    "project": (("connection_id", "BIGINT"), ("project_id", "VARCHAR"), ("name", "VARCHAR")),
    "api_key": (("connection_id", "BIGINT"), ("key_id", "VARCHAR"), ("name", "VARCHAR")),
    "workspace": (("id", "BIGINT"), ("name", "VARCHAR")),
    "workspace_connection": (("workspace_id", "BIGINT"), ("connection_id", "BIGINT")),
}
NULL = "\\N"


def duckdb_available() -> str | None:
    """duckdb's version, or None when it is not installed (the DuckDB column is then skipped)."""
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb.__version__


def ensure_duckdb_copy(sqlite_path: Path, log: Callable[[str], None] = lambda s: None) -> Path | None:
    """A DuckDB database holding the same rows as ``sqlite_path`` (cached beside it)."""
    if duckdb_available() is None:
        return None
    import duckdb

    target = sqlite_path.with_name(sqlite_path.name + f".duckdb{duckdb.__version__}")
    if target.exists():
        return target
    log(f"copying {sqlite_path.name} into DuckDB (cached for later runs)")
    building = target.with_name(target.name + ".building")
    building.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    duck = duckdb.connect(str(building))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-duck-") as tmp:
            for table, columns in DUCK_TABLES.items():
                csv_path = Path(tmp) / f"{table}.csv"
                names = ", ".join(c for c, _ in columns)
                with open(csv_path, "w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
                    cursor = src.execute(f'SELECT {names} FROM "{table}"')
                    while True:
                        batch = cursor.fetchmany(50_000)
                        if not batch:
                            break
                        writer.writerows(tuple(NULL if v is None else v for v in row) for row in batch)
                types = ", ".join(f"'{c}': '{t}'" for c, t in columns)
                duck.execute(
                    f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header=false, columns={{{types}}}, "
                    f"nullstr='{NULL}', quote='\"', escape='\"', allow_quoted_nulls=true, auto_detect=false)",
                    [str(csv_path)],
                )
        duck.execute("CHECKPOINT")
    finally:
        duck.close()
        src.close()
    os.replace(building, target)
    return target
