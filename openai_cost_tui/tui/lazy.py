"""A class named by its module, imported the first time it is needed: the screens a first paint does not
show (Insights, Connections, Workspaces) and the dialogs the help lists load when opened, not at start."""

from __future__ import annotations

from importlib import import_module
from typing import Any


class Lazy:
    """``Lazy(".screens.insights", "InsightsScreen")``: ``load()`` gives the class, calling it an instance
    (so it serves as a Textual ``MODES`` entry, which may be any callable returning a screen)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def load(self) -> type:
        return getattr(import_module(self.module, __package__), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Lazy({self.module!r}, {self.name!r})"


def resolve(thing: type | Lazy) -> type:
    """The class itself, imported if it was named lazily."""
    return thing.load() if isinstance(thing, Lazy) else thing
