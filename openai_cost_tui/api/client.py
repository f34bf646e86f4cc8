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

from ..core.base_url import DEFAULT_BASE_URL
from ..core.dates import day_start_unix, today_utc
from ..core.errors import ApiError, Cancelled, ProtocolError, UsageError
from ..core.models import ApiKeyInfo, CostRow, Project
from ..core.secret import Secret
from .auth import SecretAuth
from .errors import ErrorAnswer, error_for_response, status_reason, transport_reason
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
from .watchdog import Sockets, Watchdog

__all__ = [
    "AdminClient",
    "CostsPage",
    "CostsQuery",
    "DEFAULT_BASE_URL",
    "MAX_BODY_BYTES",
    "MAX_PAGES",
    "REQUEST_DEADLINE",
    "TOTAL_DEADLINE",
]


MAX_PAGES = 1_000
"""Pages of one query (one window of costs, one list of projects or keys) before the client stops: a
cursor that changes on every page would otherwise be read forever. A window is one page (180 daily
buckets fit one page); 1,000 pages of 100 are 100,000 projects or keys of one project."""

MAX_BODY_BYTES = 512 * 2**20
"""The largest answer read (512 MiB, after decompression): past it the request fails and the rest is
never read, so memory stays bounded. A cost result is about 250 bytes of JSON; the fake large
organization (300 projects, ~4,350 results a day) makes a 180-day page of ~200 MB, the most a real
page of such an organization can be, and the sync engine's windows (~150,000 rows) ~40 MB."""

MAX_ERROR_BODY_BYTES = 2**20
"""An error answer (4xx/5xx) is read up to 1 MiB; the rest is dropped (the message is in the start)."""

REQUEST_DEADLINE = 120.0
"""Seconds of wall clock for one GET, headers and body, however slowly the body drips (httpx's
timeouts are per read, so a byte a second never trips them). The fake large organization's 180-day
page, the slowest answer seen, takes ~20 s; a read timeout longer than this raises the deadline to it."""

TOTAL_DEADLINE = 30 * 60.0
"""Seconds for everything one client does, from its creation (the sync engine makes one client per
connection per sync): a year of the fake large organization syncs in ~2 min over loopback. A sync
cut short keeps the windows it stored; the next one goes on from there."""

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
        max_body_bytes: int = MAX_BODY_BYTES,
        request_deadline: float | None = None,
        total_deadline: float | None = TOTAL_DEADLINE,
    ) -> None:
        """``request_deadline``: seconds for one GET (default REQUEST_DEADLINE, or ``timeout`` if longer);
        ``total_deadline``: seconds for all this client's work from now (None: no limit)."""
        base = httpx.URL(base_url.rstrip("/"))
        if base.scheme not in ("http", "https") or not base.host:
            raise UsageError(f"the base URL must look like {DEFAULT_BASE_URL}")
        if max_pages < 1 or max_body_bytes < 1:
            raise ValueError("max_pages and max_body_bytes must be positive")
        self.base_url = str(base)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._cancel = cancel
        self._max_pages = max_pages
        self._max_body = max_body_bytes
        self._request_deadline = max(REQUEST_DEADLINE, timeout) if request_deadline is None else request_deadline
        self._total_deadline = total_deadline
        self._ends = None if total_deadline is None else time.monotonic() + total_deadline
        self._sockets = Sockets()
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
        raise ProtocolError(
            f"the API sent more than {self._max_pages:,} pages of costs, each with a new cursor; "
            "stopped instead of reading forever"
        )

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
        raise ProtocolError(
            f"the API sent more than {self._max_pages:,} pages of {what}, each with a new cursor; "
            "stopped instead of reading forever"
        )

    # -- transport ----------------------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()

    def _pause(self, seconds: float) -> None:
        """Wait between attempts; a cancel ends the wait at once (the injected ``sleep`` is for tests)."""
        if self._cancel is not None and self._sleep is time.sleep:
            self._cancel.wait(seconds)
        else:
            self._sleep(seconds)
        self._check_cancel()

    def _out_of_time(self, what: str) -> ApiError:
        return ApiError(
            f"stopped reading {what}: this client's work ran past its limit of "
            f"{_duration(self._total_deadline or 0)}; the next sync goes on from here",
            retryable=True,
        )

    def _get(self, path: str, params: list[tuple[str, str]], what: str) -> Any:
        """One GET with bounded retries; returns the decoded JSON body of a 2xx answer."""
        policy = self._retry
        spent = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._check_cancel()
            if self._ends is not None and time.monotonic() >= self._ends:
                raise self._out_of_time(what)
            started = time.monotonic()
            answer = self._attempt(path, params, what)
            if not isinstance(answer, _Retry):
                return answer
            spent += time.monotonic() - started
            status, reason, retry_after = answer.status, answer.reason, answer.retry_after
            if retry_after is not None and retry_after > policy.retry_after_cap:
                raise ApiError(
                    f"the API asked to wait {_asked(retry_after)} before retrying {what}, longer than this "
                    f"tool waits ({policy.retry_after_cap:.0f} s at most); gave up after {attempt} "
                    f"attempt{'s' if attempt > 1 else ''}: {reason}",
                    status=status,
                    retryable=True,
                )
            delay = policy.delay(attempt, retry_after)
            if attempt >= policy.max_attempts or spent + delay > policy.budget_seconds:
                raise ApiError(
                    f"gave up after {attempt} attempts over {spent:.0f} s reading {what}: {reason}",
                    status=status,
                    retryable=True,
                )
            if self._ends is not None and time.monotonic() + delay >= self._ends:
                raise self._out_of_time(what)
            log.info("retrying %s in %.1f s after attempt %d: %s", what, delay, attempt, reason)
            self._pause(delay)
            spent += delay

    def _attempt(self, path: str, params: list[tuple[str, str]], what: str) -> Any:
        """One GET: the decoded body of a 2xx answer, a _Retry for what may pass on a retry; raises
        for everything else. Every httpx exception becomes an ApiError here."""
        now = time.monotonic()
        deadline = now + self._request_deadline
        if self._ends is not None:
            deadline = min(deadline, self._ends)
        watch = Watchdog(self._cancel, deadline, self._sockets.abort)
        try:
            with watch, self._http.stream(
                "GET", path, params=params, extensions={"trace": self._sockets.trace}
            ) as response:
                if response.is_success:
                    body = self._read(response, what, deadline, self._max_body)
                else:
                    body = self._read(response, what, deadline, MAX_ERROR_BODY_BYTES, truncate=True)
        except httpx.TransportError as exc:
            self._interrupted(watch, what)
            if not is_retryable_exception(exc):
                raise ApiError(f"could not reach the API for {what}: {transport_reason(exc)}") from None
            return _Retry(None, transport_reason(exc), None)
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL, httpx.CookieConflict) as exc:
            # anything else httpx raises (a decoding or protocol fault): never retried
            self._interrupted(watch, what)
            raise ApiError(f"could not read the API's answer for {what}: {type(exc).__name__}") from None
        if response.is_success:
            return decode_json(body)
        error = ErrorAnswer(response.status_code, response.reason_phrase, bytes(body))
        if not is_retryable_status(error.status_code):
            raise error_for_response(error, what)
        return _Retry(error.status_code, status_reason(error), parse_retry_after(response.headers.get("retry-after")))

    def _interrupted(self, watch: Watchdog, what: str) -> None:
        """After a failed read: Cancelled or the deadline error if the watchdog cut the connection."""
        if watch.reason == "cancelled" or (self._cancel is not None and self._cancel.is_set()):
            raise Cancelled()
        if watch.reason == "deadline":
            raise self._deadline_error(what)

    def _deadline_error(self, what: str) -> ApiError:
        if self._ends is not None and time.monotonic() >= self._ends:
            return self._out_of_time(what)
        return ApiError(
            f"the API's answer for {what} took longer than {_duration(self._request_deadline)} "
            "(the limit for one request, body included); stopped waiting for it",
            retryable=True,
        )

    def _read(
        self, response: httpx.Response, what: str, deadline: float, limit: int, *, truncate: bool = False
    ) -> bytearray:
        """The body, chunk by chunk: at most ``limit`` bytes (decompressed), checking cancel and the
        deadline between chunks. Past the limit: ApiError, or the first ``limit`` bytes if ``truncate``."""
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            raise self._too_large(what, limit)
        body = bytearray()
        for chunk in response.iter_bytes():
            self._check_cancel()
            if time.monotonic() >= deadline:
                raise self._deadline_error(what)
            if len(body) + len(chunk) > limit:
                if not truncate:
                    raise self._too_large(what, limit)
                body += chunk[: limit - len(body)]
                break
            body += chunk
        return body  # not copied: json.loads reads a bytearray

    @staticmethod
    def _too_large(what: str, limit: int) -> ApiError:
        return ApiError(
            f"the API's answer for {what} was larger than {_size(limit)}; stopped reading it "
            "(a real answer is far smaller: check the base URL and any proxy in between)"
        )


@dataclass(frozen=True)
class _Retry:
    """A failed attempt that may pass on a retry: HTTP status (None for a transport failure), reason."""

    status: int | None
    reason: str
    retry_after: float | None


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} bytes"


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:g} s"


def _asked(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds < 10**12 else "practically forever"
