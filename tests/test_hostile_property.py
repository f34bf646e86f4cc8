"""Any project or API key name the API may send (printable, control and markup characters) goes
through every CLI output without a crash and without a control byte reaching the terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.models import ApiKeyInfo, Project
from openai_cost_tui.store.store import Store
from tests.support.cli import run
from tests.test_budgets import build_store

# Bytes a terminal would act on: C0 (but the newlines that end lines) and DEL/C1.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
NAMES = st.text(alphabet=st.one_of(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc")),
                                   st.sampled_from(list("[]/=@+-\x1b\x07\r\n\t\x9b\u202e"))),
                min_size=1, max_size=30)

COMMANDS = (
    ("report", "--rows", "project", "--format", "table"),
    ("report", "--rows", "project", "--format", "csv"),
    ("report", "--rows", "project", "--format", "markdown"),
    ("report", "--rows", "api_key,project", "--format", "json"),
    ("report", "--rows", "project", "--cols", "api_key"),
    ("connections", "list"),
    ("workspaces", "list"),
    ("budgets", "list"),
    ("check",),
)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-home")
    build_store(str(path / "costs.db"), spike=True).close()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(project=NAMES, key=NAMES)
def test_any_name_passes_every_cli_output_safely(home, monkeypatch, capsys, project: str, key: str) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(home))
    with Store(str(home / "costs.db")) as store:
        acme = store.connection("Acme")
        store.save_names(acme.id, [Project("proj_s", project), Project("proj_c", "Chat")],
                         [ApiKeyInfo("key_s", key, "proj_s"), ApiKeyInfo("key_new", "[/bold]", "proj_c")])
    for argv in COMMANDS:
        code, out, err = run(capsys, *argv)
        assert code in (0, 3), (argv, code, err)  # check exits 3 on the spike's anomaly
        for text in (out, err):
            assert not CONTROL.search(text), (argv, text)
