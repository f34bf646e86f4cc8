"""No cyclic garbage collection while many small objects are made in one go (a page's rows, a pivot's
cells): they make no cycles, and a collection every few hundred new objects would walk all of them each
time (a third of a 10k-row pivot's Python time at 2M rows). Collection resumes after, as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
