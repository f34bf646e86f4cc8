"""Decoding JSON exactly and turning pages into core types; anything malformed fails the page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..core import money
from ..core.dates import unix_to_day
from ..core.errors import BadAmount, ProtocolError
from ..core.models import ApiKeyInfo, CostRow, Project

GROUP_FIELDS = ("project_id", "line_item", "api_key_id")


@dataclass(frozen=True)
class CostsPage:
    rows: list[CostRow]
    buckets: list[date]  # every bucket's day, including empty ones
    next_page: str | None
    has_more: bool


@dataclass(frozen=True)
class ListPage:
    """A page of a list endpoint (projects, project API keys) with its ``after`` cursor."""

    items: list[Any]
    has_more: bool | None
    last_id: str | None


def decode_json(content: bytes) -> Any:
    """JSON with every number exact: floats and NaN/Infinity become Decimal, never float."""
    try:
        return json.loads(content, parse_float=Decimal, parse_int=int, parse_constant=Decimal)
    except (ValueError, RecursionError):
        raise ProtocolError("the API answered with something that is not JSON") from None


def _field(obj: dict, key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    value = obj.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ProtocolError(f"the API sent a {where} with a missing or malformed {key!r}")
    return value


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ProtocolError(f"the API sent a {where} that is not a JSON object")
    return value


def parse_cost_result(result: Any, day: date) -> CostRow:
    """One ``organization.costs.result``; the amount must be exact or the whole page fails."""
    result = _object(result, "cost result")
    if result.get("object", "organization.costs.result") != "organization.costs.result":
        raise ProtocolError("the API sent a cost result of an unexpected type")
    amount = result.get("amount")
    if not isinstance(amount, dict):
        raise BadAmount("amount", amount)
    value = money.parse_exact(amount.get("value"), what="amount")
    currency = amount.get("currency")
    if not isinstance(currency, str) or not currency.strip():
        raise ProtocolError(f"the API sent a cost of {day.isoformat()} without a currency")
    quantity = result.get("quantity")
    unit = _field(result, "quantity_unit", str, "cost result", optional=True)
    return CostRow(
        day=day,
        project_id=_field(result, "project_id", str, "cost result", optional=True),
        line_item=_field(result, "line_item", str, "cost result", optional=True),
        api_key_id=_field(result, "api_key_id", str, "cost result", optional=True),
        currency=currency.strip().lower(),
        amount=value,
        quantity=None if quantity is None else money.parse_exact(quantity, what="quantity"),
        unit=unit,
    )


def check_grouping(rows: list[CostRow], group_by: tuple[str, ...]) -> None:
    """Refuse a page where grouping by project/line item was requested but silently ignored."""
    fields = [name for name in group_by if name in GROUP_FIELDS]
    if not rows or not {"project_id", "line_item"} & set(fields):
        return
    if all(getattr(row, name) is None for row in rows for name in fields):
        raise ProtocolError(
            f"the API ignored the grouping by {', '.join(fields)} (every result came back ungrouped), "
            "so this data is not stored as truth"
        )


def parse_costs_page(body: Any, *, group_by: tuple[str, ...] = ()) -> CostsPage:
    """A Costs API page: rows of every bucket, every bucket's day, and the pagination fields."""
    body = _object(body, "costs page")
    buckets = _field(body, "data", list, "costs page")
    has_more = _field(body, "has_more", bool, "costs page")
    next_page = _field(body, "next_page", str, "costs page", optional=True) or None
    rows: list[CostRow] = []
    days: list[date] = []
    for bucket in buckets:
        bucket = _object(bucket, "bucket")
        try:
            day = unix_to_day(_field(bucket, "start_time", int, "bucket"))
        except OverflowError:
            raise ProtocolError("the API sent a bucket with an impossible start_time") from None
        days.append(day)
        rows.extend(parse_cost_result(result, day) for result in _field(bucket, "results", list, "bucket"))
    check_grouping(rows, group_by)
    return CostsPage(rows=rows, buckets=days, next_page=next_page, has_more=has_more)


def _list_page(body: Any, what: str, parse_item) -> ListPage:
    body = _object(body, f"{what} list")
    items = [parse_item(_object(item, what)) for item in _field(body, "data", list, f"{what} list")]
    has_more = _field(body, "has_more", bool, f"{what} list", optional=True)
    last_id = _field(body, "last_id", str, f"{what} list", optional=True)
    if items:
        last_id = items[-1].id
    return ListPage(items=items, has_more=has_more, last_id=last_id)


def _project(item: dict) -> Project:
    archived = item.get("archived_at") is not None or item.get("status") == "archived"
    return Project(
        id=_field(item, "id", str, "project"),
        name=_field(item, "name", str, "project", optional=True),
        archived=archived,
    )


def parse_projects_page(body: Any) -> ListPage:
    return _list_page(body, "project", _project)


def parse_api_keys_page(body: Any, project_id: str) -> ListPage:
    def key(item: dict) -> ApiKeyInfo:
        return ApiKeyInfo(
            id=_field(item, "id", str, "API key"),
            name=_field(item, "name", str, "API key", optional=True),
            project_id=project_id,
            redacted_value=_field(item, "redacted_value", str, "API key", optional=True),
        )

    return _list_page(body, "API key", key)
