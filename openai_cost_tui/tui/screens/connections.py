"""Connections: every organization, how its key is kept, how fresh its data is; add, edit, sync, remove."""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, ProgressBar, Static

from ...core import money
from ...core.dates import first_of_month
from ...core.models import Connection
from ..messages import SyncFinished, SyncProgressed
from ..modals.add_connection import AddConnectionModal
from ..modals.confirm import ConfirmModal
from ..modals.edit_connection import ConnectionEdit, EditConnectionModal
from .base import AppScreen

COLUMNS = ("Description", "Organization", "Key", "Status", "Last sync", "Rows", "This month (USD)", "Workspaces")


class ConnectionsScreen(AppScreen):
    BINDINGS = [
        Binding("a", "add", "Add", id="connection-add", tooltip="Add an organization by its Admin key"),
        Binding("e,enter", "edit", "Edit", id="connection-edit", tooltip="Change description and workspaces"),
        Binding("s", "sync_selected", "Sync", id="connection-sync", tooltip="Sync the selected connection now"),
        Binding("d,delete", "remove", "Remove", id="connection-remove",
                tooltip="Remove the connection, its costs and its stored key"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("Connections: the organizations whose costs are synced. "
                     "[b]a[/] add  [b]e[/] edit  [b]s[/] sync  [b]d[/] remove  [b]ctrl+s[/] sync all",
                     id="connections-intro", classes="intro")
        yield DataTable(id="connections", cursor_type="row", zebra_stripes=True)
        yield Static("No connections yet. Press [b]a[/] to add an organization by its Admin key.",
                     id="connections-empty", classes="empty")
        yield ProgressBar(id="sync-progress", total=100, show_eta=False)
        yield Static("", id="sync-detail", classes="note")

    def on_mount(self) -> None:
        table = self.query_one("#connections", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.query_one("#sync-progress").display = False
        self.reload()

    # -- data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.is_mounted:
            return
        store = self.ctx.store
        conns = store.connections()
        table = self.query_one("#connections", DataTable)
        selected = self.selected_id()
        table.clear()
        month_start = first_of_month(self.ctx.today)
        figures = store.connection_figures(month_start, self.ctx.today)  # one query for every row
        for c in conns:
            rows, month = figures.get(c.id, (0, 0))
            table.add_row(
                c.description,
                c.organization or "",
                _key_cell(c),
                self._status_cell(c),
                c.last_synced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if c.last_synced_at else "never",
                Text(f"{rows:,}", justify="right"),
                Text(money.format_display(month), justify="right"),
                ", ".join(c.workspaces),
                key=str(c.id),
            )
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))
        if conns and not self.app.sync_running:  # type: ignore[attr-defined]
            self.on_data_table_row_highlighted(None)  # type: ignore[arg-type]
        self.query_one("#connections-empty").display = not conns
        table.display = bool(conns)

    def _status_cell(self, c: Connection) -> Text:
        progress = self.app.progress.get(c.id)  # type: ignore[attr-defined]
        if progress is not None:
            return Text(f"syncing {int(progress.fraction * 100)}%", style="bold cyan")
        if c.status == "failed":
            return Text("failed (details below)", style="bold red")
        if c.status == "new":
            return Text("not synced yet", style="italic")
        return Text(c.status)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.app.sync_running:  # type: ignore[attr-defined]
            return
        conn = self.selected()
        detail = self.query_one("#sync-detail", Static)
        if conn is not None and conn.status == "failed":
            detail.update(f"{conn.description}: last sync failed: {conn.last_error}. Its earlier data is kept; "
                          "press s to try again.")
        elif conn is not None and conn.key_source == "file":
            detail.update(f"{conn.description}: the key is kept UNENCRYPTED in {conn.key_ref} (0600).")
        else:
            detail.update("")

    def selected(self) -> Connection | None:
        cid = self.selected_id()
        if cid is None:
            return None
        return next((c for c in self.ctx.store.connections() if c.id == cid), None)

    def selected_id(self) -> int | None:
        table = self.query_one("#connections", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    # -- sync progress -----------------------------------------------------------------------------

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        p = message.progress
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.display = True
        bar.update(progress=int(p.fraction * 100))
        window = f"{p.window[0]}..{p.window[1]}" if p.window else ""
        self.query_one("#sync-detail", Static).update(
            f"Syncing {p.description}: window {min(p.windows_done + 1, p.windows_total)}/{p.windows_total} "
            f"{window}, {p.pages} pages, {p.rows:,} rows stored. ctrl+x cancels."
        )
        if p.phase != "costs" or not p.message:
            self.reload()

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.query_one("#sync-progress").display = False
        ok = sum(1 for r in message.results if r.ok)
        self.query_one("#sync-detail", Static).update(
            f"Last sync: {ok} of {len(message.results)} connection(s) synced."
        )
        self.reload()

    # -- actions ---------------------------------------------------------------------------------

    def action_add(self) -> None:
        def added(conn: Connection | None) -> None:
            if conn is None:
                return
            self.reload()
            self.notify(f"Added {conn.description}; fetching its costs now.", title="Connection added")
            self.app.start_sync([conn.id])  # type: ignore[attr-defined]

        self.app.push_screen(AddConnectionModal(self.ctx), added)

    def action_edit(self) -> None:
        conn = self.selected()
        if conn is None:
            self.notify("Nothing to edit: add a connection first (a).", severity="warning")
            return
        taken = {c.description for c in self.ctx.store.connections()}

        def edited(change: ConnectionEdit | None) -> None:
            if change is None:
                return
            self.ctx.store.update_connection(conn.id, description=change.description)
            self.ctx.store.set_workspaces(conn.id, change.workspaces)
            self.reload()
            self.notify(f"Saved {change.description}.")

        self.app.push_screen(EditConnectionModal(conn, taken), edited)

    def action_sync_selected(self) -> None:
        conn = self.selected()
        if conn is None:
            self.notify("Nothing to sync: add a connection first (a).", severity="warning")
            return
        if self.app.start_sync([conn.id]):  # type: ignore[attr-defined]
            self.notify(f"Syncing {conn.description} in the background.", timeout=3)

    def action_remove(self) -> None:
        conn = self.selected()
        if conn is None:
            return
        if self.app.sync_running:  # type: ignore[attr-defined]
            self.notify("Wait for the running sync to finish (or cancel it with ctrl+x) first.",
                        severity="warning")
            return
        summary = self.ctx.store.removal_summary(conn.id)
        spaces = ", ".join(summary.workspaces) if summary.workspaces else "none"
        message = (f"This deletes its {summary.cost_rows:,} cost rows, its project and key names, and its "
                   f"stored key ({conn.key_source_label}). Workspaces affected: {spaces}.")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self.ctx.keys.delete(conn)
            self.ctx.store.remove_connection(conn.id)
            self.reload()
            self.notify(f"Removed {conn.description} and its {summary.cost_rows:,} cost rows.")
            self.app.broadcast_data_changed("connection removed")  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmModal(f"Remove {conn.description}?", message, yes="Remove"), confirmed)


def _key_cell(c: Connection) -> Text:
    text = f"{c.key_source_label} {c.masked_key or ''}".strip()
    return Text(text, style="bold red") if c.key_source == "file" else Text(text)
