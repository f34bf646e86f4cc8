"""The dimensions a user can group and filter by (TAXONOMY.md), with their ids and labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from .errors import UsageError


class Kind(Enum):
    LINE_ITEM = "line_item"  # derived from the raw line item by the taxonomy
    ENTITY = "entity"  # organization, project, API key, connection
    TIME = "time"  # UTC calendar bins
    RAW = "raw"  # stored on the cost row as the API sent it
    TAG = "tag"  # a virtual tag of the open store (core/tags.py), evaluated by services/tags.py


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    kind: Kind


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("service", "Service", Kind.LINE_ITEM),
    Dimension("category", "Category", Kind.LINE_ITEM),
    Dimension("subcategory", "Subcategory", Kind.LINE_ITEM),
    Dimension("tier", "Tier", Kind.LINE_ITEM),
    Dimension("context", "Context", Kind.LINE_ITEM),
    Dimension("model_version", "Model version", Kind.LINE_ITEM),
    Dimension("line_item", "Line item", Kind.LINE_ITEM),
    Dimension("unit", "Unit", Kind.RAW),
    Dimension("organization", "Organization", Kind.ENTITY),
    Dimension("project", "Project", Kind.ENTITY),
    Dimension("api_key", "API key", Kind.ENTITY),
    Dimension("connection", "Connection", Kind.ENTITY),
    Dimension("day", "Day", Kind.TIME),
    Dimension("week", "Week", Kind.TIME),
    Dimension("month", "Month", Kind.TIME),
)

BY_ID: dict[str, Dimension] = {d.id: d for d in DIMENSIONS}
TIME_DIMENSIONS = ("day", "week", "month")
NONE_LABEL = "(none)"
_TAGS: dict[str, Dimension] = {}  # the open store's virtual tags: services/tags.py keeps this current


def use_tags(names: Iterable[str]) -> None:
    """Make the open store's virtual tags dimensions too (replacing the ones known before; one
    assignment, so a reader on another thread sees the old set or the new one)."""
    global _TAGS
    _TAGS = {n: Dimension(n, n, Kind.TAG) for n in names if n not in BY_ID}


def is_tag(dim_id: str) -> bool:
    return dim_id in _TAGS


def all_dimensions() -> tuple[Dimension, ...]:
    """The built-in dimensions, then the open store's tags."""
    return (*DIMENSIONS, *_TAGS.values())


def dimension(dim_id: str) -> Dimension:
    """Look a dimension up by id; an unknown id is a usage error that lists the valid ones."""
    key = dim_id.strip()
    found = BY_ID.get(key) or _TAGS.get(key)
    if found is None:
        valid = ", ".join(d.id for d in all_dimensions())
        raise UsageError(f"unknown dimension {dim_id!r}; choose one of: {valid}") from None
    return found


def label(dim_id: str) -> str:
    return dimension(dim_id).label
