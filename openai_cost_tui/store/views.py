"""Saved report views: a name and the report state as JSON, in the store (shared with the team on
PostgreSQL). The state's meaning belongs to core.report_state; here it is only validated JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..core.errors import UsageError
from ..core.report_state import ReportState
from .validate import clean_name

if TYPE_CHECKING:
    pass


class ViewQueries:
    """Saved views (mixed into Store)."""

    def save_view(self, name: str, state: ReportState) -> str:
        """Create or overwrite the view ``name``; returns the name it is saved under. Names are compared
        regardless of case, as every name in the store is: saving ``monthly`` beside ``Monthly`` overwrites
        ``Monthly`` rather than keeping two views a user cannot tell apart."""
        name = clean_name(name, what="view name")
        V = self.m.SavedView
        text = json.dumps(state.to_dict(), sort_keys=True)
        with self.write():
            name = self._view_named(name) or name
            V.insert(name=name, state=text, updated_at=datetime.now(UTC)).on_conflict(
                conflict_target=[V.name], preserve=[V.state, V.updated_at]
            ).execute()
        return name

    def view_names(self) -> list[str]:
        V = self.m.SavedView
        with self.read():
            return [v for (v,) in V.select(V.name).order_by(V.name).tuples()]

    def _view_named(self, name: str) -> str | None:
        """The saved view called ``name``: exactly, else regardless of case (None: there is none)."""
        V = self.m.SavedView
        names = [v for (v,) in V.select(V.name).tuples()]
        if name in names:
            return name
        return next((v for v in sorted(names) if v.casefold() == name.casefold()), None)

    def load_view(self, name: str) -> ReportState:
        V = self.m.SavedView
        with self.read():
            found = self._view_named((name or "").strip())
            row = V.get_or_none(V.name == found) if found is not None else None
        if row is None:
            known = ", ".join(self.view_names()) or "none yet"
            raise UsageError(f"no saved view {name!r}; saved views: {known}")
        try:
            data = json.loads(row.state)
        except ValueError:
            raise UsageError(f"the saved view {name!r} is damaged; save it again") from None
        return ReportState.from_dict(data)

    def delete_view(self, name: str) -> None:
        V = self.m.SavedView
        with self.write():
            if not V.delete().where(V.name == name).execute():
                raise UsageError(f"no saved view {name!r}")
