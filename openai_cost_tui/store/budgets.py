"""Monthly USD budgets: for the total, a workspace, a connection, or a project (by its displayed name,
within one connection or across all of them). Kept in the store, so a team store shares them.

Amounts are ``int`` atto-dollars in and out and a whole number of cents in the table. A budget goes
with its workspace or connection when that is deleted (a budget for something gone means nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import peewee as pw

from ..core import money
from ..core.errors import UsageError
from .store import Store
from .validate import clean_name

SCOPES = ("total", "workspace", "connection", "project")
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


def _resolve(store: Store, scope: str, target: str, connection: str | None) -> tuple[str, dict]:
    """The budget's unique key and its row fields; UsageError for a bad scope or unknown target."""
    if scope not in SCOPES:
        raise UsageError(f"a budget is for one of: {', '.join(SCOPES)}; not {scope!r}")
    if connection is not None and scope != "project":
        raise UsageError("only a project budget can be limited to one connection")
    if scope == "total":
        if target:
            raise UsageError("the total budget takes no name")
        return "total", {}
    if scope == "workspace":
        ws = store._workspace(target)
        return f"workspace:{ws.id}", {"workspace": ws.id}
    if scope == "connection":
        conn = store.connection(target)
        return f"connection:{conn.id}", {"connection": conn.id}
    name = clean_name(target, what="project name")
    fields: dict = {"project": name}
    conn_id = "*"
    if connection is not None:
        conn_id = store.connection(connection).id
        fields["connection"] = conn_id
    return f"project:{conn_id}:{name}", fields


def set_budget(store: Store, scope: str, target: str = "", amount: int = 0, *,
               connection: str | None = None) -> Budget:
    """Create or change the monthly budget of a target; returns it as stored."""
    amount = check_amount(amount)
    B = store.m.Budget
    with store.write():
        key, fields = _resolve(store, scope, target, connection)
        B.insert(key=key, scope=scope, amount_cents=amount // CENT, updated_at=_now(), **fields).on_conflict(
            conflict_target=[B.key], preserve=[B.amount_cents, B.updated_at]
        ).execute()
    return _get(store, key)


def remove_budget(store: Store, scope: str, target: str = "", *, connection: str | None = None) -> Budget:
    """Delete a budget; UsageError when that target has none."""
    B = store.m.Budget
    with store.write():
        key, _ = _resolve(store, scope, target, connection)
        found = _get(store, key, required=False)
        if found is None:
            raise UsageError(f"no budget for {_describe(scope, target, connection)}")
        B.delete().where(B.key == key).execute()
    return found


def budgets(store: Store) -> list[Budget]:
    """Every budget: the total first, then workspaces, connections and projects, each by name."""
    order = {s: i for i, s in enumerate(SCOPES)}
    return sorted(_select(store), key=lambda b: (order[b.scope], b.target.casefold(), b.connection or ""))


def _select(store: Store, key: str | None = None) -> list[Budget]:
    B, W, C = store.m.Budget, store.m.Workspace, store.m.Connection
    query = (
        B.select(B.scope, B.project, B.amount_cents, W.name, C.description)
        .join(W, pw.JOIN.LEFT_OUTER, on=(B.workspace == W.id))
        .switch(B)
        .join(C, pw.JOIN.LEFT_OUTER, on=(B.connection == C.id))
    )
    if key is not None:
        query = query.where(B.key == key)
    with store.read():
        rows = list(query.tuples())
    out = []
    for scope, project, cents, ws_name, conn_desc in rows:
        target = {"total": "", "workspace": ws_name, "connection": conn_desc}.get(scope, project)
        out.append(Budget(scope, target, cents * CENT, conn_desc if scope == "project" else None))
    return out


def known_project_names(store: Store) -> set[str]:
    """Project names (or ids without a name) seen so far, to warn about a budget that matches none."""
    P, Cost = store.m.Project, store.m.CostMonth  # the monthly rollup has every project id, ~30x fewer rows
    with store.read():
        names = {n or pid for pid, n in P.select(P.project_id, P.name).tuples()}
        ids = {pid for (pid,) in Cost.select(Cost.project_id).distinct().tuples() if pid}
    return names | ids


def budget_targets(store: Store) -> list[tuple[str, str]]:
    """Everything a budget can be set for, as (scope, target): the total, each workspace, each
    connection, then each project name seen so far (across connections)."""
    out = [("total", "")]
    out += [("workspace", w.name) for w in store.workspaces()]
    out += [("connection", c.description) for c in store.connections()]
    out += [("project", name) for name in displayed_project_names(store)]
    return out


def displayed_project_names(store: Store) -> list[str]:
    """The projects with costs, by the name the report shows (their id when unnamed)."""
    P, CM = store.m.Project, store.m.CostMonth
    with store.read():
        names = {(c, pid): n for c, pid, n in P.select(P.connection, P.project_id, P.name).tuples()}
        used = CM.select(CM.connection, CM.project_id).distinct().tuples()
        shown = {names.get((c, pid)) or pid for c, pid in used if pid}
    return sorted(shown, key=str.casefold)


def amount_text(amount: int) -> str:
    """An amount as a person types it back: ``1200.50`` (no separators, so parse_amount reads it)."""
    return f"{Decimal(amount // CENT).scaleb(-2):.2f}"


def _get(store: Store, key: str, *, required: bool = True) -> Budget | None:
    found = _select(store, key)
    if not found and required:  # pragma: no cover - just written in the same transaction
        raise UsageError(f"no budget {key!r}")
    return found[0] if found else None


def _describe(scope: str, target: str, connection: str | None) -> str:
    return Budget(scope, target, 0, connection).label if scope != "workspace" else f"workspace {target}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
