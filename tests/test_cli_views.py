"""`report --view NAME`: a view saved in the TUI, rendered by the CLI (flags override its fields)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from openai_cost_tui.config.paths import default_db, ensure_private_dir
from openai_cost_tui.core import money
from openai_cost_tui.core.models import CostRow, Filter
from openai_cost_tui.core.report_state import DateChoice, ReportState
from openai_cost_tui.store.store import NewConnection, Store


def cli(home, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_COST_TUI_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "openai_cost_tui", *args], capture_output=True, text=True, env=env, timeout=120
    )


def seeded(home) -> None:
    folder = ensure_private_dir(home)
    with Store(default_db(folder)) as store:
        conn = store.add_connection(
            NewConnection("Acme", "https://api.openai.com/v1", "env", "K", date(2026, 5, 1))
        )
        rows = [
            CostRow(
                date(2026, 5, 2), "p1", "gpt-4o-2024-08-06, input", None, "usd", money.parse_exact("1.25")
            ),
            CostRow(date(2026, 5, 3), "p1", "gpt-image-1 image, output", None, "usd", money.parse_exact("2")),
            CostRow(date(2026, 6, 1), "p1", "gpt-4o-2024-08-06, input", None, "usd", money.parse_exact("7")),
        ]
        store.replace_window(conn.id, date(2026, 5, 1), date(2026, 6, 1), rows)
        state = ReportState(
            rows=("category",),
            cols="month",
            dates=DateChoice("custom", date(2026, 5, 1), date(2026, 5, 31)),
            filters=(Filter("service", ("Images",), exclude=True),),
        )
        store.save_view("May models", state)


def test_report_renders_a_saved_view(tmp_path) -> None:
    seeded(tmp_path)
    out = cli(tmp_path, "report", "--view", "May models", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["from"], doc["to"]) == ("2026-05-01", "2026-05-31")
    assert doc["rows"] == [{"category": "gpt-4o", "month": "2026-05", "cost": "1.25"}]


def test_flags_override_the_view(tmp_path) -> None:
    seeded(tmp_path)
    out = cli(
        tmp_path,
        "report",
        "--view",
        "May models",
        "--to",
        "2026-06-30",
        "--rows",
        "service",
        "--format",
        "csv",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "Service,2026-05,2026-06,Total"
    assert "Chats and Completions,1.25,7,8.25" in out.stdout


def test_an_unknown_view_is_a_usage_error(tmp_path) -> None:
    seeded(tmp_path)
    out = cli(tmp_path, "report", "--view", "nope")
    assert out.returncode == 2
    assert "no saved view 'nope'; saved views: May models" in out.stderr
