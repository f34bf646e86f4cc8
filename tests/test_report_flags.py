"""Anomaly flags are judged only for the rows a view shows, and those rows get the flags a judgement of
every row gives them (each series is judged on its own)."""

from __future__ import annotations

from openai_cost_tui.core.report_state import ReportState
from openai_cost_tui.services.report_query import anomaly_flags
from tests.test_sync import TODAY


def test_flags_of_the_shown_rows_are_those_of_all_rows(synced) -> None:
    state = ReportState(rows=("project",), cols="month")
    rng = state.date_range(TODAY)
    everything = anomaly_flags(synced, state, rng, TODAY)
    assert everything, "the fake organization's spikes are flagged"
    flagged = sorted(k[0] for k in everything)
    quiet = [r[0] for r in synced.run_pivot(state.spec(TODAY), today=TODAY).row_keys if r not in everything]
    shown = [flagged[0], *quiet[:2]]
    assert anomaly_flags(synced, state, rng, TODAY, rows=shown) == {(flagged[0],): everything[(flagged[0],)]}
    assert anomaly_flags(synced, state, rng, TODAY, rows=[]) == {}
