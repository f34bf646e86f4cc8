"""Decoding JSON exactly and turning pages into core types; anything malformed fails the page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import (
    Clamped,
    Context,
    Decimal,
    DivisionByZero,
    FloatOperation,
    Inexact,
    InvalidOperation,
    Overflow,
    Subnormal,
    Underflow,
)
from itertools import repeat
from operator import itemgetter, mul
from typing import Any

from ..core import money
from ..core.dates import unix_to_day
from ..core.errors import BadAmount, ProtocolError
from ..core.gc_pauses import no_gc_pauses
from ..core.models import ApiKeyInfo, CostRow, Project
from .columns import CostColumns
from .errors import AmountOutOfRange, quote_value

GROUP_FIELDS = ("project_id", "line_item", "api_key_id")

MAX_AMOUNT = 10**9
"""The largest ``|amount.value|`` accepted for one cost row (one day, one group): a billion units of
its currency. A real row is a day of one line item of one project and key; OpenAI's whole API business
is in the tens of millions of dollars a day, so no real page reaches it. It is also what the store can
hold: amounts are kept as 64-bit integers of 10**-9 units, which end at about 9.2 billion. Past it
(``1e400``, a 50-digit number, an exponent of a billion) the page fails with
:class:`~.errors.AmountOutOfRange` naming the day and the value, instead of an overflow deeper down."""

MAX_QUANTITY = 10**15
"""The largest ``quantity`` accepted for one cost row (tokens, images, seconds...): a quadrillion a
day, far past any organization's use, and well inside the store's 64-bit whole units."""

MAX_NUMBER_TEXT = 100
"""A number written with more characters than this is out of range whatever its value (a real amount
has at most a dozen digits before the point and 16 after); it is never converted."""

_NUMERIC_CHARS = frozenset("0123456789+-.eE")
_LONG_INT = 30  # JSON integers longer than this stay Decimal (no 4300-digit int conversion error)

_RESULT = "organization.costs.result"
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")  # money._NUMBER, whole
_EXACT = Context(prec=60, Emax=60, Emin=-60, traps=[Clamped, DivisionByZero, FloatOperation, Inexact,
                                                    InvalidOperation, Overflow, Subnormal, Underflow])
"""Scaling a plain amount to atto-units in this context either is exact or raises: a value it cannot
take (too many digits, a fraction finer than 10**-18, NaN, an exponent past 60) goes the slow way."""
_new = object.__new__
_RESULT_FIELDS = itemgetter("object", "amount", "project_id", "line_item", "api_key_id", "quantity", "quantity_unit")
_AMOUNT_FIELDS = itemgetter("value", "currency")
_DICT, _STR, _INT = {dict}, {str}, {int}
_TEXT_OR_NONE = frozenset({str, type(None)})
_NUMBER_TYPES = frozenset({int, Decimal, str})


class CostsPage:
    """A Costs API page: its results (as columns; ``rows`` gives them as CostRow objects, made on first
    use and then the page's truth, so a caller may change that list), every bucket's day (empty ones
    included) and the pagination fields."""

    __slots__ = ("_rows", "_columns", "buckets", "next_page", "has_more")

    def __init__(self, rows: list[CostRow] | None, buckets: list[date], next_page: str | None, has_more: bool, *,
                 columns: CostColumns | None = None) -> None:
        self._rows, self._columns = rows, columns if rows is None else None
        self.buckets, self.next_page, self.has_more = buckets, next_page, has_more

    @property
    def rows(self) -> list[CostRow]:
        if self._rows is None:
            self._rows = self._columns.rows() if self._columns is not None else []
            self._columns = None
        return self._rows

    def columns(self) -> CostColumns:
        """The page's results as columns (from ``rows`` once those were made)."""
        if self._rows is not None:
            return CostColumns.from_rows(self._rows)
        return self._columns if self._columns is not None else CostColumns()


@dataclass(frozen=True)
class ListPage:
    """A page of a list endpoint (projects, project API keys) with its ``after`` cursor."""

    items: list[Any]
    has_more: bool | None
    last_id: str | None


def decode_json(content: bytes | bytearray) -> Any:
    """JSON with every number exact: floats and NaN/Infinity become Decimal, never float."""
    try:
        with no_gc_pauses():
            return json.loads(content, parse_float=Decimal, parse_int=_int, parse_constant=Decimal)
    except (ValueError, RecursionError):
        raise ProtocolError("the API answered with something that is not JSON") from None


def _int(text: str) -> int | Decimal:
    """A JSON integer; a very long one stays a Decimal (cheap, exact, and refused where an int is due)."""
    return int(text) if len(text) <= _LONG_INT else Decimal(text)


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
    value = _bounded(amount.get("value"), day, "amount", MAX_AMOUNT)
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
        quantity=None if quantity is None else _bounded(quantity, day, "quantity", MAX_QUANTITY),
        unit=unit,
    )


def _bounded(raw: object, day: date, what: str, bound: int) -> int:
    """``money.parse_exact`` of an amount or quantity within ``±bound``; AmountOutOfRange beyond it,
    compared before any scaling, so an exponent of a billion is never expanded."""
    value = raw
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > MAX_NUMBER_TEXT:
            if text and set(text) <= _NUMERIC_CHARS:
                raise _out_of_range(raw, day, what, bound)
            value = None  # not a number at all: parse_exact says so
        else:
            try:
                value = Decimal(text)
            except ArithmeticError:  # not a number: parse_exact says so
                value = None
    if isinstance(value, Decimal) and value.is_finite():
        if value.copy_abs() > bound:  # exact: no context rounding, no overflow
            raise _out_of_range(raw, day, what, bound)
        if value and value.adjusted() < -money.SCALE_EXP:  # 1e-999999999 would underflow to 0
            raise BadAmount(what, raw, "more than 18 decimal places")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > bound:
        raise _out_of_range(raw, day, what, bound)
    return money.parse_exact(raw, what=what)


def _out_of_range(raw: object, day: date, what: str, bound: int) -> AmountOutOfRange:
    return AmountOutOfRange(
        f"the API sent an {what} out of range for {day.isoformat()}: {quote_value(raw)} "
        f"(this tool accepts at most ±{bound:,} a row); the page was refused"
    )


def _plain_exact(raw: object, bound: int) -> int | None:
    """The atto-units of a plain amount or quantity within ``±bound`` units: an int, a Decimal or a
    numeric string of at most MAX_NUMBER_TEXT characters that scales exactly. None for anything
    else, which then goes through ``_bounded`` (the same value, or the error it raises)."""
    kind = type(raw)
    if kind is int:
        return raw * money.SCALE if -bound <= raw <= bound else None
    if kind is str:
        if len(raw) > MAX_NUMBER_TEXT or _PLAIN_NUMBER.fullmatch(raw) is None:
            return None
        raw = Decimal(raw)
    elif kind is not Decimal:
        return None
    try:
        atto = int(_EXACT.to_integral_exact(raw.scaleb(money.SCALE_EXP, _EXACT)))
    except (ArithmeticError, ValueError):  # NaN, infinities, finer than 10**-18, too many digits
        return None
    return atto if -bound * money.SCALE <= atto <= bound * money.SCALE else None


def _parse_results(results: list, day: date, rows: list[CostRow], currencies: dict[str, str]) -> None:
    """``rows.append(parse_cost_result(result, day))`` for each result, faster for the plain ones: a
    result whose every field has its usual type and an exact amount in range is built here directly;
    any other goes through ``parse_cost_result``, which builds it the same or refuses the page."""
    append = rows.append
    for result in results:
        if type(result) is dict and result.get("object", _RESULT) == _RESULT:
            get = result.get
            amount = get("amount")
            if type(amount) is dict:
                value = _plain_exact(amount.get("value"), MAX_AMOUNT)
                currency = amount.get("currency")
                currency = currencies[currency] if type(currency) is str else None
                quantity = get("quantity")
                if quantity is not None:
                    quantity = _plain_exact(quantity, MAX_QUANTITY)
                    if quantity is None:
                        value = None
                project_id, line_item, api_key_id, unit = (
                    get("project_id"), get("line_item"), get("api_key_id"), get("quantity_unit"))
                if (value is not None and currency is not None
                        and (project_id is None or type(project_id) is str)
                        and (line_item is None or type(line_item) is str)
                        and (api_key_id is None or type(api_key_id) is str)
                        and (unit is None or type(unit) is str)):
                    # CostRow(...) without its frozen __init__ (object.__setattr__ per field): the
                    # same fields, values and type (tests/test_parse_speed.py holds them equal)
                    row = _new(CostRow)
                    row.__dict__.update(day=day, project_id=project_id, line_item=line_item, api_key_id=api_key_id,
                                        currency=currency, amount=value, quantity=quantity, unit=unit)
                    append(row)
                    continue
        append(parse_cost_result(result, day))


def _plain_bucket(results: list, day: date, columns: CostColumns, currencies: dict[str, str]) -> bool:
    """Add a bucket's results to ``columns`` a column at a time (the checks and conversions in C) when
    every result is plain (each field present with its usual type, amounts and quantities exact and in
    range); False, adding nothing, when any is not: ``_parse_results`` then takes the bucket row by row,
    which gives the same results or refuses the page (tests/test_parse_columns.py holds them equal)."""
    if not results:
        return True
    if set(map(type, results)) != _DICT:
        return False
    try:
        objects, amounts, projects, lines, keys, quantities, units = zip(*map(_RESULT_FIELDS, results), strict=True)
        if set(map(type, amounts)) != _DICT:
            return False
        values, texts = zip(*map(_AMOUNT_FIELDS, amounts), strict=True)
    except KeyError:  # a field left out: the row-by-row path reads it as missing
        return False
    if (objects.count(_RESULT) != len(objects) or set(map(type, texts)) != _STR
            or not all(_TEXT_OR_NONE.issuperset(map(type, column)) for column in (projects, lines, keys, units))):
        return False
    shown = tuple(map(currencies.__getitem__, texts))
    atto = _exact_column(values, MAX_AMOUNT)
    if atto is None or None in shown:
        return False
    present = [q for q in quantities if q is not None] if None in quantities else quantities
    scaled = _exact_column(present, MAX_QUANTITY)
    if scaled is None:
        return False
    if present is not quantities:  # the missing quantities stay None, in their places
        known = iter(scaled)
        scaled = [None if q is None else next(known) for q in quantities]
    columns.add(repeat(day, len(atto)), projects, lines, keys, shown, atto, scaled, units)
    return True


def _exact_column(values: tuple | list, bound: int) -> list[int] | None:
    """``_plain_exact`` of each value, in C: the atto-units of each, or None when any would be None."""
    if not values:
        return []
    kinds = set(map(type, values))
    if kinds == _INT:
        if -bound <= min(values) and max(values) <= bound:
            return list(map(mul, values, repeat(money.SCALE)))
        return None
    if not _NUMBER_TYPES.issuperset(kinds):
        return None
    if str in kinds:
        texts = [v for v in values if type(v) is str]
        if max(map(len, texts)) > MAX_NUMBER_TEXT or not all(map(_PLAIN_NUMBER.fullmatch, texts)):
            return None
    try:
        scaled = map(_EXACT.scaleb, map(Decimal, values), repeat(money.SCALE_EXP))
        atto = list(map(int, map(_EXACT.to_integral_exact, scaled)))
    except (ArithmeticError, ValueError):  # NaN, infinities, finer than 10**-18, too many digits
        return None
    limit = bound * money.SCALE
    return atto if -limit <= min(atto) and max(atto) <= limit else None


class _Currencies(dict):
    """Each currency text of a page as parse_cost_result keeps it (stripped, lower case), or None for
    a blank one (which it refuses)."""

    def __missing__(self, key: str) -> str | None:
        value = self[key] = key.strip().lower() or None
        return value


def check_grouping(rows: list[CostRow], group_by: tuple[str, ...]) -> None:
    """Refuse a page where grouping by project/line item was requested but silently ignored."""
    _check_grouping(CostColumns.from_rows(rows), group_by)


def _check_grouping(columns: CostColumns, group_by: tuple[str, ...]) -> None:
    fields = [name for name in group_by if name in GROUP_FIELDS]
    if not len(columns) or not {"project_id", "line_item"} & set(fields):
        return
    if all(getattr(columns, f"{name}s").count(None) == len(columns) for name in fields):
        raise ProtocolError(
            f"the API ignored the grouping by {', '.join(fields)} (every result came back ungrouped), "
            "so this data is not stored as truth"
        )


def parse_costs_page(body: Any, *, group_by: tuple[str, ...] = ()) -> CostsPage:
    """A Costs API page: results of every bucket (as columns), every bucket's day, the pagination fields."""
    body = _object(body, "costs page")
    buckets = _field(body, "data", list, "costs page")
    has_more = _field(body, "has_more", bool, "costs page")
    next_page = _field(body, "next_page", str, "costs page", optional=True) or None
    columns = CostColumns()
    days: list[date] = []
    currencies = _Currencies()
    with no_gc_pauses():
        for bucket in buckets:
            bucket = _object(bucket, "bucket")
            try:
                day = unix_to_day(_field(bucket, "start_time", int, "bucket"))
            except OverflowError:
                raise ProtocolError("the API sent a bucket with an impossible start_time") from None
            days.append(day)
            results = _field(bucket, "results", list, "bucket")
            if not _plain_bucket(results, day, columns, currencies):
                rows: list[CostRow] = []
                _parse_results(results, day, rows, currencies)
                columns.add_rows(rows)
    _check_grouping(columns, group_by)
    return CostsPage(None, days, next_page, has_more, columns=columns)


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
