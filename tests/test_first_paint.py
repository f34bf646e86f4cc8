"""What a first paint does without (issue #14's cold start): opening the TUI imports no PostgreSQL driver,
no keyring and no screen or dialog it does not show (the demo not its fake API), and the keyring probe,
the sync on start and the demo's toast wait until the report is painted with its first answer (they
shared the interpreter with that paint)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import open_demo
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.screens.report import ReportScreen
from tests.support.tui import FROZEN, settle
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (pg_url: a fresh database)

NOT_AT_START = (
    "psycopg2", "keyring", "httpx",
    *(f"openai_cost_tui.tui.screens.{m}" for m in ("insights", "connections", "workspaces", "tags", "help")),
    *(f"openai_cost_tui.tui.modals.{m}" for m in ("add_connection", "edit_connection", "choice", "filter",
                                                  "date_range", "line", "confirm", "export")),
)


def test_opening_the_tui_imports_only_what_the_report_shows() -> None:
    code = (
        "import sys, openai_cost_tui.tui.run\n"
        f"loaded = [m for m in {NOT_AT_START!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_opening_the_demo_leaves_its_fake_api_to_the_first_sync() -> None:
    code = (
        "import sys\n"
        "from openai_cost_tui.services.context import open_demo\n"
        "ctx = open_demo()\n"
        "assert 'openai_cost_tui.fake.api' not in sys.modules\n"
        "assert ctx.engine.transport_for(ctx.store.connections()[0]) is not None\n"
        "assert ctx.new_connection_transport is not None\n"
        "ctx.close()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_the_keyring_probe_and_the_sync_on_start_wait_for_the_painted_report(monkeypatch) -> None:
    """The report's first query is held until the status line's facts are read (when the sync on start
    used to begin): neither the probe nor the sync may start before the report shows that query's answer."""
    import openai_cost_tui.tui.screens.report as report_module

    gate = threading.Event()
    real = report_module.load_report

    def held(*args, **kwargs):
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_module, "load_report", held)
    ctx = open_demo(clock=fixed_clock(FROZEN), size="small")  # never synced: it syncs on start
    seen: dict[str, bool] = {}
    try:
        app = make_app(ctx, refresh_interval=0)
        probe = ctx.keys.keyring_problem

        def painted() -> bool:
            stack = app.screen_stack
            return bool(stack) and isinstance(stack[0], ReportScreen) and stack[0].data is not None

        def keyring_problem() -> str | None:  # (in a worker thread)
            seen["probe"] = painted()
            return probe()

        def start_sync(connection_ids=None) -> bool:
            seen["sync"] = painted()
            return False  # the sync itself is not this test's

        real_notify = app.notify

        def notify(message, *args, **kwargs):
            if kwargs.get("title") == "Demo":
                seen["toast"] = painted()
            return real_notify(message, *args, **kwargs)

        ctx.keys.keyring_problem = keyring_problem  # type: ignore[method-assign]
        app.start_sync = start_sync  # type: ignore[method-assign]
        app.notify = notify  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(500):
                if app.facts is not None:
                    break
                await pilot.pause()
            assert app.facts is not None and app.facts.connections
            gate.set()
            await settle(pilot)
            assert seen == {"probe": True, "sync": True, "toast": True}
            assert app.keyring_probed
    finally:
        gate.set()
        ctx.close()


@needs_postgres
def test_a_postgresql_store_opens_after_peewee_was_imported_without_its_driver(pg_url) -> None:  # noqa: F811
    code = (
        "import sys\n"
        "from datetime import date\n"
        "import openai_cost_tui.services.context  # as the TUI and the CLI open a store\n"
        "assert 'psycopg2' not in sys.modules\n"
        "from openai_cost_tui.store.store import NewConnection, Store\n"
        "with Store(sys.argv[1]) as store:\n"
        "    store.add_connection(NewConnection(description='Acme', base_url='https://api.openai.com/v1',"
        " key_source='env', key_ref='ACME_KEY',"
        " backfill_start=date(2026, 1, 1)), workspaces=('team',))\n"
        "    assert store.db.is_connection_usable()\n"
        "with Store(sys.argv[1]) as store:\n"
        "    assert [c.description for c in store.connections()] == ['Acme']\n"
        "    assert [w.name for w in store.workspaces()] == ['team']\n"
        "assert 'psycopg2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, pg_url], check=True, env=os.environ.copy())


async def test_the_report_asks_the_store_once_to_open(monkeypatch) -> None:
    """The first paint reads the pivot once: the screen's resume right after its mount asked again (a
    second query of a 2M store sharing the interpreter with the first), as did a handler of the screen's
    base class, which Textual calls as well as the subclass's."""
    import openai_cost_tui.tui.screens.report as report_module

    asked: list[object] = []
    real = report_module.load_report

    def counted(store, state, *args, **kwargs):
        asked.append(state)
        return real(store, state, *args, **kwargs)

    monkeypatch.setattr(report_module, "load_report", counted)
    ctx = open_demo(clock=fixed_clock(FROZEN), size="small")
    try:
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen) and app.screen.data is not None
            assert len(asked) == 1
            await pilot.press("f5")  # another screen and back: the report reads again, once
            await settle(pilot)
            await pilot.press("f2")
            await settle(pilot)
            assert len(asked) == 2
    finally:
        ctx.close()
