"""A tag by project, by API key or by charge dimensions (service, line item ...) is read from its cubes
(store/tag_cube.py), which stay equal to classing the rows again however the store changes after the tag
was saved: windows replaced over any days, projects
or keys renamed or named for the first time, a connection removed, the tag redefined. Each view equals the one read without
the cube, to the last atto-dollar, on SQLite and PostgreSQL; a cube whose tag was changed behind its back
is not read; a store from schema 11 gets the cubes of its tags (and the daily rollups by project across
connections and by API key), one from schema 12 those of its tags by charge dimensions."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Filter, PivotSpec, Project
from openai_cost_tui.core.tags import Rule, Tag, TagValue, to_dict
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.store import rollup, tag_cube
from openai_cost_tui.store.store import NewConnection, Store
from tests.test_pivot_by_label import _fresh_pg
from tests.test_pivot_property import CONNS, DAYS, LINE_ITEMS, START, sqlite_store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_rollup import rebuilt, rollup_dump
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_property import RANGE, TODAY, tags_st

PROJECTS = [None, "p1", "p2", "p3"]
NAMES = ["Alpha", "Beta", "", "Search", "p3"]  # "p3": a name that is another project's id


CHARGE_RULE_DIMS = ["service", "line_item", "tier", "category", "subcategory", "model_version"]


@st.composite
def project_tags(draw) -> Tag:
    """tags_st's tags (exact and glob patterns, splits of every kind) with every rule reading the project,
    or every rule the API key, or every rule one or two charge dimensions."""
    tag, kind = draw(tags_st()), draw(st.sampled_from(["project", "api_key", "charge"]))

    def conditions(rule: Rule) -> tuple:
        if kind != "charge":
            return ((kind, rule.conditions[0][1]),)
        dims = draw(st.lists(st.sampled_from(CHARGE_RULE_DIMS), min_size=1, max_size=2, unique=True))
        return tuple((d, patterns) for d, (_, patterns) in zip(dims, rule.conditions * 2, strict=False))

    return Tag(tag.name, tuple(TagValue(v.name, tuple(Rule(conditions(r)) for r in v.rules), v.split, v.percents)
                               for v in tag.values))


row_st = st.tuples(st.sampled_from(PROJECTS), st.sampled_from(LINE_ITEMS), st.sampled_from([None, "k1", "k2"]),
                   st.integers(-(10**20), 10**21))
ops_st = st.lists(st.one_of(
    st.tuples(st.just("window"), st.integers(0, 1), st.integers(0, DAYS - 1), st.integers(1, 10),
              st.lists(st.tuples(st.integers(0, 9), row_st), max_size=12)),
    st.tuples(st.just("names"), st.integers(0, 1), st.dictionaries(st.sampled_from(["p1", "p2", "p3"]),
                                                                    st.sampled_from(NAMES), max_size=3)),
    st.tuples(st.just("keys"), st.integers(0, 1), st.dictionaries(st.sampled_from(["k1", "k2"]),
                                                                   st.sampled_from(["ci", "dev", "", "k1"]),
                                                                   max_size=2)),
    st.tuples(st.just("remove"), st.integers(0, 1)),
    st.tuples(st.just("retag"), project_tags()),
), max_size=6)
before_st = st.lists(st.tuples(st.integers(0, DAYS - 2), st.integers(0, 1), row_st), max_size=16)

VIEWS = [
    PivotSpec(rows=("team",), cols="day", date_range=RANGE, quantities=False),
    PivotSpec(rows=("team",), cols="month", date_range=RANGE, quantities=False),
    PivotSpec(rows=("team", "organization"), cols="week", date_range=RANGE, quantities=False),
    PivotSpec(rows=("connection",), cols="team", date_range=RANGE, quantities=False),
    PivotSpec(rows=("day",), cols=None, date_range=RANGE, quantities=False, filters=(Filter("team", ("V0",)),)),
    PivotSpec(rows=("team",), cols=None, date_range=RANGE, quantities=False,
              filters=(Filter("connection", ("Conn B",), exclude=True),
                       Filter("day", (START.isoformat(), (START + timedelta(days=3)).isoformat())))),
    # by a charge dimension: whole months from the month cube, the edge days classed as before
    PivotSpec(rows=("team", "service"), cols="month", date_range=RANGE, quantities=False),
    PivotSpec(rows=("category",), cols="team", date_range=RANGE, quantities=False,
              filters=(Filter("service", ("Chats and Completions", "Images")), Filter("organization", ("Org A",)))),
    PivotSpec(rows=("team",), cols="line_item", date_range=DateRange(START.replace(day=1), RANGE.end),
              quantities=False),
    PivotSpec(rows=("team",), cols="month", date_range=RANGE),  # quantities: never from a cube
    # by project or key: a tag by charge dimensions reads whole months from its cube by project and key
    PivotSpec(rows=("project", "team"), cols="month", date_range=RANGE, quantities=False),
    PivotSpec(rows=("api_key",), cols="team", date_range=DateRange(START.replace(day=1), RANGE.end), quantities=False,
              filters=(Filter("project", ("Alpha", "(none)", "p3")), Filter("connection", ("Conn B",), exclude=True))),
    PivotSpec(rows=("team", "organization"), cols="project", date_range=RANGE, quantities=False,
              filters=(Filter("api_key", ("ci", "k2"), exclude=True),)),
    # by project or key and days: whole months from the cube by project and key, the edge days classed
    PivotSpec(rows=("api_key",), cols="team", date_range=RANGE, quantities=False),
    PivotSpec(rows=("project", "team"), cols="day", date_range=DateRange(START, START + timedelta(days=12)),
              quantities=False),
    PivotSpec(rows=("team", "project"), cols="week", date_range=RANGE, quantities=False,
              filters=(Filter("api_key", ("ci", "k2"), exclude=True), Filter("organization", ("Org A",)))),
    PivotSpec(rows=("team",), cols="api_key", date_range=RANGE, quantities=False,
              filters=(Filter("project", ("Alpha", "(none)", "p3")),
                       Filter("day", tuple((START + timedelta(days=d)).isoformat() for d in (0, 3, 11, 20))))),
]


@contextlib.contextmanager
def without_cubes(store: Store):
    """The reference: every tag view classes the rows again, as with no cube."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store, "tag_cells", lambda *a, **k: None)
        yield


def connect(store: Store) -> list[int]:
    ids = []
    for desc, org, projects, keys in CONNS:
        conn = store.add_connection(NewConnection(desc, "https://api.openai.com/v1", "env", "K", START,
                                                  organization_name=org))
        store.save_names(conn.id, [Project(p, n or None) for p, n in projects.items()],
                         [ApiKeyInfo(k, n, "p1") for k, n in keys.items()])
        ids.append(conn.id)
    return ids


def replay(store: Store, tag: Tag, ops, before=()) -> Tag:
    """``before``'s rows stored (each connection's over every day, the last day among them), the tag
    saved, then each operation applied; the tag as it stands at the end."""
    ids = connect(store)
    last = START + timedelta(days=DAYS - 1)
    for c, conn in enumerate(ids):
        rows = [CostRow(START + timedelta(days=d), p, li, k, "usd", amount, None, None)
                for d, on, (p, li, k, amount) in before if on == c]
        store.replace_window(conn, START, last, rows + [CostRow(last, "p2", LINE_ITEMS[-1], None, "usd", 1, None, None)])
    store.save_tag(tag)
    removed: set[int] = set()
    for op in ops:
        if op[0] == "window" and op[1] not in removed:
            _, c, first, length, rows = op
            start = START + timedelta(days=first)
            end = min(start + timedelta(days=length - 1), START + timedelta(days=DAYS - 1))
            store.replace_window(ids[c], start, end, [
                CostRow(start + timedelta(days=d), p, li, k, "usd", amount, None, None)
                for d, (p, li, k, amount) in rows if start + timedelta(days=d) <= end])
        elif op[0] == "names" and op[1] not in removed:
            store.save_names(ids[op[1]], [Project(p, n or None) for p, n in op[2].items()], [])
        elif op[0] == "keys" and op[1] not in removed:
            store.save_names(ids[op[1]], [], [ApiKeyInfo(k, n or None, "p1") for k, n in op[2].items()])
        elif op[0] == "remove" and op[1] not in removed:
            store.remove_connection(ids[op[1]])
            removed.add(op[1])
        elif op[0] == "retag":
            tag = Tag(tag.name, op[1].values)
            store.save_tag(tag)
    tag_service.load(store)
    return tag


def check_cube(store: Store, tag: Tag, ops, before=()) -> None:
    tag = replay(store, tag, ops, before)
    # the cubes answer: the path is taken
    assert store.tag_cells(tag, VIEWS[0], ["day", "team"]) is not None
    assert store.tag_cells(tag, VIEWS[6], ["service", "team"], months=["2026-05"]) is not None
    by_project = store.tag_cells(tag, VIEWS[-7], ["project", "team"], months=["2026-05"])
    assert (by_project is not None) == (tag_cube.kind(tag) == "charge")
    # and its part cube the whole parts of weeks among the edge days (April 20-26 and 27-30)
    by_part = store.tag_cells(tag, VIEWS[-4], ["api_key", "team"], parts=[("2026-04", "2026-W17"), ("2026-04", "2026-W18")])
    assert (by_part is not None) == (tag_cube.kind(tag) == "charge")
    for spec in VIEWS:
        for splits in (True, False):
            found = tag_service.evaluate(store, spec, today=TODAY, splits=splits)
            with without_cubes(store):
                assert found == tag_service.evaluate(store, spec, today=TODAY, splits=splits)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag=project_tags(), ops=ops_st, before=before_st)
def test_a_tag_cube_equals_classing_the_rows_again(tag, ops, before) -> None:
    with sqlite_store() as store:
        check_cube(store, Tag("team", tag.values), ops, before)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tag=project_tags(), ops=ops_st, before=before_st)
@needs_postgres
def test_a_tag_cube_equals_classing_the_rows_again_on_postgresql(pg_url, tag, ops, before) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with Store(pg_url) as store:
        check_cube(store, Tag("team", tag.values), ops, before)


TEAM = Tag("team", (TagValue("V0", (Rule((("project", ("Alpha",)),)),)),
                    TagValue("V1", (Rule((("project", ("B*", "(none)")),)),))))
WINDOW = [CostRow(START + timedelta(days=d), p, None, None, "usd", (d + 1) * 7 * money.SCALE, None, None)
          for d in range(5) for p in ("p1", "p2", None)]


def stored_team(path, connection: int):
    """A store at ``path`` with WINDOW in one connection and TEAM saved, whose cube answers."""
    with Store(str(path)) as store:
        ids = connect(store)
        store.replace_window(ids[connection], START, START + timedelta(days=4), WINDOW)
        store.save_tag(TEAM)
        assert store.tag_cells(TEAM, VIEWS[0], ["day", "team"])
        return tag_service.run_pivot(store, VIEWS[0], today=TODAY)


def test_a_cube_whose_tag_changed_behind_its_back_is_not_read(tmp_path) -> None:
    path = tmp_path / "costs.db"
    stored_team(path, 0)
    changed = Tag("team", (TagValue("V0", (Rule((("project", ("*",)),)),)),))
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # another program's edit, with no rebuild
        con.execute("UPDATE virtual_tag SET definition = ?", (json.dumps(to_dict(changed), sort_keys=True),))
    with Store(str(path)) as store:
        assert store.tag_cells(changed, VIEWS[0], ["day", "team"]) is None
        result = tag_service.run_pivot(store, PivotSpec(rows=("team",), cols=None, date_range=RANGE,
                                                        quantities=False), today=TODAY)
        assert {k: c.amount for k, c in result.row_totals.items()} == {
            ("V0",): sum(r.amount for r in WINDOW)}


def test_a_schema_11_store_gets_the_cubes_of_its_tags_and_the_new_daily_rollups(tmp_path) -> None:
    path = tmp_path / "costs.db"
    before = stored_team(path, 1)
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # as schema 11 left it: no cube tables
        con.execute("DROP TABLE tag_day")
        con.execute("DROP TABLE tag_month")
        con.execute("DROP TABLE tag_cube")
        con.execute("DROP TABLE cost_day_project_all")
        con.execute("DROP TABLE cost_day_key")
        con.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    with Store(str(path)) as store:
        assert store.tag_cells(TEAM, VIEWS[0], ["day", "team"])
        assert store.tag_cells(TEAM, VIEWS[6], ["service", "team"], months=["2026-04"])
        assert tag_service.run_pivot(store, VIEWS[0], today=TODAY) == before
        for added in (rollup.DAY_PROJECT_ALL, rollup.DAY_KEY):
            assert rollup_dump(store, added) == rebuilt(store, added) != []
    assert list(tmp_path.glob("costs.db.schema11-*.bak"))  # backed up before migrating


def test_a_project_named_after_its_costs_moves_to_its_value_in_the_cube() -> None:
    with sqlite_store() as store:
        ids = connect(store)
        store.replace_window(ids[1], START, START + timedelta(days=4), WINDOW)  # Conn B: p1 "Beta", p2 "Alpha"
        store.save_tag(TEAM)
        spec = PivotSpec(rows=("team",), cols=None, date_range=RANGE, quantities=False)

        def by_value() -> dict[str, int]:
            assert store.tag_cells(TEAM, spec, ["team"]) is not None
            return {k[0]: c.amount for k, c in tag_service.run_pivot(store, spec, today=TODAY).row_totals.items()}

        per_project = {p: sum(r.amount for r in WINDOW if r.project_id == p) for p in ("p1", "p2", None)}
        assert by_value() == {"V0": per_project["p2"], "V1": per_project["p1"] + per_project[None]}
        store.save_names(ids[1], [Project("p1", "Alpha"), Project("p2", "Gamma")], [])
        assert by_value() == {"V0": per_project["p1"], "V1": per_project[None], "(untagged)": per_project["p2"]}


@needs_postgres
def test_a_tag_saved_during_a_sync_on_a_team_store_waits_for_its_window(pg_url) -> None:  # noqa: F811
    """Two members of a PostgreSQL store: one replaces a window and has not committed when the other saves a
    tag. The save waits for the window (the cube writers' lock), so the new cube holds it."""
    import threading
    import time

    _fresh_pg(pg_url)
    with Store(pg_url) as syncing:
        ids = connect(syncing)
        done = threading.Event()

        def save() -> None:
            with Store(pg_url) as member:
                member.save_tag(TEAM)
            done.set()

        with syncing.write():
            syncing.replace_window(ids[0], START, START + timedelta(days=4), WINDOW)
            saver = threading.Thread(target=save)
            saver.start()
            deadline = time.monotonic() + 60
            while not done.is_set() and time.monotonic() < deadline:  # until the save waits on the lock
                if syncing.db.execute_sql("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' "
                                          "AND NOT granted").fetchone()[0]:
                    break
                time.sleep(0.05)
        saver.join(60)
        assert done.is_set()
        spec = PivotSpec(rows=("team",), cols=None, date_range=RANGE, quantities=False)
        found = syncing.tag_cells(TEAM, spec, ["team"])
        with without_cubes(syncing):
            assert found == {(k[0],): c for k, c in
                             tag_service.run_pivot(syncing, spec, today=TODAY).row_totals.items()} != {}


def test_a_key_renamed_moves_its_costs_to_its_new_value_in_the_cube() -> None:
    env = Tag("env", (TagValue("CI", (Rule((("api_key", ("ci",)),)),)),
                      TagValue("Dev", (Rule((("api_key", ("dev", "k9")),)),))))
    rows = [CostRow(START + timedelta(days=d), "p1", None, k, "usd", (d + 3) * weight * money.SCALE, None, None)
            for d in range(4) for k, weight in (("k1", 1), ("k9", 10), (None, 100))]
    with sqlite_store() as store:
        ids = connect(store)  # Conn A: k1 "ci"
        store.replace_window(ids[0], START, START + timedelta(days=3), rows)
        store.save_tag(env)
        spec = PivotSpec(rows=("env",), cols=None, date_range=RANGE, quantities=False)

        def by_value() -> dict[str, int]:
            assert store.tag_cells(env, spec, ["env"]) is not None
            return {k[0]: c.amount for k, c in tag_service.run_pivot(store, spec, today=TODAY).row_totals.items()}

        per_key = {k: sum(r.amount for r in rows if r.api_key_id == k) for k in ("k1", "k9", None)}
        assert by_value() == {"CI": per_key["k1"], "Dev": per_key["k9"], "(untagged)": per_key[None]}
        store.save_names(ids[0], [], [ApiKeyInfo("k1", "dev", "p1"), ApiKeyInfo("k9", "ci", "p1")])
        assert by_value() == {"Dev": per_key["k1"], "CI": per_key["k9"], "(untagged)": per_key[None]}


WORKLOAD = Tag("workload", (TagValue("Chat", (Rule((("service", ("Chats*",)),)),)),
                            TagValue("Storage", (Rule((("line_item", ("Vector storage",)), ("tier", ("*",)))),))))


def test_a_schema_12_store_gets_the_cubes_of_its_tags_by_charge_dimensions(tmp_path) -> None:
    path = tmp_path / "costs.db"
    last = START + timedelta(days=DAYS - 1)
    rows = [CostRow(START + timedelta(days=d), p, li, "k1", "usd", (d + 1) * (i + 1) * money.SCALE, None, None)
            for d in range(DAYS) for p in ("p1", None) for i, li in enumerate(LINE_ITEMS)]
    spec = PivotSpec(rows=("project", "workload"), cols="month", date_range=RANGE, quantities=False)
    with Store(str(path)) as store:
        ids = connect(store)
        store.replace_window(ids[0], START, last, rows)
        store.save_tag(WORKLOAD)
        assert store.tag_cells(WORKLOAD, spec, ["project", "workload"], months=["2026-05"])
        with without_cubes(store):
            before = tag_service.run_pivot(store, spec, today=TODAY)
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # as schema 12 left it: no cube for this tag
        for table in ("tag_day", "tag_month", "tag_cube"):
            con.execute(f"DELETE FROM {table}")
        con.execute("DROP TABLE tag_month_project_key")
        con.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    with Store(str(path)) as store:
        assert store.tag_cells(WORKLOAD, spec, ["project", "workload"], months=["2026-05"])
        assert tag_service.run_pivot(store, spec, today=TODAY) == before
    assert list(tmp_path.glob("costs.db.schema12-*.bak"))


def test_a_rules_change_moves_a_charge_to_its_new_value_in_the_cube(tmp_path) -> None:
    from openai_cost_tui.core.taxonomy import Taxonomy

    path = str(tmp_path / "costs.db")
    tuning = Tag("kind", (TagValue("Tuning", (Rule((("service", ("Fine-tuning",)),)),)),))
    rows = [CostRow(START + timedelta(days=d), "p1", li, None, "usd", (d + 1) * weight * money.SCALE, None, None)
            for d in range(3) for li, weight in (("acme-secret-model, input", 1), ("Vector storage", 10))]
    spec = PivotSpec(rows=("kind",), cols=None, date_range=RANGE, quantities=False)

    def by_value(store: Store) -> dict[str, int]:
        assert store.tag_cells(tuning, spec, ["kind"]) is not None
        found = {k[0]: c.amount for k, c in tag_service.run_pivot(store, spec, today=TODAY).row_totals.items()}
        with without_cubes(store):
            assert found == {k[0]: c.amount for k, c in
                             tag_service.run_pivot(store, spec, today=TODAY).row_totals.items()}
        return found

    acme = sum(r.amount for r in rows if r.line_item.startswith("acme"))
    with Store(path) as store:
        ids = connect(store)
        store.replace_window(ids[0], START, START + timedelta(days=2), rows)
        store.save_tag(tuning)
        assert by_value(store) == {"(untagged)": sum(r.amount for r in rows)}
    with Store(path, taxonomy=Taxonomy.from_toml('[[rule]]\nmatch = "acme-*"\nservice = "Fine-tuning"\n')) as store:
        assert store.reclassify() == 1
        tag_service.load(store)
        assert by_value(store) == {"Tuning": acme, "(untagged)": sum(r.amount for r in rows) - acme}


@needs_postgres
def test_a_schema_12_team_store_gets_the_cubes_of_its_tags_by_charge_dimensions(pg_url) -> None:  # noqa: F811
    import psycopg2

    _fresh_pg(pg_url)
    rows = [CostRow(START + timedelta(days=d), p, li, "k1", "usd", (d + 1) * (i + 1) * money.SCALE, None, None)
            for d in range(DAYS) for p in ("p1", None) for i, li in enumerate(LINE_ITEMS)]
    spec = PivotSpec(rows=("project", "workload"), cols="month", date_range=RANGE, quantities=False)
    with Store(pg_url) as store:
        ids = connect(store)
        store.replace_window(ids[0], START, START + timedelta(days=DAYS - 1), rows)
        store.save_tag(WORKLOAD)
        with without_cubes(store):
            before = tag_service.run_pivot(store, spec, today=TODAY)
    with contextlib.closing(psycopg2.connect(pg_url)) as con, con, con.cursor() as cur:  # as schema 12 left it
        for table in ("tag_day", "tag_month", "tag_cube"):
            cur.execute(f"DELETE FROM {table}")
        cur.execute("DROP TABLE tag_month_project_key")
        cur.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    with Store(pg_url) as store:
        assert store.tag_cells(WORKLOAD, spec, ["project", "workload"], months=["2026-05"])
        assert tag_service.run_pivot(store, spec, today=TODAY) == before
