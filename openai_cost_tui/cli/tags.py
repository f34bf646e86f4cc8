"""``tags add | list | show | remove | import | export``: virtual tags (allocation keys like team or cost
center) whose values come from rules over the built-in dimensions; every tag is a report dimension."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..core.errors import UsageError
from ..core.tags import (
    RULE_DIMENSIONS,
    Tag,
    check_tag_name,
    check_value_name,
    from_toml,
    make_rule,
    parse_condition,
    parse_split,
    to_toml,
)
from ..core.text import shown
from .common import context, err, table

EPILOG = """A tag has ordered values; each value has rules; a rule is one or more conditions DIM=PATTERN
that must all hold (PATTERN is exact or a glob with * ? [..], case-sensitive, in quotes when it has spaces;
a|b for alternatives; (none) for costs without one). The first value with a matching rule wins; what no value claims shows as (untagged).
Rules look at: {dims}.

A value with --split shares its cost out across the tag's values that keep theirs: proportional (to
their cost on the same UTC day), even, or fixed percents like Search=60,Ads=40. report --no-splits
shows it unsplit.

Examples:
  openai-cost-tui tags add team Search project='Search*'
  openai-cost-tui tags add team Search project=ranker service=Embeddings   (a second rule for Search)
  openai-cost-tui tags add team Shared 'project=(none)' --split proportional
  openai-cost-tui report --rows team --cols month
  openai-cost-tui tags export > tags.toml; openai-cost-tui tags import tags.toml"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "tags", help="virtual tags: add, list, show, remove, import, export (TOML)",
        description="Virtual tags: allocation keys whose values come from rules over the stored dimensions.",
        epilog=EPILOG.format(dims=", ".join(RULE_DIMENSIONS)), formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help="add a rule to a tag's value (the tag and value are created as needed)")
    add.add_argument("tag", metavar="TAG", help="the tag's name, like team (not a built-in dimension)")
    add.add_argument("value", metavar="VALUE", help="the value this rule gives, like Search")
    add.add_argument("conditions", nargs="*", metavar="DIM=PATTERN",
                     help="conditions that must all hold, like project='Search*' service=Images")
    add.add_argument("--split", metavar="HOW",
                     help="share this value's cost out: proportional, even, or Search=60,Ads=40")
    add.set_defaults(handler=cmd_add)
    ls = sub.add_parser("list", help="every tag with its values")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.set_defaults(handler=cmd_list)
    show = sub.add_parser("show", help="a tag's values and rules, in order")
    show.add_argument("tag", metavar="TAG")
    show.add_argument("--format", choices=("table", "json"), default="table")
    show.set_defaults(handler=cmd_show)
    rm = sub.add_parser("remove", help="delete a tag, or one of its values")
    rm.add_argument("tag", metavar="TAG")
    rm.add_argument("value", metavar="VALUE", nargs="?", help="only this value (its rules) of the tag")
    rm.set_defaults(handler=cmd_remove)
    imp = sub.add_parser("import", help="create or replace tags from a TOML file (tags export writes one)")
    imp.add_argument("file", metavar="FILE.toml", help="the file, or - for stdin")
    imp.add_argument("--replace", action="store_true", help="also remove every tag the file does not define")
    imp.set_defaults(handler=cmd_import)
    exp = sub.add_parser("export", help="the tags as TOML, for version control")
    exp.add_argument("tags", nargs="*", metavar="TAG", help="only these tags (default: all)")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    exp.set_defaults(handler=cmd_export)


def _builtins() -> tuple[str, ...]:
    from ..core.dimensions import DIMENSIONS

    return tuple(d.id for d in DIMENSIONS)


def cmd_add(args: argparse.Namespace) -> int:
    from ..services.tags import add_rule, rule_reach

    check_tag_name(args.tag, _builtins())
    value_name = check_value_name(args.value)
    if not args.conditions:
        raise UsageError("give at least one condition DIM=PATTERN, like project='Search*'")
    rule = make_rule([parse_condition(c) for c in args.conditions])
    split, percents = parse_split(args.split)
    with context(args, need="create") as ctx:
        edit = add_rule(ctx.store, args.tag, value_name, rule, split, percents, set_split=args.split is not None)
        reach = rule_reach(ctx.store, edit.tag.name, value_name, rule, ctx.today)
    tag = edit.tag
    value = tag.value(value_name)
    what = "a new tag" if edit.created else f"rule {len(value.rules)} of {value_name!r}"
    print(shown(f"Tag {tag.name}: {value_name} <- {rule.text()} ({what})."))
    if value.split:
        print(shown(f"{value_name} is split across {', '.join(tag.targets)} ({value.split_text()})."))
    print(shown(reach.line))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        tags = ctx.store.tags().tags
    if args.format == "json":
        print(json.dumps({"tags": [_tag_json(t) for t in tags]}, indent=1, ensure_ascii=False))
        return 0
    if not tags:
        print("No tags yet. Add one with: openai-cost-tui tags add team Search project='Search*'")
        return 0
    rows = [[t.name, str(len(t.values)), ", ".join(v.name for v in t.values), ", ".join(t.dims())] for t in tags]
    print(table(["Tag", "Values", "Value names", "Rules look at"], rows, right={1}))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        tag = ctx.store.tag(args.tag.strip())
    if args.format == "json":
        print(json.dumps(_tag_json(tag), indent=1, ensure_ascii=False))
        return 0
    rows = []
    for i, v in enumerate(tag.values, start=1):
        for j, r in enumerate(v.rules):
            rows.append([str(i) if j == 0 else "", v.name if j == 0 else "", r.text(),
                         v.split_text() if j == 0 else ""])
    print(shown(f"Tag {tag.name}: first match wins; what no rule matches is (untagged)."))
    print(table(["#", "Value", "Rule (all must hold)", "Split"], rows))
    return 0


def _tag_json(tag: Tag) -> dict:
    return {
        "name": tag.name,
        "values": [
            {"name": v.name, "rules": [{d: list(p) for d, p in r.conditions} for r in v.rules],
             "split": v.split, "percents": dict(v.percents) if v.percents else None}
            for v in tag.values
        ],
    }


def cmd_remove(args: argparse.Namespace) -> int:
    from ..services.tags import remove_rule

    with context(args, synced_demo=False, need="existing") as ctx:
        if args.value is None:
            tag = ctx.store.tag(args.tag.strip())
            remove_rule(ctx.store, tag.name)
            print(shown(f"Removed the tag {tag.name} ({len(tag.values)} value{'s' if len(tag.values) != 1 else ''})."))
            return 0
        edit = remove_rule(ctx.store, args.tag.strip(), args.value.strip())
    if edit.tag is None:
        print(shown(f"Removed {edit.value!r} and so the tag {args.tag.strip()}, which had no other value to keep."))
    else:
        print(shown(f"Removed the value {edit.value!r} of {edit.tag.name}."))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    text = _read(args.file)
    tags = from_toml(text, _builtins())
    if not tags and not args.replace:
        raise UsageError(f"{args.file} defines no [[tag]]; nothing to import")
    with context(args, synced_demo=False, need="create") as ctx:
        before = {t.name for t in ctx.store.tags().tags}
        ctx.store.save_tags(tags, replace_all=args.replace)
    new = sum(t.name not in before for t in tags)
    gone = len(before - {t.name for t in tags}) if args.replace else 0
    print(shown(f"Imported {len(tags)} tag{'s' if len(tags) != 1 else ''} ({new} new, {len(tags) - new} replaced"
                f"{f', {gone} removed' if gone else ''})."))
    return 0


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no file {path!r}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path!r} is not UTF-8 text; a tags file is TOML") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path!r}: {exc.strerror or exc}") from None


def cmd_export(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        store_tags = ctx.store.tags()
        chosen = list(store_tags.tags)
        if args.tags:
            chosen = [ctx.store.tag(n.strip()) for n in args.tags]
    text = to_toml(chosen)
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
        err(f"wrote {len(chosen)} tag{'s' if len(chosen) != 1 else ''} to {args.output}")
    else:
        print(text, end="")
    return 0
