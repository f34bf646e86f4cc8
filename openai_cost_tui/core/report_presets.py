"""Built-in report views for the questions the dashboards answer badly: what prompt caching saves, and
where spend sits by tier and by context length. Each is an ordinary ``ReportState``, so everything the
report does (drill, filter, dates, export, save) works on it. No Textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .economics import input_kind
from .errors import UsageError
from .models import Filter
from .report_state import DateChoice, ReportState


@dataclass(frozen=True)
class ReportPreset:
    id: str
    title: str
    description: str


PRESETS = (
    ReportPreset("cache", "Prompt caching by model", "cached vs uncached input · 30 days"),
    ReportPreset("tiers", "Spend by tier", "each model by tier (batch, flex ...) · 3 months"),
    ReportPreset("context", "Long context by model", "each model, long vs standard · 3 months"),
)


def preset_ids() -> list[str]:
    return [p.id for p in PRESETS]


def preset_state(preset_id: str, subcategories: Iterable[str] = ()) -> ReportState:
    """The view of a preset. ``subcategories``: those the store knows, for the cache preset's filter
    (the input-like ones: ``input``, ``text cached input``, ``cache writes`` ...)."""
    match preset_id:
        case "cache":
            inputs = tuple(sorted(s for s in subcategories if input_kind(s) is not None))
            return ReportState(rows=("category",), cols="subcategory", measure="cost",
                               filters=(Filter("subcategory", inputs),) if inputs else (),
                               dates=DateChoice("30d"), top=None)
        case "tiers":
            return ReportState(rows=("category",), cols="tier", dates=DateChoice("3m"), top=None)
        case "context":
            return ReportState(rows=("category",), cols="context", dates=DateChoice("3m"), top=None)
    raise UsageError(f"unknown preset {preset_id!r}; choose one of: {', '.join(preset_ids())}")

