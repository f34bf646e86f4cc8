"""Checks for names a user types (descriptions, workspace names) before anything is written."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..core.errors import UsageError
from ..core.text import shown

MAX_NAME = 120


def clean_name(raw: str | None, *, what: str) -> str:
    """Trimmed text with no control characters, 1..120 characters; else a UsageError."""
    text = (raw or "").strip()
    if not text:
        raise UsageError(f"the {what} is empty; give it a short name")
    if len(text) > MAX_NAME:
        raise UsageError(f"the {what} is {len(text)} characters long; keep it under {MAX_NAME}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise UsageError(f"the {what} contains control characters or line breaks; use plain text")
    return text


def refuse_taken(name: str, taken: Iterable[str], *, kind: str, hint: str = "") -> None:
    """A UsageError when ``name`` is one of ``taken`` regardless of case (``acme`` beside ``Acme``), saying
    which one it matches when only the case differs; ``hint`` ends the message (what to do instead)."""
    folded = name.casefold()
    for other in taken:
        if other.casefold() == folded:
            same = "" if other == name else f" (as {shown(other)!r}: names are compared regardless of case)"
            raise UsageError(f"a {kind} named {shown(name)!r} exists already{same}{hint}")
