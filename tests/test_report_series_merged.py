"""The report's trend column and anomaly flags (``with_series``) read one row x day pivot for a view
by service or project and keep what they read per view: the series and flags are exactly those of the
two separate pivots (``daily_series`` and ``anomaly_flags``), for every top N, filter, date range and
tag; swapping back or cycling top N reads no pivot it has read; a sync or a tag edit is never hidden
behind what was kept."""

from __future__ import annotations

from dataclasses import replace

import pytest

from openai_cost_tui.core.models import Filter
from openai_cost_tui.core.pivot import OTHER_LABEL
from openai_cost_tui.core.report_state import DateChoice, ReportState
from openai_cost_tui.core.tags import Rule, TagValue
from openai_cost_tui.services import report_query as rq
from openai_cost_tui.services import tags
from openai_cost_tui.services.report_query import anomaly_flags, daily_series, load_report, with_series
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_tui import TEAM


def separate(store, data, today):
    """The series and flags as the two separate pivots give them."""
    rng = data.result.date_range
    shown = [k[0] for k in data.result.row_keys if k[0] != OTHER_LABEL]
    return (daily_series(store, data.state, rng, today, splits=data.splits),
            anomaly_flags(store, data.state, rng, today, rows=shown))


def merged(store, state, today, *, splits=True):
    data = with_series(store, load_report(store, state, today, splits=splits), today)
    return data.grid.series, data.grid.flags


PROJECTS = ReportState(rows=("project",), cols="month")
SERVICES = ReportState(rows=("service",), cols="month")
STATES = [
    PROJECTS,
    replace(PROJECTS, top=3),
    replace(PROJECTS, top=None),
    replace(PROJECTS, compare=True, top=2),
    replace(PROJECTS, dates=DateChoice("7d")),
    replace(PROJECTS, dates=DateChoice("ytd"), top=4),
    replace(PROJECTS, dates=DateChoice("last_month")),
    replace(PROJECTS, filters=(Filter("service", ("Credits",), exclude=True),), top=2),
    replace(PROJECTS, filters=(Filter("project", ("(none)",), exclude=True),)),
    replace(PROJECTS, cols="service", measure="quantity", top=2),
    SERVICES,
    replace(SERVICES, top=2),
    replace(SERVICES, dates=DateChoice("90d"), filters=(Filter("category", ("Credits",), exclude=True),)),
    replace(SERVICES, cols=None, compare=True),
    ReportState(rows=("month",), cols="project"),
    ReportState(rows=("project", "service"), cols="month"),
]


def tag_states() -> list[ReportState]:  # once the tag exists
    return [ReportState(rows=("team",), cols="month"), replace(PROJECTS, filters=(Filter("team", ("Bots", "Search")),))]


def test_one_pivot_gives_the_series_and_flags_of_the_two(demo_copy) -> None:
    store, today = demo_copy.store, demo_copy.today
    store.save_tag(TEAM)
    tags.load(store)
    seen = {"flags": 0, "other": 0, "credits": 0}
    for state in (*STATES, *tag_states()):
        for splits in (True, False) if "team" in str(state) else (True,):
            rq.forget(store)
            data = load_report(store, state, today, splits=splits)
            want = separate(store, data, today)
            assert merged(store, state, today, splits=splits) == want, (state, splits)
            assert merged(store, state, today, splits=splits) == want, ("kept", state, splits)
            seen["flags"] += len(want[1])
            seen["other"] += (OTHER_LABEL,) in want[0]
            seen["credits"] += ("Credits",) in want[0]
    assert seen["flags"] and seen["other"] and seen["credits"], seen  # the states show each case


class Counting:
    """Counts the store's pivots (each a query a key press would wait for)."""

    def __init__(self, store, monkeypatch) -> None:
        self.n = 0
        run = store.run_pivot

        def counted(*args, **kwargs):
            self.n += 1
            return run(*args, **kwargs)

        monkeypatch.setattr(store, "run_pivot", counted)

    def since(self, fn):
        before = self.n
        fn()
        return self.n - before


def test_swapping_back_and_cycling_top_n_read_nothing_read_before(demo_copy, monkeypatch) -> None:
    store, today = demo_copy.store, demo_copy.today
    pivots = Counting(store, monkeypatch)
    tops = [replace(PROJECTS, top=t) for t in (25, 3, 10, None)]
    answers = {s: merged(store, s, today) for s in tops}
    swapped = load_report(store, PROJECTS.swapped(), today)
    with_series(store, swapped, today)
    for state in (PROJECTS, *tops):
        data = load_report(store, state, today)
        assert pivots.since(lambda d=data: with_series(store, d, today)) == 0, state  # nothing read again
        assert (with_series(store, data, today).grid.series, with_series(store, data, today).grid.flags) \
            == answers[state] == separate(store, data, today)
    assert pivots.since(lambda: with_series(store, swapped, today)) == 0


def test_a_sync_or_a_tag_edit_is_never_hidden_by_what_was_kept(demo_copy, monkeypatch) -> None:
    store, today = demo_copy.store, demo_copy.today
    store.save_tag(TEAM)
    tags.load(store)
    state = replace(PROJECTS, filters=(Filter("team", ("Bots",)),))
    before = {s: merged(store, s, today) for s in (PROJECTS, SERVICES)}
    tagged = merged(store, state, today)
    bots = TagValue("Bots", (Rule((("project", ("Support Bot", "Sales*", "Search*")),)),))
    store.save_tag(replace(TEAM, values=(bots, *TEAM.values[2:])))  # Search's projects are Bots now
    assert merged(store, state, today) == separate(store, load_report(store, state, today), today) != tagged

    results = demo_copy.engine.sync_all(store.connections())  # the demo revises yesterday on a second sync
    assert all(r.ok for r in results), results
    changed = 0
    for s in (PROJECTS, SERVICES):
        want = separate(store, load_report(store, s, today), today)
        assert merged(store, s, today) == want, s
        changed += want != before[s]
    assert changed, "the sync changed what these views show"

    pivots = Counting(store, monkeypatch)  # while a sync runs, its windows land unseen: nothing is kept
    merged(store, PROJECTS, today)
    store.update_connection(store.connections()[0].id, status="syncing")
    assert pivots.since(lambda: merged(store, PROJECTS, today)) > 0
    assert pivots.since(lambda: merged(store, PROJECTS, today)) > 0


@pytest.mark.parametrize("rows", ["project", "service"])
def test_the_flags_of_a_view_are_those_it_shows(demo_copy, rows) -> None:
    """The fake organization's spikes are flagged through the kept view as by ``anomaly_flags``."""
    store, today = demo_copy.store, demo_copy.today
    state = ReportState(rows=(rows,), cols="month", top=None, dates=DateChoice("90d"))
    series, flags = merged(store, state, today)
    assert flags and flags == anomaly_flags(store, state, state.date_range(today), today)
    assert set(flags) <= set(series)
