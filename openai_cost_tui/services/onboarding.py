"""Adding a connection, shared by the CLI and the TUI: check everything, ask the API once, then save.

Order matters: local checks (description, workspaces, URL, date, key shape, where the key will live)
come first and cost nothing; then one read request validates the key; only then is the key saved and
the connection written. If writing the connection fails, the saved key is removed again.

The store learns only that each member keeps their own key (``key_source = member``); where this
member keeps it goes to the member's data folder (keys/refs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..core.base_url import DEFAULT_BASE_URL, check_base_url
from ..core.dates import check_day_range
from ..core.errors import UsageError
from ..core.models import MEMBER_KEYS, Connection
from ..core.secret import Secret, check_admin_key
from ..keys.keystore import WAYS_ON
from ..store.store import NewConnection
from ..store.validate import clean_name, refuse_taken
from .context import AppContext

KEY_SOURCES = ("keyring", "env", "file")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ConnectionDraft:
    """What a user typed. ``key`` is the key itself (keyring/file) and unused for ``env``."""

    description: str
    key_source: str = "keyring"  # keyring | env | file
    key: Secret | None = None
    env_var: str | None = None
    base_url: str = DEFAULT_BASE_URL
    workspaces: tuple[str, ...] = ()
    since: date | None = None
    environ: dict[str, str] | None = field(default=None, repr=False)


def check_env_name(name: str | None) -> str:
    text = (name or "").strip()
    if not _ENV_NAME.match(text):
        raise UsageError(f"--key-env takes an environment variable's name (like OPENAI_ADMIN_KEY), not {name!r}")
    return text


def check_new_description(ctx: AppContext, description: str) -> None:
    """Descriptions are unique regardless of case (``acme`` beside ``Acme`` is refused)."""
    refuse_taken(description.strip(), (c.description for c in ctx.store.connections()), kind="connection",
                 hint="; pick another description")


def new_key(ctx: AppContext, source: str, key: Secret | None, env_var: str | None,
            environ: dict[str, str] | None = None) -> tuple[Secret, str | None]:
    """The key a user gave (typed, or in the named variable) checked locally, and the variable's name;
    a keyring that cannot keep it safely is refused here, before any request."""
    if source not in KEY_SOURCES:
        raise UsageError(f"unknown key storage {source!r}")
    var = None
    if source == "env":
        var = check_env_name(env_var)
        values = environ if environ is not None else ctx.keys.environ
        if var not in values:
            raise UsageError(f"${var} is not set; export the key in it first")
        checked = check_admin_key(values[var])
    else:
        checked = check_admin_key(key.reveal() if key else None)
    if source == "keyring":
        problem = ctx.keys.keyring_problem()
        if problem:
            raise UsageError(f"cannot keep the key in the OS keyring: {problem}. {WAYS_ON}")
    return checked, var


def add_connection(ctx: AppContext, draft: ConnectionDraft, *,
                   transport: object | None = None) -> tuple[Connection, str]:
    """Validate, check the key with one read request, save it, create the connection.

    Returns the connection and a sentence saying where the key lives. ``transport`` (an httpx
    transport) answers the check instead of the network: the demo's fake organization, tests.
    """
    description = clean_name(draft.description, what="description")
    workspaces = tuple(dict.fromkeys(clean_name(w, what="workspace name") for w in draft.workspaces))
    base_url = check_base_url(draft.base_url)
    since = draft.since or ctx.default_backfill_start()
    check_day_range(since, what="the backfill start")
    if since > ctx.today:
        raise UsageError(f"the backfill start {since} is in the future")
    check_new_description(ctx, description)
    key, var = new_key(ctx, draft.key_source, draft.key, draft.env_var, draft.environ)

    from ..api.client import AdminClient  # here, not at import: a first paint needs no HTTP client

    with AdminClient(key, base_url=base_url, transport=transport) as client:  # type: ignore[arg-type]
        client.check_key()  # one read request: refuses project keys and revoked keys

    ref, where = ctx.keys.save(draft.key_source, key, env_var=var)
    conn = None
    try:
        conn = ctx.store.add_connection(
            NewConnection(description=description, base_url=base_url, key_source=MEMBER_KEYS,
                          key_ref="", backfill_start=since, masked_key=key.masked),
            workspaces=workspaces,
        )
        ctx.keys.remember(conn, ref)
    except BaseException:
        ctx.keys.delete_ref(ref)
        if conn is not None:
            ctx.store.remove_connection(conn.id)
        raise
    return ctx.keys.mine([conn])[0], where
