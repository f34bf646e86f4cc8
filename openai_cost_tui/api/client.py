"""AdminClient: read-only access to the OpenAI Admin API (costs, projects, project API keys)."""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import metadata
from typing import Any

import httpx

from ..core.dates import day_start_unix, today_utc
from ..core.errors import ApiError, Cancelled, ProtocolError, UsageError
from ..core.models import ApiKeyInfo, CostRow, Project
from ..core.secret import Secret
from .auth import SecretAuth
from .errors import error_for_response, status_reason, transport_reason
from .guard import ReadOnlyTransport
from .limits import SpendAlert, SpendLimit, parse_spend_alerts_page, parse_spend_limit
from .parse import (
    GROUP_FIELDS,
    CostsPage,
    ListPage,
    decode_json,
    parse_api_keys_page,
    parse_costs_page,
    parse_projects_page,
)
from .retry import RetryPolicy, is_retryable_exception, is_retryable_status, parse_retry_after

__all__ = ["AdminClient", "CostsPage", "CostsQuery", "DEFAULT_BASE_URL", "MAX_PAGES"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_PAGES = 10_000
LIST_LIMIT = 100
COSTS_PATH = "/organization/costs"
_ID = re.compile(r"[A-Za-z0-9_-]+")
log = logging.getLogger(__name__)


@cache
def user_agent() -> str:
    try:
        version = metadata.version("openai-cost-tui")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"openai-cost-tui/{version}"


@dataclass(frozen=True)
class CostsQuery:
    """UTC days ``[start, end)``, sent as unix seconds; array parameters are repeated."""

    start: date
    end: date
    group_by: tuple[str, ...] = ("project_id", "line_item", "api_key_id")
    project_ids: tuple[str, ...] = ()
    api_key_ids: tuple[str, ...] = ()
    limit: int = 180
    bucket_width: str = "1d"

    def __post_init__(self) -> None:
        for name in ("group_by", "project_ids", "api_key_ids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.start >= self.end:
            raise UsageError(f"empty window: {self.start.isoformat()} is not before {self.end.isoformat()}")
        unknown = set(self.group_by) - set(GROUP_FIELDS)
        if unknown or len(set(self.group_by)) != len(self.group_by):
            raise UsageError(f"group_by must be distinct fields of {', '.join(GROUP_FIELDS)}")
        if not 1 <= self.limit <= 180:
            raise UsageError("limit must be between 1 and 180 buckets")
        if self.bucket_width != "1d":
            raise UsageError("only daily buckets (1d) are supported")

    def params(self, page: str | None = None) -> list[tuple[str, str]]:
        """Every parameter, repeated identically on each page; ``page`` is the cursor."""
        params = [
            ("start_time", str(day_start_unix(self.start))),
            ("end_time", str(day_start_unix(self.end))),
            ("bucket_width", self.bucket_width),
            ("limit", str(self.limit)),
        ]
        params += [("group_by", field) for field in self.group_by]
        params += [("project_ids", pid) for pid in self.project_ids]
        params += [("api_key_ids", kid) for kid in self.api_key_ids]
        if page is not None:
            params.append(("page", page))
        return params


def _project_id(project_id: str) -> str:
    if not _ID.fullmatch(project_id or ""):
        raise UsageError("not a project id (letters, digits, - and _ only)")
    return project_id


def _default_transport(base: httpx.URL) -> httpx.BaseTransport:
    """An HTTP transport honouring HTTPS_PROXY/HTTP_PROXY/NO_PROXY (never for loopback)."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(base.scheme) or proxies.get("all")
    loopback = base.host in ("localhost", "127.0.0.1", "::1")
    if proxy and not loopback and not urllib.request.proxy_bypass(base.host):
        return httpx.HTTPTransport(proxy=proxy)
    return httpx.HTTPTransport()


class AdminClient:
    """GET-only client; every request passes the read-only guard, retries are bounded."""

    def __init__(
        self,
        key: Secret,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        cancel: threading.Event | None = None,
        max_pages: int = MAX_PAGES,
    ) -> None:
        base = httpx.URL(base_url.rstrip("/"))
        if base.scheme not in ("http", "https") or not base.host:
            raise UsageError("the base URL must look like https://api.openai.com/v1")
        self.base_url = str(base)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._cancel = cancel
        self._max_pages = max_pages
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=ReadOnlyTransport(transport or _default_transport(base), base),
            auth=SecretAuth(key),
            timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"AdminClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- costs --------------------------------------------------------------------------------------

    def iter_cost_pages(self, query: CostsQuery) -> Iterator[CostsPage]:
        """Every page of the window; ProtocolError on a repeated or missing cursor."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(self._max_pages):
            body = self._get(COSTS_PATH, query.params(cursor), "costs")
            page = parse_costs_page(body, group_by=query.group_by)
            if not page.has_more:
                yield page
                return
            if page.next_page is None:
                raise ProtocolError(
                    "the API said more cost pages follow but sent no cursor; the window was not read"
                )
            if page.next_page in seen:
                raise ProtocolError("the API sent the same page cursor twice; stopped instead of looping")
            seen.add(page.next_page)
            cursor = page.next_page
            yield page
        raise ProtocolError(f"the API sent more than {self._max_pages} pages of costs; stopped")

    def costs(self, query: CostsQuery) -> list[CostRow]:
        return [row for page in self.iter_cost_pages(query) for row in page.rows]

    def check_key(self) -> None:
        """One read (yesterday's costs, limit=1): AuthError with a helpful message if refused."""
        yesterday = today_utc() - timedelta(days=1)
        query = CostsQuery(yesterday, yesterday + timedelta(days=1), group_by=(), limit=1)
        parse_costs_page(self._get(COSTS_PATH, query.params(), "costs"))

    # -- names --------------------------------------------------------------------------------------

    def projects(self) -> list[Project]:
        """Every project, archived ones included."""
        params = [("limit", str(LIST_LIMIT)), ("include_archived", "true")]
        return self._list("/organization/projects", params, "projects", parse_projects_page)

    def api_keys(self, project_id: str, *, owner_project_access: str | None = None) -> list[ApiKeyInfo]:
        """Every API key of a project (names only; the API never sends key values)."""
        _project_id(project_id)
        params = [("limit", str(LIST_LIMIT))]
        if owner_project_access:
            params.append(("owner_project_access", owner_project_access))
        path = f"/organization/projects/{project_id}/api_keys"
        return self._list(
            path, params, f"API keys of {project_id}", lambda body: parse_api_keys_page(body, project_id)
        )

    # -- spend limits and alerts (None when the key may not read them: 403/404) ------------------------

    def spend_limit(self) -> SpendLimit | None:
        """The organization's hard spend limit."""
        return self._optional(lambda: parse_spend_limit(self._get("/organization/spend_limit", [], "spend limit")))

    def project_spend_limit(self, project_id: str) -> SpendLimit | None:
        path = f"/organization/projects/{_project_id(project_id)}/spend_limit"
        return self._optional(
            lambda: parse_spend_limit(self._get(path, [], f"spend limit of {project_id}"), project_id)
        )

    def spend_alerts(self) -> list[SpendAlert] | None:
        """The organization's spend alerts."""
        params = [("limit", str(LIST_LIMIT))]
        return self._optional(
            lambda: self._list("/organization/spend_alerts", params, "spend alerts", parse_spend_alerts_page)
        )

    def project_spend_alerts(self, project_id: str) -> list[SpendAlert] | None:
        path = f"/organization/projects/{_project_id(project_id)}/spend_alerts"
        params = [("limit", str(LIST_LIMIT))]
        return self._optional(
            lambda: self._list(path, params, f"spend alerts of {project_id}",
                               lambda body: parse_spend_alerts_page(body, project_id))
        )

    @staticmethod
    def _optional(read: Callable[[], Any]) -> Any:
        """Limits and alerts are extras: a key that may not read them (403) or an API without them
        (404) gives None; other failures (401, 5xx, bad JSON) still raise."""
        try:
            return read()
        except ApiError as exc:
            if exc.status in (403, 404):
                log.info("spend limits/alerts not readable (%s)", exc.status)
                return None
            raise

    def _list(
        self, path: str, params: list[tuple[str, str]], what: str, parse: Callable[[Any], ListPage]
    ) -> list[Any]:
        items: list[Any] = []
        after: str | None = None
        seen: set[str] = set()
        for _ in range(self._max_pages):
            page = parse(self._get(path, params + ([("after", after)] if after else []), what))
            items.extend(page.items)
            more = page.has_more if page.has_more is not None else len(page.items) >= LIST_LIMIT
            if not more:
                return items
            if not page.items or page.last_id is None:
                raise ProtocolError(f"the API said more {what} follow but sent none to continue after")
            if page.last_id in seen:
                raise ProtocolError(f"the API repeated a page of {what}; stopped instead of looping")
            seen.add(page.last_id)
            after = page.last_id
        raise ProtocolError(f"the API sent more than {self._max_pages} pages of {what}; stopped")

    # -- transport ----------------------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()

    def _pause(self, seconds: float) -> None:
        if self._cancel is not None and self._sleep is time.sleep:
            self._cancel.wait(seconds)  # wakes up at once when cancelled
        else:
            self._sleep(seconds)
        self._check_cancel()

    def _get(self, path: str, params: list[tuple[str, str]], what: str) -> Any:
        """One GET with bounded retries; returns the decoded JSON body of a 2xx answer."""
        policy = self._retry
        spent = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._check_cancel()
            started = time.monotonic()
            status: int | None = None
            retry_after: float | None = None
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError as exc:
                if not is_retryable_exception(exc):
                    raise ApiError(f"could not reach the API for {what}: {transport_reason(exc)}") from None
                reason = transport_reason(exc)
            except httpx.HTTPError as exc:  # anything else httpx raises: a protocol fault, never retried
                raise ApiError(f"could not read the API's answer for {what}: {type(exc).__name__}") from None
            else:
                if response.is_success:
                    return decode_json(response.content)
                status = response.status_code
                if not is_retryable_status(status):
                    raise error_for_response(response, what)
                reason = status_reason(response)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            spent += time.monotonic() - started
            delay = policy.delay(attempt, retry_after)
            if attempt >= policy.max_attempts or spent + delay > policy.budget_seconds:
                raise ApiError(
                    f"gave up after {attempt} attempts over {spent:.0f} s reading {what}: {reason}",
                    status=status,
                    retryable=True,
                )
            log.info("retrying %s in %.1f s after attempt %d: %s", what, delay, attempt, reason)
            self._pause(delay)
            spent += delay
