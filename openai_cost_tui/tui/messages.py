"""App-level messages: small dataclasses; progress floods collapse through ``can_replace``.

None of them bubble: the app hands each screen its own copy (``copy_message``), and a copy
bubbling back up to the app would be handled (and handed out) again, forever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..core.models import Connection
from ..sync.engine import SyncProgress, SyncResult

if TYPE_CHECKING:
    from textual.worker import Worker


@dataclass
class SyncProgressed(Message, bubble=False):
    """A sync moved on (posted from the worker thread)."""

    progress: SyncProgress

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, SyncProgressed)
            and message.progress.connection_id == self.progress.connection_id
            and message.progress.phase == self.progress.phase == "costs"
            and bool(message.progress.message)
        )


@dataclass
class SyncFinished(Message, bubble=False):
    results: list[SyncResult]


@dataclass
class DataChanged(Message, bubble=False):
    """Stored data changed (a window landed, a connection came or went): views re-query."""

    reason: str = ""


@dataclass(frozen=True)
class StoreFacts:
    """What the status line and the screens' captions say about the store, read in a worker."""

    connections: tuple[Connection, ...] = ()
    data_as_of: datetime | None = None
    last_day: date | None = None
    workspaces: tuple[str, ...] = ()

    @property
    def failed(self) -> list[Connection]:
        return [c for c in self.connections if c.status in ("failed", "interrupted")]


@dataclass
class FactsChanged(Message, bubble=False):
    facts: StoreFacts


@dataclass
class JobDone(Message, bubble=False):
    """A background job's result, handed to the callback that asked for it (on the event loop)."""

    done: Callable[[Any], None]
    result: Any
    worker: Worker | None = None

    def deliver(self) -> None:
        """Hand the result over, unless a newer job of the same exclusive group replaced this one: a read
        that ends after a later read (a loaded machine can do that) must not paint over what it painted."""
        if self.worker is None or not self.worker.is_cancelled:
            self.done(self.result)


def copy_message(message: Message) -> Message:
    """Messages are single-use: each screen gets its own copy of an app-level dataclass message."""
    return replace(message)
