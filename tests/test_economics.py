"""Cache savings and tier/context spend from hand-made line items with known prices."""

from __future__ import annotations

from decimal import Decimal

from openai_cost_tui.core import money
from openai_cost_tui.core.economics import ChargeRow, cache_economics, spend_by, tier_spend
from openai_cost_tui.core.money import parse_exact

T = 10**18  # one token, as an atto-quantity


def usd(text: str) -> int:
    return parse_exact(text)


def row(cat, sub, amount, tokens, tier="standard", context="standard", unit="tokens") -> ChargeRow:
    return ChargeRow(cat, sub, tier, context, usd(amount), None if tokens is None else tokens * T, unit)


def by_model(rows):
    return {e.category: e for e in cache_economics(rows)}


def test_savings_use_the_same_models_input_price() -> None:
    # gpt-4o: 1M input tokens for $2.50 ($2.50/M); 500k cached tokens for $0.625 ($1.25/M)
    [e] = cache_economics([row("gpt-4o", "input", "2.50", 1_000_000), row("gpt-4o", "cached input", "0.625", 500_000),
                           row("gpt-4o", "output", "10.00", 1_000_000)])  # fmt: skip
    assert e.category == "gpt-4o"
    assert (e.input_tokens, e.cached_tokens) == (1_000_000 * T, 500_000 * T)
    assert e.cached_share == money.ratio(1, 3)  # one third, to 40 digits
    assert e.cached_cost == usd("0.625")
    assert e.uncached_equivalent == usd("1.25")  # 500k tokens at $2.50/M
    assert e.saved == usd("0.625")
    assert (e.write_premium, e.unpriced_tokens) == (0, 0)


def test_long_context_and_tiers_are_priced_separately() -> None:
    rows = [
        row("gpt-5.4", "input", "2.50", 1_000_000),  # standard: $2.50/M
        row("gpt-5.4", "cached input", "0.25", 1_000_000),  # saves 2.50 - 0.25 = 2.25
        row("gpt-5.4", "input", "0.50", 100_000, context="long"),  # long: $5/M
        row("gpt-5.4", "cached input", "0.10", 200_000, context="long"),  # saves 1.00 - 0.10 = 0.90
        row("gpt-5.4", "input", "1.00", 200_000, tier="priority"),  # priority: $5/M, nothing cached
    ]
    e = by_model(rows)["gpt-5.4"]
    assert e.saved == usd("3.15")  # one blended price ($4/1.3M) would say otherwise
    assert e.uncached_equivalent == usd("3.50")
    assert e.input_tokens == 1_300_000 * T
    assert e.cached_share == Decimal("0.48")


def test_modalities_price_their_own_cached_input() -> None:
    rows = [
        row("gpt-image-1", "text input", "5.00", 1_000_000),
        row("gpt-image-1", "text cached input", "1.25", 1_000_000),
        row("gpt-image-1", "image input", "10.00", 1_000_000),
        row("gpt-image-1", "image output", "40.00", 1_000_000),
    ]
    e = by_model(rows)["gpt-image-1"]
    assert e.saved == usd("3.75")
    assert e.input_tokens == 2_000_000 * T


def test_cache_writes_premium_is_reported_beside_the_savings() -> None:
    rows = [
        row("gpt-5.6-terra", "input", "1.75", 1_000_000),  # $1.75/M
        row("gpt-5.6-terra", "cached input", "0.0175", 100_000),  # $0.175/M: saves 0.175 - 0.0175
        row("gpt-5.6-terra", "cache writes", "0.21875", 100_000),  # 1.25x input: 0.04375 over input
    ]
    e = by_model(rows)["gpt-5.6-terra"]
    assert e.saved == usd("0.1575")
    assert e.write_premium == usd("0.04375")


def test_cached_tokens_without_an_input_price_are_unpriced() -> None:
    rows = [row("o1-pro", "cached input", "0.075", 1000), row("gpt-4o", "input", "1", 1)]
    e = by_model(rows)["o1-pro"]
    assert (e.unpriced_tokens, e.saved, e.uncached_equivalent, e.cached_cost) == (
        1000 * T,
        0,
        0,
        usd("0.075"),
    )
    assert "gpt-4o" not in by_model(rows)  # nothing cached: not listed


def test_rows_without_tokens_are_ignored_and_results_sorted_by_saving() -> None:
    rows = [
        row("a", "input", "1", 1000), row("a", "cached input", "0.1", 1000),  # saves 0.9
        row("b", "input", "1", 1000), row("b", "cached input", "0.5", 1000),  # saves 0.5
        row("b", "cached input", "9", None),  # no quantity
        row("b", "cached input", "9", 10, unit="characters"),
    ]  # fmt: skip
    assert [(e.category, e.saved) for e in cache_economics(rows)] == [("a", usd("0.9")), ("b", usd("0.5"))]


def test_exact_rounding_of_a_non_terminating_price() -> None:
    # $1 for 3 input tokens: 1 cached token would cost $0.333...; it cost $0.1
    [e] = cache_economics([row("m", "input", "1", 3), row("m", "cached input", "0.1", 1)])
    assert e.uncached_equivalent == 333_333_333_333_333_333
    assert e.saved == 233_333_333_333_333_333


def test_spend_by_tier_and_context() -> None:
    rows = [
        row("m", "input", "10", 1),
        row("m", "output", "3", 1, tier="flex"),
        row("m", "input", "5", 1, tier="priority", context="long"),
        row("m", "input", "2", 1, tier="batch"),
    ]
    spend = tier_spend(rows)
    assert spend.total == usd("20")
    assert [(s.label, s.amount, s.share) for s in spend.by_tier] == [
        ("standard", usd("10"), Decimal("0.5")),
        ("priority", usd("5"), Decimal("0.25")),
        ("batch", usd("2"), Decimal("0.1")),
        ("flex", usd("3"), Decimal("0.15")),
    ]
    assert [(s.label, s.amount) for s in spend.by_context] == [("standard", usd("15")), ("long", usd("5"))]


def test_spend_by_unknown_values_and_empty() -> None:
    rows = [row("m", "input", "1", 1, tier="turbo"), row("m", "input", "2", 1)]
    assert [s.label for s in spend_by(rows, "tier", ("standard",))] == ["standard", "turbo"]
    empty = tier_spend([])
    assert (empty.by_tier, empty.by_context, empty.total) == ((), (), 0)
    zero = spend_by([row("m", "input", "0", 1)], "tier")
    assert zero[0].share is None
