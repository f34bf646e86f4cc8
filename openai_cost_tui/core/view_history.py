"""One undo and redo history of report views: every change of the view is a step with a name.

Pure Python (no Textual): the report screen pushes each new :class:`ReportState` with what changed
("Dates: Last 30 days", "Service: Chats"), Backspace goes back one step, Ctrl+Y forward again, and the
breadcrumb line shows the steps. A new change after going back drops the steps ahead (as every
editor's undo does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .dimensions import NONE_LABEL, label
from .report_state import MEASURE_LABELS, PRESETS, ReportState

MAX_STEPS = 200  # oldest steps are forgotten beyond this


@dataclass(frozen=True)
class Step:
    state: ReportState
    what: str  # the change that led here, in the words of the breadcrumb


class ViewHistory:
    def __init__(self, start: ReportState, what: str = "Start") -> None:
        self.steps: list[Step] = [Step(start, what)]
        self.index = 0

    @property
    def current(self) -> ReportState:
        return self.steps[self.index].state

    def push(self, state: ReportState, what: str) -> bool:
        """Record ``state`` as the next step (False when it is the current state: nothing changed)."""
        if state == self.current:
            return False
        del self.steps[self.index + 1 :]
        self.steps.append(Step(state, what))
        if len(self.steps) > MAX_STEPS:
            del self.steps[0]
        self.index = len(self.steps) - 1
        return True

    def replace(self, state: ReportState) -> None:
        """The current step's state, corrected in place (a fallback the user did not ask for)."""
        self.steps[self.index] = Step(state, self.steps[self.index].what)

    def can_undo(self) -> bool:
        return self.index > 0

    def can_redo(self) -> bool:
        return self.index < len(self.steps) - 1

    def undo(self) -> ReportState | None:
        if not self.can_undo():
            return None
        self.index -= 1
        return self.current

    def redo(self) -> ReportState | None:
        if not self.can_redo():
            return None
        self.index += 1
        return self.current

    def undo_what(self) -> str | None:
        """What Backspace would undo (the current step's change), or None at the start."""
        return self.steps[self.index].what if self.can_undo() else None

    def redo_what(self) -> str | None:
        return self.steps[self.index + 1].what if self.can_redo() else None

    def crumbs(self, width: int, fit: Callable[[str], int] = len) -> tuple[list[str], int]:
        """The step names to show in ``width`` columns, oldest dropped first (as "…"), and the position
        of the current step among them."""
        names = [s.what for s in self.steps]

        def trail(first: int) -> list[str]:
            return names if first == 0 else ["…", *names[first:]]

        first = 0
        while first < self.index and fit(" › ".join(trail(first))) > width:
            first += 1
        return trail(first), self.index - first + (1 if first else 0)


def change_name(old: ReportState, new: ReportState) -> str:
    """What changed from ``old`` to ``new``, as a breadcrumb says it ("Dates: Last 30 days")."""
    if len(new.crumbs) > len(old.crumbs) and new.crumbs[: len(old.crumbs)] == old.crumbs:
        return ", ".join(f"{label(d)}: {v or NONE_LABEL}" for d, v in new.crumbs[len(old.crumbs) :])
    names = []
    if new.filters != old.filters:
        names.append(_filters_change(old, new))
    if new.rows != old.rows:
        if new.rows[0] == old.rows[0] and len(new.rows) == 2:
            names.append(f"Nest: {label(new.rows[1])}")
        elif new.rows == old.rows[:1]:
            names.append("No nesting")
        else:
            names.append("Rows: " + " / ".join(label(r) for r in new.rows))
    if new.cols != old.cols and not (new.rows != old.rows and new.cols in old.rows):
        names.append(f"Cols: {label(new.cols) if new.cols else 'none'}")
    if new.measure != old.measure:
        names.append(f"Measure: {MEASURE_LABELS[new.measure]}")
    if new.dates != old.dates:
        d = new.dates
        names.append("Dates: " + (f"{d.start}..{d.end}" if d.preset == "custom" else PRESETS[d.preset]))
    if new.workspace != old.workspace:
        names.append(f"Workspace: {new.workspace}" if new.workspace else "All connections")
    if new.top != old.top:
        names.append(f"Top {new.top}" if new.top else "All rows")
    if new.compare != old.compare:
        names.append("Compare" if new.compare else "No compare")
    if new.sort != old.sort and not names:
        names.append("Sort: " + ("largest first" if new.sort is None else
                                 f"{_column_name(new.sort[0], new)} {'↓' if new.sort[1] else '↑'}"))
    if new.hidden != old.hidden:
        gone = [c for c in new.hidden if c not in old.hidden]
        names.append(f"Hide {_column_name(gone[-1], new)}" if gone else "Show all columns")
    if new.collapsed != old.collapsed:
        folded = [v for v in new.collapsed if v not in old.collapsed]
        unfolded = [v for v in old.collapsed if v not in new.collapsed]
        names.append(f"Fold {folded[-1] or NONE_LABEL}" if folded else f"Unfold {unfolded[-1] or NONE_LABEL}")
    return ", ".join(names) or "View"


def _filters_change(old: ReportState, new: ReportState) -> str:
    if not new.filters:
        return "Filters cleared"
    for flt in new.filters:
        if flt not in old.filters:
            verb = "Exclude" if flt.exclude else "Filter"
            values = ", ".join(v or NONE_LABEL for v in flt.values[:2]) + (" …" if len(flt.values) > 2 else "")
            return f"{verb} {label(flt.dim)}: {values}"
    gone = next((f for f in old.filters if f not in new.filters), None)
    return f"No {label(gone.dim).lower()} filter" if gone else "Filters"


def _column_name(key: str, state: ReportState) -> str:
    if key == "label":
        return " › ".join(label(r) for r in state.rows)
    return {"\x00total": "Total", "\x00other": "(other)", "prev": "Previous", "cur": "Current",
            "delta": "Change", "pct": "Change %"}.get(key, key)
