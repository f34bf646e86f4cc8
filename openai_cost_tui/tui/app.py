"""The Textual app: screens by mode, the status line, and the one background sync worker.

Thin by design: it asks the context's store and sync engine and renders. One app factory,
``make_app``, serves the CLI, the pilot tests, the snapshot tests and the screenshot script.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ..core.errors import CostToolError
from ..services.context import AppContext
from ..store.store import Store
from ..sync.engine import SyncProgress
from .messages import DataChanged, SyncFinished, SyncProgressed
from .screens.connections import ConnectionsScreen
from .screens.help import HelpScreen
from .screens.insights import InsightsScreen
from .screens.report import ReportScreen
from .screens.workspaces import WorkspacesScreen
from .widgets.status import StatusLine

DEFAULT_REFRESH_SECONDS = 3600.0


class CostApp(App[None]):
    """openai-cost-tui: where the OpenAI API money goes."""

    CSS_PATH = "app.tcss"
    TITLE = "openai-cost-tui"
    MODES = {
        "report": ReportScreen,
        "insights": InsightsScreen,
        "connections": ConnectionsScreen,
        "workspaces": WorkspacesScreen,
    }
    DEFAULT_MODE = "report"
    BINDINGS = [
        Binding("f2", "switch_mode('report')", "Report", id="show-report", tooltip="The pivot of your costs"),
        Binding("f5", "switch_mode('insights')", "Insights", id="show-insights",
                tooltip="Forecast, anomalies, cache savings, spend by tier"),
        Binding("f3", "switch_mode('connections')", "Conns", id="show-connections",
                tooltip="Organizations and their keys"),
        Binding("f4", "switch_mode('workspaces')", "Spaces", id="show-workspaces",
                tooltip="Named groups of connections"),
        Binding("ctrl+s", "sync_all", "Sync", id="sync-all", tooltip="Fetch new costs for every connection"),
        Binding("ctrl+x", "cancel_sync", "Cancel sync", id="cancel-sync", show=False,
                tooltip="Stop the running sync (days already fetched are kept)"),
        Binding("f1,question_mark", "help", "Help", id="help", key_display="F1", tooltip="Every key (also ?)"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="toggle-theme", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, ctx: AppContext, *, sync_on_start: bool = True,
                 refresh_interval: float = DEFAULT_REFRESH_SECONDS) -> None:
        super().__init__()
        self.ctx = ctx
        self.sync_on_start = sync_on_start
        self.refresh_interval = refresh_interval
        self.progress: dict[int, SyncProgress] = {}
        self._cancel: threading.Event | None = None
        self._sync_worker: Worker | None = None
        if ctx.demo:
            self.sub_title = "DEMO: a built-in fake organization"

    # -- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.ctx.demo:
            self.notify("This is a demo on a built-in fake organization: no key, no network.",
                        title="Demo", timeout=6)
        if self.sync_on_start and self._data_is_stale():
            self.start_sync()
        if self.refresh_interval > 0:
            self.set_interval(self.refresh_interval, self._periodic_sync, name="periodic-sync")

    def _data_is_stale(self) -> bool:
        conns = self.ctx.store.connections()
        if not conns:
            return False
        oldest = [c.last_synced_at for c in conns]
        if any(t is None for t in oldest):
            return True
        interval = self.refresh_interval or DEFAULT_REFRESH_SECONDS
        return self.ctx.clock() - min(oldest) > timedelta(seconds=interval)

    def _periodic_sync(self) -> None:
        if not self.sync_running:
            self.start_sync()

    # -- sync -----------------------------------------------------------------------------------

    @property
    def sync_running(self) -> bool:
        return self._sync_worker is not None and self._sync_worker.state in (WorkerState.PENDING,
                                                                              WorkerState.RUNNING)

    def start_sync(self, connection_ids: Sequence[int] | None = None) -> bool:
        """Start the background sync (one at a time); False when one is already running."""
        if self.sync_running:
            self.notify("A sync is already running; it will pick up every connection.", severity="warning")
            return False
        if not self.ctx.store.connections():
            self.notify("No connections yet: add one on the Connections screen (F3).", severity="warning")
            return False
        self._cancel = threading.Event()
        self.progress.clear()
        self._sync_worker = self._run_sync(list(connection_ids or ()), self._cancel)
        self.refresh_status()
        return True

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="Syncing costs")
    def _run_sync(self, connection_ids: list[int], cancel: threading.Event) -> None:
        # The worker thread gets a Store object of its own: its own connection, nothing shared.
        with Store(self.ctx.store.url, taxonomy=self.ctx.store.taxonomy) as store:
            conns = [store.connection(i) for i in connection_ids] if connection_ids else store.connections()
            results = self.ctx.engine.with_store(store).sync_all(
                conns, cancel=cancel, progress=lambda p: self.post_message(SyncProgressed(p))
            )
        self.post_message(SyncFinished(results))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        p = message.progress
        self.progress[p.connection_id] = p
        self.refresh_status()
        self.broadcast(message)
        if p.phase == "costs" and not p.message:  # a window landed: views re-query
            self.broadcast(DataChanged("sync"))

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.progress.clear()
        for r in message.results:
            if r.ok:
                continue
            if r.outcome == "failed":
                self.notify(f"{r.description}: {r.error}. Its earlier data is still shown.",
                            title="Sync failed", severity="error", timeout=12)
            else:
                self.notify(f"{r.description}: {r.error}", title="Sync cancelled", severity="warning")
        self.refresh_status()
        self.broadcast(DataChanged("sync finished"))
        self.broadcast(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            if event.worker is self._sync_worker and event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED):
                self.refresh_status()
            return
        error = event.worker.error
        text = error.message if isinstance(error, CostToolError) else f"unexpected {type(error).__name__}"
        title = error.title if isinstance(error, CostToolError) else "Something went wrong"
        self.notify(text, title=title, severity="error", timeout=12)
        self.progress.clear()
        self.refresh_status()

    def action_sync_all(self) -> None:
        if self.start_sync():
            self.notify("Syncing every connection in the background.", timeout=3)

    def action_cancel_sync(self) -> None:
        if self.sync_running and self._cancel is not None:
            self._cancel.set()
            self.notify("Cancelling the sync after the current window; fetched days are kept.", timeout=4)
        else:
            self.notify("No sync is running.", timeout=3)

    # -- status -------------------------------------------------------------------------------

    def status_text(self) -> str:
        where = "demo (temporary store)" if self.ctx.demo else self.ctx.store.where
        parts = [where]
        if self.progress:
            for p in self.progress.values():
                pct = int(p.fraction * 100)
                parts.append(f"syncing {p.description}: {pct}% ({p.pages} pages, {p.rows:,} rows)")
        else:
            as_of = self.ctx.store.data_as_of()
            if as_of is None:
                parts.append("no data yet")
            else:
                moment = as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of
                parts.append(f"data as of {_ago(moment, self.ctx.clock())}; days are UTC")
            failed = [c for c in self.ctx.store.connections() if c.status == "failed"]
            if failed:
                parts.append(f"{len(failed)} connection(s) failed to sync: see Connections (F3)")
        return "  ·  ".join(parts)

    def refresh_status(self) -> None:
        if not self.screen_stack:  # shutting down: late messages find no screen
            return
        for line in self.screen.query(StatusLine):
            line.refresh_status()

    def broadcast_data_changed(self, reason: str) -> None:
        self.refresh_status()
        self.broadcast(DataChanged(reason))

    def broadcast(self, message: Message) -> None:
        """Hand an app-level message to every screen on the current stack."""
        for screen in list(self.screen_stack):
            screen.post_message(_copy(message))

    # -- keys, help, palette ----------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Report", "Show the pivot of your costs (F2)", lambda: self.switch_mode("report"))
        yield SystemCommand("Insights", "Forecast, anomalies, cache savings, spend by tier (F5)",
                            lambda: self.switch_mode("insights"))
        yield SystemCommand("Connections", "Add, edit, sync or remove organizations (F3)",
                            lambda: self.switch_mode("connections"))
        yield SystemCommand("Workspaces", "Group connections (F4)", lambda: self.switch_mode("workspaces"))
        yield SystemCommand("Sync all", "Fetch new costs for every connection (Ctrl+S)", self.action_sync_all)
        yield SystemCommand("Cancel sync", "Stop the running sync (Ctrl+X)", self.action_cancel_sync)
        yield SystemCommand("Help", "Every key, screen by screen (F1)", self.action_help)


def _copy(message: Message) -> Message:
    """Messages are single-use; each screen gets its own."""
    if isinstance(message, SyncProgressed):
        return SyncProgressed(message.progress)
    if isinstance(message, SyncFinished):
        return SyncFinished(message.results)
    if isinstance(message, DataChanged):
        return DataChanged(message.reason)
    return message


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if seconds < 60:
        return f"{stamp} (just now)"
    if seconds < 3600:
        return f"{stamp} ({seconds // 60} min ago)"
    if seconds < 86400:
        return f"{stamp} ({seconds // 3600} h ago)"
    return f"{stamp} ({seconds // 86400} days ago)"


def make_app(ctx: AppContext, *, sync_on_start: bool = True,
             refresh_interval: float = DEFAULT_REFRESH_SECONDS) -> CostApp:
    """The one factory for the CLI, tests, snapshots and screenshots."""
    return CostApp(ctx, sync_on_start=sync_on_start, refresh_interval=refresh_interval)
