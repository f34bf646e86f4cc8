"""The fake Admin API over real HTTP/1.1 on a loopback address (stdlib ``http.server``).

Quiet: no request log, no tracebacks on stderr; request headers (the Authorization key) are never
written anywhere.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from .api import FakeAdminApi, FakeReset


def _check_loopback(host: str) -> str:
    """The address to bind; ValueError unless ``host`` is loopback (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the fake API serves loopback addresses only (127.0.0.1, ::1, localhost), not {host!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openai-cost-tui-fake"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this
    api: FakeAdminApi  # set on a subclass per server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: no request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        try:
            answer = self.api.handle(self.command, unquote(url.path), query, self.headers)
        except FakeReset:
            # RST instead of FIN: the client sees a connection reset, not a clean close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        if answer.chunks is None:
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
            return
        length = answer.headers.get("content-length")
        self.send_header(*(("Content-Length", length) if length else ("Transfer-Encoding", "chunked")))
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            for piece in answer.chunks:  # a "drip" or "huge" answer, sent as it is made
                if piece:
                    self.wfile.write(piece if length else b"%x\r\n%s\r\n" % (len(piece), piece))
            if not length:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client hung up (it refused the body, or was cancelled): stop making it
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client that hung up (timeouts, resets) is not an error worth a traceback."""


def _make_server(api: FakeAdminApi, host: str, port: int) -> tuple[_Server, str]:
    address = _check_loopback(host)
    handler = type("Handler", (_Handler,), {"api": api})
    server_class = _Server
    if ":" in address:
        server_class = type("Server6", (_Server,), {"address_family": socket.AF_INET6})
    server = server_class((address, port), handler)
    shown = f"[{address}]" if ":" in address else address
    return server, f"http://{shown}:{server.server_address[1]}/v1"


@contextmanager
def serve_in_thread(api: FakeAdminApi, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``api`` on a background thread; yields the base URL ``http://127.0.0.1:PORT/v1``."""
    server, url = _make_server(api, host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-admin-api", daemon=True
    )
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_forever(
    api: FakeAdminApi,
    host: str = "127.0.0.1",
    port: int = 8787,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``api`` until interrupted; ``on_ready`` gets the base URL once the socket listens."""
    server, url = _make_server(api, host, port)
    try:
        if on_ready is not None:
            on_ready(url)
        server.serve_forever()
    finally:
        server.server_close()
