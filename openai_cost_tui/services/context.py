"""Everything a command or the TUI works with, opened once: data folder, store, keys, sync engine.

``--demo`` gets the same objects over a temporary folder and the bundled fake organization, served
in-process: no key, no network, nothing written outside the temporary folder.

Stores are opened, never conjured: what a command may do to the store is its ``need``.
``"read"`` (report, check, lists) opens an existing store read-only and creates nothing; ``"existing"``
(sync, removals, renames) may write to an existing store but creates none; both refuse an explicit
``--db`` that does not exist (exit 2) and see an empty store where the data folder holds none yet.
``"create"`` (adding a connection, a workspace or a budget; the TUI) creates a missing store, and
notes it. The store is ``--db``, else $OPENAI_COST_TUI_DB, else the data folder's costs.db. Folders the tool creates are 0700; existing folders keep their permissions (with a warning
when they are open to other users). The notes are for the caller to show (``AppContext.notes``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.paths import (
    ENV_DB,
    data_dir,
    default_db,
    ensure_private_dir,
    loose_permissions,
    make_private_dir,
    rules_file,
)
from ..core.base_url import DEFAULT_BASE_URL
from ..core.budgets import parse_amount
from ..core.clock import Clock, system_clock, today
from ..core.dates import add_months
from ..core.errors import UsageError
from ..core.models import Connection
from ..core.secret import Secret
from ..core.taxonomy import Taxonomy
from ..keys.keystore import KeyStore
from ..keys.refs import KeyRef, StoreIdentity
from ..store.db import MEMORY, is_postgres_url
from ..store.store import NewConnection, Store
from ..sync.engine import SyncEngine

if TYPE_CHECKING:
    from ..fake.org import FakeOrg

DEMO_KEY_SOURCE = "demo"
DEMO_BASE_URL = DEFAULT_BASE_URL  # the demo answers the real API's address from its fake organizations
DEMO_CONNECTIONS = ((7, ("Everything", "Production")), (11, ("Everything",)))
NEEDS = ("read", "existing", "create")


@dataclass
class AppContext:
    folder: Path
    store: Store
    keys: KeyStore
    engine: SyncEngine
    clock: Clock = system_clock
    demo: bool = False
    new_connection_org: FakeOrg | None = None  # the demo answers new connections from a fake org too
    notes: list[str] = field(default_factory=list)  # one line each, for stderr: a new store, loose folders
    created: list[Path] = field(default_factory=list)  # what opening created: the store file, folders
    _cleanup: list = field(default_factory=list)

    @property
    def today(self) -> date:
        return today(self.clock)

    @property
    def new_connection_transport(self) -> object | None:
        """The demo's fake organization for new connections, as a transport (made, importing httpx, when
        a connection is first checked: not before the first paint)."""
        if self.new_connection_org is None:
            return None
        from ..fake.api import FakeAdminApi
        from ..fake.transport import fake_transport

        return fake_transport(FakeAdminApi(self.new_connection_org))

    def default_backfill_start(self) -> date:
        """The first day of the month twelve months back."""
        return add_months(self.today, -12)

    def close(self) -> None:
        self.store.close()
        for action in reversed(self._cleanup):
            action()
        self._cleanup.clear()

    def discard_created(self) -> None:
        """Remove what opening created (a new, still empty store file and the folders made for it) after
        the command failed, so bad input leaves nothing behind. Existing files are never touched, nor
        a new store that holds anything."""
        try:
            empty = not (self.store.connections() or self.store.workspaces() or self.store.budgets())
        except Exception:  # noqa: BLE001 - unreadable: keep it
            empty = False
        self.close()
        if empty:
            _remove_created(self.created)
        self.created.clear()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_taxonomy(folder: Path) -> Taxonomy:
    path = rules_file(folder)
    if not path.exists():
        return Taxonomy()
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the rule overrides in {path}: {exc}") from exc
    try:
        return Taxonomy.from_toml(text)
    except UsageError as exc:
        raise UsageError(f"{path}: {exc.message}") from exc


def open_context(*, folder: str | None = None, db: str | None = None, clock: Clock = system_clock,
                 need: str = "create") -> AppContext:
    """The context over the data folder and store; ``need`` says what the command may do to the store
    (see the module's docstring)."""
    if need not in NEEDS:
        raise ValueError(need)
    base = data_dir(folder)
    if db is not None and not db.strip():
        raise UsageError("--db is empty; give a SQLite path or a postgresql:// URL, or leave it out")
    flag = "--db"
    if db is None and os.environ.get(ENV_DB, "").strip():
        db, flag = os.environ[ENV_DB], f"${ENV_DB}"
    notes: list[str] = []
    created: list[Path] = []
    existed = base.is_dir()
    if existed:
        warning = loose_permissions(base)
        if warning:
            notes.append(warning)
    if db is not None and is_postgres_url(db.strip()):
        url, mode = db.strip(), "read" if need == "read" else "write"
        if need == "create" and not existed:
            created += make_private_dir(base)
    else:
        path = Path(db.strip() if db is not None else default_db(base)).expanduser().absolute()
        url = str(path)
        present = path.is_file() and path.stat().st_size > 0
        mode = "read" if need == "read" else "write"
        if not present and need != "create":
            if db is not None:
                raise UsageError(
                    f"no store at {path} ({flag} names a file that does not exist; nothing was created). "
                    f"A store is created by adding a connection: openai-cost-tui --db {path} connections add "
                    "--description NAME"
                )
            url, mode = MEMORY, "read"
            if need == "read":
                notes.append(f"note: there is no store in {base} yet (nothing was created); "
                             "openai-cost-tui connections add creates one")
        elif not present:
            created += make_private_dir(path.parent)
            if not path.exists():
                created.append(path)
            notes.append(f"note: created a new store at {path}")
    try:
        store = Store(url, taxonomy=load_taxonomy(base), mode=mode)
    except BaseException:
        _remove_created(created)
        raise
    try:
        keys = KeyStore(base, store=StoreIdentity(store.store_id, shared=store.is_postgres, where=store.where))
    except BaseException:
        store.close()
        _remove_created(created)
        raise
    engine = SyncEngine(store, keys, clock=clock)
    return AppContext(base, store, keys, engine, clock, notes=notes, created=created)


def _remove_created(created: list[Path]) -> None:
    """Delete created files (with SQLite's side files) and created folders that are empty again."""
    for path in reversed(created):
        try:
            if path.is_dir():
                keys = path / "keys"
                if keys.is_dir() and not any(keys.iterdir()):
                    keys.rmdir()
                path.rmdir()  # only when empty
            else:
                for extra in ("-wal", "-shm", "-journal", ".sync-lock"):
                    path.with_name(path.name + extra).unlink(missing_ok=True)
                path.unlink(missing_ok=True)
        except OSError:
            continue


class DemoKeyStore(KeyStore):
    """The demo's connections need no key: the fake organization accepts any sk-admin- key."""

    def ref_for(self, conn: Connection, *, claim: bool = False) -> KeyRef | None:
        mine = super().ref_for(conn, claim=claim)  # a key set in the demo, else the demo's own
        if mine is None and conn.key_source == DEMO_KEY_SOURCE:
            return KeyRef(DEMO_KEY_SOURCE, conn.key_ref, conn.masked_key)
        return mine

    def load(self, conn: Connection) -> Secret:
        if conn.key_source == DEMO_KEY_SOURCE:
            return Secret("sk-admin-demo-000000000000000000000000")
        return super().load(conn)

    def delete(self, conn: Connection) -> None:
        if conn.key_source != DEMO_KEY_SOURCE:
            super().delete(conn)


def open_demo(*, clock: Clock = system_clock, size: str = "demo") -> AppContext:
    """A temporary store with connections to the bundled fake organizations (not yet synced)."""
    from ..fake.org import FakeOrg  # (its API, made when a sync first asks: not before the first paint)

    tmp = Path(tempfile.mkdtemp(prefix="openai-cost-tui-demo-"))
    folder = ensure_private_dir(tmp / "data")
    store = Store(default_db(folder))
    keys = DemoKeyStore(folder, store=StoreIdentity(store.store_id))
    day = today(clock)
    start = add_months(day, -12)
    fake_orgs: dict[int, FakeOrg] = {}  # each connection's fake organization
    orgs = {}
    for seed, workspaces in DEMO_CONNECTIONS:
        org = FakeOrg(seed, start=start, end=day, size=size if seed == 7 else "small")
        description = f"{org.organization_name} (demo)"
        conn = store.add_connection(
            NewConnection(
                description=description,
                base_url=DEMO_BASE_URL,
                key_source=DEMO_KEY_SOURCE,
                key_ref=f"demo-{seed}",
                backfill_start=start,
                masked_key="sk-admin-...demo",
                organization_id=org.organization_id,
                organization_name=org.organization_name,
            ),
            workspaces=workspaces,
        )
        fake_orgs[conn.id] = org
        if seed == DEMO_CONNECTIONS[0][0]:
            orgs[conn.id] = org

    # Budgets to show off: the production workspace is forecast to go over, the total is fine.
    store.set_budget("workspace", "Production", parse_amount("20000"))
    store.set_budget("total", "", parse_amount("40000"))
    spare = FakeOrg(23, start=start, end=day, size="small")
    transports: dict[int, object] = {}  # made when a sync first asks, in its worker (httpx imported then)

    late = set()

    def transport_for(conn: Connection):
        if conn.id in orgs and conn.synced_through is not None and conn.id not in late:
            # As the live API does with recent days, yesterday is revised after the first sync (late
            # usage: +1.8%), so the next sync shows a restatement on the Insights screen.
            late.add(conn.id)
            orgs[conn.id].revise(day - timedelta(days=1), scale=Decimal("1.018"))
        # a connection added in the demo with the default URL gets a third fake org; others are real HTTP
        org = fake_orgs.get(conn.id) or (spare if conn.base_url == DEMO_BASE_URL else None)
        if org is None:
            return None
        key = conn.id if conn.id in fake_orgs else -1
        if key not in transports:
            from ..fake.api import FakeAdminApi
            from ..fake.transport import fake_transport

            transports[key] = fake_transport(FakeAdminApi(org))
        return transports[key]

    engine = SyncEngine(store, keys, clock=clock, transport_for=transport_for)
    ctx = AppContext(folder, store, keys, engine, clock, demo=True, new_connection_org=spare)
    ctx._cleanup.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
    return ctx
