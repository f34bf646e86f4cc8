"""A pytest plugin: the TUI's event loop never runs a query, an HTTP request or a keyring call.

Every test runs with it. It wraps the three doors to the outside (Peewee's ``Database.execute_sql``
and ``connect``, ``httpx.Client.send``, and the KeyStore's keyring calls) and records a call made
from a task of a running Textual app: the app's own task or a widget's message pump, where every
handler, callback and timer runs. Thread workers run elsewhere and pass; so does the test's own
code (setting up a store before or after pressing keys). A recorded call fails the test at its end
with where it was made.
"""

from __future__ import annotations

import asyncio
import functools
import traceback

import pytest

_violations: list[str] = []


def _on_event_loop_of_an_app() -> bool:
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop in this thread: a worker thread
        return False
    if task is None:
        return False
    name = task.get_name()
    # Textual names them: "run_test <app>" (the app in pilot tests), "message pump <node>" (every
    # screen and widget); App.run's main task runs the app under asyncio.run.
    return name.startswith(("message pump ", "run_test "))


def _guarded(what: str, original):
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if _on_event_loop_of_an_app():
            where = "".join(traceback.format_stack(limit=12)[:-1])
            _violations.append(f"{what} on the app's event loop:\n{where}")
        return original(*args, **kwargs)

    return wrapper


def _install() -> None:
    import httpx
    import peewee

    from openai_cost_tui.keys.keystore import KeyStore

    for owner, name, what in (
        (peewee.Database, "execute_sql", "a store query"),
        (peewee.Database, "connect", "opening the store"),
        (httpx.Client, "send", "an HTTP request"),
        (KeyStore, "keyring_problem", "a keyring probe"),
        (KeyStore, "backend", "a keyring probe"),
        (KeyStore, "mine", "reading this member's keys"),
        (KeyStore, "ref_for", "reading this member's keys"),
        (KeyStore, "save_to_keyring", "a keyring write"),
        (KeyStore, "load", "a key read"),
        (KeyStore, "delete", "a key removal"),
    ):
        original = getattr(owner, name)
        if not getattr(original, "_thread_guard", False):
            wrapped = _guarded(what, original)
            wrapped._thread_guard = True  # type: ignore[attr-defined]
            setattr(owner, name, wrapped)


def pytest_configure(config: pytest.Config) -> None:
    _install()


@pytest.fixture(autouse=True)
def _event_loop_never_waits():
    _violations.clear()
    yield
    if _violations:
        found = list(_violations)
        _violations.clear()
        pytest.fail(f"{len(found)} blocking call(s) on the TUI's event loop; the first:\n{found[0]}",
                    pytrace=False)
