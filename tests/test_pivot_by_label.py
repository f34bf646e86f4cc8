"""Projects and keys grouped in SQL by the label they show or by the id alone (store/pivot.py, when a store
names many ids alike: MERGE_RATIO) give the cells, totals and units of grouping by connection and id and
naming them in Python:
the pivot and tag property tests again with every pivot forced onto the label path, and onto the id
path, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, PivotSpec, Project
from openai_cost_tui.store import pivot as store_pivot
from openai_cost_tui.store.store import NewConnection, Store
from tests import test_pivot_property as pivot_property
from tests.test_pivot_property import check_pivots, rows_st, specs, sqlite_store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_property import check_tags, tags_st

BY_LABEL, BY_ID = 0, 10**9  # MERGE_RATIO: 0 groups every named dimension by its label, 10**9 by its ids
# connections that show each project and key id alike (copies of one organization): grouped by the id alone
ALIKE = [("Conn A", "Org A", {"p1": "Alpha", "p2": "Beta"}, {"k1": "ci", "k2": "dev"}),
         ("Conn B", None, {"p1": "Alpha", "p2": "Beta"}, {"k1": "ci", "k2": "dev"})]
# ids of their own in each connection, sharing names (keys named after their job in each project): grouped by
# the label even where each id shows one label (SHARED_IDS)
SPREAD = [("Conn A", "Org A", {"p1": "Alpha", "p2": "Beta"}, {"k1": "ci"}),
          ("Conn B", None, {"p3": "Alpha"}, {"k2": "ci"})]
NAMINGS = st.sampled_from([None, ALIKE, SPREAD])  # None: test_pivot_property's, where connections name ids apart


@contextlib.contextmanager
def forced(ratio: int, naming):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store_pivot, "MERGE_RATIO", ratio)
        if naming is not None:
            m.setattr(pivot_property, "CONNS", naming)
        yield


def _fresh_pg(url: str) -> None:
    import psycopg2

    with contextlib.closing(psycopg2.connect(url)) as con:
        con.autocommit = True
        con.cursor().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


@pytest.mark.parametrize("ratio", [BY_LABEL, BY_ID])
def test_the_ratio_picks_the_path(store, ratio, monkeypatch) -> None:
    monkeypatch.setattr(store_pivot, "MERGE_RATIO", ratio)
    assert store_pivot._Names(store).by_pair("project")  # nothing named: ids, no join
    conns = [store.add_connection(NewConnection(f"C{i}", "https://api.openai.com/v1", "env", "K", date(2026, 5, 1)))
             for i in range(3)]
    for conn in conns:  # three ids of one name
        store.save_names(conn.id, [Project("p1", "Search")], [])
    names = store_pivot._Names(store)
    assert names.by_pair("project") == (ratio == BY_ID)
    assert not names.by_pair("service")
    assert names.mode("service") == "value"  # a view by charge dimensions alone: joined to its labels
    assert store_pivot._Names(store, charge_ids=True).mode("service") == "charge_id"  # beside projects or keys
    monkeypatch.setattr(store_pivot, "MERGE_RATIO", 2)
    assert store_pivot._Names(store).mode("project") == "label"  # 3 named ids per name, no months given
    assert store_pivot._Names(store, pairs=True).mode("project") == "pair"  # reading cost_month whole: no join
    store.replace_window(conns[0].id, date(2026, 5, 1), date(2026, 5, 1),
                         [CostRow(date(2026, 5, 1), "p1", "gpt-4o-2024-08-06, input", None, "usd", 5)])
    assert store_pivot._Names(store, ["2026-05"]).mode("project") == "id"  # p1 shows as Search everywhere
    store.save_names(conns[1].id, [Project("p1", "Ads")], [])
    monkeypatch.setattr(store_pivot, "MERGE_RATIO", 1)  # 3 named ids, 2 names
    store.replace_window(conns[1].id, date(2026, 5, 1), date(2026, 5, 1),
                         [CostRow(date(2026, 5, 1), "p1", "gpt-4o-2024-08-06, input", None, "usd", 5)])
    assert store_pivot._Names(store, ["2026-05"]).mode("project") == "label"  # p1 is Search and Ads


def test_ids_of_one_connection_each_that_share_names_are_grouped_by_the_label(store, monkeypatch) -> None:
    monkeypatch.setattr(store_pivot, "MERGE_RATIO", 2)
    conns = [store.add_connection(NewConnection(f"C{i}", "https://api.openai.com/v1", "env", "K", date(2026, 5, 1)))
             for i in range(2)]
    for conn in conns:  # each key in one connection, three keys a name
        store.save_names(conn.id, [], [ApiKeyInfo(f"k{conn.id}-{i}", ("ci", "dev")[i % 2], "p1") for i in range(6)])
        store.replace_window(conn.id, date(2026, 5, 1), date(2026, 5, 1),
                             [CostRow(date(2026, 5, 1), "p1", "gpt-4o-2024-08-06, input", f"k{conn.id}-{i}", "usd",
                                      (i + 1) * 10**18) for i in range(6)])
    assert store_pivot._Names(store, ["2026-05"]).mode("api_key") == "label"
    spec = PivotSpec(rows=("api_key",), cols="day", date_range=DateRange(date(2026, 5, 1), date(2026, 5, 1)),
                     quantities=False)
    result = store.run_pivot(spec, today=date(2026, 5, 2))
    assert result == store.run_pivot(spec, today=date(2026, 5, 2), use_rollups=False)
    assert {k: c.amount for k, c in result.row_totals.items()} == {("ci",): 18 * 10**18, ("dev",): 24 * 10**18}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, spec_list=st.lists(specs(), min_size=1, max_size=5), ratio=st.sampled_from([BY_LABEL, BY_ID]),
       naming=NAMINGS)
def test_pivot_by_label_equals_plain_aggregation(raw, spec_list, ratio, naming) -> None:
    with forced(ratio, naming), sqlite_store() as store:
        check_pivots(store, raw, spec_list)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, tag=tags_st(), extra_dim=st.sampled_from(["project", "api_key", "day"]),
       ratio=st.sampled_from([BY_LABEL, BY_ID]), naming=NAMINGS)
def test_tags_by_label_add_up(raw, tag, extra_dim, ratio, naming) -> None:
    with forced(ratio, naming), sqlite_store() as store:
        check_tags(store, raw, tag, extra_dim)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=rows_st, spec_list=st.lists(specs(), min_size=1, max_size=5), ratio=st.sampled_from([BY_LABEL, BY_ID]),
       naming=NAMINGS)
@needs_postgres
def test_pivot_by_label_equals_plain_aggregation_on_postgresql(pg_url, raw, spec_list, ratio, naming) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with forced(ratio, naming), Store(pg_url) as store:
        check_pivots(store, raw, spec_list)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=rows_st, tag=tags_st(), extra_dim=st.sampled_from(["project", "api_key"]),
       ratio=st.sampled_from([BY_LABEL, BY_ID]), naming=NAMINGS)
@needs_postgres
def test_tags_by_label_add_up_on_postgresql(pg_url, raw, tag, extra_dim, ratio, naming) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with forced(ratio, naming), Store(pg_url) as store:
        check_tags(store, raw, tag, extra_dim)
