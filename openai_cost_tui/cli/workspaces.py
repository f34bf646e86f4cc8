"""``workspaces add | list | remove | rename | assign | unassign``: named groups of connections."""

from __future__ import annotations

import argparse
import json

from ..core.text import shown
from .common import context, table


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("workspaces", help="named groups of connections")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help="create a workspace")
    add.add_argument("name")
    add.set_defaults(handler=cmd_add)
    ls = sub.add_parser("list", help="list workspaces and their connections")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.set_defaults(handler=cmd_list)
    rm = sub.add_parser("remove", help="delete a workspace (its connections stay)")
    rm.add_argument("name")
    rm.set_defaults(handler=cmd_remove)
    rn = sub.add_parser("rename", help="rename a workspace")
    rn.add_argument("name")
    rn.add_argument("new_name")
    rn.set_defaults(handler=cmd_rename)
    for action, helptext in (("assign", "add connections to a workspace"),
                             ("unassign", "take connections out of a workspace")):
        p = sub.add_parser(action, help=helptext)
        p.add_argument("name")
        p.add_argument("connections", nargs="+", metavar="CONNECTION")
        p.set_defaults(handler=cmd_assign, assign=action == "assign")


def cmd_add(args: argparse.Namespace) -> int:
    from ..store.validate import clean_name

    clean_name(args.name, what="workspace name")  # checked before a store is opened (or created)
    with context(args, synced_demo=False, need="create") as ctx:
        name = ctx.store.add_workspace(args.name)
    print(shown(f"Created workspace {name!r}."))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with context(args, synced_demo=False, need="read") as ctx:
        spaces = ctx.store.workspaces()
    if args.format == "json":
        print(json.dumps([{"name": w.name, "connections": list(w.connections)} for w in spaces], indent=1))
    elif not spaces:
        print("No workspaces yet. Create one with: openai-cost-tui workspaces add NAME")
    else:
        print(table(["Workspace", "Connections"], [[w.name, ", ".join(w.connections) or "(none)"] for w in spaces]))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with context(args, synced_demo=False, need="existing") as ctx:
        name = ctx.store.require_workspace(args.name)
        ctx.store.remove_workspace(name)
    print(shown(f"Deleted workspace {name!r}; its connections and their costs are untouched."))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from ..store.validate import clean_name

    clean_name(args.new_name, what="workspace name")
    with context(args, synced_demo=False, need="existing") as ctx:
        name = ctx.store.require_workspace(args.name)
        ctx.store.rename_workspace(name, args.new_name)
    print(shown(f"Renamed workspace {name!r} to {args.new_name.strip()!r}."))
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    with context(args, synced_demo=False, need="existing") as ctx:
        name = ctx.store.require_workspace(args.name)
        conns = [ctx.store.connection(ref) for ref in args.connections]  # all resolved before any write
        ids = [c.id for c in conns]
        if args.assign:
            ctx.store.assign(name, ids)
        else:
            ctx.store.unassign(name, ids)
    verb = "Added" if args.assign else "Removed"
    prep = "to" if args.assign else "from"
    print(shown(f"{verb} {', '.join(repr(c.description) for c in conns)} {prep} workspace {name!r}."))
    return 0
