"""The fixed pivot specs, timed three ways on the same rows in the same run.

- ``run_pivot``: the project's own path (Peewee query, exact folding, top-N, totals: a PivotResult).
- ``sqlite``: the naive floor, the same GROUP BY over the joined tables with text values, written as
  plain SQL on the stdlib ``sqlite3`` module, rows fetched, nothing folded.
- ``duckdb``: the same SQL in DuckDB on a copy of the same rows (skipped when duckdb is missing).

Every engine's grand total is compared with ``run_pivot``'s exact total, so a fast wrong answer shows.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange, add_months
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.core.tags import UNTAGGED, Rule, Tag, TagValue
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.store.store import Store

from .stores import WORKSPACE

MODEL_CATEGORY = "gpt-4o"  # a model every fake organization uses


@dataclass(frozen=True)
class BenchQuery:
    name: str
    rows: tuple[str, ...]
    cols: str | None
    days: int | None = None  # the last N days; None: the last 12 whole months and this month so far
    top: int | None = None
    filters: tuple[Filter, ...] = ()
    workspace: str | None = None
    binned_by_day: bool = False
    one_project: bool = False  # filtered to the store's busiest project, by the name a user sees
    tag: Tag | None = None  # a virtual tag the view groups by (saved into the store before timing)

    def date_range(self, today: date) -> DateRange:
        if self.days is None:
            return DateRange(add_months(today, -12), today)
        return DateRange(today - timedelta(days=self.days - 1), today)

    def spec(self, today: date, project: str = "") -> PivotSpec:
        filters = self.filters
        if self.one_project:
            filters = (*filters, Filter("project", (project,)))
        # a cost view, as the report asks for one: amounts only (ReportState.spec)
        return PivotSpec(rows=self.rows, cols=self.cols, date_range=self.date_range(today),
                         filters=filters, workspace=self.workspace, top=self.top, quantities=False)


# the eleven views of issue #14, in its order
QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery("service x month", ("service",), "month"),
    BenchQuery("project x month, top 50", ("project",), "month", top=50),
    BenchQuery("category x subcategory, 30 days", ("category",), "subcategory", days=30),
    BenchQuery("project x day, 31 days", ("project",), "day", days=31, binned_by_day=True),
    BenchQuery("project x day, 90 days", ("project",), "day", days=90, binned_by_day=True),
    BenchQuery("api_key x month", ("api_key",), "month"),
    BenchQuery("service x week", ("service",), "week", binned_by_day=True),
    BenchQuery("one project: subcategory x day, 90 days", ("subcategory",), "day", days=90, binned_by_day=True,
               one_project=True),
    BenchQuery("service x day, 90 days", ("service",), "day", days=90, binned_by_day=True),
    BenchQuery(f"organization x service x month, workspace {WORKSPACE!r}", ("organization", "service"), "month",
               workspace=WORKSPACE),
    BenchQuery(f"api_key x month, category {MODEL_CATEGORY!r}", ("api_key",), "month",
               filters=(Filter("category", (MODEL_CATEGORY,)),)),
)

# views beyond the eleven that a user opens as readily: many cells (a key per name and day), a
# breakdown by two entity dimensions, the raw line items by day
MORE_QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery("api_key x day, 31 days", ("api_key",), "day", days=31, binned_by_day=True),
    BenchQuery("project x api_key, 31 days", ("project", "api_key"), None, days=31),
    BenchQuery("line_item x day, 31 days", ("line_item",), "day", days=31, binned_by_day=True),
    BenchQuery("api_key x service", ("api_key",), "service"),
    BenchQuery("project x service", ("project",), "service"),
)

PROFILED = (QUERIES[0], QUERIES[3])  # a month-binned year and a 31-day day-binned pivot


def _project_rule(*patterns: str) -> tuple[Rule, ...]:
    return (Rule((("project", patterns),)),)


# issue #17: virtual tags by project, as the README defines one; the second shares a value's cost out
# in proportion to the others' cost on the same day
TEAM = Tag("team", (TagValue("Search", _project_rule("Search*", "Recommendations")),
                    TagValue("Bots", _project_rule("*Bot*", "*Assistant*"))))
TEAM_SPLIT = Tag("team_split", (*(TagValue(v.name, v.rules) for v in TEAM.values),
                                TagValue("Shared", _project_rule("Internal*", "Data*"), split="proportional")))
# and two whose rules read other dimensions (no tag cube: their rows are classed by a CASE in SQL)
ENV = Tag("env", (TagValue("Production", (Rule((("api_key", ("prod-*", "eu-prod", "canary")),)),)),
                  TagValue("Staging", (Rule((("api_key", ("staging*",)),)),)),
                  TagValue("Development", (Rule((("api_key", ("dev-*", "sandbox-*", "playground")),)),))))
WORKLOAD = Tag("workload", (TagValue("Generation", (Rule((("service", ("Chats and Completions", "Images")),)),)),
                            TagValue("Retrieval", (Rule((("service", ("Storage", "Tools")),)),))))
TAG_QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery("tag team (by project) x month", ("team",), "month", tag=TEAM),
    BenchQuery("tag team x day, 31 days", ("team",), "day", days=31, binned_by_day=True, tag=TEAM),
    BenchQuery("tag team x day, 90 days", ("team",), "day", days=90, binned_by_day=True, tag=TEAM),
    BenchQuery("tag team x service", ("team",), "service", tag=TEAM),
    BenchQuery("tag team, Shared split by day x month", ("team_split",), "month", tag=TEAM_SPLIT),
    BenchQuery("tag team, Shared split by day x day, 31 days", ("team_split",), "day", days=31,
               binned_by_day=True, tag=TEAM_SPLIT),
    BenchQuery("tag env (by API key) x day, 31 days", ("env",), "day", days=31, binned_by_day=True, tag=ENV),
    BenchQuery("tag workload (by service) x project, top 50", ("workload",), "project", top=50, tag=WORKLOAD),
    BenchQuery("tag workload (by service) x api_key, 31 days", ("workload",), "api_key", days=31, tag=WORKLOAD),
)


def busiest_project(store: Store, today: date) -> str:
    """The displayed name of the project that cost most over the year (the one-project view's filter)."""
    spec = PivotSpec(rows=("project",), cols=None, date_range=QUERIES[0].date_range(today))
    keys = [k[0] for k in store.run_pivot(spec, today=today).row_keys if k[0] != "(none)"]
    return keys[0] if keys else "(none)"


# -- the same query as plain SQL -------------------------------------------------------------------

NONE = "'(none)'"
EXPR = {
    "service": "ch.service",
    "category": "ch.category",
    "subcategory": "ch.subcategory",
    "tier": "ch.tier",
    "context": "ch.context",
    "model_version": "ch.model_version",
    "line_item": f"COALESCE(ch.line_item, {NONE})",
    "unit": f"COALESCE(ch.unit, {NONE})",
    "organization": "COALESCE(conn.organization_name, conn.organization_id, conn.description)",
    "connection": "conn.description",
    "project": f"COALESCE(NULLIF(p.name, ''), NULLIF(c.project_id, ''), {NONE})",
    "api_key": f"COALESCE(NULLIF(k.name, ''), NULLIF(c.api_key_id, ''), {NONE})",
    "day": "c.day",
    "week": "c.week",
    "month": "c.month",
}


def tag_sql(tag: Tag) -> str:
    """The tag's value as one SQL CASE (first match wins; GLOB for patterns, = for exact values)."""
    whens = []
    for value in tag.values:
        for rule in value.rules:
            conds = []
            for dim, patterns in rule.conditions:
                tests = [f"{EXPR[dim]} {'GLOB' if any(ch in p for ch in '*?[') else '='} '{p}'" for p in patterns]
                conds.append("(" + " OR ".join(tests) + ")")
            whens.append(f"WHEN {' AND '.join(conds)} THEN '{value.name}'")
    return f"CASE {' '.join(whens)} ELSE '{UNTAGGED}' END"


def _split_sql(tag: Tag, inner: str, col: str | None) -> str:
    """``inner`` (grouped by the tag, the column and the day) with the tag's proportional split value
    shared out over the others by their cost on the same day (shares as exact as the engine's division)."""
    (shared,) = [v.name for v in tag.values if v.split]
    col_out = ", col" if col else ""
    return (
        f"WITH b AS ({inner}), "
        f"w AS (SELECT day, tag, SUM(amt) AS w FROM b WHERE tag <> '{shared}' GROUP BY day, tag), "
        "t AS (SELECT day, SUM(w) AS t FROM w GROUP BY day), "
        f"s AS (SELECT w.tag AS tag{', b.col AS col' if col else ''}, b.amt * w.w / t.t AS amt "
        f"FROM b JOIN w ON w.day = b.day JOIN t ON t.day = b.day WHERE b.tag = '{shared}') "
        f"SELECT tag{col_out}, SUM(amt) FROM (SELECT tag{col_out}, amt FROM b WHERE tag <> '{shared}' "
        f"UNION ALL SELECT tag{col_out}, amt FROM s) u GROUP BY tag{col_out}"
    )


def plain_sql(spec: PivotSpec, *, dates_as_text: bool, tag: Tag | None = None) -> tuple[str, list]:
    """The GROUP BY ``run_pivot`` asks for, without an ORM: (SQL, parameters) for sqlite3 and DuckDB.
    ``tag``: the tag the view groups by, as a CASE; one that splits has its split done in SQL over each
    day's figures (grouped by tag, column and day first, then shared by the day's weights)."""
    assert spec.date_range is not None
    dims = [*spec.rows, *((spec.cols,) if spec.cols else ())]
    exprs = {**EXPR, tag.name: tag_sql(tag)} if tag else EXPR
    needed = {d for d in dims if tag is None or d != tag.name} | set(tag.dims() if tag else ())
    needed |= {f.dim for f in spec.filters}
    source, params = _from_where(spec, needed, dates_as_text=dates_as_text)
    if tag is not None and tag.splits:
        col = f"{exprs[spec.cols]} AS col, " if spec.cols else ""
        inner = (f"SELECT {exprs[tag.name]} AS tag, {col}c.day AS day, "
                 f"SUM(c.amount_hi) * 1e9 + SUM(c.amount_lo) AS amt {source} "
                 f"GROUP BY 1, 2{', 3' if spec.cols else ''}")
        return _split_sql(tag, inner, spec.cols), params
    groups = [exprs[d] for d in dims]
    figures = ["SUM(c.amount_hi)", "SUM(c.amount_lo)"]
    if spec.quantities:
        figures += ["SUM(c.qty_hi)", "SUM(c.qty_lo)", "MIN(ch.unit)", "MAX(ch.unit)"]
    sql = "SELECT " + ", ".join([*groups, *figures]) + "\n" + source
    if groups:
        sql += "\nGROUP BY " + ", ".join(groups)
    return sql, params


def _from_where(spec: PivotSpec, needed: set[str], *, dates_as_text: bool) -> tuple[str, list]:
    assert spec.date_range is not None
    sql = ["FROM cost c JOIN charge ch ON c.charge_id = ch.id"]
    if needed & {"organization", "connection"}:
        sql.append("JOIN connection conn ON c.connection_id = conn.id")
    if "project" in needed:
        sql.append("LEFT JOIN project p ON p.connection_id = c.connection_id AND p.project_id = c.project_id")
    if "api_key" in needed:
        sql.append("LEFT JOIN api_key k ON k.connection_id = c.connection_id AND k.key_id = c.api_key_id")
    start, end = spec.date_range.start, spec.date_range.end
    params: list = [start.isoformat(), end.isoformat()] if dates_as_text else [start, end]
    where = ["c.day >= ?", "c.day <= ?", "c.currency = ?"]
    params.append(spec.currency)
    for f in spec.filters:
        marks = ", ".join("?" * len(f.values))
        where.append(f"{EXPR[f.dim]} {'NOT IN' if f.exclude else 'IN'} ({marks})")
        params.extend(f.values)
    if spec.workspace:
        where.append("c.connection_id IN (SELECT wc.connection_id FROM workspace_connection wc "
                     "JOIN workspace w ON wc.workspace_id = w.id WHERE w.name = ?)")
        params.append(spec.workspace)
    sql.append("WHERE " + " AND ".join(where))
    return "\n".join(sql), params


def grand_total(rows: list[tuple], n_dims: int) -> int:
    return sum(money.join(int(r[n_dims] or 0), int(r[n_dims + 1] or 0)) for r in rows)


# -- timing -------------------------------------------------------------------------------------------

@dataclass
class QueryTiming:
    name: str
    binned_by_day: bool
    run_pivot_ms: float
    sqlite_ms: float | None  # None: the plain-SQL floor was skipped (--skip plain)
    duckdb_ms: float | None
    groups: int  # groups the GROUP BY returns
    pivot_rows: int  # rows of the PivotResult (after top-N)
    totals_agree: bool
    runs: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 2)

        return {
            "query": self.name,
            "binned_by_day": self.binned_by_day,
            "run_pivot_ms": r(self.run_pivot_ms),
            "sqlite_ms": r(self.sqlite_ms),
            "duckdb_ms": r(self.duckdb_ms),
            "run_pivot_over_duckdb": r(self.run_pivot_ms / self.duckdb_ms) if self.duckdb_ms else None,
            "sqlite_over_duckdb": r(self.sqlite_ms / self.duckdb_ms) if self.duckdb_ms and self.sqlite_ms else None,
            "run_pivot_over_sqlite": r(self.run_pivot_ms / self.sqlite_ms) if self.sqlite_ms else None,
            "groups": self.groups,
            "pivot_rows": self.pivot_rows,
            "totals_agree": self.totals_agree,
            "runs_ms": {k: [round(v, 2) for v in vs] for k, vs in self.runs.items()},
        }


def time_queries(sqlite_path: Path, duckdb_path: Path | None, today: date, runs: int,
                 queries: tuple[BenchQuery, ...] = QUERIES, *, plain: bool = True) -> list[QueryTiming]:
    """Each query: one untimed warm-up per engine, then ``runs`` rounds timing the engines in turn
    (interleaved, so a burst of load on the machine hits every engine alike and the ratios hold)."""
    store = Store(str(sqlite_path))
    raw = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    duck = None
    if duckdb_path is not None:
        import duckdb

        duck = duckdb.connect(str(duckdb_path), read_only=True)
    out = []
    project = busiest_project(store, today)
    try:
        for q in queries:
            if q.tag is not None and store.tags().get(q.tag.name) != q.tag:
                store.save_tag(q.tag)
            if q.tag is not None:
                tag_service.load(store)
            spec = q.spec(today, project)
            n_dims = len(spec.rows) + (1 if spec.cols else 0)
            sql, params = plain_sql(spec, dates_as_text=True, tag=q.tag)
            engines: dict[str, Callable[[], object]] = {
                "run_pivot": lambda spec=spec: tag_service.run_pivot(store, spec, today=today),
            }
            if plain:
                engines["sqlite"] = lambda sql=sql, params=params: raw.execute(sql, params).fetchall()
            if duck is not None:
                dsql, dparams = plain_sql(spec, dates_as_text=False, tag=q.tag)
                engines["duckdb"] = lambda s=dsql, p=dparams: duck.execute(s, p).fetchall()
            results = {name: fn() for name, fn in engines.items()}  # warm-up (and the answers)
            timings: dict[str, list[float]] = {name: [] for name in engines}
            for _ in range(runs):
                for name, fn in engines.items():
                    start = time.perf_counter()
                    fn()
                    timings[name].append((time.perf_counter() - start) * 1000)
            result = results["run_pivot"]
            expected = result.total.amount  # type: ignore[attr-defined]
            answers = [results[name] for name in ("sqlite", "duckdb") if name in results]
            rows = answers[0] if answers else []
            if q.tag is not None and q.tag.splits:  # shares by the engine's division: agree to a nano-dollar
                agree = all(abs(sum(r[-1] for r in a) - expected) <= 1e-9 * abs(expected) + 10**9  # type: ignore[union-attr]
                            and len(a) == len(rows) for a in answers)  # type: ignore[arg-type]
            else:
                agree = all(grand_total(a, n_dims) == expected and len(a) == len(rows) for a in answers)  # type: ignore[arg-type]
            out.append(
                QueryTiming(
                    name=q.name,
                    binned_by_day=q.binned_by_day,
                    run_pivot_ms=statistics.median(timings["run_pivot"]),
                    sqlite_ms=statistics.median(timings["sqlite"]) if "sqlite" in timings else None,
                    duckdb_ms=statistics.median(timings["duckdb"]) if "duckdb" in timings else None,
                    groups=len(rows),  # type: ignore[arg-type]
                    pivot_rows=len(result.row_keys),  # type: ignore[attr-defined]
                    totals_agree=agree,
                    runs=timings,
                )
            )
    finally:
        store.close()
        raw.close()
        if duck is not None:
            duck.close()
    return out


def profile_query(sqlite_path: Path, today: date, query: BenchQuery, top: int = 15) -> dict:
    """cProfile one ``run_pivot`` call: how much is SQLite (execute/fetch) and how much Python around it."""
    import cProfile
    import io
    import pstats

    store = Store(str(sqlite_path))
    try:
        spec = query.spec(today, busiest_project(store, today))
        store.run_pivot(spec, today=today)  # warm the page cache
        start = time.perf_counter()
        store.run_pivot(spec, today=today)
        plain_ms = (time.perf_counter() - start) * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        store.run_pivot(spec, today=today)
        profiler.disable()
    finally:
        store.close()
    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    in_sqlite = sum(
        v[2] for (filename, _, name), v in stats.stats.items()  # type: ignore[attr-defined]
        if filename == "~" and "sqlite3." in name
    )
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    return {
        "query": query.name,
        "unprofiled_ms": round(plain_ms, 1),
        "profiled_ms": round(total * 1000, 1),
        "sqlite_ms": round(in_sqlite * 1000, 1),
        "python_ms": round((total - in_sqlite) * 1000, 1),
        "sqlite_share": round(in_sqlite / total, 3) if total else None,
        "top_by_tottime": lines[-(top + 1):],
    }
