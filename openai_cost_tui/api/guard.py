"""Read-only guard: every request is checked before any byte leaves the process."""

from __future__ import annotations

import re

import httpx

from ..core.errors import CostToolError

_ID = r"[A-Za-z0-9_-]+"
ALLOWED_PATHS = tuple(
    re.compile(rf"^{pattern}$")
    for pattern in (
        "/organization/costs",
        "/organization/projects",
        f"/organization/projects/{_ID}",
        f"/organization/projects/{_ID}/api_keys",
        "/organization/usage/[a-z_]+",
        "/organization/spend_alerts",
        f"/organization/projects/{_ID}/spend_alerts",
        "/organization/spend_limit",
        f"/organization/projects/{_ID}/spend_limit",
    )
)


class GuardViolation(CostToolError):
    """A request that is not a GET to an allowlisted Admin API path was about to be sent."""

    title = "Request blocked"


def check_request(method: str, url: httpx.URL, base_url: httpx.URL) -> None:
    """Raise GuardViolation unless this is a GET to an allowlisted path under ``base_url``."""
    if method != "GET":
        raise GuardViolation(f"blocked a {method} request: this tool only reads (GET)")
    if (url.scheme, url.host, url.port) != (base_url.scheme, base_url.host, base_url.port):
        raise GuardViolation(f"blocked a request to {url.scheme}://{url.host}: not the configured API")
    prefix = base_url.path.rstrip("/")
    path = url.path
    if not path.startswith(prefix + "/"):
        raise GuardViolation(f"blocked a request outside the API base path: {path[:80]}")
    rest = path[len(prefix) :]
    if not any(pattern.match(rest) for pattern in ALLOWED_PATHS):
        raise GuardViolation(f"blocked a request to a path this tool never reads: {rest[:80]}")


class ReadOnlyTransport(httpx.BaseTransport):
    """Wraps a transport; refuses anything but GETs to allowlisted paths under ``base_url``."""

    def __init__(self, inner: httpx.BaseTransport, base_url: str | httpx.URL) -> None:
        self._inner = inner
        self._base = httpx.URL(str(base_url))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_request(request.method, request.url, self._base)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
