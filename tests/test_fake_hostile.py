"""The fake API's hostile-data faults (fake/faults.py, ``fake-api --fault``): each one reproduces a case
of RELIABILITY.md, in-process and over loopback HTTP, and the client's answer to it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from openai_cost_tui.api.client import AdminClient, CostsQuery
from openai_cost_tui.api.retry import RetryPolicy
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.errors import ApiError, AuthError
from openai_cost_tui.core.secret import Secret
from openai_cost_tui.core.text import is_safe
from openai_cost_tui.fake.api import DEMO_KEY, ENDLESS_CURSOR, FakeAdminApi
from openai_cost_tui.fake.faults import DEFAULT_HUGE, HELP, HOSTILE_TEXTS, KINDS, Fault, FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.fake.transport import fake_transport
from tests.support.cli import run

KEY = Secret(DEMO_KEY)
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
Q = CostsQuery(TODAY - timedelta(days=10), TODAY)
AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(11, start=TODAY - timedelta(days=30), end=TODAY, size="small")


def fake(org: FakeOrg, *faults: Fault) -> FakeAdminApi:
    return FakeAdminApi(org, clock=fixed_clock(NOW), faults=FaultPlan(faults))


def client(api: FakeAdminApi, **kw) -> AdminClient:
    kw.setdefault("sleep", lambda s: None)
    return AdminClient(KEY, transport=fake_transport(api), **kw)


def costs_answer(api: FakeAdminApi, query: CostsQuery = Q):
    return api.handle("GET", "/v1/organization/costs", query.params(), AUTH)


# -- the fault syntax ---------------------------------------------------------------------------------


def test_new_kinds_parse_with_their_options_and_defaults() -> None:
    plan = FaultPlan.parse(
        "projects:hostile:times=0,costs:hostile-error:status=503:retry-after=2,costs:huge,"
        "costs:huge:size=600M,costs:drip,costs:drip:chunk=64:delay=0.5,costs:endless,costs:endless:times=3,"
        'costs:amount,costs:amount:value="1e400",costs:429:retry-after=999999999'
    )
    assert plan.faults == [
        Fault("hostile", "projects", times=0),
        Fault("hostile-error", "costs", status=503, retry_after="2"),
        Fault("huge", "costs", size=DEFAULT_HUGE),
        Fault("huge", "costs", size=600 * 2**20),
        Fault("drip", "costs", delay=1.0, chunk=1),
        Fault("drip", "costs", delay=0.5, chunk=64),
        Fault("endless", "costs", times=0),
        Fault("endless", "costs", times=3),
        Fault("amount", "costs", value="1e400"),
        Fault("amount", "costs", value='"1e400"'),
        Fault("429", "costs", retry_after="999999999"),
    ]
    assert DEFAULT_HUGE == 2**30  # twice the client's 512 MiB limit, so `fake-api --fault costs:huge` trips it
    for bad, why in [
        ("costs:huge:size=lots", "bad value"),
        ("costs:huge:size=2T", "bad value"),
        ("costs:drip:chunk=0", "chunk at least 1"),
        ("costs:hostile-error:status=200", "status 400..599"),
        ("costs:amount:value=", "bad value"),
        ("costs:endless:pages=3", "unknown option 'pages'"),
    ]:
        with pytest.raises(ValueError, match=why):
            FaultPlan.parse(bad)


def test_every_kind_is_documented_in_the_cli_help(capsys) -> None:
    code, out, err = run(capsys, "fake-api", "--help")
    assert code == 0 and err == ""
    for kind in KINDS:
        assert f"\n  {kind}" in HELP or f", {kind} " in HELP, kind
        assert kind in out
    assert is_safe(HELP.replace("\n", " ")) and "\\x1b]0;pwned\\x07" in out  # the escape, shown escaped


def test_the_cli_refuses_a_bad_fault_before_serving(capsys) -> None:
    code, out, err = run(capsys, "fake-api", "--port", "0", "--fault", "costs:drip:chunk=none")
    assert code == 2 and "--fault: bad fault 'costs:drip:chunk=none'" in err and out == ""


# -- markup and control characters in names and messages ------------------------------------------------


def test_hostile_names_arrive_literally_in_process_and_over_loopback(org: FakeOrg) -> None:
    api = fake(org, Fault("hostile", path="projects", times=0))
    projects = client(api).projects()
    assert [p.name for p in projects[: len(HOSTILE_TEXTS)]] == list(HOSTILE_TEXTS)[: len(projects)]
    assert {p.name for p in projects} <= set(HOSTILE_TEXTS) and len(projects) >= 3
    project = next(p for p in org.projects if org.keys_of(p.id))
    keys = client(api).api_keys(project.id)
    assert keys and {k.name for k in keys} <= set(HOSTILE_TEXTS)
    with serve_in_thread(api) as url, AdminClient(KEY, base_url=url) as over_http:
        again = over_http.projects()
    assert [(p.id, p.name) for p in again] == [(p.id, p.name) for p in projects]  # stable per id, bytes intact
    assert any("\x1b" in (p.name or "") for p in again) and any("[/bold]" in (p.name or "") for p in again)


@pytest.mark.parametrize("status", [400, 401, 404, 503])
def test_hostile_error_messages_are_shown_escaped(org: FakeOrg, status: int) -> None:
    api = fake(org, Fault("hostile-error", status=status, times=0))
    with pytest.raises(ApiError) as info:
        client(api, retry=RetryPolicy(max_attempts=2)).costs(Q)
    message = str(info.value)
    assert is_safe(message), message
    assert "[/bold] x" in message and "\\x1b]0;pwned\\x07" in message and "\\u202e" in message
    assert (status == 401) == isinstance(info.value, AuthError)
    if status == 400:
        assert "parameter [bold]\\x1b[31mgroup" in message


# -- huge and dripping bodies ---------------------------------------------------------------------------


def test_a_huge_body_is_valid_json_of_the_size_asked(org: FakeOrg) -> None:
    answer = costs_answer(fake(org, Fault("huge", size=300_000)))
    assert answer.status == 200 and answer.chunks is not None
    body = answer.content()
    assert len(body) == 300_000 and json.loads(body) == {
        "object": "page", "data": [], "has_more": False, "next_page": None
    }
    api = fake(org, Fault("huge", path="projects", size=200_000))
    with serve_in_thread(api) as url, httpx.Client(base_url=url, headers=AUTH) as http:
        response = http.get("/organization/projects")
    assert response.headers.get("transfer-encoding") == "chunked" and "content-length" not in response.headers
    assert len(response.content) == 200_000 and json.loads(response.content)["object"] == "list"


def test_a_dripping_body_is_the_normal_answer_piece_by_piece(org: FakeOrg) -> None:
    normal = costs_answer(fake(org)).body
    dripping = costs_answer(fake(org, Fault("drip", chunk=1000, delay=0.0)))
    pieces = list(dripping.chunks or ())
    assert b"".join(pieces) == normal and len(pieces) == -(-len(normal) // 1000)
    assert dripping.headers["content-length"] == str(len(normal))
    api = fake(org, Fault("drip", chunk=4096, delay=0.0))
    with serve_in_thread(api) as url, AdminClient(KEY, base_url=url) as over_http:
        assert over_http.costs(Q) == client(fake(org)).costs(Q)


# -- endless cursors and out-of-range amounts -------------------------------------------------------------


def test_an_endless_cursor_sends_a_new_cursor_every_page_then_ends_when_told(org: FakeOrg) -> None:
    api = fake(org, Fault("endless", times=3))
    pages = list(client(api).iter_cost_pages(Q))
    assert [p.has_more for p in pages] == [True, True, True, False]
    assert [r for p in pages for r in p.rows] == client(fake(org)).costs(Q)  # the first page's data is real
    cursors = [dict(r.query).get("page") for r in api.requests_to("costs")]
    assert cursors[0] is None and len(set(cursors[1:])) == 3
    assert all(c.startswith(ENDLESS_CURSOR) for c in cursors[1:])


@pytest.mark.parametrize("value", ["1e400", '"1e400"', "1" + "0" * 50, "-1000000000"])
def test_an_amount_fault_replaces_the_first_value_verbatim(org: FakeOrg, value: str) -> None:
    def load(body: bytes) -> dict:
        return json.loads(body, parse_float=Decimal)

    normal = load(costs_answer(fake(org)).body)
    altered = load(costs_answer(fake(org, Fault("amount", value=value))).body)
    first = next(b for b in altered["data"] if b["results"])["results"][0]
    assert first["amount"]["value"] == json.loads(value, parse_float=Decimal)
    first["amount"]["value"] = next(b for b in normal["data"] if b["results"])["results"][0]["amount"]["value"]
    assert altered == normal  # nothing else changed
