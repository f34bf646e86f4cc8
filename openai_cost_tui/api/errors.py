"""Turning HTTP failures into typed errors with short, key-free messages."""

from __future__ import annotations

import json
import re
from typing import Protocol

import httpx

from ..core.base_url import DEFAULT_BASE_URL
from ..core.errors import ApiError, AuthError, ProtocolError
from ..core.text import shown

MAX_QUOTE = 160
_KEYLIKE = re.compile(r"\bsk-[\w\-*.~+/=]{4,}|\bBearer\s+\S+", re.IGNORECASE)
ADMIN_KEYS_HINT = "an organization owner creates one under Settings > Admin keys"


class Answer(Protocol):
    """What the error helpers read of an answer: an ``httpx.Response``, or an :class:`ErrorAnswer`."""

    @property
    def status_code(self) -> int: ...

    @property
    def reason_phrase(self) -> str: ...

    @property
    def content(self) -> bytes: ...


class ErrorAnswer:
    """An error answer whose body was read with a bound (the client streams every body)."""

    def __init__(self, status_code: int, reason_phrase: str, content: bytes) -> None:
        self.status_code, self.reason_phrase, self.content = status_code, reason_phrase, content


class AmountOutOfRange(ProtocolError):
    """An amount or quantity the API sent that no real cost row reaches (see ``parse.MAX_AMOUNT``)."""

    title = "Amount out of range"


class GroupingRejected(ApiError):
    """HTTP 400 for ``group_by``: the organization refuses one of the grouping fields."""

    title = "Grouping refused"


def printable(text: str) -> str:
    """``text`` with every control character (ESC, BEL, CR, bidi overrides...) written as its escape
    (``\\x1b``): core.text's one rule, so outside text never reaches a terminal raw."""
    return shown(text)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def scrub(text: str, limit: int = MAX_QUOTE) -> str:
    """One short printable line, with anything that looks like a key or a bearer token removed."""
    line = " ".join(text.split())
    line = _KEYLIKE.sub("[redacted]", line)
    return shorten(printable(shorten(line, 4 * limit)), limit)


def quote_value(raw: object, limit: int = 40) -> str:
    """An outside value for a message: strings in quotes, escaped, at most ``limit`` characters."""
    text = printable(raw if isinstance(raw, str) else str(raw))
    if isinstance(raw, str):
        return '"' + shorten(text, limit - 2) + '"'
    return shorten(text, limit)


def api_detail(response: Answer) -> tuple[str | None, str | None]:
    """The API's (message, param) from ``{"error": {...}}`` or ``{"error": "..."}``; Nones for HTML."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return scrub(error), None
    if isinstance(error, dict):
        message, param = error.get("message"), error.get("param")
        return (
            scrub(message) if isinstance(message, str) and message.strip() else None,
            scrub(param, 40) if isinstance(param, str) and param else None,
        )
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return scrub(body["message"]), None
    return None, None


def status_reason(response: Answer) -> str:
    """``HTTP 503 Service Unavailable: <API message>`` for logs and give-up messages."""
    message, _ = api_detail(response)
    head = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return f"{head}: {message}" if message else head


def transport_reason(exc: BaseException) -> str:
    """A short description of a timeout or connection failure."""
    if isinstance(exc, httpx.TimeoutException):
        kind = "timed out"
    elif isinstance(exc, httpx.RemoteProtocolError):
        kind = "connection closed by the server"
    elif isinstance(exc, httpx.ConnectError):
        kind = "could not connect"
    else:
        kind = "connection failed"
    detail = scrub(str(exc), 100)
    return f"{kind} ({detail})" if detail else kind


def error_for_response(response: Answer, what: str) -> ApiError:
    """The typed error for a final (non-retried) error response to the request for ``what``."""
    status = response.status_code
    message, param = api_detail(response)
    said = f' The API said: "{message}"' if message else ""
    if status == 400:
        if (param and param.split("[")[0] == "group_by") or (not param and message and "group_by" in message):
            return GroupingRejected(
                f"the API refused the grouping of {what} (400, parameter group_by).{said}", status=400
            )
        named = f"parameter {param}" if param else "no parameter named"
        return ApiError(f"the API refused the request for {what} (400, {named}).{said}", status=400)
    if status == 401:
        return AuthError(
            "the key was refused (401): it is not a valid Admin key or it was revoked; "
            f"create a new Admin key ({ADMIN_KEYS_HINT}).{said}",
            status=401,
        )
    if status == 403:
        return AuthError(
            "the key is not allowed to read this (403): it is not an Admin key or lacks permission. "
            "If this is a project key: the Costs API needs an Admin key from the organization owner "
            f"({ADMIN_KEYS_HINT}).{said}",
            status=403,
        )
    if 300 <= status < 400:
        return ApiError(
            f"the API redirected the request for {what} ({status}); check the base URL "
            f"(it should look like {DEFAULT_BASE_URL})",
            status=status,
        )
    if status == 404:
        return ApiError(
            f"the API has no {what} here (404): the base URL is probably wrong; "
            f"it should look like {DEFAULT_BASE_URL}.{said}",
            status=404,
        )
    return ApiError(f"the API failed the request for {what}: {status_reason(response)}", status=status)
