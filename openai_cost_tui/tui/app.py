"""The Textual app: screens by mode, the status line, and the one background sync worker.

Thin by design: it asks the context's store and sync engine and renders. One app factory,
``make_app``, serves the CLI, the pilot tests, the snapshot tests and the screenshot script.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState, get_current_worker

from ..config.tui_settings import read_settings
from ..core.errors import CostToolError
from ..core.text import shown
from ..services.context import AppContext
from ..store.store import Store
from .jobs import background
from .keymap import PANELS, binding_ids, keys_text, own_bindings
from .lazy import Lazy
from .messages import (
    DataChanged,
    FactsChanged,
    JobDone,
    StoreFacts,
    SyncFinished,
    SyncProgressed,
    copy_message,
)
from .screens.report import ReportScreen
from .widgets.status import StatusLine

if TYPE_CHECKING:
    from ..sync.engine import SyncProgress

DEFAULT_REFRESH_SECONDS = 3600.0
SETTLE_SECONDS = 2.0  # the longest a typed key waits for a new dialog to focus (or its handling to end)


# Textual's palette entries beside the app's: "Keys" (its key panel) read like the app's "Keys here"
TEXTUAL_TITLES = {"Keys": "Key panel (Textual)"}


class CostApp(App[None]):
    """openai-cost-tui: where the OpenAI API money goes."""

    CSS_PATH = "app.tcss"
    TITLE = "openai-cost-tui"
    MODES = {  # the report is the first paint; the other screens are imported when first shown
        "report": ReportScreen,
        "insights": Lazy(".screens.insights", "InsightsScreen"),
        "connections": Lazy(".screens.connections", "ConnectionsScreen"),
        "workspaces": Lazy(".screens.workspaces", "WorkspacesScreen"),
    }
    DEFAULT_MODE = "report"
    BINDINGS = [
        Binding("f2", "switch_mode('report')", "Report", id="show-report", tooltip="The pivot of your costs"),
        Binding("f5", "switch_mode('insights')", "Insights", id="show-insights",
                tooltip="Forecast, anomalies, cache savings, spend by tier"),
        Binding("f3", "switch_mode('connections')", "Connections", id="show-connections",
                tooltip="Organizations and their keys"),
        Binding("f4", "switch_mode('workspaces')", "Workspaces", id="show-workspaces",
                tooltip="Named groups of connections"),
        Binding("ctrl+s", "sync_all", "Sync", id="sync-all", tooltip="Fetch new costs for every connection"),
        Binding("ctrl+x", "cancel_sync", "Cancel sync", id="cancel-sync", show=False,
                tooltip="Stop the running sync (days already fetched are kept)"),
        Binding("f1", "help", "Help", id="help", tooltip="Every key, screen by screen"),
        Binding("question_mark", "help_here", "Keys here", id="help-here", show=False, key_display="?",
                tooltip="The keys of the screen you are on (in the help of every key)"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="toggle-theme", show=False,
                tooltip="Switch between the dark and the light theme"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Leave (a running sync stops)"),
    ]

    def __init__(self, ctx: AppContext, *, sync_on_start: bool = True,
                 refresh_interval: float = DEFAULT_REFRESH_SECONDS, settings: Path | None = None) -> None:
        super().__init__()
        # the keymap file is read here, before the app runs: never on the event loop
        self.settings = read_settings(settings, binding_ids=binding_ids(self), themes=set(self.available_themes))
        self.ctx = ctx
        self.sync_on_start = sync_on_start
        self.refresh_interval = refresh_interval
        self.progress: dict[int, SyncProgress] = {}
        self.facts: StoreFacts | None = None  # None until the first read in a worker
        self.keyring_probed = False  # then keyring_problem says why there is none (None: there is one)
        self.keyring_problem: str | None = None
        self._sync_worker: Worker | None = None
        self.sync_stopped = threading.Event()  # set while no sync thread runs (quitting waits on it)
        self._told_no_key: set[int] = set()  # connections whose skip (no key here) was already said
        self.sync_stopped.set()
        self._keys: list[events.Key] = []  # typed keys, handled one after the other (see on_event)
        self._sent: events.Key | None = None  # the first of them, once sent on and not yet handled
        self._settle_deadline: float | None = None
        self._fresh_screen: Screen | None = None  # pushed, not yet shown (keys wait for it)
        self._first_paint_done = False
        self._after_first_paint: list[Callable[[], None]] = []  # what waits for it (see on_mount)
        if ctx.demo:
            self.sub_title = "DEMO: built-in fake organizations"

    # -- keys: one at a time ---------------------------------------------------------------------

    class KeyHandled(Message):
        """Follows a key up the DOM (messages bubble in order): when it reaches the app, every widget
        on the key's way has handled it, bindings included."""

        def __init__(self, key: events.Key, target, lap: int = 1) -> None:
            super().__init__()
            self.key, self.target, self.lap = key, target, lap

    async def on_event(self, event: events.Event) -> None:
        """Typed keys are routed one after the other: the next key goes to the focused widget only
        once the last one has been handled all the way (its binding run, its dialog open and focused).
        Fast typing across a focus change (Tab, a key that opens a dialog) then lands where it is meant
        to instead of in the widget that had the focus when the keys arrived."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys.append(event)
            if len(self._keys) == 1:
                await self._route_next_key()
            return
        await super().on_event(event)

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[override]
        """As Textual's; typed keys wait until the new screen has mounted, been shown and focused."""
        result = super().push_screen(screen, *args, **kwargs)
        pushed = self.screen_stack[-1]
        self._fresh_screen = pushed
        pushed.call_after_refresh(self._screen_shown, pushed)  # after its mount and first focus
        return result

    def pop_screen(self):  # type: ignore[override]
        """As Textual's; typed keys wait until the screen below has resumed (and the dialog's answer,
        delivered to it first, has opened whatever comes next)."""
        result = super().pop_screen()
        resumed = self.screen
        self._fresh_screen = resumed
        resumed.call_after_refresh(self._screen_shown, resumed)
        return result

    def _screen_shown(self, screen: Screen) -> None:
        if self._fresh_screen is screen:
            self._fresh_screen = None
            self.call_later(self._route_next_key)  # behind any focus() its mount asked for

    def _screen_settling(self) -> bool:
        """A screen just pushed has not been shown and focused its first field yet."""
        screen = self.screen  # (a screen that simply has no focus, e.g. after a click, does not wait)
        return screen is self._fresh_screen or not screen.is_mounted

    @property
    def keys_pending(self) -> bool:
        """Typed keys not yet handled all the way (tests wait for none before they look)."""
        return bool(self._keys)

    async def _route_next_key(self) -> None:
        try:
            await self._route_keys()
        except ScreenStackError:  # the app is closing: no screen takes keys any more
            self._keys.clear()
            self._sent = None

    async def _route_keys(self) -> None:
        while self._keys:
            if self._screen_settling():
                if self._settle_deadline is None:
                    self._settle_deadline = time.monotonic() + SETTLE_SECONDS
                if time.monotonic() < self._settle_deadline:
                    self.call_after_refresh(self._route_next_key)
                    return
            self._settle_deadline = None
            key = self._keys[0]
            if key is self._sent:
                return  # already on its way: a second routing (a screen shown meanwhile) must not repeat it
            self._sent = key
            target = self.focused or self.screen
            await super().on_event(key)
            if key.is_forwarded and target.is_attached:
                target.post_message(self.KeyHandled(key, target))
                self.call_after_refresh(self._key_target_gone, key, target)
                self.set_timer(SETTLE_SECONDS, partial(self._key_done, key))  # whatever happens
                return
            self._keys.pop(0)
            self._sent = None

    async def _key_target_gone(self, key: events.Key, target) -> None:
        """The key closed its dialog: the widget it went to is gone, so nothing will bubble back."""
        if not target.is_attached:
            await self._key_done(key)

    async def on_cost_app_key_handled(self, message: KeyHandled) -> None:
        """The first lap follows the key; what its handling posted (an Input's Submitted, a Button's
        Pressed) is queued on the same way behind the key, so a second lap arrives after those too:
        the dialog that Enter closed is closed before the next key is routed."""
        message.stop()
        if message.lap == 1 and message.target.is_attached:
            message.target.post_message(self.KeyHandled(message.key, message.target, lap=2))
            return
        await self._key_done(message.key)

    async def _key_done(self, key: events.Key) -> None:
        if self._keys and self._keys[0] is key:
            self._keys.pop(0)
            self._sent = None
            await self._route_next_key()

    # -- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme = self.settings.theme or "textual-dark"
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        for problem in self.settings.problems:
            self.notify(shown(problem), title="Keys and theme", severity="warning", timeout=15, markup=False)
        # What a first paint does not need waits until the first screen's reads (started by its mount,
        # before this) are answered and painted: the keyring probe (importing keyring and asking the OS
        # takes ~0.2 s of CPU) and the sync on start would share the interpreter with that paint, and the
        # demo's toast would mount and lay out its widgets before it.
        self._await_first_paint([w for w in self.workers if not w.is_finished])
        if self.ctx.demo:
            self.after_first_paint(lambda: self.notify(
                "This is a demo on two built-in fake organizations: no key, no network.", title="Demo", timeout=6))
        self.refresh_facts(first=True)
        self.after_first_paint(self._probe_keyring)
        if self.refresh_interval > 0:
            self.set_interval(self.refresh_interval, self._periodic_sync, name="periodic-sync")

    def refresh_facts(self, *, first: bool = False) -> None:
        """Read what the status line says (connections, freshness) in a worker; FactsChanged follows."""
        store = self.ctx.store

        def read() -> StoreFacts:
            return StoreFacts(tuple(store.connections()), store.data_as_of(), store.last_day(),
                              tuple(w.name for w in store.workspaces()))

        def done(facts: StoreFacts) -> None:
            self.facts = facts
            self.refresh_status()
            self.broadcast(FactsChanged(facts))
            if first and self.sync_on_start and self._data_is_stale(facts):
                self.after_first_paint(self._sync_on_start)

        background(self, read, done, group="facts", description="Reading the store")

    @work(group="first-paint", exit_on_error=False, description="Waiting for the first paint")
    async def _await_first_paint(self, reads: list[Worker]) -> None:
        """Awaits (on the event loop, never blocking it) ``reads`` and the frame after them, then runs
        what ``after_first_paint`` queued."""
        while running := [w for w in reads if not w.is_finished]:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):  # a replaced or failed read is done
                await self.workers.wait_for_complete(running)
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()
        self._first_paint_done = True
        if not gc.get_freeze_count():  # once a process (tests run many apps in one)
            gc.freeze()  # what start-up made lives as long as the app: later collections need not scan it
        while self._after_first_paint:
            self._after_first_paint.pop(0)()

    def after_first_paint(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the first screen is painted with its data (at once if it was)."""
        if self._first_paint_done:
            action()
        else:
            self._after_first_paint.append(action)

    def _probe_keyring(self) -> None:
        """Whether an OS keyring answers, asked once (each call may take seconds): the add dialog needs it."""
        background(self, self.ctx.keys.keyring_problem, self._keyring_probed, group="keyring",
                   description="Looking for an OS keyring")

    def _sync_on_start(self) -> None:
        if not self.sync_running:  # (unless ctrl+s started one meanwhile)
            self.start_sync()

    def _keyring_probed(self, problem: str | None) -> None:
        self.keyring_problem = problem
        self.keyring_probed = True

    def on_job_done(self, message: JobDone) -> None:
        message.deliver()

    def _data_is_stale(self, facts: StoreFacts) -> bool:
        if not facts.connections:
            return False
        oldest = [c.last_synced_at for c in facts.connections]
        if any(t is None for t in oldest):
            return True
        interval = self.refresh_interval or DEFAULT_REFRESH_SECONDS
        return self.ctx.clock() - min(t for t in oldest if t is not None) > timedelta(seconds=interval)

    def _periodic_sync(self) -> None:
        if not self.sync_running:
            self.start_sync()

    # -- sync -----------------------------------------------------------------------------------

    @property
    def sync_running(self) -> bool:
        """True from start_sync until the sync thread has returned (a cancelled one too)."""
        return not self.sync_stopped.is_set()

    def start_sync(self, connection_ids: Sequence[int] | None = None) -> bool:
        """Start the background sync (one at a time); False when one is already running."""
        if self.sync_running:
            self.notify("A sync is already running; it will pick up every connection.", severity="warning")
            return False
        if self.facts is not None and not self.facts.connections:
            self.notify("No connections yet: add one on the Connections screen (F3).", severity="warning")
            return False
        self.progress.clear()
        self.sync_stopped.clear()
        self._sync_worker = self._run_sync(list(connection_ids or ()))
        self.refresh_status()
        return True

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="Syncing costs")
    def _run_sync(self, connection_ids: list[int]) -> None:
        # Cancelled through the worker (ctrl+x, quitting): the engine watches its cancelled_event.
        cancel = get_current_worker().cancelled_event
        try:
            # The worker thread gets a Store object of its own: its own connection, nothing shared.
            with Store(self.ctx.store.url, taxonomy=self.ctx.store.taxonomy) as store:
                conns = [store.connection(i) for i in connection_ids] if connection_ids else store.connections()
                results = self.ctx.engine.with_store(store).sync_all(
                    conns, cancel=cancel, progress=lambda p: self.post_message(SyncProgressed(p))
                )
            self.post_message(SyncFinished(results))
        finally:
            self.sync_stopped.set()

    def stop_sync(self) -> None:
        """Ask the running sync to stop (it ends when the request in flight ends)."""
        if self._sync_worker is not None:
            self._sync_worker.cancel()

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        p = message.progress
        self.progress[p.connection_id] = p
        self.refresh_status()
        self.broadcast(message)
        if p.phase == "costs" and not p.message:  # a window landed: views re-query
            self.broadcast_data_changed("sync")

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.progress.clear()
        skipped = [r.description for r in message.results if r.skipped and r.connection_id not in self._told_no_key]
        self._told_no_key.update(r.connection_id for r in message.results if r.skipped)
        if skipped:  # once a session: the periodic sync would say it every hour
            self.notify(shown(f"Skipped {', '.join(skipped)}: you have no key for it here (another member "
                              "syncs it; Connections, e, gives yours)."), title="No key here", timeout=8,
                        markup=False)
        for r in message.results:
            if r.ok or r.skipped:
                continue
            if r.outcome == "failed":
                self.notify(f"{shown(r.description)}: {shown(r.error)}. Its earlier data is still shown.",
                            title="Sync failed", severity="error", timeout=12, markup=False)
            else:
                self.notify(f"{shown(r.description)}: {shown(r.error)}", title="Sync cancelled",
                            severity="warning", markup=False)
        self.broadcast_data_changed("sync finished")
        self.broadcast(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            if event.worker is self._sync_worker and event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED):
                self.refresh_status()
            return
        error = event.worker.error
        text = error.message if isinstance(error, CostToolError) else f"unexpected {type(error).__name__}"
        title = error.title if isinstance(error, CostToolError) else "Something went wrong"
        self.notify(shown(text), title=shown(title), severity="error", timeout=12, markup=False)
        self.progress.clear()
        self.refresh_status()

    def action_sync_all(self) -> None:
        if self.start_sync():
            self.notify("Syncing every connection in the background.", timeout=3)

    def action_cancel_sync(self) -> None:
        if self.sync_running:
            self.stop_sync()
            self.notify("Cancelling the sync; the days already fetched are kept.", timeout=4)
        else:
            self.notify("No sync is running.", timeout=3)

    async def action_quit(self) -> None:
        self.stop_sync()  # the process ends as soon as the request in flight does
        self.exit()

    # -- status -------------------------------------------------------------------------------

    def status_text(self) -> str:
        """The status line, from what is in memory (no store call: it is painted on the event loop)."""
        where = "demo (temporary store)" if self.ctx.demo else self.ctx.store.where
        parts = [where]
        facts = self.facts
        if self.progress:
            for p in self.progress.values():
                pct = int(p.fraction * 100)
                parts.append(f"syncing {shown(p.description)}: {pct}% ({p.pages} pages, {p.rows:,} rows)")
        elif facts is None:
            parts.append("reading the store ...")
        else:
            if facts.data_as_of is None and facts.last_day is not None:  # a first sync stopped part way
                parts.append(f"costs stored through {facts.last_day}; no sync has finished yet")
            elif facts.data_as_of is None:
                parts.append("no data yet")
            else:
                as_of = facts.data_as_of
                moment = as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of
                parts.append(f"data as of {_ago(moment, self.ctx.clock())}; days are UTC")
            if facts.failed:
                n = len(facts.failed)
                parts.append(f"{n} connection{'s' if n != 1 else ''} failed to sync: see Connections (F3)")
        return "  ·  ".join(parts)

    def refresh_status(self) -> None:
        if not self.screen_stack:  # shutting down: late messages find no screen
            return
        for line in self.screen.query(StatusLine):
            line.refresh_status()

    def broadcast_data_changed(self, reason: str) -> None:
        self.refresh_facts()
        self.broadcast(DataChanged(reason))

    def broadcast(self, message: Message) -> None:
        """Hand an app-level message to every screen on the current stack."""
        for screen in list(self.screen_stack):
            screen.post_message(copy_message(message))

    # -- keys, help, palette ----------------------------------------------------------------------

    def action_help(self, section: str | None = None) -> None:
        from .screens.help import HelpScreen  # (imported when first opened)

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(section))

    def action_help_here(self) -> None:
        """The help, opened at the focused panel's keys (else the screen's)."""
        mode = self.current_mode
        focused = self.screen.focused
        panel = PANELS.get(mode)
        self.action_help(f"{mode}-panel" if panel and isinstance(focused, panel[1]) else mode)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def get_key_display(self, binding: Binding) -> str:
        """As Textual shows keys, with function keys as printed on the keyboard (F1, not f1)."""
        shown_key = super().get_key_display(binding)
        return shown_key.upper() if re.fullmatch(r"f\d+", shown_key) else shown_key

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the screen, its panel and the app, with its key and what it does; then
        Textual's own (theme, keys, screenshot)."""
        from .screens.help import HelpScreen

        nodes: list = [self.screen_stack[0] if isinstance(screen, HelpScreen) else screen]
        focused = nodes[0].focused
        if focused is not None and focused is not nodes[0]:
            nodes.insert(0, focused)
        seen: set[str] = set()
        titles: set[str] = set()
        for node in [*nodes, self]:
            for binding in own_bindings(type(node)):
                if binding.action in seen or binding.id in {"help-close", "search-drop"}:
                    continue
                seen.add(binding.action)
                titles.add(binding.description.casefold())
                yield SystemCommand(binding.description, f"{binding.tooltip} ({keys_text(self, binding)})",
                                    partial(self.run_action, binding.action, node))
        for command in super().get_system_commands(screen):  # Textual's, less what the app has already
            if command.title.casefold() in titles:
                continue
            yield command._replace(title=TEXTUAL_TITLES.get(command.title, command.title))


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
             refresh_interval: float = DEFAULT_REFRESH_SECONDS, settings: Path | None = None) -> CostApp:
    """The one factory for the CLI, tests, snapshots and screenshots (``settings``: the tui.toml to
    read keys and theme from)."""
    return CostApp(ctx, sync_on_start=sync_on_start, refresh_interval=refresh_interval, settings=settings)
