"""A tag whose rules read charge dimensions keeps a part cube for recent months (store/tag_parts.py): a view
by the tag and keys or projects reads the whole parts of weeks among its edge days from it. Each view equals
classing the rows again, however windows replace days inside, across and beside parts; a part older than the
cube keeps is classed as before; a store from schema 14 gets the part cubes of its tags."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date, timedelta

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import CostRow, Filter, PivotSpec
from openai_cost_tui.core.tags import Rule, Tag, TagValue
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.store import tag_cube, tag_parts
from openai_cost_tui.store.store import Store
from tests.test_pivot_by_label import _fresh_pg
from tests.test_pivot_property import LINE_ITEMS
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_tag_cube import connect, without_cubes
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)

FIRST, LAST = date(2026, 1, 26), date(2026, 6, 3)  # a Monday; parts kept from March (June 3 - 92 days)
TODAY = LAST + timedelta(days=1)
WORKLOAD = Tag("workload", (TagValue("Generation", (Rule((("service", ("Chats*", "Images")),)),)),
                            TagValue("Storage", (Rule((("line_item", ("Vector storage",)),)),))))


def rows(first: date, last: date, scale: int = 1) -> list[CostRow]:
    days = (last - first).days + 1
    return [CostRow(first + timedelta(days=d), p, li, k, "usd", scale * (d + 3) * (i + 1) * money.SCALE // 7, None, None)
            for d in range(days) for i, li in enumerate(LINE_ITEMS) for p, k in (("p1", "k1"), ("p2", "k2"), (None, None))
            if (d + i) % 3]


def views() -> list[PivotSpec]:
    out = []
    for lo, hi in ((date(2026, 4, 20), LAST), (date(2026, 4, 27), date(2026, 5, 31)), (date(2026, 4, 22), LAST),
                   (date(2026, 3, 30), date(2026, 4, 30)), (date(2026, 4, 1), date(2026, 6, 1)),
                   (date(2026, 2, 23), date(2026, 3, 31))):
        dates = DateRange(lo, hi)
        out += [PivotSpec(rows=("api_key",), cols="workload", date_range=dates, quantities=False),
                PivotSpec(rows=("workload", "project"), cols=None, date_range=dates, quantities=False,
                          filters=(Filter("api_key", ("ci",), exclude=True),)),
                PivotSpec(rows=("connection", "workload"), cols="month", date_range=dates, quantities=False)]
    return out


def check(store: Store) -> None:
    tag_service.load(store)
    for spec in views():
        found = tag_service.run_pivot(store, spec, today=TODAY)
        with without_cubes(store):
            assert found == tag_service.run_pivot(store, spec, today=TODAY), spec
    T = store.m.TagPartProjectKey
    kept = sorted(store.db.execute(T.select().order_by(*T._meta.sorted_fields)))
    with store.write():
        tag_cube.build_parts(store.db, store.m)  # made again from the rows (from the months a rebuild keeps)
    again = sorted(store.db.execute(T.select().order_by(*T._meta.sorted_fields)))
    assert again == [row for row in kept if row[1] >= min(row[1] for row in again)] and again


def replay(store: Store) -> None:
    ids = connect(store)
    for conn in ids:
        store.replace_window(conn, FIRST, LAST, rows(FIRST, LAST))
    store.save_tag(WORKLOAD)
    # parts read, where kept: March's, not February's
    spec = views()[0]
    assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-04", "2026-W17")]) is not None
    assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-03", "2026-W14")]) is not None
    assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-02", "2026-W09")]) is None
    check(store)
    # windows inside a part, across a month's end inside a week, beside a part, over the last days, and one
    # emptied; then a connection removed
    for lo, hi, scale in ((date(2026, 4, 22), date(2026, 4, 24), 3), (date(2026, 4, 29), date(2026, 5, 2), 5),
                          (date(2026, 3, 30), date(2026, 4, 1), 2), (date(2026, 6, 1), LAST, 7)):
        store.replace_window(ids[0], lo, hi, rows(lo, hi, scale))
        check(store)
    store.replace_window(ids[1], date(2026, 4, 27), date(2026, 4, 28), [])
    check(store)
    store.remove_connection(ids[1])
    check(store)


def test_a_tag_by_charge_reads_whole_parts_of_its_edge_days_from_its_part_cube(tmp_path) -> None:
    with Store(str(tmp_path / "costs.db")) as store:
        replay(store)


@needs_postgres
def test_a_tag_by_charge_reads_whole_parts_of_its_edge_days_on_postgresql(pg_url) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with Store(pg_url) as store:
        replay(store)


def test_a_tag_saved_before_any_row_keeps_every_part(tmp_path) -> None:
    """Saved before the first sync (or after every connection went), the part cube keeps the parts of every
    window that arrives after."""
    with Store(str(tmp_path / "costs.db")) as store:
        ids = connect(store)
        store.save_tag(WORKLOAD)
        for conn in ids:
            store.replace_window(conn, FIRST, LAST, rows(FIRST, LAST))
        spec = views()[0]
        assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-02", "2026-W09")]) is not None
        check(store)


def test_a_redefined_tag_reads_no_part_cube_of_its_old_rules(tmp_path) -> None:
    with Store(str(tmp_path / "costs.db")) as store:
        (conn, _) = connect(store)
        store.replace_window(conn, FIRST, LAST, rows(FIRST, LAST))
        store.save_tag(WORKLOAD)
        T, C = store.m.TagPartProjectKey, store.m.TagCube
        with store.write():  # the tag redefined behind the cube's back: its row names the old stamp
            C.update(stamp=tag_parts.row_stamp("0" * 32, "2026-03")).where(
                C.name == tag_parts.row_name(WORKLOAD.name)).execute()
            T.update(amount_hi=T.amount_hi + 1).execute()
        spec = views()[0]
        assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-04", "2026-W17")]) is None
        tag_service.load(store)
        found = tag_service.run_pivot(store, spec, today=TODAY)
        with without_cubes(store):
            assert found == tag_service.run_pivot(store, spec, today=TODAY)


@pytest.mark.parametrize("version", [13, 14])
def test_a_store_from_before_schema_15_gets_the_part_cubes_of_its_tags(tmp_path, version) -> None:
    path = tmp_path / "costs.db"
    with Store(str(path)) as store:
        (conn, _) = connect(store)
        store.replace_window(conn, FIRST, LAST, rows(FIRST, LAST))
        store.save_tag(WORKLOAD)
        tag_service.load(store)
        before = [tag_service.run_pivot(store, spec, today=TODAY) for spec in views()]
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # as schema 14 left it
        con.execute("DROP TABLE tag_part_project_key")
        con.execute("DROP TABLE cost_part_key")
        con.execute("DELETE FROM tag_cube WHERE name LIKE '%:parts'")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    with Store(str(path)) as store:
        spec = views()[0]
        assert store.tag_cells(WORKLOAD, spec, ["api_key", "workload"], parts=[("2026-04", "2026-W17")]) is not None
        tag_service.load(store)
        assert [tag_service.run_pivot(store, spec, today=TODAY) for spec in views()] == before
