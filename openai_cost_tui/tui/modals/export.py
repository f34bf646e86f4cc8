"""Where to write an export: one path, prefilled with a file in the current folder, checked inline."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from ...core.models import PivotResult
from ...core.text import shown
from ..report.export import COPY_FORMATS, FORMATS, clipboard_text, default_path, read_path, write_export
from .choice import ChoiceModal
from .confirm import ConfirmModal
from .line import LineModal


class ExportPathModal(LineModal[Path]):
    """Answers the path to write (its folder exists); None when cancelled. Overwriting is asked after."""

    def __init__(self, fmt_name: str, fmt: str, default: Path, *, cwd: Path) -> None:
        super().__init__(f"Export as {fmt_name}: write to", lambda text: read_path(text, fmt, cwd=cwd),
                         value=str(default), ok="Write", field_id="export-path")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(shown(self.title_text)), classes="dialog-title")
            yield Input(value=self.value, id=self.field_id)
            yield Label("", id="error", classes="error")
            yield Label("Enter writes · Esc cancels · a relative path is from the current folder; an "
                        "existing file is replaced only after you confirm", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ok, id="ok", variant="primary")
                yield Button("Cancel", id="cancel")


def start_export(screen, result: PivotResult, *, compare: bool = False) -> None:
    """``e`` on the report: pick a file format or a clipboard copy; for a file, a path (default: the
    current folder) and, when the file exists, a confirmation before it is replaced.

    ``screen`` is an AppScreen (its ``background`` writes in a worker, its ``ctx`` has the clock)."""
    app = screen.app
    now = screen.ctx.clock()

    def written(outcome: tuple[bool, str]) -> None:
        ok, message = outcome
        screen.notify(shown(message), title="Exported" if ok else "Export failed", timeout=8,
                      severity="information" if ok else "error", markup=False)

    def write(path: Path, fmt: str, overwrite: bool) -> None:
        def job() -> tuple[bool, str]:
            try:
                return True, f"Wrote {write_export(path, result, fmt, overwrite=overwrite)}"
            except FileExistsError:
                return False, f"{path} appeared meanwhile: export again to replace it"
            except OSError as exc:
                return False, f"Could not write {path}: {exc.strerror or exc}"

        screen.background(job, written, group="report-export")

    def pathed(fmt: str, path: Path | None) -> None:
        if path is None:
            return
        if not path.exists():
            write(path, fmt, False)
            return
        app.push_screen(
            ConfirmModal("Replace the file?", f"{path} exists. Replace it with this export?", yes="Replace"),
            lambda yes: write(path, fmt, True) if yes else screen.notify("Not exported: the file was kept.",
                                                                         timeout=4),
        )

    def chosen(key: str | None) -> None:
        if not key:
            return
        kind, _, fmt = key.partition(":")
        if kind == "copy":
            text = clipboard_text(result, fmt)
            app.copy_to_clipboard(text)
            lines = text.count("\n")
            screen.notify(f"Copied {lines:,} lines as {fmt.upper() if fmt != 'markdown' else 'Markdown'} "
                          "(through the terminal, OSC 52: most terminals pass it on, also over SSH).",
                          title="Copied", timeout=6)
            return
        cwd = Path.cwd()
        name = FORMATS[fmt][0].split(" file")[0]
        app.push_screen(ExportPathModal(name, fmt, default_path(cwd, result, fmt, now), cwd=cwd),
                        lambda path: pathed(fmt, path))

    options = [(f"file:{k}", name) for k, (name, _) in FORMATS.items()]
    options += [(f"copy:{k}", name) for k, name in COPY_FORMATS.items()]
    note = " (the current period's pivot)" if compare else ""
    app.push_screen(ChoiceModal(f"Export this view{note}", options, current="file:csv"), chosen)
