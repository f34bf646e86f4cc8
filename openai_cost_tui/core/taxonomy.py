"""Turn a raw ``line_item`` into Service / Category / Subcategory / Tier / Context (TAXONOMY.md).

The rules are data (``taxonomy_rules``); this module only reads the grammar
``[<surface> | ]<model>[ <modality>], <charge>[, long context]`` and looks each part up.
Derived text is lower-cased and whitespace-collapsed; the raw line item is kept elsewhere, so what is
not recognised goes to ``Other`` and nothing is lost. Users add rules with :meth:`Taxonomy.from_toml`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import TypeVar

from . import taxonomy_rules as R
from .dimensions import NONE_LABEL
from .errors import UsageError

SERVICES = R.SERVICES
T = TypeVar("T")


@dataclass(frozen=True)
class Classification:
    service: str
    category: str
    subcategory: str
    tier: str
    context: str
    model_version: str


_FIELDS = tuple(f.name for f in fields(Classification))
_KEYS = ("match", "line_item", *_FIELDS)
_CHOICES = {"service": R.SERVICES, "tier": R.TIERS, "context": R.CONTEXTS}


def _squash(text: str) -> str:
    return " ".join(text.split())


def _normalize(text: str) -> str:
    """Lower-case, collapse whitespace, and space commas and pipes one way."""
    return _PIPE.sub(" | ", _COMMA.sub(", ", _squash(text).lower()))


def _glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob (``*``, ``?`` only) to a regex for ``fullmatch`` on normalised text."""
    escaped = re.escape(_normalize(pattern))
    return re.compile(escaped.replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


def _first(table: Sequence[tuple[re.Pattern[str], T]], text: str) -> T | None:
    for pattern, value in table:
        if pattern.fullmatch(text):
            return value
    return None


_COMMA = re.compile(r"\s*,\s*")
_PIPE = re.compile(r"\s*\|\s*")
_SURFACES = {surface: (effect, value) for surface, effect, value in R.SURFACES}
_PRODUCTS = tuple((_glob(p), (svc, cat, sub)) for p, svc, cat, sub in R.PRODUCTS)
_FAMILIES = tuple((_glob(p), svc) for p, svc in R.MODEL_FAMILIES)
_CHARGES = tuple((_glob(p), charge) for p, charge in R.CHARGES)
_SUFFIXES = tuple((" " + words, prefix, svc) for words, prefix, svc in R.HEAD_SUFFIXES)
_UNITS = dict(R.UNITS)
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_UNALLOCATED = Classification(R.UNALLOCATED, NONE_LABEL, NONE_LABEL, R.STANDARD, R.STANDARD, "")


@dataclass(frozen=True)
class OverrideRule:
    """A user rule: where ``match`` (glob on the model) and ``line_item`` (glob on the whole line
    item) both hold, the fields given replace the derived ones. At least one of the two is needed."""

    match: str | None = None
    line_item: str | None = None
    service: str | None = None
    category: str | None = None
    subcategory: str | None = None
    tier: str | None = None
    context: str | None = None
    model_version: str | None = None

    def __post_init__(self) -> None:
        for key in _KEYS:
            value = getattr(self, key)
            if value is not None and not isinstance(value, str):
                raise UsageError(f"`{key}` must be a string, not {value!r}")
            if key != "model_version" and value is not None and not value.strip():
                raise UsageError(f"`{key}` must not be empty")
        if self.match is None and self.line_item is None:
            raise UsageError('needs `match` (a glob on the model, e.g. "my-model*") or `line_item`')
        if not self.changes():
            raise UsageError(f"sets nothing; give at least one of: {', '.join(_FIELDS)}")
        for key, choices in _CHOICES.items():
            value = getattr(self, key)
            if value is None:
                continue
            found = next((c for c in choices if c.lower() == _squash(value).lower()), None)
            if found is None:
                raise UsageError(f"`{key}` {value!r} is not one of: {', '.join(choices)}")
            object.__setattr__(self, key, found)

    def changes(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in _FIELDS if getattr(self, f) is not None}


def _rule_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*rule\s*\]\]", line)]


def _parse_rules(text: str) -> list[OverrideRule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"taxonomy rules are not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"rule"})
    if extra:
        raise UsageError(f"taxonomy rules: unknown key {extra[0]!r}; write each rule as a [[rule]] table")
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise UsageError("taxonomy rules: `rule` must be a list of [[rule]] tables")
    lines = _rule_lines(text)
    rules = []
    for index, table in enumerate(tables, 1):
        where = f"rule {index}" + (f" (line {lines[index - 1]})" if len(lines) == len(tables) else "")
        unknown = sorted(set(table) - set(_KEYS))
        try:
            if unknown:
                raise UsageError(f"unknown key {unknown[0]!r}; allowed: {', '.join(_KEYS)}")
            rules.append(OverrideRule(**table))
        except UsageError as exc:
            raise UsageError(f"taxonomy {where}: {exc.message}") from None
    return rules


def _builtin(text: str, sign: int, unit: str | None) -> tuple[Classification, str]:
    """Classify a normalised line item with the built-in rules; also return its model head."""
    tier, service, as_product, unknown = R.STANDARD, None, False, False
    rest = text
    while "|" in rest:
        surface, _, rest = (part.strip() for part in rest.partition("|"))
        effect, value = _SURFACES.get(surface, ("unknown", R.OTHER))
        if effect == "tier":
            tier = value
        else:
            service, as_product = value, effect == "product"
            unknown = unknown or effect == "unknown"
    if unknown:
        service = R.OTHER
    head, *tail = (part.strip() for part in rest.split(","))
    tail = [part for part in tail if part]
    context = R.STANDARD
    if tail and tail[-1] == R.LONG_CONTEXT:
        context = R.LONG
        tail.pop()
    charge = ", ".join(tail)
    charge = _first(_CHARGES, charge) or charge
    if not head:
        return Classification(service or R.OTHER, NONE_LABEL, charge or NONE_LABEL, tier, context, ""), ""

    product = _first(_PRODUCTS, head)
    if product is not None:
        svc, category, sub = product
        if svc == R.CREDITS and sign > 0:
            sub = R.CREDIT_REVERSAL
        return Classification(service or svc, category or head, charge or sub, tier, context, ""), head

    model, prefix, suffix_service = head, "", None
    for suffix, word, svc in _SUFFIXES:
        if head.endswith(suffix):
            model, prefix, suffix_service = head[: -len(suffix)], word, svc
            break
    family = _first(_FAMILIES, model)
    if family is None and as_product and not prefix:
        return Classification(service or R.OTHER, head, charge or head, tier, context, ""), head
    if charge:
        sub = f"{prefix} {charge}" if prefix else charge
    else:
        sub = prefix or _UNITS.get((unit or "").strip().lower(), NONE_LABEL)
    version = model if family or prefix or charge else ""
    svc = service or suffix_service or family or R.OTHER
    return Classification(svc, _SNAPSHOT.sub("", model), sub, tier, context, version), model


class Taxonomy:
    """Built-in rules plus user overrides (tried first, first match wins)."""

    def __init__(self, overrides: Sequence[OverrideRule] = ()) -> None:
        self.overrides = tuple(overrides)
        self._compiled = tuple(
            (
                _glob(rule.match) if rule.match is not None else None,
                _glob(rule.line_item) if rule.line_item is not None else None,
                rule.changes(),
            )
            for rule in self.overrides
        )
        self._cached = lru_cache(maxsize=65536)(self._derive)

    @classmethod
    def from_toml(cls, text: str) -> Taxonomy:
        """Build from a rules file's text; any problem is a UsageError naming the rule."""
        return cls(_parse_rules(text))

    def classify(self, line_item: str | None, *, amount: int = 0, unit: str | None = None) -> Classification:
        """Classify one cost row; ``amount`` (atto-dollars) only matters through its sign."""
        return self._cached(line_item, (amount > 0) - (amount < 0), unit)

    def _derive(self, line_item: str | None, sign: int, unit: str | None) -> Classification:
        if line_item is None:
            return _UNALLOCATED
        text = _normalize(line_item)
        result, model = _builtin(text, sign, unit)
        for match, whole, changes in self._compiled:
            if (match is None or match.fullmatch(model)) and (whole is None or whole.fullmatch(text)):
                return replace(result, **changes)
        return result


DEFAULT = Taxonomy()


def classify(line_item: str | None, *, amount: int = 0, unit: str | None = None) -> Classification:
    """Classify with the built-in rules only."""
    return DEFAULT.classify(line_item, amount=amount, unit=unit)
