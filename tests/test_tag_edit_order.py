"""A rule edited into a value the tag does not have yet keeps its place among the values: the first value
whose rule matches wins, so moving it to the end would change what every value after it claims."""

from __future__ import annotations

from openai_cost_tui.core.tags import Rule, Tag, TagValue
from openai_cost_tui.services import tags as tag_service


def _rule(*patterns: str) -> Rule:
    return (Rule((("project", patterns),)))


def _tag(*values: tuple[str, tuple[Rule, ...]]) -> Tag:
    return Tag("team", tuple(TagValue(name, rules) for name, rules in values))


def test_a_rule_edited_into_a_new_value_stays_where_it_was(store) -> None:
    store.save_tag(_tag(("Search", (_rule("Search*"),)), ("Ads", (_rule("Ad*"),)), ("Sales", (_rule("*"),))))
    tag_service.edit_rule(store, ("team", "Ads", 0), "team", "Support", _rule("Support*"))
    assert [v.name for v in store.tag("team").values] == ["Search", "Support", "Sales"]  # Ads had one rule


def test_a_value_keeping_other_rules_has_the_new_one_right_after_it(store) -> None:
    store.save_tag(_tag(("Search", (_rule("Search*"),)), ("Ads", (_rule("Ad*"), _rule("Promo*"))),
                        ("Sales", (_rule("*"),))))
    tag_service.edit_rule(store, ("team", "Ads", 1), "team", "Support", _rule("Support*"))
    tag = store.tag("team")
    assert [v.name for v in tag.values] == ["Search", "Ads", "Support", "Sales"]
    assert tag.value("Ads").rules == (_rule("Ad*"),)
    # into a value that exists: that value keeps its own place
    tag_service.edit_rule(store, ("team", "Support", 0), "team", "Sales", _rule("Support*"))
    assert [v.name for v in store.tag("team").values] == ["Search", "Ads", "Sales"]
