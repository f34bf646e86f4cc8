"""The fake organization's own answers, computed in plain Python straight from its generator."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import bin_id
from openai_cost_tui.core.dimensions import NONE_LABEL
from openai_cost_tui.core.taxonomy import Taxonomy
from openai_cost_tui.fake.org import FakeOrg


def atto(value) -> int:
    return money.parse_exact(str(value))


def expected_totals(org: FakeOrg, dims: tuple[str, ...], start: date, end: date, *,
                    organization: str | None = None, taxonomy: Taxonomy | None = None) -> dict[tuple, int]:
    """Exact cost per value tuple of ``dims`` over ``start..end`` (inclusive), as the store should say."""
    taxonomy = taxonomy or Taxonomy()
    projects = {p.id: p.name for p in org.projects}
    keys = {k.id: k.name for k in org.keys}
    out: dict[tuple, int] = defaultdict(int)
    for cost in org.costs_between(start, end + timedelta(days=1)):
        if cost.currency != "usd":
            continue
        amount = atto(cost.amount)
        c = taxonomy.classify(cost.line_item, amount=amount, unit=cost.unit)
        values = {
            "service": c.service, "category": c.category, "subcategory": c.subcategory, "tier": c.tier,
            "context": c.context, "model_version": c.model_version,
            "line_item": cost.line_item if cost.line_item is not None else NONE_LABEL,
            "unit": cost.unit or NONE_LABEL,
            "project": projects.get(cost.project_id) or cost.project_id or NONE_LABEL,
            "api_key": keys.get(cost.api_key_id) or cost.api_key_id or NONE_LABEL,
            "organization": organization or org.organization_name,
        }
        for t in ("day", "week", "month"):
            values[t] = bin_id(t, cost.day)
        out[tuple(values[d] for d in dims)] += amount
    return dict(out)
