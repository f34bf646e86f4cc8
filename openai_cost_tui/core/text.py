"""The one rule for outside text (API data, files, user input) wherever it is shown.

Shown text never carries a control character: a terminal would run it (ESC and OSC sequences clear
the screen or retitle the window, ``\\r`` overwrites a line, a newline breaks a one-line-per-finding
output). Each such character is escaped, not dropped, so ``a\\x1b]0;x\\x07b`` shows as
``a\\x1b]0;x\\x07b`` literally and a name keeps every visible character. Markup is the renderer's
business: the TUI builds ``rich.text.Text`` from these strings, never parses them as markup.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidi overrides and
# isolates, zero-width joiners are kept: they are part of emoji and scripts).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: object) -> str:
    """``value`` as text that is safe to print or paint: every control character escaped."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def shown_line(value: object, limit: int | None = None) -> str:
    """``shown`` cut to ``limit`` characters with an ellipsis (for one-line fields and messages)."""
    text = shown(value)
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text


def is_safe(text: str) -> bool:
    """True when ``text`` has no character that ``shown`` would escape (used by tests and checks)."""
    return not _UNSAFE.search(text) and all(unicodedata.category(c) != "Cc" for c in text)
