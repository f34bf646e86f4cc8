"""The README's virtual tags example, run as written on the synced demo store: the tag defined from the
CLI, its report (as printed in the README), and the FOCUS export loaded in DuckDB with totals equal to
the report's."""

from __future__ import annotations

import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)

README = Path(__file__).resolve().parent.parent / "README.md"
MARK = "<!-- tags example"


def blocks() -> list[list[str]]:
    """The indented code blocks after the example's marker, up to the next heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(MARK):].split("\n## ", 1)[0]
    out: list[list[str]] = []
    current: list[str] = []
    for line in section.splitlines():
        if line.startswith("    ") or (current and not line.strip()):
            current.append(line[4:])
        elif current:
            out.append([ln for ln in current if ln.strip()] if current else [])
            current = []
    if current:
        out.append([ln for ln in current if ln.strip()])
    return [b for b in out if b]


def test_the_readme_example_runs_and_duckdb_equals_the_report(demo_copy, capsys, tmp_path, monkeypatch) -> None:
    duckdb = pytest.importorskip("duckdb")
    commands, printed, python = blocks()
    monkeypatch.chdir(tmp_path)
    outputs = []
    for line in commands:
        argv = shlex.split(line)
        assert argv[0] == "openai-cost-tui"
        code, out, err = run(capsys, "--db", demo_copy.store.url, *argv[1:])
        assert code == 0, err
        outputs.append(out)
    assert outputs[3].splitlines() == printed  # the report, as the README shows it
    unsplit = {k: Decimal(v) for k, v in (ln.split(",") for ln in outputs[4].splitlines()[1:])}
    query = re.search(r'"""(.*)"""', "\n".join(python), re.S).group(1)
    found = {team: cost for team, cost in duckdb.sql(query).fetchall()}
    assert found == {k: v for k, v in unsplit.items() if k != "Total"}
    assert sum(found.values()) == unsplit["Total"]
    total_line = printed[-2].split()
    assert Decimal(total_line[-1].replace(",", "")) == unsplit["Total"].quantize(Decimal("0.01"))
