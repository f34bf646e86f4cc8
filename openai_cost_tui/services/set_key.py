"""Replacing a connection's key (and, if asked, its base URL) without touching a cost.

The new key is checked first, with one read request against the base URL it will be used with; only
then is it saved, under a new name (keyring entry or 0600 file), and this member's reference swapped to
it in one atomic write of the member's key-refs.json. The old key stays where it was until then, so a
refused key, a crash or a full disk leave the connection as it was; once swapped, the old key this
member had stored is deleted (a variable is the user's and stays). The store sees at most the new
base URL and masked key.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.base_url import check_base_url
from ..core.models import Connection
from ..core.secret import Secret
from .context import AppContext
from .onboarding import new_key


@dataclass(frozen=True)
class KeyChange:
    """``key_source`` as for adding (keyring | env | file); ``base_url`` None keeps the current one."""

    key_source: str = "keyring"
    key: Secret | None = None
    env_var: str | None = None
    base_url: str | None = None
    environ: dict[str, str] | None = None


@dataclass(frozen=True)
class KeyChanged:
    connection: Connection  # as this member now reaches it
    where: str  # where the new key lives
    base_url_changed: bool
    leftover: str | None = None  # the old key could not be deleted: what to do


def set_key(ctx: AppContext, conn: Connection, change: KeyChange) -> KeyChanged:
    """Check the new key with one read request, then swap it in (see the module)."""
    base_url = check_base_url(change.base_url) if change.base_url is not None else conn.base_url
    key, var = new_key(ctx, change.key_source, change.key, change.env_var, change.environ)
    # the demo (and tests) answer the connection's own URL from a fake organization
    transport = ctx.engine.transport_for(conn) if base_url == conn.base_url else None
    from ..api.client import AdminClient  # here, not at import: a first paint needs no HTTP client

    with AdminClient(key, base_url=base_url, transport=transport) as client:  # type: ignore[arg-type]
        client.check_key()  # refuses project keys, revoked keys, a URL that is no Admin API
    old = ctx.keys.ref_for(conn, claim=True)
    ref, where = ctx.keys.save(change.key_source, key, env_var=var)
    try:
        ctx.keys.remember(conn, ref)  # the swap: one atomic rename of this member's file
    except BaseException:
        ctx.keys.delete_ref(ref)
        raise
    leftover = None
    if old is not None and old != ref and (old.source, old.ref) != (ref.source, ref.ref):
        leftover = ctx.keys.delete_ref(old)
    fields: dict = {"masked_key": key.masked}
    if base_url != conn.base_url:
        fields["base_url"] = base_url
    ctx.store.update_connection(conn.id, **fields)
    now = ctx.keys.mine([ctx.store.connection(conn.id)])[0]
    return KeyChanged(now, where, base_url != conn.base_url, leftover)
