"""The fake Admin API in-process, as an httpx transport (no sockets, no threads)."""

from __future__ import annotations

from typing import Any

import httpx

from ..core.base_url import DEFAULT_BASE_URL
from .api import DEMO_KEY, FakeAdminApi, FakeReset, FakeTimeout

BASE_URL = DEFAULT_BASE_URL  # the fake answers at the real API's address


def fake_transport(api: FakeAdminApi) -> httpx.BaseTransport:
    """An ``httpx.MockTransport`` answering from ``api`` for any host (paths start with ``/v1``).

    A "reset" fault raises ``httpx.RemoteProtocolError``; a "slow" fault longer than the request's read
    timeout waits that timeout, then raises ``httpx.ReadTimeout``.
    """

    def handler(request: httpx.Request) -> httpx.Response:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        try:
            answer = api.handle(
                request.method,
                request.url.path,
                request.url.params.multi_items(),
                request.headers,
                timeout=timeout,
            )
        except FakeReset:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except FakeTimeout:
            raise httpx.ReadTimeout("The read operation timed out", request=request) from None
        if answer.chunks is not None:  # "drip" and "huge": a stream, made as it is read
            return httpx.Response(answer.status, headers=answer.headers, content=answer.chunks)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    return httpx.MockTransport(handler)


def fake_client(
    api: FakeAdminApi, *, api_key: str = DEMO_KEY, base_url: str = BASE_URL, **kwargs: Any
) -> httpx.Client:
    """A plain ``httpx.Client`` wired to ``api`` with an Admin key header (for tests and demos)."""
    headers = {"Authorization": f"Bearer {api_key}", **kwargs.pop("headers", {})}
    return httpx.Client(transport=fake_transport(api), base_url=base_url, headers=headers, **kwargs)
