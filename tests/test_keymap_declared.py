"""The keymap's declared binding ids (what a tui.toml may remap, read at start with no dialog imported)
are the screens' and dialogs' own BINDINGS, section by section: a binding added, removed or renamed in a
class fails here until keymap.DECLARED_IDS says so too (else its remapping would be refused, or a stale
id accepted, with no other sign)."""

from __future__ import annotations

import subprocess
import sys

from openai_cost_tui.tui.app import CostApp
from openai_cost_tui.tui.keymap import DECLARED_IDS, binding_ids, sections


def _app() -> CostApp:
    return CostApp.__new__(CostApp)  # sections() reads the class's MODES and BINDINGS only


def test_declared_ids_are_the_classes_own_section_by_section() -> None:
    actual = {ident: tuple(b.id for b in bindings if b.id)
              for ident, _, bindings in sections(_app()) if ident != "app"}
    assert {k: v for k, v in actual.items() if v} == DECLARED_IDS


def test_every_id_the_help_shows_is_one_a_keymap_file_may_remap() -> None:
    shown = {b.id for _, _, bindings in sections(_app()) for b in bindings if b.id}
    assert binding_ids(_app()) == shown
    assert {"report-rows", "show-insights", "connection-add", "filter-to-list", "confirm-yes"} <= shown


def test_reading_the_keymap_ids_imports_no_screen_or_dialog_and_the_help_imports_them_all() -> None:
    code = (
        "import sys\n"
        "from openai_cost_tui.tui.app import CostApp\n"
        "from openai_cost_tui.tui.keymap import binding_ids, sections\n"
        "app = CostApp.__new__(CostApp)\n"
        "lazy = ['openai_cost_tui.tui.screens.' + m for m in ('insights', 'connections', 'workspaces', 'tags',"
        " 'help')] + ['openai_cost_tui.tui.modals.' + m for m in ('add_connection', 'edit_connection', 'choice',"
        " 'filter', 'date_range', 'line', 'confirm', 'export')]\n"
        "assert 'report-rows' in binding_ids(app)\n"
        "early = [m for m in lazy if m in sys.modules]\n"
        "assert not early, early\n"
        "titles = [title for _, title, _ in sections(app)]\n"
        "assert 'Insights screen' in titles and 'Questions' in titles, titles\n"
        "late = [m for m in lazy if m not in sys.modules and not m.endswith(('help', 'export'))]\n"
        "assert not late, late\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
