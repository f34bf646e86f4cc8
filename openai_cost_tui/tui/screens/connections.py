from __future__ import annotations

from .base import AppScreen


class ConnectionsScreen(AppScreen):
    BINDINGS = []
