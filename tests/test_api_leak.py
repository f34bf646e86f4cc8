"""Leak canary: the key never shows in logs, messages, reprs or tracebacks, even when echoed back."""

from __future__ import annotations

import http.server
import json
import logging
import threading
import traceback
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from openai_cost_tui.api.auth import SecretAuth
from openai_cost_tui.api.client import AdminClient, CostsQuery
from openai_cost_tui.api.retry import RetryPolicy
from openai_cost_tui.core.errors import ApiError, CostToolError
from openai_cost_tui.core.secret import Secret

CANARY = "sk-admin-CANARY" + "Zq7" * 14
PREFIX = CANARY[:12]
Q = CostsQuery(date(2026, 1, 1), date(2026, 1, 3))


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers by echoing the Authorization header back: the worst-case server."""

    statuses: list[int] = []

    def do_GET(self) -> None:  # noqa: N802
        status = self.statuses.pop(0) if self.statuses else 401
        auth = self.headers.get("Authorization", "")
        if status == 500:
            body = f"<html><pre>{auth}</pre></html>".encode()
            ctype = "text/html"
        else:
            body = json.dumps(
                {
                    "error": {
                        "message": f"Incorrect API key provided: {auth}",
                        "type": "x",
                        "param": None,
                        "code": None,
                    }
                }
            ).encode()
            ctype = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert PREFIX not in text
        assert CANARY[-20:] not in text


def everything_about(error: BaseException) -> list[str]:
    return [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]


def test_canary_over_real_http(echo_server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "openai_cost_tui"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    EchoHandler.statuses = [500, 500, 401]
    client = AdminClient(
        Secret(CANARY), base_url=echo_server, sleep=lambda s: None, retry=RetryPolicy(seed=0)
    )
    with pytest.raises(ApiError) as info:
        client.costs(Q)
    assert info.value.status == 401
    assert "[redacted]" in str(info.value)  # the echo arrived and was scrubbed
    EchoHandler.statuses = [500] * 3
    retry = RetryPolicy(max_attempts=3, seed=0)
    with pytest.raises(ApiError, match="gave up") as gave_up:
        AdminClient(Secret(CANARY), base_url=echo_server, sleep=lambda s: None, retry=retry).costs(Q)
    assert "httpcore" in caplog.text or "HTTP Request" in caplog.text  # DEBUG logging was really on
    assert_clean(
        caplog.text,
        repr(client),
        repr(vars(client)),
        repr(vars(client._http)),
        *everything_about(info.value),
        *everything_about(gave_up.value),
    )
    client.close()


def test_canary_in_failures_inside_the_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        header = request.headers["authorization"]
        if len(seen) == 1:
            raise httpx.ReadError(f"reset while sending {header}", request=request)
        if len(seen) == 2:
            return httpx.Response(400, json={"error": f"bad key {header}"})
        return httpx.Response(200, text=f"not json {header}")

    client = AdminClient(Secret(CANARY), transport=httpx.MockTransport(handler), sleep=lambda s: None)
    errors: list[CostToolError] = []
    for _ in range(2):
        with pytest.raises(CostToolError) as info:
            client.costs(Q)
        errors.append(info.value)
    assert seen[0].headers["authorization"] == f"Bearer {CANARY}"
    assert_clean(
        caplog.text, repr(seen[0]), repr(seen[0].headers), *[t for e in errors for t in everything_about(e)]
    )


def test_auth_repr_and_plain_strings_refused() -> None:
    auth = SecretAuth(Secret(CANARY))
    assert_clean(repr(auth), str(auth), repr(vars(auth)))
    with pytest.raises(TypeError):
        SecretAuth(CANARY)  # type: ignore[arg-type]
    client = AdminClient(Secret(CANARY), transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert not any(isinstance(v, str) and PREFIX in v for v in vars(client).values())
