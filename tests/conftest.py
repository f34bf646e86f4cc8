from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SUPPORT = Path(__file__).resolve().parent / "support"

# Every test runs with the guard that the TUI's event loop never waits on the store, HTTP or a keyring.
pytest_plugins = ["tests.support.thread_guard"]


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return str(tmp_path / "costs.db")


@pytest.fixture
def store(store_path: str):
    from openai_cost_tui.store.store import Store

    s = Store(store_path)
    yield s
    s.close()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A real keyring backend (in a JSON file), also for CLI subprocesses."""
    import keyring

    from tests.support.test_keyring import FileKeyring

    path = tmp_path / "keyring.json"
    monkeypatch.setenv("TEST_KEYRING_FILE", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.test_keyring.FileKeyring")
    monkeypatch.setenv("PYTHONPATH", str(SUPPORT.parent.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch):
    """keyring's 'fail' backend: what a headless server without a keyring daemon gets."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """A store synced from a small fake organization for a year (shared by a module's tests)."""
    from tests.test_sync import Rig

    rig = Rig(tmp_path_factory.mktemp("synced"))
    assert rig.sync().ok
    yield rig.store
    rig.store.close()


@pytest.fixture(scope="session")
def synced_demo_template() -> Path:
    """The twelve-month demo synced once per test process (frozen clock); tests take copies (``demo_copy``)."""
    from tests.support.tui import demo_template

    return demo_template()


@pytest.fixture
def demo_copy(synced_demo_template: Path):
    """A demo context (own folder, fake transports) holding a fresh copy of the session's synced demo."""
    from tests.support.demo_store import copy_demo

    ctx = copy_demo(synced_demo_template)
    yield ctx
    ctx.close()
