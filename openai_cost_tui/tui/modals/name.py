"""Ask for one name (a new workspace, a rename), validated inline."""

from __future__ import annotations

from ...store.validate import clean_name, refuse_taken
from .line import LineModal


class NameModal(LineModal[str]):
    """``taken`` are the names in use; they are compared regardless of case, as the store compares them,
    so a case-only duplicate is refused here, inline, rather than after the dialog has closed."""

    def __init__(self, title: str, *, value: str = "", taken: set[str] | None = None, what: str = "name") -> None:
        super().__init__(title, self._read_name, value=value, placeholder=what, field_id="name")
        self.taken = taken or set()
        self.what = what

    def _read_name(self, text: str) -> str:
        name = clean_name(text, what=self.what)
        if name.casefold() != self.value.casefold():  # a change of case only is a rename, not a duplicate
            refuse_taken(name, sorted(self.taken), kind=self.what.split()[0])
        return name
