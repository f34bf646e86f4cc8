"""Budgets: the store API, amount parsing, used / forecast / state on hand-computed series, the CLI."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.budgets import Budget, parse_amount
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Project
from openai_cost_tui.services.checks import budget_status, budget_statuses
from openai_cost_tui.store.schema import SCHEMA_VERSION
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run

TODAY = date(2026, 11, 16)  # a Monday; November has 30 days: 15 complete days before today, 15 from it
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
FIRST = date(2026, 10, 1)
INPUT = "gpt-4o-2024-08-06, input"
OUTPUT = "gpt-4o-2024-08-06, output"


def usd(text: str) -> int:
    return money.parse_exact(text)


def build_store(path: str, *, spike: bool = False) -> Store:
    """Acme (workspace prod): Search $60 + Chat $40 a day; Labs: Search $10 a day; every day from
    Oct 1 to Nov 15 the same, today (Nov 16) 40% of a day so far, and a -$500 credit on Nov 2.
    With ``spike``: Chat gets an extra $900 on Nov 15 from a new key ("Batch job")."""
    s = Store(path)
    a = s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", FIRST),
                         workspaces=["prod"])
    b = s.add_connection(NewConnection("Labs", "https://api.openai.com/v1", "env", "LABS_KEY", FIRST))
    s.save_names(a.id, [Project("proj_s", "Search"), Project("proj_c", "Chat")],
                 [ApiKeyInfo("key_s", "search key", "proj_s"), ApiKeyInfo("key_c", "chat key", "proj_c"),
                  ApiKeyInfo("key_new", "Batch job", "proj_c")])
    s.save_names(b.id, [Project("proj_x", "Search")], [])
    rows_a, rows_b = [], []
    day = FIRST
    while day <= TODAY:
        part = 1 if day < TODAY else 0.4
        rows_a.append(CostRow(day, "proj_s", INPUT, "key_s", "usd", usd(str(60 * part))))
        rows_a.append(CostRow(day, "proj_c", INPUT, "key_c", "usd", usd(str(40 * part))))
        rows_b.append(CostRow(day, "proj_x", INPUT, None, "usd", usd(str(10 * part))))
        day += timedelta(days=1)
    rows_a.append(CostRow(date(2026, 11, 2), None, "Promotional credit", None, "usd", usd("-500")))
    if spike:
        rows_a.append(CostRow(date(2026, 11, 15), "proj_c", OUTPUT, "key_new", "usd", usd("900")))
    for conn, rows in ((a, rows_a), (b, rows_b)):
        s.replace_window(conn.id, FIRST, TODAY, rows)
        s.update_connection(conn.id, covered_from=FIRST, covered_to=TODAY, status="ok",
                            last_synced_at=(NOW - timedelta(hours=1)).replace(tzinfo=None))
    return s


@pytest.fixture
def store(tmp_path):
    s = build_store(str(tmp_path / "costs.db"))
    yield s
    s.close()


# --- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "dollars"), [
    ("10000", "10000"), ("1200.50", "1200.5"), ("$1200.5", "1200.5"), ("0.01", "0.01"), (" 7 ", "7"),
    ("1.000", "1"), ("1000000000", "1000000000"),
])
def test_amounts_are_parsed_exactly(text, dollars) -> None:
    assert parse_amount(text) == usd(dollars)


@pytest.mark.parametrize(("text", "needle"), [
    ("1,200.50", "thousands separators"), ("1.005", "at most 2 decimals"), ("0", "more than $0"),
    ("-5", "more than $0"), ("1000000000.01", "not plausible"), ("1e3", "like 1200.50"), ("abc", "like 1200.50"),
    ("", "like 1200.50"), ("nan", "like 1200.50"),
])
def test_bad_amounts_are_refused(text, needle) -> None:
    with pytest.raises(UsageError, match=needle.replace("$", r"\$")):
        parse_amount(text)


# --- the store API -----------------------------------------------------------------------------


def test_set_list_change_and_remove(store: Store) -> None:
    store.set_budget("project", "Search", usd("2200"))
    store.set_budget("connection", "Labs", usd("1000"))
    store.set_budget("total", "", usd("1600"))
    store.set_budget("workspace", "prod", usd("2500"))
    got = store.set_budget("project", "Search", usd("250"), connection="Labs")
    assert got == Budget("project", "Search", usd("250"), "Labs")
    assert store.budgets() == [
        Budget("total", "", usd("1600")),
        Budget("workspace", "prod", usd("2500")),
        Budget("connection", "Labs", usd("1000")),
        Budget("project", "Search", usd("2200")),
        Budget("project", "Search", usd("250"), "Labs"),
    ]
    store.set_budget("total", "", usd("1700"))  # changing keeps one budget per target
    assert [b.amount for b in store.budgets() if b.scope == "total"] == [usd("1700")]
    assert store.remove_budget("project", "Search") == Budget("project", "Search", usd("2200"))
    assert [b.label for b in store.budgets()] == ["total", "prod", "connection Labs", "project Search in Labs"]
    with pytest.raises(UsageError, match="no budget for project Search$"):
        store.remove_budget("project", "Search")


@pytest.mark.parametrize(("call", "needle"), [
    (lambda s: s.set_budget("workspace", "nope", usd("1")), "no workspace 'nope'; known workspaces: prod"),
    (lambda s: s.set_budget("connection", "nope", usd("1")), "no connection 'nope'"),
    (lambda s: s.set_budget("project", "Search", usd("1"), connection="nope"), "no connection 'nope'"),
    (lambda s: s.set_budget("team", "x", usd("1")), "one of: total, workspace"),
    (lambda s: s.set_budget("total", "x", usd("1")), "takes no name"),
    (lambda s: s.set_budget("workspace", "prod", usd("1"), connection="Acme"), "only a project budget"),
    (lambda s: s.set_budget("total", "", 0), "more than"),
    (lambda s: s.set_budget("total", "", -usd("5")), "more than"),
    (lambda s: s.set_budget("total", "", usd("2000000000")), "not plausible"),
    (lambda s: s.set_budget("total", "", usd("0.001")), "whole number of cents"),
    (lambda s: s.set_budget("project", "  ", usd("1")), "project name is empty"),
])
def test_bad_budgets_are_usage_errors(store: Store, call, needle) -> None:
    with pytest.raises(UsageError, match=needle):
        call(store)
    assert store.budgets() == []


def test_budgets_follow_renames_and_go_with_their_target(store: Store) -> None:
    store.set_budget("workspace", "prod", usd("100"))
    store.set_budget("connection", "Labs", usd("200"))
    store.set_budget("project", "Search", usd("300"), connection="Labs")
    store.set_budget("project", "Search", usd("400"))
    store.rename_workspace("prod", "production")
    assert store.budgets()[0] == Budget("workspace", "production", usd("100"))
    store.remove_workspace("production")
    labs = store.connection("Labs")
    store.remove_connection(labs.id)
    assert store.budgets() == [Budget("project", "Search", usd("400"))]


def test_a_schema_2_store_migrates_by_adding_the_new_tables(tmp_path) -> None:
    path = str(tmp_path / "costs.db")
    build_store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE budget")
    db.execute("DROP TABLE restatement")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Store(path) as s:
        s.set_budget("total", "", usd("5"))
        assert s.cost_count() > 0 and s.budgets() == [Budget("total", "", usd("5"))]
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    db.close()
    assert list(Path(path).parent.glob("*.schema2-*.bak"))


# --- used / forecast / state (hand-computed) ---------------------------------------------------
#
# A scope spending r a day on every complete day and 0.4 r so far today: used = 15 r + 0.4 r,
# forecast = 15 r (Nov 1-15) + 15 r (Nov 16-30, a flat series has no trend and no spread) = 30 r.
# The -$500 credit is left out.

CASES = [
    # budget, used, forecast, state, used %, forecast %
    (Budget("total", "", usd("1600")), "1694", "3300", "over", 106, 206),
    (Budget("workspace", "prod", usd("2500")), "1540", "3000", "forecast over", 62, 120),
    (Budget("connection", "Labs", usd("1000")), "154", "300", "ok", 15, 30),
    (Budget("project", "Search", usd("2200")), "1078", "2100", "near", 49, 95),
    (Budget("project", "Search", usd("250"), "Labs"), "154", "300", "forecast over", 62, 120),
]


@pytest.mark.parametrize(("budget", "used", "forecast", "state", "used_pct", "forecast_pct"), CASES)
def test_used_forecast_and_state(store: Store, budget, used, forecast, state, used_pct, forecast_pct) -> None:
    s = budget_status(store, budget, TODAY)
    assert (s.used, s.forecast, s.low, s.high) == (usd(used), usd(forecast), usd(forecast), usd(forecast))
    assert (s.state, s.used_percent, s.forecast_percent) == (state, used_pct, forecast_pct)


def test_sentences(store: Store) -> None:
    lines = [budget_status(store, b, TODAY).sentence() for b, *_ in CASES]
    assert lines == [
        "budget total: used $1,694.00 > budget $1,600.00 (106%)",
        "budget prod: forecast $3,000.00 > budget $2,500.00 (120%)",
        "budget connection Labs: forecast $300.00 <= budget $1,000.00 (30%)",
        "budget project Search: forecast $2,100.00 <= budget $2,200.00 (95%)",
        "budget project Search in Labs: forecast $300.00 > budget $250.00 (120%)",
    ]


def test_workspace_selection(store: Store) -> None:
    for budget, *_ in CASES:
        store.set_budget(budget.scope, budget.target, budget.amount, connection=budget.connection)
    store.set_budget("connection", "Acme", usd("5000"))
    assert [s.budget.label for s in budget_statuses(store, TODAY, workspace="prod")] == ["prod", "connection Acme"]
    assert len(budget_statuses(store, TODAY)) == 6


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    import openai_cost_tui.cli.common as common
    from openai_cost_tui.services.context import open_context

    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    build_store(str(tmp_path / "costs.db")).close()
    return tmp_path


def test_cli_set_list_remove(home, capsys) -> None:
    assert run(capsys, "budgets", "set", "--total", "1600")[:2] == (0, "Budget for total: $1,600.00 a month.\n")
    assert run(capsys, "budgets", "set", "--workspace", "prod", "$2500")[0] == 0
    assert run(capsys, "budgets", "set", "--connection", "Labs", "1000.00")[0] == 0
    assert run(capsys, "budgets", "set", "--project", "Search", "2200")[0] == 0
    code, out, _ = run(capsys, "budgets", "set", "--project", "Search", "--connection", "Labs", "250")
    assert (code, out) == (0, "Budget for project Search in Labs: $250.00 a month.\n")
    code, out, _ = run(capsys, "budgets", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["Budget", "Used", "2026-11", "Forecast", "Budget", "Used", "Forecast",
                                              "Status"]
    assert lines[2].split() == ["total", "$1,694.00", "$3,300.00", "$1,600.00", "106%", "206%", "!!", "OVER"]
    assert lines[3].split() == ["prod", "$1,540.00", "$3,000.00", "$2,500.00", "62%", "120%", "!", "forecast",
                                "over"]
    assert lines[5].split()[-2:] == ["~", "near"] and lines[4].split()[-1] == "ok"
    code, out, _ = run(capsys, "budgets", "list", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["month"] == "2026-11" and doc["today"] == "2026-11-16"
    assert doc["budgets"][1] == {
        "scope": "workspace", "target": "prod", "connection": None, "label": "prod", "budget": "2500",
        "used": "1540", "forecast": "3000", "forecast_low": "3000", "forecast_high": "3000", "used_percent": 62,
        "forecast_percent": 120, "state": "forecast over",
    }
    code, out, _ = run(capsys, "budgets", "remove", "--project", "Search", "--connection", "Labs")
    assert (code, out) == (0, "Removed the budget for project Search in Labs ($250.00 a month).\n")
    assert len(json.loads(run(capsys, "budgets", "list", "--format", "json")[1])["budgets"]) == 4


def test_cli_notes_a_project_not_seen_yet(home, capsys) -> None:
    code, out, err = run(capsys, "budgets", "set", "--project", "Serch", "10")
    assert code == 0 and "no project named 'Serch'" in err


def test_cli_empty_list(home, capsys) -> None:
    assert "No budgets yet" in run(capsys, "budgets", "list")[1]
    assert json.loads(run(capsys, "budgets", "list", "--format", "json")[1])["budgets"] == []


@pytest.mark.parametrize(("argv", "needle"), [
    (["budgets", "set", "--total", "1,200.50"], "thousands separators"),
    (["budgets", "set", "--total", "12.345"], "at most 2 decimals"),
    (["budgets", "set", "--total", "-5"], "more than $0"),
    (["budgets", "set", "--total", "0"], "more than $0"),
    (["budgets", "set", "--total", "5e9"], "like 1200.50"),
    (["budgets", "set", "--total"], "required: AMOUNT_USD"),
    (["budgets", "set", "100"], "name exactly one of"),
    (["budgets", "set", "--total", "--workspace", "prod", "100"], "name exactly one of"),
    (["budgets", "set", "--workspace", "nope", "100"], "no workspace 'nope'"),
    (["budgets", "set", "--connection", "nope", "100"], "no connection 'nope'"),
    (["budgets", "set", "--project", "Search", "--connection", "nope", "100"], "no connection 'nope'"),
    (["budgets", "set", "--project", "", "100"], "name exactly one of"),
    (["budgets", "remove", "--total"], "no budget for total"),
    (["budgets", "remove", "--workspace", "nope"], "no workspace 'nope'"),
    (["budgets", "remove"], "name exactly one of"),
    (["budgets", "list", "--format", "xml"], "invalid choice"),
    (["budgets", "frobnicate"], "invalid choice"),
])
def test_cli_bad_input_is_exit_2_and_one_line(home, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_cli_list_from_api_in_the_demo(capsys) -> None:
    code, out, _ = run(capsys, "--demo", "budgets", "list", "--from-api", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and len(doc["limits"]) == 2
    assert sorted(b["budget"] for b in doc["budgets"]) == ["20000", "40000"]  # the demo's own budgets
    assert doc["limits"][0]["hard_limit"] == {"amount": "25000", "currency": "usd", "interval": "month",
                                              "enforcement": "enforcing"}
    assert [a["amount"] for a in doc["limits"][0]["alerts"]] == ["5000"]
