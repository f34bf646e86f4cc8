"""The event-loop guard (tests/support/thread_guard.py) catches what it is there to catch: a store
query in a handler is recorded, the same query in a thread worker or in the test's own code is not."""

from __future__ import annotations

from textual.app import App

from openai_cost_tui.store.store import Store
from tests.support import thread_guard


class _Probe(App[None]):
    def __init__(self, store: Store, *, in_worker: bool) -> None:
        super().__init__()
        self.store = store
        self.in_worker = in_worker

    def on_mount(self) -> None:
        if self.in_worker:
            self.run_worker(self.store.connections, thread=True)
        else:
            self.store.connections()  # the mistake the guard exists for


async def test_a_query_in_a_handler_is_caught(store_path) -> None:
    with Store(store_path) as store:
        app = _Probe(store, in_worker=False)
        async with app.run_test() as pilot:
            await pilot.pause()
        found = list(thread_guard._violations)
        thread_guard._violations.clear()  # seen: this test expects exactly that
    assert found and all("on the app's event loop" in f for f in found)
    assert any("a store query" in f for f in found)
    assert "on_mount" in found[0]  # it says where


async def test_a_query_in_a_worker_or_in_the_test_passes(store_path) -> None:
    with Store(store_path) as store:
        app = _Probe(store, in_worker=True)
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            store.connections()  # the test's own code, between key presses
            await pilot.pause()
    assert not thread_guard._violations
