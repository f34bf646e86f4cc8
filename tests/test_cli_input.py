"""Every CLI command with good and hostile input: exit 2 and one clear line, never a traceback."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    s = Store(str(tmp_path / "costs.db"))
    a = s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 1, 1),
                                       organization_name="Acme Inc"), workspaces=["prod"])
    b = s.add_connection(NewConnection("Labs", "https://api.openai.com/v1", "env", "LABS_KEY", date(2026, 1, 1)))
    today = date.today()
    day = today.replace(day=1)
    rows = [
        CostRow(day, "proj_1", "gpt-4o-2024-08-06, input", "key_1", "usd", money.parse_exact("1.25"),
                money.parse_exact("500000"), "tokens"),
        CostRow(day, "proj_1", "gpt-image-1 image, output", None, "usd", money.parse_exact("0.5"),
                money.parse_exact("4"), "images"),
    ]
    s.replace_window(a.id, day, day, rows)
    s.replace_window(b.id, day, day, rows[:1])
    s.close()
    return tmp_path


def test_report_default_is_month_to_date_by_service(home, capsys) -> None:
    code, out, _ = run(capsys, "report", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["from"] == date.today().replace(day=1).isoformat() and doc["to"] == date.today().isoformat()
    assert {r["service"]: r["cost"] for r in doc["rows"]} == {"Chats and Completions": "2.5", "Images": "0.5"}
    assert doc["total"] == "3"


def test_where_exclude_workspace_top_and_measures(home, capsys) -> None:
    code, out, _ = run(capsys, "report", "--rows", "connection", "--workspace", "prod", "--format", "json")
    assert code == 0 and [r["connection"] for r in json.loads(out)["rows"]] == ["Acme"]
    code, out, _ = run(capsys, "report", "--rows", "organization", "--where", "service=Images", "--format", "json")
    assert {r["organization"]: r["cost"] for r in json.loads(out)["rows"]} == {"Acme Inc": "0.5"}
    code, out, _ = run(capsys, "report", "--rows", "category", "--exclude", "service=Images",
                       "--measure", "unit_cost", "--format", "json")
    doc = json.loads(out)
    assert doc["rows"] == [{"category": "gpt-4o", "unit_cost": "2.5", "unit": "tokens"}]
    code, out, _ = run(capsys, "report", "--rows", "connection", "--top", "1", "--format", "json")
    assert [r["connection"] for r in json.loads(out)["rows"]] == ["Acme", "(other)"]
    code, out, _ = run(capsys, "report", "--rows", "api_key", "--cols", "unit", "--measure", "quantity",
                       "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "API key,tokens,images,Total"


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_wide_formats_have_totals(home, capsys, fmt) -> None:
    code, out, _ = run(capsys, "report", "--rows", "service,project", "--cols", "connection", "--format", fmt)
    assert code == 0 and "Total" in out and "Acme" in out and "Labs" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["report", "--rows", "colour"], "unknown dimension 'colour'"),
        (["report", "--cols", "servicee"], "unknown dimension"),
        (["report", "--rows", "service", "--cols", "service"], "already a row dimension"),
        (["report", "--rows", "service,project,tier"], "one or two"),
        (["report", "--from", "2026-02-30"], "not a real calendar date"),
        (["report", "--from", "someday"], "must be a date"),
        (["report", "--from", "2026-05-02", "--to", "2026-05-01"], "after --to"),
        (["report", "--workspace", "nope"], "no workspace 'nope'"),
        (["report", "--where", "service"], "DIM=VALUE"),
        (["report", "--where", "flavour=x"], "unknown dimension"),
        (["report", "--top", "0"], "at least 1"),
        (["report", "--top", "many"], "whole number"),
        (["report", "--measure", "vibes"], "invalid choice"),
        (["report", "--format", "xml"], "invalid choice"),
        (["sync", "--since", "2026-13-01"], "not a real calendar date"),
        (["sync", "--since", "2099-01-01"], "in the future"),
        (["sync", "--since", "2999-01-01"], "outside the supported range 2020-01-01..2100-12-31"),
        (["sync", "--connection", "ghost"], "no connection 'ghost'"),
        (["connections", "remove", "ghost", "--yes"], "no connection 'ghost'"),
        (["connections", "remove", "Acme"], "--yes"),
        (["connections", "add", "--description", "", "--key-env", "X"], "description is empty"),
        (["connections", "add", "--description", "a\x1bb", "--key-env", "X"], "control characters"),
        (["connections", "add", "--description", "x" * 10_000, "--key-env", "X"], "characters long"),
        (["connections", "add", "--description", "Acme", "--key-env", "ACME_KEY"], "exists already"),
        (["connections", "add", "--description", "New", "--key-env", "NOT_SET_ANYWHERE"], "is not set"),
        (["connections", "add", "--description", "New", "--key-env", "1BAD"], "environment variable"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--insecure-storage"], "nothing to store"),
        (["connections", "add", "--description", "New", "--base-url", "http://example.com/v1", "--key-env", "X"],
         "unencrypted"),
        (["connections", "add", "--description", "New", "--base-url", "ftp://x", "--key-env", "X"], "http(s) URL"),
        (["connections", "add", "--description", "New", "--since", "2026-02-30", "--key-env", "X"], "calendar"),
        (["connections", "add", "--description", "New"], "no key given"),
        (["workspaces", "assign", "nope", "Acme"], "no workspace 'nope'"),
        (["workspaces", "assign", "prod", "ghost"], "no connection 'ghost'"),
        (["workspaces", "add", "prod"], "exists already"),
        (["workspaces", "add", "  "], "empty"),
        (["workspaces", "remove", "nope"], "no workspace"),
        (["workspaces", "rename", "prod", "a\nb"], "control characters"),
        (["frobnicate"], "invalid choice"),
        # every option checked up front: empty values, ranges, parsing, names regardless of case
        (["report", "--rows", ""], "--rows is empty"),
        (["report", "--rows", "service,"], "empty dimension"),
        (["report", "--cols", ""], "--cols is empty"),
        (["report", "--workspace", ""], "empty value"),
        (["report", "--view", " "], "empty value"),
        (["report", "--from", ""], "--from is empty"),
        (["report", "--from", "2019-12-31"], "outside the supported range 2020-01-01..2100-12-31"),
        (["report", "--top", "99999999999999999999"], "at most 10,000"),
        (["sync", "--since", ""], "--since is empty"),
        (["sync", "--connection", ""], "empty value"),
        (["--data-dir", "", "report"], "--data-dir is empty"),
        (["--db", "", "report"], "--db is empty"),
        (["connections", "remove", "99999999999999999999999", "--yes"], "no connection '99999999999999999999999'"),
        (["connections", "remove", "²", "--yes"], "no connection '²'"),
        (["connections", "add", "--description", "New", "--key-env", ""], "empty value"),
        (["connections", "add", "--description", "acme", "--key-env", "ACME_KEY"], "exists already (as 'Acme'"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--since", "0001-01-01"],
         "outside the supported range"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", "http://[::1"],
         "not a valid URL"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", "http://127.0.0.1\t:9/v1"],
         "control"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", "https://a b.example"],
         "spaces"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", "http://127.0.0.1:99999/v1"],
         "Port out of range"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", "https://a_b.example/v1"],
         "neither a DNS name nor an IP address"),
        (["connections", "add", "--description", "New", "--key-env", "X", "--base-url", ""], "is empty"),
        (["workspaces", "add", "PROD"], "a workspace named 'PROD' exists already (as 'prod'"),
        (["workspaces", "rename", "prod", "Labs"], None),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(home, capsys, monkeypatch, argv, needle) -> None:
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # not a terminal: never prompt
    if needle is None:  # a rename to a free name, for contrast
        assert run(capsys, *argv)[0] == 0
        return
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert needle in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("key", ["", "   ", "sk-proj-abc123abc123abc123", "sk-admin-äöü-not-ascii",
                                 "sk-admin-" + "a" * 10_000, "sk-admin-abc\ndef", "hello"])
def test_bad_keys_are_refused_locally(home, capsys, monkeypatch, key) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(key))
    code, out, err = run(capsys, "connections", "add", "--description", "New", "--key-stdin",
                         "--insecure-storage", "--base-url", "http://127.0.0.1:9/v1")
    assert code == 2, err  # refused before any request: port 9 would have failed with exit 1
    if key.strip():
        assert key.strip()[:12] not in err or key.strip()[:12] in ("sk-proj-abc1",)


def test_workspaces_commands(home, capsys) -> None:
    assert run(capsys, "workspaces", "add", "Team")[0] == 0
    assert run(capsys, "workspaces", "assign", "Team", "Acme", "2")[0] == 0
    code, out, _ = run(capsys, "workspaces", "list", "--format", "json")
    assert json.loads(out) == [{"name": "Team", "connections": ["Acme", "Labs"]}, {"name": "prod", "connections": ["Acme"]}]
    assert run(capsys, "workspaces", "unassign", "Team", "Labs")[0] == 0
    assert run(capsys, "workspaces", "rename", "Team", "Platform")[0] == 0
    code, out, _ = run(capsys, "workspaces", "list")
    assert "Platform" in out and "Acme" in out
    assert run(capsys, "workspaces", "remove", "Platform")[0] == 0


def test_connections_list_table_and_empty_store(home, capsys, tmp_path_factory) -> None:
    code, out, _ = run(capsys, "connections", "list")
    assert code == 0 and "Acme" in out and "env ACME_KEY" in out
    other = tmp_path_factory.mktemp("empty")
    code, out, _ = run(capsys, "--data-dir", str(other), "connections", "list")
    assert code == 0 and "No connections yet" in out
    code, out, _ = run(capsys, "--data-dir", str(other), "sync")
    assert code == 0


def test_corrupt_store_is_exit_1_naming_the_path(tmp_path, capsys) -> None:
    (tmp_path / "costs.db").write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "report")
    assert code == 1 and str(tmp_path / "costs.db") in err and "damaged" in err
    assert (tmp_path / "costs.db").read_bytes() == b"garbage" * 1000


def test_names_are_unique_regardless_of_case_and_found_by_it(home, capsys) -> None:
    assert run(capsys, "workspaces", "add", "Team")[0] == 0
    code, _, err = run(capsys, "workspaces", "rename", "prod", "TEAM")
    assert code == 2 and "exists already" in err
    assert run(capsys, "workspaces", "rename", "prod", "Prod")[0] == 0  # its own name in another case
    assert run(capsys, "workspaces", "assign", "team", "acme")[0] == 0  # found regardless of case
    code, out, _ = run(capsys, "workspaces", "list", "--format", "json")
    assert {w["name"]: w["connections"] for w in json.loads(out)} == {"Prod": ["Acme"], "Team": ["Acme"]}


def test_rows_in_another_currency_are_counted_in_the_notes(home, capsys) -> None:
    with Store(str(home / "costs.db")) as s:
        acme = s.connection("Acme")
        day = date.today().replace(day=1)
        s.replace_window(acme.id, day, day, [
            CostRow(day, "proj_1", "gpt-4o-2024-08-06, input", "key_1", "usd", money.parse_exact("1.25")),
            CostRow(day, "proj_1", "gpt-4o-2024-08-06, input", "key_1", "eur", money.parse_exact("2.5")),
            CostRow(day, "proj_1", "gpt-image-1 image, output", None, "eur", money.parse_exact("0.755")),
        ])
    note = "2 EUR rows (3.26 EUR) are not in these USD totals"
    code, out, err = run(capsys, "report")
    assert code == 0 and f"Note: {note}." in out.splitlines()
    code, out, _ = run(capsys, "report", "--format", "markdown")
    assert f"_Note: {note}._" in out
    code, out, err = run(capsys, "report", "--format", "json")
    assert json.loads(out)["total"] == "2.5" and f"note: {note}" in err  # the JSON contract is unchanged
    code, out, err = run(capsys, "report", "--format", "csv")
    assert "EUR" not in out and note in err
    code, out, err = run(capsys, "report", "--where", "service=Images", "--format", "json")
    assert "1 EUR row (0.76 EUR) is not in these USD totals" in err
    code, out, err = run(capsys, "report", "--workspace", "prod", "--exclude", "connection=Acme", "--format", "json")
    assert "EUR" not in err
