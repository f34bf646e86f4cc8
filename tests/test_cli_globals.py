"""The options that choose the store (--demo, --db, --data-dir) work after the command too, and a
command's bad dates or output path are refused before any store (the demo's seconds of sync) is made."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openai_cost_tui.cli import common
from openai_cost_tui.core import money
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run


def _store(path, amount: str) -> str:
    s = Store(str(path))
    conn = s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 1, 1)))
    day = date.today().replace(day=1)
    s.replace_window(conn.id, day, day, [CostRow(day, "proj_1", "gpt-4o-2024-08-06, input", None, "usd",
                                                 money.parse_exact(amount), None, None)])
    s.close()
    return str(path)


@pytest.fixture
def two_stores(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path / "home"))
    return _store(tmp_path / "a.db", "1.5"), _store(tmp_path / "b.db", "2.25")


def _total(out: str) -> str:
    return json.loads(out)["total"]


def test_db_after_the_command_chooses_the_store_and_wins_over_one_before(two_stores, capsys) -> None:
    a, b = two_stores
    assert _total(run(capsys, "report", "--db", a, "--format", "json")[1]) == "1.5"
    assert _total(run(capsys, "--db", a, "report", "--db", b, "--format", "json")[1]) == "2.25"
    assert _total(run(capsys, "--db", b, "report", "--format", "json")[1]) == "2.25"  # before, none after: kept
    code, out, _ = run(capsys, "workspaces", "list", "--db", a)  # a subcommand's parser takes it too
    assert code == 0


def test_demo_after_the_command_is_the_demo(monkeypatch, capsys) -> None:
    opened = []
    monkeypatch.setattr(common, "open_demo", lambda: opened.append(1) or (_ for _ in ()).throw(SystemExit(0)))
    run(capsys, "tags", "list", "--demo")
    assert opened == [1]


@pytest.mark.parametrize("argv, message", [
    (("--demo", "report", "--from", "2026-13-01"), "--from '2026-13-01' is not a real calendar date"),
    (("report", "--demo", "--from", "2026-11-05", "--to", "2026-11-01"), "--from"),
    (("--demo", "report", "--view", "mine", "--to", "soon"), "--to"),
    (("--demo", "export", "focus", "--from", "2026-11-01", "--to", "2026-11-31"), "2026-11-31"),
    (("--demo", "export", "focus", "--from", "2026-11-01", "--to", "2026-11-30", "-o", "/nonexistent/dir/f.csv"),
     "the folder /nonexistent/dir does not exist"),
])
def test_bad_dates_and_paths_are_refused_before_the_demo_is_made(argv, message, monkeypatch, capsys) -> None:
    def made():
        raise AssertionError("the demo was made before the options were checked")

    monkeypatch.setattr(common, "open_demo", made)
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1
