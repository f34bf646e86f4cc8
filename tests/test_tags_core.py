"""The pure half of tags: largest remainder shares, first-match rules with globs, TOML both ways."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openai_cost_tui.core.dimensions import DIMENSIONS
from openai_cost_tui.core.tags import (
    UNTAGGED,
    Matcher,
    Rule,
    Tag,
    TagValue,
    from_toml,
    largest_remainder,
    split_weights,
    to_toml,
)

BUILTINS = [d.id for d in DIMENSIONS]


def test_largest_remainder_is_exact_and_fair() -> None:
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert largest_remainder(-10, [1, 1, 1]) == [-4, -3, -3]
    assert largest_remainder(1, [1, 3]) == [0, 1]  # the larger remainder gets the unit
    assert largest_remainder(100, [0, 5]) == [0, 100]


@given(amount=st.integers(-(10**24), 10**24), weights=st.lists(st.integers(0, 10**20), min_size=1, max_size=6))
def test_largest_remainder_adds_up(amount, weights) -> None:
    if not any(weights):
        weights = [*weights[:-1], 1]
    shares = largest_remainder(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for share, w in zip(shares, weights, strict=True):
        assert abs(share * total - amount * w) < total  # within one unit of the exact share


TEAM = Tag("team", (
    TagValue("Search", (Rule((("project", ("search-*", "ranker")),)),
                        Rule((("service", ("Embeddings",)), ("project", ("(none)",)))))),
    TagValue("Ads", (Rule((("project", ("ads-?eb",)),)),)),
    TagValue("Shared", (Rule((("project", ("(none)",)),)),), "proportional"),
))


def test_first_match_wins_and_the_rest_is_untagged() -> None:
    m = Matcher(TEAM)
    assert m.value({"project": "search-api", "service": "Images"}) == "Search"
    assert m.value({"project": "ranker", "service": "Images"}) == "Search"
    assert m.value({"project": "(none)", "service": "Embeddings"}) == "Search"  # rule 2 of Search, before Shared
    assert m.value({"project": "(none)", "service": "Images"}) == "Shared"
    assert m.value({"project": "ads-web", "service": "Images"}) == "Ads"
    assert m.value({"project": "ads-webs", "service": "Images"}) == UNTAGGED  # a glob matches the whole value
    assert m.value({"project": "Search-api", "service": "Images"}) == UNTAGGED  # case counts


def test_split_weights() -> None:
    shared = TEAM.value("Shared")
    assert split_weights(shared, TEAM, {"Search": 10, "Ads": 30}) == [("Search", 10), ("Ads", 30)]
    assert split_weights(shared, TEAM, {"Search": -5, "Ads": 0}) == [("Search", 1), ("Ads", 1)]  # nothing to go by
    fixed = TagValue("Shared", shared.rules, "fixed", (("Search", 70), ("Ads", 30)))
    assert split_weights(fixed, TEAM, None) == [("Search", 70), ("Ads", 30)]


def test_toml_round_trip_keeps_odd_text() -> None:
    odd = Tag("cost_center", (
        TagValue('Quote " and \\ back', (Rule((("line_item", ("*\u00e9*", "tab\there")),)),)),
        TagValue("Rest", (Rule((("connection", ("*",)),)),), "fixed", (('Quote " and \\ back', 100),)),
    ))
    assert from_toml(to_toml([TEAM, odd]), BUILTINS) == [TEAM, odd]
