"""Spend limits and alerts: GET only, parsed exactly (cents -> atto-dollars), None when not allowed."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from openai_cost_tui.api.client import AdminClient
from openai_cost_tui.api.limits import (
    SpendAlert,
    SpendLimit,
    describe_alerts,
    describe_limit,
    parse_spend_alerts_page,
    parse_spend_limit,
)
from openai_cost_tui.core.errors import AuthError, ProtocolError, UsageError
from openai_cost_tui.core.models import Project
from openai_cost_tui.core.secret import Secret
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault, FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.services.checks import read_limits
from openai_cost_tui.store.store import NewConnection, Store
from openai_cost_tui.sync.engine import SyncEngine

DOLLAR = 10**18
ADMIN = Secret("sk-admin-" + "a" * 40)


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(3, start=date(2026, 1, 1), end=date(2026, 2, 1), size="small")


def client(org, key=ADMIN, **api_options) -> tuple[AdminClient, FakeAdminApi]:
    api = FakeAdminApi(org, **api_options)
    return AdminClient(key, transport=fake_transport(api), sleep=lambda s: None), api


def test_the_organization_limit_and_alerts(org) -> None:
    c, api = client(org)
    # the fake: limit 2_500_000 cents, alert at 500_000 cents
    lim = c.spend_limit()
    assert lim == SpendLimit(25_000 * DOLLAR, "usd", "month", "enforcing") and lim.enforcing
    alerts = c.spend_alerts()
    assert [(a.amount, a.currency, a.interval, a.recipients) for a in alerts] == [
        (5_000 * DOLLAR, "usd", "month", ("finance@example.com",))
    ]
    assert all(r.method == "GET" for r in api.requests)
    assert [r.path for r in api.requests] == ["/v1/organization/spend_limit", "/v1/organization/spend_alerts"]


def test_a_project_limit_and_alerts(org) -> None:
    c, _ = client(org)
    pid = org.projects[0].id
    lim = c.project_spend_limit(pid)
    assert lim == SpendLimit(2_000 * DOLLAR, "usd", "month", "inactive", pid) and not lim.enforcing
    assert c.project_spend_alerts(pid) == []


def test_not_allowed_or_not_there_is_none_quietly(org) -> None:
    assert client(org)[0].project_spend_limit("proj_missing") is None  # 404
    assert client(org)[0].project_spend_alerts("proj_missing") is None
    forbidden = FaultPlan([Fault("403", path="spend", times=0)])
    c, _ = client(org, faults=forbidden)
    assert c.spend_limit() is None and c.spend_alerts() is None
    with pytest.raises(UsageError):
        c.project_spend_limit("../admin")


def test_a_refused_key_and_server_failures_still_raise(org) -> None:
    c, _ = client(org, faults=FaultPlan([Fault("401", path="spend_limit")]))
    with pytest.raises(AuthError, match="401"):
        c.spend_limit()
    c, _ = client(org, faults=FaultPlan([Fault("malformed", path="spend_limit", times=0)]))
    with pytest.raises(ProtocolError):
        c.spend_limit()


@pytest.mark.parametrize("body", [
    {"object": "organization.spend_limit", "threshold_amount": 1.5, "currency": "USD", "interval": "month",
     "enforcement": {"status": "enforcing"}},
    {"object": "organization.spend_limit", "threshold_amount": True, "currency": "USD", "interval": "month",
     "enforcement": {"status": "enforcing"}},
    {"object": "organization.spend_limit", "threshold_amount": -1, "currency": "USD", "interval": "month",
     "enforcement": {"status": "enforcing"}},
    {"object": "organization.spend_limit", "threshold_amount": 100, "currency": "USD", "interval": "month"},
    {"object": "project.spend_limit", "threshold_amount": 100, "currency": "USD", "interval": "month",
     "enforcement": {"status": "enforcing"}},
    {"object": "organization.spend_limit", "threshold_amount": 100, "interval": "month",
     "enforcement": {"status": "enforcing"}},
    [],
])
def test_malformed_limits_are_refused(body) -> None:
    with pytest.raises(ProtocolError):
        parse_spend_limit(body)


def test_parsing_is_exact_and_sentences() -> None:
    lim = parse_spend_limit({"object": "organization.spend_limit", "threshold_amount": 1_234_567, "currency": "USD",
                             "interval": "month", "enforcement": {"status": "enforcing"}})
    assert lim.amount == 12_345_670_000_000_000_000_000  # $12,345.67
    assert describe_limit(lim) == "hard limit $12,345.67 a month (enforcing)"
    page = parse_spend_alerts_page({"object": "list", "data": [
        {"id": "alert_b", "object": "organization.spend_alert", "threshold_amount": 80_000, "currency": "USD",
         "interval": "month", "notification_channel": {"type": "email", "recipients": ["a@x.com"]}},
        {"id": "alert_a", "object": "organization.spend_alert", "threshold_amount": 5, "currency": "USD",
         "interval": "month", "notification_channel": {}},
    ], "first_id": "alert_b", "last_id": "alert_a", "has_more": False})
    assert page.items == [SpendAlert("alert_b", 800 * DOLLAR, "usd", "month", ("a@x.com",)),
                          SpendAlert("alert_a", 5 * DOLLAR // 100, "usd", "month")]
    assert describe_alerts(page.items) == "alerts at $0.05, $800.00"


def test_writes_and_other_paths_never_leave_the_process(org) -> None:
    c, api = client(org)
    from openai_cost_tui.api.guard import GuardViolation

    with pytest.raises(GuardViolation):
        c._http.post("/organization/spend_limit", json={"threshold_amount": 1})
    assert api.requests == []


def test_read_limits_goes_on_when_one_connection_fails(tmp_path, org) -> None:
    store = Store(str(tmp_path / "costs.db"))
    good = store.add_connection(NewConnection("Good", "https://api.openai.com/v1", "env", "GOOD_KEY", date(2026, 1, 1)))
    store.add_connection(NewConnection("Keyless", "https://api.openai.com/v1", "env", "MISSING_KEY",
                                       date(2026, 1, 1)))
    pid = org.projects[0].id
    store.save_names(good.id, [Project(pid, "Search")], [])
    keys = KeyStore(tmp_path, environ={"GOOD_KEY": "sk-admin-" + "g" * 40})
    api = FakeAdminApi(org)
    engine = SyncEngine(store, keys, transport_for=lambda conn: fake_transport(api))
    first, second = read_limits(engine, store.connections(), projects=["Search"])
    assert first.limit.amount == 25_000 * DOLLAR and first.error is None
    assert first.project_limits == {"Search": SpendLimit(2_000 * DOLLAR, "usd", "month", "inactive", pid)}
    assert first.sentence() == ("limits Good: organization hard limit $25,000.00 a month (enforcing); alerts at "
                                "$5,000.00; project Search hard limit $2,000.00 a month (inactive)")
    assert second.limit is None and "MISSING_KEY" in second.error
    assert second.sentence().startswith("limits Keyless: not read (")
    assert {r.method for r in api.requests} == {"GET"}
    store.close()


def test_the_guard_allows_exactly_these_paths() -> None:
    from openai_cost_tui.api.guard import check_request

    base = httpx.URL("https://api.openai.com/v1")
    for path in ("/organization/spend_limit", "/organization/spend_alerts",
                 "/organization/projects/proj_1/spend_limit", "/organization/projects/proj_1/spend_alerts"):
        check_request("GET", base.join(f"/v1{path}"), base)
