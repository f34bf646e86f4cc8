"""Pilot tests: group the report by a tag (picked like any dimension), drill into a value, see a
split's allocation and toggle it (a), and edit rules on the tags screen (T) with the report following."""

from __future__ import annotations

from openai_cost_tui.core.tags import Rule, Tag, TagValue
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from openai_cost_tui.tui.screens.tags import TagsScreen
from tests.support.tui import keys, settle
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)

TEAM = Tag("team", (
    TagValue("Search", (Rule((("project", ("Search*",)),)),)),
    TagValue("Bots", (Rule((("project", ("Support Bot", "Sales*")),)),)),
    TagValue("Shared", (Rule((("project", ("(none)",)),)),), "proportional"),
))


def first_column(app) -> list[str]:
    table = app.screen.query_one(PivotTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def footnote(app) -> str:
    return str(app.screen.query_one("#caching").render())


async def test_group_by_a_tag_drill_and_toggle_splits(demo_copy) -> None:
    demo_copy.store.save_tag(TEAM)
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "r", "t", "e", "a", "m", "enter")
        assert first_column(app) == ["Bots ≈", "Search ≈", "Total"]  # Shared is allocated to the two (≈)
        assert "team: Shared's -$" in footnote(app) and "allocated to Search -$" in footnote(app)
        await keys(pilot, "a")
        assert first_column(app) == ["Bots", "Search", "Shared", "Total"]
        assert "team: Shared unsplit" in footnote(app)
        await keys(pilot, "a", "enter")  # drill into Bots: its services
        assert app.screen.state.filters[-1].dim == "team" and app.screen.state.rows == ("service",)
        assert "Credits ≈" in [r.removesuffix(" ⚠") for r in first_column(app)]  # its share of the credits


async def test_tags_screen_edits_take_effect_at_once(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "T")
        assert isinstance(app.screen, TagsScreen)
        await keys(pilot, "n")
        for ch in "env Prod connection=*":
            await pilot.press({" ": "space"}.get(ch, ch))
        await keys(pilot, "enter")
        await keys(pilot, "escape")
        await keys(pilot, "r", "e", "n", "v", "enter")
        rows = first_column(app)
        assert rows == ["Prod", "Total"]
        await keys(pilot, "T")
        assert app.screen.query_one("#tags-table").row_count == 1
        await keys(pilot, "x")  # a delete asks first; n keeps the rule
        assert "Delete this rule of env = Prod?" in str(app.screen.query_one(".dialog-title").render())
        await keys(pilot, "n")
        assert isinstance(app.screen, TagsScreen) and len(demo_copy.store.tags().tags) == 1
        await keys(pilot, "x", "y", "escape")
        assert demo_copy.store.tags().tags == ()


async def test_the_new_rule_example_matches_the_demo_and_explains_patterns(demo_copy) -> None:
    from openai_cost_tui.services import tags as tag_service
    from openai_cost_tui.tui.screens.tags import EXAMPLE

    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "T", "n")
        field = app.screen.query_one("#tag-rule")
        assert len(EXAMPLE) <= field.content_region.width, "the placeholder is not cut at 80 columns"
        assert "case-sensitive" in str(app.screen.query_one(".dialog-hint").render())
        for ch in EXAMPLE:  # what the placeholder suggests, typed as it is
            await pilot.press({" ": "space", "'": "apostrophe", "*": "asterisk", "=": "equals_sign"}.get(ch, ch))
        await keys(pilot, "enter", "escape")
        await keys(pilot, "r", "t", "e", "a", "m", "enter")
        assert "Search" in first_column(app), "the example claims cost on the demo"
    name, value, rule, *_ = tag_service.parse_line(EXAMPLE)
    assert (name, value) == ("team", "Search")


def test_a_pattern_with_spaces_not_quoted_says_how_to_quote() -> None:
    import pytest

    from openai_cost_tui.core.errors import UsageError
    from openai_cost_tui.services import tags as tag_service

    with pytest.raises(UsageError, match="spaces goes in quotes"):
        tag_service.parse_line("team Bots project=Support Bot|Sales*")


def typed(text: str) -> list[str]:
    names = {" ": "space", "'": "apostrophe", "*": "asterisk", "=": "equals_sign", "|": "vertical_line"}
    return [names.get(ch, ch) for ch in text]


async def test_enter_or_e_edits_the_rule_under_the_cursor_in_place(demo_copy) -> None:
    demo_copy.store.save_tag(TEAM)
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "T", "down")  # the second row: Bots' rule
        await keys(pilot, "enter")
        field = app.screen.query_one("#tag-rule")
        assert field.value == "team Bots 'project=Support Bot|Sales*'"  # prefilled, quoted as typed
        await keys(pilot, "ctrl+u", *typed("team Bots 'project=Support Bot'"), "enter")
        assert isinstance(app.screen, TagsScreen)
        bots = demo_copy.store.tag("team").value("Bots")
        assert [r.text() for r in bots.rules] == ["project=Support Bot"]
        assert [v.name for v in demo_copy.store.tag("team").values] == ["Search", "Bots", "Shared"]  # order kept
        await keys(pilot, "up", "e", "escape")  # e too; Esc leaves the rule as it was
        assert demo_copy.store.tag("team").value("Search").rules == TEAM.values[0].rules


def test_an_edited_rule_moves_to_another_value_and_a_first_rule_without_split_unsplits(demo_copy) -> None:
    from openai_cost_tui.core.tags import Rule
    from openai_cost_tui.services import tags as tag_service

    store = demo_copy.store
    store.save_tag(TEAM)
    tag = store.tag("team")
    assert tag_service.rule_line(tag, tag.value("Shared"), 0) == "team Shared 'project=(none)' split=proportional"
    rule = Rule((("project", ("Docs*",)),))
    tag_service.edit_rule(store, ("team", "Search", 0), "team", "Docs", rule)
    tag = store.tag("team")
    assert tag.value("Search") is None and tag.value("Docs").rules == (rule,)  # moved: the old value had one rule
    name, value, rule, split, percents, given = tag_service.parse_line("team Shared 'project=(none)'")
    tag_service.edit_rule(store, ("team", "Shared", 0), name, value, rule, split, percents, set_split=given)
    assert store.tag("team").value("Shared").split is None
