"""Where a key may be sent: the real API over HTTPS, or loopback (tests, the fake API).

``check_base_url`` is the one rule for a base URL a user gives: every malformed value (an unclosed
``[::1``, a tab or space in the host, a port out of range, a host that is no DNS name or IP address) is
a usage error (exit 2) before anything is stored or sent.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlparse

from .errors import UsageError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_URL = 2048
_HOSTNAME = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bad(url: str, why: str) -> UsageError:
    return UsageError(f"--base-url {url!r} {why}; give an http(s) URL like {DEFAULT_BASE_URL}")


def check_base_url(url: str | None) -> str:
    """HTTPS anywhere (the API or a proxy the user names); plain HTTP only on loopback."""
    raw = url or ""
    text = raw.strip().rstrip("/")
    if not text:
        raise _bad(raw, "is empty")
    if len(text) > MAX_URL:
        raise UsageError(f"--base-url is {len(text)} characters long; a base URL has at most {MAX_URL}")
    if any(not "\x21" <= ch <= "\x7e" for ch in text):
        raise _bad(text[:80], "contains spaces, control or non-ASCII characters (write a non-ASCII host in "
                              "its xn-- form)")
    try:
        parts = urlparse(text)
        port = parts.port  # a port out of 0..65535 or not a number raises here
        hostname = parts.hostname
    except ValueError as exc:
        raise _bad(text, f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UsageError(f"--base-url must be an http(s) URL like {DEFAULT_BASE_URL}, not {url!r}")
    if port == 0:
        raise _bad(text, "has port 0")
    bracketed = "[" in parts.netloc
    try:
        ipaddress.ip_address(hostname)
        is_ip = True
    except ValueError:
        is_ip = False
    if (bracketed and not is_ip) or (not is_ip and not _HOSTNAME.match(hostname)):
        raise _bad(text, f"has a host {hostname!r} that is neither a DNS name nor an IP address")
    if parts.query or parts.fragment or parts.username or parts.password or "@" in parts.netloc:
        raise UsageError("--base-url takes no query, fragment or credentials")
    if parts.scheme == "http" and not is_loopback(hostname):
        raise UsageError(
            f"--base-url {text} would send the key unencrypted; plain http is only allowed on loopback "
            "(127.0.0.1, ::1, localhost). Use https for a proxy"
        )
    return text
