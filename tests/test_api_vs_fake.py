"""The client against the bundled fake Admin API over real loopback HTTP, faults injected."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from openai_cost_tui.api.client import AdminClient, CostsQuery
from openai_cost_tui.api.errors import GroupingRejected
from openai_cost_tui.api.retry import RetryPolicy
from openai_cost_tui.core import money
from openai_cost_tui.core.errors import AuthError, ProtocolError
from openai_cost_tui.core.secret import Secret
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread

KEY = Secret("sk-admin-" + "f" * 40)


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(11, size="small")


@contextmanager
def served(api: FakeAdminApi, key: Secret = KEY) -> Iterator[tuple[AdminClient, list[float]]]:
    sleeps: list[float] = []
    with serve_in_thread(api) as url:
        with AdminClient(key, base_url=url, sleep=sleeps.append, retry=RetryPolicy(seed=5)) as client:
            yield client, sleeps


def exact(value: object) -> int:
    return money.parse_exact(str(value))


def totals_by_currency(rows) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        sums[row.currency] += row.amount
    return dict(sums)


def test_a_full_year_is_exact_despite_faults(org: FakeOrg) -> None:
    faults = FaultPlan.parse(
        "costs:429:retry-after=1:times=2,costs:500:after=1,costs:502:after=2,costs:reset:after=3,"
        "costs:503:retry-after=date+3:after=4"
    )
    api = FakeAdminApi(org, faults=faults)
    end = org.end  # today is still filling: read through yesterday
    start = end - timedelta(days=365)
    query = CostsQuery(start, end)
    with served(api) as (client, sleeps):
        pages = list(client.iter_cost_pages(query))
        rows = [row for page in pages for row in page.rows]
    assert len(pages) == 3 and faults.fired == 6
    assert sleeps[:2] == [1.0, 1.0] and 0 < sleeps[-1] <= 3
    assert sorted(day for page in pages for day in page.buckets) == [
        start + timedelta(days=n) for n in range(365)
    ]
    currencies = {c.currency for c in org.costs_between(start, end)}
    assert totals_by_currency(rows) == {cur: exact(org.total(start, end, cur)) for cur in currencies}
    costs = api.requests_to("/organization/costs")
    assert {r.method for r in api.requests} == {"GET"}
    first = [p for p in costs[0].query if p[0] != "page"]
    assert all([p for p in r.query if p[0] != "page"] == first for r in costs)
    assert ("limit", "180") in first and first.count(("group_by", "line_item")) == 1


@pytest.mark.parametrize(
    "group_by",
    [
        (),
        ("project_id",),
        ("line_item",),
        ("project_id", "line_item"),
        ("api_key_id",),
        ("project_id", "line_item", "api_key_id"),
    ],
)
def test_group_by_variants_sum_to_the_org(org: FakeOrg, group_by: tuple[str, ...]) -> None:
    end = org.end
    start = end - timedelta(days=40)
    with served(FakeAdminApi(org, amounts_as="string" if len(group_by) % 2 else "number")) as (client, _):
        rows = client.costs(CostsQuery(start, end, group_by=group_by))
    assert sum(r.amount for r in rows if r.currency == "usd") == exact(org.total(start, end))
    for field in ("project_id", "line_item", "api_key_id"):
        if field not in group_by:
            assert {getattr(r, field) for r in rows} == {None}
    if "project_id" in group_by:
        expected: dict[str | None, int] = defaultdict(int)
        for cost in org.costs_between(start, end):
            if cost.currency == "usd":
                expected[cost.project_id] += exact(cost.amount)
        got: dict[str | None, int] = defaultdict(int)
        for row in rows:
            if row.currency == "usd":
                got[row.project_id] += row.amount
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


def test_grouping_refused_or_ignored(org: FakeOrg) -> None:
    query = CostsQuery(org.end - timedelta(days=10), org.end)
    with served(FakeAdminApi(org, reject_api_key_grouping=True)) as (client, _):
        with pytest.raises(GroupingRejected):
            client.costs(query)
        assert client.costs(CostsQuery(query.start, query.end, group_by=("project_id", "line_item")))
    with served(FakeAdminApi(org, ignore_grouping=True)) as (client, _):
        with pytest.raises(ProtocolError, match="ignored the grouping"):
            client.costs(query)


def test_projects_and_key_names(org: FakeOrg) -> None:
    with served(FakeAdminApi(org)) as (client, _):
        projects = client.projects()
        keys = {p.id: client.api_keys(p.id) for p in org.projects}
    assert {(p.id, p.name, p.archived) for p in projects} == {
        (p.id, p.name, p.archived_at is not None) for p in org.projects
    }
    for project in org.projects:
        assert [(k.id, k.name) for k in keys[project.id]] == [(k.id, k.name) for k in org.keys_of(project.id)]


def test_refused_keys(org: FakeOrg) -> None:
    with served(FakeAdminApi(org), Secret("sk-proj-" + "p" * 40)) as (client, _):
        with pytest.raises(AuthError, match="project key") as info:
            client.check_key()
        assert info.value.status == 403
    revoked = "sk-admin-" + "r" * 40
    with served(FakeAdminApi(org, revoked_keys={revoked}), Secret(revoked)) as (client, _):
        with pytest.raises(AuthError, match="revoked") as info:
            client.check_key()
        assert info.value.status == 401 and "rrrrrrrrrrrr" not in str(info.value)
    with served(FakeAdminApi(org)) as (client, _):
        client.check_key()
