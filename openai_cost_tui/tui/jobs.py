"""Typed access to the app, and background jobs: the event loop only paints.

Anything that reads or writes the store, sends a request or asks the keyring runs through
``background``: a thread worker whose result comes back as a ``JobDone`` message, handled on the
loop by the callback that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from .messages import JobDone

if TYPE_CHECKING:
    from .app import CostApp

T = TypeVar("T")


def cost_app(node: MessagePump) -> CostApp:
    """The running app, typed (every screen and widget of this package runs inside a CostApp)."""
    return cast("CostApp", node.app)


def background(node: Any, job: Callable[[], T], done: Callable[[T], None] | None = None, *,
               group: str = "store", description: str = "", exclusive: bool = False) -> Worker[None]:
    """Run ``job`` in a thread worker of ``node``; ``done(result)`` runs on the event loop after, unless a
    later job of the same ``exclusive`` group has replaced it by then (the newest read paints, last).

    A failure reaches the app's Worker.StateChanged handler, which shows it as a notification.
    """

    def run() -> None:
        result = job()
        if done is not None:
            node.post_message(JobDone(done, result, get_current_worker()))

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False,
                           description=description or group)


class Jobs:
    """For screens and modals: ``self.background(job, done)`` and the handler that calls ``done``."""

    def background(self, job: Callable[[], T], done: Callable[[T], None] | None = None,
                   **options: Any) -> Worker[None]:
        return background(self, job, done, **options)

    def on_job_done(self, message: JobDone) -> None:
        message.deliver()
