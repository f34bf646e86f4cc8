"""Pilot test: the tags screen says what a rule claims once it is saved, in one line under the table (no
toast piling up over it): a typo's warning after an add and the figure after an edit, computed in the
save's job (the report's own figure for the value)."""

from __future__ import annotations

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.screens.tags import TagsScreen
from tests.support.tui import keys, settle
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_tui import typed


def notes(app) -> list[tuple[str, str]]:
    """The line under the tags table, and whether it warns; no toast stacks over the table."""
    assert not app._notifications
    note = app.screen.query_one("#tags-saved")
    return [(str(note.render()), "warning" if note.has_class("warning-note") else "information")]


async def test_the_tags_screen_says_what_an_added_or_edited_rule_claims(demo_copy) -> None:
    store = demo_copy.store
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        await keys(pilot, "T", "n", *typed("team Search project='Serch*'"), "enter")
        assert isinstance(app.screen, TagsScreen) and app.screen.query_one("#tags-table").row_count == 1
        (text, severity), = notes(app)
        assert text.startswith("Rule saved, claims nothing: No stored cost matches project=Serch* yet: patterns are case-sensitive.")
        assert severity == "warning"
        app.clear_notifications()
        await keys(pilot, "enter", "ctrl+u", *typed("team Search project='Search*'"), "enter")
        assert [r.text() for r in store.tag("team").value("Search").rules] == ["project=Search*"]
        stored = DateRange(store.first_day().replace(day=1), store.last_day())
        by_team = tag_service.evaluate(store, PivotSpec(rows=("team",), cols=None, date_range=stored),
                                       today=demo_copy.today, splits=False).result
        search = by_team.row_totals[("Search",)].amount
        (text, severity), = notes(app)
        assert text.startswith(f"Rule saved: It claims {money.usd(search)} since {stored.start.isoformat()} (")
        assert severity == "information"
