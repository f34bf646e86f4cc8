"""App-level messages: small dataclasses; progress floods collapse through ``can_replace``.

None of them bubble: the app hands each screen its own copy (``copy_message``), and a copy
bubbling back up to the app would be handled (and handed out) again, forever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from textual.message import Message

from ..core.models import Connection
from ..sync.engine import SyncProgress, SyncResult


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


def copy_message(message: Message) -> Message:
    """Messages are single-use: each screen gets its own copy of an app-level dataclass message."""
    return replace(message)
