"""The tests' ``settle`` waits out a job that fails on purpose (the app reports it inline) instead of
raising its error: under load such a worker is still listed when settle looks (CI failed once so)."""

from __future__ import annotations

import threading

from textual import work
from textual.app import App
from textual.worker import Worker, WorkerState

from tests.support.tui import settle


class FailingJobApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.seen: list[WorkerState] = []

    @work(thread=True, exit_on_error=False, group="check")
    def check(self) -> None:
        self.release.wait(30)
        raise ValueError("refused, as a revoked key is")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.seen.append(event.state)


async def test_settle_waits_for_a_job_that_fails_on_purpose() -> None:
    app = FailingJobApp()
    async with app.run_test() as pilot:
        app.check()
        app.call_later(app.release.set)  # the job fails while settle is waiting for it
        await settle(pilot)
        assert WorkerState.ERROR in app.seen and not [w for w in app.workers if w.is_running]
