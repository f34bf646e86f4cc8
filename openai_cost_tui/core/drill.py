"""Drill-down: Enter on a row pins its value as a filter and regroups by the next dimension."""

from __future__ import annotations

from dataclasses import replace

from .dimensions import NONE_LABEL, label
from .models import Filter
from .pivot import OTHER_LABEL
from .report_state import ReportState

DRILL_CHAIN = ("service", "category", "subcategory", "project", "api_key", "model_version", "line_item")


def pinned(state: ReportState) -> set[str]:
    """Dimensions already narrowed to one included value (regrouping by them shows one row)."""
    return {f.dim for f in state.filters if not f.exclude and len(f.values) == 1}


def next_dim(current: str, state: ReportState) -> str | None:
    """The dimension after ``current`` in the drill chain that is not pinned or used as columns."""
    taken = pinned(state) | {current} | ({state.cols} if state.cols else set())
    start = DRILL_CHAIN.index(current) + 1 if current in DRILL_CHAIN else 0
    for dim in DRILL_CHAIN[start:] + DRILL_CHAIN[:start]:
        if dim not in taken:
            return dim
    return None


class DrillError(ValueError):
    """Why a row cannot be drilled into (shown as a notification)."""


def drill(state: ReportState, row_key: tuple[str, ...]) -> ReportState:
    """Pin ``row_key`` (a full row, or just its outer value for a group header) and regroup.

    A whole row pins every row dimension and groups by the dimension after the last one; a group
    header pins the outer dimension and keeps its inner one as the rows.
    """
    if not row_key or OTHER_LABEL in row_key:
        raise DrillError("(other) folds the smaller values together: raise the top N (t) or filter instead")
    dims = state.rows[: len(row_key)]
    filters = tuple(f for f in state.filters if f.dim not in dims)
    filters += tuple(Filter(d, (v,)) for d, v in zip(dims, row_key, strict=True))
    crumbs = state.crumbs + tuple(zip(dims, row_key, strict=True))
    narrowed = replace(state, filters=filters, crumbs=crumbs, sort=None)
    if len(row_key) < len(state.rows):
        return replace(narrowed, rows=state.rows[len(row_key) :])
    nxt = next_dim(dims[-1], narrowed)
    if nxt is None:
        raise DrillError("nothing left to drill into: every dimension of the chain is pinned")
    return replace(narrowed, rows=(nxt,))


def crumb_text(crumbs: tuple[tuple[str, str], ...]) -> str:
    parts = ["All costs"] + [f"{label(d)}: {v if v else NONE_LABEL}" for d, v in crumbs]
    return " › ".join(parts)
