"""The layer contracts catch a wrong import: one upward import is injected into each room in turn
(in a copy of the package), and lint-imports must fail every time; the untouched copy passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "openai_cost_tui"

# A module in each room and an import that room must not make (each from a room above it, or a
# library another room keeps to itself).
INJECTIONS = [
    ("core/money.py", "from openai_cost_tui.store import store"),
    ("core/money.py", "import httpx"),
    ("fake/org.py", "from openai_cost_tui.api import client"),
    ("api/parse.py", "from openai_cost_tui.store import store"),
    ("store/convert.py", "from openai_cost_tui.sync import engine"),
    ("keys/keystore.py", "from openai_cost_tui.api import client"),
    ("config/paths.py", "from openai_cost_tui.keys import keystore"),
    ("sync/plan.py", "from openai_cost_tui.services import context"),
    ("services/checks.py", "from openai_cost_tui.tui import app"),
    ("services/analysis.py", "import textual"),
    ("tui/messages.py", "from openai_cost_tui.cli import main"),
    ("tui/jobs.py", "import peewee"),
    ("sync/plan.py", "import httpx"),
]


def _lint_imports() -> Path:
    found = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(found).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return Path(found)


def _copy(tmp_path: Path) -> Path:
    work = tmp_path / "copy"
    shutil.copytree(ROOT / PACKAGE, work / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    return work


def _run(work: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(work), "HOME": str(work)}
    return subprocess.run([str(_lint_imports()), "--no-cache"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_room_is_in_a_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in config if c["type"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.split("|")}
    rooms = {f"{PACKAGE}.{p.name}" for p in (ROOT / PACKAGE).iterdir() if (p / "__init__.py").exists()}
    rooms |= {f"{PACKAGE}.{p.stem}" for p in (ROOT / PACKAGE).glob("*.py") if p.stem != "__init__"}
    assert rooms == named, f"rooms outside the layer contract: {sorted(rooms - named)}"


def test_each_contract_catches_an_upward_import(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    clean = _run(work)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    missed = []
    for module, line in INJECTIONS:
        path = work / PACKAGE / module
        original = path.read_text()
        path.write_text(original + f"\n{line}  # injected by the test\n")
        try:
            if _run(work).returncode == 0:
                missed.append(f"{module}: {line}")
        finally:
            path.write_text(original)
    assert not missed, f"lint-imports kept every contract despite: {missed}"
