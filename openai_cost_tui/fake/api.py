"""The fake Admin API: a pure request handler (method, path, query, headers in; a response out).

Faithful to ``openai-admin-api.yaml`` and to what the live API is known to do (reference/README.md):
costs default to 7 buckets, ``group_by`` arrives as ``group_by=x`` or ``group_by[]=x``, amounts come as
numbers or strings with up to 16 decimals, and non-admin keys are refused. JSON numbers are written
from Decimals digit for digit, never through a float.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.utils import formatdate

from openai_cost_tui.core.clock import system_clock
from openai_cost_tui.core.dates import day_start_unix, unix_to_day

from .faults import HOSTILE_MESSAGE, HOSTILE_PARAM, HOSTILE_TEXTS, Fault, FaultPlan
from .org import GROUP_FIELDS, CostGroup, FakeKey, FakeOrg, FakeProject, aggregate

BASE_PATH = "/v1"
DEMO_KEY = "sk-admin-demo-0000000000000000000000"  # any sk-admin-... key works; this one reads well

# Accepted query parameters per operation (spec path template); tests check them against the spec.
_SPEND_ALERT_PARAMS = ("limit", "order", "after", "before")
QUERY_PARAMS: dict[str, tuple[str, ...]] = {
    "/organization/costs": (
        "start_time",
        "end_time",
        "bucket_width",
        "project_ids",
        "api_key_ids",
        "group_by",
        "limit",
        "page",
    ),
    "/organization/projects": ("limit", "after", "include_archived"),
    "/organization/projects/{project_id}": (),
    "/organization/projects/{project_id}/api_keys": ("limit", "after", "owner_project_access"),
    "/organization/usage/completions": (
        "start_time",
        "end_time",
        "bucket_width",
        "project_ids",
        "user_ids",
        "api_key_ids",
        "models",
        "batch",
        "group_by",
        "limit",
        "page",
    ),
    "/organization/spend_alerts": _SPEND_ALERT_PARAMS,
    "/organization/projects/{project_id}/spend_alerts": _SPEND_ALERT_PARAMS,
    "/organization/spend_limit": (),
    "/organization/projects/{project_id}/spend_limit": (),
}
ARRAY_PARAMS = frozenset({"project_ids", "api_key_ids", "group_by", "user_ids", "models"})
_USAGE_GROUPS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
_USAGE_LIMITS = {"1m": (60, 60, 1440), "1h": (3600, 24, 168), "1d": (86400, 7, 31)}  # width, default, max
_SERVICE_KEYS = ("ci-", "batch-", "nightly-", "etl", "ingest", "cron", "data-pipeline", "load-test", "canary")
_PEOPLE = ("Alice Chen", "Bob Okafor", "Carol Diaz", "Dan Novak", "Erin Walsh", "Farid Haddad")
ENDLESS_CURSOR = "page_endless_"  # cursors of the "endless" fault: a new one on every page
_AMOUNT = re.compile(rb'"amount":\{"value":("(?:[^"\\]|\\.)*"|[^,}]*)')
_PIECE = 1 << 16  # bytes per chunk of a "huge" body
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
    b"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]


@dataclass
class FakeResponse:
    """An answer; ``chunks``, when set, is the body sent piece by piece instead of ``body`` (with a
    ``content-length`` header if its size is known, else chunked)."""

    status: int
    headers: dict[str, str]
    body: bytes
    chunks: Iterator[bytes] | None = None

    def content(self) -> bytes:
        """The whole body (draining ``chunks``: never for a "huge" answer)."""
        if self.chunks is not None:
            self.body, self.chunks = b"".join(self.chunks), None
        return self.body

    def json(self) -> object:
        """The body decoded with exact Decimals."""
        return json.loads(self.content(), parse_float=Decimal)


class FakeReset(Exception):
    """The connection must be dropped without any response ("reset" fault)."""


class FakeTimeout(Exception):
    """A "slow" answer outlasted the caller's read timeout (in-process transport only)."""


class _BadRequest(Exception):
    def __init__(self, message: str, param: str | None) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def decimal_text(value: Decimal) -> str:
    """A Decimal as a JSON number, exactly: positional, no exponent, no trailing zeros."""
    if not value:
        return "0"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def error_body(
    message: str, type_: str = "invalid_request_error", param: str | None = None, code: str | None = None
) -> bytes:
    return _dumps({"error": {"message": message, "type": type_, "param": param, "code": code}})


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class _Query:
    """Query pairs checked against an operation's parameters; ``x[]`` is ``x`` for array parameters."""

    def __init__(self, pairs: Sequence[tuple[str, str]], allowed: Collection[str]) -> None:
        self.values: dict[str, list[str]] = {}
        for raw, value in pairs:
            name = raw[:-2] if raw.endswith("[]") and raw[:-2] in ARRAY_PARAMS else raw
            if name not in allowed:
                raise _BadRequest(f"Unrecognized request argument supplied: {raw}", raw)
            self.values.setdefault(name, []).append(value)
        for name, values in self.values.items():
            if name not in ARRAY_PARAMS and len(values) > 1:
                raise _BadRequest(f"'{name}' was given more than once.", name)

    def one(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(name, [default])[0]

    def many(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        low: int | None = None,
        high: int | None = None,
        required: bool = False,
    ) -> int | None:
        raw = self.one(name)
        if raw is None:
            if required:
                raise _BadRequest(f"Missing required parameter: '{name}'.", name)
            return default
        if not re.fullmatch(r"-?\d{1,15}", raw):
            raise _BadRequest(
                f"Invalid type for '{name}': expected an integer, but got {raw!r} instead.", name
            )
        value = int(raw)
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise _BadRequest(f"Invalid '{name}': {value}. It must be {span}.", name)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.one(name)
        if raw is None:
            return default
        if raw.lower() not in ("true", "false"):
            raise _BadRequest(f"Invalid value for '{name}': expected true or false, got {raw!r}.", name)
        return raw.lower() == "true"

    def choice(self, name: str, allowed: Sequence[str], default: str | None = None) -> str | None:
        value = self.one(name, default)
        if value is not None and value not in allowed:
            raise _BadRequest(
                f"Invalid value for '{name}': {value!r}. Supported values are: "
                f"{', '.join(repr(a) for a in allowed)}.",
                name,
            )
        return value

    def choices(self, name: str, allowed: Sequence[str]) -> list[str]:
        values = self.many(name)
        for value in values:
            if value not in allowed:
                raise _BadRequest(
                    f"Invalid value for '{name}': {value!r}. Supported values are: "
                    f"{', '.join(repr(a) for a in allowed)}.",
                    name,
                )
        return sorted(set(values))

    def fingerprint(self) -> str:
        """Identifies the query without its cursor: arrays as sets, scalars as given."""
        items = sorted(
            (k, sorted(set(v)) if k in ARRAY_PARAMS else v) for k, v in self.values.items() if k != "page"
        )
        return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


_ROUTES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern.replace("{project_id}", r"(?P<project_id>[^/]+)")), pattern, name)
    for pattern, name in (
        ("/organization/costs", "_costs"),
        ("/organization/projects", "_projects"),
        ("/organization/projects/{project_id}", "_project"),
        ("/organization/projects/{project_id}/api_keys", "_api_keys"),
        ("/organization/projects/{project_id}/spend_alerts", "_project_spend_alerts"),
        ("/organization/projects/{project_id}/spend_limit", "_project_spend_limit"),
        ("/organization/usage/completions", "_usage_completions"),
        ("/organization/spend_alerts", "_spend_alerts"),
        ("/organization/spend_limit", "_spend_limit"),
    )
)


class FakeAdminApi:
    """Answers Admin API requests for a :class:`FakeOrg`. Thread-safe; ``requests`` records each call
    (method, path, query; never headers).

    ``reject_api_key_grouping``: 400 for ``group_by=api_key_id``, as one organization saw.
    ``ignore_grouping``: ungrouped totals whatever ``group_by`` says (a real failure mode).
    ``amounts_as``: "number", "string" or "mixed" (a deterministic third of the results as strings).
    """

    def __init__(
        self,
        org: FakeOrg,
        *,
        faults: FaultPlan | None = None,
        reject_api_key_grouping: bool = False,
        ignore_grouping: bool = False,
        amounts_as: str = "mixed",
        revoked_keys: Collection[str] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if amounts_as not in ("number", "string", "mixed"):
            raise ValueError(f"amounts_as must be number, string or mixed, not {amounts_as!r}")
        self.org = org
        self.faults = faults if faults is not None else FaultPlan()
        self.reject_api_key_grouping = reject_api_key_grouping
        self.ignore_grouping = ignore_grouping
        self.amounts_as = amounts_as
        self.revoked_keys = frozenset(revoked_keys)
        self.clock: Callable[[], datetime] = clock or system_clock
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def requests_to(self, fragment: str) -> list[RecordedRequest]:
        """Recorded requests whose path contains ``fragment``."""
        with self._lock:
            return [r for r in self.requests if fragment in r.path]

    # --- entry point ----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        *,
        timeout: float | None = None,
    ) -> FakeResponse:
        """Answer one request. Raises :class:`FakeReset` (drop the connection) or, when a "slow" fault
        outlasts ``timeout`` seconds, :class:`FakeTimeout` after waiting ``timeout``."""
        pairs = tuple((str(k), str(v)) for k, v in query)
        with self._lock:
            self.requests.append(RecordedRequest(method.upper(), path, pairs))
            number = len(self.requests)
        fault = self.faults.next_fault(path)
        response = self._fault(fault, path, timeout) if fault else None
        if response is None:
            if dict(pairs).get("page", "").startswith(ENDLESS_CURSOR):
                response = _json(200, _page_body([], None))  # an "endless" run that ran out ends cleanly
            else:
                response = self._dispatch(method.upper(), path, pairs, headers)
        if fault:
            response = self._alter(fault, response, number)
        response.headers.setdefault("x-request-id", f"req_{number:024x}")
        return response

    def _alter(self, fault: Fault, response: FakeResponse, number: int) -> FakeResponse:
        """The faults that change a normal answer: cut, endless, out-of-range amount, hostile names, drip."""
        kind = fault.kind
        if kind == "malformed":
            return FakeResponse(
                200, {"content-type": "application/json"}, response.body[: len(response.body) // 2]
            )
        ok = response.status == 200 and response.chunks is None
        if kind == "endless" and ok:
            head, sep, _ = response.body.rpartition(b',"has_more":')
            if sep:
                response.body = head + f',"has_more":true,"next_page":"{ENDLESS_CURSOR}{number}"}}'.encode()
        elif kind == "amount" and ok:
            response.body = _AMOUNT.sub(
                lambda m: b'"amount":{"value":' + fault.value.encode(), response.body, count=1
            )
        elif kind == "hostile" and ok:
            response.body = _hostile_names(response.body)
        elif kind == "drip":
            body = response.content()
            response.headers["content-length"] = str(len(body))
            response.chunks = _drip(body, fault.chunk, fault.delay)
        return response

    def _fault(self, fault: Fault, path: str, timeout: float | None) -> FakeResponse | None:
        kind = fault.kind
        if kind == "huge":
            return FakeResponse(200, {"content-type": "application/json"}, b"", _huge(fault.size, path))
        if kind == "hostile-error":
            headers = self._retry_after("1" if fault.retry_after is None else fault.retry_after)
            return _json(fault.status, error_body(HOSTILE_MESSAGE, param=HOSTILE_PARAM), headers)
        if kind == "reset":
            raise FakeReset(fault.path)
        if kind == "slow":
            if timeout is not None and fault.delay > timeout:
                time.sleep(timeout)
                raise FakeTimeout(f"no answer within {timeout} s")
            time.sleep(fault.delay)
            return None
        if kind == "429":
            headers = self._retry_after("1" if fault.retry_after is None else fault.retry_after)
            message = "Rate limit reached for requests to this organization. Please try again later."
            return _json(429, error_body(message, "requests", None, "rate_limit_exceeded"), headers)
        if kind == "500":
            message = "The server had an error while processing your request. Sorry about that!"
            return _json(500, error_body(message, "server_error"))
        if kind == "502":
            return FakeResponse(502, {"content-type": "text/html"}, _HTML_502)
        if kind == "503":
            message = "The server is overloaded or not ready yet."
            headers = self._retry_after("1" if fault.retry_after is None else fault.retry_after)
            return _json(503, error_body(message, "server_error"), headers)
        if kind == "401":
            return _unauthorized()
        if kind == "403":
            return _forbidden()
        return None  # "malformed", "endless", "amount", "hostile" and "drip" change the normal answer

    def _retry_after(self, value: str) -> dict[str, str]:
        if not value:
            return {}
        if value.startswith("date+"):
            value = formatdate(self.clock().timestamp() + float(value[5:]), usegmt=True)
        return {"retry-after": value}

    def _dispatch(
        self, method: str, path: str, pairs: tuple[tuple[str, str], ...], headers: Mapping[str, str]
    ) -> FakeResponse:
        if method != "GET":
            body = error_body(
                f"Method {method} is not allowed: this API is read-only.", code="method_not_allowed"
            )
            return _json(405, body, {"allow": "GET"})
        refused = self._authenticate(headers)
        if refused is not None:
            return refused
        route = _route(path)
        if route is None:
            return _json(404, error_body(f"Invalid URL (GET {path})", code="unknown_url"))
        template, name, params = route
        try:
            query = _Query(pairs, QUERY_PARAMS[template])
            return getattr(self, name)(query, **params)
        except _NotFound as missing:
            return _json(404, error_body(missing.message, code="not_found"))
        except _BadRequest as bad:
            return _json(400, error_body(bad.message, param=bad.param))

    def _authenticate(self, headers: Mapping[str, str]) -> FakeResponse | None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if not value.strip():
            return _unauthorized(
                "You didn't provide an API key. Provide your Admin API key in an Authorization "
                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        if scheme.lower() == "bearer" and token.startswith("sk-proj-"):
            return _forbidden()
        if scheme.lower() != "bearer" or not token.startswith("sk-admin-") or len(token) <= len("sk-admin-"):
            return _unauthorized()
        if token in self.revoked_keys:
            return _unauthorized("Incorrect API key provided: this Admin key has been revoked.")
        return None

    # --- costs and usage ------------------------------------------------------------------------

    def _costs(self, q: _Query) -> FakeResponse:
        start = q.integer("start_time", required=True, low=0)
        end = q.integer("end_time", low=0)
        q.choice("bucket_width", ("1d",), "1d")
        limit = q.integer("limit", 7, low=1, high=180)
        group_by = q.choices("group_by", GROUP_FIELDS)
        if self.reject_api_key_grouping and "api_key_id" in group_by:
            raise _BadRequest(
                "Invalid value for 'group_by': grouping by 'api_key_id' is not supported for "
                "this organization.",
                "group_by",
            )
        project_ids, key_ids = set(q.many("project_ids")), set(q.many("api_key_ids"))
        starts, next_page = self._page(q, self._bucket_starts(start, end, 86400), limit)  # type: ignore[arg-type]
        buckets = []
        for bucket_start in starts:
            day = unix_to_day(bucket_start)
            rows = [
                c
                for c in self.org.costs(day)
                if (not project_ids or c.project_id in project_ids)
                and (not key_ids or c.api_key_id in key_ids)
            ]
            groups = aggregate(rows, () if self.ignore_grouping else group_by)
            results = ",".join(self._cost_result(day.isoformat(), g) for g in groups)
            buckets.append(
                f'{{"object":"bucket","start_time":{bucket_start},'
                f'"end_time":{bucket_start + 86400},"results":[{results}]}}'
            )
        return _json(200, _page_body(buckets, next_page))

    def _cost_result(self, day: str, g: CostGroup) -> str:
        value = decimal_text(g.amount)
        if self.amounts_as == "string" or (
            self.amounts_as == "mixed"
            and zlib.crc32(f"{day}|{g.project_id}|{g.line_item}|{g.api_key_id}".encode()) % 3 == 0
        ):
            value = f'"{value}"'
        quantity = "null" if g.quantity is None else decimal_text(g.quantity)
        js = json.dumps
        return (
            f'{{"object":"organization.costs.result","amount":{{"value":{value},"currency":{js(g.currency)}}},'
            f'"line_item":{js(g.line_item)},"project_id":{js(g.project_id)},"api_key_id":{js(g.api_key_id)},'
            f'"quantity":{quantity},"quantity_unit":{js(g.unit)}}}'
        )

    def _usage_completions(self, q: _Query) -> FakeResponse:
        """Spec-shaped but minimal: empty buckets over the range."""
        start = q.integer("start_time", required=True, low=0)
        end = q.integer("end_time", low=0)
        width_name = q.choice("bucket_width", tuple(_USAGE_LIMITS), "1d")
        width, default_limit, max_limit = _USAGE_LIMITS[width_name or "1d"]
        limit = q.integer("limit", default_limit, low=1, high=max_limit)
        q.choices("group_by", _USAGE_GROUPS)
        q.boolean("batch", False)
        starts, next_page = self._page(q, self._bucket_starts(start, end, width), limit)  # type: ignore[arg-type]
        buckets = [
            f'{{"object":"bucket","start_time":{s},"end_time":{s + width},"results":[]}}' for s in starts
        ]
        return _json(200, _page_body(buckets, next_page))

    def _bucket_starts(self, start: int, end: int | None, width: int) -> range:
        """Bucket start times covering ``[start, end)``, aligned to ``width``, none after the current one."""
        now = int(self.clock().timestamp())
        if end is not None and end <= start:
            raise _BadRequest("'end_time' must be after 'start_time'.", "end_time")
        limit = now - now % width + width
        stop = limit if end is None else min(end, limit)
        return range(start - start % width, max(stop, start - start % width), width)

    def _page(self, q: _Query, starts: range, limit: int) -> tuple[range, str | None]:
        fingerprint = q.fingerprint()
        offset = 0
        cursor = q.one("page")
        if cursor is not None:
            offset = _decode_cursor(cursor, fingerprint, starts)
        following = offset + limit
        next_page = _encode_cursor(starts[following], fingerprint) if following < len(starts) else None
        return starts[offset:following], next_page

    # --- projects and keys ----------------------------------------------------------------------

    def _projects(self, q: _Query) -> FakeResponse:
        limit = q.integer("limit", 20, low=1, high=100)
        include = q.boolean("include_archived", False)
        projects = sorted(self.org.projects, key=lambda p: (p.created_at, p.id))
        projects = [p for p in projects if include or p.archived_at is None]
        return _json(200, _list_body(projects, q.one("after"), limit, _project_json))  # type: ignore[arg-type]

    def _project(self, q: _Query, project_id: str) -> FakeResponse:
        return _json(200, _dumps(_project_json(self._find_project(project_id))))

    def _api_keys(self, q: _Query, project_id: str) -> FakeResponse:
        self._find_project(project_id)
        limit = q.integer("limit", 20, low=1, high=100)
        access = q.choice("owner_project_access", ("active", "inactive", "any"))
        keys = sorted(self.org.keys_of(project_id), key=lambda k: (k.created_at, k.id))
        if access == "inactive":
            keys = []  # every fake key's owner still has access
        return _json(200, _list_body(keys, q.one("after"), limit, self._key_json))  # type: ignore[arg-type]

    def _find_project(self, project_id: str) -> FakeProject:
        project = self.org.project(project_id)
        if project is None:
            raise _NotFound(f"No such project: '{project_id}'.")
        return project

    def _key_json(self, key: FakeKey) -> dict[str, object]:
        project = self.org.project(key.project_id)
        used = day_start_unix(self.org.end) + 7200
        if project is not None and project.archived_at is not None:
            used = project.archived_at - 3600
        digest = hashlib.sha256(key.id.encode()).hexdigest()
        if key.name.startswith(_SERVICE_KEYS):
            owner = {
                "type": "service_account",
                "service_account": {
                    "id": f"svc_acct_{digest[:24]}",
                    "name": key.name,
                    "created_at": key.created_at,
                    "role": "member",
                },
            }
        else:
            person = _PEOPLE[int(digest[:8], 16) % len(_PEOPLE)]
            email = person.split()[0].lower() + "@example.com"
            owner = {
                "type": "user",
                "user": {
                    "id": f"user-{digest[:24]}",
                    "name": person,
                    "email": email,
                    "created_at": key.created_at - 86400,
                    "role": "owner",
                },
            }
        return {
            "object": "organization.project.api_key",
            "redacted_value": key.redacted_value,
            "name": key.name,
            "created_at": key.created_at,
            "last_used_at": used if used > key.created_at else None,
            "id": key.id,
            "owner_project_access": "active",
            "owner": owner,
        }

    # --- spend alerts and limits ----------------------------------------------------------------

    def _spend_alerts(self, q: _Query) -> FakeResponse:
        q.integer("limit", 20, low=0, high=100)
        q.choice("order", ("asc", "desc"), "asc")
        alert = {
            "id": "alert_" + self.org.organization_id[4:16],
            "object": "organization.spend_alert",
            "threshold_amount": 500_000,
            "currency": "USD",
            "interval": "month",
            "notification_channel": {
                "type": "email",
                "recipients": ["finance@example.com"],
                "subject_prefix": "OpenAI spend alert",
            },
        }
        data = [] if q.one("after") or q.one("before") or q.one("limit") == "0" else [alert]
        first = data[0]["id"] if data else None
        return _json(
            200,
            _dumps({"object": "list", "data": data, "first_id": first, "last_id": first, "has_more": False}),
        )

    def _project_spend_alerts(self, q: _Query, project_id: str) -> FakeResponse:
        self._find_project(project_id)
        q.integer("limit", 20, low=0, high=100)
        q.choice("order", ("asc", "desc"), "asc")
        return _json(
            200, _dumps({"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False})
        )

    def _spend_limit(self, q: _Query) -> FakeResponse:
        return _json(
            200,
            _dumps(
                {
                    "object": "organization.spend_limit",
                    "threshold_amount": 2_500_000,
                    "currency": "USD",
                    "interval": "month",
                    "enforcement": {"status": "enforcing"},
                }
            ),
        )

    def _project_spend_limit(self, q: _Query, project_id: str) -> FakeResponse:
        self._find_project(project_id)
        return _json(
            200,
            _dumps(
                {
                    "object": "project.spend_limit",
                    "threshold_amount": 200_000,
                    "currency": "USD",
                    "interval": "month",
                    "enforcement": {"status": "inactive"},
                }
            ),
        )


def _route(path: str) -> tuple[str, str, dict[str, str]] | None:
    """(spec path template, handler name, path parameters) for a ``/v1/...`` path."""
    if not path.startswith(BASE_PATH + "/"):
        return None
    for pattern, template, name in _ROUTES:
        match = pattern.fullmatch(path[len(BASE_PATH) :])
        if match:
            return template, name, match.groupdict()
    return None


class _NotFound(_BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(message, None)


def _json(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> FakeResponse:
    return FakeResponse(status, {"content-type": "application/json", **(headers or {})}, body)


def _unauthorized(
    message: str = "Incorrect API key provided. An Admin API key (sk-admin-...) is required; "
    "create one at https://platform.openai.com/settings/organization/admin-keys.",
) -> FakeResponse:
    return _json(401, error_body(message, code="invalid_api_key"))


def _forbidden() -> FakeResponse:
    message = (
        "You have insufficient permissions for this operation. Missing scopes: api.usage.read. "
        "This is not an Admin key: project keys (sk-proj-...) cannot read organization costs."
    )
    return _json(403, error_body(message, code="insufficient_permissions"))


def _huge(size: int, path: str) -> Iterator[bytes]:
    """Valid JSON of ``size`` bytes (at least its frame): a page or list padded with spaces, made as it
    is sent, never held whole."""
    if "/costs" in path or "/usage/" in path:
        head, tail = b'{"object":"page","data":[', b'],"has_more":false,"next_page":null}'
    else:
        head, tail = b'{"object":"list","data":[', b'],"has_more":false}'
    yield head
    left = size - len(head) - len(tail)
    piece = b" " * _PIECE
    while left > 0:
        yield piece[: min(left, _PIECE)]
        left -= _PIECE
    yield tail


def _drip(body: bytes, chunk: int, delay: float) -> Iterator[bytes]:
    for start in range(0, len(body), chunk):
        if start:
            time.sleep(delay)
        yield body[start : start + chunk]


def _hostile_names(body: bytes) -> bytes:
    """Project and API key names replaced by HOSTILE_TEXTS in turn (the first item of a page gets the
    first text, "[/bold] x"; a list always comes in the same order, so an id keeps its name)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        return body
    items = data.get("data") if isinstance(data.get("data"), list) else [data]
    named = [item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str) and "name" in item]
    for index, item in enumerate(named):
        item["name"] = HOSTILE_TEXTS[index % len(HOSTILE_TEXTS)]
    return _dumps(data)


def _page_body(buckets: list[str], next_page: str | None) -> bytes:
    more = "true" if next_page else "false"
    return f'{{"object":"page","data":[{",".join(buckets)}],"has_more":{more},"next_page":{json.dumps(next_page)}}}'.encode()


def _list_body(
    items: Sequence[FakeProject | FakeKey],
    after: str | None,
    limit: int,
    render: Callable[[object], dict[str, object]],
) -> bytes:
    offset = 0
    if after is not None:
        ids = [item.id for item in items]
        if after not in ids:
            raise _BadRequest(f"Invalid 'after': no object with id {after!r} in this list.", "after")
        offset = ids.index(after) + 1
    page = items[offset : offset + limit]
    return _dumps(
        {
            "object": "list",
            "data": [render(item) for item in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": offset + limit < len(items),
        }
    )


def _project_json(project: object) -> dict[str, object]:
    assert isinstance(project, FakeProject)
    return {
        "id": project.id,
        "object": "organization.project",
        "name": project.name,
        "created_at": project.created_at,
        "archived_at": project.archived_at,
        "status": "archived" if project.archived_at is not None else "active",
    }


def _encode_cursor(next_start: int, fingerprint: str) -> str:
    return "page_" + base64.urlsafe_b64encode(f"{next_start}.{fingerprint}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, fingerprint: str, starts: range) -> int:
    """The offset of the cursor's bucket in ``starts``; 400 for a foreign or malformed cursor."""
    try:
        raw = cursor.removeprefix("page_")
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        start_text, _, owner = text.partition(".")
        start = int(start_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _BadRequest("Invalid 'page': not a cursor this API issued.", "page") from None
    if owner != fingerprint:
        raise _BadRequest(
            "Invalid 'page': the cursor belongs to a request with other parameters; repeat the "
            "original parameters with it.",
            "page",
        )
    if start not in starts:
        raise _BadRequest("Invalid 'page': the cursor is outside the requested range.", "page")
    return starts.index(start)
