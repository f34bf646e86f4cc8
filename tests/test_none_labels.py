"""An empty model version (storage, tools, credits: items without a model) reads "(none)", as a missing
project does, in the report and the CLI, and filtering by "(none)" finds those costs."""

from __future__ import annotations

from openai_cost_tui.cli.main import main
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.core.report_state import DateChoice


def test_empty_model_version_is_none_and_a_filter_finds_it(demo_copy) -> None:
    store, today = demo_copy.store, demo_copy.today
    rng = DateChoice("mtd").resolve(today)
    by_version = store.run_pivot(PivotSpec(("model_version",), None, rng), today=today)
    labels = {k[0] for k in by_version.row_keys}
    assert "(none)" in labels and "" not in labels
    none_total = by_version.row_totals[("(none)",)].amount
    found = store.run_pivot(PivotSpec(("service",), None, rng, (Filter("model_version", ("(none)",)),)), today=today)
    assert found.total.amount == none_total != 0
    assert {k[0] for k in found.row_keys} >= {"Storage"}  # a storage charge has no model
    daily = store.run_pivot(PivotSpec(("model_version",), None, rng), today=today, use_rollups=False)
    assert daily.row_totals[("(none)",)].amount == none_total  # rollups and daily rows agree


def test_cli_where_model_version_none(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    code = main(["--db", db, "report", "--rows", "model_version", "--from", "2026-11-01", "--to", "2026-11-27",
                 "--where", "model_version=(none)", "--format", "csv"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("Model version") and out[1].startswith("(none),"), out[:3]
