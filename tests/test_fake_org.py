"""The seeded fake organization: deterministic, realistic, exact."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from openai_cost_tui.core.dates import add_months, today_utc
from openai_cost_tui.fake.org import FakeCost, FakeOrg, aggregate, exact

START, END = date(2026, 1, 1), date(2026, 3, 31)
ONE_DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(7, start=START, end=END, size="small")


def day_totals(org: FakeOrg) -> dict[date, Decimal]:
    return {day: sum((c.amount for c in org.costs(day)), Decimal(0)) for day in org.days}


def test_same_seed_same_org_other_seed_differs(org: FakeOrg) -> None:
    twin = FakeOrg(7, start=START, end=END, size="small")
    other = FakeOrg(8, start=START, end=END, size="small")
    assert (twin.projects, twin.keys, twin.spikes) == (org.projects, org.keys, org.spikes)
    assert (twin.organization_id, twin.organization_name) == (org.organization_id, org.organization_name)
    assert list(twin.costs_between(START, END + ONE_DAY)) == list(org.costs_between(START, END + ONE_DAY))
    assert other.projects != org.projects
    assert other.costs(date(2026, 2, 3)) != org.costs(date(2026, 2, 3))


def test_a_day_does_not_depend_on_call_order(org: FakeOrg) -> None:
    backwards = FakeOrg(7, start=START, end=END, size="small")
    for day in reversed(list(backwards.days)):
        backwards.costs(day)
    for day in (START, date(2026, 2, 14), END):
        assert backwards.costs(day) == org.costs(day)


def test_sizes_and_entities() -> None:
    demo = FakeOrg(7, start=date(2026, 1, 1), end=date(2026, 12, 31), size="demo")
    assert 20 <= len(demo.projects) <= 28
    assert sum(p.archived_at is not None for p in demo.projects) == 3
    assert 40 <= len(demo.keys) <= 80
    rows = [len(demo.costs(date(2026, 6, d))) for d in range(1, 15)]
    assert 130 <= statistics.mean(rows) <= 320, rows
    names = {p.name for p in demo.projects}
    assert {"Support Bot", "Search Ranking"} <= names
    assert len({k.id for k in demo.keys}) == len(demo.keys)
    for key in demo.keys:
        assert key.id.startswith("key_") and demo.project(key.project_id) is not None
        assert key.created_at >= demo.project(key.project_id).created_at  # type: ignore[union-attr]
        assert "..." in key.redacted_value
    small = FakeOrg(7, start=START, end=END, size="small")
    assert len(small.projects) == 4 and sum(p.archived_at is not None for p in small.projects) == 1
    assert 4 <= len(small.keys) <= 10


def test_default_range_ends_today_with_a_partial_bucket() -> None:
    org = FakeOrg(3, size="small")
    today = today_utc()
    assert (org.start, org.end, org.partial_day) == (add_months(today, -13), today, today)
    assert org.costs(today + ONE_DAY) == [] and org.costs(org.start - ONE_DAY) == []
    totals = day_totals(org)
    recent = [totals[today - timedelta(days=n)] for n in range(1, 15)]
    assert totals[today] < statistics.median(recent)
    assert FakeOrg(3, start=START, end=END, size="small").partial_day is None


SHAPES = {
    "chat input": lambda li: li == "gpt-4o-2024-08-06, input",
    "chat cached input": lambda li: li == "gpt-4o-2024-08-06, cached input",
    "chat output": lambda li: li == "gpt-4o-2024-08-06, output",
    "cache writes": lambda li: li.endswith(", cache writes"),
    "long context": lambda li: li.endswith(", long context") and "|" not in li,
    "priority tier": lambda li: li.startswith("priority | ") and li.endswith(", long context"),
    "batch tier": lambda li: li.startswith("batch | "),
    "flex tier": lambda li: li.startswith("flex | "),
    "evals": lambda li: li.startswith("evals | "),
    "fine-tuning": lambda li: li.startswith("ft-"),
    "o-series": lambda li: li.startswith("o1-pro, "),
    "image output": lambda li: li.startswith("gpt-image-") and li.endswith(" image, output"),
    "image text input": lambda li: li.startswith("gpt-image-") and li.endswith(" text, input"),
    "dall-e": lambda li: li == "dall-e 3, standard, 1024x1792, 1792x1024",
    "audio": lambda li: li.startswith("gpt-audio-") and " audio, " in li,
    "whisper": lambda li: li == "whisper",
    "embeddings": lambda li: li.startswith("text-embedding-3-"),
    "web search": lambda li: li == "web search tool calls",
    "file search": lambda li: li == "file search tool calls",
    "assistants": lambda li: li == "assistants api | file search",
    "code interpreter": lambda li: li == "code interpreter sessions",
    "vector storage": lambda li: li == "Vector storage",
    "credit": lambda li: li == "Promotional credit",
}


@pytest.mark.parametrize("size", ["small", "demo"])
def test_every_taxonomy_shape_appears_within_a_month(size: str) -> None:
    org = FakeOrg(11, start=date(2025, 11, 1), end=date(2026, 3, 31), size=size)
    rows = list(org.costs_between(date(2026, 2, 1), date(2026, 3, 1)))
    items = {c.line_item for c in rows}
    missing = [shape for shape, test in SHAPES.items() if not any(test(li) for li in items)]
    assert not missing, missing
    units = {c.line_item: c.unit for c in rows}
    assert units["whisper"] == "duration_seconds" and units["Vector storage"] == "gibibyte_hours"
    assert units["dall-e 3, standard, 1024x1792, 1792x1024"] == "images"
    assert units["gpt-4o-2024-08-06, input"] == "tokens"
    credits = [c for c in rows if c.line_item == "Promotional credit"]
    assert len(credits) == 1 and credits[0].amount < 0 and credits[0].quantity is None
    assert any(c.api_key_id is None and c.project_id for c in rows)  # unattributed costs
    assert any(c.line_item and "-2025-" in c.line_item for c in rows)  # dated snapshots


def test_amounts_are_exact_nonzero_and_consistent_with_unit_prices(org: FakeOrg) -> None:
    rows = list(org.costs_between(START, END + ONE_DAY))
    places = [-c.amount.as_tuple().exponent for c in rows]  # type: ignore[operator]
    assert all(isinstance(c.amount, Decimal) and c.amount != 0 for c in rows)
    assert max(places) == 16 and sum(p >= 12 for p in places) > 10
    assert all(c.amount > 0 for c in rows if c.line_item != "Promotional credit")
    prices: dict[str | None, list[Decimal]] = defaultdict(list)
    for c in rows:
        if c.quantity is not None:
            assert c.quantity > 0
            prices[c.line_item].append(c.amount / c.quantity)
    for line_item, unit_prices in prices.items():
        low, high = min(unit_prices), max(unit_prices)
        assert (high - low) / high < Decimal("1e-6"), line_item
    web = prices["web search tool calls"][0]
    assert web == Decimal("0.01")


def test_weekdays_cost_more_and_spend_grows() -> None:
    org = FakeOrg(7, start=date(2025, 1, 1), end=date(2025, 12, 31), size="small")
    totals = day_totals(org)
    weekday = statistics.mean(v for d, v in totals.items() if d.weekday() < 5)
    weekend = statistics.mean(v for d, v in totals.items() if d.weekday() >= 5)
    assert weekday > Decimal("1.5") * weekend
    january = org.total(date(2025, 1, 1), date(2025, 2, 1))
    december = org.total(date(2025, 12, 1), date(2026, 1, 1))
    assert december > Decimal("1.3") * january


def test_spikes_stand_out(org: FakeOrg) -> None:
    assert org.spikes
    for day, project_id, key_id in org.spikes:
        assert START <= day <= END and day.weekday() < 5

        def cell(d: date, project_id: str = project_id, key_id: str | None = key_id) -> Decimal:
            return sum(
                (c.amount for c in org.costs(d) if (c.project_id, c.api_key_id) == (project_id, key_id)),
                Decimal(0),
            )

        around = [
            cell(day + timedelta(days=n))
            for n in range(-14, 15)
            if n and (day + timedelta(days=n)) in set(org.days) and (day + timedelta(days=n)).weekday() < 5
        ]
        assert cell(day) > 4 * statistics.median(around)


def test_archived_projects_and_new_keys_have_no_costs_outside_their_life(org: FakeOrg) -> None:
    rows = list(org.costs_between(START, END + ONE_DAY))
    archived = [p for p in org.projects if p.archived_at is not None]
    for project in archived:
        last = max(c.day for c in rows if c.project_id == project.id)
        assert last.toordinal() * 86400 < project.archived_at + date(1970, 1, 1).toordinal() * 86400  # type: ignore[operator]
    created = {k.id: k.created_at for k in org.keys}
    epoch = date(1970, 1, 1)
    for c in rows:
        if c.api_key_id:
            assert (c.day - epoch).days * 86400 + 86400 > created[c.api_key_id]


def test_total_is_the_exact_sum(org: FakeOrg) -> None:
    rows = list(org.costs_between(date(2026, 2, 1), date(2026, 3, 1)))
    assert org.total(date(2026, 2, 1), date(2026, 3, 1)) == sum((c.amount for c in rows), Decimal(0))
    assert org.total(date(2026, 2, 1), date(2026, 3, 1), currency="eur") == 0
    groups = aggregate(rows, ("project_id", "line_item"))
    assert sum((g.amount for g in groups), Decimal(0)) == org.total(date(2026, 2, 1), date(2026, 3, 1))


def test_revise_changes_exactly_what_it_says() -> None:
    org = FakeOrg(7, start=START, end=END, size="small")
    pristine = FakeOrg(7, start=START, end=END, size="small")
    day = date(2026, 2, 10)
    before = org.costs(day)
    org.revise(day, scale=Decimal("1.1"))
    assert [c.amount for c in org.costs(day)] == [exact(c.amount * Decimal("1.1")) for c in before]
    assert [c.quantity for c in org.costs(day)] == [c.quantity for c in before]
    victim = before[0].line_item
    org.revise(day, drop_line_item=victim)
    assert all(c.line_item != victim for c in org.costs(day))
    assert len(org.costs(day)) == len(before) - sum(c.line_item == victim for c in before)
    extra = FakeCost(
        day,
        org.projects[0].id,
        None,
        "gpt-4o-2024-08-06, output",
        Decimal("0.0123456789012345"),
        "usd",
        Decimal(1234),
        "tokens",
    )
    total = org.total(day, day + ONE_DAY)
    org.revise(day, add=extra)
    assert org.costs(day)[-1] == extra and org.total(day, day + ONE_DAY) == total + extra.amount
    for other in (day - ONE_DAY, day + ONE_DAY):
        assert org.costs(other) == pristine.costs(other)
    euro = FakeCost(day, None, None, "Promotional credit", Decimal("-5"), "eur")
    org.revise(day, add=euro)
    assert org.total(day, day + ONE_DAY, "eur") == Decimal("-5")
    with pytest.raises(ValueError, match="no 'nothing'"):
        org.revise(day, drop_line_item="nothing")
    with pytest.raises(ValueError, match="already exists"):
        org.revise(day, add=extra)
    with pytest.raises(ValueError, match="not 2026-02-11"):
        org.revise(day + ONE_DAY, add=extra)
    with pytest.raises(ValueError):
        org.revise(day)
    assert org.costs(day)[-1] == euro  # failed revisions changed nothing


def test_unknown_size_and_inverted_range_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown size"):
        FakeOrg(size="huge")
    with pytest.raises(ValueError, match="after end"):
        FakeOrg(start=END, end=START)
