"""Every key, screen by screen, read from the bindings themselves (so remapped keys show as remapped)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self._text())

    def _text(self) -> str:
        app = self.app
        lines = ["# Keys", "", "Everything works from the keyboard; the mouse is welcome too.",
                 "Ctrl+P opens the command palette.", ""]
        sections: list[tuple[str, list[Binding]]] = [("Everywhere", list(app.BINDINGS))]  # type: ignore[arg-type]
        for mode, factory in app.MODES.items():
            bindings = getattr(factory, "BINDINGS", [])
            if bindings:
                sections.append((f"{mode.title()} screen", list(bindings)))
        keymap = getattr(app, "_keymap", {}) or {}
        for title, bindings in sections:
            lines += [f"## {title}", "", "| Key | Action | What it does |", "|---|---|---|"]
            for b in bindings:
                if not isinstance(b, Binding):
                    b = Binding(*b)
                key = keymap.get(b.id, b.key) if b.id else b.key
                shown = ", ".join(_key_name(k) for k in key.split(","))
                lines.append(f"| {shown} | {b.description} | {b.tooltip} |")
            lines.append("")
        lines += ["Days are UTC calendar days. Today's figures are still filling and marked provisional."]
        return "\n".join(lines)


NAMES = {"question_mark": "?", "delete": "Delete", "escape": "Esc", "enter": "Enter", "space": "Space",
         "tab": "Tab", "backspace": "Backspace"}


def _key_name(key: str) -> str:
    """``ctrl+s`` -> ``Ctrl+S``; ``f1`` -> ``F1``; ``question_mark`` -> ``?``."""
    parts = key.strip().split("+")
    return "+".join(NAMES.get(p, p.upper() if len(p) <= 3 else p.title()) for p in parts)
