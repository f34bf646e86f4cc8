"""Outside text in the TUI: markup and control characters in project, key, connection and workspace
names and in an API error message never crash a screen, are never read as markup, and never reach
the terminal as a control character (every screen visited, in pilot; the same in a real terminal in
tests/test_real_terminal.py's style below)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text

from openai_cost_tui.core.models import Project
from openai_cost_tui.core.text import is_safe, shown
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.tui.app import make_app
from tests.support.tui import settle, synced_demo

HOSTILE = ("[/bold] team", "see docs [/v1/usage]", "rate limit [org-abc] reached", "[/]",
           "\x1b]0;pwned\x07x", "a\rb\nc", "=HYPERLINK(\"http://x\")", "\u202eevil", "[link=http://x]y[/link]")


def _screen_text(app) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


@pytest.fixture(scope="module")
def hostile_ctx():
    ctx = synced_demo()
    conn = ctx.store.connections()[0]
    projects = [Project(pid, name) for pid, name in zip(sorted(ctx.store.project_names(conn.id)), HOSTILE,
                                                        strict=False)]
    ctx.store.save_names(conn.id, projects, [])
    ctx.store.update_connection(conn.id, description="[/] acme [bold]")
    ctx.store.add_workspace("[/bold] team")
    ctx.store.assign("[/bold] team", [conn.id])
    yield ctx
    ctx.close()


async def test_every_screen_shows_hostile_names_literally(hostile_ctx) -> None:
    app = make_app(hostile_ctx, sync_on_start=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"project", "enter")  # rows by project: the hostile names are the labels
        await settle(pilot)
        report = _screen_text(app)
        assert "see docs [/v1/usage]" in report and "rate limit [org-abc] reached" in report
        seen = [h for h in HOSTILE if shown(h) in report]
        assert len(seen) >= 3, seen  # the projects with costs in the range, each shown literally
        assert "\x1b" not in report and "\x07" not in report and "\r" not in report
        for key in ("f3", "f4", "f5", "f2"):
            await pilot.press(key)
            await settle(pilot)
            text = _screen_text(app)
            assert "\x1b" not in text and "\x07" not in text
        await pilot.press("f3")
        await settle(pilot)
        assert "[/] acme [bold]" in _screen_text(app)
        await pilot.press("f4")
        await settle(pilot)
        assert "[/bold] team" in _screen_text(app)
        assert app.is_running


@pytest.mark.parametrize("status", [400, 503])
async def test_a_hostile_api_error_is_shown_literally_and_the_app_keeps_running(status: int) -> None:
    ctx = synced_demo()
    try:
        api = FakeAdminApi(FakeOrg(7, size="small"))
        api.faults.add(Fault("hostile-error", path="costs", status=status, times=0))
        ctx.engine.transport_for = lambda _conn: fake_transport(api)
        ctx.engine.client_options = {"sleep": lambda _s: None}  # the 503's retries back off at once
        app = make_app(ctx, sync_on_start=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("[/bold] x" in m for m in messages), messages
            assert all(is_safe(m) for m in messages)
            assert app.is_running
            await pilot.press("f3")
            await settle(pilot)
            assert "\x1b" not in _screen_text(app)
    finally:
        ctx.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("[]/=@+-\\ab \x1b\x07\r\n\t\x9b\u202e:;")), max_size=40))
def test_any_text_becomes_a_safe_literal_renderable(raw: str) -> None:
    """What every screen does with outside text (Text(shown(x))): no markup error, no control byte,
    and the visible characters kept (escaped, never dropped)."""
    text = Text(shown(raw))
    plain = text.plain
    assert is_safe(plain)
    assert plain.count("[") == raw.count("[") and plain.count("/") >= raw.count("/")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(name=st.text(alphabet=st.sampled_from(list("[]/=@+-\\ab \x1b\x07\r\n\t\x9b\u202e:;]")), min_size=1,
                    max_size=24))
def test_any_project_name_passes_every_screen(hostile_ctx, name: str) -> None:
    import asyncio

    store = hostile_ctx.store
    conn = store.connections()[0]
    first = sorted(store.project_names(conn.id))[0]
    store.save_names(conn.id, [Project(first, name)], [])

    async def visit() -> None:
        app = make_app(hostile_ctx, sync_on_start=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            await pilot.press(*"project", "enter")
            await settle(pilot)
            for key in ("f5", "f3", "f4", "f2"):
                await pilot.press(key)
                await settle(pilot)
                text = _screen_text(app)
                assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), key
            assert app.is_running

    asyncio.run(visit())
