"""Cutting a request short from outside: on cancel or at its deadline, within a fraction of a second.

httpx's timeouts are per read: a server that drips one byte a second, or sends nothing for the whole
read timeout, holds the calling thread in a blocking ``recv``. Only another thread can wake it, by
shutting the socket down; the blocked read then fails at once and the client turns that failure into
:class:`~openai_cost_tui.core.errors.Cancelled` or a deadline error.

:class:`Sockets` learns every connection a client opens through httpcore's ``trace`` extension (no
private API); :class:`Watchdog` watches one attempt. In-process transports (tests, the fake) open no
sockets: for them the client's checks between body chunks are what stops a request.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from types import TracebackType
from typing import Any

POLL_SECONDS = 0.1
"""How often a watchdog looks at the cancel event: a cancel takes effect within about this long."""

_OPENED = (".connect_tcp.complete", ".connect_unix_socket.complete", ".start_tls.complete")


class Sockets:
    """The network streams a client's connection pool opened (weakly held: closed ones drop out)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """The ``trace`` extension of each request: remembers each new stream (TCP, then TLS)."""
        if event.endswith(_OPENED):
            stream = info.get("return_value")
            if stream is not None:
                with self._lock:
                    try:
                        self._streams.add(stream)
                    except TypeError:  # a stream type that cannot be weakly referenced
                        pass

    def abort(self) -> None:
        """Shut every known socket down: a read blocked in another thread returns at once."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            try:
                sock = stream.get_extra_info("socket")
                if isinstance(sock, socket.socket):
                    sock.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError, AttributeError):  # already closed or detached
                pass


class Watchdog:
    """For one attempt: when ``cancel`` is set or ``deadline`` (monotonic) passes, records why in
    ``reason`` ("cancelled" or "deadline") and calls ``abort``. A context manager; leaving it stops
    the watch."""

    def __init__(self, cancel: threading.Event | None, deadline: float, abort: Any) -> None:
        self._cancel = cancel
        self._deadline = deadline
        self._abort = abort
        self._done = threading.Event()
        self.reason: str | None = None
        self._thread = threading.Thread(target=self._watch, name="admin-api-watchdog", daemon=True)

    def _watch(self) -> None:
        while not self._done.is_set():
            if self._cancel is not None and self._cancel.is_set():
                self.reason = "cancelled"
                break
            left = self._deadline - time.monotonic()
            if left <= 0:
                self.reason = "deadline"
                break
            self._done.wait(min(POLL_SECONDS, left))
        else:
            return
        self._abort()

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join(timeout=5)
