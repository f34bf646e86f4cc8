"""A plan of faults the fake Admin API injects: rate limits, 5xx, slow answers, bad JSON, resets, and
hostile data (markup and control characters in names, huge or dripping bodies, endless cursors,
out-of-range amounts), so tests and users reproduce each failure (``fake-api --fault SPEC``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = (
    "429", "500", "502", "503", "slow", "malformed", "401", "403", "reset",
    "hostile", "hostile-error", "huge", "drip", "endless", "amount",
)
SYNTAX = (
    "PATH:KIND[:after=N][:times=N][:retry-after=S][:delay=SECONDS][:size=BYTES][:chunk=BYTES]"
    "[:value=TEXT][:status=NNN]"
)
HELP = """Faults: comma-separated PATH:KIND[:OPTION=VALUE...]. PATH is a part of the request path ("costs",
"projects", "api_keys"; "*" for every path). Options for every kind: after=N (let N matching requests
pass first), times=N (fault that many of them; 0: forever; default 1).
  429, 503       rate limited / overloaded, with Retry-After (retry-after=S: seconds, an HTTP-date,
                 "date+N" for N seconds ahead, empty for none; default 1). An absurd wait:
                 costs:429:retry-after=999999999
  500, 502       server error (502 with an HTML body)
  401, 403       key refused / not an Admin key
  slow           answer after delay=SECONDS (default 1)
  malformed      a 200 cut in half (not JSON)
  reset          drop the connection without an answer
  hostile        project and API key names with markup, terminal escapes and spreadsheet formulas
                 ("[/bold] x", "\\x1b]0;pwned\\x07", '=HYPERLINK("http://x")', ...): projects:hostile:times=0
  hostile-error  an error (status=NNN, default 400) whose message and param carry the same
  huge           a 200 of valid JSON padded to size=BYTES (K, M, G suffixes; default 1G), chunked
  drip           the answer chunk=BYTES (default 1) every delay=SECONDS (default 1)
  endless        has_more with a new cursor on every page (default times=0: forever; times=N: N
                 extra empty pages, then the end)
  amount         the first result's amount.value replaced by value=TEXT, verbatim JSON (default
                 1e400; value="1e400" sends a string)
"""

HOSTILE_TEXTS = (
    "[/bold] x",
    "\x1b]0;pwned\x07",
    '=HYPERLINK("http://x")',
    "[link=http://x]click[/link]",
    "\x1b[31mred\x1b[0m\rover",
    "+1-2@SUM(A1)|cmd",
    "line one\nline two",
    "\ttab \u202etxt.exe",
)
"""Names the "hostile" fault gives projects and API keys: each must show literally, never parsed or
emitted raw (markup, OSC/CSI escapes, CR, newlines, a bidi override) and never run in a spreadsheet."""

HOSTILE_MESSAGE = (
    '[/bold] x \x1b]0;pwned\x07 =HYPERLINK("http://x") [link=http://x]click[/link]'
    "\x1b[2J\r\nsecond line \u202eevil"
)
HOSTILE_PARAM = "[bold]\x1b[31mgroup"

_SIZE = re.compile(r"^(\d{1,15})([KMG]?)$", re.IGNORECASE)
_SCALE = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}
DEFAULT_HUGE = 2**30
MAX_HUGE = 2**40


@dataclass
class Fault:
    """``kind`` hits requests whose path contains ``path`` (``*`` or empty: every path).

    ``after`` matching requests pass first, then ``times`` of them get the fault (0: forever).
    ``retry_after`` (429/503, hostile-error): None sends ``Retry-After: 1``, "" sends none, ``date+N``
    an HTTP-date N seconds ahead, anything else verbatim. ``delay``: seconds a "slow" answer waits, or
    between a "drip"'s chunks of ``chunk`` bytes. ``size``: bytes of a "huge" body. ``value``: the JSON
    text an "amount" fault puts in the first result. ``status``: a "hostile-error"'s HTTP status.
    """

    kind: str
    path: str = "costs"
    after: int = 0
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0
    size: int = DEFAULT_HUGE
    chunk: int = 1
    value: str = "1e400"
    status: int = 400

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose one of: {', '.join(KINDS)}")
        if self.after < 0 or self.times < 0 or self.delay < 0:
            raise ValueError("fault after, times and delay must not be negative")
        if not 0 <= self.size <= MAX_HUGE or self.chunk < 1 or not 400 <= self.status <= 599:
            raise ValueError("fault size must be 0..1T bytes, chunk at least 1, status 400..599")

    def matches(self, path: str) -> bool:
        return self.path in ("", "*") or self.path in path


class FaultPlan:
    """Thread-safe: each fault counts the requests that match its path, independently."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._seen: list[int] = []
        self._fired: list[int] = []
        for fault in faults:
            self.add(fault)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Parse ``costs:429:retry-after=1:times=2,costs:500:after=3,projects:502``."""
        return cls(_parse_one(entry.strip()) for entry in (spec or "").split(",") if entry.strip())

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)
            self._seen.append(0)
            self._fired.append(0)

    def next_fault(self, path: str) -> Fault | None:
        """Count this request against every matching fault; return the first one due, if any."""
        chosen = None
        with self._lock:
            for i, fault in enumerate(self._faults):
                if not fault.matches(path):
                    continue
                self._seen[i] += 1
                due = self._seen[i] > fault.after and (fault.times == 0 or self._fired[i] < fault.times)
                if due and chosen is None:
                    self._fired[i] += 1
                    chosen = fault
        return chosen

    @property
    def fired(self) -> int:
        """How many requests got a fault so far."""
        with self._lock:
            return sum(self._fired)

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def __len__(self) -> int:
        return len(self._faults)


def _parse_one(entry: str) -> Fault:
    parts = entry.split(":")
    if len(parts) < 2:
        raise ValueError(f"bad fault {entry!r}: expected {SYNTAX}")
    path, kind, *options = parts
    if kind not in KINDS:
        raise ValueError(f"bad fault {entry!r}: unknown kind {kind!r}; choose one of: {', '.join(KINDS)}")
    fields: dict[str, object] = {"delay": 1.0} if kind in ("slow", "drip") else {}
    if kind == "endless":
        fields["times"] = 0
    for option in options:
        name, sep, value = option.partition("=")
        try:
            if not sep:
                raise ValueError
            if name in ("after", "times", "chunk", "status"):
                if not value.isdigit():
                    raise ValueError
                fields[name] = int(value)
            elif name == "retry-after":
                fields["retry_after"] = value
            elif name == "delay":
                fields["delay"] = float(value)
                if not 0 <= fields["delay"] < 3600:  # type: ignore[operator]
                    raise ValueError
            elif name == "size":
                match = _SIZE.match(value)
                if not match:
                    raise ValueError
                fields["size"] = int(match[1]) * _SCALE[match[2].upper()]
            elif name == "value":
                if not value:
                    raise ValueError
                fields["value"] = value
            else:
                raise KeyError(name)
        except KeyError:
            raise ValueError(f"bad fault {entry!r}: unknown option {name!r}; expected {SYNTAX}") from None
        except ValueError:
            raise ValueError(f"bad fault {entry!r}: bad value in {option!r}; expected {SYNTAX}") from None
    try:
        return Fault(kind=kind, path=path, **fields)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"bad fault {entry!r}: {exc}") from None
