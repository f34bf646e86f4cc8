"""analysis.py against a real store synced from the fake organization (in-process fake API)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext

import pytest

from openai_cost_tui.core import anomalies as A
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import DateRange, month_to_date
from openai_cost_tui.core.economics import input_kind
from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.core.taxonomy import Taxonomy
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.services import analysis
from openai_cost_tui.store.store import NewConnection, Store
from openai_cost_tui.sync.engine import SyncEngine
from tests.support.expect import atto, expected_totals

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
START = date(2026, 6, 1)
LOOKBACK = (TODAY - START).days - A.MIN_HISTORY  # every day that has a baseline


class Synced:
    def __init__(self, tmp) -> None:
        self.org = FakeOrg(3, start=START, end=TODAY, size="small")
        api = FakeAdminApi(self.org, clock=fixed_clock(NOW))
        self.store = Store(str(tmp / "costs.db"))
        engine = SyncEngine(
            self.store, KeyStore(tmp, environ={"ACME_KEY": "sk-admin-" + "t" * 40}), clock=fixed_clock(NOW),
            transport_for=lambda conn: fake_transport(api), client_options={"sleep": lambda s: None},
        )  # fmt: skip
        conn = self.store.add_connection(
            NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", START)
        )
        assert engine.sync(self.store.connection(conn.id)).ok
        names = {p.id: p.name for p in self.org.projects}
        keys = {k.id: k.name for k in self.org.keys}
        self.spikes = [(d, names[p], keys[k]) for d, p, k in self.org.spikes]
        self.anomalies = analysis.find_anomalies(self.store, TODAY, lookback_days=LOOKBACK)


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    s = Synced(tmp_path_factory.mktemp("analysis"))
    yield s
    s.store.close()


def test_every_spike_is_found_for_its_key_and_its_project(synced: Synced) -> None:
    assert len(synced.spikes) == 2
    found = {(a.dimension, a.day, a.series): a for a in synced.anomalies}
    for day, project, key in synced.spikes:
        by_key = found[("api_key", day, (project, key))]
        by_project = found[("project", day, (project,))]
        assert by_key.direction == by_project.direction == "up"
        assert by_key.score >= 2 * A.THRESHOLD
        assert by_key.value > 4 * by_key.expected


def test_nothing_but_the_spikes_is_flagged(synced: Synced) -> None:
    spike_days = {d for d, _, _ in synced.spikes}
    for a in synced.anomalies:
        if a.dimension == "api_key":
            assert (a.day, *a.series) in synced.spikes, a
        elif a.dimension == "project":
            assert (a.day, a.series[0]) in {(d, p) for d, p, _ in synced.spikes}, a
        else:  # a service moves on a spike day because of the spiked key's line items
            assert a.day in spike_days, a
    assert not [a for a in synced.anomalies if a.day.weekday() in (0, 5, 6)]  # the rhythm's edges


def test_quiet_series_days_have_a_zero_false_positive_rate(synced: Synced) -> None:
    days = DateRange(TODAY - timedelta(days=LOOKBACK), TODAY - timedelta(days=1))
    spiked = {("api_key", d, (p, k)) for d, p, k in synced.spikes} | {
        ("project", d, (p,)) for d, p, _ in synced.spikes
    }
    quiet = set()
    for dim in ("project", "api_key"):
        for key, s in analysis.daily_series(
            synced.store, analysis.ANOMALY_ROWS[dim], days, today=TODAY
        ).items():
            quiet |= {(dim, d, key) for d in s} - spiked
    flagged = {(a.dimension, a.day, a.series) for a in synced.anomalies}
    assert len(quiet) > 1500  # enough series-days for "zero" to mean something
    assert len(flagged & quiet) / len(quiet) == 0
    totals = analysis.daily_totals(synced.store, days, today=TODAY)
    weekday = [v for d, v in totals.items() if d.weekday() < 5]
    weekend = [v for d, v in totals.items() if d.weekday() >= 5]
    assert sum(weekend) / len(weekend) < 0.6 * sum(weekday) / len(weekday)  # the rhythm is there


def test_drivers_point_at_the_spiked_key_and_its_models(synced: Synced) -> None:
    taxonomy = Taxonomy()
    for day, project, key in synced.spikes:
        [by_project] = [
            a for a in synced.anomalies if (a.dimension, a.day, a.series) == ("project", day, (project,))
        ]
        top = analysis.anomaly_drivers(synced.store, by_project, TODAY)[0]
        assert top.name == key and top.delta > 0
        [by_key] = [
            a for a in synced.anomalies if (a.dimension, a.day, a.series) == ("api_key", day, (project, key))
        ]
        drivers = analysis.anomaly_drivers(synced.store, by_key, TODAY)
        key_id = next(
            k.id
            for k in synced.org.keys
            if k.name == key and synced.org.project(k.project_id).name == project
        )
        models = {taxonomy.classify(c.line_item, amount=1, unit=c.unit).category
                  for c in synced.org.costs(day) if c.api_key_id == key_id}  # fmt: skip
        assert {d.name for d in drivers} <= models
        assert drivers[0].delta > 0
        assert sum(d.delta for d in drivers) == pytest.approx(by_key.delta, rel=0.05)


def test_cache_savings_equal_a_hand_computation_from_the_fake_rows(synced: Synced) -> None:
    taxonomy = Taxonomy()
    groups: dict[tuple, dict[str, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    for c in synced.org.costs_between(START, TODAY + timedelta(days=1)):
        cls = taxonomy.classify(c.line_item, amount=atto(c.amount), unit=c.unit)
        parsed = input_kind(cls.subcategory)
        if parsed and c.unit == "tokens":
            kind, modality = parsed
            acc = groups[(cls.category, cls.tier, cls.context, modality)][kind]
            acc[0] += c.amount
            acc[1] += c.quantity
    hand: dict[str, Decimal] = defaultdict(Decimal)
    with localcontext() as ctx:
        ctx.prec = 80
        for (category, *_), kinds in groups.items():
            if "cached input" in kinds and "input" in kinds:
                (cost, cached), (in_cost, in_qty) = kinds["cached input"], kinds["input"]
                hand[category] += cached * in_cost / in_qty - cost
    result = {e.category: e for e in analysis.cache_economics(synced.store, DateRange(START, TODAY))}
    assert set(result) == set(hand) and len(hand) >= 3
    for category, saved in hand.items():
        assert saved > 0
        assert abs(result[category].saved - int(saved.scaleb(18))) <= 2, category  # two roundings
    gpt4o = result["gpt-4o"]  # standard gpt-4o lists $2.50/M input: the saving is that, less the cost
    assert gpt4o.saved == pytest.approx(gpt4o.cached_tokens * 2.5e-6 - gpt4o.cached_cost, rel=1e-9)
    assert Decimal("0.2") < gpt4o.cached_share < Decimal("0.5")


def test_tier_and_context_spend_match_the_fake(synced: Synced) -> None:
    spend = analysis.tier_spend(synced.store, DateRange(START, TODAY))
    for field, shares in (("tier", spend.by_tier), ("context", spend.by_context)):
        expected: dict[str, int] = defaultdict(int)
        for (service, value), amount in expected_totals(synced.org, ("service", field), START, TODAY).items():
            if service != "Credits":
                expected[value] += amount
        assert {s.label: s.amount for s in shares} == dict(expected)
    assert [s.label for s in spend.by_tier][:2] == ["standard", "priority"]
    assert sum(s.share for s in spend.by_tier) == pytest.approx(1)


def test_forecast_view_rows_and_total(synced: Synced) -> None:
    spec = PivotSpec(rows=("project",), cols="month", date_range=month_to_date(TODAY))
    view = analysis.forecast_view(synced.store, spec, TODAY)
    def usage(end: date) -> int:  # Nov 1..end, credits left out (the forecast is of spend, as budgets)
        by_service = expected_totals(synced.org, ("service",), date(2026, 11, 1), end)
        return sum(v for (service,), v in by_service.items() if service != "Credits")

    complete = usage(TODAY - timedelta(days=1))  # Nov 1..26: today is partial
    assert view.total.actual == complete
    assert view.total.month_to_date == usage(TODAY) != complete  # today's partial day is in
    assert sum(f.actual for f in view.rows.values()) == complete
    t = view.total
    assert t.low <= t.total <= t.high
    assert 0.9 * complete * 30 / 26 < t.total < 1.1 * complete * 30 / 26
    top = analysis.forecast_view(synced.store, PivotSpec(rows=("project",), top=2), TODAY)
    assert len(top.rows) == 3 and ("(other)",) in top.rows
    assert sum(f.actual for f in top.rows.values()) == complete
    assert analysis.forecast_view(synced.store, PivotSpec(rows=("week",), cols=None), TODAY).rows == {}


def test_coverage_start(synced: Synced) -> None:
    assert analysis.coverage_start(synced.store) == START
    assert analysis.coverage_start(synced.store, "nobody") is None
