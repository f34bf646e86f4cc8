"""The organization's and projects' spend limits and spend alerts (Admin API, read only).

The API gives thresholds as integer cents; here they are ``int`` atto-dollars like every amount.
Anything malformed fails with ProtocolError (a limit shown wrong is worse than none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import money
from ..core.errors import ProtocolError
from .parse import ListPage, _field, _list_page, _object

CENT = money.SCALE // 100


@dataclass(frozen=True)
class SpendLimit:
    """A hard spend limit: ``project_id`` None for the organization's own."""

    amount: int  # atto-dollars per interval
    currency: str  # "usd"
    interval: str  # "month"
    enforcement: str  # "enforcing" | "inactive" | what the API says
    project_id: str | None = None

    @property
    def enforcing(self) -> bool:
        return self.enforcement == "enforcing"


@dataclass(frozen=True)
class SpendAlert:
    """An e-mail alert when spend crosses ``amount`` in an interval."""

    id: str
    amount: int
    currency: str
    interval: str
    recipients: tuple[str, ...] = ()
    project_id: str | None = None


def _cents(item: dict, where: str) -> int:
    value = item.get("threshold_amount")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProtocolError(f"the API sent a {where} with a missing or malformed 'threshold_amount'")
    return value * CENT


def _currency(item: dict, where: str) -> str:
    return _field(item, "currency", str, where).strip().lower()


def parse_spend_limit(body: Any, project_id: str | None = None) -> SpendLimit:
    where = "project spend limit" if project_id else "spend limit"
    item = _object(body, where)
    expected = "project.spend_limit" if project_id else "organization.spend_limit"
    if item.get("object", expected) != expected:
        raise ProtocolError(f"the API sent a {where} of an unexpected type")
    enforcement = item.get("enforcement")
    status = enforcement.get("status") if isinstance(enforcement, dict) else None
    if not isinstance(status, str):
        raise ProtocolError(f"the API sent a {where} without its enforcement status")
    return SpendLimit(
        amount=_cents(item, where),
        currency=_currency(item, where),
        interval=_field(item, "interval", str, where),
        enforcement=status,
        project_id=project_id,
    )


def parse_spend_alerts_page(body: Any, project_id: str | None = None) -> ListPage:
    where = "project spend alert" if project_id else "spend alert"

    def alert(item: dict) -> SpendAlert:
        channel = item.get("notification_channel")
        recipients = channel.get("recipients") if isinstance(channel, dict) else None
        return SpendAlert(
            id=_field(item, "id", str, where),
            amount=_cents(item, where),
            currency=_currency(item, where),
            interval=_field(item, "interval", str, where),
            recipients=tuple(r for r in recipients or () if isinstance(r, str)),
            project_id=project_id,
        )

    return _list_page(body, where, alert)


def describe_limit(limit: SpendLimit) -> str:
    """``hard limit $25,000.00 a month (enforcing)``."""
    cur = "$" if limit.currency == "usd" else f"{limit.currency.upper()} "
    return f"hard limit {cur}{money.format_display(limit.amount)} a {limit.interval} ({limit.enforcement})"


def describe_alerts(alerts: list[SpendAlert]) -> str:
    """``alerts at $5,000.00, $8,000.00``."""
    shown = sorted(alerts, key=lambda a: a.amount)
    return "alerts at " + ", ".join(
        ("$" if a.currency == "usd" else f"{a.currency.upper()} ") + money.format_display(a.amount) for a in shown
    )
