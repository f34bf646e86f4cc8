"""Placeholder replaced by the report screen work (issue 5)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from ...core.models import PivotSpec
from ...core.render import display_text, measure_value
from ...store.pivot import run_pivot
from .base import AppScreen


class ReportScreen(AppScreen):
    BINDINGS = []

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="pivot", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#pivot", DataTable)
        spec = PivotSpec(rows=("service",), cols="month")
        result = run_pivot(self.ctx.store, spec, today=self.ctx.today)
        table.clear(columns=True)
        table.add_columns("Service", *result.col_keys, "Total")
        for key in result.row_keys:
            cells = [display_text(measure_value(result.cells.get((key, c)), "cost"), "cost") for c in result.col_keys]
            table.add_row(*key, *cells, display_text(measure_value(result.row_totals[key], "cost"), "cost"))
