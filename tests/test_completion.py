"""Shell completion: scripts generated from the parser, checked by each shell, and driven in bash (and fish).

bash always runs (the CI image has it); zsh's and fish's checks run where the shell is installed and
skip with the reason otherwise (``apt-get install zsh fish`` turns them on).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from openai_cost_tui.cli.completion import HIDDEN, SHELLS, VALUE_KINDS, model, script
from openai_cost_tui.cli.main import build_parser
from openai_cost_tui.core.dimensions import DIMENSIONS
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run

DIMS = [d.id for d in DIMENSIONS]


def needs(shell: str) -> str:
    path = shutil.which(shell)
    if not path:
        pytest.skip(f"{shell} is not installed here, so its script's syntax is not checked "
                    f"(apt-get install {shell} turns this on)")
    return path


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("completion")
    out = {}
    for shell in SHELLS:
        path = folder / f"completion.{shell}"
        path.write_text(script(shell, build_parser()), encoding="utf-8")
        out[shell] = path
    return out


@pytest.fixture
def command(tmp_path: Path) -> Path:
    """An ``openai-cost-tui`` for the scripts to call back (``__complete``), whatever is on PATH."""
    path = tmp_path / "bin" / "openai-cost-tui"
    path.parent.mkdir()
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m openai_cost_tui "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A store with two connections (one with a space in its name) and two workspaces."""
    folder = tmp_path / "data"
    folder.mkdir()
    store = Store(str(folder / "costs.db"))
    for name in ("Acme prod", "Labs"):
        store.add_connection(NewConnection(name, "https://api.openai.com/v1", "env", "K", date(2026, 1, 1)))
    store.add_workspace("Production")
    store.add_workspace("Team B")
    store.close()
    return folder


def test_the_command_prints_each_script(capsys) -> None:
    for shell in SHELLS:
        code, out, err = run(capsys, "completion", shell)
        assert code == 0 and not err
        assert out == script(shell, build_parser())
        assert "report" in out and "--rows" in out and HIDDEN in out  # the dynamic names come from __complete
    code, _, err = run(capsys, "completion", "powershell")
    assert code == 2 and "invalid choice" in err


def test_bash_syntax(scripts) -> None:
    subprocess.run([needs("bash"), "-n", str(scripts["bash"])], check=True)


def test_zsh_syntax(scripts) -> None:
    subprocess.run([needs("zsh"), "-n", str(scripts["zsh"])], check=True)


def test_fish_syntax(scripts) -> None:
    subprocess.run([needs("fish"), "--no-execute", str(scripts["fish"])], check=True)


def bash_complete(script_path: Path, *words: str, env: dict | None = None) -> list[str]:
    """COMPREPLY for the command line ``words`` (the last one is the word being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    code = (f"source '{script_path}'\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
            "_openai_cost_tui; printf '%s\\n' \"${COMPREPLY[@]}\"")
    out = subprocess.run([needs("bash"), "--norc", "--noprofile", "-c", code], capture_output=True, text=True,
                         env=env, timeout=60, check=True)
    assert not out.stderr, out.stderr
    return [line for line in out.stdout.splitlines() if line]


def test_bash_completes_commands_and_dimensions(scripts) -> None:
    bash = scripts["bash"]
    assert bash_complete(bash, "openai-cost-tui", "rep") == ["report"]
    assert bash_complete(bash, "openai-cost-tui", "report", "--rows", "") == DIMS
    assert bash_complete(bash, "openai-cost-tui", "report", "--rows", "service,mo") == [
        "service,model_version", "service,month"]
    assert bash_complete(bash, "openai-cost-tui", "report", "--cols", "w") == ["week"]
    assert bash_complete(bash, "openai-cost-tui", "report", "--where", "ser") == ["service="]
    # bash splits "--rows=se" at "=": the value is still completed
    assert bash_complete(bash, "openai-cost-tui", "report", "--rows", "=", "se") == ["service"]
    assert set(bash_complete(bash, "openai-cost-tui", "report", "--format", "")) == {"table", "csv", "json", "markdown"}
    assert set(bash_complete(bash, "openai-cost-tui", "report", "--fo")) == {"--format"}
    assert bash_complete(bash, "openai-cost-tui", "connections", "") == ["add", "list", "remove", "set-key"]
    assert bash_complete(bash, "openai-cost-tui", "--data-dir", "/tmp", "completion", "") == list(SHELLS)
    assert "--demo" in bash_complete(bash, "openai-cost-tui", "--d")
    assert bash_complete(bash, "openai-cost-tui", "__") == []  # the hidden command is not offered
    assert bash_complete(bash, "openai-cost-tui", "workspaces", "rename", "old", "") == []  # a new name: free


def test_bash_completes_names_from_the_store(scripts, command: Path, data_dir: Path) -> None:
    bash = scripts["bash"]
    words = [str(command), "--data-dir", str(data_dir)]
    assert bash_complete(bash, *words, "sync", "--connection", "") == ["Acme\\ prod", "Labs"]
    assert bash_complete(bash, *words, "connections", "remove", "La") == ["Labs"]
    assert bash_complete(bash, *words, "report", "--workspace", "") == ["Production", "Team\\ B"]
    assert bash_complete(bash, *words, "workspaces", "assign", "Production", "Acme", "") == ["Acme\\ prod", "Labs"]
    env = {**os.environ, "OPENAI_COST_TUI_HOME": str(data_dir)}  # the folder from the environment, too
    assert bash_complete(bash, str(command), "workspaces", "remove", "T", env=env) == ["Team\\ B"]


def test_the_hidden_command_never_creates_a_store(tmp_path: Path, capsys, data_dir: Path) -> None:
    missing = tmp_path / "nowhere"
    for argv in (["--data-dir", str(missing)], ["--db", str(missing / "costs.db")]):
        for what in ("connections", "workspaces"):
            assert run(capsys, *argv, HIDDEN, what) == (0, "", "")
    assert not missing.exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert run(capsys, "--db", str(junk), HIDDEN, "connections") == (0, "", "")  # silent, whatever happens
    assert junk.read_bytes() == b"not a database at all" * 100
    assert run(capsys, "--data-dir", str(data_dir), HIDDEN, "connections") == (0, "Acme prod\nLabs\n", "")
    assert run(capsys, "--data-dir", str(data_dir), HIDDEN, "workspaces") == (0, "Production\nTeam B\n", "")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and HIDDEN not in out and "completion" in out


def test_fish_completes_from_the_parser_and_the_store(scripts, command: Path, data_dir: Path) -> None:
    fish = needs("fish")
    env = {**os.environ, "PATH": f"{command.parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def complete(line: str) -> list[str]:
        code = f"source '{scripts['fish']}'; complete -C '{line}'"
        out = subprocess.run([fish, "--no-config", "-c", code], capture_output=True, text=True, env=env,
                             timeout=60, check=True)
        return [entry.split("\t")[0] for entry in out.stdout.splitlines()]

    assert complete("openai-cost-tui rep") == ["report"]
    assert complete("openai-cost-tui report --rows ") == sorted(DIMS)
    assert complete(f"openai-cost-tui --data-dir {data_dir} sync --connection ") == ["Acme prod", "Labs"]


def test_the_scripts_follow_the_parser() -> None:
    """A new option or command completes without touching completion.py; the dests it names exist."""
    parser = build_parser()
    root = model(parser)
    dests = {a.dest for c in _parsers(parser) for a in c._actions}
    assert set(VALUE_KINDS) <= dests, set(VALUE_KINDS) - dests
    paths = {" ".join(c.path) for c in root.walk()}
    assert {"report", "connections remove", "workspaces assign", "completion"} <= paths
    assert not any(HIDDEN in p for p in paths)

    report = next(a for a in parser._actions if a.dest == "command").choices["report"]
    report.add_argument("--brand-new", choices=("x", "y"))
    for shell in SHELLS:
        assert "brand-new" in script(shell, parser)


def _parsers(parser):
    yield parser
    for action in parser._actions:
        for sub in (getattr(action, "choices", None) or {}).values() if hasattr(action, "_choices_actions") else ():
            yield from _parsers(sub)
