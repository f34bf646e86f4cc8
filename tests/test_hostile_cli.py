"""Outside text with control characters in every CLI output, CSV formula injection, and what the API
sends oddly (repeated rows): nothing runs in a terminal or a spreadsheet, nothing is lost.

Hostile names go straight into the store (as an older version, a shared PostgreSQL store or the API
would put them there), then the CLI runs in-process and every byte it prints is checked.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

import openai_cost_tui.cli.common as common
from openai_cost_tui.core import money
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.errors import ApiError
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Project
from openai_cost_tui.services.context import open_context
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
OSC = "\x1b]0;pwned\x07"
HOSTILE = f"Acme{OSC}\x1b[2J\rlost\nsecond line\x9b31m\x7f\u202eevil"
LINE = "gpt-4o-2024-08-06, input"


def usd(text: str) -> int:
    return money.parse_exact(text)


def assert_clean(text: str) -> None:
    """No character below 0x20 but the newline that ends a line; none of DEL and C1 (0x7f-0x9f)."""
    for ch in text:
        assert ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F), (repr(ch), text[:400])
    assert "\u202e" not in text


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    s = Store(str(tmp_path / "costs.db"))
    conn = s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 10, 1)))
    s.m.Connection.update(description=HOSTILE, organization_name=f"Org{OSC}\r\n", status="failed",
                          last_error=f"HTTP 500: {OSC}\nboom\r", last_synced_at=(NOW - timedelta(hours=1))
                          .replace(tzinfo=None)).execute()
    ws = s.m.Workspace.create(name=f"ws{OSC}\n")
    s.m.WorkspaceConnection.create(workspace=ws, connection=conn.id)
    s.save_names(conn.id, [Project("proj_1", f"Proj{OSC}\r\nX"), Project("proj_2", "=HYPERLINK(\"http://x\")")],
                 [ApiKeyInfo("key_1", "key\x1b[31m\n", "proj_1")])
    rows = []
    for i in range(20):
        day = TODAY - timedelta(days=19 - i)
        rows.append(CostRow(day, "proj_1", LINE, "key_1", "usd", usd("10")))
        rows.append(CostRow(day, "proj_2", LINE, None, "usd", usd("-12.5" if i == 0 else "3")))
    s.replace_window(conn.id, TODAY - timedelta(days=19), TODAY, rows)
    s.set_budget("connection", str(conn.id), usd("1"))
    s.m.Restatement.create(connection=conn.id, day=TODAY - timedelta(days=2), dimension="service",
                           value=f"Svc{OSC}\n", currency="usd", old_total="1", new_total="2",
                           detected_at=(NOW - timedelta(hours=2)).replace(tzinfo=None))
    s.close()
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["connections", "list"],
    ["connections", "list", "--format", "json"],
    ["workspaces", "list"],
    ["workspaces", "list", "--format", "json"],
    ["budgets", "list"],
    ["budgets", "list", "--format", "json"],
    ["restatements"],
    ["restatements", "--format", "json"],
    ["check", "--format", "json"],
    *[["report", "--rows", rows, "--cols", "connection", "--format", fmt]
      for rows in ("project,api_key", "organization") for fmt in ("table", "csv", "markdown", "json")],
])
def test_no_control_character_reaches_the_output(hostile, capsys, argv) -> None:
    code, out, err = run(capsys, *argv)
    assert code in (0, 3), err
    assert_clean(out)
    assert_clean(err)
    if "json" in argv:
        json.loads(out)  # still valid JSON, with every value intact
    assert "pwned" in out  # shown literally, not dropped


def test_check_keeps_one_line_per_finding(hostile, capsys) -> None:
    code, out, _ = run(capsys, "check", "--anomaly-days", "0")
    doc = json.loads(run(capsys, "check", "--anomaly-days", "0", "--format", "json")[1])
    assert code == 3
    assert_clean(out)
    assert len(out.splitlines()) == len(doc["findings"]) >= 2  # the budget and the failed sync
    assert doc["findings"][-1]["text"].startswith("sync Acme\x1b]0;pwned")  # JSON keeps the exact value


def test_json_report_escapes_c1_controls_but_keeps_the_value(hostile, capsys) -> None:
    code, out, _ = run(capsys, "report", "--rows", "connection", "--format", "json")
    assert code == 0
    assert "\\u009b" in out and "\\u202e" in out
    assert json.loads(out)["rows"][0]["connection"] == HOSTILE


def test_sync_output_shows_outside_text_escaped(hostile, capsys, monkeypatch) -> None:
    from openai_cost_tui.sync.engine import SyncEngine

    def failing(self, client, run, window, grouping, today):
        run.warnings.append(f"names: {OSC}\r\nx")
        raise ApiError(f"the API said {OSC}\r\nnothing\x9b")

    monkeypatch.setenv("ACME_KEY", "sk-admin-" + "h" * 40)
    monkeypatch.setattr(SyncEngine, "_sync_window", failing)
    code, out, err = run(capsys, "sync")
    assert code == 1
    assert_clean(out + err)
    assert "sync failed for" in err and "pwned" in err
    code, out, _ = run(capsys, "sync", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and "pwned" in doc["connections"][0]["error"]
    assert_clean(out)


def test_csv_neutralizes_formulas_and_keeps_numbers(hostile, capsys) -> None:
    start = (TODAY - timedelta(days=19)).isoformat()
    code, out, _ = run(capsys, "report", "--rows", "project", "--cols", "day", "--from", start, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    by_name = {r[0]: r for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in by_name
    assert by_name["'=HYPERLINK(\"http://x\")"][1] == "-12.5"  # a credit is a number: never quoted
    assert all(not cell.startswith(("=", "+", "@", "\t", "\r")) for r in rows for cell in r)


def test_tui_export_uses_the_same_rules(hostile, tmp_path) -> None:
    from openai_cost_tui.core.dates import DateRange
    from openai_cost_tui.core.models import PivotSpec
    from openai_cost_tui.tui.report.export import write_export

    with Store(str(hostile / "costs.db")) as s:
        spec = PivotSpec(rows=("project",), cols="connection", date_range=DateRange(TODAY - timedelta(days=19), TODAY))
        result = s.run_pivot(spec, today=TODAY)
    for fmt in ("csv", "markdown", "json"):
        text = write_export(tmp_path / f"out.{fmt}", result, fmt).read_text("utf-8")
        assert_clean(text)
    text = (tmp_path / "out.csv").read_text("utf-8")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_repeated_rows_are_kept_and_counted_in_a_warning(tmp_path) -> None:
    """The API may send one result twice in a bucket: both are kept (summed), and the sync says so."""
    from openai_cost_tui.api.client import AdminClient
    from tests.test_sync import TODAY as SYNC_TODAY
    from tests.test_sync import Rig

    rig = Rig(tmp_path)
    original = AdminClient.iter_cost_pages
    repeated = []

    def doubling(self, query):
        for page in original(self, query):
            if query.group_by and page.rows:
                page.rows.append(page.rows[0])
                repeated.append(page.rows[0])
            yield page

    try:
        AdminClient.iter_cost_pages = doubling
        result = rig.sync()
    finally:
        AdminClient.iter_cost_pages = original
    assert result.ok, result.error
    assert repeated
    warning = [w for w in result.warnings if "identically" in w]
    assert warning and f"{len(repeated):,} result row(s)" in warning[0]
    extra = sum(r.amount for r in repeated)
    from tests.support.expect import atto
    assert rig.store.total() == atto(rig.org.total(rig.conn.backfill_start, SYNC_TODAY + timedelta(days=1))) + extra
    rig.store.close()


@pytest.mark.parametrize("argv", [
    ["connections", "remove", f"Nope{OSC}", "--yes"],
    ["workspaces", "remove", f"ws{OSC}\x1b[2J"],
    ["report", "--view", f"v{OSC}\x1b[2J"],
    ["report", "--where", f"project=P{OSC}", "--rows", f"x{OSC}"],
])
def test_an_error_quoting_outside_text_prints_it_escaped(hostile, capsys, argv) -> None:
    """A refused command names what it could not find: the name as typed, never a live escape."""
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert_clean(out)
    assert_clean(err)
    assert "pwned" in err  # the name is quoted literally
