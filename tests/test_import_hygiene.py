"""Layering: nothing below tui/ imports Textual; nothing outside store/ imports Peewee.

Checked twice: import-linter's contracts (pyproject.toml) and a fresh interpreter per module.
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import openai_cost_tui

ROOT = Path(openai_cost_tui.__file__).parent


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(ROOT)], prefix="openai_cost_tui."):
        if ".tui" in info.name or info.name.startswith(("openai_cost_tui.cli", "openai_cost_tui.__main__")):
            continue
        names.append(info.name)
    return names


@pytest.mark.parametrize("module", _modules())
def test_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        # (rich may come in through httpx's own CLI module when rich is installed: not ours to forbid)
        "bad = [m for m in ('textual',) if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_headless_cli_does_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from openai_cost_tui.cli.main import build_parser\n"
        "build_parser()\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# context and sync.engine hand a Store around, so they import store/ (and so Peewee) by design.
PEEWEE_FREE = [m for m in _modules() if not m.startswith(("openai_cost_tui.store", "openai_cost_tui.services.context",
                                                          "openai_cost_tui.sync.engine", "openai_cost_tui.services.onboarding",
                                                          "openai_cost_tui.services.set_key"))]


@pytest.mark.parametrize("module", PEEWEE_FREE)
def test_peewee_stays_in_store(module: str) -> None:
    code = f"import sys, {module}\nassert 'peewee' not in sys.modules, {module!r}\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_linter_contracts() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency"
    result = subprocess.run([exe], cwd=ROOT.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
