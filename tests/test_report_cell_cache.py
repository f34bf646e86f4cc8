"""The pivot table's rendered cells and lines, kept across rebuilds (tui/report/cell_cache.py), paint
exactly what Textual's own DataTable paints: the same random sequence of fills, cursor moves, hovers,
scrolls, focus changes and resizes, played on both, gives the same segments and styles line by line."""

from __future__ import annotations

import random

from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable, Static

from openai_cost_tui.tui.report import cell_cache
from openai_cost_tui.tui.report.cell_cache import CellCacheTable, text_key

STYLES = ("", "bold", "italic", "bold red", "green", "cyan", "bold yellow")
LABELS = ("Chats and Completions", "Images", "(other)", "Total", "proj-" + "x" * 50, "Vector stores ≈ ⚠", "")


def _cell(rng: random.Random, width: int) -> Text:
    kind = rng.random()
    if kind < 0.5:
        figure = f"{rng.randrange(10 ** rng.randrange(1, 9)):,}".rjust(width)
        return Text(figure, style=rng.choice(STYLES))
    if kind < 0.8:
        label = Text(rng.choice(LABELS), style=rng.choice(("", "bold")), no_wrap=True, overflow="ellipsis")
        label.truncate(max(width - 2, 1), overflow="ellipsis")
        if rng.random() < 0.5:
            label.append(" ⚠", style="bold yellow")
        return label
    return Text("▁▂▃▄▅▆▇█"[: rng.randrange(0, 9)], style="cyan")


def _fill(table: DataTable, seed: int) -> None:
    """Columns and rows from ``seed`` (a seed used twice fills the same table: the cache's case)."""
    rng = random.Random(seed)
    table.clear(columns=True)
    widths = [rng.randrange(4, 24) for _ in range(rng.randrange(2, 9))]
    for i, width in enumerate(widths):
        title = Text(f"col {i}".rjust(width), style=rng.choice(("", "italic")))
        table.add_column(title if i else "Label", key=f"c{i}", width=width)
    for r in range(rng.randrange(0, 40)):
        table.add_row(*[_cell(rng, w) for w in widths], key=f"r{r}")


class _Tables(App[None]):
    def __init__(self, cached: bool) -> None:
        super().__init__()
        self.cached = cached

    def compose(self) -> ComposeResult:
        kind = CellCacheTable if self.cached else DataTable
        table = kind(cursor_type="cell", zebra_stripes=True, id="table")
        table.fixed_columns = 1
        yield table
        yield Static("below", id="below")


async def _play(cached: bool, seed: int) -> list[list[list[tuple]]]:
    """The table's lines after each step of the sequence ``seed`` draws."""
    rng = random.Random(seed)
    app = _Tables(cached)
    frames = []
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one("#table", DataTable)
        fills = [rng.randrange(1000) for _ in range(3)]
        for _ in range(24):
            step = rng.choice(("fill", "fill", "cursor", "cursor", "hover", "scroll", "focus", "resize"))
            if step == "fill":
                _fill(table, rng.choice(fills))
            elif step == "cursor" and table.row_count:
                table.move_cursor(row=rng.randrange(table.row_count), column=rng.randrange(len(table.columns)))
            elif step == "hover" and table.row_count:
                table.hover_coordinate = Coordinate(rng.randrange(table.row_count), rng.randrange(len(table.columns)))
                table._set_hover_cursor(rng.random() < 0.5)
            elif step == "scroll":
                table.scroll_to(rng.randrange(0, 60), rng.randrange(0, 30), animate=False)
            elif step == "focus":
                if table.has_focus:
                    app.query_one("#below", Static).focus()
                else:
                    table.focus()
            elif step == "resize":
                await pilot.resize_terminal(rng.choice((60, 100, 140)), rng.choice((12, 24)))
                await pilot.pause()
            await pilot.pause()
            width, height = table.size
            strips = table.render_lines(Region(0, 0, width, height))
            frames.append([[(s.text, s.style, s.control) for s in strip] for strip in strips])
    return frames


async def test_the_cached_table_paints_what_the_data_table_paints() -> None:
    for seed in range(6):
        assert await _play(True, seed) == await _play(False, seed), seed


def test_the_key_holds_everything_a_text_renders_from() -> None:
    base = Text("12,345", style="bold")
    assert text_key(base) == text_key(Text("12,345", style="bold"))
    others = [Text("12,346", style="bold"), Text("12,345", style="italic"), Text("12,345", style="bold", justify="right"),
              Text("12,345", style="bold", overflow="ellipsis"), Text("12,345", style="bold", no_wrap=True),
              Text("12,345", style="bold", end=""), Text("12,345", style="bold", tab_size=4)]
    spanned = Text("12,345", style="bold")
    spanned.stylize("red", 0, 2)
    others.append(spanned)
    assert all(text_key(o) != text_key(base) for o in others)
    assert text_key("12,345") is None  # not a Text: rendered by the table itself, uncached


async def _rendered_after_a_fill() -> tuple[bool, int]:
    app = _Tables(True)
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one("#table", CellCacheTable)
        _fill(table, 1)
        await pilot.pause()
        _fill(table, 1)  # filled afresh after any start-up resize (which empties the cache)...
        width, height = table.size
        table.render_lines(Region(0, 0, width, height))  # ...and drawn now, whatever the machine's pace
        return table._caching, len(table._rendered)


async def test_the_cache_is_on_with_the_pinned_textual_and_off_where_its_internals_differ(monkeypatch) -> None:
    """With constraints.txt's Textual the cache works (so the comparison above tested it, not DataTable);
    a Textual whose DataTable internals differ gets DataTable's own painting, the same frames."""
    assert cell_cache.COMPATIBLE
    caching, kept = await _rendered_after_a_fill()
    assert caching and kept > 0
    monkeypatch.setattr(cell_cache, "COMPATIBLE", False)
    assert await _rendered_after_a_fill() == (False, 0)
    assert await _play(True, 3) == await _play(False, 3)
