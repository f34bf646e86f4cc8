"""The virtual tags screen (T on the report): every tag's values and rules in order; n adds a rule,
x deletes the rule under the cursor. An edit is saved at once (a line under the table says what the rule
claims of the stored cost, or why it claims nothing) and the report under it re-reads its figures when the
screen closes: nothing is synced again."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ...core.tags import RULE_DIMENSIONS, TagSet
from ...core.text import shown
from ...services import tags as tag_service
from ..jobs import Jobs, cost_app
from ..modals.confirm import ConfirmModal
from ..modals.line import LineModal

HINT = "n new rule · Enter or e edits the rule under the cursor · x deletes it · Esc back to the report"
EXAMPLE = "team Search project='Search*'"  # fits an 80-column dialog's field
MORE = ("Patterns are exact or globs (* ? [..]), case-sensitive, in quotes when they have spaces; a|b for "
        "alternatives; (none) for costs without one; more conditions (service=Images) must all hold; "
        "split=proportional|even|Search=60,Ads=40 shares a value's cost out.")


class TagsScreen(Jobs, ModalScreen[bool]):
    """Dismissed with True when a rule changed (the report then queries again)."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="tags-close", tooltip="Back to the report"),
        Binding("n", "new_rule", "New rule", id="tags-new", tooltip="Add a rule to a tag's value"),
        Binding("e", "edit_rule", "Edit", id="tags-edit", tooltip="Edit the rule under the cursor (Enter too)"),
        Binding("x,delete", "delete_rule", "Delete", id="tags-delete", tooltip="Delete the rule under the cursor"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.changed = False
        self.rows: list[tuple[str, str, int]] = []  # (tag, value, rule index) of each table row
        self.tags: TagSet | None = None  # what the table shows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog", id="tags-dialog"):
            yield Label(Text("Virtual tags: the first value whose rule matches wins; the rest is (untagged)"),
                        classes="dialog-title")
            table = DataTable(id="tags-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Tag", "Value", "Rule (all must hold)", "Split")
            yield table
            yield Label("", id="tags-saved", classes="note")  # what the last rule saved claims (one line kept)
            yield Label("", id="tags-empty")
            yield Label("", id="error", classes="error")
            yield Label(HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._reload()

    def _reload(self) -> None:
        store = cost_app(self).ctx.store
        self.background(lambda: tag_service.load(store), self._show, group="tags-store", exclusive=True)

    def _show(self, tags: TagSet) -> None:
        self.tags = tags
        table = self.query_one(DataTable)
        table.clear()
        self.rows = []
        for tag in tags.tags:
            for v in tag.values:
                for i, rule in enumerate(v.rules):
                    new_tag = not self.rows or self.rows[-1][0] != tag.name
                    first = new_tag or self.rows[-1][1] != v.name
                    table.add_row(Text(shown(tag.name) if new_tag else ""), Text(shown(v.name) if first else ""),
                                  Text(shown(rule.text())), Text(shown(v.split_text()) if i == 0 else ""))
                    self.rows.append((tag.name, v.name, i))
        empty = "" if self.rows else f"No tags yet: press n and type, for example, {EXAMPLE}. {MORE}"
        self.query_one("#tags-empty", Label).update(Text(empty))

    def action_new_rule(self) -> None:
        self._ask_rule("New rule", "", "Add", None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_rule()

    def _cursor_rule(self) -> tuple[str, str, int] | None:
        """(tag, value, rule index) of the row under the cursor, None when the table is empty."""
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if row is not None and 0 <= row < len(self.rows) else None

    def action_edit_rule(self) -> None:
        old = self._cursor_rule()
        if old is None:
            return
        tag = self.tags.get(old[0]) if self.tags else None
        value = tag.value(old[1]) if tag else None
        if value is None or old[2] >= len(value.rules):
            return
        self._ask_rule("Edit rule", tag_service.rule_line(tag, value, old[2]), "Save", old)

    def _ask_rule(self, title: str, line: str, ok: str, old: tuple[str, str, int] | None) -> None:
        """The rule dialog: a new rule (``old`` None) or ``old`` (tag, value, index) edited, saved in a job."""

        def answered(answer) -> None:
            if answer is None:
                return
            ctx = cost_app(self).ctx
            store = ctx.store
            name, value, rule, split, percents, given = answer
            self.changed = True

            def job() -> tag_service.Reach:
                if old is None:
                    edit = tag_service.add_rule(store, name, value, rule, split, percents, set_split=given)
                else:
                    edit = tag_service.edit_rule(store, old, name, value, rule, split, percents, set_split=given)
                return tag_service.rule_reach(store, edit.tag.name, edit.value, rule, ctx.today)

            self.background(job, self._saved, group="tags-store")

        self.app.push_screen(LineModal(f"{title}: TAG VALUE DIM=PATTERN ... ({', '.join(RULE_DIMENSIONS)})",
                                       tag_service.parse_line, value=line, placeholder=EXAMPLE, ok=ok,
                                       field_id="tag-rule", hint=MORE), answered)

    def _saved(self, reach: tag_service.Reach) -> None:
        """A rule saved: the table read again, and what the rule claims of the stored cost said under it
        (in place of the last save's line: toasts would stack over the table edit after edit)."""
        self._reload()
        note = self.query_one("#tags-saved", Label)
        note.update(Text(f"{'Rule saved' if reach.claims else 'Rule saved, claims nothing'}: {shown(reach.line)}"))
        note.set_class(not reach.claims, "warning-note")

    def action_delete_rule(self) -> None:
        found = self._cursor_rule()
        if found is None:
            return
        name, value, index = found
        store = cost_app(self).ctx.store
        table = self.query_one(DataTable)
        rule = str(table.get_row_at(table.cursor_row)[2])

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.changed = True
                self.background(lambda: tag_service.remove_rule(store, name, value, index),
                                lambda _: self._reload(), group="tags-store")

        self.app.push_screen(ConfirmModal(f"Delete this rule of {shown(name)} = {shown(value)}?",
                                          f"{rule}\nCosts it matched go to the next matching value, or (untagged).",
                                          yes="Delete"), confirmed)

    def action_close(self) -> None:
        self.dismiss(self.changed)
