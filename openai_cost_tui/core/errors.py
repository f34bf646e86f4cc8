"""Errors with a title and a message a user can act on.

Every error the tool shows derives from :class:`CostToolError`. ``exit_code`` follows CONTRACT.md:
1 for work that failed, 2 for bad usage or bad input. Messages never contain a key.
"""

from __future__ import annotations


class CostToolError(Exception):
    """Base class: ``str(err)`` is the user-facing message."""

    title = "Error"
    exit_code = 1

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class UsageError(CostToolError):
    """Bad usage or bad input: an unknown dimension, a malformed date, a missing key."""

    title = "Invalid input"
    exit_code = 2


class BadAmount(CostToolError):
    """An amount or quantity from the API that cannot be read exactly."""

    title = "Unreadable amount"

    def __init__(self, what: str, raw: object, why: str = "") -> None:
        shown = repr(raw)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        detail = f" ({why})" if why else ""
        super().__init__(f"the API sent an {what} that is not an exact number: {shown}{detail}")
        self.raw = raw


class ApiError(CostToolError):
    """The Admin API refused or failed a request."""

    title = "OpenAI Admin API error"

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class AuthError(ApiError):
    """401/403: the key is wrong, revoked, or not an Admin key."""

    title = "Key refused"


class ProtocolError(ApiError):
    """The API answered something this tool cannot trust (bad JSON, broken pagination)."""

    title = "Unexpected API response"


class KeyStoreError(CostToolError):
    """No usable place to keep a key."""

    title = "No place to keep the key"
    exit_code = 2


class StoreError(CostToolError):
    """The local store cannot be opened or written."""

    title = "Store error"


class SyncBusy(CostToolError):
    """Another process is syncing the same store."""

    title = "Sync already running"


class Cancelled(CostToolError):
    title = "Cancelled"

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
