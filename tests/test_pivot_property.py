"""run_pivot's cells and totals equal a plain Python aggregation of the same rows, for random rows,
specs, filters, date ranges and top-N (the SQL GROUP BY, the joins for names and the fold)."""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange, month_id, week_id
from openai_cost_tui.core.models import ApiKeyInfo, Cell, CostRow, Filter, PivotSpec, Project
from openai_cost_tui.core.pivot import OTHER_LABEL
from openai_cost_tui.core.taxonomy import classify
from openai_cost_tui.store.store import NewConnection, Store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)

START = date(2026, 4, 20)
DAYS = 45
LINE_ITEMS = [
    None,
    "gpt-4o-2024-08-06, input",
    "gpt-4o-mini-2024-07-18, cached input",
    "priority | gpt-5.6-sol, output, long context",
    "gpt-image-1 image, output",
    "Promotional credit",
    "web search tool calls",
    "Vector storage",
    "input_tokens",
    "batch | o3, output",
]
DIMS = [
    "service",
    "category",
    "subcategory",
    "tier",
    "context",
    "model_version",
    "line_item",
    "unit",
    "organization",
    "project",
    "api_key",
    "connection",
    "day",
    "week",
    "month",
]
# (description, organization name, project names, key names)
CONNS = [
    ("Conn A", "Org A", {"p1": "Alpha", "p2": ""}, {"k1": "ci"}),
    ("Conn B", None, {"p1": "Beta", "p2": "Alpha"}, {"k2": "dev", "k1": "ci"}),  # names shared across connections
]

rows_st = st.lists(
    st.tuples(
        st.integers(0, 1),  # connection
        st.integers(0, DAYS - 1),
        st.sampled_from([None, "p1", "p2", "p3"]),
        st.sampled_from(LINE_ITEMS),
        st.sampled_from([None, "k1", "k2"]),
        st.integers(-(10**20), 10**21),
        st.one_of(st.none(), st.integers(0, 10**6)),
        st.sampled_from(["tokens", "images", "characters", None]),  # 3 units: a group's are its least and greatest
    ),
    min_size=0,
    max_size=40,
)


def displayed(conn: int, row: CostRow) -> dict[str, str]:
    """What each dimension shows for one row, computed without the store."""
    desc, org, projects, keys = CONNS[conn]
    c = classify(row.line_item, amount=-1 if row.amount < 0 else 1, unit=row.unit)
    return {
        "service": c.service,
        "category": c.category,
        "subcategory": c.subcategory,
        "tier": c.tier,
        "context": c.context,
        "model_version": c.model_version or "(none)",  # an empty one shows as "(none)", like a project
        "line_item": row.line_item if row.line_item is not None else "(none)",
        "unit": row.unit if row.unit is not None else "(none)",
        "organization": org or desc,
        "connection": desc,
        "project": projects.get(row.project_id or "") or row.project_id or "(none)",
        "api_key": keys.get(row.api_key_id or "") or row.api_key_id or "(none)",
        "day": row.day.isoformat(),
        "week": week_id(row.day),
        "month": month_id(row.day),
    }


@st.composite
def specs(draw):
    rows = tuple(draw(st.lists(st.sampled_from(DIMS), min_size=1, max_size=2, unique=True)))
    cols = draw(st.one_of(st.none(), st.sampled_from([d for d in DIMS if d not in rows])))
    first = draw(st.integers(0, DAYS - 1))
    last = draw(st.integers(first, DAYS - 1))
    filters = []
    for dim in draw(st.lists(st.sampled_from(DIMS), max_size=2, unique=True)):
        values = draw(
            st.lists(
                st.sampled_from(
                    [
                        "(none)",
                        "Alpha",
                        "Beta",
                        "p2",
                        "p3",
                        "ci",
                        "k2",
                        "Org A",
                        "Conn B",
                        "tokens",
                        "input",
                        "Chats and Completions",
                        "gpt-4o",
                        "standard",
                        "2026-05",
                        "nothing",
                    ]
                ),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        filters.append(Filter(dim, tuple(values), draw(st.booleans())))
    top = draw(st.one_of(st.none(), st.integers(1, 3)))
    measure = draw(st.sampled_from(["cost", "quantity", "unit_cost"]))
    rng = DateRange(START + timedelta(days=first), START + timedelta(days=last))
    quantities = measure != "cost" or draw(st.booleans())  # a cost view may ask for amounts only
    return PivotSpec(rows=rows, cols=cols, date_range=rng, filters=tuple(filters), top=top, measure=measure,
                     quantities=quantities)


def expected(data: list[tuple[int, CostRow]], spec: PivotSpec):
    """Group, fold top-N into (other), total: dictionaries and loops only."""
    groups: dict[tuple, list[CostRow]] = defaultdict(list)
    for conn, row in data:
        if row.day not in spec.date_range:
            continue
        shown = displayed(conn, row)
        if any((shown[f.dim] in f.values) == f.exclude for f in spec.filters):
            continue
        row_key = tuple(shown[d] for d in spec.rows)
        groups[(row_key, shown[spec.cols] if spec.cols else "")].append(row)
    cells = {}
    for key, rows in groups.items():
        qty = [r.quantity for r in rows if r.quantity is not None]
        units = sorted({r.unit for r in rows if r.unit is not None})
        cells[key] = Cell(
            sum(r.amount for r in rows), sum(qty) if qty else None, frozenset(units[:1] + units[-1:])
        ) if spec.quantities else Cell(sum(r.amount for r in rows))  # amounts only: no quantity, no units
    outer: dict[str, int] = defaultdict(int)
    for (row_key, _), cell in cells.items():
        outer[row_key[0]] += cell.amount
    if spec.top is not None and len(outer) > spec.top:
        keep = set(sorted(outer, key=lambda k: (-outer[k], k))[: spec.top])
        folded: dict = {}
        for (row_key, col), cell in cells.items():
            if row_key[0] not in keep:
                row_key = (OTHER_LABEL, *([""] if len(row_key) > 1 else []))
            folded[(row_key, col)] = folded[(row_key, col)] + cell if (row_key, col) in folded else cell
        cells = folded
    row_totals: dict = {}
    col_totals: dict = {}
    total = Cell()
    for (row_key, col), cell in cells.items():
        row_totals[row_key] = row_totals[row_key] + cell if row_key in row_totals else cell
        if spec.cols:
            col_totals[col] = col_totals[col] + cell if col in col_totals else cell
        total = total + cell
    return cells, row_totals, col_totals, total


@contextlib.contextmanager
def sqlite_store():
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "costs.db")) as store:
        yield store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, spec_list=st.lists(specs(), min_size=1, max_size=5))
def test_pivot_equals_plain_aggregation(raw, spec_list) -> None:
    with sqlite_store() as store:
        check_pivots(store, raw, spec_list)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=rows_st, spec_list=st.lists(specs(), min_size=1, max_size=5))
@needs_postgres
def test_pivot_equals_plain_aggregation_on_postgresql(pg_url, raw, spec_list) -> None:  # noqa: F811
    """The same on PostgreSQL: one database for the test, an empty schema in it for each example."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(pg_url)) as con:
        con.autocommit = True
        con.cursor().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    with Store(pg_url) as store:
        check_pivots(store, raw, spec_list)


def check_pivots(store: Store, raw, spec_list) -> None:
    if True:
        ids = []
        for desc, org, projects, keys in CONNS:
            conn = store.add_connection(
                NewConnection(desc, "https://api.openai.com/v1", "env", "K", START, organization_name=org)
            )
            store.save_names(
                conn.id,
                [Project(p, n or None) for p, n in projects.items()],
                [ApiKeyInfo(k, n, "p1") for k, n in keys.items()],
            )
            ids.append(conn.id)
        data = [
            (
                c,
                CostRow(
                    START + timedelta(days=d),
                    p,
                    li,
                    k,
                    "usd",
                    amount,
                    None if q is None else q * money.SCALE,
                    unit,
                ),
            )
            for c, d, p, li, k, amount, q, unit in raw
        ]
        for i, conn_id in enumerate(ids):
            store.replace_window(
                conn_id, START, START + timedelta(days=DAYS - 1), [r for c, r in data if c == i]
            )
        for spec in spec_list:
            result = store.run_pivot(spec, today=START + timedelta(days=DAYS))
            cells, row_totals, col_totals, total = expected(data, spec)
            assert result.row_totals == row_totals
            assert set(result.row_keys) == set(row_totals)
            assert result.total == total
            if spec.cols:
                assert result.cells == cells
                assert result.col_totals == col_totals
                assert set(result.col_keys) == set(col_totals)
            else:
                assert result.cells == {}
