"""App-level messages: small dataclasses; progress floods collapse through ``can_replace``.

None of them bubble: the app hands each screen its own copy, and a copy bubbling back up to the
app would be handled (and handed out) again, forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

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
