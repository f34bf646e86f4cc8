"""Cache and tier economics from classified cost rows (no I/O).

Cache: per model (category), the share of input tokens served from cache and what that saved. The
uncached price comes from the same line items: ``input`` cost / ``input`` tokens of the same model,
tier, context and modality (``text input`` prices ``text cached input``). Saved = cached tokens x
that price - what the cached tokens cost. ``cache writes`` cost a premium over plain input
(writes x input price subtracted from their cost), reported beside the savings, not netted in.
Cached tokens without a priced ``input`` line of the same kind are counted as ``unpriced``.

Money stays exact: amounts and quantities are ``int`` atto-units; each saving is an exact
:class:`~fractions.Fraction`, rounded half-even once per model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from . import money

CACHED, INPUT, WRITES = "cached input", "input", "cache writes"
TIER_ORDER = ("standard", "priority", "batch", "flex", "scale")
CONTEXT_ORDER = ("standard", "long")


class ChargeRow(NamedTuple):
    """One aggregated cost line: amounts and quantities in atto-units (quantity None if unknown)."""

    category: str
    subcategory: str
    tier: str
    context: str
    amount: int
    quantity: int | None
    unit: str | None


@dataclass(frozen=True)
class CacheEconomics:
    """One model's caching. Token counts are atto-quantities, like ``Cell.quantity``."""

    category: str
    input_tokens: int  # uncached input
    cached_tokens: int
    cached_cost: int
    uncached_equivalent: int  # what the priced cached tokens would have cost as plain input
    saved: int
    write_premium: int  # what cache writes cost above plain input
    unpriced_tokens: int  # cached tokens with no input price to compare against

    @property
    def cached_share(self) -> Decimal | None:
        """Cached / all input tokens (0..1), None without input tokens."""
        return money.ratio(self.cached_tokens, self.input_tokens + self.cached_tokens)


@dataclass(frozen=True)
class Share:
    label: str
    amount: int
    share: Decimal | None  # of the total spend (None when the total is 0)


@dataclass(frozen=True)
class TierSpend:
    by_tier: tuple[Share, ...]
    by_context: tuple[Share, ...]
    total: int


def input_kind(subcategory: str) -> tuple[str, str] | None:
    """(kind, modality) of an input-like subcategory: ``text cached input`` -> (cached, text)."""
    for kind in (CACHED, WRITES, INPUT):
        if subcategory == kind or subcategory.endswith(" " + kind):
            return kind, subcategory[: -len(kind)].strip()
    return None


def cache_economics(rows: Iterable[ChargeRow]) -> list[CacheEconomics]:
    """Per model with any cached or cache-write tokens, largest saving first."""
    # (category, tier, context, modality) -> kind -> [amount, quantity]
    acc: dict[tuple[str, str, str, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for r in rows:
        parsed = input_kind(r.subcategory)
        if parsed is None or r.quantity is None or r.unit != "tokens":
            continue
        kind, modality = parsed
        cell = acc[(r.category, r.tier, r.context, modality)][kind]
        cell[0] += r.amount
        cell[1] += r.quantity

    per_model: dict[str, _Acc] = defaultdict(_Acc)
    for (category, *_), kinds in acc.items():
        per_model[category].add(kinds)
    out = [
        CacheEconomics(
            category,
            m.in_qty,
            m.cached_qty,
            m.cached_cost,
            round(m.uncached),
            round(m.uncached - m.priced_cost),
            round(m.premium),
            m.unpriced,
        )
        for category, m in per_model.items()
        if m.cached_qty or m.premium
    ]
    return sorted(out, key=lambda e: (-e.saved, e.category))


class _Acc:
    """One model's running sums over its (tier, context, modality) groups."""

    def __init__(self) -> None:
        self.in_qty = self.cached_qty = self.cached_cost = self.unpriced = 0
        self.uncached = self.priced_cost = self.premium = Fraction(0)

    def add(self, kinds: dict[str, list[int]]) -> None:
        in_amount, in_qty = kinds.get(INPUT, (0, 0))
        cached_amount, cached_qty = kinds.get(CACHED, (0, 0))
        w_amount, w_qty = kinds.get(WRITES, (0, 0))
        self.in_qty += in_qty
        self.cached_qty += cached_qty
        self.cached_cost += cached_amount
        if not in_qty:
            self.unpriced += cached_qty
            return
        price = Fraction(in_amount, in_qty)
        self.uncached += cached_qty * price
        self.priced_cost += cached_amount
        self.premium += w_amount - w_qty * price


def spend_by(rows: Iterable[ChargeRow], field: str, order: tuple[str, ...] = ()) -> tuple[Share, ...]:
    """Spend per value of ``field`` (``tier``, ``context``...), known values in ``order`` first."""
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[getattr(r, field)] += r.amount
    grand = sum(totals.values())
    rank = {v: i for i, v in enumerate(order)}
    keys = sorted(totals, key=lambda k: (rank.get(k, len(rank)), -totals[k], k))
    return tuple(Share(k, totals[k], money.ratio(totals[k], grand)) for k in keys)


def tier_spend(rows: Iterable[ChargeRow]) -> TierSpend:
    """Spend by tier (standard, priority, batch, flex, scale) and by context (standard, long)."""
    rows = list(rows)
    return TierSpend(
        spend_by(rows, "tier", TIER_ORDER),
        spend_by(rows, "context", CONTEXT_ORDER),
        sum(r.amount for r in rows),
    )


def describe_caching(found: Iterable[CacheEconomics], *, top: int = 3) -> str:
    """One line: the cached share of input tokens over every model, what caching saved, and the models
    that saved most ("" when no model had cached tokens)."""
    found = list(found)
    cached = sum(e.cached_tokens for e in found)
    if not cached:
        return ""
    share = money.ratio(cached, cached + sum(e.input_tokens for e in found))
    saved = sum(e.saved for e in found)
    text = (f"Prompt caching saved {money.usd(saved)} against uncached input: "
            f"{share * 100:.1f}% of input tokens were cached")
    premium = sum(e.write_premium for e in found)
    if premium:
        text += f" (cache writes cost {money.usd(premium)} extra)"
    best = [e for e in sorted(found, key=lambda e: (-e.saved, e.category)) if e.saved > 0][:top]
    if best:
        text += "; most: " + ", ".join(f"{e.category} {money.usd(e.saved)}" for e in best)
    return text
