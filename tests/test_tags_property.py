"""For random cost rows and random tags (exact and glob rules, first match wins, splits of every kind),
each tag's values add up to the view's total to the last atto-dollar, with and without splits, on SQLite
and PostgreSQL; unsplit, each value holds exactly what a plain Python first-match gives it."""

from __future__ import annotations

import contextlib
import fnmatch
from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.dimensions import DIMENSIONS
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.models import CostRow, Filter, PivotSpec
from openai_cost_tui.core.tags import UNTAGGED, Rule, Tag, TagValue, check_tag
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.store.store import Store
from tests.test_pivot_property import DAYS, START, displayed, rows_st, sqlite_store
from tests.test_pivot_property import check_pivots as load_rows
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)

RULE_DIMS = ["service", "project", "api_key", "connection", "line_item", "tier", "organization"]
PATTERNS = ["*", "*", "(none)", "Alpha", "Beta", "p2", "ci", "k2", "Conn ?", "Org A", "*", "A*", "*a*", "Chats*",
            "Images", "Credits", "priority", "gpt-4o*", "[AB]eta"]
TODAY = START + timedelta(days=DAYS)
RANGE = DateRange(START, START + timedelta(days=DAYS - 1))


@st.composite
def tags_st(draw):
    n = draw(st.integers(2, 4))
    names = [f"V{i}" for i in range(n)]
    values = []
    for name in names:
        rules = []
        for _ in range(draw(st.integers(1, 2))):
            dims = draw(st.lists(st.sampled_from(RULE_DIMS), min_size=1, max_size=2, unique=True))
            rules.append(Rule(tuple((d, tuple(draw(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=2,
                                                             unique=True)))) for d in dims)))
        values.append(TagValue(name, tuple(rules)))
    # some values split (never all of them)
    for i in draw(st.lists(st.integers(0, n - 1), min_size=min(n - 1, 1), max_size=n - 1, unique=True)):
        mode = draw(st.sampled_from(["proportional", "even", "fixed"]))
        values[i] = TagValue(names[i], values[i].rules, mode)
    targets = [v.name for v in values if v.split is None]
    percents = ()
    if len(targets) >= 1:
        first = draw(st.integers(1, 100)) if len(targets) > 1 else 100
        percents = ((targets[0], first),) + (((targets[1], 100 - first),) if first < 100 else ())
    values = [TagValue(v.name, v.rules, v.split, percents if v.split == "fixed" else ()) for v in values]
    return Tag("team", tuple(values))


def first_match(tag: Tag, shown: dict[str, str]) -> str:
    for v in tag.values:
        for r in v.rules:
            if all(any(fnmatch.fnmatchcase(shown[d], p) for p in pats) for d, pats in r.conditions):
                return v.name
    return UNTAGGED


def stored(store: Store, raw, tag: Tag) -> bool:
    """The rows of test_pivot_property and the tag, stored; False when the tag is not a valid one."""
    load_rows(store, raw, [])
    try:
        check_tag(tag, [d.id for d in DIMENSIONS])
    except UsageError:
        return False
    store.save_tag(tag)
    tag_service.load(store)
    return True


def check_tags(store: Store, raw, tag: Tag, extra_dim: str) -> None:
    if not stored(store, raw, tag):
        return
    data = [(c, CostRow(START + timedelta(days=d), p, li, k, "usd", amount, None if q is None else q * money.SCALE,
                        unit)) for c, d, p, li, k, amount, q, unit in raw]
    plain = store.run_pivot(PivotSpec(rows=(extra_dim,), cols="month", date_range=RANGE), today=TODAY)

    expected: dict[str, int] = defaultdict(int)
    for conn, row in data:
        expected[first_match(tag, displayed(conn, row))] += row.amount
    unsplit = tag_service.evaluate(store, PivotSpec(rows=("team",), cols=None, date_range=RANGE), today=TODAY,
                                   splits=False).result
    assert {k[0]: c.amount for k, c in unsplit.row_totals.items()} == {k: v for k, v in expected.items()}
    assert sum(c.amount for c in unsplit.row_totals.values()) == plain.total.amount

    found = tag_service.evaluate(store, PivotSpec(rows=("team", extra_dim), cols="month", date_range=RANGE),
                                 today=TODAY)
    split_values = {v.name for v in tag.values if v.split}
    assert not split_values & {k[0] for k in found.result.row_keys}
    assert found.result.total.amount == plain.total.amount
    assert {k: c.amount for k, c in found.result.col_totals.items()} == {
        k: c.amount for k, c in plain.col_totals.items()}
    assert sum(found.split_in.values()) == sum(found.split_out.values())
    by_value: dict[str, int] = defaultdict(int)
    for k, c in found.result.row_totals.items():
        by_value[k[0]] += c.amount
    for value, amount in by_value.items():
        assert amount == expected.get(value, 0) + found.split_in.get(("team", value), 0)

    for value in {*expected, "nothing"}:  # a tag filter keeps exactly that value's cost (in the same grain:
        # a share is rounded per row of the view, so a coarser view may differ by a few atto-dollars)
        kept = tag_service.run_pivot(store, PivotSpec(rows=(extra_dim,), cols="month", date_range=RANGE,
                                                      filters=(Filter("team", (value,)),)), today=TODAY)
        assert kept.total.amount == by_value.get(value, 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, tag=tags_st(), extra_dim=st.sampled_from(["service", "project", "day", "api_key"]))
def test_tag_values_add_up_to_the_total(raw, tag, extra_dim) -> None:
    with sqlite_store() as store:
        check_tags(store, raw, tag, extra_dim)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=rows_st, tag=tags_st(), extra_dim=st.sampled_from(["service", "project", "day"]))
@needs_postgres
def test_tag_values_add_up_to_the_total_on_postgresql(pg_url, raw, tag, extra_dim) -> None:  # noqa: F811
    import psycopg2

    with contextlib.closing(psycopg2.connect(pg_url)) as con:
        con.autocommit = True
        con.cursor().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    with Store(pg_url) as store:
        check_tags(store, raw, tag, extra_dim)


@st.composite
def one_dimension_tags_st(draw):
    """Tags whose rules all read one dimension (team by project, env by key): the ones services/
    tag_regions.py answers with one query per value."""
    tag = draw(tags_st())
    dim = draw(st.sampled_from(RULE_DIMS))
    values = [TagValue(v.name, tuple(Rule(((dim, r.conditions[0][1]),)) for r in v.rules), v.split, v.percents)
              for v in tag.values]
    return Tag("team", tuple(values))


def answers(store: Store, spec: PivotSpec, splits: bool):
    found = tag_service.evaluate(store, spec, today=TODAY, splits=splits)
    r = found.result
    return ({k: (c.amount, c.quantity, c.units) for k, c in r.cells.items()},
            {k: (c.amount, c.quantity, c.units) for k, c in r.row_totals.items()},
            r.row_keys, found.allocated, found.split_in, found.split_out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, tag=one_dimension_tags_st(), extra_dim=st.sampled_from(["service", "project", "day", "api_key"]),
       cols=st.sampled_from(["month", "day", "week", None]), flt=st.sampled_from([None, "service", "team"]),
       splits=st.booleans(), quantities=st.booleans())
def test_one_query_per_value_gives_what_grouping_by_the_rules_gives(raw, tag, extra_dim, cols, flt,
                                                                    splits, quantities) -> None:
    """The same cells, quantities, units, order, shares and allocated amounts, to the last digit, as
    the path that groups by the rules' dimensions and matches each combination in Python."""
    with sqlite_store() as store:
        if not stored(store, raw, tag):
            return
        filters = {None: (), "service": (Filter("service", ("Images",), exclude=True),),
                   "team": (Filter("team", (tag.values[-1].name, UNTAGGED)),)}[flt]
        for rows in (("team",), ("team", extra_dim), (extra_dim, "team")):
            if cols in rows:
                continue
            spec = PivotSpec(rows=rows, cols=cols, date_range=RANGE, filters=filters, quantities=quantities)
            with pytest.MonkeyPatch.context() as m:
                m.setattr(tag_service.tag_regions, "answerable", lambda store, tags: False)
                grouped = answers(store, spec, splits)
            assert tag_service.tag_regions.answerable(store, [tag])
            assert answers(store, spec, splits) == grouped, spec
