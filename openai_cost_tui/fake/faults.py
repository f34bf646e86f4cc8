"""A plan of faults the fake Admin API injects: rate limits, 5xx, slow answers, bad JSON, resets."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("429", "500", "502", "503", "slow", "malformed", "401", "403", "reset")
SYNTAX = "PATH:KIND[:after=N][:times=N][:retry-after=S][:delay=SECONDS]"


@dataclass
class Fault:
    """``kind`` hits requests whose path contains ``path`` (``*`` or empty: every path).

    ``after`` matching requests pass first, then ``times`` of them get the fault (0: forever).
    ``retry_after`` (429/503): None sends ``Retry-After: 1``, "" sends none, ``date+N`` an HTTP-date
    N seconds ahead, anything else verbatim. ``delay``: seconds a "slow" answer waits.
    """

    kind: str
    path: str = "costs"
    after: int = 0
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose one of: {', '.join(KINDS)}")
        if self.after < 0 or self.times < 0 or self.delay < 0:
            raise ValueError("fault after, times and delay must not be negative")

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
    fields: dict[str, object] = {"delay": 1.0} if kind == "slow" else {}
    for option in options:
        name, sep, value = option.partition("=")
        try:
            if not sep:
                raise ValueError
            if name in ("after", "times"):
                if not value.isdigit():
                    raise ValueError
                fields[name] = int(value)
            elif name == "retry-after":
                fields["retry_after"] = value
            elif name == "delay":
                fields["delay"] = float(value)
                if not 0 <= fields["delay"] < 3600:  # type: ignore[operator]
                    raise ValueError
            else:
                raise KeyError(name)
        except KeyError:
            raise ValueError(f"bad fault {entry!r}: unknown option {name!r}; expected {SYNTAX}") from None
        except ValueError:
            raise ValueError(f"bad fault {entry!r}: bad value in {option!r}; expected {SYNTAX}") from None
    return Fault(kind=kind, path=path, **fields)  # type: ignore[arg-type]
