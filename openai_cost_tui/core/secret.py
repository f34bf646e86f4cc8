"""Admin keys: a type that never shows itself, and local checks before any request is sent."""

from __future__ import annotations

from .errors import UsageError

MIN_KEY_LENGTH = len("sk-admin-") + 16  # real Admin keys are far longer
MAX_KEY_LENGTH = 512


class Secret:
    """Holds a key. ``repr``/``str``/formatting are redacted; only :meth:`reveal` gives the value.

    Textual's crash screen and tracebacks print locals; this type keeps the key out of both.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        """``sk-admin-...abcd``: enough to tell keys apart, never enough to use one."""
        value = self._value
        prefix = "sk-admin-" if value.startswith("sk-admin-") else value[:3]
        return f"{prefix}...{value[-4:]}" if len(value) > 16 else "****"

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):  # never pickle a key by accident
        raise TypeError("a Secret cannot be pickled")


def check_admin_key(raw: str | None) -> Secret:
    """Refuse keys that cannot be Admin keys, locally, before any request is sent.

    The messages never echo the key.
    """
    if raw is None or not raw.strip():
        raise UsageError("the key is empty; paste an Admin key (it starts with sk-admin-)")
    value = raw.strip()
    if len(value) > MAX_KEY_LENGTH:
        raise UsageError(f"the key is {len(value)} characters long; an Admin key is far shorter")
    if any(ch.isspace() for ch in value):
        raise UsageError("the key contains spaces or line breaks; paste it on one line")
    if not value.isascii() or not value.isprintable():
        raise UsageError("the key contains characters an OpenAI key never has")
    if value.startswith("sk-proj-") or value.startswith("sk-svcacct-"):
        raise UsageError(
            "this is a project key; the Costs API needs an Admin key (sk-admin-...), "
            "which an organization owner creates under Settings > Admin keys"
        )
    if not value.startswith("sk-admin-"):
        raise UsageError(
            "this is not an Admin key; the Costs API needs a key that starts with sk-admin-, "
            "created by an organization owner under Settings > Admin keys"
        )
    if len(value) < MIN_KEY_LENGTH:
        raise UsageError(
            f"the key is only {len(value)} characters long; an Admin key (sk-admin-...) has at least "
            f"{MIN_KEY_LENGTH}: check that it was pasted whole"
        )
    return Secret(value)
