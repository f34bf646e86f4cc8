"""Type a monthly budget in US dollars; a bad amount is explained inline and the dialog stays open."""

from __future__ import annotations

from ...core.budgets import parse_amount
from .line import LineModal


class BudgetAmountModal(LineModal[int]):
    """Answers the amount in atto-dollars, or None when cancelled."""

    def __init__(self, title: str, *, value: str = "") -> None:
        super().__init__(title, parse_amount, value=value, placeholder="US dollars a month, like 12000 or 1200.50",
                         ok="Save", field_id="amount")
