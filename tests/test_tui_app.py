"""Pilot tests of the app shell, connections, workspaces and background sync (no sleeps: workers)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from textual.widgets import DataTable, Input, SelectionList

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.services.context import open_demo
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.add_connection import AddConnectionModal
from openai_cost_tui.tui.modals.confirm import ConfirmModal
from tests.support.tui import FROZEN, settle, synced_demo

GOOD_KEY = "sk-admin-PILOT" + "p" * 40


@pytest.fixture
def ctx():
    c = synced_demo()
    yield c
    c.close()


async def test_demo_syncs_on_start_and_shows_data(tmp_path) -> None:
    c = open_demo(clock=fixed_clock(FROZEN), size="small")
    try:
        app = make_app(c)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await settle(pilot)
            assert all(conn.status == "ok" for conn in c.store.connections())
            assert "data as of 2026-11-27 15:00 UTC" in app.status_text()
            assert app.sub_title.startswith("DEMO")
    finally:
        c.close()


async def test_screens_by_key_and_help(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        assert type(app.screen).__name__ == "ConnectionsScreen"
        table = app.screen.query_one("#connections", DataTable)
        assert table.row_count == 2
        await pilot.press("f4")
        assert type(app.screen).__name__ == "WorkspacesScreen"
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        text = "\n".join(app.screen.lines)
        for needle in ("Fetch new costs", "Add an organization", "Create a workspace", "Ctrl+S"):
            assert needle.lower() in text.lower(), needle
        await pilot.press("escape")
        await pilot.press("f2")
        assert type(app.screen).__name__ == "ReportScreen"


async def test_keys_can_be_remapped_by_binding_id(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"show-connections": "f9"})
        await pilot.press("f9")
        assert type(app.screen).__name__ == "ConnectionsScreen"


async def test_add_connection_with_a_good_key_then_it_syncs(ctx) -> None:
    org = FakeOrg(31, size="small")
    with serve_in_thread(FakeAdminApi(org)) as base_url:
        app = make_app(ctx, sync_on_start=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("f3", "a")
            modal = app.screen
            assert isinstance(modal, AddConnectionModal)
            modal.query_one("#key", Input).value = GOOD_KEY
            modal.query_one("#description", Input).value = "Loopback org"
            modal.query_one("#base-url", Input).value = base_url
            modal.query_one("#workspaces", Input).value = "Everything, New team"
            modal.query_one("#since", Input).value = "2026-11-01"
            modal.query_one("#storage").value = "file"
            await pilot.press("ctrl+s")
            await settle(pilot)
            await settle(pilot)
            assert type(app.screen).__name__ == "ConnectionsScreen"
            conn = next(c for c in ctx.keys.mine(ctx.store.connections()) if c.description == "Loopback org")
            assert conn.status == "ok" and conn.key_source == "file"  # as this member keeps it
            assert ctx.store.connection(conn.id).key_source == "member"  # the store names no member's key
            assert conn.workspaces == ("Everything", "New team")
            rendered = app.screen.query_one("#connections", DataTable)
            assert GOOD_KEY not in str([rendered.get_row_at(i) for i in range(rendered.row_count)])


@pytest.mark.parametrize(
    ("key", "needle"),
    [("sk-proj-abcdefabcdefabcdefabcdefabcdef", "project key"), ("", "empty"), ("hello there", "spaces")],
)
async def test_add_refuses_bad_keys_inline(ctx, key, needle) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3", "a")
        modal = app.screen
        modal.query_one("#key", Input).value = key
        modal.query_one("#description", Input).value = "Bad"
        modal.query_one("#storage").value = "file"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert needle in str(modal.query_one("#error").render()).lower()
        assert len(ctx.store.connections()) == 2


async def test_add_explains_a_revoked_key(ctx) -> None:
    revoked = "sk-admin-REVOKED" + "r" * 40
    with serve_in_thread(FakeAdminApi(FakeOrg(31, size="small"), revoked_keys=[revoked])) as base_url:
        app = make_app(ctx, sync_on_start=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("f3", "a")
            modal = app.screen
            modal.query_one("#key", Input).value = revoked
            modal.query_one("#description", Input).value = "Revoked"
            modal.query_one("#base-url", Input).value = base_url
            modal.query_one("#storage").value = "file"
            await pilot.press("ctrl+s")
            await settle(pilot)
            error = str(modal.query_one("#error").render())
            assert "revoked" in error.lower() and revoked not in error
            assert app.screen is modal


async def test_add_without_a_keyring_offers_the_ways_on(ctx, no_keyring) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3", "a")
        await settle(pilot)
        modal = app.screen
        note = str(modal.query_one("#keyring-note").render())
        assert "environment variable" in note and "file" in note
        storage = modal.query_one("#storage")
        assert storage.value == "env"  # the form still works: the ways on are offered, not a dead end
        assert "keyring" not in [value for _label, value in storage._options]


async def test_without_a_keyring_what_is_typed_lands_in_a_field(ctx, no_keyring) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3", "a")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AddConnectionModal)
        assert app.focused is modal.query_one("#env-var", Input)  # not the key field the variable replaces
        assert not modal.query_one("#key", Input).display
        assert "environment variable" in str(modal.query_one("#key-label").render())
        await pilot.press(*"MY_ADMIN_KEY")
        assert modal.query_one("#env-var", Input).value == "MY_ADMIN_KEY"
        await pilot.press("ctrl+s")  # no description yet: refused inline
        await settle(pilot)
        assert "description" in str(modal.query_one("#error").render())
        modal.query_one("#description", Input).focus()
        await pilot.press(*"Acme")
        await settle(pilot)
        assert modal.query_one("#description", Input).value == "Acme"
        assert str(modal.query_one("#error").render()).strip() == ""  # the stale message went


async def test_remove_asks_with_counts_then_leaves_no_trace(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        first = ctx.store.connections()[0]
        rows = ctx.store.cost_count(first.id)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        assert f"{rows:,} cost rows" in app.screen.message and "Everything" in app.screen.message
        await pilot.press("n")
        assert len(ctx.store.connections()) == 2
        await pilot.press("d", "y")
        await settle(pilot)
        assert [c.description for c in ctx.store.connections()] != [] and first.id not in [
            c.id for c in ctx.store.connections()]
        assert ctx.store.cost_count(first.id) == 0
        assert app.screen.query_one("#connections", DataTable).row_count == 1


async def test_edit_description_and_workspaces(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3", "e")
        modal = app.screen
        modal.query_one("#description", Input).value = "Renamed org"
        modal.query_one("#workspaces", Input).value = "Solo"
        await pilot.press("enter")
        await settle(pilot)
        conn = ctx.store.connections()[0]
        assert conn.description == "Renamed org" and conn.workspaces == ("Solo",)


async def test_workspaces_create_assign_rename_delete(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4", "a")
        await pilot.press(*"Team A", "enter")
        await settle(pilot)
        assert app.screen.selected_name() == "Team A"  # the new workspace is under the cursor
        first = ctx.store.connections()[0]
        members = app.screen.query_one("#members", SelectionList)
        members.focus()
        members.highlighted = [members.get_option_at_index(i).value
                               for i in range(members.option_count)].index(first.id)
        await pilot.press("space")
        await settle(pilot)
        assert "Team A" in ctx.store.connection(first.id).workspaces
        await pilot.press("space")
        await settle(pilot)
        assert "Team A" not in ctx.store.connection(first.id).workspaces
        app.screen.query_one("#workspaces", DataTable).focus()
        await pilot.press("r", "ctrl+a")
        app.screen.query_one("#name", Input).value = "Team B"
        await pilot.press("enter")
        await settle(pilot)
        assert "Team B" in [w.name for w in ctx.store.workspaces()]
        await pilot.press("d", "y")
        await settle(pilot)
        assert "Team B" not in [w.name for w in ctx.store.workspaces()]


async def test_a_tick_survives_a_reread_that_lands_before_it_is_handled(ctx) -> None:
    """Under load a re-read of the store (started by the workspace's creation) can repaint the members
    between the Space and its message: the tick still means "join", and nothing else moves."""
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4", "a")
        await pilot.press(*"Research", "enter")
        await settle(pilot)
        screen = app.screen
        stale = (ctx.store.workspaces(), ctx.store.connections())  # read before the tick is written
        members = screen.query_one("#members", SelectionList)
        members.focus()
        members.highlighted = 1
        ticked = members.get_option_at_index(1).value
        members._toggle_highlighted_selection()  # what Space does: the message is still to come
        screen._paint(stale)  # the re-read paints first
        await settle(pilot)
        assert [c.id for c in ctx.store.connections() if "Research" in c.workspaces] == [ticked]
        assert members.selected == [ticked] and members.highlighted == 1
        assert str(screen.query_one("#workspaces", DataTable).get_cell("Research", "count")) == "1"
        screen._paint((ctx.store.workspaces(), ctx.store.connections()))  # a later re-read keeps it
        assert members.selected == [ticked] and members.highlighted == 1


async def test_a_read_that_ends_after_a_later_one_does_not_paint_over_it(ctx) -> None:
    """Under load the re-read started when a dialog closes can end after the one started when the new
    workspace was written: the older answer (no Research yet) must not replace the newer, and a tick's
    count is the members list's own, whatever the store said when it was read."""
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        gate, entered = threading.Event(), threading.Event()
        real = ctx.store.workspaces

        def held() -> list:
            found = real()  # read now, answered late
            entered.set()
            gate.wait(30)
            return found

        ctx.store.workspaces = held
        screen.reload()  # the older read: held after reading the store
        await _wait_for(entered)
        ctx.store.workspaces = real
        ctx.store.add_workspace("Research")
        screen.reload(select="Research")  # the newer read paints first
        while "Research" not in screen.query_one("#workspaces", DataTable).rows:
            await pilot.pause()
        gate.set()
        await settle(pilot)
        table = screen.query_one("#workspaces", DataTable)
        assert "Research" in table.rows and screen.selected_name() == "Research"
        members = screen.query_one("#members", SelectionList)
        members.focus()
        await pilot.press("space")  # the write is in flight: the count follows the tick at once
        assert str(table.get_cell("Research", "count")) == "1"
        await settle(pilot)
        assert len([c for c in ctx.store.connections() if "Research" in c.workspaces]) == 1
        assert str(table.get_cell("Research", "count")) == "1"


async def test_bad_workspace_name_is_refused_inline(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "a")
        await pilot.press(*"Everything", "enter")
        await settle(pilot)
        assert "exists already" in str(app.screen.query_one("#error").render())


async def test_case_only_duplicate_workspace_is_refused_inline_and_a_case_change_is_a_rename(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "a")
        await pilot.press(*"everything", "enter")  # 'Everything' exists: the store would refuse it after closing
        await settle(pilot)
        assert type(app.screen).__name__ == "NameModal", "the dialog stays open"
        error = str(app.screen.query_one("#error").render())
        assert "a workspace named 'everything' exists already (as 'Everything'" in error
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        screen.reload(select="Everything")
        await settle(pilot)
        await pilot.press("r", "ctrl+u", *"EVERYTHING", "enter")  # its own name in other case: a rename
        await settle(pilot)
        assert type(app.screen).__name__ == "WorkspacesScreen"
        assert "EVERYTHING" in {w.name for w in ctx.store.workspaces()}


async def test_sync_failure_is_shown_and_old_data_kept(tmp_path) -> None:
    c = synced_demo()
    try:
        conn = c.store.connections()[0]
        before = c.store.dump_costs(conn.id)
        failing = FakeAdminApi(FakeOrg(7, size="small"))
        failing.faults.add(Fault("401", path="costs", times=0))
        from openai_cost_tui.fake.transport import fake_transport

        c.engine.transport_for = lambda _conn: fake_transport(failing)
        app = make_app(c, sync_on_start=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("f3", "s")
            await settle(pilot)
            await settle(pilot)
            assert "failed" in c.store.connection(conn.id).status
            assert c.store.dump_costs(conn.id) == before
            assert "failed to sync" in app.status_text()
            assert app.is_running
    finally:
        c.close()


class HeldApi:
    """The fake organization behind a gate: each cost request waits until the test lets it go, so a
    sync is surely running (a request in flight) when a key is pressed."""

    def __init__(self) -> None:
        self.api = FakeAdminApi(FakeOrg(7, size="small"))
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.requests = 0

    def transport(self, _conn) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/costs"):
                self.requests += 1
                self.entered.set()
                assert self.gate.wait(60), "the test never released the request"
            return fake_transport(self.api).handle_request(request)

        return httpx.MockTransport(handle)


async def _wait_for(event: threading.Event) -> None:
    """Wait for a worker thread's event without blocking the app's loop (bounded, not a timing)."""
    for _ in range(6000):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the sync never sent its request")


@pytest.fixture
def held_demo():
    """A demo whose sync is surely running when a key is pressed: its cost requests wait at a gate."""
    c = open_demo(clock=fixed_clock(FROZEN), size="small")
    held = HeldApi()
    c.engine.transport_for = held.transport
    yield c, held, make_app(c, sync_on_start=False)
    held.gate.set()
    c.close()


async def test_ctrl_x_cancels_a_running_sync_through_its_worker(held_demo) -> None:
    c, held, app = held_demo
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.start_sync()
        await _wait_for(held.entered)
        await pilot.press("ctrl+x")
        sent = held.requests
        held.gate.set()  # the request in flight ends; nothing after it is sent
        await settle(pilot)
        assert not app.sync_running
        assert held.requests == sent
        assert any(r.outcome == "cancelled" for r in c.store.runs())


async def test_ctrl_q_during_a_sync_stops_the_sync_thread(held_demo) -> None:
    c, held, app = held_demo
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.start_sync()
        await _wait_for(held.entered)
        await pilot.press("ctrl+q")
        sent = held.requests
    assert not app.is_running
    held.gate.set()
    assert app.sync_stopped.wait(60), "the sync thread kept running after quitting"
    assert held.requests == sent  # no request after the one in flight
    assert c.store.integrity_ok()
    assert any(r.outcome == "cancelled" for r in c.store.runs())


async def test_insights_show_forecast_anomalies_and_savings(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "InsightsScreen"
        forecast = screen.query_one("#forecast", DataTable)
        assert forecast.row_count >= 3
        assert str(forecast.get_row_at(forecast.row_count - 1)[0]) == "Total"
        summary = str(screen.query_one("#insights-summary").render())
        assert "forecast $" in summary and "November 2026" in summary
        assert screen.query_one("#cache", DataTable).row_count > 0
        assert screen.query_one("#tiers", DataTable).row_count > 0
        assert screen.query_one("#anomalies", DataTable).row_count > 0


async def test_insights_show_budgets_with_their_state(ctx) -> None:
    from openai_cost_tui.core.budgets import parse_amount

    ctx.store.set_budget("workspace", "Everything", parse_amount("100"))
    ctx.store.set_budget("total", "", parse_amount("1000000"))
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#budgets", DataTable)
        states = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[-1]) for i in range(table.row_count)}
        assert "over" in states.values() and "ok" in states.values(), states


async def test_budgets_are_set_changed_and_removed_from_insights(ctx) -> None:
    from openai_cost_tui.core import money

    def stored() -> dict[str, int]:
        return {b.label: b.amount for b in ctx.store.budgets()}

    assert stored() == {"total": money.parse_exact("40000"), "Production": money.parse_exact("20000")}
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        connection = ctx.store.connections()[0].description
        await pilot.press("b")
        await pilot.press(*f"connection {connection}".lower())
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"1,200", "enter")  # a thousands separator: explained, the dialog stays
        await settle(pilot)
        assert "without thousands separators" in str(app.screen.query_one("#error").render())
        await pilot.press(*["backspace"] * 5, *"1200.5", "enter")
        await settle(pilot)
        assert stored()[f"connection {connection}"] == money.parse_exact("1200.50")
        table = app.screen.query_one("#budgets", DataTable)
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert f"connection {connection}" in labels
        # change the total: the dialog starts from the amount it has now
        await pilot.press("b", *"everything", "enter")
        await settle(pilot)
        assert app.screen.query_one("#amount").value == "40000.00"
        await pilot.press(*["backspace"] * 8, *"45000", "enter")
        await settle(pilot)
        assert stored()["total"] == money.parse_exact("45000")
        # remove the one under the cursor, after a yes
        table = app.screen.query_one("#budgets", DataTable)
        table.focus()
        table.move_cursor(row=[str(table.get_row_at(i)[0]) for i in range(table.row_count)].index("Production"))
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Production" not in stored() and len(stored()) == 2


def screen_text(app) -> str:
    """What the terminal shows, as plain text (from the app's own SVG screenshot)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_dialog_titles_and_messages_are_on_screen(ctx, size) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        name = ctx.store.connections()[0].description
        text = screen_text(app)
        assert f"Remove {name}?" in text and "This deletes its" in text and "Workspaces affected" in text
        await pilot.press("n", "f5")
        await settle(pilot)
        await pilot.press("b", *"everything", "enter")
        await settle(pilot)
        assert "Monthly budget for Everything (the total), in US dollars" in screen_text(app)


async def test_first_run_on_an_empty_store_says_how_to_start(tmp_path) -> None:
    from openai_cost_tui.services.context import open_context

    c = open_context(folder=str(tmp_path), clock=fixed_clock(FROZEN))
    try:
        app = make_app(c)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            caption = str(app.screen.query_one("#caption").render())
            assert "press F3, then a, to add an organization" in caption
            assert "no data yet" in app.status_text()
            await pilot.press("f5")
            await settle(pilot)
            assert "press F3, then a" in str(app.screen.query_one("#insights-summary").render())
    finally:
        c.close()


async def test_report_flags_rows_with_an_anomalous_day(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", *"proj", "enter")
        await settle(pilot)
        await settle(pilot)
        screen = app.screen
        flags = screen.data.grid.flags
        assert flags, "the fake org's spikes should flag their projects"
        assert all(note.startswith("⚠ 2026-") for note in flags.values())
        assert "unusual day" in str(screen.query_one("#caption").render())


async def test_the_report_falls_back_to_all_connections_when_its_workspace_is_deleted(ctx) -> None:
    from openai_cost_tui.tui.screens.report import ReportScreen

    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f4", "a")
        await settle(pilot)
        await pilot.press(*"Research", "enter")
        await settle(pilot)
        await pilot.press("f2", "w")
        await settle(pilot)
        await pilot.press(*"research", "enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, ReportScreen) and report.state.workspace == "Research"
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#workspaces", DataTable).focus()
        names = [str(app.screen.query_one("#workspaces", DataTable).get_row_at(i)[0])
                 for i in range(app.screen.query_one("#workspaces", DataTable).row_count)]
        app.screen.query_one("#workspaces", DataTable).move_cursor(row=names.index("Research"))
        await pilot.press("d", "y")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is report and report.state.workspace is None
        assert "all connections" in report.state.describe(ctx.today)
        assert report.data is not None and report.data.state.workspace is None  # the rows re-queried
        assert any("is gone" in n.message for n in app._notifications)


async def test_row_labels_stay_while_wide_pivots_scroll(ctx) -> None:
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"day", "enter")
        await settle(pilot)
        await pilot.press(*["right"] * 20)
        await settle(pilot)
        text = screen_text(app)
        assert app.screen.query_one("#pivot").scroll_x > 0  # the figures did scroll
        assert "Total" in text and "Service" in text  # the label column did not
