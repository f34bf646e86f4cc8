"""Every key, screen by screen and panel by panel, read from the bindings themselves (so remapped keys
show as remapped). F1 opens it at the top; ? at the section of the screen you are on."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keymap import keys_text, sections

INTRO = ("Everything works from the keyboard; the mouse too: a click on a header sorts, a click selects "
         "a row, a double click drills in. Ctrl+P finds any action by name. Case matters: f and F are "
         "different keys. Keys can be changed in tui.toml in the data folder, by the id shown after what a key "
         "does (see the README).")
OUTRO = ("Days are UTC calendar days. Today's figures are still filling and marked provisional (*). "
         "In the report, ⚠ after a label marks a row with an unusual day (see Insights) and ≈ a row that "
         "includes a share a tag's split allocated to it: a shows it unsplit.")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help-close", tooltip="Close the help"),
        Binding("down,j", "scroll(1)", "Scroll down", id="help-down", show=False, tooltip="Scroll down"),
        Binding("up,k", "scroll(-1)", "Scroll up", id="help-up", show=False, tooltip="Scroll up"),
    ]

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section
        self.lines: list[str] = []  # the help as plain text, one key a line (what the tables show)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("Keys", style="bold"), classes="help-title")
            yield Static(Text(INTRO), classes="help-intro")
            for ident, title, bindings in sections(self.app):
                if bindings:
                    yield Static(self._table(title, bindings), id=f"help-{ident}", classes="help-section")
            yield Static(Text(OUTRO, style="dim"), classes="help-intro")

    def on_mount(self) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.focus()
        if self.section:
            found = self.query(f"#help-{self.section}")
            if found:
                self.call_after_refresh(box.scroll_to_widget, found.first(), animate=False, top=True)

    def _table(self, title: str, bindings: list[Binding]) -> Table:
        table = Table(title=title, title_justify="left", title_style="bold", expand=True, show_edge=False,
                      pad_edge=False, header_style="dim")
        table.add_column("Key", no_wrap=True, style="bold")
        table.add_column("Action", no_wrap=True)
        table.add_column("What it does", ratio=1)
        self.lines.append(f"## {title}")
        for b in bindings:
            keys = keys_text(self.app, b)
            what = Text(b.tooltip or "")
            if b.id:  # the id a keymap file (tui.toml) remaps it by
                what.append(f"  {b.id}", style="dim italic")
            table.add_row(Text(keys), Text(b.description), what)
            self.lines.append(f"{keys} | {b.description} | {b.tooltip or ''}")
        return table

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_relative(y=lines, animate=False)
