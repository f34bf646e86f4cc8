"""Ask for one name (a new workspace, a rename), validated inline."""

from __future__ import annotations

from ...core.errors import UsageError
from ...store.validate import clean_name
from .line import LineModal


class NameModal(LineModal[str]):
    def __init__(self, title: str, *, value: str = "", taken: set[str] | None = None, what: str = "name") -> None:
        super().__init__(title, self._read_name, value=value, placeholder=what, field_id="name")
        self.taken = taken or set()
        self.what = what

    def _read_name(self, text: str) -> str:
        name = clean_name(text, what=self.what)
        if name in self.taken and name != self.value:
            raise UsageError(f"a {self.what.split()[0]} named {name!r} exists already")
        return name
