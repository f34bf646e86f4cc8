"""Adding a connection, shared by the CLI and the TUI: check everything, ask the API once, then save.

Order matters: local checks (description, workspaces, URL, date, key shape, where the key will live)
come first and cost nothing; then one read request validates the key; only then is the key saved and
the connection written. If writing the connection fails, the saved key is removed again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from ..api.client import AdminClient
from ..core.base_url import DEFAULT_BASE_URL, check_base_url
from ..core.dates import check_day_range
from ..core.errors import UsageError
from ..core.models import Connection
from ..core.secret import Secret, check_admin_key
from ..core.text import shown
from ..keys.keystore import WAYS_ON
from ..store.store import NewConnection
from ..store.validate import clean_name
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
    for c in ctx.store.connections():
        if c.description.casefold() == description.strip().casefold():
            same = "" if c.description == description.strip() else f" (as {shown(c.description)!r}: names are compared regardless of case)"
            raise UsageError(f"a connection named {shown(description.strip())!r} exists already{same}; "
                             "pick another description")


def add_connection(ctx: AppContext, draft: ConnectionDraft, *,
                   transport: object | None = None) -> tuple[Connection, str]:
    """Validate, check the key with one read request, save it, create the connection.

    Returns the connection and a sentence saying where the key lives. ``transport`` (an httpx
    transport) answers the check instead of the network: the demo's fake organization, tests.
    """
    if draft.key_source not in KEY_SOURCES:
        raise UsageError(f"unknown key storage {draft.key_source!r}")
    description = clean_name(draft.description, what="description")
    workspaces = tuple(dict.fromkeys(clean_name(w, what="workspace name") for w in draft.workspaces))
    base_url = check_base_url(draft.base_url)
    since = draft.since or ctx.default_backfill_start()
    check_day_range(since, what="the backfill start")
    if since > ctx.today:
        raise UsageError(f"the backfill start {since} is in the future")
    check_new_description(ctx, description)
    if draft.key_source == "env":
        var = check_env_name(draft.env_var)
        environ = draft.environ if draft.environ is not None else ctx.keys.environ
        if var not in environ:
            raise UsageError(f"${var} is not set; export the key in it first")
        key = check_admin_key(environ[var])
    else:
        key = check_admin_key(draft.key.reveal() if draft.key else None)
    if draft.key_source == "keyring":
        problem = ctx.keys.keyring_problem()
        if problem:
            raise UsageError(f"cannot keep the key in the OS keyring: {problem}. {WAYS_ON}")

    with AdminClient(key, base_url=base_url, transport=transport) as client:  # type: ignore[arg-type]
        client.check_key()  # one read request: refuses project keys and revoked keys

    ref = f"connection-{uuid.uuid4().hex[:12]}"
    if draft.key_source == "env":
        key_ref, where = var, f"read from ${var} at each sync"
    elif draft.key_source == "file":
        key_ref = str(ctx.keys.save_to_file(ref, key))
        where = f"stored UNENCRYPTED in {key_ref} (0600), as asked"
    else:
        ctx.keys.save_to_keyring(ref, key)
        key_ref, where = ref, "stored in the OS keyring"
    try:
        conn = ctx.store.add_connection(
            NewConnection(description=description, base_url=base_url, key_source=draft.key_source,
                          key_ref=key_ref, backfill_start=since, masked_key=key.masked),
            workspaces=workspaces,
        )
    except BaseException:
        ctx.keys.delete(Connection(0, description, base_url, draft.key_source, key_ref))
        raise
    return conn, where
