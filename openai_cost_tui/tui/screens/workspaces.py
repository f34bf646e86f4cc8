"""Workspaces: named groups of connections. Create, rename, delete; tick the connections that belong."""

from __future__ import annotations

import threading
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, SelectionList, Static

from ...core.models import Connection
from ...core.text import shown
from ...store.store import WorkspaceInfo
from ..messages import DataChanged
from ..modals.confirm import ConfirmModal
from ..modals.name import NameModal
from .base import AppScreen


class WorkspacesScreen(AppScreen):
    BINDINGS = [
        Binding("a", "new", "New", id="workspace-new", tooltip="Create a workspace (a adds, as on Connections)"),
        Binding("r", "rename", "Rename", id="workspace-rename", tooltip="Rename the selected workspace"),
        Binding("d,delete", "delete", "Delete", id="workspace-delete",
                tooltip="Delete the workspace (its connections and costs stay)"),
        Binding("tab", "app.focus_next", "Next pane", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("Workspaces group connections so a report can be narrowed to them. "
                     "[b]a[/] new  [b]r[/] rename  [b]d[/] delete  [b]tab[/] to the members, [b]space[/] ticks",
                     classes="intro")
        with Horizontal(id="workspaces-panes"):
            with Vertical(id="workspaces-left"):
                yield DataTable(id="workspaces", cursor_type="row", zebra_stripes=True)
                yield Static("No workspaces yet. Press [b]a[/] to create one.", id="workspaces-empty",
                             classes="empty")
            with Vertical(id="workspaces-right"):
                yield Label("Connections in this workspace", id="members-title")
                yield SelectionList[int](id="members")

    def __init__(self) -> None:
        super().__init__()
        self.spaces: list[WorkspaceInfo] = []  # as last read in a worker
        self.conns: list[Connection] = []
        self._filling = False
        self._select: str | None = None
        self._members_of: str | None = None  # the workspace whose members the list shows
        self._member_rows: list[tuple[int, str]] = []  # and the connections it lists
        self._shown_ticks: set[int] = set()  # the ticks it shows, as this screen decided them
        self._wanted: dict[tuple[str, int], bool] = {}  # ticks whose write has not landed yet
        self._in_flight: dict[tuple[str, int], int] = {}
        self._write_lock = threading.Lock()

    def on_mount(self) -> None:
        table = self.query_one("#workspaces", DataTable)
        table.add_column("Workspace", key="name")
        table.add_column("Connections", key="count")
        table.display = False
        self.query_one("#workspaces-empty").display = False
        self.reload()

    def reload(self, *, select: str | None = None) -> None:
        if not self.is_mounted:
            return
        if select is not None:
            self._select = select  # kept until a read paints it (a newer reload may replace this one)
        store = self.ctx.store
        self.background(lambda: (store.workspaces(), store.connections()), self._paint,
                        group="workspaces", exclusive=True)

    def _paint(self, found: tuple[list[WorkspaceInfo], list[Connection]]) -> None:
        self.spaces, self.conns = found
        table = self.query_one("#workspaces", DataTable)
        current = self._select or self.selected_name()
        table.clear()
        for w in self.spaces:
            # counted as the members list shows them: a tick whose write is still running counts
            count = sum(self._ticked(w.name, c) for c in self.conns)
            table.add_row(Text(shown(w.name)), str(count), key=w.name)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
            if current == self._select:
                self._select = None  # painted: a read from before the change may not consume it
        self.query_one("#workspaces-empty").display = not self.spaces
        table.display = bool(self.spaces)
        self._fill_members()

    def selected_name(self) -> str | None:
        table = self.query_one("#workspaces", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _fill_members(self) -> None:
        members = self.query_one("#members", SelectionList)
        name = self.selected_name()
        rows = [(c.id, shown(c.description)) for c in self.conns]
        ticked = {c.id for c in self.conns if self._ticked(name, c)}
        if name is not None and name == self._members_of and rows == self._member_rows:
            # The same list re-read (after a write, or another screen's change): only ticks may differ.
            # Refilling would move the highlight and drop a tick the user made while the read ran.
            for cid, _ in rows:
                (members.select if cid in ticked else members.deselect)(cid)
            self._shown_ticks = ticked
            return
        self._members_of, self._member_rows, self._shown_ticks = name, rows, ticked
        self._filling = True
        members.clear_options()
        if name is None:
            self.query_one("#members-title", Label).update("Create a workspace to assign connections")
            self._filling = False
            return
        self.query_one("#members-title", Label).update(Text(f"Connections in {shown(name)} (space ticks)"))
        for cid, label in rows:
            members.add_option((Text(label), cid, cid in ticked))
        if members.option_count:
            members.highlighted = 0  # so space ticks something straight away
        self._filling = False

    def _ticked(self, name: str | None, conn: Connection) -> bool:
        """Whether ``conn`` is shown in workspace ``name``: a tick not yet written wins over the store."""
        return self._wanted.get((name, conn.id), name in conn.workspaces) if name is not None else False

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # A repaint already filled the list for this row; the highlight it caused arrives later, maybe
        # after a quick Tab and Space ticked a member: refilling then would drop that tick.
        if self.selected_name() != self._members_of:
            self._fill_members()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        name = self.selected_name()
        if name is None or self._filling:
            return
        # The tick flips what this screen last showed, not what the list holds now: a re-read may have
        # repainted the list between the key and this message.
        cid = event.selection.value
        joined = cid not in self._shown_ticks
        self._shown_ticks = self._shown_ticks ^ {cid}
        (event.selection_list.select if joined else event.selection_list.deselect)(cid)
        key, store = (name, cid), self.ctx.store
        self._wanted[key] = joined
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        table = self.query_one("#workspaces", DataTable)
        table.update_cell(name, "count", str(len(self._shown_ticks)))
        wanted, lock = self._wanted, self._write_lock

        def write() -> None:
            # Writes run one at a time, each with the latest tick: quick toggles end where the user left them.
            try:
                with lock:
                    latest = wanted.get(key)
                    if latest is not None:
                        (store.assign if latest else store.unassign)(name, [cid])
            except Exception:
                self.app.call_from_thread(lambda: (landed(), self.reload()))  # show what the store holds
                raise

        def landed() -> None:
            self._in_flight[key] -= 1
            if not self._in_flight[key]:
                del self._in_flight[key]
                self._wanted.pop(key, None)

        self._write(write, "workspace membership", before=landed)

    def _write(self, change, reason: str, *, select: str | None = None, note: str = "",
               before: Callable[[], None] | None = None) -> None:
        """A change in a worker; then every view re-reads (this one keeps ``select`` under the cursor)."""

        def done(_: object) -> None:
            if before is not None:
                before()
            if note:
                self.notify(note, markup=False)
            self.reload(select=select)
            self.cost_app.broadcast(DataChanged(reason))
            self.cost_app.refresh_facts()

        self.background(change, done, group="workspace-write")

    def _taken(self) -> set[str]:
        return {w.name for w in self.spaces}

    def action_new(self) -> None:
        store = self.ctx.store

        def created(name: str | None) -> None:
            if name:
                self._write(lambda: store.add_workspace(name), "workspace created", select=name,
                            note=f"Created {shown(name)}. Tab to the list on the right and tick its connections.")

        self.app.push_screen(NameModal("New workspace", taken=self._taken(), what="workspace name"), created)

    def action_rename(self) -> None:
        old = self.selected_name()
        if old is None:
            return
        store = self.ctx.store

        def renamed(name: str | None) -> None:
            if name and name != old:
                self._write(lambda: store.rename_workspace(old, name), "workspace renamed", select=name)

        self.app.push_screen(NameModal(f"Rename {shown(old)}", value=old, taken=self._taken(),
                                       what="workspace name"), renamed)

    def action_delete(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        store = self.ctx.store

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(lambda: store.remove_workspace(name), "workspace deleted",
                            note=f"Deleted {shown(name)}; its connections and their costs are untouched.")

        self.app.push_screen(ConfirmModal(f"Delete workspace {shown(name)}?",
                                          "Its connections and their costs stay; only the grouping goes.",
                                          yes="Delete"), confirmed)
