"""Type a monthly budget in US dollars; a bad amount is explained inline and the dialog stays open."""

from __future__ import annotations

from ...store.budgets import parse_amount
from .line import LineModal


class BudgetAmountModal(LineModal[int]):
    """Answers the amount in atto-dollars, or None when cancelled."""

    FIELD_ID = "amount"

    def __init__(self, title: str, *, value: str = "") -> None:
        super().__init__(title, value=value, placeholder="US dollars a month, like 12000 or 1200.50", ok="Save")

    def read(self, text: str) -> int:
        return parse_amount(text)
