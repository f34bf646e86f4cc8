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

from .lazy import Lazy, resolve
from .report.pivot_table import PivotTable

MOVES = ("up", "down", "left", "right", "pageup", "pagedown")  # Textual's own table keys, listed as they are

# Widgets whose keys work while they have the focus, named as the help names them.
PANELS: dict[str, tuple[str, type[DOMNode]]] = {
    "report": ("Report table", PivotTable),
}
# Imported when the help lists them (or they open), not at start.
DIALOGS: tuple[tuple[str, Lazy], ...] = (
    ("Search bar", Lazy(".search", "SearchBar")),
    ("Tags screen (T on the report)", Lazy(".screens.tags", "TagsScreen")),
    ("Add connection", Lazy(".modals.add_connection", "AddConnectionModal")),
    ("Edit connection", Lazy(".modals.edit_connection", "EditConnectionModal")),
    ("Pickers", Lazy(".modals.choice", "ChoiceModal")),
    ("Filter dialog", Lazy(".modals.filter", "FilterModal")),
    ("Dates dialog", Lazy(".modals.date_range", "DateRangeModal")),
    ("Name prompts", Lazy(".modals.line", "LineModal")),
    ("Questions", Lazy(".modals.confirm", "ConfirmModal")),
)
SEARCH_IDS = ("search", "search-next", "search-previous")  # every main screen's: listed once, as "Every table"

# The ids of every binding but the app's own, by help section, declared so that reading the keymap file at
# start (binding_ids) imports no screen or dialog. tests/test_keymap_declared.py holds them equal to the
# classes' BINDINGS: a binding added, removed or renamed there fails it until it is declared here too.
DECLARED_IDS: dict[str, tuple[str, ...]] = {
    "report": (
        "report-back", "report-redo", "report-rows", "report-cols", "report-filter", "report-dates",
        "report-compare", "report-chart", "report-export", "report-presets", "report-nest", "report-swap",
        "report-measure", "report-sort", "report-sort-up", "report-sort-down", "report-hide-column",
        "report-show-columns", "report-exclude", "report-clear-filters", "report-workspace", "report-top",
        "report-save-view", "report-open-view", "report-tags", "report-splits",
    ),
    "report-panel": ("report-drill", "report-fold", "report-first-column", "report-last-column",
                     "report-first-row", "report-last-row"),
    "insights": ("insights-recompute", "insights-set-budget", "insights-remove-budget"),
    "connections": ("connection-add", "connection-edit", "connection-sync", "connection-remove"),
    "workspaces": ("workspace-new", "workspace-rename", "workspace-delete"),
    "tables": SEARCH_IDS,
    "search-bar": ("search-drop",),
    "tags-screen-t-on-the-report": ("tags-close", "tags-new", "tags-edit", "tags-delete"),
    "add-connection": ("add-cancel", "add-submit"),
    "edit-connection": ("edit-cancel", "edit-save"),
    "pickers": ("choice-cancel", "choice-next", "choice-previous"),
    "filter-dialog": ("filter-cancel", "filter-to-list"),
    "dates-dialog": ("dates-cancel", "dates-next", "dates-previous", "dates-first", "dates-last"),
    "name-prompts": ("line-cancel",),
    "questions": ("confirm-yes", "confirm-no"),
}


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
    """(section id, title, bindings): everywhere, then each screen and its panels, then the dialogs (each
    screen and dialog imported here if it was not yet)."""
    yield "app", "Everywhere", own_bindings(type(app))
    for mode, factory in app.MODES.items():
        screen_keys = [b for b in own_bindings(resolve(factory)) if b.id not in SEARCH_IDS]
        yield mode, f"{mode.title()} screen", screen_keys
        if mode in PANELS:
            title, widget = PANELS[mode]
            yield f"{mode}-panel", title, own_bindings(widget)
    yield "moving", "Moving in a table", [b for b in DataTable.BINDINGS
                                          if isinstance(b, Binding) and b.key in MOVES]
    first = resolve(next(iter(app.MODES.values())))
    yield "tables", "Every table", [b for b in own_bindings(first) if b.id in SEARCH_IDS]
    for title, dialog in DIALOGS:
        yield section_id(title), title, own_bindings(dialog.load())


def section_id(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def binding_ids(app) -> set[str]:
    """Every id a keymap file may remap: the app's own and the declared ones (nothing imported)."""
    return {b.id for b in own_bindings(type(app)) if b.id} | {i for ids in DECLARED_IDS.values() for i in ids}


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
