"""AdminClient over httpx.MockTransport: pagination, retries, errors, cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from openai_cost_tui.api.client import AdminClient, CostsQuery
from openai_cost_tui.api.errors import GroupingRejected
from openai_cost_tui.api.retry import RetryPolicy
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.core.errors import ApiError, AuthError, BadAmount, Cancelled, ProtocolError, UsageError
from openai_cost_tui.core.secret import Secret

KEY = Secret("sk-admin-" + "k" * 40)
START = date(2026, 1, 1)
Q = CostsQuery(START, date(2026, 2, 1))
Handler = Callable[[httpx.Request], httpx.Response]


def make(handler: Handler, **kw) -> tuple[AdminClient, list[float]]:
    sleeps: list[float] = []
    kw.setdefault("retry", RetryPolicy(seed=1))
    client = AdminClient(KEY, transport=httpx.MockTransport(handler), sleep=sleeps.append, **kw)
    return client, sleeps


def result(
    value: object = "1.25", project: str | None = "proj_a", line_item: str | None = "gpt-4o, input"
) -> dict:
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "project_id": project,
        "line_item": line_item,
        "api_key_id": None,
        "quantity": None,
        "quantity_unit": None,
    }


def costs_page(day: date, results: list, next_page: str | None = None, has_more: bool | None = None) -> dict:
    start = day_start_unix(day)
    bucket = {"object": "bucket", "start_time": start, "end_time": start + 86400, "results": results}
    more = next_page is not None if has_more is None else has_more
    return {"object": "page", "data": [bucket], "has_more": more, "next_page": next_page}


def ok_page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=costs_page(START, [result()]))


def sequence(*responses: object) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with each response in turn (exceptions are raised), then ok pages."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if queue else ok_page
        if isinstance(item, type) and issubclass(item, Exception):
            raise item("simulated", request=request)
        return item(request) if callable(item) else item

    return handler, seen


# -- pagination --------------------------------------------------------------------------------------


def test_pages_repeat_every_parameter() -> None:
    pages = {None: ("c1", 0), "c1": ("c2", 1), "c2": (None, 2)}
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        nxt, offset = pages[request.url.params.get("page")]
        return httpx.Response(
            200, json=costs_page(START + timedelta(days=offset), [result(str(offset))], nxt)
        )

    query = CostsQuery(START, date(2026, 1, 4), project_ids=("proj_a", "proj_b"), api_key_ids=("key_a",))
    client, _ = make(handler)
    rows = client.costs(query)
    assert [(r.day.day, r.amount) for r in rows] == [(1, 0), (2, 10**18), (3, 2 * 10**18)]
    base = [
        ("start_time", str(day_start_unix(START))),
        ("end_time", str(day_start_unix(date(2026, 1, 4)))),
        ("bucket_width", "1d"),
        ("limit", "180"),
        ("group_by", "project_id"),
        ("group_by", "line_item"),
        ("group_by", "api_key_id"),
        ("project_ids", "proj_a"),
        ("project_ids", "proj_b"),
        ("api_key_ids", "key_a"),
    ]
    assert [r.url.params.multi_items() for r in seen] == [
        base,
        base + [("page", "c1")],
        base + [("page", "c2")],
    ]
    assert all(r.method == "GET" and r.url.path == "/v1/organization/costs" for r in seen)
    assert seen[0].headers["user-agent"].startswith("openai-cost-tui/")
    assert seen[0].headers["authorization"] == "Bearer " + KEY.reveal()


def test_hundreds_of_pages_give_the_exact_union() -> None:
    n = 400

    def handler(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params.get("page", "0"))
        nxt = str(index + 1) if index + 1 < n else None
        return httpx.Response(
            200,
            json=costs_page(START + timedelta(days=index), [result(f"0.000000000000000{index % 10}1")], nxt),
        )

    client, _ = make(handler)
    pages = list(client.iter_cost_pages(CostsQuery(START, START + timedelta(days=n))))
    assert len(pages) == n and pages[-1].has_more is False
    assert (
        sum(row.amount for page in pages for row in page.rows)
        == sum((i % 10) * 10 + 1 for i in range(n)) * 10
    )
    assert len({day for page in pages for day in page.buckets}) == n


def test_repeated_cursor_fails() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        nxt = {None: "a", "a": "b", "b": "a"}[request.url.params.get("page")]
        return httpx.Response(200, json=costs_page(START, [result()], nxt))

    client, _ = make(handler)
    got = []
    with pytest.raises(ProtocolError, match="same page cursor"):
        for page in client.iter_cost_pages(Q):
            got.append(page)
    assert len(got) == 2


def test_cursor_equal_to_itself_and_has_more_without_cursor_fail() -> None:
    client, _ = make(lambda r: httpx.Response(200, json=costs_page(START, [], "same")))
    with pytest.raises(ProtocolError, match="same page cursor"):
        client.costs(Q)
    client, _ = make(lambda r: httpx.Response(200, json=costs_page(START, [result()], None, has_more=True)))
    with pytest.raises(ProtocolError, match="no cursor"):
        client.costs(Q)


def test_page_budget_guards_endless_cursors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=costs_page(START, [], str(int(request.url.params.get("page", "0")) + 1))
        )

    client, _ = make(handler, max_pages=50)
    with pytest.raises(ProtocolError, match="more than 50 pages"):
        client.costs(Q)


def test_has_more_false_ignores_a_stray_cursor() -> None:
    handler, seen = sequence(httpx.Response(200, json=costs_page(START, [result()], "x", has_more=False)))
    client, _ = make(handler)
    assert len(client.costs(Q)) == 1 and len(seen) == 1


def test_bad_amount_or_ignored_grouping_fail_the_window() -> None:
    for bad in (None, "abc", "NaN", True):
        client, _ = make(
            lambda r, bad=bad: httpx.Response(200, json=costs_page(START, [result(), result(bad)]))
        )
        with pytest.raises(BadAmount):
            client.costs(Q)
    client, _ = make(
        lambda r: httpx.Response(200, json=costs_page(START, [result(project=None, line_item=None)]))
    )
    with pytest.raises(ProtocolError, match="ignored the grouping"):
        client.costs(Q)


def test_query_validation() -> None:
    with pytest.raises(UsageError):
        CostsQuery(START, START)
    with pytest.raises(UsageError):
        CostsQuery(START, date(2026, 2, 1), group_by=("model",))
    with pytest.raises(UsageError):
        CostsQuery(START, date(2026, 2, 1), limit=181)
    assert CostsQuery(START, date(2026, 1, 2), group_by=["line_item"]).group_by == ("line_item",)
    with pytest.raises(UsageError):
        AdminClient(KEY, base_url="api.openai.com/v1")


# -- retries -------------------------------------------------------------------------------------------


def test_429_retry_after_seconds() -> None:
    handler, seen = sequence(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(429, headers={"Retry-After": "7"})
    )
    client, sleeps = make(handler)
    assert len(client.costs(Q)) == 1
    assert sleeps == [2.0, 7.0] and len(seen) == 3


def test_429_retry_after_http_date_and_absurd_value_gives_up() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    handler, _ = sequence(
        httpx.Response(429, headers={"Retry-After": when}),
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        httpx.Response(429, headers={"Retry-After": "60"}),
    )
    client, sleeps = make(handler)
    client.costs(Q)
    assert 15 < sleeps[0] <= 20 and sleeps[1:] == [0.0, 60.0]
    # more than the 60 s cap: no point retrying sooner than asked, so it gives up at once
    handler, seen = sequence(httpx.Response(429, headers={"Retry-After": "86400"}))
    client, sleeps = make(handler)
    with pytest.raises(ApiError, match="asked to wait 86,400 s"):
        client.costs(Q)
    assert sleeps == [] and len(seen) == 1


def test_429_without_retry_after_backs_off_with_jitter() -> None:
    handler, _ = sequence(*[httpx.Response(429)] * 4)
    client, sleeps = make(handler)
    client.costs(Q)
    assert len(sleeps) == 4
    assert all(0 <= s <= min(30, 0.5 * 2**i) for i, s in enumerate(sleeps))
    again, sleeps2 = make(sequence(*[httpx.Response(429)] * 4)[0])
    again.costs(Q)
    assert sleeps2 == sleeps  # seeded


def test_5xx_html_timeouts_and_resets_are_retried() -> None:
    handler, seen = sequence(
        httpx.Response(
            500, json={"error": {"message": "oops", "type": "server_error", "param": None, "code": None}}
        ),
        httpx.Response(502, html="<html><body><h1>502 Bad Gateway</h1></body></html>"),
        httpx.Response(503, text="upstream unavailable"),
        httpx.Response(504),
        httpx.ReadTimeout,
        httpx.ConnectTimeout,
        httpx.RemoteProtocolError,
        httpx.ConnectError,
        httpx.ReadError,
    )
    client, sleeps = make(handler, retry=RetryPolicy(seed=2, max_attempts=20))
    assert len(client.costs(Q)) == 1
    assert len(seen) == 10 and len(sleeps) == 9


@pytest.mark.parametrize("exc", [httpx.UnsupportedProtocol, httpx.LocalProtocolError])
def test_non_retryable_transport_errors(exc: type[Exception]) -> None:
    handler, seen = sequence(exc)
    client, sleeps = make(handler)
    with pytest.raises(ApiError, match="could not reach"):
        client.costs(Q)
    assert len(seen) == 1 and sleeps == []


def test_budget_exhaustion_gives_up_with_last_reason() -> None:
    handler, seen = sequence(*[httpx.Response(503, headers={"Retry-After": "60"}, html="<h1>down</h1>")] * 50)
    client, sleeps = make(handler, retry=RetryPolicy(max_attempts=100, budget_seconds=300))
    with pytest.raises(ApiError) as info:
        client.costs(Q)
    err = info.value
    assert sleeps == [60.0] * 4 and len(seen) == 5
    assert "gave up after 5 attempts over 240 s" in str(err) and "503" in str(err)
    assert err.retryable and err.status == 503 and not isinstance(err, ProtocolError)


def test_max_attempts_gives_up() -> None:
    handler, seen = sequence(*[httpx.RemoteProtocolError] * 10)
    client, sleeps = make(handler, retry=RetryPolicy(max_attempts=3, seed=0))
    with pytest.raises(ApiError, match=r"gave up after 3 attempts .*closed by the server") as info:
        client.costs(Q)
    assert len(seen) == 3 and len(sleeps) == 2 and info.value.retryable and info.value.status is None


# -- errors that are not retried ------------------------------------------------------------------------


def err(status: int, message: str = "nope", param: str | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}},
    )


def run_once(response: httpx.Response, call: str = "costs") -> Exception:
    handler, seen = sequence(response)
    client, sleeps = make(handler)
    with pytest.raises(ApiError) as info:
        client.costs(Q) if call == "costs" else client.check_key()
    assert len(seen) == 1 and sleeps == []
    return info.value


def test_400_group_by_is_grouping_rejected() -> None:
    error = run_once(err(400, "Invalid value for group_by: 'api_key_id'", "group_by"))
    assert isinstance(error, GroupingRejected) and error.status == 400 and "group_by" in str(error)
    assert isinstance(run_once(err(400, "group_by api_key_id is not supported")), GroupingRejected)


def test_400_other_names_the_param() -> None:
    error = run_once(err(400, "limit too large", "limit"))
    assert (
        not isinstance(error, GroupingRejected)
        and "parameter limit" in str(error)
        and "limit too large" in str(error)
    )


def test_401_and_403_are_auth_errors_with_guidance() -> None:
    e401 = run_once(err(401, "Incorrect API key provided: sk-admin-****kkkk."), "check")
    assert (
        isinstance(e401, AuthError)
        and "(401)" in str(e401)
        and "revoked" in str(e401)
        and "Admin key" in str(e401)
    )
    assert "sk-admin-*" not in str(e401)
    e403 = run_once(httpx.Response(403, json={"error": "insufficient permissions"}), "check")
    assert isinstance(e403, AuthError) and "project key" in str(e403) and "organization owner" in str(e403)
    assert "insufficient permissions" in str(e403)


def test_404_suggests_the_base_url_and_html_bodies_stay_short() -> None:
    e404 = run_once(httpx.Response(404, html="<html>" + "x" * 5000 + "</html>"))
    assert "base URL" in str(e404) and len(str(e404)) < 300
    moved = run_once(httpx.Response(301, headers={"Location": "https://elsewhere.example/"}))
    assert "base URL" in str(moved) and moved.status == 301
    long = run_once(err(418, "y" * 5000))
    assert len(str(long)) < 300 and long.status == 418


def test_check_key_sends_one_small_request() -> None:
    handler, seen = sequence(
        httpx.Response(200, json={"object": "page", "data": [], "has_more": False, "next_page": None})
    )
    client, _ = make(handler)
    client.check_key()
    params = dict(seen[0].url.params.multi_items())
    assert len(seen) == 1 and params["limit"] == "1" and "group_by" not in params
    assert int(params["end_time"]) - int(params["start_time"]) == 86400


# -- cancel ---------------------------------------------------------------------------------------------


def test_cancel_between_pages_and_between_attempts() -> None:
    cancel = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        cancel.set()
        return httpx.Response(200, json=costs_page(START, [result()], "next"))

    calls: list[httpx.Request] = []
    client, _ = make(lambda r: calls.append(r) or handler(r), cancel=cancel)
    with pytest.raises(Cancelled):
        client.costs(Q)
    assert len(calls) == 1

    cancel2 = threading.Event()
    handler2, seen2 = sequence(httpx.Response(429), httpx.Response(429))
    client2 = AdminClient(
        KEY, transport=httpx.MockTransport(handler2), sleep=lambda s: cancel2.set(), cancel=cancel2
    )
    with pytest.raises(Cancelled):
        client2.costs(Q)
    assert len(seen2) == 1


def test_real_sleep_is_interrupted_by_cancel() -> None:
    cancel = threading.Event()
    handler, seen = sequence(httpx.Response(429, headers={"Retry-After": "60"}))
    client = AdminClient(KEY, transport=httpx.MockTransport(handler), cancel=cancel)
    threading.Timer(0.05, cancel.set).start()
    with pytest.raises(Cancelled):
        client.costs(Q)
    assert len(seen) == 1


# -- projects and keys ----------------------------------------------------------------------------------


def list_handler(
    items: list[dict], seen: list[httpx.Request], *, page_size: int = 2, has_more_field: bool = True
) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        after = request.url.params.get("after")
        start = 0 if after is None else [i["id"] for i in items].index(after) + 1
        chunk = items[start : start + page_size]
        body = {
            "object": "list",
            "data": chunk,
            "first_id": chunk[0]["id"] if chunk else None,
            "last_id": chunk[-1]["id"] if chunk else None,
        }
        if has_more_field:
            body["has_more"] = start + page_size < len(items)
        return httpx.Response(200, json=body)

    return handler


def test_projects_paginate_with_after_including_archived() -> None:
    items = [
        {
            "id": f"proj_{i}",
            "object": "organization.project",
            "name": f"P{i}",
            "created_at": 0,
            "archived_at": 9 if i == 3 else None,
            "status": "archived" if i == 3 else "active",
        }
        for i in range(5)
    ]
    seen: list[httpx.Request] = []
    client, _ = make(list_handler(items, seen))
    projects = client.projects()
    assert [p.id for p in projects] == [f"proj_{i}" for i in range(5)]
    assert [p.archived for p in projects] == [False, False, False, True, False]
    assert [r.url.params.get("after") for r in seen] == [None, "proj_1", "proj_3"]
    assert all(
        r.url.params.get("include_archived") == "true" and r.url.params.get("limit") == "100" for r in seen
    )


def test_api_keys_paginate_without_has_more() -> None:
    items = [
        {
            "id": f"key_{i}",
            "object": "organization.project.api_key",
            "name": f"k{i}",
            "redacted_value": "sk-...x",
        }
        for i in range(250)
    ]
    seen: list[httpx.Request] = []
    client, _ = make(list_handler(items, seen, page_size=100, has_more_field=False))
    keys = client.api_keys("proj_a")
    assert [k.id for k in keys] == [f"key_{i}" for i in range(250)] and {k.project_id for k in keys} == {
        "proj_a"
    }
    assert [r.url.path for r in seen] == ["/v1/organization/projects/proj_a/api_keys"] * 3


def test_list_repeated_page_fails() -> None:
    body = {"object": "list", "data": [{"id": "proj_a", "name": "A"}], "has_more": True, "last_id": "proj_a"}
    client, _ = make(lambda r: httpx.Response(200, json=body))
    with pytest.raises(ProtocolError, match="repeated"):
        client.projects()
    client, _ = make(lambda r: httpx.Response(200, json={"object": "list", "data": [], "has_more": True}))
    with pytest.raises(ProtocolError):
        client.projects()


def test_context_manager_closes() -> None:
    with make(ok_page)[0] as client:
        assert repr(client) == "AdminClient(base_url='https://api.openai.com/v1')"
    assert client._http.is_closed
