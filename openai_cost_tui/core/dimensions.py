"""The dimensions a user can group and filter by (TAXONOMY.md), with their ids and labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import UsageError


class Kind(Enum):
    LINE_ITEM = "line_item"  # derived from the raw line item by the taxonomy
    ENTITY = "entity"  # organization, project, API key, connection
    TIME = "time"  # UTC calendar bins
    RAW = "raw"  # stored on the cost row as the API sent it


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


def dimension(dim_id: str) -> Dimension:
    """Look a dimension up by id; an unknown id is a usage error that lists the valid ones."""
    try:
        return BY_ID[dim_id.strip()]
    except KeyError:
        valid = ", ".join(d.id for d in DIMENSIONS)
        raise UsageError(f"unknown dimension {dim_id!r}; choose one of: {valid}") from None


def label(dim_id: str) -> str:
    return dimension(dim_id).label
