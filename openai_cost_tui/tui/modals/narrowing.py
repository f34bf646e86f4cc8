"""Type to narrow a list, as every picker does: which options a typed text keeps and in what order,
showing them with one highlighted, and moving that highlight with the arrows while the search field
keeps the focus. Shared by the pickers (choice.py) and the date dialog (date_range.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.widgets import OptionList
from textual.widgets.option_list import Option


def narrowed(options: Iterable[tuple[str, str]], search: str) -> list[tuple[str, str]]:
    """The (id, text) options whose text or id holds ``search`` (any case), in their order; with a
    search, what the typed text names first: its own id, then an id starting with it, then a text."""
    needle = search.strip().lower()
    found = [(k, t) for k, t in options if needle in t.lower() or needle in k.lower()]
    if needle:
        found.sort(key=lambda o: (o[0].lower() != needle, not o[0].lower().startswith(needle),
                                  not o[1].lower().startswith(needle)))
    return found


def show_options(choices: OptionList, options: Sequence[Option], *, current: str | None = None) -> None:
    """Replace what ``choices`` lists with ``options``, highlighting ``current`` when it is one of them,
    else the first (nothing when there is none)."""
    choices.clear_options()
    choices.add_options(options)
    ids = [o.id for o in options]
    if current is not None and current in ids:
        choices.highlighted = ids.index(current)
    elif ids:
        choices.highlighted = 0


def move_highlight(choices: OptionList, step: int) -> None:
    """Move the highlight ``step`` options on, round from the last to the first (and back)."""
    if choices.option_count:
        current = choices.highlighted if choices.highlighted is not None else -step
        choices.highlighted = (current + step) % choices.option_count
