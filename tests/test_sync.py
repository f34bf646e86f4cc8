"""The sync engine against the fake Admin API: exact, idempotent, atomic per window, resilient."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault, FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.store.store import NewConnection, Store
from openai_cost_tui.sync.engine import SyncEngine
from tests.support.expect import atto, expected_totals

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
START = date(2025, 11, 1)
KEY_ENV = {"ACME_KEY": "sk-admin-" + "t" * 40}


class Rig:
    """A store, an organization behind the fake API (in-process), and an engine between them."""

    def __init__(self, tmp_path, *, size: str = "small", seed: int = 3, **api_options) -> None:
        self.org = FakeOrg(seed, start=START, end=TODAY, size=size)
        self.api = FakeAdminApi(self.org, clock=fixed_clock(NOW), **api_options)
        self.store = Store(str(tmp_path / "costs.db"))
        self.keys = KeyStore(tmp_path, environ=KEY_ENV)
        self.engine = SyncEngine(
            self.store, self.keys, clock=fixed_clock(NOW),
            transport_for=lambda conn: fake_transport(self.api),
            client_options={"sleep": lambda s: None},
        )
        self.conn = self.store.add_connection(NewConnection(
            "Acme", "https://api.openai.com/v1", "env", "ACME_KEY", START,
            organization_name=self.org.organization_name))

    def sync(self, **kwargs):
        return self.engine.sync(self.store.connection(self.conn.id), **kwargs)

    def pivot(self, rows, cols=None, start=START, end=TODAY):
        spec = PivotSpec(rows=rows, cols=cols, date_range=DateRange(start, end))
        result = self.store.run_pivot(spec, today=TODAY)
        if cols:
            return {(*r, c): cell.amount for (r, c), cell in result.cells.items()}
        return {r: cell.amount for r, cell in result.row_totals.items()}


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.store.close()


def test_first_sync_equals_the_fake_to_the_last_digit(rig: Rig) -> None:
    result = rig.sync()
    assert result.ok, result.error
    assert rig.store.total() == atto(rig.org.total(START, TODAY + timedelta(days=1)))
    for dims in (("service",), ("tier",), ("project",), ("api_key",), ("category", "subcategory")):
        assert rig.pivot(dims) == expected_totals(rig.org, dims, START, TODAY), dims
    by_month = rig.pivot(("service",), "month")
    assert by_month == expected_totals(rig.org, ("service", "month"), START, TODAY)
    conn = rig.store.connection(rig.conn.id)
    assert (conn.status, conn.covered_from, conn.synced_through, conn.group_by_api_key) == ("ok", START, TODAY, True)
    assert rig.store.reconciliation_issues() == []


def test_second_sync_changes_nothing_and_asks_only_for_the_trailing_window(rig: Rig) -> None:
    rig.sync()
    before = rig.store.dump_costs()
    asked = len(rig.api.requests_to("/costs"))
    result = rig.sync()
    assert result.ok and rig.store.dump_costs() == before
    again = rig.api.requests_to("/costs")[asked:]
    starts = {dict(r.query)["start_time"] for r in again}
    assert starts == {str(int(datetime(2026, 11, 23, tzinfo=UTC).timestamp()))}


def test_a_revised_day_is_replaced_exactly(rig: Rig) -> None:
    rig.sync()
    day = TODAY - timedelta(days=2)
    victim = rig.org.costs(day)[0].line_item
    rig.org.revise(day, scale=__import__("decimal").Decimal("1.5"), drop_line_item=victim)
    assert rig.sync().ok
    assert rig.store.total() == atto(rig.org.total(START, TODAY + timedelta(days=1)))
    got = rig.pivot(("line_item",), "day", start=day, end=day)
    assert got == expected_totals(rig.org, ("line_item", "day"), day, day)
    assert not any(k[0] == victim for k in got)


def test_a_failed_page_writes_nothing(tmp_path) -> None:
    r = Rig(tmp_path)
    r.sync()
    before = r.store.dump_costs()
    r.api.faults.add(Fault("500", path="costs", times=0))  # every costs request fails from now on
    result = r.sync(since=date(2026, 6, 1))
    assert not result.ok and "500" in result.error
    assert r.store.dump_costs() == before
    conn = r.store.connection(r.conn.id)
    assert conn.status == "failed" and conn.last_error == result.error
    assert r.store.runs(r.conn.id)[0].outcome == "failed"


def test_transient_faults_are_ridden_out(tmp_path) -> None:
    r = Rig(tmp_path, faults=FaultPlan.parse("costs:429:retry-after=1:times=2,costs:500:after=2,costs:502:after=3"))
    assert r.sync().ok
    assert r.store.total() == atto(r.org.total(START, TODAY + timedelta(days=1)))


def test_organizations_that_reject_key_grouping_fall_back_and_remember(tmp_path) -> None:
    r = Rig(tmp_path, reject_api_key_grouping=True)
    result = r.sync()
    assert result.ok, result.error
    assert r.store.connection(r.conn.id).group_by_api_key is False
    assert r.pivot(("api_key",)) == {("(none)",): atto(r.org.total(START, TODAY + timedelta(days=1)))}
    assert r.pivot(("project",)) == expected_totals(r.org, ("project",), START, TODAY)
    rejected = len([q for q in r.api.requests_to("/costs") if ("group_by", "api_key_id") in q.query])
    r.sync()
    again = len([q for q in r.api.requests_to("/costs") if ("group_by", "api_key_id") in q.query])
    assert again == rejected  # not asked again


def test_ignored_grouping_is_not_stored_as_truth(tmp_path) -> None:
    r = Rig(tmp_path, ignore_grouping=True)
    result = r.sync()
    assert not result.ok and "grouping" in result.error.lower()
    assert r.store.cost_count() == 0


def test_revoked_key_fails_with_a_clear_status(tmp_path) -> None:
    r = Rig(tmp_path, revoked_keys=[KEY_ENV["ACME_KEY"]])
    result = r.sync()
    assert not result.ok and "401" in result.error
    assert KEY_ENV["ACME_KEY"] not in result.error


def test_cancel_keeps_finished_windows_and_stops(tmp_path) -> None:
    r = Rig(tmp_path)
    cancel = threading.Event()
    seen = []

    def progress(p) -> None:
        seen.append(p)
        if p.phase == "costs" and p.windows_done == 1 and not p.message:
            cancel.set()

    result = r.sync(cancel=cancel, progress=progress)
    assert result.outcome == "cancelled"
    conn = r.store.connection(r.conn.id)
    assert conn.synced_through == TODAY and conn.covered_from == date(2026, 10, 28)
    assert r.sync().ok  # the next sync resumes the backfill
    assert r.store.total() == atto(r.org.total(START, TODAY + timedelta(days=1)))
    assert r.store.connection(r.conn.id).covered_from == START


def test_progress_reports_every_window(rig: Rig) -> None:
    seen = []
    rig.sync(progress=seen.append)
    done = [p for p in seen if p.phase == "costs" and not p.message]
    assert [p.windows_done for p in done] == [1, 2, 3, 4]
    assert seen[-1].phase == "done" and seen[-1].rows == rig.store.cost_count()


def test_names_come_from_the_projects_and_keys_endpoints(rig: Rig) -> None:
    rig.sync()
    names = rig.store.project_names(rig.conn.id)
    assert {p.id: p.name for p in rig.org.projects}.items() >= {k: v for k, v in names.items()}.items()
    used_keys = {c.api_key_id for c in rig.org.costs_between(START, TODAY) if c.api_key_id}
    assert used_keys <= set(rig.store.key_names(rig.conn.id))


def test_a_second_sync_process_is_kept_out(rig: Rig) -> None:
    from openai_cost_tui.core.errors import SyncBusy

    with rig.store.sync_lock():
        other = Store(rig.store.url)
        try:
            with pytest.raises(SyncBusy, match="another openai-cost-tui process is syncing"):
                SyncEngine(other, rig.keys).sync(other.connection(rig.conn.id))
        finally:
            other.close()


def test_two_connections_one_failing(tmp_path) -> None:
    r = Rig(tmp_path)
    bad = r.store.add_connection(NewConnection("Broken", "https://api.openai.com/v1", "env", "MISSING_VAR", START))
    results = r.engine.sync_all(r.store.connections())
    assert [x.outcome for x in results] == ["ok", "failed"]
    assert "MISSING_VAR" in results[1].error
    assert r.store.connection(bad.id).status == "failed"


def test_a_year_costs_no_more_requests_than_pages_force(rig: Rig) -> None:
    assert rig.sync().ok
    costs = rig.api.requests_to("/costs")
    grouped = [r for r in costs if any(k == "group_by" for k, _ in r.query)]
    totals = [r for r in costs if not any(k == "group_by" for k, _ in r.query)]
    assert len(grouped) == 4  # 31 + 180 + 180 + 1 days: the quick first window, then full pages
    assert len(totals) == 1 + 3  # reconciliation totals: the first window's, then the other 361 days once
    assert all(("limit", "180") in r.query for r in costs)
