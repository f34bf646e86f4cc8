"""CLI conventions: relative dates wherever a date is taken (core/dates.py), resolved on stderr; dates in
2020-01-01..2100-12-31; ``--format json`` for ``sync`` and ``connections add``; ``report --help``."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest

import openai_cost_tui.cli.common as common
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import MAX_DAY, MIN_DAY, DateRange, resolve_day
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.services.context import open_context
from tests.support.cli import run

TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "end", "day", "relative"), [
    ("2026-05-31", False, date(2026, 5, 31), False),
    (" today ", False, TODAY, True),
    ("Yesterday", False, date(2026, 11, 15), True),
    ("-7d", False, date(2026, 11, 9), True),
    ("-0d", False, TODAY, True),
    ("-2w", False, date(2026, 11, 2), True),
    ("2026-02", False, date(2026, 2, 1), True),
    ("2026-02", True, date(2026, 2, 28), True),
    ("2024-02", True, date(2024, 2, 29), True),
    ("this-month", False, date(2026, 11, 1), True),
    ("this-month", True, date(2026, 11, 30), True),
    ("last-month", False, date(2026, 10, 1), True),
    ("last-month", True, date(2026, 10, 31), True),
    ("2020-01-01", False, MIN_DAY, False),
    ("2100-12-31", False, MAX_DAY, False),
])
def test_resolve_day(text, end, day, relative) -> None:
    assert resolve_day(text, today=TODAY, what="--from", end=end) == (day, relative)


def test_last_month_in_january_is_last_december() -> None:
    assert resolve_day("last-month", today=date(2027, 1, 5), end=True)[0] == date(2026, 12, 31)


@pytest.mark.parametrize(("text", "needle"), [
    ("", "is empty"),
    ("  ", "is empty"),
    ("tomorrowish", "must be a date like"),
    ("7d", "must be a date like"),
    ("-7x", "must be a date like"),
    ("2026-13", "not a month"),
    ("2026-00", "not a month"),
    ("0001-01", "outside the supported range"),
    ("0001-01-01", "outside the supported range 2020-01-01..2100-12-31"),
    ("2019-12-31", "outside the supported range"),
    ("2101-01-01", "outside the supported range"),
    ("9999-12-31", "outside the supported range"),
    ("-99999d", "before 2020-01-01"),
    ("-9999999d", "must be a date like"),
    ("2026-02-30", "not a real calendar date"),
])
def test_resolve_day_refuses(text, needle) -> None:
    with pytest.raises(UsageError, match=needle) as info:
        resolve_day(text, today=TODAY, what="--since")
    assert info.value.exit_code == 2 and "--since" in info.value.message


def test_date_range_resolve_notes_what_relative_input_became() -> None:
    r, notes = DateRange.resolve("last-month", "last-month", today=TODAY)
    assert r == DateRange(date(2026, 10, 1), date(2026, 10, 31))
    assert notes == ["--from last-month = 2026-10-01", "--to last-month = 2026-10-31"]
    assert DateRange.resolve("2026-11-01", None, today=TODAY)[1] == []
    with pytest.raises(UsageError, match="--to is empty"):
        DateRange.resolve(None, "", today=TODAY)


@pytest.fixture
def home(tmp_path, monkeypatch):
    from tests.test_budgets import build_store

    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    build_store(str(tmp_path / "costs.db")).close()
    return tmp_path


def test_report_takes_relative_dates_and_says_what_they_were(home, capsys) -> None:
    code, out, err = run(capsys, "report", "--rows", "month", "--from", "last-month", "--to", "-1d",
                         "--format", "json")
    doc = json.loads(out)
    assert code == 0 and (doc["from"], doc["to"]) == ("2026-10-01", "2026-11-15")
    assert err == "dates: --from last-month = 2026-10-01, --to -1d = 2026-11-15\n"
    code, out, err = run(capsys, "report", "--from", "2026-10", "--to", "2026-10", "--format", "json")
    assert (json.loads(out)["from"], json.loads(out)["to"]) == ("2026-10-01", "2026-10-31")
    code, out, err = run(capsys, "report", "--from", "2026-10-01", "--format", "json")
    assert code == 0 and err == ""  # nothing relative, nothing said


@pytest.mark.parametrize(("argv", "needle"), [
    (["report", "--from", "0001-01-01"], "outside the supported range"),
    (["report", "--to", ""], "--to is empty"),
    (["report", "--from", "soon"], "today, yesterday, -7d"),
    (["sync", "--since", "-3d", "--connection", "ghost"], "no connection 'ghost'"),
    (["sync", "--since", "2026-13"], "not a month"),
    (["connections", "add", "--description", "N", "--key-env", "ACME_KEY", "--since", "0001-01-01"],
     "outside the supported range"),
])
def test_bad_dates_are_exit_2_and_one_line(home, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_report_help_lists_the_dimensions_and_explains_format_and_measure(capsys) -> None:
    code, out, _ = run(capsys, "report", "--help")
    assert code == 0
    for dim in ("service", "category", "subcategory", "tier", "context", "model_version", "line_item", "unit",
                "organization", "project", "api_key", "connection", "day", "week", "month"):
        assert f"  {dim} " in out, dim
    for words in ("unit_cost", "quantity", "exact amounts", "long (tidy) format", "last-month",
                  "2020-01-01..2100-12-31"):
        assert words in out, words


# -- --format json for sync and connections add ---------------------------------------------------


@pytest.fixture
def fake_home(tmp_path, monkeypatch):
    from openai_cost_tui.fake.api import FakeAdminApi
    from openai_cost_tui.fake.org import FakeOrg
    from openai_cost_tui.fake.server import serve_in_thread

    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setenv("ACME_KEY", "sk-admin-" + "j" * 40)
    with serve_in_thread(FakeAdminApi(FakeOrg(5, size="small"))) as base_url:
        yield tmp_path, base_url


def test_connections_add_and_sync_speak_json(fake_home, capsys, monkeypatch) -> None:
    _, base_url = fake_home
    code, out, err = run(capsys, "connections", "add", "--description", "Acme", "--key-env", "ACME_KEY",
                         "--base-url", base_url, "--since", "-5d", "--format", "json")
    assert code == 0, err
    added = json.loads(out)
    assert (added["outcome"], added["id"], added["description"], added["error"]) == ("added", 1, "Acme", None)
    assert added["key_source"] == "env ACME_KEY" and added["backfill_start"]
    assert "--since -5d = " in err
    code, out, err = run(capsys, "sync", "--format", "json")
    doc = json.loads(out)
    assert code == 0, err
    assert doc["ok"] is True and len(doc["connections"]) == 1
    one = doc["connections"][0]
    assert (one["connection"], one["outcome"], one["error"]) == ("Acme", "ok", None)
    assert one["rows"] > 0 and one["pages"] > 0 and one["from"] == added["backfill_start"]
    assert "synced" not in err  # no progress lines in json mode
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run(capsys, "sync", "--connection", "Acme", "--since", "this-month", "--format", "json")
    assert code == 0 and json.loads(out)["connections"][0]["outcome"] == "ok"
    assert err.startswith("--since this-month = ")
