"""The fake Admin API through a plain httpx client: in-process transport and a real loopback server."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime

import httpx
import pytest

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault, FaultPlan
from openai_cost_tui.fake.org import GROUP_FIELDS, FakeOrg
from openai_cost_tui.fake.server import serve_forever, serve_in_thread
from openai_cost_tui.fake.transport import fake_client

START, END = date(2026, 1, 1), date(2026, 3, 31)
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
T0, T_END = day_start_unix(START), day_start_unix(END) + 86400
COMBOS = [combo for n in range(4) for combo in itertools.combinations(GROUP_FIELDS, n)]


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(7, start=START, end=END, size="small")


def make(org: FakeOrg, **kwargs: object) -> tuple[FakeAdminApi, httpx.Client]:
    api = FakeAdminApi(org, clock=fixed_clock(NOW), **kwargs)  # type: ignore[arg-type]
    return api, fake_client(api, api_key="sk-admin-test-1234567890")


@pytest.fixture
def client(org: FakeOrg) -> httpx.Client:
    return make(org)[1]


def loads(response: httpx.Response) -> dict:
    return json.loads(response.text, parse_float=Decimal)


def value(result: dict) -> Decimal:
    raw = result["amount"]["value"]
    return Decimal(raw) if isinstance(raw, str | int) else raw


def fetch_all(client: httpx.Client, params: list[tuple[str, str | int]]) -> list[dict]:
    """Every bucket of a costs query, following next_page with the same parameters."""
    buckets, cursor, seen = [], None, set()
    while True:
        response = client.get("/organization/costs", params=params + ([("page", cursor)] if cursor else []))
        assert response.status_code == 200, response.text
        page = loads(response)
        buckets += page["data"]
        if not page["has_more"]:
            assert page["next_page"] is None
            return buckets
        cursor = page["next_page"]
        assert isinstance(cursor, str) and cursor not in seen
        seen.add(cursor)


def error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


# --- costs --------------------------------------------------------------------------------------


def test_default_limit_is_seven_buckets(client: httpx.Client, org: FakeOrg) -> None:
    page = loads(client.get("/organization/costs", params={"start_time": T0, "end_time": T0 + 31 * 86400}))
    assert [b["start_time"] for b in page["data"]] == [T0 + n * 86400 for n in range(7)]
    assert page["has_more"] is True and page["next_page"].startswith("page_")
    seen = sum(value(r) for b in page["data"] for r in b["results"])
    assert seen == org.total(START, START + timedelta(days=7)) < org.total(START, date(2026, 2, 1))


def test_limit_180_returns_every_day_in_one_page(client: httpx.Client, org: FakeOrg) -> None:
    page = loads(
        client.get("/organization/costs", params={"start_time": T0, "end_time": T_END, "limit": 180})
    )
    assert page["has_more"] is False and page["next_page"] is None
    assert [(b["start_time"], b["end_time"]) for b in page["data"]] == [
        (T0 + n * 86400, T0 + (n + 1) * 86400) for n in range(90)
    ]
    assert sum(value(r) for b in page["data"] for r in b["results"]) == org.total(
        START, END + timedelta(days=1)
    )


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "+".join(c) or "none")
def test_pages_cover_every_bucket_once_and_sum_to_the_org(org: FakeOrg, combo: tuple[str, ...]) -> None:
    _, client = make(org)
    name = "group_by[]" if len(combo) % 2 else "group_by"
    params: list[tuple[str, str | int]] = [("start_time", T0), ("end_time", T_END), ("limit", 13)]
    buckets = fetch_all(client, params + [(name, field) for field in combo])
    assert [b["start_time"] for b in buckets] == [T0 + n * 86400 for n in range(90)]
    got: dict[tuple, Decimal] = defaultdict(Decimal)
    want: dict[tuple, Decimal] = defaultdict(Decimal)
    for bucket in buckets:
        for r in bucket["results"]:
            got[(bucket["start_time"], *(r[f] for f in GROUP_FIELDS))] += value(r)
            for f in GROUP_FIELDS:
                assert f in combo or r[f] is None
            if "line_item" not in combo:
                assert r["quantity"] is None and r["quantity_unit"] is None
    for c in org.costs_between(START, END + timedelta(days=1)):
        key = tuple(getattr(c, f) if f in combo else None for f in GROUP_FIELDS)
        want[(day_start_unix(c.day), *key)] += c.amount
    assert got == want
    assert sum(got.values()) == org.total(START, END + timedelta(days=1))


def test_quantities_and_units_with_line_items(client: httpx.Client, org: FakeOrg) -> None:
    params = {"start_time": T0, "limit": 1, "group_by": ["line_item"]}
    results = loads(client.get("/organization/costs", params=params))["data"][0]["results"]
    by_item = {r["line_item"]: r for r in results}
    rows = [c for c in org.costs(START) if c.line_item == "Vector storage"]
    assert by_item["Vector storage"]["quantity"] == sum(c.quantity for c in rows)  # type: ignore[misc]
    assert by_item["Vector storage"]["quantity_unit"] == "gibibyte_hours"


def test_group_by_array_styles_are_equivalent(client: httpx.Client) -> None:
    repeated = client.get(
        "/organization/costs", params={"start_time": T0, "group_by": ["project_id", "line_item"]}
    )
    brackets = client.get(
        "/organization/costs",
        params=[("start_time", T0), ("group_by[]", "line_item"), ("group_by[]", "project_id")],
    )
    assert repeated.status_code == brackets.status_code == 200
    assert loads(repeated)["data"] == loads(brackets)["data"]


def test_filters_by_project_and_key(client: httpx.Client, org: FakeOrg) -> None:
    projects = [org.projects[0].id, org.projects[1].id]
    key = next(k.id for k in org.keys if k.project_id == projects[0])
    window = (START, START + timedelta(days=30))
    base = [("start_time", T0), ("end_time", T0 + 30 * 86400), ("limit", 30)]
    cases = [
        ([("project_ids", p) for p in projects], lambda c: c.project_id in projects),
        ([("project_ids[]", p) for p in projects], lambda c: c.project_id in projects),
        ([("api_key_ids[]", key)], lambda c: c.api_key_id == key),
        ([("project_ids", projects[1]), ("api_key_ids", key)], lambda c: False),
    ]
    for extra, keep in cases:
        buckets = fetch_all(client, base + extra)
        got = sum((value(r) for b in buckets for r in b["results"]), Decimal(0))
        assert got == sum((c.amount for c in org.costs_between(*window) if keep(c)), Decimal(0))


def test_today_is_present_and_the_future_is_not(org: FakeOrg) -> None:
    live = FakeOrg(7, start=date(2026, 3, 1), end=NOW.date(), size="small")
    _, client = make(live)
    start = day_start_unix(NOW.date() - timedelta(days=2))
    page = loads(
        client.get("/organization/costs", params={"start_time": start, "end_time": start + 10 * 86400})
    )
    assert [b["start_time"] for b in page["data"]] == [start, start + 86400, start + 2 * 86400]
    assert page["data"][-1]["results"] and page["has_more"] is False
    tomorrow = day_start_unix(NOW.date() + timedelta(days=1))
    assert loads(client.get("/organization/costs", params={"start_time": tomorrow}))["data"] == []
    before_org = loads(client.get("/organization/costs", params={"start_time": T0, "limit": 3}))["data"]
    assert [b["results"] for b in before_org] == [[], [], []]  # buckets exist even when empty


def test_amounts_are_exact_and_come_as_numbers_or_strings(org: FakeOrg) -> None:
    params = {"start_time": T0, "limit": 31, "group_by": list(GROUP_FIELDS)}
    finest = {
        (c.day, c.project_id, c.line_item, c.api_key_id): c.amount
        for c in org.costs_between(START, date(2026, 2, 1))
    }
    kinds = {}
    for mode in ("number", "string", "mixed"):
        _, client = make(org, amounts_as=mode)
        response = client.get("/organization/costs", params=params)
        assert not re.search(r'"(value|quantity)":-?[0-9.]+[eE]', response.text)  # no exponents
        results = [(b, r) for b in loads(response)["data"] for r in b["results"]]
        kinds[mode] = {type(r["amount"]["value"]) for _, r in results}
        for bucket, r in results:
            day = date(1970, 1, 1) + timedelta(days=bucket["start_time"] // 86400)
            assert value(r) == finest[(day, r["project_id"], r["line_item"], r["api_key_id"])]
    assert kinds == {"number": {Decimal}, "string": {str}, "mixed": {Decimal, str}}
    with pytest.raises(ValueError):
        FakeAdminApi(org, amounts_as="float")


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({}, "start_time"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"start_time": T0, "end_time": T0}, "end_time"),
        ({"start_time": T0, "bucket_width": "1h"}, "bucket_width"),
        ({"start_time": T0, "limit": 0}, "limit"),
        ({"start_time": T0, "limit": 181}, "limit"),
        ({"start_time": T0, "limit": "many"}, "limit"),
        ({"start_time": T0, "limit": [1, 2]}, "limit"),
        ({"start_time": T0, "group_by": "model"}, "group_by"),
        ({"start_time": T0, "group_by": "project_id,line_item"}, "group_by"),
        ({"start_time": T0, "page": "page_bm9wZQ"}, "page"),
        ({"start_time": T0, "page": "%%%"}, "page"),
        ({"start_time": T0, "organization": "x"}, "organization"),
        ({"start_time": T0, "limit[]": 3}, "limit[]"),
    ],
)
def test_bad_costs_requests_are_400_naming_the_parameter(
    client: httpx.Client, params: dict, param: str
) -> None:
    body = error(client.get("/organization/costs", params=params), 400)
    assert body["param"] == param and body["type"] == "invalid_request_error"


def test_a_cursor_only_works_with_its_own_parameters(client: httpx.Client) -> None:
    params: dict = {"start_time": T0, "end_time": T_END, "group_by": ["line_item"]}
    cursor = loads(client.get("/organization/costs", params=params))["next_page"]
    assert client.get("/organization/costs", params={**params, "page": cursor}).status_code == 200
    for changed in (
        {"group_by": ["project_id"]},
        {"limit": 30},
        {"end_time": T_END - 86400},
        {"project_ids": "p"},
    ):
        body = error(client.get("/organization/costs", params={**params, **changed, "page": cursor}), 400)
        assert body["param"] == "page"
    reordered = [("group_by[]", "line_item"), ("end_time", T_END), ("start_time", T0), ("page", cursor)]
    assert client.get("/organization/costs", params=reordered).status_code == 200


def test_organizations_that_reject_api_key_grouping(org: FakeOrg) -> None:
    _, client = make(org, reject_api_key_grouping=True)
    body = error(
        client.get("/organization/costs", params={"start_time": T0, "group_by": ["api_key_id"]}), 400
    )
    assert body["param"] == "group_by" and "api_key_id" in body["message"]
    assert (
        client.get("/organization/costs", params={"start_time": T0, "group_by": ["project_id"]}).status_code
        == 200
    )


def test_ignored_grouping_returns_ungrouped_totals(org: FakeOrg) -> None:
    _, client = make(org, ignore_grouping=True)
    params = {"start_time": T0, "limit": 5, "group_by": ["project_id", "line_item"]}
    for n, bucket in enumerate(loads(client.get("/organization/costs", params=params))["data"]):
        (result,) = bucket["results"]
        assert all(result[f] is None for f in (*GROUP_FIELDS, "quantity", "quantity_unit"))
        day = START + timedelta(days=n)
        assert value(result) == org.total(day, day + timedelta(days=1))


# --- auth, methods, paths -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("", 401),
        ("Bearer ", 401),
        ("Bearer sk-admin-", 401),
        ("Bearer sk-live-abc123", 401),
        ("Basic sk-admin-abc123", 401),
        ("Bearer sk-proj-abc123def456", 403),
        ("Bearer sk-admin-revoked-0001", 401),
        ("bearer sk-admin-lowercase-scheme", 200),
    ],
)
def test_only_admin_keys_get_in(org: FakeOrg, authorization: str | None, status: int) -> None:
    api = FakeAdminApi(org, clock=fixed_clock(NOW), revoked_keys={"sk-admin-revoked-0001"})
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.handle("GET", "/v1/organization/projects", [], headers)
    assert response.status == status
    if status != 200:
        body = json.loads(response.body)["error"]
        assert set(body) == {"message", "type", "param", "code"}
        token = (authorization or "").partition(" ")[2]
        assert len(token) <= len("sk-admin-") or token not in body["message"]
    if status == 403:
        assert "api.usage.read" in body["message"] and "Admin key" in body["message"]


def test_only_get_is_allowed(client: httpx.Client) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, "/organization/costs", json={"x": 1})
        error(response, 405)
        assert response.headers["allow"] == "GET"


def test_unknown_paths_and_projects_are_404(client: httpx.Client) -> None:
    for path in ("/organization/invoices", "/organization/costs/extra", "/models"):
        error(client.get(path), 404)
    error(client.get("https://api.openai.com/organization/costs", params={"start_time": T0}), 404)  # no /v1
    for suffix in ("", "/api_keys", "/spend_limit", "/spend_alerts"):
        error(client.get(f"/organization/projects/proj_missing{suffix}"), 404)


def test_requests_are_recorded_without_headers(org: FakeOrg) -> None:
    api, client = make(org)
    client.get("/organization/costs", params=[("start_time", T0), ("group_by[]", "line_item")])
    client.get("/organization/projects")
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", "/v1/organization/costs"),
        ("GET", "/v1/organization/projects"),
    ]
    assert api.requests[0].query == (("start_time", str(T0)), ("group_by[]", "line_item"))
    assert "sk-admin" not in repr(api.requests) and len(api.requests_to("costs")) == 1


# --- projects and keys --------------------------------------------------------------------------


def list_all(client: httpx.Client, path: str, **params: object) -> list[dict]:
    items: list[dict] = []
    while True:
        page = client.get(path, params={**params, **({"after": items[-1]["id"]} if items else {})}).json()
        assert page["object"] == "list"
        if page["data"]:
            assert (page["first_id"], page["last_id"]) == (page["data"][0]["id"], page["data"][-1]["id"])
        items += page["data"]
        if not page["has_more"]:
            return items


def test_projects_paginate_and_hide_archived_by_default(client: httpx.Client, org: FakeOrg) -> None:
    active = list_all(client, "/organization/projects", limit=1)
    everything = list_all(client, "/organization/projects", limit=3, include_archived="true")
    assert {p["id"] for p in active} == {p.id for p in org.projects if p.archived_at is None}
    assert {p["id"] for p in everything} == {p.id for p in org.projects}
    assert len(everything) == len({p["id"] for p in everything})
    archived = [p for p in everything if p["archived_at"] is not None]
    assert archived and all(p["status"] == "archived" for p in archived)
    assert len(loads(client.get("/organization/projects"))["data"]) == len(active)  # default limit 20
    one = client.get(f"/organization/projects/{archived[0]['id']}").json()
    assert one == archived[0]
    assert error(client.get("/organization/projects", params={"limit": 101}), 400)["param"] == "limit"
    assert error(client.get("/organization/projects", params={"include_archived": "yes"}), 400)["param"] == (
        "include_archived"
    )
    assert error(client.get("/organization/projects", params={"after": "proj_nope"}), 400)["param"] == "after"


def test_api_keys_paginate_per_project_including_archived(client: httpx.Client, org: FakeOrg) -> None:
    for project in org.projects:
        keys = list_all(client, f"/organization/projects/{project.id}/api_keys", limit=1)
        assert [k["id"] for k in keys] == [
            k.id for k in sorted(org.keys_of(project.id), key=lambda k: k.created_at)
        ]
        for key in keys:
            assert key["object"] == "organization.project.api_key" and key["owner"]["type"] in (
                "user",
                "service_account",
            )
    some = org.projects[0].id
    assert (
        loads(
            client.get(f"/organization/projects/{some}/api_keys", params={"owner_project_access": "inactive"})
        )["data"]
        == []
    )
    assert (
        error(client.get(f"/organization/projects/{some}/api_keys", params={"limit": 0}), 400)["param"]
        == "limit"
    )


def test_other_endpoints_answer(client: httpx.Client, org: FakeOrg) -> None:
    pid = org.projects[0].id
    usage = loads(client.get("/organization/usage/completions", params={"start_time": T0, "limit": 3}))
    assert [b["results"] for b in usage["data"]] == [[], [], []] and usage["has_more"] is True
    hourly = loads(
        client.get("/organization/usage/completions", params={"start_time": T0, "bucket_width": "1h"})
    )
    assert len(hourly["data"]) == 24
    assert error(client.get("/organization/usage/completions", params={"start_time": T0, "limit": 32}), 400)
    assert client.get("/organization/spend_alerts").json()["data"][0]["object"] == "organization.spend_alert"
    assert client.get(f"/organization/projects/{pid}/spend_alerts").json()["data"] == []
    assert client.get("/organization/spend_limit").json()["threshold_amount"] > 0
    assert client.get(f"/organization/projects/{pid}/spend_limit").json()["object"] == "project.spend_limit"


# --- faults -------------------------------------------------------------------------------------


def with_faults(org: FakeOrg, *faults: Fault) -> httpx.Client:
    return make(org, faults=FaultPlan(faults))[1]


def get_costs(client: httpx.Client, **kwargs: object) -> httpx.Response:
    return client.get("/organization/costs", params={"start_time": T0}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(None, "1"), ("2", "2"), ("", None), ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed,")],
)
def test_429_then_success(org: FakeOrg, retry_after: str | None, header: str | None) -> None:
    client = with_faults(org, Fault("429", retry_after=retry_after))
    response = get_costs(client)
    assert error(response, 429)["code"] == "rate_limit_exceeded"
    assert (response.headers.get("retry-after") or "")[:4] == (header or "")
    assert get_costs(client).status_code == 200


def test_429_with_an_http_date(org: FakeOrg) -> None:
    response = get_costs(with_faults(org, Fault("429", retry_after="date+30")))
    assert parsedate_to_datetime(response.headers["retry-after"]) == NOW + timedelta(seconds=30)


def test_server_errors(org: FakeOrg) -> None:
    client = with_faults(org, Fault("500"), Fault("502", after=1), Fault("503", after=2, retry_after="3"))
    assert error(get_costs(client), 500)["type"] == "server_error"
    bad_gateway = get_costs(client)
    assert bad_gateway.status_code == 502 and bad_gateway.headers["content-type"].startswith("text/html")
    assert b"<html>" in bad_gateway.content
    unavailable = get_costs(client)
    assert unavailable.status_code == 503 and unavailable.headers["retry-after"] == "3"
    assert get_costs(client).status_code == 200


def test_malformed_json_auth_faults_and_counting(org: FakeOrg) -> None:
    client = with_faults(
        org, Fault("malformed", times=1), Fault("401", after=2), Fault("403", after=3, times=0)
    )
    broken = get_costs(client)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    assert get_costs(client).status_code == 200
    assert get_costs(client).status_code == 401
    assert [get_costs(client).status_code for _ in range(3)] == [403, 403, 403]  # times=0: forever


def test_faults_hit_their_path_only(org: FakeOrg) -> None:
    client = with_faults(org, Fault("500", path="projects", times=2))
    assert get_costs(client).status_code == 200
    assert client.get("/organization/projects").status_code == 500
    assert client.get(f"/organization/projects/{org.projects[0].id}/api_keys").status_code == 500
    assert client.get("/organization/projects").status_code == 200


def test_reset_and_slow_in_process(org: FakeOrg) -> None:
    client = with_faults(
        org, Fault("reset"), Fault("slow", after=1, delay=0.05), Fault("slow", after=2, delay=30)
    )
    with pytest.raises(httpx.RemoteProtocolError):
        get_costs(client)
    began = time.monotonic()
    assert get_costs(client).status_code == 200
    assert time.monotonic() - began >= 0.05
    began = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        get_costs(client, timeout=0.05)
    assert time.monotonic() - began < 5


def test_fault_plan_parsing() -> None:
    plan = FaultPlan.parse("costs:429:retry-after=1:times=2, costs:500:after=3,projects:502,*:slow:delay=0.5")
    assert plan.faults == [
        Fault("429", "costs", times=2, retry_after="1"),
        Fault("500", "costs", after=3),
        Fault("502", "projects"),
        Fault("slow", "*", delay=0.5),
    ]
    assert len(FaultPlan.parse("")) == 0
    assert FaultPlan.parse("costs:slow").next_fault("/v1/organization/costs").delay == 1.0  # type: ignore[union-attr]
    for bad, why in [
        ("costs", "expected PATH:KIND"),
        ("costs:418", "unknown kind '418'"),
        ("costs:429:times=-1", "bad value"),
        ("costs:429:times", "bad value"),
        ("costs:slow:delay=soon", "bad value"),
        ("costs:429:every=2", "unknown option 'every'"),
    ]:
        with pytest.raises(ValueError, match=why):
            FaultPlan.parse(bad)
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("teapot")


def test_fault_plan_counts_requests_per_fault() -> None:
    plan = FaultPlan([Fault("500", after=1, times=2)])
    got = [plan.next_fault("/v1/organization/costs") for _ in range(5)]
    assert [f.kind if f else None for f in got] == [None, "500", "500", None, None]
    assert plan.next_fault("/v1/organization/projects") is None and plan.fired == 2
    plan.add(Fault("503", path="projects"))
    assert plan.next_fault("/v1/organization/projects").kind == "503"  # type: ignore[union-attr]


# --- the real loopback server -------------------------------------------------------------------


def test_loopback_server_round_trip(org: FakeOrg, capfd: pytest.CaptureFixture[str]) -> None:
    api, in_process = make(org, faults=FaultPlan([Fault("reset", after=3), Fault("slow", after=4, delay=2)]))
    params = {"start_time": T0, "limit": 3, "group_by": ["line_item"]}
    key = "sk-admin-server-secret-5678"
    with serve_in_thread(api) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            over_http = client.get("/organization/costs", params=params)
            assert over_http.status_code == 200 and over_http.http_version == "HTTP/1.1"
            assert over_http.content == in_process.get("/organization/costs", params=params).content
            assert client.post("/organization/costs", content=b"{}").status_code == 405
            with pytest.raises(httpx.TransportError):
                client.get("/organization/costs", params=params)
            with pytest.raises(httpx.ReadTimeout):
                client.get("/organization/costs", params=params, timeout=0.2)
            assert client.get("/organization/projects").status_code == 200
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert key not in out + err


def test_non_loopback_hosts_are_refused(org: FakeOrg) -> None:
    api = FakeAdminApi(org)
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        with pytest.raises(ValueError, match="loopback"), serve_in_thread(api, host=host):
            pass
        with pytest.raises(ValueError, match="loopback"):
            serve_forever(api, host=host, port=0)


def test_serve_forever_reports_its_url(org: FakeOrg) -> None:
    class Ready(Exception):
        pass

    seen = []

    def on_ready(url: str) -> None:
        seen.append(url)
        raise Ready  # stop before serving

    with pytest.raises(Ready):
        serve_forever(FakeAdminApi(org), host="localhost", port=0, on_ready=on_ready)
    assert seen and seen[0].startswith("http://127.0.0.1:")
