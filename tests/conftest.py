from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SUPPORT = Path(__file__).resolve().parent / "support"

# Every test runs with the guard that the TUI's event loop never waits on the store, HTTP or a keyring.
pytest_plugins = ["tests.support.thread_guard"]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (addopts) starts one worker more than there are cores: about a third of the suite's
    time is spent waiting (on real terminals, subprocesses, the PostgreSQL server, loopback HTTP), and
    the extra worker runs tests in those gaps. Every test owns its folders, ports and databases."""
    return (os.cpu_count() or 1) + 1


# The longest tests and modules (15 s or more on a quiet core: real terminals, subprocesses, PostgreSQL,
# the validator, property walks), longest first. They run first, so that the suite's last minute holds
# only short tests: xdist hands out the collection in order, and a long test started last runs alone
# while the other worker idles. Whole modules where their tests share a module fixture; a module's own
# tests keep their order. Only the order changes: every test runs, with the same fixtures.
RUN_FIRST = (
    "tests/test_focus_validator.py",
    "tests/test_postgres.py::test_readers_see_whole_windows_while_another_user_syncs",
    "tests/test_benchmarks_smoke.py",
    "tests/test_tui_hostile.py",
    "tests/test_newcomer_tmux.py",
    "tests/test_real_terminal.py",
    "tests/test_hostile_property.py",
    "tests/test_tags_property.py",
    "tests/test_store_crash.py",
    "tests/test_cli_e2e.py",
    "tests/test_tui_app.py::test_budgets_are_set_changed_and_removed_from_insights",
    "tests/test_tui_report.py",
    "tests/test_report_cell_cache.py",
    "tests/test_budgets.py::test_cli_list_from_api_in_the_demo",
    "tests/test_tui_nav.py::test_the_footer_fits_and_keeps_the_most_used_keys",
    "tests/test_postgres.py::test_cli_runs_every_command_on_postgresql",
    "tests/test_tui_nav.py::test_a_saved_view_restores_hidden_columns_sort_and_folds",
    "tests/test_tui_app.py::test_the_report_falls_back_to_all_connections_when_its_workspace_is_deleted",
    "tests/test_report_series_merged.py::test_one_pivot_gives_the_series_and_flags_of_the_two",
    "tests/test_check_cli.py::test_the_demo_checks_and_reads_the_hard_limit",
    "tests/test_postgres.py::test_sync_and_pivots_equal_sqlite_to_the_last_digit",
    "tests/test_pivot_property.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module, function = item.nodeid.split("::")[0], item.nodeid.split("[")[0]
        for i, name in enumerate(RUN_FIRST):
            if name in (module, function):
                return i
        return len(RUN_FIRST)

    items.sort(key=rank)  # stable: the rest keep pytest's order


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


@pytest.fixture(scope="session")
def synced_template(tmp_path_factory) -> Path:
    """A small fake organization's year, synced once per test process (frozen clock, seeded): ``synced``
    hands each module a copy of the file, the store that sync left."""
    from tests.test_sync import Rig

    rig = Rig(tmp_path_factory.mktemp("synced-template"))
    assert rig.sync().ok
    rig.store.close()
    return Path(rig.store.url)


@pytest.fixture(scope="module")
def synced(synced_template: Path, tmp_path_factory):
    """A store synced from a small fake organization for a year (a copy of the session's, shared by a
    module's tests)."""
    from openai_cost_tui.store.store import Store
    from tests.support.demo_store import copy_store

    path = tmp_path_factory.mktemp("synced") / "costs.db"
    copy_store(synced_template, path)
    store = Store(str(path))
    yield store
    store.close()


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
