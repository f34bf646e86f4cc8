"""The pickers' narrowing, now shared with the date dialog (modals/narrowing.py), behaves as ChoiceModal's
own did: the same options in the same order for any search, the current option highlighted until one
types, arrows round the ends, Enter answers the highlighted id."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, OptionList

from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.choice import ChoiceModal
from openai_cost_tui.tui.modals.narrowing import narrowed
from tests.support.tui import keys, settle


def choice_modal_before(options: list[tuple[str, str]], search: str) -> list[tuple[str, str]]:
    """ChoiceModal._show's rule as it was before it moved, written another way (the reference): keep what
    holds the search in its id or text; then, stable passes from the least to the most telling, put first
    a text starting with it, an id starting with it, the id itself."""
    n = search.strip().lower()
    kept = [(k, t) for k, t in options if n in k.lower() + "\0" + t.lower()]
    if not n:
        return kept
    for first in (lambda k, t: t.lower().startswith(n), lambda k, t: k.lower().startswith(n),
                  lambda k, t: k.lower() == n):
        kept = [o for o in kept if first(*o)] + [o for o in kept if not first(*o)]
    return kept


LETTERS = st.text(alphabet="abAB d-_", max_size=6)


@given(options=st.lists(st.tuples(LETTERS, LETTERS), max_size=8), search=LETTERS)
def test_narrowed_keeps_and_orders_what_choice_modal_did(options, search) -> None:
    assert narrowed(options, search) == choice_modal_before(options, search)


def test_what_the_typed_text_names_comes_first() -> None:
    options = [("weekday", "Weekday  weekday"), ("day", "Day  day"), ("days_left", "Days left  days_left"),
               ("x", "days of x")]
    assert [k for k, _ in narrowed(options, " DAY ")] == ["day", "days_left", "x", "weekday"]
    assert narrowed(options, "") == options


OPTIONS = [("service", "Service  service"), ("project", "Project  project"), ("day", "Day  day"),
           ("month", "Month  month")]


@pytest.fixture
def app(demo_copy):
    return make_app(demo_copy, sync_on_start=False, refresh_interval=0)


async def open_choice(pilot, answers: list) -> ChoiceModal:
    await settle(pilot)
    dialog = ChoiceModal("Rows: group by", OPTIONS, current="day")
    pilot.app.push_screen(dialog, answers.append)
    await settle(pilot)
    return dialog


def listed(dialog: ChoiceModal) -> tuple[list[str], str | None]:
    choices = dialog.query_one(OptionList)
    ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
    return ids, None if choices.highlighted is None else ids[choices.highlighted]


async def test_choice_modal_narrows_moves_and_picks_as_before(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        answers: list = []
        dialog = await open_choice(pilot, answers)
        assert app.focused is dialog.query_one(Input)
        assert listed(dialog) == (["service", "project", "day", "month"], "day")  # the current one
        await keys(pilot, *"o")
        assert listed(dialog) == ([k for k, _ in choice_modal_before(OPTIONS, "o")], "project")
        await keys(pilot, "up")
        assert listed(dialog)[1] == "month"  # round from the first to the last
        await keys(pilot, "down", "down")
        assert listed(dialog)[1] == "month"  # and back: project, month
        await keys(pilot, "backspace", *"zz")
        assert listed(dialog) == ([], None)  # the pickers' list just empties (no line of its own)
        await keys(pilot, "enter")
        assert app.screen is dialog and answers == []
        await keys(pilot, "backspace", "backspace")
        assert listed(dialog) == (["service", "project", "day", "month"], "day")
        await keys(pilot, "down", "enter")
        assert answers == ["month"]


async def test_choice_modal_escape_answers_none(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        answers: list = []
        await open_choice(pilot, answers)
        await keys(pilot, *"pro", "escape")
        assert answers == [None]
