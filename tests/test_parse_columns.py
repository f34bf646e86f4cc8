"""Cost pages parsed a bucket at a time into columns (api/parse.py ``_plain_bucket``) give what
``parse_cost_result`` gives one result at a time: the same rows, or the same refusal; and the columns
flow through the engine's walks and the store's window as the rows would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.api.columns import CostColumns
from openai_cost_tui.api.parse import MAX_AMOUNT, MAX_QUANTITY, CostsPage, parse_costs_page
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.store.window_rows import WindowColumns
from openai_cost_tui.sync.engine import reconcile
from tests.test_api_parse import DAY, result
from tests.test_parse_speed import G, outcome, reference_rows, results

PLAIN_NUMBER = st.one_of(
    st.integers(-MAX_AMOUNT, MAX_AMOUNT),
    st.decimals(allow_nan=False, allow_infinity=False, places=9, min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT),
    st.decimals(allow_nan=False, allow_infinity=False, places=7, min_value=-10**6, max_value=10**6).map(str),
    st.sampled_from(["0", "-0", "+1.5", ".5", "5.", "1e-18", "1E+3", "-0.0000001", str(MAX_AMOUNT), -MAX_AMOUNT]),
)
EDGE = st.sampled_from([MAX_AMOUNT + 1, -MAX_AMOUNT - 1, str(MAX_AMOUNT + 1), Decimal("-1000000000.000000001"),
                        MAX_QUANTITY + 1, "1e-19", Decimal("1e-19"), Decimal("NaN"), "Infinity", "1_0", " 1", True,
                        1.5, "1" * 101, Decimal("1e400")])  # just past what is plain: refused or taken row by row
NUMBER = st.one_of(PLAIN_NUMBER, PLAIN_NUMBER, PLAIN_NUMBER, EDGE)
PLAIN_QUANTITY = st.one_of(st.none(), st.integers(0, MAX_QUANTITY), st.sampled_from([Decimal("1000.5"), "12", 0]),
                           EDGE)
TEXT = st.one_of(st.none(), st.sampled_from(["", "p1", "gpt-4o, input", "k\u00e9y"]))


@st.composite
def plain_results(draw) -> dict:
    return result(quantity=draw(PLAIN_QUANTITY), project_id=draw(TEXT), line_item=draw(TEXT), api_key_id=draw(TEXT),
                  quantity_unit=draw(TEXT),
                  amount={"value": draw(NUMBER), "currency": draw(st.sampled_from(["usd", "USD", " eur "]))})


def plain(item: dict) -> bool:
    return outcome(reference_rows, body_of([item]), ())[0] == "rows"


def body_of(*buckets: list) -> dict:
    start = day_start_unix(DAY)
    return {"object": "page", "has_more": False, "next_page": None,
            "data": [{"object": "bucket", "start_time": start + 86400 * i, "end_time": start + 86400 * (i + 1),
                      "results": list(items)} for i, items in enumerate(buckets)]}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(plain_results(), max_size=8), min_size=1, max_size=3),
       st.one_of(st.none(), results()), st.integers(0, 20), st.sampled_from([G, ("project_id", "line_item"), ()]))
def test_buckets_of_plain_results_and_one_odd_parse_as_one_by_one(buckets, odd, where, group_by) -> None:
    if odd is not None:  # one result of any shape somewhere: its bucket goes row by row, or the page fails
        bucket = buckets[where % len(buckets)]
        bucket.insert(where % (len(bucket) + 1), odd)
    body = body_of(*buckets)
    assert outcome(lambda: parse_costs_page(body, group_by=group_by).rows) == outcome(reference_rows, body, group_by)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(plain_results().filter(plain), max_size=8), min_size=1, max_size=3))
def test_columns_hold_the_rows_and_flow_as_the_rows_would(buckets) -> None:
    page = parse_costs_page(body_of(*buckets))
    columns = page.columns()
    rows = reference_rows(body_of(*buckets), ())
    assert columns.rows() == rows and len(columns) == len(rows)
    assert [list(c) for c in columns.columns()] == [list(c) for c in CostColumns.from_rows(rows).columns()]
    totals = rows[::2]
    assert reconcile(columns, totals) == reconcile(rows, totals)
    by_rows, by_columns = WindowColumns(rows), WindowColumns(columns)
    for name in WindowColumns.__slots__:
        assert list(getattr(by_columns, name)) == list(getattr(by_rows, name)), name
    assert by_columns.outside(DAY, DAY + timedelta(days=1)) == by_rows.outside(DAY, DAY + timedelta(days=1))


def test_rows_once_made_are_the_page_and_its_columns() -> None:
    page = parse_costs_page(body_of([result("1.5"), result("2", quantity=3)]))
    page.rows.append(page.rows[0])  # a caller that changes the list changes what the page holds
    assert page.columns().rows() == page.rows and len(page.columns()) == 3
    made = CostsPage(page.rows, page.buckets, None, False)  # rows given: columns from them
    assert made.columns().amounts == [r.amount for r in page.rows]
    assert CostsPage(None, [], None, False).rows == [] and len(CostsPage(None, [], None, False).columns()) == 0
