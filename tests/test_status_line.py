"""The status line says what is stored: after a first sync cancelled part way it names the stored days
instead of "no data yet", and counts failed connections in plain words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.messages import StoreFacts
from tests.support.tui import settle


async def test_a_cancelled_first_sync_is_not_no_data(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.facts = StoreFacts(connections=(), data_as_of=None, last_day=date(2026, 11, 20))
        text = app.status_text()
        assert "no data yet" not in text
        assert "costs stored through 2026-11-20; no sync has finished yet" in text
        app.facts = StoreFacts()
        assert "no data yet" in app.status_text()


async def test_failed_connections_are_counted_in_words(demo_copy) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        one = replace(demo_copy.store.connections()[0], status="failed")
        app.facts = replace(app.facts, connections=(one,))
        assert "1 connection failed to sync" in app.status_text()
        app.facts = replace(app.facts, connections=(one, one))
        assert "2 connections failed to sync" in app.status_text()
