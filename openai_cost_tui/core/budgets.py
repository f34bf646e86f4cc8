"""Monthly USD budgets as values: a Budget, and amounts as a person types them.

Amounts are ``int`` atto-dollars; a budget is a whole number of cents, above zero and at most a
billion dollars a month. Where budgets are kept: store/budgets.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import money
from .errors import UsageError

SCOPES = ("total", "workspace", "connection", "project", "tag")  # tag: "team=Search" (services/tags.py)
CENT = money.SCALE // 100  # atto-dollars per cent
MAX_AMOUNT = 10**9 * money.SCALE  # a billion dollars a month: anything above is a typo
_AMOUNT = re.compile(r"^\$?\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))$")


@dataclass(frozen=True)
class Budget:
    """``scope`` is one of SCOPES; ``target`` the workspace name, connection description or project
    name ("" for the total); ``connection`` limits a project budget to one connection (None: all)."""

    scope: str
    target: str
    amount: int  # atto-dollars per calendar month (UTC)
    connection: str | None = None

    @property
    def label(self) -> str:
        """``Production`` (a workspace), ``connection Acme``, ``project Search in Acme``, ``total``."""
        if self.scope == "total":
            return "total"
        if self.scope == "workspace":
            return self.target
        if self.scope == "project" and self.connection:
            return f"project {self.target} in {self.connection}"
        return f"{self.scope} {self.target}"


def parse_amount(text: str) -> int:
    """A budget typed by a person: ``10000``, ``1200.50`` or ``$1200.50`` -> atto-dollars.

    Exact (Decimal, never float), at most two decimals (cents), above zero and at most a billion.
    Thousands separators are refused rather than guessed: ``1,200.50`` could be a decimal comma.
    """
    raw = (text or "").strip()
    if "," in raw:
        raise UsageError(f"write the amount without thousands separators, like 1200.50, not {text!r}")
    match = _AMOUNT.match(raw)
    if not match:
        raise UsageError(f"a budget is an amount of US dollars like 1200.50, not {text!r}")
    value = Decimal(match.group(1))
    cents = value.scaleb(2)
    if cents != cents.to_integral_value():
        raise UsageError(f"a budget has at most 2 decimals (whole cents), not {text!r}")
    return check_amount(int(cents) * CENT)


def check_amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise UsageError("a budget amount must be an exact number of atto-dollars")
    if amount <= 0:
        raise UsageError("a budget must be more than $0")
    if amount > MAX_AMOUNT:
        raise UsageError("a budget above $1,000,000,000 a month is not plausible; check the amount")
    if amount % CENT:
        raise UsageError("a budget is a whole number of cents")
    return amount


def amount_text(amount: int) -> str:
    """An amount as a person types it back: ``1200.50`` (no separators, so parse_amount reads it)."""
    return f"{Decimal(amount // CENT).scaleb(-2):.2f}"


def describe_target(scope: str, target: str, connection: str | None) -> str:
    return Budget(scope, target, 0, connection).label if scope != "workspace" else f"workspace {target}"
