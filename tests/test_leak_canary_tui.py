"""Leak canary through the TUI and the store: a fake key never shows on a screen, in a snapshot, a log,
a crash screen's locals or the database file, even when the fetch, parse and DB paths fail."""

from __future__ import annotations

import logging

import pytest
from rich.console import Console
from rich.traceback import Traceback
from textual.widgets import Input

from openai_cost_tui.core.secret import Secret
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.tui.app import make_app
from tests.support.tui import settle, synced_demo

CANARY = "sk-admin-CANARY" + "Qx9" * 14
PREFIX = CANARY[:12]


def assert_clean(text: str, where: str) -> None:
    assert CANARY not in text, where
    assert PREFIX not in text, where


async def test_canary_never_reaches_screens_logs_or_the_store(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ctx = synced_demo()
    faults = FaultPlan.parse("costs:malformed:after=1:times=1,costs:401:after=2:times=0,projects:malformed:times=0")
    try:
        with serve_in_thread(FakeAdminApi(FakeOrg(41, size="small"), faults=faults)) as base_url:
            app = make_app(ctx, sync_on_start=False, refresh_interval=0)
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.press("f3", "a")
                modal = app.screen
                modal.query_one("#key", Input).value = CANARY
                modal.query_one("#description", Input).value = "Canary org"
                modal.query_one("#base-url", Input).value = base_url
                modal.query_one("#storage").value = "file"
                assert_clean(app.export_screenshot(), "the add form (password field)")
                await pilot.press("ctrl+s")
                await settle(pilot)  # the add, then the sync after it, which fails on page 2
                conn = next(c for c in ctx.store.connections() if c.description == "Canary org")
                assert conn.status == "failed"
                for mode in ("connections", "report", "workspaces"):
                    await app.switch_mode(mode)
                    await settle(pilot)
                    assert_clean(app.export_screenshot(), f"{mode} screen")
                for note in app._notifications:
                    assert_clean(note.message, "a notification")
        db_bytes = open(ctx.store.url, "rb").read()
        assert CANARY.encode() not in db_bytes and PREFIX.encode() not in db_bytes
        wal = ctx.store.url + "-wal"
        import os

        if os.path.exists(wal):
            assert CANARY.encode() not in open(wal, "rb").read()
        assert_clean(caplog.text, "logs at DEBUG")
    finally:
        ctx.close()


def test_crash_screen_locals_show_no_key() -> None:
    """Textual's crash screen is a rich Traceback with locals; a Secret in a frame stays redacted."""

    def fetch(key: Secret) -> None:
        header = {"Authorization": key}  # noqa: F841 - a local the traceback shows
        raise RuntimeError("boom")

    try:
        fetch(Secret(CANARY))
    except RuntimeError:
        console = Console(record=True, width=200)
        console.print(Traceback(show_locals=True))
        assert_clean(console.export_text(), "a traceback with locals")


@pytest.mark.parametrize("render", [repr, str, lambda s: f"{s}", lambda s: "%s" % s])  # noqa: UP031
def test_secret_never_formats_its_value(render) -> None:
    assert_clean(render(Secret(CANARY)), "formatting a Secret")
