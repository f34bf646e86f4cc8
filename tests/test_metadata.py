"""The installed distribution says what a user and a packager expect: license, Python, dependencies."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def requirements() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in distribution("openai-cost-tui").requires or []]
    return {r.name.lower(): r for r in reqs if r.marker is None}


def test_license_is_an_spdx_expression_with_its_file() -> None:
    meta = distribution("openai-cost-tui").metadata
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "openai-cost-tui contributors" in text


def test_python_and_posix_are_stated() -> None:
    meta = distribution("openai-cost-tui").metadata
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier") or []
    assert "Operating System :: POSIX" in classifiers
    assert not any("Windows" in c for c in classifiers)


def test_rich_is_declared_and_textual_is_loose() -> None:
    reqs = requirements()
    assert "rich" in reqs  # the TUI and its widgets import it directly
    textual = reqs["textual"].specifier
    assert "8.2.0" in textual and "8.9.1" in textual and "9.0" not in textual  # not an exact pin
    assert not any(s.operator == "==" for r in reqs.values() for s in r.specifier)
    assert "0.28.1" in reqs["httpx"].specifier and "1.0" not in reqs["httpx"].specifier


def test_the_snapshot_pins_live_in_the_constraints_file() -> None:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            pins[req.name.lower()] = str(req.specifier)
    assert pins["textual"].startswith("==") and pins["rich"].startswith("==")
    assert distribution("textual").version == pins["textual"][2:]  # this run draws what the snapshots hold


def test_version_comes_from_the_metadata_lazily() -> None:
    code = "import openai_cost_tui; print(openai_cost_tui.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == distribution("openai-cost-tui").version
    quiet = subprocess.run([sys.executable, "-c", "import sys, openai_cost_tui; print(sorted(m for m in sys.modules "
                            "if m.startswith('openai_cost_tui')))"], capture_output=True, text=True, check=True)
    assert quiet.stdout.strip() == "['openai_cost_tui']"  # importing the package imports nothing else of it
    cli = subprocess.run([sys.executable, "-m", "openai_cost_tui", "--version"], capture_output=True, text=True)
    assert cli.returncode == 0 and cli.stdout.split() == ["openai-cost-tui", distribution("openai-cost-tui").version]
