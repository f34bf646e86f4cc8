"""The report's export (e): a path prompt prefilled in the current folder, a confirmation before a file
is replaced, files that outlive a --demo session, exact CSV, Markdown with its workspace and the `*`
of the filling day, and copies to the clipboard (OSC 52) of what is shown."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from textual.widgets import Input

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.confirm import ConfirmModal
from openai_cost_tui.tui.modals.export import ExportPathModal
from tests.support.tui import keys, settle


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


async def typed(pilot, text: str) -> None:
    await keys(pilot, *[{" ": "space", "/": "slash", ".": "full_stop"}.get(ch, ch) for ch in text])


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def choose(pilot, what: str) -> None:
    await keys(pilot, "e")
    await typed(pilot, what)
    await keys(pilot, "enter")


async def test_export_prompts_for_a_path_in_the_current_folder_and_the_file_outlives_the_demo(
        demo_copy, here) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await choose(pilot, "csv file")
        assert isinstance(app.screen, ExportPathModal)
        default = Path(app.screen.query_one(Input).value)
        assert default.parent == here and default.name.startswith("report-service-by-month-")
        assert default.suffix == ".csv"
        await keys(pilot, "enter")
        assert default.read_text().startswith("Service,2026-09,2026-10,2026-11,Total")
        assert oct(default.stat().st_mode & 0o777) == "0o600"
        await choose(pilot, "json")
        field = app.screen.query_one(Input)
        field.value = "sub/none.json"  # a folder that does not exist: said inline, the dialog stays
        await keys(pilot, "enter")
        assert isinstance(app.screen, ExportPathModal)
        assert "there is no folder" in str(app.screen.query_one("#error").render())
        field.value = "costs"  # no extension: the format's is added
        await keys(pilot, "enter")
        assert json.loads((here / "costs.json").read_text())["measure"] == "cost"
    demo_folder = demo_copy.folder
    demo_copy.close()  # what quitting --demo does: its temporary folder goes, the user's files stay
    assert not demo_folder.exists() or not any(demo_folder.glob("**/*.csv"))
    assert default.exists() and (here / "costs.json").exists()


async def test_an_existing_file_is_replaced_only_after_a_confirmation(demo_copy, here) -> None:
    target = here / "mine.md"
    target.write_text("my notes\n")
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await choose(pilot, "markdown file")
        app.screen.query_one(Input).value = "mine.md"
        await keys(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "n")
        assert target.read_text() == "my notes\n"
        assert "Not exported: the file was kept." in messages(app)
        await choose(pilot, "markdown file")
        app.screen.query_one(Input).value = "mine.md"
        await keys(pilot, "enter", "y")
        text = target.read_text()
        assert text.startswith("**Cost (USD), 2026-09-01..2026-11-27 (UTC days)**")
        assert "| Service | 2026-09 | 2026-10 | 2026-11\\* | Total |" in text
        assert text.rstrip().endswith("\\* 2026-11-27 (today, UTC) is still filling.")
        assert not [p for p in here.iterdir() if p.name.startswith(".")]  # no temporary file left


async def test_markdown_export_names_the_workspace(demo_copy, here) -> None:
    from openai_cost_tui.core.models import PivotSpec
    from openai_cost_tui.core.render import to_markdown
    from openai_cost_tui.core.report_state import DateChoice

    demo_copy.store.add_workspace("Research")
    demo_copy.store.assign("Research", [demo_copy.store.connections()[0].id])
    spec = PivotSpec(("service",), "month", DateChoice("mtd").resolve(demo_copy.today), (), "Research")
    first = to_markdown(demo_copy.store.run_pivot(spec, today=demo_copy.today)).splitlines()[0]
    assert first == "**Cost (USD), 2026-11-01..2026-11-27 (UTC days) · workspace Research**"


@pytest.mark.parametrize(("what", "sep", "start"), [
    ("copy as csv", ",", "Service,2026-09,2026-10,2026-11,Total"),
    ("copy as tsv", "\t", "Service\t2026-09\t2026-10\t2026-11\tTotal"),
    ("copy as markdown", "|", "**Cost (USD), 2026-09-01..2026-11-27 (UTC days)**"),
])
async def test_copy_to_the_clipboard_as_shown(demo_copy, here, what, sep, start) -> None:
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await choose(pilot, what)
        copied = app.clipboard
        assert copied.startswith(start), copied[:200]
        total_line = [line for line in copied.splitlines() if "Total" in line and sep in line][-1]
        shown_total = total_line.rstrip(" |").split(sep)[-1].strip(' "*')
        assert re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}", shown_total), total_line  # as on screen
        assert any(m.startswith("Copied ") for m in messages(app))
        assert list(here.iterdir()) == []  # a copy writes no file
    assert os.getcwd() == str(here)
