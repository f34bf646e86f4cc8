"""Domain types shared by every layer: plain frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .dates import DateRange


@dataclass(frozen=True)
class CostRow:
    """One result of the Costs API at the finest grain fetched.

    ``amount`` and ``quantity`` are exact atto-units (see money.py); ``quantity`` is None when the
    API sent none.
    """

    day: date
    project_id: str | None
    line_item: str | None
    api_key_id: str | None
    currency: str
    amount: int
    quantity: int | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Project:
    id: str
    name: str | None
    archived: bool = False


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    name: str | None
    project_id: str
    redacted_value: str | None = None


MEMBER_KEYS = "member"  # a connection's key_source in the store: each member's data folder says where


@dataclass(frozen=True)
class Connection:
    """A connected organization, as the store knows it (never holds the key itself).

    In the store ``key_source`` is ``member`` (or, written by an older version, the adder's own
    reference); ``KeyStore.mine`` gives the connection as this member reaches it: ``keyring``, ``env``,
    ``file`` or ``none`` (no key here), with ``key_label`` saying how it is kept.
    """

    id: int
    description: str
    base_url: str
    key_source: str  # "keyring" | "env" | "file" | "member" | "none"
    key_ref: str  # keyring user name, env var name, or file path
    organization: str | None = None
    masked_key: str | None = None
    backfill_start: date | None = None
    last_synced_at: datetime | None = None
    covered_from: date | None = None  # stored days form one range: covered_from..synced_through
    synced_through: date | None = None
    status: str = "new"
    last_error: str | None = None
    group_by_api_key: bool | None = None
    workspaces: tuple[str, ...] = ()
    synced_by: str | None = None  # member@host of the last successful sync
    error_by: str | None = None  # member@host that saw last_error
    key_label: str | None = None  # how this member keeps the key, when KeyStore.mine said so

    @property
    def name(self) -> str:
        return self.description

    @property
    def key_source_label(self) -> str:
        if self.key_label:
            return self.key_label
        if self.key_source == "env":
            return f"env {self.key_ref}"
        if self.key_source == "file":
            return "file (insecure)"
        return self.key_source


@dataclass(frozen=True)
class Filter:
    """Include or exclude displayed values of one dimension (values OR-ed; filters AND-ed)."""

    dim: str
    values: tuple[str, ...]
    exclude: bool = False


MEASURES = ("cost", "quantity", "unit_cost")


@dataclass(frozen=True)
class PivotSpec:
    rows: tuple[str, ...] = ("service",)
    cols: str | None = "month"
    date_range: DateRange | None = None
    filters: tuple[Filter, ...] = ()
    workspace: str | None = None
    measure: str = "cost"
    top: int | None = None
    currency: str = "usd"
    # False: cells hold amounts only (quantity None, no units), all a cost view shows: SQL sums two columns
    # instead of six (team x day over 31 days at 10M rows: ~47 -> ~25 ms of SQLite)
    quantities: bool = True


class Cell:
    """An aggregated cell: exact sums in atto-units; quantity None when no row had one.

    A value: never changed once made (sums make new cells). A plain slotted class rather than a frozen
    dataclass, because a pivot makes one per group and a frozen dataclass's ``__init__`` costs several
    times more (8.7k cells of project x day: ~40 ms against ~4).
    """

    __slots__ = ("amount", "quantity", "units")

    def __init__(self, amount: int = 0, quantity: int | None = None, units: frozenset[str] = frozenset()) -> None:
        self.amount = amount
        self.quantity = quantity
        self.units = units

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Cell:
            return NotImplemented
        return (self.amount, self.quantity, self.units) == (other.amount, other.quantity, other.units)

    def __hash__(self) -> int:
        return hash((self.amount, self.quantity, self.units))

    def __repr__(self) -> str:
        return f"Cell(amount={self.amount!r}, quantity={self.quantity!r}, units={self.units!r})"

    def __add__(self, other: Cell) -> Cell:
        if self.quantity is None:
            qty = other.quantity
        elif other.quantity is None:
            qty = self.quantity
        else:
            qty = self.quantity + other.quantity
        units = self.units
        if other.units is not units and not other.units <= units:
            units = unit_ends(units | other.units)
        return Cell(self.amount + other.amount, qty, units)


def unit_ends(units: frozenset[str]) -> frozenset[str]:
    """A group's units as the store keeps them: the least and the greatest (enough to tell one unit
    from mixed ones), so a sum of groups reads as the group of all their rows would."""
    return units if len(units) <= 2 else frozenset((min(units), max(units)))


@dataclass(frozen=True)
class Classes:
    """A dimension's labels sorted into named classes (a virtual tag's values), to be grouped by as one
    dimension: the class of the first list that holds the label, else ``rest`` (store/pivot.py sums
    them in SQL)."""

    dim: str
    labels: tuple[tuple[str, tuple[str, ...]], ...]  # (class, its labels), in order
    rest: str


@dataclass(frozen=True)
class PivotResult:
    spec: PivotSpec
    date_range: DateRange
    row_keys: tuple[tuple[str, ...], ...]
    col_keys: tuple[str, ...]
    cells: dict[tuple[tuple[str, ...], str], Cell] = field(default_factory=dict)
    row_totals: dict[tuple[str, ...], Cell] = field(default_factory=dict)
    col_totals: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)
    provisional_from: date | None = None  # days on/after this are still filling (today)
