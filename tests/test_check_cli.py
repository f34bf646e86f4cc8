"""``check`` for cron: one line per finding, exit 0 (nothing), 1 (the check failed), 2 (bad usage),
3 (a budget, anomaly, failed sync or stale data needs attention). Hand-computed stores from
tests/test_budgets.py; the clock is frozen at NOW (2026-11-16 12:00 UTC)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import openai_cost_tui.cli.common as common
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import open_context
from openai_cost_tui.store.store import Store
from tests.test_budgets import NOW, build_store, run, usd


def make_home(tmp_path, monkeypatch, **kwargs):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    return build_store(str(tmp_path / "costs.db"), **kwargs)


@pytest.fixture
def home(tmp_path, monkeypatch):
    make_home(tmp_path, monkeypatch).close()
    return tmp_path


@pytest.fixture
def spiky(tmp_path, monkeypatch):
    make_home(tmp_path, monkeypatch, spike=True).close()
    return tmp_path


def test_nothing_to_report_is_exit_0(home, capsys) -> None:
    code, out, err = run(capsys, "check")
    assert (code, out, err) == (0, "ok: 0 budget(s) within limits, no anomaly in the last 2 complete day(s), "
                                   "data fresh\n", "")
    assert run(capsys, "check", "--quiet") == (0, "", "")


def test_budgets_crossed_are_exit_3_one_line_each(home, capsys) -> None:
    with Store(str(home / "costs.db")) as s:
        s.set_budget("total", "", usd("1600"))  # used 1694: over
        s.set_budget("workspace", "prod", usd("2500"))  # forecast 3000: forecast over
        s.set_budget("connection", "Labs", usd("1000"))  # forecast 300: fine
        s.set_budget("project", "Search", usd("2200"))  # forecast 2100: near, not a finding
    code, out, err = run(capsys, "check")
    assert code == 3 and err == ""
    assert out.splitlines() == [
        "budget total: used $1,694.00 > budget $1,600.00 (106%)",
        "budget prod: forecast $3,000.00 > budget $2,500.00 (120%)",
    ]
    code, out, _ = run(capsys, "check", "--workspace", "prod")
    assert (code, out) == (3, "budget prod: forecast $3,000.00 > budget $2,500.00 (120%)\n")
    code, out, _ = run(capsys, "check", "--format", "json")
    doc = json.loads(out)
    assert code == 3 and doc["status"] == "attention" and doc["today"] == "2026-11-16"
    assert [(f["kind"], f["state"]) for f in doc["findings"]] == [("budget", "over"), ("budget", "forecast over")]
    assert [b["state"] for b in doc["budgets"]] == ["over", "forecast over", "ok", "near"]


def test_an_anomaly_is_named_with_its_drivers(spiky, capsys) -> None:
    code, out, _ = run(capsys, "check")
    lines = out.splitlines()
    assert code == 3
    # Chat: $40 every day, then $940 on Nov 15 ($900 more from a key never seen before)
    assert "anomaly 2026-11-15: project Chat $940.00 vs expected $40.00 (+$900.00; drivers: Batch job)" in lines
    assert ("anomaly 2026-11-15: service Chats and Completions $1,010.00 vs expected $110.00 "
            "(+$900.00; drivers: gpt-4o)") in lines
    assert ("anomaly 2026-11-15: API key Chat / Batch job $900.00 vs expected $0.00 "
            "(+$900.00; drivers: gpt-4o)") in lines
    assert len(lines) == 3
    code, out, _ = run(capsys, "check", "--anomaly-days", "0")
    assert code == 0 and out.startswith("ok:")
    # the spike was yesterday's: a look back of 1 day still sees it
    assert run(capsys, "check", "--anomaly-days", "1")[0] == 3
    doc = json.loads(run(capsys, "check", "--format", "json")[1])
    chat = next(f for f in doc["findings"] if f.get("series") == ["Chat"])
    assert chat == {"kind": "anomaly", "text": chat["text"], "day": "2026-11-15", "dimension": "project",
                    "series": ["Chat"], "value": "940", "expected": "40", "drivers": ["Batch job"]}


def test_stale_data_and_a_failed_sync_do_not_pass_silently(home, capsys) -> None:
    with Store(str(home / "costs.db")) as s:
        acme, labs = s.connection("Acme"), s.connection("Labs")
        s.update_connection(acme.id, last_synced_at=(NOW - timedelta(hours=27)).replace(tzinfo=None))
        s.update_connection(labs.id, status="failed", last_error="the API failed the request for costs: HTTP 500")
    code, out, _ = run(capsys, "check")
    assert code == 3
    assert out.splitlines() == [
        "stale Acme: data last synced 2026-11-15 09:00 UTC, 27 h ago (over 26 h)",
        "sync Labs: the last sync failed: the API failed the request for costs: HTTP 500",
    ]
    assert run(capsys, "check", "--workspace", "prod")[1].startswith("stale Acme")
    with Store(str(home / "costs.db")) as s:
        s.update_connection(s.connection("Acme").id, last_synced_at=(NOW - timedelta(hours=25)).replace(tzinfo=None))
        s.update_connection(s.connection("Labs").id, status="ok", last_synced_at=None)
    code, out, _ = run(capsys, "check")
    assert (code, out) == (3, "stale Labs: never synced; run: openai-cost-tui sync\n")


def test_a_check_that_cannot_read_the_store_is_exit_1(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    (tmp_path / "costs.db").write_bytes(b"this is not a database" * 100)
    code, out, err = run(capsys, "check")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "damaged" in err


def test_the_demo_checks_and_reads_the_hard_limit(capsys) -> None:
    code, out, _ = run(capsys, "--demo", "check", "--from-api", "--anomaly-days", "0")
    # the demo's Production budget is tight on purpose: over or forecast over, depending on the day
    assert code in (0, 3), out
    assert all(line.startswith(("budget ", "limits ")) for line in out.splitlines()), out
    assert "limits Umbrella Data (demo): organization hard limit $25,000.00 a month (enforcing); " \
           "alerts at $5,000.00" in out.splitlines()


@pytest.mark.parametrize(("argv", "needle"), [
    (["check", "--anomaly-days", "-1"], "between 0 and 60"),
    (["check", "--anomaly-days", "61"], "between 0 and 60"),
    (["check", "--anomaly-days", "two"], "whole number of days"),
    (["check", "--format", "xml"], "invalid choice"),
    (["check", "--workspace", "nope"], "no workspace 'nope'"),
    (["check", "--bogus"], "unrecognized arguments"),
    (["restatements", "--days", "0"], "between 1 and"),
    (["restatements", "--days", "x"], "whole number of days"),
    (["restatements", "--format", "csv"], "invalid choice"),
])
def test_bad_input_is_exit_2_and_one_line(home, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_a_forecast_above_the_organization_hard_limit_is_a_finding(home) -> None:
    from openai_cost_tui.api.limits import SpendLimit
    from openai_cost_tui.services.checks import ApiLimits, run_check

    with Store(str(home / "costs.db")) as s:
        acme, labs = s.connection("Acme"), s.connection("Labs")
        limits = [ApiLimits(acme, SpendLimit(usd("2500"), "usd", "month", "enforcing")),  # Acme forecast $3,000
                  ApiLimits(labs, SpendLimit(usd("2500"), "usd", "month", "enforcing")),  # Labs forecast $300
                  ApiLimits(labs, SpendLimit(0, "usd", "month", "inactive"))]  # a zero limit is no limit
        report = run_check(s, NOW.date(), NOW, limits=limits)
    assert [f.text for f in report.findings] == [
        "limit Acme: forecast $3,000.00 > organization hard limit $2,500.00 (120%)"
    ]
    assert report.notes[0] == "limits Acme: organization hard limit $2,500.00 a month (enforcing)"
