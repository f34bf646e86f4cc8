from __future__ import annotations

from .base import AppScreen


class WorkspacesScreen(AppScreen):
    BINDINGS = []
