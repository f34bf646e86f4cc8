"""The read-only guard refuses before the transport (and so the network) sees anything."""

from __future__ import annotations

import httpx
import pytest

from openai_cost_tui.api.client import AdminClient
from openai_cost_tui.api.guard import GuardViolation, ReadOnlyTransport
from openai_cost_tui.core.errors import CostToolError, UsageError
from openai_cost_tui.core.secret import Secret

BASE = "https://api.openai.com/v1"


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


@pytest.fixture
def http(seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    return httpx.Client(base_url=BASE, transport=ReadOnlyTransport(httpx.MockTransport(handler), BASE))


@pytest.mark.parametrize(
    "path",
    [
        "/organization/costs",
        "/organization/projects",
        "/organization/projects/proj_abc",
        "/organization/projects/proj_abc/api_keys",
        "/organization/usage/completions",
        "/organization/spend_alerts",
        "/organization/projects/proj-1/spend_alerts",
        "/organization/spend_limit",
        "/organization/projects/proj_1/spend_limit",
    ],
)
def test_allowlisted_gets_pass(http: httpx.Client, seen: list, path: str) -> None:
    assert http.get(path, params={"limit": 1}).status_code == 200
    assert len(seen) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_other_methods_blocked_before_the_handler(http: httpx.Client, seen: list, method: str) -> None:
    with pytest.raises(GuardViolation, match=method):
        http.request(method, "/organization/costs")
    assert seen == []


@pytest.mark.parametrize(
    "url",
    [
        "/organization/admin_api_keys",
        "/organization/users",
        "/organization/projects/proj_a/service_accounts",
        "/organization/projects/proj_a/api_keys/key_a",
        "/organization/projects/..%2F..%2Fusers/api_keys",
        "/organization/projects/a%2Fb",
        "/organization/costs/extra",
        "/chat/completions",
        "https://api.openai.com/organization/costs",  # outside /v1
        "https://evil.example/v1/organization/costs",
        "http://api.openai.com/v1/organization/costs",
    ],
)
def test_non_allowlisted_blocked(http: httpx.Client, seen: list, url: str) -> None:
    with pytest.raises(GuardViolation):
        http.get(url)
    assert seen == []
    assert issubclass(GuardViolation, CostToolError)


def test_admin_client_always_guards() -> None:
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200, json={}))
    client = AdminClient(Secret("sk-admin-" + "x" * 40), transport=transport)
    with pytest.raises(GuardViolation):
        client._http.request("DELETE", "/organization/projects/proj_a")
    with pytest.raises(GuardViolation):
        client._http.get("/organization/invites")
    with pytest.raises(UsageError):
        client.api_keys("../../users")
    assert calls == []
