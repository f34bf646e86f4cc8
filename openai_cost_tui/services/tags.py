"""Virtual tags evaluated over the store's pivot: any report, filter or budget may name a tag.

A spec that names no tag goes straight to ``Store.run_pivot``. One that does is answered in three steps,
all above the pivot's public interface:

1. ask the pivot for the built-in dimensions the view needs and the tags' rules read (at day grain when a
   proportional split needs each day's shares), with the view's built-in filters;
2. map each distinct combination to each tag's value (rules compiled once, matched once per
   combination) and share split values out exactly (largest remainder), marking those parts allocated;
3. drop what the tag filters leave out and fold into the view with ``core.pivot.fold``.

Each tag's values add up to the same total as the view without the tag, to the last atto-dollar.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ..core import money
from ..core.dates import DateRange, last_of_month, week_id
from ..core.dimensions import BY_ID, is_tag, use_tags
from ..core.errors import UsageError
from ..core.gc_pauses import no_gc_pauses
from ..core.models import Cell, Filter, PivotResult, PivotSpec
from ..core.pivot import fold, other_key, validate_spec
from ..core.tags import (
    RULE_DIMENSIONS,
    UNTAGGED,
    Matcher,
    Rule,
    Tag,
    TagSet,
    TagValue,
    check_tag_name,
    check_value_name,
    largest_remainder,
    make_rule,
    matcher_for,
    parse_condition,
    parse_split,
    split_weights,
)
from . import tag_regions

if TYPE_CHECKING:
    from ..store.store import Store

DERIVED = ("week", "month")  # read from the day when the day is grouped anyway


@dataclass(frozen=True)
class TagPivot:
    result: PivotResult
    allocated: dict[tuple[str, ...], int] = field(default_factory=dict)  # row -> its amount split in
    split_out: dict[tuple[str, str], int] = field(default_factory=dict)  # (tag, value) -> amount shared out
    split_in: dict[tuple[str, str], int] = field(default_factory=dict)  # (tag, value) -> amount it took in
    unsplit: tuple[tuple[str, tuple[str, ...]], ...] = ()  # with splits off: each tag's values that would split


def load(store: Store) -> TagSet:
    """The store's tags, made dimensions for specs, filters and saved views (call after each change)."""
    tags = store.tags()
    use_tags(t.name for t in tags.tags)
    return tags


def _dims_of(spec: PivotSpec) -> list[str]:
    return [*spec.rows, *((spec.cols,) if spec.cols else ()), *(f.dim for f in spec.filters)]


def tags_in(spec: PivotSpec) -> list[str]:
    return list(dict.fromkeys(n for n in _dims_of(spec) if is_tag(n)))


def run_pivot(store: Store, spec: PivotSpec, *, today: date, splits: bool = True) -> PivotResult:
    """``Store.run_pivot`` that also knows the store's tags (``splits=False``: split values unshared)."""
    return evaluate(store, spec, today=today, splits=splits).result


def without_tags(spec: PivotSpec) -> PivotSpec:
    """The spec's built-in filters only (for what only the store can count, like other currencies)."""
    return replace(spec, filters=tuple(f for f in spec.filters if not is_tag(f.dim)))


def evaluate(store: Store, spec: PivotSpec, *, today: date, splits: bool = True) -> TagPivot:
    with no_gc_pauses():  # many small dicts and cells, no cycles
        return _evaluate(store, spec, today=today, splits=splits)


def _evaluate(store: Store, spec: PivotSpec, *, today: date, splits: bool) -> TagPivot:
    if any(d not in BY_ID and not is_tag(d) for d in _dims_of(spec)):
        load(store)  # a dimension that is not built in may be a tag not loaded yet (a tag budget)
    names = tags_in(spec)
    if not names:
        return TagPivot(store.run_pivot(spec, today=today))
    tagset = load(store)  # read each time: an edited rule takes effect at once
    tags: list[Tag] = []
    for name in names:
        tag = tagset.get(name)
        if tag is None:
            raise UsageError(f"the tag {name!r} no longer exists; tags: {', '.join(tagset.by_name) or 'none'}")
        tags.append(tag)
    validate_spec(spec)
    date_range = spec.date_range or DateRange(today.replace(day=1), today)
    wanted = [d for d in (*spec.rows, *((spec.cols,) if spec.cols else ())) if not is_tag(d)]
    base = replace(without_tags(spec), date_range=date_range, top=None, measure="cost")
    dims = _base_dims(wanted, tags, False)
    proportional = [t for t in tags if splits and t.proportional]
    # one query per value, summed in SQL, where each tag's rules read one dimension
    records = tag_regions.records(store, base, wanted, tags, today, splits=splits) \
        if tag_regions.answerable(store, tags) else None
    if records is None and proportional and "day" not in dims:
        records = _by_day_where_split(store, base, wanted, tags, proportional,
                                      _records(store, base, dims, wanted, today), today)
    elif records is None:  # each tag's value known from the start: as many records as the view needs
        records = _tagged_records(store, base, dims, wanted, tags, today)

    for tag in tags:
        matcher = matcher_for(tag)
        for rec, _ in records:
            if tag.name not in rec:
                rec[tag.name] = matcher.value(rec)
    # a share is rounded per record: one record per row of the view (and day), whatever the rules read
    out = [(rec, cell, False) for rec, cell in _collapse(records, [*wanted, "day", *names])]
    split_out: dict[tuple[str, str], int] = defaultdict(int)
    split_in: dict[tuple[str, str], int] = defaultdict(int)
    for tag in tags:
        if splits and tag.splits:
            out = _share(store, tag, out, base, today, split_out, split_in, day_rows="day" in dims)

    tag_filters = [f for f in spec.filters if is_tag(f.dim)]
    raw: list[tuple[tuple[str, ...], str, Cell]] = []
    allocated: dict[tuple[str, ...], int] = defaultdict(int)
    for rec, cell, shared in out:
        if not all((rec[f.dim] in f.values) != f.exclude for f in tag_filters):
            continue
        row_key = tuple(rec[d] for d in spec.rows)
        raw.append((row_key, rec[spec.cols] if spec.cols else "", cell))
        if shared:
            allocated[row_key] += cell.amount
    result = fold(spec, date_range, raw, today=today)
    allocated = _onto_shown(allocated, result)
    unsplit = () if splits else tuple(
        (t.name, tuple(v.name for v in t.values if v.split)) for t in tags if t.splits)
    return TagPivot(result, dict(allocated), dict(split_out), dict(split_in), unsplit)


def _collapse(records: list, keep: list[str]) -> list:
    """The records summed over every dimension but ``keep`` (those a record has)."""
    merged: dict[tuple, Cell] = {}
    for rec, cell in records:
        key = tuple((d, rec[d]) for d in keep if d in rec)
        merged[key] = merged[key] + cell if key in merged else cell
    return [(dict(key), cell) for key, cell in merged.items()]


def _onto_shown(allocated: dict[tuple[str, ...], int], result: PivotResult) -> dict[tuple[str, ...], int]:
    """The shares by the rows the pivot shows: a row top-N folded into "(other)" brings its share there,
    so "(other)" is marked as holding an allocated share like any row."""
    shown = set(result.row_keys)
    out: dict[tuple[str, ...], int] = defaultdict(int)
    for key, amount in allocated.items():
        if key not in shown:
            key = other_key(key)
        out[key] += amount
    return {key: amount for key, amount in out.items() if amount}


def _records(store: Store, base: PivotSpec, dims: list[str], wanted: list[str], today: date) -> list:
    """(dimension -> value, cell) for each combination of ``dims``, with the week or month the view
    wants read from the day when the day is among them."""
    records = [(dict(zip(dims, keys, strict=True)), cell) for keys, cell in grouped(store, base, dims, today)]
    return _derived(records, wanted, dims)


def _derived(records: list, wanted: list[str], dims: list[str]) -> list:
    """The records with the week or month the view wants read from the day, when only the day was grouped."""
    derive = [d for d in wanted if d in DERIVED and d not in dims]
    for rec, _ in records:
        for d in derive:
            rec[d] = rec["day"][:7] if d == "month" else week_id(date.fromisoformat(rec["day"]))
    return records


def _tagged_records(store: Store, base: PivotSpec, dims: list[str], wanted: list[str], tags: list[Tag],
                    today: date) -> list:
    """As ``_records``, with each tag's value in each record and the dimensions only the rules read
    summed away: a record per combination of the view's dimensions (and the day) and the tags' values.
    Project x day over 90 days of a 2M-row store is 25k combinations of day and project, and 270 of
    day and team. The rules are matched once per combination of what they read."""
    cells = store.group_cells(base, dims, today=today)
    keep = [d for d in dims if d in wanted or d == "day"]
    kept_at = [dims.index(d) for d in keep]
    matchers = []
    for tag in tags:
        at = [dims.index(d) for d in tag.dims()]
        matchers.append((matcher_for(tag), tag.dims(), at, {}))
    collapsed: dict[tuple, Cell] = {}
    for keys, cell in cells.items():
        values = []
        for matcher, rule_dims, at, seen in matchers:
            read = tuple(keys[i] for i in at)
            value = seen.get(read)
            if value is None:
                value = seen[read] = matcher.value(dict(zip(rule_dims, read, strict=True)))
            values.append(value)
        key = (*(keys[i] for i in kept_at), *values)
        collapsed[key] = collapsed[key] + cell if key in collapsed else cell
    names = [*keep, *(t.name for t in tags)]
    records = [(dict(zip(names, key, strict=True)), cell) for key, cell in collapsed.items()]
    return _derived(records, wanted, dims)


def _by_day_where_split(store: Store, base: PivotSpec, wanted: list[str], tags: list[Tag],
                        proportional: list[Tag], records: list, today: date) -> list:
    """``records`` with those a proportional split shares out replaced by the same cost day by day (each
    day is shared by that day's figures): a second pivot at day grain, narrowed to the values the rules
    saw on those records, so the rest of the view keeps its coarser (rollup) reads."""
    matchers = [(matcher_for(t), t) for t in proportional]

    def by_day(rec) -> bool:
        for m, t in matchers:
            value = t.value(m.value(rec))
            if value is not None and value.split == "proportional":
                return True
        return False

    coarse = [(rec, cell) for rec, cell in records if not by_day(rec)]
    fine = [rec for rec, _ in records if by_day(rec)]
    if not fine:
        return records
    looked_at = dict.fromkeys(d for t in proportional for d in t.dims())
    narrow = tuple(Filter(d, tuple(sorted({rec[d] for rec in fine}))) for d in looked_at)
    daily = replace(base, filters=(*base.filters, *narrow))
    dims = _base_dims(wanted, tags, True)
    return coarse + [(rec, cell) for rec, cell in _records(store, daily, dims, wanted, today) if by_day(rec)]


def _base_dims(wanted: list[str], tags: list[Tag], by_day: bool) -> list[str]:
    dims = list(dict.fromkeys([*(["day"] if by_day else []), *wanted, *(d for t in tags for d in t.dims())]))
    if "day" in dims:
        dims = [d for d in dims if d not in DERIVED]
    return dims


def grouped(store: Store, spec: PivotSpec, dims: list[str], today: date) -> list[tuple[tuple[str, ...], Cell]]:
    """Cost by every combination of ``dims`` (any number of them) under ``spec``'s filters."""
    return list(store.group_cells(spec, dims, today=today).items())


def _share(store: Store, tag: Tag, records, base: PivotSpec, today: date, split_out, split_in, *,
           day_rows: bool) -> list:
    """Each record of a split value replaced by its exact shares of the tag's other values."""
    day_costs: dict[str, dict[str, int]] = {}
    if tag.proportional and (base.filters or not day_rows):
        found = tag_regions.day_costs(store, tag, base, today) if tag_regions.answerable(store, [tag]) else None
        day_costs = _day_costs(store, tag, base, today) if found is None else found
    elif tag.proportional:  # the records are every cost of the dates by day already: no second query
        keep = set(tag.targets)
        day_costs = defaultdict(lambda: defaultdict(int))
        for rec, cell, _ in records:
            if rec[tag.name] in keep:
                day_costs[rec["day"]][rec[tag.name]] += cell.amount
    out = []
    for rec, cell, shared in records:
        value = tag.value(rec[tag.name])
        if value is None or value.split is None:
            out.append((rec, cell, shared))
            continue
        split_out[(tag.name, value.name)] += cell.amount
        for target, part in _parts(value, tag, cell, day_costs.get(rec.get("day", ""))):
            out.append(({**rec, tag.name: target}, part, True))
            split_in[(tag.name, target)] += part.amount
    return out


def _parts(value: TagValue, tag: Tag, cell: Cell, day_costs) -> list[tuple[str, Cell]]:
    weights = [(n, w) for n, w in split_weights(value, tag, day_costs) if w]  # a value with no share gets no row
    names = [n for n, _ in weights]
    amounts = largest_remainder(cell.amount, [w for _, w in weights])
    qtys = largest_remainder(cell.quantity, [w for _, w in weights]) if cell.quantity is not None else None
    return [(n, Cell(amounts[i], None if qtys is None else qtys[i], cell.units)) for i, n in enumerate(names)]


def _day_costs(store: Store, tag: Tag, base: PivotSpec, today: date) -> dict[str, dict[str, int]]:
    """Each day's cost of each value that keeps its cost, over everything in the view's dates and
    workspace (not its other filters: a value's share does not change with how a report is sliced)."""
    spec = replace(base, filters=())
    dims = ["day", *tag.dims()]
    matcher = matcher_for(tag)
    keep = set(tag.targets)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for keys, cell in grouped(store, spec, dims, today):
        rec = dict(zip(dims, keys, strict=True))
        value = matcher.value(rec)
        if value in keep:
            out[rec["day"]][value] += cell.amount
    return out


def allocation_line(found: TagPivot) -> str:
    """One line for under a report: ``team: Shared's $6.00 allocated to Search $3.00, Ads $3.00``, or
    ``team: Shared unsplit`` when splits are off."""
    parts = [f"{tag}: {', '.join(values)} unsplit" for tag, values in found.unsplit]
    for (tag, value), amount in sorted(found.split_out.items()):
        shares = ", ".join(f"{target} {money.usd(got)}" for (t, target), got in found.split_in.items() if t == tag)
        parts.append(f"{tag}: {value}'s {money.usd(amount)} allocated to {shares}")
    return "; ".join(parts)


# -- editing (the CLI's tags add/remove and the TUI's tags screen) ----------------------------------


@dataclass(frozen=True)
class Edit:
    tag: Tag | None  # the tag as saved now (None: it was removed)
    value: str
    created: bool = False  # a new tag


def add_rule(store: Store, name: str, value_name: str, rule: Rule, split: str | None = None,
             percents: tuple[tuple[str, int], ...] = (), *, set_split: bool = False) -> Edit:
    """Append ``rule`` to the value (the tag and the value are created as needed); ``set_split`` also
    sets the value's split (``None``: it keeps its cost)."""
    name, value_name = check_tag_name(name, BY_ID), check_value_name(value_name)
    found = store.tags().get(name)
    tag = found or Tag(name)
    value = tag.value(value_name)
    if value is None:
        tag = replace(tag, values=(*tag.values, TagValue(value_name, (rule,), split, percents)))
    else:
        if rule in value.rules:
            raise UsageError(f"{value_name!r} of {name} has this rule already")
        value = replace(value, rules=(*value.rules, rule), **({"split": split, "percents": percents}
                                                              if set_split else {}))
        tag = tag.with_value(value)
    store.save_tag(tag)
    load(store)
    return Edit(tag, value_name, created=found is None)


def edit_rule(store: Store, old: tuple[str, str, int], name: str, value_name: str, rule: Rule,
              split: str | None = None, percents: tuple[tuple[str, int], ...] = (), *,
              set_split: bool = False) -> Edit:
    """The rule ``old`` (tag, value, 0-based index) becomes ``rule`` of ``name``/``value_name``: in place,
    in one write, when it stays in its value; else added there first and then removed from where it was
    (a refused addition leaves the old rule as it was). The first rule's line shows its value's split
    (``rule_line``), so a first rule edited without one leaves its value unsplit."""
    old_tag, old_value, index = old
    tag = store.tag(old_tag)
    value = tag.value(old_value)
    if value is None or not 0 <= index < len(value.rules):
        raise UsageError(f"the rule to edit is gone from {old_value!r} of {old_tag}; open the tags again")
    name, value_name = check_tag_name(name, BY_ID), check_value_name(value_name)
    if (name.casefold(), value_name) != (tag.name.casefold(), value.name):
        new_value = name.casefold() == tag.name.casefold() and tag.value(value_name) is None
        edit = add_rule(store, name, value_name, rule, split, percents, set_split=set_split)
        remove_rule(store, old_tag, old_value, index)
        moved = store.tags().get(name)
        if new_value and moved is not None:  # the new value where the rule was: first match keeps its order
            moved = _placed(moved, value_name, tag.values.index(value) + (moved.value(value.name) is not None))
            store.save_tag(moved)
            load(store)
        return replace(edit, tag=moved)
    if rule in value.rules[:index] + value.rules[index + 1:]:
        raise UsageError(f"{value_name!r} of {tag.name} has this rule already")
    if index == 0 and not set_split:
        split, percents, set_split = None, (), True
    value = replace(value, rules=(*value.rules[:index], rule, *value.rules[index + 1:]),
                    **({"split": split, "percents": percents} if set_split else {}))
    tag = tag.with_value(value)
    store.save_tag(tag)
    load(store)
    return Edit(tag, value.name)


def _placed(tag: Tag, value_name: str, at: int) -> Tag:
    """``tag`` with its value ``value_name`` moved to position ``at`` among its values."""
    others = [v for v in tag.values if v.name != value_name]
    return replace(tag, values=(*others[:at], tag.value(value_name), *others[at:]))


def rule_line(tag: Tag, value: TagValue, index: int) -> str:
    """One rule as the new-rule field takes it (``parse_line``'s inverse), words with spaces quoted."""
    words = [tag.name, value.name, *value.rules[index].words()]
    if index == 0 and value.split:
        words.append(f"split={value.split_text()}")
    return " ".join(shlex.quote(w) for w in words)


def remove_rule(store: Store, name: str, value_name: str | None = None, index: int | None = None) -> Edit:
    """Remove a tag, one of its values, or one rule of a value (by its 0-based ``index``). A tag left
    without values goes; a fixed split that named a removed value is shared evenly instead."""
    tag = store.tag(name)
    if value_name is None:
        store.remove_tag(tag.name)
        load(store)
        return Edit(None, "")
    value = tag.value(value_name)
    if value is None:
        raise UsageError(f"the tag {tag.name} has no value {value_name!r}; values: "
                         f"{', '.join(v.name for v in tag.values)}")
    if index is not None and len(value.rules) > 1:
        kept = replace(value, rules=value.rules[:index] + value.rules[index + 1:])
        rest = tag.with_value(kept)
    else:
        rest = replace(tag, values=tuple(v for v in tag.values if v.name != value_name))
    if not rest.values or not rest.targets:
        store.remove_tag(tag.name)
        load(store)
        return Edit(None, value_name)
    rest = replace(rest, values=tuple(
        v if all(t in rest.targets for t, _ in v.percents) else replace(v, split="even", percents=())
        for v in rest.values))
    store.save_tag(rest)
    load(store)
    return Edit(rest, value_name)


def parse_line(text: str) -> tuple[str, str, Rule, str | None, tuple[tuple[str, int], ...], bool]:
    """``team Search project='Search*' service=Images [split=even]`` as the TUI's new-rule field takes
    it (words with spaces in quotes): (tag, value, rule, split, percents, split given)."""
    try:
        words = shlex.split(text or "")
    except ValueError as exc:
        raise UsageError(f"unbalanced quotes: {exc}") from None
    if len(words) < 3:
        raise UsageError("write TAG VALUE DIM=PATTERN ..., like: team Search project='Search*'")
    tag, value, *rest = words
    split_words = [w for w in rest if w.startswith("split=")]
    conditions = [parse_condition(w) for w in rest if not w.startswith("split=")]
    split, percents = parse_split(split_words[-1][len("split="):]) if split_words else (None, ())
    return tag, value, make_rule(conditions), split, percents, bool(split_words)


# -- what a rule reaches (said after a rule is added or edited) --------------------------------------

NAMED = 3  # labels a reach line names; the rest are counted


@dataclass(frozen=True)
class Reach:
    line: str  # one line for the user
    claims: bool  # False: the rule claims no stored cost (no match, or every match taken first)


def rule_reach(store: Store, tag_name: str, value_name: str, rule: Rule, today: date) -> Reach:
    """What ``rule`` of the saved ``value_name`` of ``tag_name`` claims of the stored cost (every stored
    month, read from the month rollups; USD): how much and of which labels; or that it matches nothing
    stored and why (naming a label it would match in another case: patterns are case-sensitive); or
    which earlier values (first match wins) take all that it matches."""
    tag = store.tags().get(tag_name)
    value = tag.value(value_name) if tag else None
    if tag is None or value is None or rule not in value.rules:
        return Reach(f"The rule is no longer in {value_name!r} of {tag_name}: the store's tags changed meanwhile "
                     "(another edit); open the tags again to see them.", False)
    first, last = store.first_day(), store.last_day()
    if first is None or last is None:
        return Reach("No cost is stored yet, so nothing to match so far: the rule applies to costs synced "
                     "later.", False)
    at = tag.values.index(value)
    earlier = Tag(tag.name, (*tag.values[:at], replace(value, rules=value.rules[:value.rules.index(rule)])))
    rule_dims = [d for d, _ in rule.conditions]
    dims = [d for d in RULE_DIMENSIONS if d in rule_dims or d in earlier.dims()]
    stored = DateRange(first.replace(day=1), last_of_month(last))  # whole months: the month rollups
    cells = store.group_cells(PivotSpec(rows=(), cols=None, date_range=stored, quantities=False), dims, today=today)
    matches, taken_first = Matcher(_alone(tag.name, rule.conditions)), Matcher(earlier)
    claimed: list[tuple[str, ...]] = []  # the combinations it claims
    amount = 0
    shadowed: dict[str, int] = defaultdict(int)
    for keys, cell in cells.items():
        rec = dict(zip(dims, keys, strict=True))
        if matches.value(rec) == UNTAGGED:
            continue
        taker = taken_first.value(rec)
        if taker == UNTAGGED:
            claimed.append(keys)
            amount += cell.amount
        else:
            shadowed[taker] += cell.amount
    since = stored.start.isoformat()
    if not claimed and not shadowed:
        return Reach(_no_match(rule, dims, cells, since), False)
    others = _taken_by(shadowed, value.name) if shadowed else ""
    if not claimed:
        return Reach(f"All the stored cost {_quoted(rule)} matches ({money.usd(sum(shadowed.values()))} since "
                     f"{since}) goes to {others} (first match wins), so this rule claims none of it.", False)
    total = sum(cell.amount for cell in cells.values())
    share = f" ({amount * 100 / total:.1f}% of the stored cost)" if total > 0 and amount >= 0 else ""
    labels = "; ".join(_named(d, sorted({keys[dims.index(d)] for keys in claimed})) for d in rule_dims)
    line = f"It claims {money.usd(amount)} since {since}{share}: {labels}."
    if shadowed:
        line += f" {money.usd(sum(shadowed.values()))} more that it matches goes to {others} (first match wins)."
    return Reach(line, True)


def _quoted(rule: Rule) -> str:
    """``project='Search Ranking' service=Images``: a rule as a sentence shows it, patterns with spaces quoted."""
    return " ".join(_condition(dim, patterns) for dim, patterns in rule.conditions)


def _condition(dim: str, patterns) -> str:
    joined = "|".join(patterns)
    return f"{dim}={shlex.quote(joined)}" if any(ch.isspace() for ch in joined) else f"{dim}={joined}"


def _alone(name: str, conditions) -> Tag:
    """A tag of one value with one rule of ``conditions``: its Matcher tells whether they hold."""
    return Tag(name, (TagValue("match", (Rule(tuple(conditions)),)),))


def _taken_by(shadowed: dict[str, int], own: str) -> str:
    """``Ads and Bots``, the earlier values that take what a rule matches, most cost first (``own``:
    ``Search through its earlier rules``)."""
    names = sorted(shadowed, key=lambda v: (-shadowed[v], v))
    words = [f"{v} through its earlier rules" if v == own else v for v in names]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _named(dim: str, labels: list[str]) -> str:
    """``projects 'Search API', 'Search Ranker'``, or ``... and 4 more`` past NAMED labels."""
    more = len(labels) - NAMED
    return (f"{_noun(dim, len(labels) > 1)} {', '.join(repr(x) for x in labels[:NAMED])}"
            f"{f' and {more} more' if more > 0 else ''}")


def _noun(dim: str, plural: bool) -> str:
    """``project``, ``API keys``: a dimension's label in a sentence."""
    label = BY_ID[dim].label
    return (label if label[1:2].isupper() else label[0].lower() + label[1:]) + ("s" if plural else "")


def _no_match(rule: Rule, dims: list[str], cells, since: str) -> str:
    """Why a rule matches no stored cost: the condition that no stored label meets (with a label it would
    meet in another case), or that no stored cost meets every condition at once."""
    for dim, patterns in rule.conditions:
        labels = sorted({keys[dims.index(dim)] for keys in cells})
        alone = Matcher(_alone("x", [(dim, patterns)]))
        if any(alone.value({dim: x}) != UNTAGGED for x in labels):
            continue
        folded = Matcher(_alone("x", [(dim, tuple(p.casefold() for p in patterns))]))
        near = next((x for x in labels if folded.value({dim: x.casefold()}) != UNTAGGED), None)
        case = "patterns are case-sensitive" + (f" (it would match {near!r})" if near is not None else "")
        return (f"No stored cost matches {_condition(dim, patterns)} yet: {case}. The {_noun(dim, True)} stored are the rows of "
                f"the report by {_noun(dim, False)} (r), or of `openai-cost-tui report --rows {dim} --from "
                f"{since[:7]}`. The rule is saved: costs synced later may match it.")
    return (f"No stored cost matches all of {_quoted(rule)} at once yet, though each condition alone matches "
            "some. The rule is saved: costs synced later may match it.")
