"""Checks for names a user types (descriptions, workspace names) before anything is written."""

from __future__ import annotations

import unicodedata

from ..core.errors import UsageError

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
