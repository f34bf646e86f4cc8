"""Page parsing: exact amounts, loud failures, grouping checks, list pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openai_cost_tui.api.parse import (
    check_grouping,
    decode_json,
    parse_api_keys_page,
    parse_cost_result,
    parse_costs_page,
    parse_projects_page,
)
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.core.errors import BadAmount, ProtocolError
from openai_cost_tui.core.models import CostRow

DAY = date(2026, 3, 1)


def result(value: object = "1.5", **over: object) -> dict:
    body = {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": "gpt-4o, input",
        "project_id": "proj_a",
        "api_key_id": "key_a",
        "quantity": None,
        "quantity_unit": None,
    }
    body.update(over)
    return body


def page_json(*results: str) -> bytes:
    start = day_start_unix(DAY)
    bucket = (
        f'{{"object": "bucket", "start_time": {start}, "end_time": {start + 86400}, "results": [RESULTS]}}'
    )
    text = f'{{"object": "page", "data": [{bucket}], "has_more": false, "next_page": null}}'
    return text.replace("RESULTS", ", ".join(results)).encode()


def raw_result(value_json: str) -> str:
    text = (
        '{"object": "organization.costs.result", "amount": {"value": VALUE, "currency": "usd"}, '
        '"line_item": "gpt-4o, input", "project_id": "proj_a", "api_key_id": null, "quantity": null}'
    )
    return text.replace("VALUE", value_json)


@pytest.mark.parametrize(
    ("value_json", "atto"),
    [
        ("0.06", 6 * 10**16),
        ('"0.06"', 6 * 10**16),
        ("12", 12 * 10**18),
        ("0.1234567890123456", 1234567890123456 * 10**2),
        ('"0.1234567890123456"', 1234567890123456 * 10**2),
        ("-3.25", -325 * 10**16),
        ("1e-7", 10**11),
        ("123456789.000000000000000001", 123456789 * 10**18 + 1),
    ],
)
def test_amounts_are_exact(value_json: str, atto: int) -> None:
    page = parse_costs_page(decode_json(page_json(raw_result(value_json))))
    assert [row.amount for row in page.rows] == [atto]


@pytest.mark.parametrize(
    "value_json", ["null", '"abc"', '"NaN"', "NaN", "Infinity", "true", '""', "{}", "[1]"]
)
def test_bad_amount_fails_the_page(value_json: str) -> None:
    good = raw_result("1.0")
    with pytest.raises(BadAmount):
        parse_costs_page(decode_json(page_json(good, raw_result(value_json))))


def test_missing_amount_or_value_fails() -> None:
    with pytest.raises(BadAmount):
        parse_cost_result(result(amount=None), DAY)
    no_value = result()
    del no_value["amount"]["value"]
    with pytest.raises(BadAmount):
        parse_cost_result(no_value, DAY)
    no_amount = result()
    del no_amount["amount"]
    with pytest.raises(BadAmount):
        parse_cost_result(no_amount, DAY)


def test_currency_missing_is_protocol_error_and_other_currency_is_kept() -> None:
    body = result()
    del body["amount"]["currency"]
    with pytest.raises(ProtocolError, match="currency"):
        parse_cost_result(body, DAY)
    row = parse_cost_result(result(amount={"value": Decimal("2"), "currency": "EUR"}), DAY)
    assert row.currency == "eur"


def test_quantity_exact_number_string_null_and_bad() -> None:
    assert parse_cost_result(result(quantity=Decimal("1000.5")), DAY).quantity == 10005 * 10**17
    assert parse_cost_result(result(quantity="7"), DAY).quantity == 7 * 10**18
    row = parse_cost_result(result(quantity=None, quantity_unit="tokens"), DAY)
    assert row.quantity is None and row.unit == "tokens"
    with pytest.raises(BadAmount):
        parse_cost_result(result(quantity="lots"), DAY)
    with pytest.raises(BadAmount):
        parse_cost_result(result(quantity=True), DAY)


def test_decode_never_yields_float() -> None:
    body = decode_json(b'{"a": 0.1, "b": 3, "c": NaN}')
    assert body["a"] == Decimal("0.1") and body["b"] == 3 and isinstance(body["c"], Decimal)
    with pytest.raises(ProtocolError, match="not JSON"):
        decode_json(b"<html>Bad gateway</html>")


def test_buckets_include_empty_days_and_day_comes_from_start_time() -> None:
    start = day_start_unix(DAY)
    body = {
        "object": "page",
        "data": [
            {"object": "bucket", "start_time": start, "end_time": start + 86400, "results": []},
            {
                "object": "bucket",
                "start_time": start + 86400,
                "end_time": start + 2 * 86400,
                "results": [result()],
            },
        ],
        "has_more": True,
        "next_page": "page_2",
    }
    page = parse_costs_page(body)
    assert page.buckets == [DAY, date(2026, 3, 2)]
    assert [row.day for row in page.rows] == [date(2026, 3, 2)]
    assert page.has_more and page.next_page == "page_2"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"data": [], "next_page": None},
        {"data": {}, "has_more": False, "next_page": None},
        {"data": [], "has_more": "no", "next_page": None},
        {"data": [{"start_time": "x", "results": []}], "has_more": False, "next_page": None},
        {"data": [{"start_time": True, "results": []}], "has_more": False, "next_page": None},
        {"data": [{"start_time": 0}], "has_more": False, "next_page": None},
        {
            "data": [
                {"start_time": 0, "results": [{"amount": {"value": 1, "currency": "usd"}, "line_item": 5}]}
            ],
            "has_more": False,
            "next_page": None,
        },
    ],
)
def test_malformed_pages_fail(body: object) -> None:
    with pytest.raises(ProtocolError):
        parse_costs_page(body)


def _row(project: str | None, line_item: str | None, key: str | None = None) -> CostRow:
    return CostRow(DAY, project, line_item, key, "usd", 1)


def test_grouping_silently_ignored_is_detected() -> None:
    ungrouped = [_row(None, None), _row(None, None)]
    with pytest.raises(ProtocolError, match="ignored the grouping"):
        check_grouping(ungrouped, ("project_id", "line_item"))
    body = {
        "data": [{"start_time": 0, "results": [result(project_id=None, line_item=None, api_key_id=None)]}],
        "has_more": False,
        "next_page": None,
    }
    with pytest.raises(ProtocolError, match="not stored as truth"):
        parse_costs_page(body, group_by=("project_id", "line_item", "api_key_id"))


def test_grouping_checks_that_must_pass() -> None:
    check_grouping([], ("project_id", "line_item"))  # empty page
    check_grouping([_row(None, None)], ())  # no grouping asked
    check_grouping([_row(None, None)], ("api_key_id",))  # null key ids are normal
    check_grouping([_row(None, None), _row(None, "gpt-4o, input")], ("project_id", "line_item"))
    check_grouping([_row("proj_a", None)], ("project_id",))


def test_projects_and_keys_pages() -> None:
    page = parse_projects_page(
        {
            "object": "list",
            "data": [
                {
                    "id": "proj_a",
                    "object": "organization.project",
                    "name": "A",
                    "created_at": 1,
                    "archived_at": None,
                    "status": "active",
                },
                {
                    "id": "proj_b",
                    "object": "organization.project",
                    "name": None,
                    "created_at": 1,
                    "archived_at": 5,
                    "status": "archived",
                },
            ],
            "first_id": "proj_a",
            "last_id": "proj_b",
            "has_more": False,
        }
    )
    assert [(p.id, p.name, p.archived) for p in page.items] == [
        ("proj_a", "A", False),
        ("proj_b", None, True),
    ]
    assert page.last_id == "proj_b" and page.has_more is False
    keys = parse_api_keys_page(
        {"data": [{"id": "key_a", "name": "ci", "redacted_value": "sk-...abcd"}]}, "proj_a"
    )
    assert keys.items[0].project_id == "proj_a" and keys.items[0].name == "ci"
    assert keys.has_more is None and keys.last_id == "key_a"
    with pytest.raises(ProtocolError):
        parse_projects_page({"data": [{"name": "no id"}], "has_more": False})
