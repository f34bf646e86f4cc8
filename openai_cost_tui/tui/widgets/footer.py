"""A footer that keeps the most used keys: each screen ranks its bindings, and the footer shows them in
that order as far as the width allows (F1 to F5 fold into one "F2-F5 screens" key when they do not fit
one by one). The rest are one F1 or Ctrl+P away.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer

MODE_IDS = ("show-report", "show-connections", "show-workspaces", "show-insights")
NAMED_SCREENS_FROM = 100  # columns (beside the palette key) from which the screens' keys may show by name
PALETTE_WIDTH = 11  # "▏^p palette" docked on the right
_PALETTE = "(palette)"  # the ident of the palette's key


@dataclass(frozen=True)
class Item:
    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    ident: str
    from_app: bool = False

    @property
    def width(self) -> int:
        return len(self.display) + (1 + len(self.description) if self.description else 0) + 1


def ranked(items: list[Item], order: tuple[str, ...]) -> list[Item]:
    """Items in ``order`` (by binding id) first; then the screen's own keys as they came, Help, the
    other screens, search, and the rest of the app's keys, Quit last."""
    rank = {ident: i for i, ident in enumerate(order)}
    later = {"help": 1, **dict.fromkeys(MODE_IDS, 2), "search": 3, "sync-all": 4, "quit": 6}

    def key(item: Item) -> tuple[int, int]:
        if item.ident in rank:
            return 0, rank[item.ident]
        return 1, later.get(item.ident, 5 if item.from_app else 0)

    return sorted(items, key=key)


def fit(items: list[Item], width: int) -> list[Item]:
    """The leading items that fit in ``width`` columns. The other screens' keys fold into one "F2-F5
    screens" key when they do not fit by name, and on a narrow footer always, so that every screen
    shows them alike at 80 columns whatever its own keys' count."""

    def take(candidates: list[Item]) -> list[Item]:
        out, used = [], 0
        for item in candidates:
            if used + item.width > width:
                break
            out.append(item)
            used += item.width
        return out

    shown = take(items)
    modes = [it for it in items if it.ident in MODE_IDS]
    if not modes or width >= NAMED_SCREENS_FROM and all(m in shown for m in modes):
        return shown
    first = items.index(modes[0])
    group = Item("f1", "F2-F5", "screens", "app.help", True,
                 " · ".join(f"{m.display} {m.description}" for m in modes), "screens")
    rest = [it for it in items if it.ident not in MODE_IDS]
    return take(rest[:first] + [group] + rest[first:])


class FooterKey(Widget):
    """One key and what it does; a click presses the key (as Textual's own footer keys do)."""

    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description"}
    DEFAULT_CSS = """
    FooterKey {
        width: auto; height: 1; margin-right: 1; text-wrap: nowrap;
        background: $footer-item-background;
        .footer-key--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        .footer-key--description { color: $footer-description-foreground; background: $footer-description-background; }
        &:hover { background: $block-hover-background; }
        &.-disabled { text-style: dim; }
        &.-command-palette { dock: right; margin-right: 0; border-left: vkey $foreground 20%; }
    }
    """

    def __init__(self, key: str, display: str, description: str, action: str, *, disabled: bool = False,
                 tooltip: str = "", classes: str = "") -> None:
        super().__init__(classes=classes + (" -disabled" if disabled else ""))
        self.key, self.key_display, self.description, self.action = key, display, description, action
        self._off = disabled
        if tooltip:
            self.tooltip = tooltip

    def render(self) -> Text:
        text = Text.assemble((self.key_display, self.get_component_rich_style("footer-key--key")))
        if self.description:
            text.append(" " + self.description, self.get_component_rich_style("footer-key--description"))
        return text

    def on_click(self) -> None:
        if self._off:
            self.app.bell()
        else:
            self.app.simulate_key(self.key.split(",")[0])


class FittedFooter(Footer):
    """The footer of every main screen (``FOOTER_ORDER`` on the screen ranks binding ids). While a dialog
    is open over its screen it shows the dialog's keys (a dialog's keys are its own: the app's and the
    screen's beneath do not reach it), never the keys of the screen beneath."""

    @property
    def source(self) -> Screen:
        """The screen whose keys are shown: the dialog open over this footer's screen, else that screen."""
        stack = self.app.screen_stack
        own = self.screen
        if own in stack and stack[-1] is not own and isinstance(stack[-1], ModalScreen):
            return stack[-1]
        return own

    def follow_top(self) -> None:
        """Called when a dialog opens over this footer's screen or closes: listen to the top screen's
        key changes (a dialog's focus moving changes its keys) and show its keys."""
        top = self.source
        if top is not self.screen:
            top.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not (screen.app.app_focus and self.is_attached):
            return
        if screen is self.source:
            self.call_after_refresh(self.recompose)
        elif screen is not self.screen:  # the dialog it followed was covered by another dialog
            self.follow_top()

    _shown: tuple[Item, ...] | None = None  # the keys composed last

    async def recompose(self) -> None:
        """Compose again only when the keys to show changed: at start and at every focus move the
        bindings change several times over with the same keys (six times before the first paint, each
        time making a dozen keys and styling them)."""
        if self._shown is not None and self.is_attached and self._plan() == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._shown = plan = self._plan()
        for item in plan:
            yield FooterKey(item.key, item.display, item.description, item.action, disabled=not item.enabled,
                            tooltip=item.tooltip, classes="-command-palette" if item.ident == _PALETTE else "")

    def _plan(self) -> tuple[Item, ...]:
        """The keys to show, in order: those that fit, then the palette's (none before the bindings are
        ready)."""
        if not self._bindings_ready:
            return ()
        seen: set[str] = set()
        here = f"switch_mode('{self.app.current_mode}')"  # the key of the screen you are on
        items: list[Item] = []
        source = self.source
        for node, binding, enabled, tooltip in source.active_bindings.values():
            if not binding.show or binding.action in seen or binding.action == here:
                continue
            seen.add(binding.action)
            items.append(self._item(binding, enabled, tooltip, node is self.app))
        order = getattr(source, "FOOTER_ORDER", ())
        palette = PALETTE_WIDTH if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else 0
        shown = tuple(fit(ranked(items, order), max(0, self.size.width - palette)))
        found = source.active_bindings.get(self.app.COMMAND_PALETTE_BINDING) if palette else None
        if found is None:
            return shown
        _, binding, enabled, _ = found
        return (*shown, Item(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                             enabled, binding.tooltip or binding.description, _PALETTE))

    def _item(self, binding: Binding, enabled: bool, tooltip: str, from_app: bool) -> Item:
        return Item(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                    enabled, tooltip or binding.tooltip, binding.id or binding.action, from_app)

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)
