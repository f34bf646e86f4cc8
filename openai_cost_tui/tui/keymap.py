"""Every binding the app has, by screen and panel: for the help, the command palette and the keymap file.

A binding carries a stable ``id``; the keymap file (``tui.toml``, see config/tui_settings.py) maps
ids to keys and ``App.set_keymap`` applies it, so the footer, the help and the palette all show the
keys as remapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import DataTable

from .modals.add_connection import AddConnectionModal
from .modals.choice import ChoiceModal
from .modals.confirm import ConfirmModal
from .modals.date_range import DateRangeModal
from .modals.edit_connection import EditConnectionModal
from .modals.filter import FilterModal
from .modals.line import LineModal
from .report.pivot_table import PivotTable
from .screens.tags import TagsScreen
from .search import SearchBar

MOVES = ("up", "down", "left", "right", "pageup", "pagedown")  # Textual's own table keys, listed as they are

# Widgets whose keys work while they have the focus, named as the help names them.
PANELS: dict[str, tuple[str, type[DOMNode]]] = {
    "report": ("Report table", PivotTable),
}
DIALOGS: tuple[tuple[str, type[DOMNode]], ...] = (
    ("Search bar", SearchBar),
    ("Tags screen (T on the report)", TagsScreen),
    ("Add connection", AddConnectionModal),
    ("Edit connection", EditConnectionModal),
    ("Pickers", ChoiceModal),
    ("Filter dialog", FilterModal),
    ("Dates dialog", DateRangeModal),
    ("Name prompts", LineModal),
    ("Questions", ConfirmModal),
)


def own_bindings(cls: type) -> list[Binding]:
    """The bindings a class declares and inherits from this package (not Textual's own widgets')."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("openai_cost_tui"):
            continue
        for b in klass.__dict__.get("BINDINGS", ()):
            found.append(b if isinstance(b, Binding) else Binding(*b))
    return found


def sections(app) -> Iterator[tuple[str, str, list[Binding]]]:
    """(section id, title, bindings): everywhere, then each screen and its panels, then the dialogs."""
    yield "app", "Everywhere", own_bindings(type(app))
    for mode, factory in app.MODES.items():
        screen_keys = [b for b in own_bindings(factory) if b.id not in {"search", "search-next", "search-previous"}]
        yield mode, f"{mode.title()} screen", screen_keys
        if mode in PANELS:
            title, widget = PANELS[mode]
            yield f"{mode}-panel", title, own_bindings(widget)
    yield "moving", "Moving in a table", [b for b in DataTable.BINDINGS
                                          if isinstance(b, Binding) and b.key in MOVES]
    first = next(iter(app.MODES.values()))
    yield "tables", "Every table", [b for b in own_bindings(first) if b.id in {"search", "search-next",
                                                                               "search-previous"}]
    for title, dialog in DIALOGS:
        yield re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"), title, own_bindings(dialog)


def binding_ids(app) -> set[str]:
    return {b.id for _, _, bindings in sections(app) for b in bindings if b.id}


def keys_of(app, binding: Binding) -> str:
    """The binding's keys as remapped by the keymap."""
    keymap = getattr(app, "_keymap", {}) or {}  # Textual keeps the keymap here; there is no getter
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


NAMES = {"question_mark": "?", "slash": "/", "minus": "-", "plus": "+", "left_square_bracket": "[",
         "right_square_bracket": "]", "delete": "Delete", "escape": "Esc", "enter": "Enter", "space": "Space",
         "tab": "Tab", "backspace": "Backspace", "home": "Home", "end": "End", "up": "Up", "down": "Down",
         "left": "Left", "right": "Right", "pageup": "PgUp", "pagedown": "PgDn"}


def key_name(key: str) -> str:
    """One key as typed, case kept (``f`` and ``F`` differ): ``ctrl+s`` -> ``Ctrl+S``, ``f1`` -> ``F1``."""
    *mods, last = key.strip().split("+")
    if last in NAMES:
        last = NAMES[last]
    elif len(last) > 1 and last[0] == "f" and last[1:].isdigit():
        last = last.upper()
    elif mods and len(last) == 1:
        last = last.upper()
    return "+".join([*(m.title() for m in mods), last])


def keys_text(app, binding: Binding) -> str:
    return ", ".join(key_name(k) for k in keys_of(app, binding).split(","))
