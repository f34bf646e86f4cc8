"""The only place where a key becomes an HTTP header."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from ..core.secret import Secret


class SecretAuth(httpx.Auth):
    """Sets ``Authorization: Bearer <key>`` on each request; its repr never shows the key."""

    requires_request_body = False
    requires_response_body = False

    def __init__(self, key: Secret) -> None:
        if not isinstance(key, Secret):
            raise TypeError("SecretAuth needs a Secret, not a plain string")
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return "SecretAuth(Secret('********'))"
