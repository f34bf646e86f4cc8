"""Issue #17: the rows a tag's split shared a cost into are marked ≈ in the pivot itself (not only in a
footnote), the cursor line says how much of the row is allocated, and with splits off (a) no row is
marked. The mark survives a label cut at 80 columns; a label is outside text, never markup."""

from __future__ import annotations

from dataclasses import replace

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.report_state import ReportState
from openai_cost_tui.core.tags import Tag
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.services.report_query import load_report
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.report.pivot_table import PivotTable
from tests.support.tui import settle
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_tui import TEAM, first_column, keys

LONG = "Search, ranking and retrieval platform [bold]EU[/bold]"  # too long for 80 columns; not markup


def team(search: str = "Search") -> Tag:
    """test_tags_tui's team (Shared split proportionally over Search and Bots), Search maybe renamed."""
    return Tag("team", (replace(TEAM.values[0], name=search), *TEAM.values[1:]))


labels = first_column


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def allocated(ctx, rows: tuple[str, ...]) -> dict[tuple[str, ...], int]:
    """What the report's query says each row took in from the split (the figures the marks stand on)."""
    return load_report(ctx.store, ReportState().with_rows(*rows), ctx.today).allocated


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_rows_holding_a_split_share_are_marked_and_a_unmarks_them(demo_copy, size) -> None:
    demo_copy.store.save_tag(team())
    tag_service.load(demo_copy.store)
    shares = allocated(demo_copy, ("team",))
    assert set(shares) == {("Bots",), ("Search",)} and all(shares.values()), shares
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await keys(pilot, "r", *"team", "enter")
        assert labels(app) == ["Bots ≈", "Search ≈", "Total"]  # Shared is allocated to the two
        assert any("Bots ≈" in line.text for line in app.screen._compositor.render_strips())  # on screen
        footnote = text_of(app, "#caching")
        assert footnote.startswith("≈ includes an allocated share; a shows it unsplit"), footnote
        table = app.screen.query_one(PivotTable)
        for row, name in enumerate(("Bots", "Search")):
            table.move_cursor(row=row)
            await settle(pilot)
            caption = text_of(app, "#caption")
            want = f"≈ {name} includes {money.usd(shares[(name,)])} allocated (a: unsplit)"
            assert caption.startswith(want), caption
        table.move_cursor(row=2)  # the Total: not marked, and the caption says nothing of a share
        await settle(pilot)
        assert "allocated" not in text_of(app, "#caption")
        await keys(pilot, "a")
        assert labels(app) == ["Bots", "Search", "Shared", "Total"]
        assert "≈" not in text_of(app, "#caching") + text_of(app, "#caption")
        await keys(pilot, "a")
        assert labels(app) == ["Bots ≈", "Search ≈", "Total"]


async def test_nested_rows_mark_the_group_and_its_allocated_leaves(demo_copy) -> None:
    demo_copy.store.save_tag(team())
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await keys(pilot, "r", *"team", "enter", "i", *"service", "enter")
        table = app.screen.query_one(PivotTable)
        marked = {(row.kind, row.key): label.removesuffix(" ⚠").endswith(" ≈")
                  for row, label in zip(table.display_rows, labels(app), strict=True)}
        assert marked[("group", ("Bots",))] and marked[("group", ("Search",))], marked
        assert marked[("leaf", ("Bots", "Credits"))], marked  # the shared cost split in is the credits
        assert not marked[("leaf", ("Bots", "Images"))] and not marked[("total", ())], marked


async def test_a_long_label_is_cut_before_its_mark_and_stays_plain_text(demo_copy) -> None:
    demo_copy.store.save_tag(team(LONG))
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "r", *"team", "enter")
        long = next(label for label in labels(app) if label.startswith("Search"))
        assert long.endswith("… ≈") and len(long) <= 40, long  # cut to fit, the mark kept
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any(long in line for line in lines), lines
        table = app.screen.query_one(PivotTable)
        table.move_cursor(row=[r.label for r in table.display_rows].index(LONG))
        await settle(pilot)
        assert text_of(app, "#caption").startswith(f"≈ {LONG} includes "), text_of(app, "#caption")


async def test_other_holding_a_folded_share_is_marked(demo_copy) -> None:
    """Top 1 of the team rows: the value past it, which took in a share of the split, is folded into
    "(other)", and "(other)" is marked ≈ with that share, as the row it came from was."""
    demo_copy.store.save_tag(team())
    tag_service.load(demo_copy.store)
    shares = allocated(demo_copy, ("team",))
    state = replace(ReportState().with_rows("team"), top=1)
    data = load_report(demo_copy.store, state, demo_copy.today)
    kept = data.result.row_keys[0]
    assert data.result.row_keys == (kept, ("(other)",))
    assert data.allocated == {kept: shares[kept], ("(other)",): sum(shares.values()) - shares[kept]}
    app = make_app(demo_copy, sync_on_start=False, refresh_interval=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.screen.set_state(state)  # top 1 is not among t's choices: set as a saved view would
        await settle(pilot)
        assert labels(app) == [f"{kept[0]} ≈", "(other) ≈", "Total"]
