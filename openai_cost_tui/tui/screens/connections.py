"""Connections: every organization, how its key is kept, how fresh its data is; add, edit, sync, remove.

The key column is this member's (KeyStore.mine, read in the worker): "no key here" when another member
syncs it, with who did last and when in the line below the table.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, ProgressBar, Static

from ...core import money
from ...core.dates import first_of_month
from ...core.models import Connection
from ...core.text import shown
from ...store.store import RemovalSummary
from ..messages import SyncFinished, SyncProgressed
from ..modals.add_connection import AddConnectionModal
from ..modals.confirm import ConfirmModal
from ..modals.edit_connection import ConnectionEdit, EditConnectionModal
from .base import AppScreen

COLUMNS = ("Description", "Organization", "Key", "Status", "Last sync", "Rows", "This month (USD)", "Workspaces")


class ConnectionsScreen(AppScreen):
    BINDINGS = [
        Binding("a", "add", "Add", id="connection-add", tooltip="Add an organization by its Admin key"),
        Binding("e,enter", "edit", "Edit", id="connection-edit",
                tooltip="Change description, workspaces, key or base URL"),
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

    def __init__(self) -> None:
        super().__init__()
        self.conns: list[Connection] = []  # as last read in a worker
        self.figures: dict[int, tuple[int, int]] = {}

    def on_mount(self) -> None:
        table = self.query_one("#connections", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.query_one("#sync-progress").display = False
        table.display = False
        self.query_one("#connections-empty").display = False
        self.reload()

    # -- data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every connection and its figures in a worker (one grouped query), then paint."""
        if not self.is_mounted:
            return
        store, keys, today = self.ctx.store, self.ctx.keys, self.ctx.today

        def read() -> tuple[list[Connection], dict[int, tuple[int, int]]]:
            return keys.mine(store.connections()), store.connection_figures(first_of_month(today), today)

        self.background(read, self._paint, group="connections", exclusive=True)

    def _paint(self, loaded: tuple[list[Connection], dict[int, tuple[int, int]]]) -> None:
        self.conns, self.figures = loaded
        self._paint_rows()

    def _paint_rows(self) -> None:
        """The table from what was last read, with each row's live sync progress."""
        conns = self.conns
        table = self.query_one("#connections", DataTable)
        selected = self.selected_id()
        table.clear()
        for c in conns:
            rows, month = self.figures.get(c.id, (0, 0))
            table.add_row(
                Text(shown(c.description)),
                Text(shown(c.organization or "")),
                _key_cell(c),
                self._status_cell(c),
                c.last_synced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if c.last_synced_at else "never",
                Text(f"{rows:,}", justify="right"),
                Text(money.format_display(month), justify="right"),
                Text(shown(", ".join(c.workspaces))),
                key=str(c.id),
            )
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))
        if conns and not self.cost_app.sync_running:
            self._show_detail()
        self.query_one("#connections-empty").display = not conns
        table.display = bool(conns)

    def _status_cell(self, c: Connection) -> Text:
        progress = self.cost_app.progress.get(c.id)
        if progress is not None:
            return Text(f"syncing {int(progress.fraction * 100)}%", style="bold cyan")
        if c.status == "failed":
            return Text("failed (details below)", style="bold red")
        if c.status == "interrupted":
            return Text("interrupted (details below)", style="bold yellow")
        if c.status == "new":
            return Text("not synced yet", style="italic")
        if c.key_source == "none":
            return Text(f"{c.status}, synced by others" if c.synced_by else c.status)
        return Text(c.status)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not self.cost_app.sync_running:
            self._show_detail()

    def _show_detail(self) -> None:
        conn = self.selected()
        detail = self.query_one("#sync-detail", Static)
        if conn is not None and conn.status in ("failed", "interrupted"):
            what = "failed" if conn.status == "failed" else "was interrupted"
            seen = f" (seen by {conn.error_by})" if conn.error_by and self.ctx.store.is_postgres else ""
            detail.update(Text(f"{shown(conn.description)}: last sync {what}{shown(seen)}: "
                               f"{shown(conn.last_error or '')}. Its earlier data is kept; press s to try again."))
        elif conn is not None and conn.key_source == "none":
            when = (f"synced by {conn.synced_by or 'another member'} at "
                    f"{conn.last_synced_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if conn.last_synced_at
                    else "not synced by anyone yet")
            detail.update(Text(shown(f"{conn.description}: {when}. You have no key for it here, so your syncs "
                                     "skip it; press e to give yours.")))
        elif conn is not None and "INSECURE" in conn.key_source_label:
            detail.update(Text(shown(f"{conn.description}: the key is in a keyring backend that keeps it in a "
                                     "plain or merely encoded file, not an OS keyring; press e to move it.")))
        elif conn is not None and conn.key_source == "file":
            detail.update(Text(f"{shown(conn.description)}: the key is kept UNENCRYPTED in "
                               f"{shown(conn.key_ref)} (0600)."))
        else:
            detail.update("")

    def selected(self) -> Connection | None:
        """The connection under the cursor, from what was last read (no store call)."""
        cid = self.selected_id()
        return next((c for c in self.conns if c.id == cid), None) if cid is not None else None

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
        self.query_one("#sync-detail", Static).update(Text(
            f"Syncing {shown(p.description)}: window {min(p.windows_done + 1, p.windows_total)}/"
            f"{p.windows_total} {window}, {p.pages} pages, {p.rows:,} rows stored. ctrl+x cancels."
        ))
        if self.conns:
            self._paint_rows()  # the status column from memory; figures re-read when a window lands

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.query_one("#sync-progress").display = False
        ok = sum(1 for r in message.results if r.ok)
        skipped = sum(1 for r in message.results if r.skipped)
        also = f", {skipped} skipped (no key here: another member syncs it)" if skipped else ""
        self.query_one("#sync-detail", Static).update(
            f"Last sync: {ok} of {len(message.results)} connection(s) synced{also}."
        )

    # -- actions ---------------------------------------------------------------------------------

    def action_add(self) -> None:
        ctx = self.ctx

        def added(conn: Connection | None) -> None:
            if conn is None:
                return
            self.notify(f"Added {shown(conn.description)}; fetching its costs now.", title="Connection added",
                        markup=False)
            self.cost_app.broadcast_data_changed("connection added")
            self.cost_app.start_sync([conn.id])

        def ask(found: tuple[str | None, list[str]]) -> None:
            problem, workspaces = found
            self.app.push_screen(AddConnectionModal(ctx, keyring_problem=problem, workspaces=workspaces), added)

        app = self.cost_app
        if app.keyring_probed and app.facts is not None:  # known since the start: open at once
            ask((app.keyring_problem, list(app.facts.workspaces)))
            return
        # the keyring is asked (it may hang: each call has a timeout) and the store read off the loop
        self.background(lambda: (ctx.keys.keyring_problem(), [w.name for w in ctx.store.workspaces()]), ask,
                        group="connection-add", exclusive=True)

    def action_edit(self) -> None:
        conn = self.selected()
        if conn is None:
            self.notify("Nothing to edit: add a connection first (a).", severity="warning")
            return
        taken = {c.description for c in self.conns}
        app = self.cost_app

        def edited(change: ConnectionEdit | None) -> None:
            if change is None:
                return
            what = " and its new key" if change.key_changed else ""
            self.notify(shown(f"Saved {change.description}{what}." + (f" {change.note}" if change.note else "")),
                        markup=False)
            app.broadcast_data_changed("connection edited")

        def ask(problem: str | None) -> None:
            self.app.push_screen(EditConnectionModal(self.ctx, conn, taken, keyring_problem=problem), edited)

        if app.keyring_probed:
            ask(app.keyring_problem)
        else:
            self.background(self.ctx.keys.keyring_problem, ask, group="connection-edit", exclusive=True)

    def action_sync_selected(self) -> None:
        conn = self.selected()
        if conn is None:
            self.notify("Nothing to sync: add a connection first (a).", severity="warning")
            return
        if self.cost_app.start_sync([conn.id]):
            self.notify(f"Syncing {shown(conn.description)} in the background.", timeout=3, markup=False)

    def action_remove(self) -> None:
        conn = self.selected()
        if conn is None:
            return
        if self.cost_app.sync_running:
            self.notify("Wait for the running sync to finish (or cancel it with ctrl+x) first.",
                        severity="warning")
            return
        ctx = self.ctx
        self.background(lambda: ctx.store.removal_summary(conn.id), lambda summary: self._confirm_remove(conn, summary),
                        group="connection-remove", exclusive=True)

    def _confirm_remove(self, conn: Connection, summary: RemovalSummary) -> None:
        ctx = self.ctx
        spaces = ", ".join(summary.workspaces) if summary.workspaces else "none"
        stored = ("" if conn.key_source == "none"
                  else f", and its stored key ({conn.key_source_label})")
        message = (f"This deletes its {summary.cost_rows:,} cost rows, its project and key names{stored}. "
                   f"Workspaces affected: {shown(spaces)}.")
        if ctx.store.is_postgres:
            message += (" This is a shared store: the costs go for every member, not only for you "
                        "(to change only your key, edit the connection instead).")

        def removed(_: object) -> None:
            self.notify(f"Removed {shown(conn.description)} and its {summary.cost_rows:,} cost rows.",
                        markup=False)
            self.cost_app.broadcast_data_changed("connection removed")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def remove() -> None:
                ctx.keys.delete(conn)  # the keyring, off the loop
                ctx.store.remove_connection(conn.id)  # a bulk delete

            self.background(remove, removed, group="connection-remove")

        self.app.push_screen(ConfirmModal(f"Remove {shown(conn.description)}?", message, yes="Remove"), confirmed)


def _key_cell(c: Connection) -> Text:
    if c.key_source == "none":
        return Text(shown(c.key_source_label), style="italic")
    text = shown(f"{c.key_source_label} {c.masked_key or ''}".strip())
    insecure = c.key_source == "file" or "INSECURE" in c.key_source_label
    return Text(text, style="bold red") if insecure else Text(text)
