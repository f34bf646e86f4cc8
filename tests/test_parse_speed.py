"""The fast path of cost pages (plain results built directly) parses and refuses exactly as
``parse_cost_result`` does, one result at a time: same rows (type, fields, values), same error."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.api.parse import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    check_grouping,
    decode_json,
    parse_cost_result,
    parse_costs_page,
)
from openai_cost_tui.core.dates import day_start_unix, unix_to_day
from openai_cost_tui.core.errors import BadAmount, ProtocolError
from openai_cost_tui.core.models import CostRow
from tests.test_api_parse import DAY, result

G = ("project_id", "line_item", "api_key_id")


def reference_rows(body: dict, group_by: tuple[str, ...]) -> list[CostRow]:
    """The rows as the page parser made them before the fast path: parse_cost_result for each."""
    rows = []
    for bucket in body["data"]:
        day = unix_to_day(bucket["start_time"])
        rows.extend(parse_cost_result(r, day) for r in bucket["results"])
    check_grouping(rows, group_by)
    return rows


def outcome(parse, *args):
    try:
        rows = parse(*args)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return ("error", type(exc), str(exc))
    return ("rows", [(type(r), vars(r)) for r in rows])


def page(*results: object, start: int | None = None) -> dict:
    start = day_start_unix(DAY) if start is None else start
    return {"object": "page", "has_more": False, "next_page": None,
            "data": [{"object": "bucket", "start_time": start, "end_time": start + 86400, "results": list(results)}]}


def same_as_reference(body: dict, group_by: tuple[str, ...] = G) -> None:
    fast = outcome(lambda: parse_costs_page(body, group_by=group_by).rows)
    assert fast == outcome(reference_rows, body, group_by)


NUMERIC_TEXT = st.text(alphabet="0123456789+-.eE _\t\n\u00a0\u0661", max_size=30)
NUMBERS = st.one_of(
    st.integers(-(MAX_QUANTITY + 2), MAX_QUANTITY + 2),
    st.sampled_from([MAX_AMOUNT, MAX_AMOUNT + 1, -MAX_AMOUNT, -MAX_AMOUNT - 1, 10**29, 0]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=20, min_value=-2 * MAX_AMOUNT, max_value=2 * MAX_AMOUNT),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    NUMERIC_TEXT,
    st.sampled_from(["1e400", "1E+9", "1e9", "1e-18", "1e-19", "0e500", "-0", "-0.0", "1_0", " 1.5", "1.5\n",
                     "+1.5", ".5", "5.", "0" * 100 + "1.5", "NaN", "sNaN", "Infinity", "inf", "1" * 101, "0." + "0" * 99 + "1",
                     "1." + "0" * 70, "12.30000000000000000000000", "\u0661\u0662"]),
    st.sampled_from([Decimal("1e400"), Decimal("0e500"), Decimal("1." + "0" * 70), Decimal("-0"), Decimal("sNaN")]),
    st.sampled_from([True, False, None, 1.5, [], {}, [1], {"value": 1}]),
)
TEXT_OR_NOT = st.one_of(st.none(), st.text(max_size=8), st.integers(), st.booleans(), st.just(Decimal("1")),
                        st.just([]))
CURRENCY = st.one_of(st.sampled_from(["usd", "USD", " usd ", "", "  ", "eur\n", "\u2003usd", "İ", None, 5, True, []]),
                     st.text(max_size=4))
MISSING = object()


@st.composite
def results(draw) -> object:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, [], "x", 1]))
    body = result()
    body["object"] = draw(st.sampled_from(["organization.costs.result"] * 6 + [MISSING, "bucket", None, 1]))
    amount = draw(st.sampled_from(["dict"] * 8 + ["none", "missing", "list"]))
    body["amount"] = {"dict": {"value": draw(NUMBERS), "currency": draw(CURRENCY)}, "none": None,
                      "missing": MISSING, "list": [1]}[amount]
    if isinstance(body["amount"], dict) and draw(st.booleans()):
        del body["amount"][draw(st.sampled_from(["value", "currency"]))]
    body["quantity"] = draw(st.one_of(st.none(), NUMBERS, st.just(MISSING)))
    for name in ("project_id", "line_item", "api_key_id", "quantity_unit"):
        body[name] = draw(st.one_of(st.text(max_size=8), TEXT_OR_NOT, st.just(MISSING)))
    return {k: v for k, v in body.items() if v is not MISSING}


@settings(max_examples=400, deadline=None)
@given(st.lists(results(), max_size=6), st.sampled_from([G, ("project_id", "line_item"), ()]))
def test_any_results_parse_or_fail_exactly_as_one_by_one(items: list, group_by: tuple[str, ...]) -> None:
    same_as_reference(page(*items), group_by)


@settings(max_examples=200, deadline=None)
@given(NUMBERS, st.one_of(st.none(), NUMBERS))
def test_any_amount_and_quantity_alone(value: object, quantity: object) -> None:
    same_as_reference(page(result(value, quantity=quantity)))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["object", "amount", "value", "currency", "quantity", "project_id", "line_item", "api_key_id",
                        "quantity_unit"]),
       st.one_of(NUMBERS, CURRENCY, TEXT_OR_NOT, st.just(MISSING)))
def test_any_one_field_of_a_plain_result(name: str, value: object) -> None:
    body = result("2.5", quantity=7, quantity_unit="tokens")
    where = body["amount"] if name in ("value", "currency") else body
    if value is MISSING:
        del where[name]
    else:
        where[name] = value
    same_as_reference(page(body))


@pytest.mark.parametrize("value", ["2.8221725", Decimal("5.742915"), 12, "-3.25", Decimal("1e-7"),
                                   Decimal("123456789.000000000000000001"), MAX_AMOUNT, "1000000000"])
def test_plain_results_are_real_cost_rows(value: object) -> None:
    body = page(result(value, quantity=1128869, quantity_unit="tokens"),
                result(value, quantity=Decimal("1000.5"), project_id=None, api_key_id=None))
    rows = parse_costs_page(body, group_by=G).rows
    reference = reference_rows(body, G)
    assert rows == reference and [hash(r) for r in rows] == [hash(r) for r in reference]
    assert all(type(r) is CostRow and vars(r) == vars(ref) for r, ref in zip(rows, reference, strict=True))
    with pytest.raises(AttributeError):
        rows[0].amount = 1  # still frozen


def test_a_page_from_json_is_the_same_as_one_by_one() -> None:
    text = ('{"object": "page", "has_more": false, "next_page": null, "data": [{"start_time": START, "results": ['
            '{"amount": {"value": 5.742915, "currency": "USD"}, "line_item": "a", "project_id": "p", '
            '"api_key_id": "k", "quantity": 382861, "quantity_unit": "tokens"}, '
            '{"amount": {"value": "0.8378185", "currency": "usd"}, "quantity": 1.5}, '
            '{"amount": {"value": 1e-18, "currency": "usd"}, "quantity": 1234567890123456789012345678901234}]}]}'
            ).replace("START", str(day_start_unix(DAY)))
    body = decode_json(text.encode())
    assert outcome(lambda: parse_costs_page(body).rows) == outcome(reference_rows, body, ())
    with pytest.raises(ProtocolError, match="quantity out of range"):
        parse_costs_page(body)


def test_collection_is_back_on_after_a_page_and_after_a_refused_one() -> None:
    assert gc.isenabled()
    parse_costs_page(decode_json(b'{"data": [], "has_more": false}'))
    assert gc.isenabled()
    with pytest.raises(ProtocolError):
        decode_json(b"<html>")
    with pytest.raises(BadAmount):
        parse_costs_page(page(result("abc")))
    assert gc.isenabled()
    gc.disable()
    try:
        parse_costs_page(page(result("1")))
        assert not gc.isenabled()  # left off as the caller had it
    finally:
        gc.enable()
