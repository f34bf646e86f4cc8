"""Where a key may be sent: the real API over HTTPS, or loopback (tests, the fake API)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from .errors import UsageError

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """HTTPS anywhere (the API or a proxy the user names); plain HTTP only on loopback."""
    text = (url or "").strip().rstrip("/")
    parts = urlparse(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL like {DEFAULT_BASE_URL}, not {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"--base-url {text} would send the key unencrypted; plain http is only allowed on loopback "
            "(127.0.0.1, ::1, localhost). Use https for a proxy"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise UsageError("--base-url takes no query, fragment or credentials")
    return text
