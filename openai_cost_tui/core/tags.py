"""Virtual tags as values: a tag's ordered values, their rules, shared-cost splits, exact shares, TOML.

A tag (``team``) has ordered values (``Search``, ``Ads``, ``Shared``). A value holds rules; a rule is
conditions over built-in dimensions (``project = "search-*"``, ``service = "Images"``), all of which
must hold (a condition's patterns are alternatives). The first value with a matching rule wins; cost
that no value claims is ``(untagged)``. A value may ``split``: its cost is shared out across the tag's
values that do not split, in proportion to their cost on the same day, evenly, or by fixed percentages,
exactly (largest remainder). Pure: no store, no Textual. Where tags are kept: store/tags.py; where they
are evaluated over a pivot: services/tags.py.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .errors import UsageError

UNTAGGED = "(untagged)"
# the dimensions a rule can look at (the time bins and raw units are not allocation keys)
RULE_DIMENSIONS = ("connection", "organization", "project", "api_key", "service", "category", "subcategory",
                   "tier", "context", "line_item", "model_version")
SPLIT_MODES = ("proportional", "even")
MAX_VALUE = 120
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_GLOB = re.compile(r"[*?\[]")
RESERVED_VALUES = (UNTAGGED, "(other)")


@dataclass(frozen=True)
class Rule:
    """Conditions AND-ed: each is (dimension, patterns), the patterns OR-ed, exact or glob."""

    conditions: tuple[tuple[str, tuple[str, ...]], ...]

    def words(self) -> tuple[str, ...]:
        """``('project=search-*', 'service=Images')``: one word of ``tags add`` per condition."""
        return tuple(f"{dim}={'|'.join(patterns)}" for dim, patterns in self.conditions)

    def text(self) -> str:
        """``project=search-* service=Images``: the form ``tags add`` takes."""
        return " ".join(self.words())


@dataclass(frozen=True)
class TagValue:
    name: str
    rules: tuple[Rule, ...] = ()
    split: str | None = None  # None, "proportional", "even" or "fixed"
    percents: tuple[tuple[str, int], ...] = ()  # the fixed split: (value, percent), adding up to 100

    def split_text(self) -> str:
        if self.split == "fixed":
            return ",".join(f"{v}={p}" for v, p in self.percents)
        return self.split or ""


@dataclass(frozen=True)
class Tag:
    name: str
    values: tuple[TagValue, ...] = ()

    def dims(self) -> tuple[str, ...]:
        """The built-in dimensions its rules read, in RULE_DIMENSIONS order."""
        used = {dim for v in self.values for r in v.rules for dim, _ in r.conditions}
        return tuple(d for d in RULE_DIMENSIONS if d in used)

    def value(self, name: str) -> TagValue | None:
        return next((v for v in self.values if v.name == name), None)

    def with_value(self, value: TagValue) -> Tag:
        """The tag with its value of ``value``'s name replaced by ``value`` (in its place)."""
        return replace(self, values=tuple(value if v.name == value.name else v for v in self.values))

    @property
    def targets(self) -> tuple[str, ...]:
        """The values a split shares cost out to: every value that does not split."""
        return tuple(v.name for v in self.values if v.split is None)

    @property
    def splits(self) -> bool:
        return any(v.split for v in self.values)

    @property
    def proportional(self) -> bool:
        return any(v.split == "proportional" for v in self.values)

    def labels(self) -> tuple[str, ...]:
        """Every value a report can show for this tag: its values, then ``(untagged)``."""
        return (*(v.name for v in self.values), UNTAGGED)


# -- checks -----------------------------------------------------------------------------------------


def check_tag_name(name: str, builtins: Iterable[str]) -> str:
    text = (name or "").strip()
    if text in set(builtins):
        raise UsageError(f"{text!r} is a built-in dimension; give the tag another name, like team or cost_center")
    if not _NAME.match(text):
        raise UsageError(f"a tag name is a lower-case letter then letters, digits or _ (at most 40), "
                         f"like team or cost_center; not {name!r}")
    return text


def check_value_name(name: str) -> str:
    text = (name or "").strip()
    if not text:
        raise UsageError("a tag value needs a name, like Search")
    if len(text) > MAX_VALUE:
        raise UsageError(f"the tag value is {len(text)} characters long; keep it under {MAX_VALUE}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise UsageError("the tag value contains control characters or line breaks; use plain text")
    if text in RESERVED_VALUES:
        raise UsageError(f"{text!r} is what the report shows for cost no value claims; name the value otherwise")
    return text


def check_dim(dim: str) -> str:
    text = (dim or "").strip()
    if text not in RULE_DIMENSIONS:
        raise UsageError(f"a rule cannot look at {dim!r}; it looks at one of: {', '.join(RULE_DIMENSIONS)}")
    return text


def parse_condition(text: str) -> tuple[str, tuple[str, ...]]:
    """``project=search-*`` or ``service=Images|Audio`` (alternatives) -> (dim, patterns)."""
    dim, sep, pattern = (text or "").partition("=")
    if not sep:
        raise UsageError(f"a rule is DIM=PATTERN, like project='Search*' or service=Images; not {text!r} (a "
                         "pattern with spaces goes in quotes, whole: project='Support Bot|Sales*')")
    patterns = tuple(p for p in pattern.split("|"))
    if any(not p.strip() for p in patterns):
        raise UsageError(f"the rule {text!r} has an empty pattern; write (none) for costs without one")
    return check_dim(dim), tuple(p.strip() for p in patterns)


def make_rule(conditions: Sequence[tuple[str, Sequence[str]]]) -> Rule:
    if not conditions:
        raise UsageError("a rule needs at least one condition, like project=search-*")
    merged: dict[str, tuple[str, ...]] = {}
    for dim, patterns in conditions:
        dim = check_dim(dim)
        if dim in merged:
            raise UsageError(f"the rule names {dim} twice; write alternatives as {dim}=a|b")
        pats = tuple(str(p) for p in patterns)
        if not pats or any(not p.strip() for p in pats):
            raise UsageError(f"the rule's {dim} pattern is empty; write (none) for costs without one")
        merged[dim] = tuple(p.strip() for p in pats)
    return Rule(tuple(merged.items()))


def parse_split(text: str | None) -> tuple[str | None, tuple[tuple[str, int], ...]]:
    """``proportional``, ``even`` or ``Search=60,Ads=40`` (whole percents adding up to 100)."""
    if text is None or not text.strip():
        return None, ()
    raw = text.strip()
    if raw in SPLIT_MODES:
        return raw, ()
    if "=" not in raw:
        raise UsageError(f"a split is proportional, even, or percents like Search=60,Ads=40; not {text!r}")
    parts = []
    for item in raw.split(","):
        name, _, pct = item.rpartition("=")
        parts.append((name, pct))
    return "fixed", _percents(parts)


def _percents(items: Iterable[tuple[str, object]]) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for name, pct in items:
        value = check_value_name(str(name))
        text = str(pct).strip()
        if isinstance(pct, bool) or not text.isdigit() or not 0 < int(text) <= 100:
            raise UsageError(f"the split gives {value!r} {pct!r}; a share is a whole percent from 1 to 100")
        out.append((value, int(text)))
    if len({n for n, _ in out}) != len(out):
        raise UsageError("the split names a value twice")
    if sum(p for _, p in out) != 100:
        raise UsageError(f"the split's percents add up to {sum(p for _, p in out)}, not 100")
    return tuple(out)


def check_tag(tag: Tag, builtins: Iterable[str]) -> Tag:
    """A whole tag: a name, distinct values, and splits that share out to values that do not split."""
    check_tag_name(tag.name, builtins)
    names = [check_value_name(v.name) for v in tag.values]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise UsageError(f"the tag {tag.name} has the value {dup!r} twice")
    for v in tag.values:
        if not v.rules:
            raise UsageError(f"the value {v.name!r} of {tag.name} has no rule, so it would match nothing")
        if v.split is None:
            continue
        if v.split not in (*SPLIT_MODES, "fixed"):
            raise UsageError(f"unknown split {v.split!r}; choose proportional, even or percents")
        if not tag.targets:
            raise UsageError(f"{v.name!r} splits across the tag's other values, but every value of "
                             f"{tag.name} splits; keep at least one that does not")
        for target, _ in v.percents:
            if target not in tag.targets:
                raise UsageError(f"the split of {v.name!r} names {target!r}, which is not a value of "
                                 f"{tag.name} that keeps its cost ({', '.join(tag.targets)})")
    return tag


# -- matching ---------------------------------------------------------------------------------------


class Matcher:
    """A tag's rules compiled once; ``value(record)`` maps a dimension -> text mapping to a value name.

    Results are cached per distinct combination of the dimensions the rules read, so a pivot of many
    rows matches each combination once.
    """

    def __init__(self, tag: Tag) -> None:
        self.tag = tag
        self.dims = tag.dims()
        self._compiled = [
            (v.name, [[(dim, _compile(patterns)) for dim, patterns in r.conditions] for r in v.rules])
            for v in tag.values
        ]
        self._cache: dict[tuple[str, ...], str] = {}

    def value(self, record: Mapping[str, str]) -> str:
        key = tuple(record.get(d, "") for d in self.dims)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._match(record)
        return found

    def _match(self, record: Mapping[str, str]) -> str:
        for name, rules in self._compiled:
            for conditions in rules:
                if all(test(record.get(dim, "")) for dim, test in conditions):
                    return name
        return UNTAGGED


@functools.lru_cache(maxsize=32)
def matcher_for(tag: Tag) -> Matcher:
    """The Matcher of ``tag``, kept while the tag is the same (a tag is a value: an edited rule is another
    tag), so each view of it matches only the labels it has not seen yet (team x day at 2M rows: ~300
    labels matched again per view, ~3 ms)."""
    return Matcher(tag)


def _compile(patterns: Sequence[str]):
    exact = frozenset(p for p in patterns if not _GLOB.search(p))
    globs = [re.compile(fnmatch.translate(p), re.DOTALL) for p in patterns if _GLOB.search(p)]
    if not globs:
        return exact.__contains__
    return lambda text: text in exact or any(g.match(text) for g in globs)


# -- exact shares -----------------------------------------------------------------------------------


def largest_remainder(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` (an int, possibly negative) shared in proportion to ``weights`` (ints >= 0, not all 0):
    each share rounded down, the units left over to the largest remainders (the first on a tie), so the
    shares add up to ``amount`` exactly."""
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be >= 0 and not all 0")
    sign = -1 if amount < 0 else 1
    whole = abs(amount)
    shares = [whole * w // total for w in weights]
    left = whole - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(whole * weights[i] % total), i))
    for i in order[:left]:
        shares[i] += 1
    return [sign * s for s in shares]


def split_weights(value: TagValue, tag: Tag, day_costs: Mapping[str, int] | None) -> list[tuple[str, int]]:
    """(target, weight) for sharing out ``value``'s cost: fixed percents, equal, or each target's cost
    that day (``day_costs``); a day where no target has a positive cost is shared evenly."""
    if value.split == "fixed":
        return list(value.percents)
    targets = tag.targets
    if value.split == "proportional" and day_costs:
        weights = [(t, max(day_costs.get(t, 0), 0)) for t in targets]
        if any(w for _, w in weights):
            return weights
    return [(t, 1) for t in targets]


# -- TOML -------------------------------------------------------------------------------------------


def to_toml(tags: Sequence[Tag]) -> str:
    """The tags as TOML, for version control; ``from_toml`` reads it back to equal tags."""
    out = ["# Virtual tags of openai-cost-tui: openai-cost-tui tags import FILE.toml", ""]
    for tag in tags:
        out += ["[[tag]]", f"name = {_s(tag.name)}", ""]
        for v in tag.values:
            out += ["[[tag.value]]", f"name = {_s(v.name)}"]
            rules = ", ".join(
                "{ " + ", ".join(f"{d} = {_pat(p)}" for d, p in r.conditions) + " }" for r in v.rules
            )
            out.append(f"rules = [{rules}]")
            if v.split == "fixed":
                out.append("split = { " + ", ".join(f"{_s(n)} = {p}" for n, p in v.percents) + " }")
            elif v.split:
                out.append(f"split = {_s(v.split)}")
            out.append("")
    return "\n".join(out)


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's


def _pat(patterns: tuple[str, ...]) -> str:
    return _s(patterns[0]) if len(patterns) == 1 else "[" + ", ".join(_s(p) for p in patterns) + "]"


def from_toml(text: str, builtins: Iterable[str]) -> list[Tag]:
    """Tags from TOML; a UsageError names the line of what is wrong."""
    builtins = tuple(builtins)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"not valid TOML: {exc}") from None
    unknown = set(doc) - {"tag"}
    if unknown:
        raise UsageError(f"line {_line(text, sorted(unknown)[0])}: unknown table {sorted(unknown)[0]!r}; "
                         "tags go in [[tag]] tables")
    raw_tags = doc.get("tag", [])
    if not isinstance(raw_tags, list):
        raise UsageError(f"line {_line(text, 'tag')}: write each tag as a [[tag]] table")
    tags: list[Tag] = []
    cursor = 0
    for raw in raw_tags:
        name = raw.get("name") if isinstance(raw, dict) else None
        cursor = _line(text, "[[tag]]", cursor)
        try:
            tags.append(_tag_from(raw, builtins))
        except _At as at:
            line = _line(text, at.needle, cursor)
            raise UsageError(f"line {line}: {at.message}") from None
        except UsageError as exc:
            raise UsageError(f"line {cursor}: tag {name!r}: {exc.message}") from None
    names = [t.name for t in tags]
    for n in names:
        if names.count(n) > 1:
            raise UsageError(f"the file defines the tag {n!r} twice")
    return tags


class _At(Exception):
    def __init__(self, needle: str, message: str) -> None:
        self.needle, self.message = needle, message


def _tag_from(raw: object, builtins: tuple[str, ...]) -> Tag:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise UsageError("each [[tag]] needs name = \"...\"")
    name = check_tag_name(raw["name"], builtins)
    extra = set(raw) - {"name", "value"}
    if extra:
        key = sorted(extra)[0]
        raise _At(key, f"unknown key {key!r} in tag {name!r}; a tag has name and [[tag.value]] tables")
    values = []
    for v in raw.get("value", []):
        if not isinstance(v, dict) or not isinstance(v.get("name"), str):
            raise UsageError("each [[tag.value]] needs name = \"...\"")
        vname = v["name"]
        try:
            values.append(_value_from(v))
        except UsageError as exc:
            raise _At(_needle(v, vname), f"value {vname!r}: {exc.message}") from None
    return check_tag(Tag(name, tuple(values)), builtins)


def _needle(raw: dict, vname: str) -> str:
    """The text to look for to find the line of a value's problem: its first odd key, else its name."""
    for key in raw:
        if key not in ("name", "rules", "split"):
            return key
    for rule in raw.get("rules", []) if isinstance(raw.get("rules"), list) else ():
        if isinstance(rule, dict):
            for dim in rule:
                if dim not in RULE_DIMENSIONS:
                    return dim
    return json.dumps(vname, ensure_ascii=False)


def _value_from(raw: dict) -> TagValue:
    extra = set(raw) - {"name", "rules", "split"}
    if extra:
        raise UsageError(f"unknown key {sorted(extra)[0]!r}; a value has name, rules and split")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list) or not all(isinstance(r, dict) for r in rules_raw):
        raise UsageError("rules is a list of tables like [{ project = \"search-*\" }]")
    rules = []
    for r in rules_raw:
        conds = []
        for dim, pat in r.items():
            pats = pat if isinstance(pat, list) else [pat]
            if not all(isinstance(p, str) for p in pats):
                raise UsageError(f"the pattern for {dim} is text or a list of text, not {pat!r}")
            conds.append((dim, pats))
        rules.append(make_rule(conds))
    split = raw.get("split")
    if split is None:
        mode, percents = None, ()
    elif isinstance(split, str):
        if split not in SPLIT_MODES:
            raise UsageError(f"split is proportional, even, or a table of percents; not {split!r}")
        mode, percents = split, ()
    elif isinstance(split, dict):
        mode, percents = "fixed", _percents(split.items())
    else:
        raise UsageError("split is proportional, even, or a table of percents like { Search = 60, Ads = 40 }")
    return TagValue(check_value_name(raw["name"]), tuple(rules), mode, percents)


def _line(text: str, needle: str, start_line: int = 0) -> int:
    """The 1-based number of the first line at or after ``start_line`` that holds ``needle``."""
    lines = text.splitlines()
    for i in range(max(start_line - 1, 0), len(lines)):
        if needle in lines[i]:
            return i + 1
    return max(start_line, 1)


# -- the stored form --------------------------------------------------------------------------------


def to_dict(tag: Tag) -> dict:
    return {
        "name": tag.name,
        "values": [
            {"name": v.name, "rules": [[[d, list(p)] for d, p in r.conditions] for r in v.rules],
             "split": v.split, "percents": [[n, p] for n, p in v.percents]}
            for v in tag.values
        ],
    }


def from_dict(data: dict) -> Tag:
    return Tag(data["name"], tuple(
        TagValue(v["name"], tuple(Rule(tuple((d, tuple(p)) for d, p in r)) for r in v["rules"]),
                 v.get("split"), tuple((n, int(p)) for n, p in v.get("percents", [])))
        for v in data["values"]
    ))


@dataclass(frozen=True)
class TagSet:
    """Every tag of a store, by name, in the order they were added."""

    tags: tuple[Tag, ...] = ()
    by_name: dict[str, Tag] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({t.name: t for t in self.tags})

    def get(self, name: str) -> Tag | None:
        return self.by_name.get(name)
