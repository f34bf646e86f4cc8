"""The pivot table looks its component styles up once a frame (tui/report/cell_cache.py): outside a
frame it asks Textual every time, so a change of theme or focus between frames is painted, exactly as
Textual's own DataTable paints it."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.geometry import Region
from textual.widgets import DataTable, Static

from tests.test_report_cell_cache import _fill, _Tables


async def _frames(cached: bool, monkeypatch) -> tuple[list, object, int]:
    app = _Tables(cached)
    frames = []
    asked = []  # the component styles Textual works out
    lookup = DOMNode.get_component_styles
    monkeypatch.setattr(DOMNode, "get_component_styles", lambda node, *names: (asked.append(names),
                                                                                lookup(node, *names))[1])
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one("#table", DataTable)
        _fill(table, 7)
        for step in ("theme", "focus", "theme", "blur", "fill"):
            if step == "theme":
                app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            elif step == "focus":
                table.focus()
            elif step == "blur":
                app.query_one("#below", Static).focus()
            else:
                _fill(table, 8)
            await pilot.pause()
            width, height = table.size
            strips = table.render_lines(Region(0, 0, width, height))
            frames.append([[(s.text, s.style, s.control) for s in strip] for strip in strips])
        outside = type(table.get_component_styles("datatable--header")).__name__, getattr(table, "_frame", None)
        table._line_cache.clear()  # DataTable's own lines, so that every line is drawn again
        table._row_render_cache.clear()
        table._styles_cache.clear()
        asked.clear()
        table.render_lines(Region(0, 0, *table.size))
        lookups = len(asked)
    return frames, outside, lookups


async def test_styles_kept_for_a_frame_only_paint_what_the_data_table_paints(monkeypatch) -> None:
    cached, outside, kept_lookups = await _frames(True, monkeypatch)
    plain, _, lookups = await _frames(False, monkeypatch)
    assert cached == plain
    assert kept_lookups <= 4 and lookups > 2 * kept_lookups  # each component once a frame, not once a line
    assert len({str(frame) for frame in plain}) > 2  # the steps changed what was painted
    assert outside == ("RenderStyles", None)  # between frames: Textual's styles, nothing kept

