"""Restatements recorded by the sync engine against the fake organization's revise(): exact old -> new
per (day, service), in the same transaction as the window, never for a first sync or a partial day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import openai_cost_tui.cli.common as common
from openai_cost_tui.cli.main import main
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.errors import StoreError
from openai_cost_tui.core.restatements import Restatement, describe, signed_dollars
from openai_cost_tui.fake.faults import Fault
from openai_cost_tui.services.context import open_context
from tests.support.expect import expected_totals
from tests.test_sync import NOW, START, TODAY, Rig


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.store.close()


def service_totals(rig: Rig, day) -> dict[tuple, int]:
    return {(day, k[0]): v for k, v in expected_totals(rig.org, ("service",), day, day).items()}


def usd_changes(rig: Rig) -> list[Restatement]:
    return [r.change for r in rig.store.restatements() if r.currency == "usd"]


def test_a_first_sync_and_an_unchanged_resync_record_nothing(rig: Rig) -> None:
    assert rig.sync().ok
    assert rig.store.restatements() == []
    assert rig.sync().ok
    assert rig.store.restatements() == []


def test_a_revised_day_is_recorded_exactly(rig: Rig) -> None:
    assert rig.sync().ok
    day = TODAY - timedelta(days=2)
    before = service_totals(rig, day)
    victim = rig.org.costs(day)[0].line_item
    rig.org.revise(day, scale=Decimal("1.5"), drop_line_item=victim)
    after = service_totals(rig, day)
    assert rig.sync().ok
    expected = sorted(
        (Restatement(day, "service", s, before.get((day, s), 0), after.get((day, s), 0))
         for (_, s) in before.keys() | after.keys()
         if before.get((day, s), 0) != after.get((day, s), 0)),
        key=lambda r: (-abs(r.delta), r.value),
    )
    got = usd_changes(rig)
    assert got == expected and got  # every moved service, exactly, largest move first
    stored = rig.store.restatements()[0]
    assert (stored.connection, stored.detected_at) == ("Acme", NOW.replace(tzinfo=None))
    assert sum(r.delta for r in got) == sum(after.values()) - sum(before.values())
    # the same revision is not recorded twice
    assert rig.sync().ok
    assert usd_changes(rig) == expected


def test_yesterday_reads_as_a_sentence(rig: Rig) -> None:
    assert rig.sync().ok
    day = TODAY - timedelta(days=1)
    before = service_totals(rig, day)
    rig.org.revise(day, scale=Decimal("2"))
    assert rig.sync().ok
    top = usd_changes(rig)[0]
    service = top.value
    assert top.new == 2 * top.old == 2 * before[(day, service)]
    assert describe(top, today=TODAY) == f"yesterday (2026-11-26): {service} revised {signed_dollars(top.old)}"


def test_today_is_still_filling_and_never_a_restatement(rig: Rig) -> None:
    assert rig.sync().ok
    rig.org.revise(TODAY, scale=Decimal("3"))
    assert rig.sync().ok
    assert rig.store.restatements() == []


def test_a_failed_window_records_no_restatement(rig: Rig, monkeypatch) -> None:
    assert rig.sync().ok
    rig.org.revise(TODAY - timedelta(days=2), scale=Decimal("1.5"))
    before = rig.store.dump_costs()

    def broken(*args, **kwargs):
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr(rig.store, "replace_reconciliation", broken)  # fails after the restatements were written
    result = rig.sync()
    assert not result.ok and "simulated" in result.error
    assert rig.store.restatements() == [] and rig.store.dump_costs() == before


def test_a_failed_fetch_records_nothing(rig: Rig) -> None:
    assert rig.sync().ok
    rig.org.revise(TODAY - timedelta(days=2), scale=Decimal("1.5"))
    rig.api.faults.add(Fault("500", path="costs", times=0))
    assert not rig.sync().ok
    assert rig.store.restatements() == []


def test_restatements_go_with_their_connection(rig: Rig) -> None:
    assert rig.sync().ok
    rig.org.revise(TODAY - timedelta(days=2), scale=Decimal("1.5"))
    assert rig.sync().ok and rig.store.restatements()
    rig.store.remove_connection(rig.conn.id)
    assert rig.store.restatements() == []


def test_since_filters_by_detection(rig: Rig) -> None:
    assert rig.sync().ok
    rig.org.revise(TODAY - timedelta(days=2), scale=Decimal("1.5"))
    assert rig.sync().ok
    assert rig.store.restatements(since=NOW.replace(tzinfo=None))
    assert rig.store.restatements(since=(NOW + timedelta(seconds=1)).replace(tzinfo=None)) == []


def test_cli_prints_sentences(rig: Rig, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    assert main(["restatements"]) == 0
    assert capsys.readouterr().out == "No stored day was revised by a sync in the last 7 day(s).\n"
    assert rig.sync().ok
    day = TODAY - timedelta(days=1)
    rig.org.revise(day, scale=Decimal("1.5"))
    assert rig.sync().ok
    expected = [describe(c, today=TODAY) for c in usd_changes(rig)]
    assert main(["restatements"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == expected and out[0].startswith("yesterday (2026-11-26): ")
    assert main(["restatements", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc[0]["day"] == "2026-11-26" and doc[0]["connection"] == "Acme"
    assert doc[0]["detected_at"] == datetime(2026, 11, 27, 15, 30, tzinfo=UTC).isoformat()
    later = fixed_clock(NOW + timedelta(days=8))
    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=later, **kw))
    assert main(["restatements", "--days", "7"]) == 0
    assert capsys.readouterr().out.startswith("No stored day was revised")
    assert main(["restatements", "--days", "9"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(expected)


def test_a_long_backfill_records_nothing(rig: Rig) -> None:
    """The whole backfill is one first sync: nothing recorded though many windows were written."""
    assert rig.sync(since=START).ok
    assert rig.store.restatements() == []


def test_the_demo_revises_yesterday_once_after_its_first_sync() -> None:
    """--demo shows a restatement: after the first sync, late usage lifts yesterday by 1.8% upstream."""
    from tests.support.tui import synced_demo

    ctx = synced_demo()
    try:
        main = ctx.store.connections()[0]
        assert ctx.store.restatements() == []  # a backfill records none
        before = ctx.store.total(connection_id=main.id, start=ctx.today - timedelta(days=1),
                                 end=ctx.today - timedelta(days=1))
        assert all(r.ok for r in ctx.engine.sync_all(ctx.store.connections()))
        after = ctx.store.total(connection_id=main.id, start=ctx.today - timedelta(days=1),
                                end=ctx.today - timedelta(days=1))
        found = ctx.store.restatements()
        assert found and {r.change.day for r in found} == {ctx.today - timedelta(days=1)}
        assert sum(r.change.new - r.change.old for r in found) == after - before > 0
        assert describe(found[0].change, today=ctx.today).startswith("yesterday (2026-11-26): ")
        assert all(r.ok for r in ctx.engine.sync_all(ctx.store.connections()))
        assert len(ctx.store.restatements()) == len(found)  # once only
    finally:
        ctx.close()
