"""Workspaces: named groups of connections. Create, rename, delete; tick the connections that belong."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, SelectionList, Static

from ..modals.confirm import ConfirmModal
from ..modals.name import NameModal
from .base import AppScreen


class WorkspacesScreen(AppScreen):
    BINDINGS = [
        Binding("n", "new", "New", id="workspace-new", tooltip="Create a workspace"),
        Binding("r", "rename", "Rename", id="workspace-rename", tooltip="Rename the selected workspace"),
        Binding("d,delete", "delete", "Delete", id="workspace-delete",
                tooltip="Delete the workspace (its connections and costs stay)"),
        Binding("tab", "app.focus_next", "Next pane", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("Workspaces group connections so a report can be narrowed to them. "
                     "[b]n[/] new  [b]r[/] rename  [b]d[/] delete  [b]tab[/] to the members, [b]space[/] ticks",
                     classes="intro")
        with Horizontal(id="workspaces-panes"):
            with Vertical(id="workspaces-left"):
                yield DataTable(id="workspaces", cursor_type="row", zebra_stripes=True)
                yield Static("No workspaces yet. Press [b]n[/] to create one.", id="workspaces-empty",
                             classes="empty")
            with Vertical(id="workspaces-right"):
                yield Label("Connections in this workspace", id="members-title")
                yield SelectionList[int](id="members")

    def on_mount(self) -> None:
        table = self.query_one("#workspaces", DataTable)
        table.add_column("Workspace", key="name")
        table.add_column("Connections", key="count")
        self.reload()

    def reload(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one("#workspaces", DataTable)
        current = self.selected_name()
        spaces = self.ctx.store.workspaces()
        table.clear()
        for w in spaces:
            table.add_row(w.name, str(len(w.connections)), key=w.name)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        self.query_one("#workspaces-empty").display = not spaces
        table.display = bool(spaces)
        self._fill_members()

    def selected_name(self) -> str | None:
        table = self.query_one("#workspaces", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _fill_members(self) -> None:
        members = self.query_one("#members", SelectionList)
        name = self.selected_name()
        self._filling = True
        members.clear_options()
        if name is None:
            self.query_one("#members-title", Label).update("Create a workspace to assign connections")
            self._filling = False
            return
        self.query_one("#members-title", Label).update(f"Connections in {name} (space ticks)")
        for c in self.ctx.store.connections():
            members.add_option((c.description, c.id, name in c.workspaces))
        if members.option_count:
            members.highlighted = 0  # so space ticks something straight away
        self._filling = False

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._fill_members()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        name = self.selected_name()
        if name is None or getattr(self, "_filling", False):
            return
        cid = event.selection.value
        if cid in event.selection_list.selected:
            self.ctx.store.assign(name, [cid])
        else:
            self.ctx.store.unassign(name, [cid])
        table = self.query_one("#workspaces", DataTable)
        table.update_cell(name, "count", str(len(event.selection_list.selected)))
        self.app.broadcast_data_changed("workspace membership")  # type: ignore[attr-defined]

    def _taken(self) -> set[str]:
        return {w.name for w in self.ctx.store.workspaces()}

    def action_new(self) -> None:
        def created(name: str | None) -> None:
            if name:
                self.ctx.store.add_workspace(name)
                self.reload()
                table = self.query_one("#workspaces", DataTable)
                table.move_cursor(row=table.get_row_index(name))
                self.notify(f"Created {name}. Tab to the list on the right and tick its connections.")

        self.app.push_screen(NameModal("New workspace", taken=self._taken(), what="workspace name"), created)

    def action_rename(self) -> None:
        old = self.selected_name()
        if old is None:
            return

        def renamed(name: str | None) -> None:
            if name and name != old:
                self.ctx.store.rename_workspace(old, name)
                self.reload()
                table = self.query_one("#workspaces", DataTable)
                table.move_cursor(row=table.get_row_index(name))
                self.app.broadcast_data_changed("workspace renamed")  # type: ignore[attr-defined]

        self.app.push_screen(NameModal(f"Rename {old}", value=old, taken=self._taken(), what="workspace name"),
                             renamed)

    def action_delete(self) -> None:
        name = self.selected_name()
        if name is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.ctx.store.remove_workspace(name)
                self.reload()
                self.notify(f"Deleted {name}; its connections and their costs are untouched.")
                self.app.broadcast_data_changed("workspace deleted")  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmModal(f"Delete workspace {name}?",
                                          "Its connections and their costs stay; only the grouping goes.",
                                          yes="Delete"), confirmed)
