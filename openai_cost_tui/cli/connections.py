"""``connections add | list | set-key | remove``.

Where a key lives is this member's own (their data folder's key-refs.json); the store holds the
connection and its costs. ``list`` shows the key as this member reaches it ("no key here" when none).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import replace

from ..core.base_url import DEFAULT_BASE_URL, check_base_url
from ..core.errors import CostToolError, UsageError
from ..core.secret import check_admin_key
from ..core.text import shown
from ..keys.keystore import WAYS_ON
from ..services.onboarding import ConnectionDraft, add_connection, check_env_name, check_new_description
from ..services.set_key import KeyChange, set_key
from ..store.validate import clean_name
from .common import context, day_arg, err, table, text_arg
from .sync import allow_negative_dates


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("connections", help="add, list or remove organizations, or replace a key")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))

    add = sub.add_parser("add", help="add an organization by its Admin API key")
    add.add_argument("--description", required=True, help="a name for this organization, e.g. 'Acme prod'")
    _key_options(add)
    add.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"API base URL (default {DEFAULT_BASE_URL})")
    add.add_argument("--workspace", action="append", default=[], metavar="NAME", help="add it to this workspace")
    add.add_argument("--since", metavar="DATE",
                     help="backfill from this day (default: 12 months back): YYYY-MM-DD, 2026-01, -90d ...")
    add.add_argument("--format", choices=("text", "json"), default="text",
                     help="json: one object on stdout with the new connection (id, description, key storage, "
                          "backfill start)")
    allow_negative_dates(add)
    add.set_defaults(handler=cmd_add)

    ls = sub.add_parser("list", help="list connections")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.set_defaults(handler=cmd_list)

    rm = sub.add_parser("remove", help="remove a connection, its costs and its stored key")
    rm.add_argument("connection", metavar="NAME_OR_ID")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=cmd_remove)

    rekey = sub.add_parser("set-key", help="replace a connection's key (checked first; no cost is touched)")
    rekey.add_argument("connection", metavar="NAME_OR_ID")
    _key_options(rekey)
    rekey.add_argument("--base-url", metavar="URL", help="also change the API base URL (checked the same way)")
    rekey.add_argument("--format", choices=("text", "json"), default="text",
                       help="json: one object on stdout with the connection's new key storage")
    rekey.set_defaults(handler=cmd_set_key)


def _key_options(parser: argparse.ArgumentParser) -> None:
    """Where the key comes from and where it is kept: the same for adding and for set-key."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--key-stdin", action="store_true", help="read the key from standard input")
    source.add_argument("--key-env", metavar="VAR", type=text_arg("--key-env"),
                        help="read the key from $VAR at every sync (only the name is saved)")
    parser.add_argument("--insecure-storage", action="store_true",
                        help="keep the key in a 0600 file in the data folder instead of the OS keyring")


def _read_key(args: argparse.Namespace) -> str:
    """The key from stdin or a prompt without echo (``--key-env`` is read by onboarding)."""
    if args.key_stdin:
        return sys.stdin.read()
    if not sys.stdin.isatty():
        raise UsageError("no key given: pass --key-stdin (and pipe the key) or --key-env VAR")
    return getpass.getpass("Admin API key (sk-admin-..., not shown): ")


def _source(args: argparse.Namespace) -> str:
    if args.key_env is not None and args.insecure_storage:
        raise UsageError("--key-env keeps only the variable's name; --insecure-storage has nothing to store")
    if args.key_env is not None:
        check_env_name(args.key_env)
    return "env" if args.key_env is not None else "file" if args.insecure_storage else "keyring"


def _keyring_first(ctx, source: str, args: argparse.Namespace) -> None:
    """Before a key is asked for: is there a keyring that keeps it safely? If not, say so now (exit 2)."""
    if source != "keyring":
        return
    if not args.key_stdin and not sys.stdin.isatty():
        _read_key(args)  # no way to give a key at all: that is the first thing to say
    problem = ctx.keys.keyring_problem()
    if problem:
        raise UsageError(f"cannot keep the key in the OS keyring: {problem}; no key was asked for. {WAYS_ON}")


def cmd_add(args: argparse.Namespace) -> int:
    # Everything that can be checked without the store is checked before it is opened (or created).
    source = _source(args)
    description = clean_name(args.description, what="description")
    for name in args.workspace:
        clean_name(name, what="workspace name")
    base_url = check_base_url(args.base_url)
    notes: list[str] = []
    with context(args, synced_demo=False, need="create") as ctx:
        since = day_arg(args.since, what="--since", today=ctx.today, notes=notes)
        draft = ConnectionDraft(
            description=description,
            key_source=source,
            env_var=args.key_env,
            base_url=base_url,
            workspaces=tuple(args.workspace),
            since=since,
        )
        check_new_description(ctx, description)
        _keyring_first(ctx, source, args)
        if source != "env":
            draft = replace(draft, key=check_admin_key(_read_key(args)))
        conn, where = add_connection(ctx, draft)
    for note in notes:
        err(note)
    if args.format == "json":
        print(json.dumps({
            "outcome": "added",
            "id": conn.id,
            "description": conn.description,
            "key": conn.masked_key,
            "key_source": conn.key_source_label,
            "key_storage": where,
            "base_url": conn.base_url,
            "workspaces": list(conn.workspaces),
            "backfill_start": conn.backfill_start.isoformat() if conn.backfill_start else None,
            "error": None,
        }, indent=1))
        return 0
    print(shown(f"Added connection {conn.description!r} (id {conn.id}); key {conn.masked_key} {where}."))
    print(f"Backfill starts {conn.backfill_start}. Run `openai-cost-tui sync` to fetch its costs.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        conns = ctx.keys.mine(ctx.store.connections())
        shared = ctx.store.is_postgres
        figures = ctx.store.connection_figures(ctx.today, ctx.today)
        counts = {c.id: figures.get(c.id, (0, 0))[0] for c in conns}
    if args.format == "json":
        print(json.dumps([
            {
                "id": c.id,
                "description": c.description,
                "organization": c.organization,
                "key": c.masked_key,
                "key_source": c.key_source_label,
                "status": c.status,
                "last_error": c.last_error,
                "last_synced_at": c.last_synced_at.isoformat() if c.last_synced_at else None,
                "synced_by": c.synced_by,
                "error_by": c.error_by,
                "key_here": c.key_source != "none",
                "synced_from": c.covered_from.isoformat() if c.covered_from else None,
                "synced_through": c.synced_through.isoformat() if c.synced_through else None,
                "cost_rows": counts[c.id],
                "workspaces": list(c.workspaces),
                "base_url": c.base_url,
            }
            for c in conns
        ], indent=1))
        return 0
    if not conns:
        print("No connections yet. Add one with: openai-cost-tui connections add --description NAME")
        return 0
    rows = [
        [str(c.id), c.description, c.organization or "", f"{c.key_source_label} {c.masked_key or ''}".strip(),
         c.status + (f": {c.last_error}" if c.last_error else "") + (f" (seen by {c.error_by})"
                                                                    if shared and c.error_by else ""),
         (c.last_synced_at.strftime("%Y-%m-%d %H:%M UTC") if c.last_synced_at else "never")
         + (f" by {c.synced_by}" if shared and c.synced_by else ""),
         f"{counts[c.id]:,}", ", ".join(c.workspaces)]
        for c in conns
    ]
    print(table(["ID", "Description", "Organization", "Key", "Status", "Last sync", "Rows", "Workspaces"], rows,
                right={0, 6}))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with context(args, need="existing") as ctx:
        conn = ctx.keys.mine([ctx.store.connection(args.connection)])[0]
        summary = ctx.store.removal_summary(conn.id)
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("pass --yes to remove a connection without a prompt")
            ws = f", workspaces: {', '.join(summary.workspaces)}" if summary.workspaces else ""
            if ctx.store.is_postgres:
                err(f"{ctx.store.where} is a shared store: removing the connection deletes its costs for every "
                    "member, not only for you. To change only your key: openai-cost-tui connections set-key")
            everyone = " for every member" if ctx.store.is_postgres else ""
            answer = input(shown(f"Remove {conn.description!r} and its {summary.cost_rows:,} cost rows{everyone}{ws}? "
                                 "[y/N] "))
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing removed.")
                return 0
        key_file = ctx.keys.stored_path(conn.key_ref) if conn.key_source == "file" else None
        problem = ctx.keys.delete_key(conn)
        ctx.store.remove_connection(conn.id)
    name = shown(repr(conn.description))
    if problem:
        print(f"Removed {name}: {summary.cost_rows:,} cost rows and its names.")
        err(f"openai-cost-tui: the connection is gone, but its key is not: {problem}")
        return 1
    kept = {"env": f"; its key stays in ${conn.key_ref}, which this tool never stored",
            "file": f" and its key file {key_file}", "none": ""}.get(conn.key_source, " and its stored key")
    print(shown(f"Removed {name}: {summary.cost_rows:,} cost rows, its names{kept}."))
    return 0


def cmd_set_key(args: argparse.Namespace) -> int:
    source = _source(args)
    base_url = check_base_url(args.base_url) if args.base_url is not None else None
    with context(args, synced_demo=False, need="existing") as ctx:
        conn = ctx.store.connection(args.connection)
        _keyring_first(ctx, source, args)
        try:
            key = check_admin_key(_read_key(args)) if source != "env" else None
            done = set_key(ctx, conn, KeyChange(source, key, args.key_env, base_url))
        except CostToolError as exc:
            exc.message = (f"the new key was not taken for {shown(repr(conn.description))}: {exc.message}; "
                           "the old key and base URL are kept, nothing changed")
            raise
    now = done.connection
    if done.leftover:
        err(f"warning: the old key is not deleted: {done.leftover}")
    if args.format == "json":
        print(json.dumps({
            "outcome": "key set",
            "id": now.id,
            "description": now.description,
            "key": now.masked_key,
            "key_source": now.key_source_label,
            "base_url": now.base_url,
            "base_url_changed": done.base_url_changed,
            "old_key_deleted": done.leftover is None,
        }, indent=1))
        return 0
    url = f"; base URL now {now.base_url}" if done.base_url_changed else ""
    print(shown(f"New key {now.masked_key} for {now.description!r} checked and {done.where}{url}. "
                "No cost was touched."))
    return 0
