"""Readers that total a store over and over while a test writes to it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from openai_cost_tui.store.store import Store


@contextlib.contextmanager
def total_readers(url: str, count: int) -> Iterator[tuple[list[int], list[BaseException]]]:
    """Run ``count`` threads reading ``Store(url).total()`` until the block ends; yields (seen, errors)."""
    stop, seen, errors = threading.Event(), [], []

    def read() -> None:
        reader = Store(url)
        try:
            while not stop.is_set():
                seen.append(reader.total())
                # a breath between reads: two threads reading flat out starve the writer of the GIL on
                # a busy machine (the syncs then took minutes); each window is still read many times
                stop.wait(0.005)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            reader.close()

    threads = [threading.Thread(target=read) for _ in range(count)]
    for t in threads:
        t.start()
    try:
        yield seen, errors
    finally:
        stop.set()
        for t in threads:
            t.join()
