"""Monthly USD budgets: for the total, a workspace, a connection, or a project (by its displayed name,
within one connection or across all of them). Kept in the store, so a team store shares them.

Amounts are ``int`` atto-dollars in and out and a whole number of cents in the table. A budget goes
with its workspace or connection when that is deleted (a budget for something gone means nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee as pw

from ..core.budgets import CENT, SCOPES, Budget, check_amount, describe_target
from ..core.errors import UsageError
from .convert import now_naive
from .validate import clean_name

if TYPE_CHECKING:
    from .store import Store

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
    if scope == "tag":  # kept in the project column as "team=Search"
        name, value = _tag_target(store, target)
        return f"tag:{name}={value}", {"project": f"{name}={value}"}
    name = clean_name(target, what="project name")
    fields: dict = {"project": name}
    conn_id = "*"
    if connection is not None:
        conn_id = store.connection(connection).id
        fields["connection"] = conn_id
    return f"project:{conn_id}:{name}", fields


def _tag_target(store: Store, target: str) -> tuple[str, str]:
    """("team", "Search") from ``team=Search``: a tag of the store and one of its values."""
    name, sep, value = (target or "").partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise UsageError(f"a tag budget is for TAG=VALUE, like team=Search; not {target!r}")
    tag = store.tag(name)
    if value not in tag.labels():
        raise UsageError(f"the tag {name} has no value {value!r}; values: {', '.join(tag.labels())}")
    return name, value


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


def _get(store: Store, key: str, *, required: bool = True) -> Budget | None:
    found = _select(store, key)
    if not found and required:  # pragma: no cover - just written in the same transaction
        raise UsageError(f"no budget {key!r}")
    return found[0] if found else None




class BudgetQueries:
    """Monthly budgets (mixed into Store)."""

    def set_budget(self, scope: str, target: str = "", amount: int = 0, *,
                   connection: str | None = None) -> Budget:
        """Create or change the monthly budget of a target; returns it as stored."""
        amount = check_amount(amount)
        B = self.m.Budget
        with self.write():
            key, fields = _resolve(self, scope, target, connection)
            B.insert(key=key, scope=scope, amount_cents=amount // CENT, updated_at=now_naive(), **fields).on_conflict(
                conflict_target=[B.key], preserve=[B.amount_cents, B.updated_at]
            ).execute()
        return _get(self, key)

    def remove_budget(self, scope: str, target: str = "", *, connection: str | None = None) -> Budget:
        """Delete a budget; UsageError when that target has none."""
        B = self.m.Budget
        with self.write():
            key, _ = _resolve(self, scope, target, connection)
            found = _get(self, key, required=False)
            if found is None:
                raise UsageError(f"no budget for {describe_target(scope, target, connection)}")
            B.delete().where(B.key == key).execute()
        return found

    def budgets(self) -> list[Budget]:
        """Every budget: the total first, then workspaces, connections and projects, each by name."""
        order = {s: i for i, s in enumerate(SCOPES)}
        return sorted(_select(self), key=lambda b: (order[b.scope], b.target.casefold(), b.connection or ""))

    def known_project_names(self) -> set[str]:
        """Project names (or ids without a name) seen so far, to warn about a budget that matches none."""
        P, Cost = self.m.Project, self.m.CostMonth  # the monthly rollup has every project id, ~30x fewer rows
        with self.read():
            names = {n or pid for pid, n in P.select(P.project_id, P.name).tuples()}
            ids = {pid for (pid,) in Cost.select(Cost.project_id).distinct().tuples() if pid}
        return names | ids

    def budget_targets(self) -> list[tuple[str, str]]:
        """Everything a budget can be set for, as (scope, target): the total, each workspace, each
        connection, each project name seen so far (across connections), then each value of each virtual
        tag that keeps its cost (``team=Search``)."""
        out = [("total", "")]
        out += [("workspace", w.name) for w in self.workspaces()]
        out += [("connection", c.description) for c in self.connections()]
        out += [("project", name) for name in self.displayed_project_names()]
        out += [("tag", f"{t.name}={value}") for t in self.tags().tags for value in t.targets]
        return out

    def displayed_project_names(self) -> list[str]:
        """The projects with costs, by the name the report shows (their id when unnamed)."""
        P, CM = self.m.Project, self.m.CostMonth
        with self.read():
            names = {(c, pid): n for c, pid, n in P.select(P.connection, P.project_id, P.name).tuples()}
            used = CM.select(CM.connection, CM.project_id).distinct().tuples()
            shown = {names.get((c, pid)) or pid for c, pid in used if pid}
        return sorted(shown, key=str.casefold)
