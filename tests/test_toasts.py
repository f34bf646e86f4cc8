"""A notification never covers a dialog's hints or buttons: over a dialog, toasts stack at the top."""

from __future__ import annotations

from textual.widgets import Button
from textual.widgets._toast import Toast

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.export import ExportPathModal
from tests.support.tui import settle


async def test_a_toast_over_a_dialog_leaves_its_hint_and_buttons_visible(demo_copy, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_copy, sync_on_start=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        for key in ("e", "enter"):
            await pilot.press(key)
            await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportPathModal)
        app.clear_notifications()  # the start-up notice
        app.notify("A long notification that takes several lines of the screen, as an export's path does "
                   "when it is written somewhere deep in the file system.", timeout=30)
        await settle(pilot)
        toasts = list(dialog.query(Toast))
        assert toasts
        covered = [w for w in (dialog.query_one(".dialog-hint"), *dialog.query(Button))
                   if any(t.region.overlaps(w.region) for t in toasts)]
        assert not covered, [(t.region, [w.region for w in covered]) for t in toasts]
