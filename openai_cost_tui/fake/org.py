"""A seeded, deterministic OpenAI organization: projects, API keys and daily costs.

Costs are generated lazily per UTC day from ``(seed, size, day)`` and the organization's fixed
"streams" (one per project, API key and line item), so a day's rows never depend on call order.
Amounts are exact Decimals (at most 16 decimal places, never zero); quantities match unit prices.
"""

from __future__ import annotations

import random
import string
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, localcontext

from openai_cost_tui.core.dates import add_months, day_start_unix, today_utc

Q16 = Decimal("1e-16")
GROUP_FIELDS = ("project_id", "line_item", "api_key_id")


@dataclass(frozen=True)
class FakeProject:
    id: str
    name: str
    created_at: int
    archived_at: int | None


@dataclass(frozen=True)
class FakeKey:
    id: str
    name: str
    project_id: str
    redacted_value: str
    created_at: int


@dataclass(frozen=True)
class FakeCost:
    """The finest grain: one (day, project, API key, line item, currency)."""

    day: date
    project_id: str | None
    api_key_id: str | None
    line_item: str | None
    amount: Decimal
    currency: str = "usd"
    quantity: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True)
class CostGroup:
    """One aggregated result, as the Costs API reports it for a ``group_by``."""

    project_id: str | None
    line_item: str | None
    api_key_id: str | None
    currency: str
    amount: Decimal
    quantity: Decimal | None
    unit: str | None


# --- the catalogue: line items, units and unit prices --------------------------------------------

# A line: (line item, unit, USD per unit, quantity relative to the workload's first line, decimals)
Line = tuple[str, str | None, Decimal, float, int]


@dataclass(frozen=True)
class _Workload:
    """Line items that occur together (a model's input, cached input and output), on one key."""

    lines: tuple[Line, ...]
    weight: float = 1.0  # relative daily spend
    activity: float = 0.93  # chance of a row on a weekday
    keyless: bool = False  # billed to the project, never to an API key
    weekly: bool = True  # follows the weekday rhythm


_CHAT = {  # model: USD per 1M tokens for input, cached input, output
    "gpt-4o-2024-08-06": ("2.50", "1.25", "10.00"),
    "gpt-4o-mini-2024-07-18": ("0.15", "0.075", "0.60"),
    "gpt-4.1-2025-04-14": ("2.00", "0.50", "8.00"),
    "gpt-4.1-mini-2025-04-14": ("0.40", "0.10", "1.60"),
    "gpt-5-2025-08-07": ("1.25", "0.125", "10.00"),
    "gpt-5-mini-2025-08-07": ("0.25", "0.025", "2.00"),
    "gpt-5.4-2026-03-05": ("2.50", "0.25", "15.00"),
    "gpt-5.5-2026-04-23": ("3.00", "0.30", "18.00"),
    "gpt-5.6-terra": ("1.75", "0.175", "14.00"),
    "gpt-5.6-sol": ("5.00", "0.50", "30.00"),
    "o1-pro": ("150.00", "75.00", "600.00"),
    "o3-2025-04-16": ("2.00", "0.50", "8.00"),
    "o4-mini-2025-04-16": ("1.10", "0.275", "4.40"),
    "chatgpt-4o-latest": ("5.00", "2.50", "15.00"),
    "codex-mini-latest": ("1.50", "0.375", "6.00"),
    "ft-gpt-4o-2024-08-06": ("3.75", "1.875", "15.00"),
    "ft-gpt-4o-mini-2024-07-18": ("0.30", "0.15", "1.20"),
}
_RATIO = {"input": 1.0, "cached input": 0.6, "output": 0.15, "cache writes": 0.08}
_SURFACE = {"": "1", "priority": "2", "batch": "0.5", "flex": "0.5", "scale": "1", "evals": "1"}  # price x
_GIB_HOUR = Decimal("0.10") / 24  # $0.10 per GB-day billed per GiB-hour: a non-terminating unit price


def _chat(
    model: str, charges: str = "input,cached input,output", surface: str = "", long: bool = False
) -> tuple[Line, ...]:
    """``[surface | ]model, charge[, long context]`` lines at list price times the tier multiplier."""
    p_in, p_cached, p_out = (Decimal(p) / 1_000_000 for p in _CHAT[model])
    price = {"input": p_in, "cached input": p_cached, "output": p_out, "cache writes": p_in * Decimal("1.25")}
    prefix = f"{surface} | " if surface else ""
    lines = []
    for charge in charges.split(","):
        factor = Decimal(_SURFACE[surface]) * (Decimal("1.5" if charge == "output" else "2") if long else 1)
        suffix = ", long context" if long else ""
        lines.append(
            (f"{prefix}{model}, {charge}{suffix}", "tokens", price[charge] * factor, _RATIO[charge], 0)
        )
    return tuple(lines)


def _tokens(*lines: tuple[str, str, float]) -> tuple[Line, ...]:
    """(line item, USD per 1M tokens, quantity ratio) lines."""
    return tuple((item, "tokens", Decimal(per_m) / 1_000_000, ratio, 0) for item, per_m, ratio in lines)


def _one(line_item: str, unit: str | None, price: str | Decimal, decimals: int = 0) -> tuple[Line, ...]:
    return ((line_item, unit, Decimal(price), 1.0, decimals),)


W = _Workload
_STORAGE = {"keyless": True, "weekly": False, "activity": 1.0}

# fmt: off
# Every line-item shape of TAXONOMY.md; each organization carries all of them on long-lived projects.
REQUIRED: tuple[_Workload, ...] = (
    W(_chat("gpt-4o-2024-08-06"), weight=3),
    W(_chat("gpt-4o-mini-2024-07-18", "input,output")),
    W(_chat("gpt-5.6-terra", "input,cached input,cache writes,output"), weight=2),
    W(_chat("gpt-5.5-2026-04-23", "input,output"), weight=2),
    W(_chat("gpt-5.4-2026-03-05", long=True)),
    W(_chat("gpt-5.6-sol", "input,output", "priority", long=True)),
    W(_chat("gpt-4o-mini-2024-07-18", "input,output", "batch"), weight=0.5, activity=0.6),
    W(_chat("o3-2025-04-16", "input,output", "flex"), weight=0.5),
    W(_chat("gpt-4o-mini-2024-07-18", "input,output", "evals"), weight=0.3, activity=0.7),
    W(_chat("ft-gpt-4o-2024-08-06", "input,output"), weight=0.6),
    W(_chat("o1-pro", "input,output"), weight=0.8, activity=0.7),
    W(_tokens(("gpt-image-1 text, input", "5.00", 1.0), ("gpt-image-1 image, output", "40.00", 2.0))),
    W(_tokens(("gpt-image-2-2026-04-21 text, input", "5.00", 1.0),
              ("gpt-image-2-2026-04-21 image, input", "8.00", 0.5)), weight=0.5),
    W(_one("dall-e 3, standard, 1024x1792, 1792x1024", "images", "0.08"), weight=0.3, activity=0.6),
    W(_tokens(("gpt-audio-mini-2025-12-15 audio, input", "10.00", 1.0),
              ("gpt-audio-mini-2025-12-15 audio, output", "20.00", 0.4)), weight=0.5),
    W(_one("whisper", "duration_seconds", "0.0001", 1), weight=0.3),
    W(_tokens(("text-embedding-3-small, input", "0.02", 1.0)), weight=0.2),
    W(_one("web search tool calls", None, "0.01"), weight=0.5),
    W(_one("file search tool calls", None, "0.0025"), weight=0.2),
    W(_one("assistants api | file search", "gibibyte_hours", _GIB_HOUR, 6), weight=0.1, **_STORAGE),
    W(_one("code interpreter sessions", None, "0.03"), weight=0.2),
    W(_one("Vector storage", "gibibyte_hours", _GIB_HOUR, 6), weight=0.3, **_STORAGE),
)

# More workloads that make bigger organizations look varied: (workload, chance to be picked).
EXTRA: tuple[tuple[_Workload, float], ...] = (
    *((W(_chat(m), weight=2), 6.0) for m in _CHAT if not m.startswith(("ft-", "o1"))),
    (W(_chat("gpt-4.1-mini-2025-04-14", "input,output", "batch"), activity=0.5), 1.0),
    (W(_chat("gpt-5-mini-2025-08-07", "input,output", "batch"), activity=0.5), 1.0),
    (W(_chat("gpt-5-2025-08-07", surface="priority")), 1.0),
    (W(_chat("gpt-4.1-2025-04-14", "input,output", "scale")), 0.5),
    (W(_chat("o4-mini-2025-04-16", "input,output", "flex")), 1.0),
    (W(_chat("gpt-5-mini-2025-08-07", "input,output", "evals"), weight=0.3, activity=0.6), 1.0),
    (W(_chat("ft-gpt-4o-mini-2024-07-18"), weight=0.5), 1.0),
    (W(_tokens(("text-embedding-3-large, input", "0.13", 1.0)), weight=0.3), 2.0),
    (W(_tokens(("text-embedding-3-small, input", "0.02", 1.0)), weight=0.2), 2.0),
    (W(_tokens(("gpt-image-1 text, input", "5.00", 1.0), ("gpt-image-1 image, input", "10.00", 0.5),
               ("gpt-image-1 image, output", "40.00", 2.0))), 1.0),
    (W(_one("dall-e 3, standard, 1024x1024", "images", "0.04"), weight=0.3, activity=0.6), 0.5),
    (W(_one("dall-e 3, hd, 1024x1024", "images", "0.08"), weight=0.3, activity=0.5), 0.5),
    (W(_tokens(("gpt-realtime-2025-08-28 audio, input", "32.00", 1.0),
               ("gpt-realtime-2025-08-28 audio, output", "64.00", 0.3))), 1.0),
    (W(_tokens(("gpt-4o-transcribe audio, input", "6.00", 1.0)), weight=0.3), 0.5),
    (W(_one("tts-1", "characters", Decimal("15.00") / 1_000_000), weight=0.3), 0.5),
    (W(_one("whisper", "duration_seconds", "0.0001", 1), weight=0.3), 0.5),
    (W(_one("web search tool calls", None, "0.01"), weight=0.4), 1.0),
    (W(_one("code interpreter sessions", None, "0.03"), weight=0.2), 0.5),
    (W(_one("Vector storage", "gibibyte_hours", _GIB_HOUR, 6), weight=0.2, **_STORAGE), 1.0),
    (W(_tokens(("input_tokens", "0.50", 1.0)), weight=0.1, activity=0.4), 0.1),  # a legacy shape
)

PROJECT_NAMES = (
    "Support Bot", "Search Ranking", "Sales Assistant", "Docs Q&A", "Internal Copilot", "Fraud Review",
    "Marketing Studio", "Data Labeling", "Voice Agent", "Recommendations", "Email Triage", "Code Review Bot",
    "Onboarding Guide", "Analytics Insights", "Translation Hub", "Knowledge Base", "Meeting Notes",
    "Legal Drafts", "Product Catalog", "Image Lab", "Evals Harness", "Research Sandbox", "Mobile App",
    "Default project", "Contract Parser", "Ticket Summaries", "Churn Predictor", "Hackathon 2025",
)
KEY_NAMES = (
    "prod-backend", "staging", "ci-evals", "batch-worker", "data-pipeline", "dev-alice", "dev-bob",
    "notebook-carol", "support-prod", "ingest", "nightly-jobs", "web-frontend", "mobile-app", "etl",
    "playground", "load-test", "canary", "cron", "sandbox-dan", "eu-prod",
)
# fmt: on
ORG_NAMES = ("Acme Analytics", "Northwind Labs", "Globex Research", "Initech AI", "Umbrella Data")


@dataclass(frozen=True)
class _Size:
    projects: int
    archived: int
    keys: tuple[int, int]  # keys per project (min, max)
    workloads: int  # per project, required ones included
    daily_usd: float  # the whole organization's weekday spend at the range start


SIZES = {
    "small": _Size(projects=4, archived=1, keys=(1, 3), workloads=3, daily_usd=60.0),
    "demo": _Size(projects=24, archived=3, keys=(1, 4), workloads=5, daily_usd=450.0),
    "large": _Size(projects=300, archived=20, keys=(2, 5), workloads=7, daily_usd=25_000.0),
}

_WEEKDAY = (1.0, 1.04, 1.06, 1.02, 0.92, 0.42, 0.36)  # Monday .. Sunday
_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class _Stream:
    project_id: str | None
    api_key_id: str | None
    line_item: str
    unit: str | None
    price: Decimal
    base: float  # weekday quantity at the range start
    decimals: int  # 0: whole units (tokens, images, calls)
    weekly: bool
    activity: float
    first: date  # first day with costs
    stop: date | None  # first day without costs (archived)
    float_like: bool  # amount computed the way a float-based biller would (long digit tails)


def _rand_id(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def exact(value: Decimal) -> Decimal:
    """Round to at most 16 decimal places (half-even), keeping no trailing zeros."""
    with localcontext() as ctx:
        ctx.prec = 60
        q = value.quantize(Q16)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


class FakeOrg:
    """A realistic organization. ``size``: "small" (tests), "demo" (``--demo``) or "large" (benchmarks).

    The default range runs from the first day of the month 13 months before today (UTC) through today,
    whose bucket is still filling (``partial_day``, smaller). ``end`` is inclusive.
    """

    def __init__(
        self, seed: int = 7, *, start: date | None = None, end: date | None = None, size: str = "demo"
    ) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; choose one of: {', '.join(SIZES)}")
        today = today_utc()
        self.seed, self.size = seed, size
        self.end = end or today
        self.start = start or add_months(self.end, -13)
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        self.partial_day: date | None = self.end if end is None else None
        self._lock = threading.RLock()
        self._cache: OrderedDict[date, tuple[FakeCost, ...]] = OrderedDict()
        self._cache_days = 64 if size == "large" else 1000
        self._revisions: dict[date, list[tuple[str, object]]] = {}
        self.projects: list[FakeProject] = []
        self.keys: list[FakeKey] = []
        self.spikes: list[tuple[date, str, str | None]] = []
        self._streams: list[_Stream] = []
        self._build(random.Random(f"openai-cost-tui/{seed}/{size}"), SIZES[size])

    # --- lookups --------------------------------------------------------------------------------

    def project(self, project_id: str) -> FakeProject | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def key(self, key_id: str) -> FakeKey | None:
        return next((k for k in self.keys if k.id == key_id), None)

    def keys_of(self, project_id: str) -> list[FakeKey]:
        return [k for k in self.keys if k.project_id == project_id]

    @property
    def days(self) -> Iterator[date]:
        """Every day of the range, oldest first."""
        for n in range((self.end - self.start).days + 1):
            yield self.start + timedelta(days=n)

    # --- costs ----------------------------------------------------------------------------------

    def costs(self, day: date) -> list[FakeCost]:
        """The finest-grain rows of one UTC day (empty outside the range), revisions applied."""
        return list(self._day(day))

    def costs_between(self, start: date, end_exclusive: date) -> Iterator[FakeCost]:
        day = start
        while day < end_exclusive:
            yield from self._day(day)
            day += timedelta(days=1)

    def total(self, start: date, end_exclusive: date, currency: str = "usd") -> Decimal:
        """The exact sum of every amount in ``[start, end_exclusive)`` in one currency."""
        with localcontext() as ctx:
            ctx.prec = 60
            return sum(
                (c.amount for c in self.costs_between(start, end_exclusive) if c.currency == currency),
                Decimal(0),
            )

    def revise(
        self,
        day: date,
        *,
        scale: Decimal | None = None,
        drop_line_item: str | None = None,
        add: FakeCost | None = None,
    ) -> None:
        """Restate a past day upstream: scale every amount (quantities unchanged), drop every row of a
        line item, and/or add a row at a new grain. Applied in that order; later calls stack."""
        ops: list[tuple[str, object]] = []
        if scale is not None:
            if not Decimal(scale):
                raise ValueError("scale must not be zero (drop line items instead)")
            ops.append(("scale", Decimal(scale)))
        if drop_line_item is not None:
            ops.append(("drop", drop_line_item))
        if add is not None:
            if add.day != day:
                raise ValueError(f"the added row is for {add.day}, not {day}")
            ops.append(("add", add))
        if not ops:
            raise ValueError("revise() needs scale, drop_line_item or add")
        with self._lock:
            _apply(self._day(day), ops)  # validate before recording
            self._revisions.setdefault(day, []).extend(ops)
            self._cache.pop(day, None)

    def _day(self, day: date) -> tuple[FakeCost, ...]:
        with self._lock:
            rows = self._cache.get(day)
            if rows is None:
                rows = self._generate(day)
                if day in self._revisions:
                    rows = _apply(rows, self._revisions[day])
                self._cache[day] = rows
                if len(self._cache) > self._cache_days:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(day)
            return rows

    # --- generation -----------------------------------------------------------------------------

    def _build(self, rng: random.Random, cfg: _Size) -> None:
        self.organization_id = "org-" + _rand_id(rng, 24)
        self.organization_name = rng.choice(ORG_NAMES)
        start, span = self.start, (self.end - self.start).days
        archived = set(rng.sample(range(1, cfg.projects), cfg.archived))
        may_be_new = [i for i in range(cfg.projects) if i not in archived and i >= 3]
        new = set(rng.sample(may_be_new, len(may_be_new) // 6)) if span >= 30 else set()
        core = [i for i in range(cfg.projects) if i not in archived and i not in new]
        rng.shuffle(core)
        assigned: dict[int, list[_Workload]] = {i: [] for i in range(cfg.projects)}
        for n, wl in enumerate(REQUIRED):
            assigned[core[n % len(core)]].append(wl)
        extras, weights = zip(*EXTRA, strict=True)
        spend = {
            i: rng.lognormvariate(0, 0.8) * (0.25 if i in archived else 1.0) for i in range(cfg.projects)
        }
        scale = cfg.daily_usd / sum(spend.values())
        for i in range(cfg.projects):
            name = PROJECT_NAMES[i % len(PROJECT_NAMES)]
            if i >= len(PROJECT_NAMES):
                name = f"{name} {i // len(PROJECT_NAMES) + 1}"
            if i in new:
                created = start + timedelta(days=rng.randint(span // 10, span * 7 // 10))
            else:
                created = start - timedelta(days=rng.randint(30, 600))
            stop = None
            if i in archived:
                stop = start + timedelta(
                    days=rng.randint(span * 3 // 10, max(span * 3 // 10, span * 85 // 100))
                )
            project = FakeProject(
                id="proj_" + _rand_id(rng, 24),
                name=name,
                created_at=day_start_unix(created) + rng.randint(0, 86399),
                archived_at=day_start_unix(stop) + rng.randint(0, 86399) if stop else None,
            )
            self.projects.append(project)
            keys = self._make_keys(rng, cfg, project, created)
            required = assigned[i]
            chosen = required + rng.choices(extras, weights, k=max(0, cfg.workloads - len(required)))
            self._add_streams(rng, project, keys, chosen, spend[i] * scale, required, stop)
        self._pick_spikes(rng)

    def _make_keys(
        self, rng: random.Random, cfg: _Size, project: FakeProject, created: date
    ) -> list[FakeKey]:
        keys = []
        names = rng.sample(KEY_NAMES, rng.randint(*cfg.keys))
        for n, name in enumerate(names):
            day = created + timedelta(days=rng.randint(0, 40) if n else 0)
            if n and rng.random() < 0.2:  # a key rotated in during the range
                day = self.start + timedelta(days=rng.randint(0, (self.end - self.start).days * 8 // 10))
            day = max(created, min(day, self.end))
            tail = _rand_id(rng, 4)
            keys.append(
                FakeKey(
                    id="key_" + _rand_id(rng, 16),
                    name=name,
                    project_id=project.id,
                    redacted_value=f"sk-{_rand_id(rng, 3).lower()}...{tail}",
                    created_at=max(project.created_at, day_start_unix(day) + rng.randint(0, 86399)),
                )
            )
        self.keys.extend(keys)
        return keys

    def _add_streams(
        self,
        rng: random.Random,
        project: FakeProject,
        keys: list[FakeKey],
        workloads: list[_Workload],
        daily_usd: float,
        required: list[_Workload],
        stop: date | None,
    ) -> None:
        total_weight = sum(w.weight for w in workloads) or 1.0
        first_project_day = _day_of(project.created_at)
        early_keys = [k for k in keys if _day_of(k.created_at) <= self.start] or keys[:1]
        seen: set[tuple[str | None, str]] = set()
        for wl in workloads:
            pool = early_keys if any(wl is r for r in required) else keys
            key = None if wl.keyless or rng.random() < 0.1 else rng.choice(pool)
            usd = daily_usd * wl.weight / total_weight * rng.lognormvariate(0, 0.5)
            per_unit = sum(float(price) * ratio for _, _, price, ratio, _ in wl.lines)
            first = max(first_project_day, _day_of(key.created_at) if key else first_project_day)
            for line_item, unit, price, ratio, decimals in wl.lines:
                grain = (key.id if key else None, line_item)
                if grain in seen:
                    continue
                seen.add(grain)
                self._streams.append(
                    _Stream(
                        project_id=project.id,
                        api_key_id=grain[0],
                        line_item=line_item,
                        unit=unit,
                        price=price,
                        base=usd / per_unit * ratio,
                        decimals=decimals,
                        weekly=wl.weekly,
                        activity=wl.activity,
                        first=first,
                        stop=stop,
                        float_like=unit == "tokens" and rng.random() < 0.15,
                    )
                )

    def _pick_spikes(self, rng: random.Random) -> None:
        """One or two (weekday, project, key) cells with 5-10x their usual cost."""
        span = (self.end - self.start).days
        wanted = sorted(
            {self.start + timedelta(days=span * 2 // 5), self.end - timedelta(days=min(9, span // 4))}
        )
        by_cell: dict[tuple[str | None, str | None], list[_Stream]] = {}
        for s in self._streams:
            if s.api_key_id and s.stop is None and s.first <= self.start:
                by_cell.setdefault((s.project_id, s.api_key_id), []).append(s)
        cells = sorted(c for c, streams in by_cell.items() if len(streams) >= 2)
        rng.shuffle(cells)
        self._spike_factor: dict[tuple[date, str | None, str | None], float] = {}
        for day, cell in zip(wanted, cells, strict=False):
            while day.weekday() >= 5 and day < self.end:
                day += timedelta(days=1)
            if day == self.partial_day or (day, *cell) in self._spike_factor:
                continue
            self._spike_factor[(day, *cell)] = rng.uniform(5, 10)
            self.spikes.append((day, cell[0], cell[1]))  # type: ignore[arg-type]

    def _generate(self, day: date) -> tuple[FakeCost, ...]:
        if not self.start <= day <= self.end:
            return ()
        rng = random.Random(f"openai-cost-tui/{self.seed}/{self.size}/{day.isoformat()}")
        growth = 1.0 + (day - self.start).days / 365  # about 2x over a year
        partial = 0.35 if day == self.partial_day else 1.0
        weekday = day.weekday()
        rows = []
        for s in self._streams:
            chance, noise = rng.random(), rng.lognormvariate(0, 0.25)
            if day < s.first or (s.stop is not None and day >= s.stop):
                continue
            spike = self._spike_factor.get((day, s.project_id, s.api_key_id))
            activity = (
                s.activity * (0.7 if s.weekly and weekday >= 5 else 1.0) * (0.8 if partial < 1 else 1.0)
            )
            if spike is None and chance > activity:
                continue
            qty = (
                s.base * growth * noise * partial * (spike or 1.0) * (_WEEKDAY[weekday] if s.weekly else 1.0)
            )
            if s.decimals:
                quantity = Decimal(f"{max(qty, 10.0**-s.decimals):.{s.decimals}f}")
            else:
                quantity = Decimal(max(1, round(qty)))
            if s.float_like:
                amount = exact(Decimal(repr(float(quantity) * float(s.price))))
            else:
                amount = exact(quantity * s.price)
            rows.append(
                FakeCost(day, s.project_id, s.api_key_id, s.line_item, amount, "usd", quantity, s.unit)
            )
        credit = self._credit(day)
        if credit is not None:
            rows.append(credit)
        return tuple(rows)

    def _credit(self, day: date) -> FakeCost | None:
        """A negative ``Promotional credit`` on one seeded day of each month, billed to no project."""
        rng = random.Random(f"openai-cost-tui/{self.seed}/{self.size}/credit/{day.year}-{day.month}")
        if day.day != rng.randint(1, 28):
            return None
        usd = SIZES[self.size].daily_usd * rng.uniform(0.2, 0.6)
        amount = -exact(Decimal(f"{usd:.2f}") + Decimal(rng.randint(1, 99_999_999)) * Decimal("1e-10"))
        return FakeCost(day, None, None, "Promotional credit", amount, "usd", None, None)


def _day_of(unix: int) -> date:
    return date(1970, 1, 1) + timedelta(days=unix // 86400)


def _apply(rows: tuple[FakeCost, ...], ops: list[tuple[str, object]]) -> tuple[FakeCost, ...]:
    """Apply revision operations in order; raises ValueError for a drop or add that cannot apply."""
    out = list(rows)
    for op, arg in ops:
        if op == "scale":
            assert isinstance(arg, Decimal)
            out = [replace(c, amount=exact(c.amount * arg)) for c in out]
        elif op == "drop":
            kept = [c for c in out if c.line_item != arg]
            if len(kept) == len(out):
                raise ValueError(f"no {arg!r} row to drop on that day")
            out = kept
        else:
            assert isinstance(arg, FakeCost)
            grain = (arg.project_id, arg.api_key_id, arg.line_item, arg.currency)
            if any((c.project_id, c.api_key_id, c.line_item, c.currency) == grain for c in out):
                raise ValueError(f"a row at that grain already exists: {grain}")
            out.append(arg)
    return tuple(out)


def _sort_key(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


def aggregate(rows: Iterable[FakeCost], group_by: Collection[str]) -> list[CostGroup]:
    """Sum rows over the fields not in ``group_by`` (those become None), per currency.

    ``quantity``/``unit`` are kept only when ``line_item`` is grouped (as the Costs API does); the unit
    is None when the rows of a group disagree, the quantity None when no row has one.
    """
    by_project, by_item, by_key = (f in group_by for f in GROUP_FIELDS)
    acc: dict[tuple[str | None, str | None, str | None, str], list] = {}
    with localcontext() as ctx:
        ctx.prec = 60
        for c in rows:
            k = (
                c.project_id if by_project else None,
                c.line_item if by_item else None,
                c.api_key_id if by_key else None,
                c.currency,
            )
            entry = acc.get(k)
            if entry is None:
                acc[k] = [c.amount, c.quantity, {c.unit}]
                continue
            entry[0] += c.amount
            if c.quantity is not None:
                entry[1] = c.quantity if entry[1] is None else entry[1] + c.quantity
            entry[2].add(c.unit)
    out = []
    for (project_id, line_item, key_id, currency), (amount, quantity, units) in acc.items():
        unit = next(iter(units)) if len(units) == 1 else None
        if not by_item:
            quantity = unit = None
        out.append(CostGroup(project_id, line_item, key_id, currency, amount, quantity, unit))
    out.sort(
        key=lambda g: (_sort_key(g.project_id), _sort_key(g.line_item), _sort_key(g.api_key_id), g.currency)
    )
    return out
