"""Bounded work in the API client: amounts in range, body size, deadlines, pages, Retry-After waits,
cancel at any point, and no httpx exception above api/ (RELIABILITY.md, "Outside text and bounded work").

Loopback HTTP where it matters (the fake API served by fake/server.py); no test waits on timing to
synchronize: events say when a state is reached, and time bounds are generous.
"""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from openai_cost_tui.api.client import (
    MAX_BODY_BYTES,
    MAX_PAGES,
    REQUEST_DEADLINE,
    TOTAL_DEADLINE,
    AdminClient,
    CostsQuery,
)
from openai_cost_tui.api.errors import AmountOutOfRange, quote_value, scrub
from openai_cost_tui.api.parse import MAX_AMOUNT, MAX_QUANTITY, decode_json, parse_costs_page
from openai_cost_tui.api.retry import RetryPolicy
from openai_cost_tui.core import money
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.core.errors import ApiError, BadAmount, Cancelled, CostToolError, ProtocolError
from openai_cost_tui.core.secret import Secret
from openai_cost_tui.core.text import is_safe
from openai_cost_tui.fake.api import DEMO_KEY, FakeAdminApi
from openai_cost_tui.fake.faults import Fault, FaultPlan
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.fake.transport import fake_transport

KEY = Secret(DEMO_KEY)
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
DAY = date(2026, 11, 20)
Q = CostsQuery(DAY, DAY + timedelta(days=3))


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(5, start=TODAY - timedelta(days=60), end=TODAY, size="small")


def fake(org: FakeOrg, *faults: Fault) -> FakeAdminApi:
    return FakeAdminApi(org, clock=fixed_clock(NOW), faults=FaultPlan(faults))


def in_process(api: FakeAdminApi, **kw) -> AdminClient:
    kw.setdefault("sleep", lambda s: None)
    return AdminClient(KEY, transport=fake_transport(api), **kw)


@contextmanager
def over_loopback(api: FakeAdminApi, **kw) -> Iterator[AdminClient]:
    with serve_in_thread(api) as url, AdminClient(KEY, base_url=url, **kw) as client:
        yield client


def page(value: object, *, quantity: object = None, day: date = DAY) -> bytes:
    start = day_start_unix(day)
    qty = "null" if quantity is None else quantity
    result = (
        f'{{"object":"organization.costs.result","amount":{{"value":{value},"currency":"usd"}},'
        f'"line_item":"x","project_id":"proj_a","api_key_id":null,"quantity":{qty},"quantity_unit":null}}'
    )
    return (
        '{"object":"page","has_more":false,"next_page":null,"data":[{"object":"bucket",'
        f'"start_time":{start},"end_time":{start + 86400},"results":[{result}]}}]}}'
    ).encode()


# -- 1. amounts out of range ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("json_value", "shown"),
    [
        ("1e400", "1E+400"),
        ('"1e400"', '"1e400"'),
        ("-1e400", "-1E+400"),
        ("1" + "0" * 49, "1" + "0" * 36 + "..."),
        ('"' + "9" * 50 + '"', '"' + "9" * 35 + '..."'),
        ("1e999999999", "1E+999999999"),
        ('"1E+999999999"', '"1E+999999999"'),
        ("1" + "0" * 5000, "1" + "0" * 36 + "..."),  # past Python's 4300-digit int conversion limit
        ('"' + "1" * 500 + '"', '"' + "1" * 35 + '..."'),
        ("1000000000.000000000000000001", "1000000000.000000000000000001"),
    ],
)
def test_amounts_out_of_range_fail_the_page_naming_day_and_value(json_value: str, shown: str) -> None:
    began = time.monotonic()
    with pytest.raises(AmountOutOfRange) as info:
        parse_costs_page(decode_json(page(json_value)))
    assert time.monotonic() - began < 2  # an exponent of a billion is never expanded
    message = str(info.value)
    assert isinstance(info.value, ProtocolError) and isinstance(info.value, CostToolError)
    assert DAY.isoformat() in message and shown in message and len(shown) <= 40
    assert "1,000,000,000" in message and is_safe(message)


def test_the_bound_itself_and_everything_below_it_parse_exactly() -> None:
    for json_value, atto in [
        ("1000000000", MAX_AMOUNT * 10**18),
        ('"-1000000000"', -MAX_AMOUNT * 10**18),
        ("999999999.9999999999999999", 999999999_9999999999999999 * 100),
        ('"1e9"', 10**27),
        ("1e-18", 1),
    ]:
        assert parse_costs_page(decode_json(page(json_value))).rows[0].amount == atto, json_value


def test_quantities_have_their_own_bound_and_tiny_exponents_do_not_round_to_zero() -> None:
    assert parse_costs_page(decode_json(page("1", quantity=str(MAX_QUANTITY)))).rows[0].quantity == MAX_QUANTITY * 10**18
    with pytest.raises(AmountOutOfRange, match=rf"quantity out of range for {DAY}: 1E\+16"):
        parse_costs_page(decode_json(page("1", quantity="1e16")))
    with pytest.raises(BadAmount, match="more than 18 decimal places"):
        parse_costs_page(decode_json(page("1e-999999999")))  # would underflow to 0 in the scaling


def test_quoted_values_are_short_and_never_raw() -> None:
    hostile = "\x1b]0;pwned\x07" + "9" * 80
    quoted = quote_value(hostile)
    assert is_safe(quoted) and "\\x1b" in quoted and len(quoted) <= 40
    assert quote_value(Decimal("1E+400")) == "1E+400"
    line = scrub("[/bold] x \x1b]0;pwned\x07\r\n\u202eevil")
    assert is_safe(line) and "[/bold] x" in line and "\\x1b]0;pwned\\x07" in line and "\\u202e" in line


def _two_connection_rig(tmp_path, *faults: Fault):
    from openai_cost_tui.keys.keystore import KeyStore
    from openai_cost_tui.store.store import NewConnection, Store
    from openai_cost_tui.sync.engine import SyncEngine

    start = TODAY - timedelta(days=40)
    org = FakeOrg(3, start=start, end=TODAY, size="small")
    store = Store(str(tmp_path / "costs.db"))
    keys = KeyStore(tmp_path, environ={"ONE": "sk-admin-" + "1" * 40, "TWO": "sk-admin-" + "2" * 40})
    first = store.add_connection(NewConnection("First", "https://api.openai.com/v1", "env", "ONE", start))
    second = store.add_connection(NewConnection("Second", "https://api.openai.com/v1", "env", "TWO", start))
    apis = {first.id: fake(org, *faults), second.id: fake(org)}
    engine = SyncEngine(store, keys, clock=fixed_clock(NOW), transport_for=lambda c: fake_transport(apis[c.id]),
                        client_options={"sleep": lambda s: None})
    return org, store, engine, first, second


def test_an_out_of_range_amount_fails_its_connection_and_the_others_still_sync(tmp_path) -> None:
    org, store, engine, first, second = _two_connection_rig(tmp_path, Fault("amount", value="1e400"))
    try:
        results = engine.sync_all(store.connections())
        assert [r.outcome for r in results] == ["failed", "ok"]
        # the fault replaces the first result of the first page: the newest window's oldest day with costs
        window_start = TODAY - timedelta(days=30)
        day = next(d for d in (window_start + timedelta(days=i) for i in range(31)) if org.costs(d))
        error = results[0].error or ""
        assert day.isoformat() in error and "1E+400" in error and "out of range" in error
        failed = store.connection(first.id)
        assert failed.status == "failed" and failed.last_error == error and store.cost_count(first.id) == 0
        synced = store.connection(second.id)
        assert synced.status == "ok" and synced.last_error is None and store.cost_count(second.id) > 0
    finally:
        store.close()


def test_an_amount_at_the_bound_is_stored_exactly(tmp_path) -> None:
    _, store, engine, first, _ = _two_connection_rig(tmp_path, Fault("amount", value="-1000000000"))
    try:
        result = engine.sync(store.connection(first.id))
        assert result.ok, result.error
        amounts = {money.join(row[7], row[8]) for row in store.dump_costs(first.id)}  # amount_hi, amount_lo
        assert -MAX_AMOUNT * 10**18 in amounts
    finally:
        store.close()


# -- 2. maximum response size -------------------------------------------------------------------------


def test_the_size_limit_is_far_above_a_real_page() -> None:
    large = FakeOrg(7, start=TODAY - timedelta(days=2), end=TODAY, size="large")
    api = FakeAdminApi(large, clock=fixed_clock(NOW))
    query = CostsQuery(TODAY - timedelta(days=1), TODAY)
    answer = api.handle("GET", "/v1/organization/costs", query.params(), {"Authorization": f"Bearer {DEMO_KEY}"})
    assert MAX_BODY_BYTES == 512 * 2**20
    assert 180 * len(answer.body) < MAX_BODY_BYTES / 2  # the largest real page: 180 days of the large org


def test_a_huge_body_over_loopback_is_refused_without_reading_it_all(org: FakeOrg) -> None:
    api = fake(org, Fault("huge", size=64 * 2**20))
    began = time.monotonic()
    with over_loopback(api, max_body_bytes=2**20) as client, pytest.raises(ApiError) as info:
        client.costs(Q)
    assert "the API's answer for costs was larger than 1 MiB" in str(info.value)
    assert not isinstance(info.value, ProtocolError) and time.monotonic() - began < 10


def test_reading_stops_at_the_limit_in_memory_too(org: FakeOrg) -> None:
    made: list[int] = []

    def body() -> Iterator[bytes]:
        for _ in range(10_000):  # 640 MB if it were all read
            made.append(1)
            yield b" " * 65536

    client = AdminClient(KEY, transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body())),
                         max_body_bytes=2**20)
    with pytest.raises(ApiError, match="larger than 1 MiB"):
        client.costs(Q)
    assert len(made) <= 2**20 // 65536 + 1


def test_a_declared_length_past_the_limit_is_refused_before_reading() -> None:
    read: list[bytes] = []

    def body() -> Iterator[bytes]:
        read.append(b"x")
        yield b"{}"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(10 * 2**30)}, content=body())

    client = AdminClient(KEY, transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError, match="larger than 512 MiB"):
        client.costs(Q)
    assert read == []


def test_a_compressed_bomb_counts_what_it_unpacks_to() -> None:
    bomb = gzip.compress(b" " * (8 * 2**20))
    assert len(bomb) < 2**20 // 10

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    client = AdminClient(KEY, transport=httpx.MockTransport(handler), max_body_bytes=2**20)
    with pytest.raises(ApiError, match="larger than 1 MiB"):
        client.costs(Q)


def test_a_huge_error_body_is_cut_not_fatal(org: FakeOrg) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(500, html="<html>" + "x" * (8 * 2**20))
        return httpx.Response(200, content=page('"1.5"'))

    client = AdminClient(KEY, transport=httpx.MockTransport(handler), sleep=lambda s: None)
    assert [row.amount for row in client.costs(Q)] == [15 * 10**17] and len(calls) == 2


# -- 3. deadlines ------------------------------------------------------------------------------------


def test_the_documented_deadlines() -> None:
    assert (REQUEST_DEADLINE, TOTAL_DEADLINE) == (120.0, 1800.0)
    assert AdminClient(KEY)._request_deadline == 120.0
    assert AdminClient(KEY, timeout=300)._request_deadline == 300.0  # never shorter than a read timeout


def test_a_dripping_body_hits_the_request_deadline(org: FakeOrg) -> None:
    api = fake(org, Fault("drip", chunk=1, delay=0.01, times=0))
    began = time.monotonic()
    with over_loopback(api, request_deadline=0.5) as client, pytest.raises(ApiError) as info:
        client.costs(Q)
    elapsed = time.monotonic() - began
    assert "took longer than 0.5 s (the limit for one request, body included)" in str(info.value)
    assert elapsed < 10 and len(api.requests_to("costs")) == 1  # not retried


def test_a_silent_server_hits_the_deadline_long_before_the_read_timeout(org: FakeOrg) -> None:
    api = fake(org, Fault("slow", delay=60))
    began = time.monotonic()
    with over_loopback(api, timeout=30, request_deadline=0.5) as client, pytest.raises(ApiError) as info:
        client.costs(Q)
    assert "took longer than 0.5 s" in str(info.value) and time.monotonic() - began < 10


def test_the_whole_client_has_a_deadline(org: FakeOrg) -> None:
    api = fake(org, Fault("drip", chunk=1, delay=0.01, times=0))
    with over_loopback(api, total_deadline=0.5) as client, pytest.raises(ApiError) as info:
        client.costs(Q)
    assert "ran past its limit of 0.5 s" in str(info.value)
    spent = in_process(fake(org), total_deadline=0)
    with pytest.raises(ApiError, match="ran past its limit"):
        spent.projects()


def test_a_retry_wait_past_the_client_deadline_gives_up_at_once(org: FakeOrg) -> None:
    sleeps: list[float] = []
    client = in_process(fake(org, Fault("429", retry_after="30")), sleep=sleeps.append, total_deadline=20)
    with pytest.raises(ApiError, match="ran past its limit of 20 s"):
        client.costs(Q)
    assert sleeps == []


# -- 4. pages and Retry-After -------------------------------------------------------------------------


def test_an_endless_cursor_stops_at_the_page_bound(org: FakeOrg) -> None:
    assert MAX_PAGES == 1_000
    api = fake(org, Fault("endless", times=0))
    with pytest.raises(ProtocolError, match="more than 1,000 pages of costs, each with a new cursor"):
        in_process(api).costs(Q)
    assert len(api.requests_to("costs")) == 1_000
    assert len({dict(r.query).get("page") for r in api.requests_to("costs")}) == 1_000


@pytest.mark.parametrize(("header", "shown"), [("999999999", "999,999,999 s"), ("date+31536000", r"3\d,\d{3},\d{3} s"),
                                                ("1e400", "practically forever")])
def test_an_absurd_retry_after_gives_up_at_once_saying_what_was_asked(
    org: FakeOrg, header: str, shown: str
) -> None:
    sleeps: list[float] = []
    api = fake(org, Fault("429", retry_after=header, times=0))
    with pytest.raises(ApiError) as info:
        in_process(api, sleep=sleeps.append).costs(Q)
    message = str(info.value)
    assert re.search(f"the API asked to wait {shown} before retrying costs", message), message
    assert "60 s at most" in message
    assert sleeps == [] and len(api.requests_to("costs")) == 1 and info.value.status == 429


def test_waits_within_the_cap_count_against_the_budget(org: FakeOrg) -> None:
    sleeps: list[float] = []
    api = fake(org, Fault("429", retry_after="60", times=0))
    with pytest.raises(ApiError, match=r"gave up after 3 attempts over 120 s"):
        in_process(api, sleep=sleeps.append, retry=RetryPolicy(budget_seconds=150)).costs(Q)
    assert sleeps == [60.0, 60.0]


# -- 5. cancel within a second, at any point ------------------------------------------------------------


class Noticing(FakeAdminApi):
    """Sets ``asked`` when a request arrives (the answer, dripping or silent, follows)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked = threading.Event()

    def handle(self, *args, **kwargs):
        self.asked.set()
        return super().handle(*args, **kwargs)


def _cancel_while_waiting(client: AdminClient, cancel: threading.Event, asked: threading.Event) -> float:
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            client.costs(Q)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert asked.wait(10)
    began = time.monotonic()
    cancel.set()
    worker.join(10)
    elapsed = time.monotonic() - began
    assert not worker.is_alive() and outcome and isinstance(outcome[0], Cancelled), outcome
    return elapsed


@pytest.mark.parametrize("fault", [Fault("drip", chunk=1, delay=0.05), Fault("slow", delay=60)],
                         ids=["dripping-body", "silent-server"])
def test_cancel_over_loopback_while_waiting_for_the_answer(org: FakeOrg, fault: Fault) -> None:
    api = Noticing(org, clock=fixed_clock(NOW), faults=FaultPlan([fault]))
    cancel = threading.Event()
    with over_loopback(api, cancel=cancel, timeout=30) as client:
        assert _cancel_while_waiting(client, cancel, api.asked) < 5


def test_cancel_during_a_retry_after_pause(org: FakeOrg) -> None:
    api = Noticing(org, clock=fixed_clock(NOW), faults=FaultPlan([Fault("429", retry_after="60")]))
    cancel = threading.Event()
    client = AdminClient(KEY, transport=fake_transport(api), cancel=cancel)  # the real, interruptible wait
    asked = threading.Event()
    original = client._pause

    def pause(seconds: float) -> None:
        asked.set()
        original(seconds)

    client._pause = pause  # type: ignore[method-assign]
    assert _cancel_while_waiting(client, cancel, asked) < 5


def test_cancel_between_pages(org: FakeOrg) -> None:
    cancel = threading.Event()
    api = fake(org, Fault("endless", times=0))
    pages = in_process(api, cancel=cancel).iter_cost_pages(Q)
    next(pages)
    cancel.set()
    with pytest.raises(Cancelled):
        next(pages)
    assert len(api.requests_to("costs")) == 1


# -- 7. every httpx exception becomes an ApiError ----------------------------------------------------------


def _httpx_exceptions() -> list[type[Exception]]:
    found, todo = set(), [httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError]
    while todo:
        kind = todo.pop()
        found.add(kind)
        todo.extend(kind.__subclasses__())
    return sorted((k for k in found if k.__module__.startswith("httpx")), key=lambda k: k.__name__)


def _make(kind: type[Exception], request: httpx.Request) -> Exception:
    for args in ((("simulated",), {"request": request}),
                 (("simulated",), {"request": request, "response": httpx.Response(500, request=request)}),
                 (("simulated",), {}), ((), {})):
        try:
            return kind(*args[0], **args[1])
        except TypeError:
            continue
    raise AssertionError(f"cannot make {kind}")


@pytest.mark.parametrize("where", ["sending", "in the body"])
@pytest.mark.parametrize("kind", _httpx_exceptions(), ids=lambda k: k.__name__)
def test_every_httpx_exception_becomes_an_api_error(kind: type[Exception], where: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if where == "sending":
            raise _make(kind, request)

        def body() -> Iterator[bytes]:
            yield b'{"object":'
            raise _make(kind, request)

        return httpx.Response(200, content=body())

    client = AdminClient(KEY, transport=httpx.MockTransport(handler), sleep=lambda s: None,
                         retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ApiError) as info:
        client.costs(Q)
    error = info.value
    assert not isinstance(error, httpx.HTTPError) and error.__cause__ is None  # nothing of httpx chained
    assert error.__suppress_context__ or error.__context__ is None

