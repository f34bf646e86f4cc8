"""A tag by project or key over a day-binned view, where every connection shows each id alike, is grouped
by the id in SQL and classed in Python (store/pivot.py ``class_id``): its cells equal the CASE's, and its
values add up as the tag property test says, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.core.tags import Rule, Tag, TagValue
from openai_cost_tui.services import tags as tag_service
from openai_cost_tui.store import pivot as store_pivot
from openai_cost_tui.store.store import Store
from tests.test_pivot_by_label import ALIKE, BY_LABEL, _fresh_pg, forced
from tests.test_pivot_property import LINE_ITEMS, rows_st, sqlite_store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_property import RANGE, TODAY, check_tags, tags_st


@st.composite
def one_dim_tags(draw) -> Tag:
    """tags_st's tags with every rule reading one dimension, project or key (what tag_regions classes)."""
    tag = draw(tags_st())
    dim = draw(st.sampled_from(["project", "api_key"]))
    return Tag(tag.name, tuple(TagValue(v.name, tuple(Rule(((dim, r.conditions[0][1]),)) for r in v.rules), v.split,
                                        v.percents) for v in tag.values))


@contextlib.contextmanager
def counting_class_id():
    """How many result columns were classed by id (so the test knows the path was taken)."""
    seen = {"class_id": 0}
    labels = store_pivot._Names.labels

    def spy(self, dim, columns):
        if self.mode(dim) == "class_id":
            seen["class_id"] += 1
        return labels(self, dim, columns)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(store_pivot._Names, "labels", spy)
        yield seen


@contextlib.contextmanager
def as_case():
    """The classes written as the CASE of store/pivot.py ``_case`` again (the reference)."""
    mode = store_pivot._Names.mode

    def case_mode(self, dim):
        return "value" if dim in self.classes else mode(self, dim)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(store_pivot._Names, "mode", case_mode)
        yield


VIEWS = [PivotSpec(rows=("team",), cols="day", date_range=RANGE),
         PivotSpec(rows=("team", "service"), cols="day", date_range=RANGE),
         PivotSpec(rows=("day",), cols="team", date_range=RANGE)]


def check_by_id(store: Store, raw, tag: Tag) -> int:
    check_tags(store, raw, tag, "day")  # stores the rows and the tag (when it is a valid one)
    if store.tags().get(tag.name) is None:
        return 0
    with counting_class_id() as seen:
        got = [tag_service.evaluate(store, spec, today=TODAY) for spec in VIEWS]
    with as_case():
        want = [tag_service.evaluate(store, spec, today=TODAY) for spec in VIEWS]
    for a, b in zip(got, want, strict=True):
        assert (a.result.row_keys, a.result.col_keys, a.result.cells, a.result.total) == (
            b.result.row_keys, b.result.col_keys, b.result.cells, b.result.total)
        assert (a.split_in, a.split_out) == (b.split_in, b.split_out)
    return seen["class_id"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, tag=one_dim_tags())
def test_a_tag_classed_by_id_equals_its_case(raw, tag) -> None:
    with forced(BY_LABEL, ALIKE), sqlite_store() as store:
        check_by_id(store, raw, tag)


# rows that take the id path
SURE = [(0, 0, "p1", LINE_ITEMS[1], "k1", 10**18, None, None), (1, 1, "p2", LINE_ITEMS[2], "k2", 2 * 10**18, None, None),
        (0, 2, "p2", LINE_ITEMS[3], None, 3 * 10**18, None, None)]


@pytest.mark.parametrize("dim", ["project", "api_key"])
def test_the_id_path_is_taken_and_equals_the_case(dim) -> None:
    """The property test's random draws may miss the id path; these rows take it, by project and by key,
    and equal the CASE."""
    tag = Tag("team", (TagValue("A", (Rule(((dim, ("Alpha" if dim == "project" else "ci",)),)),)),))
    with forced(BY_LABEL, ALIKE), sqlite_store() as store:
        assert check_by_id(store, SURE, tag) > 0


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=rows_st, tag=one_dim_tags())
@needs_postgres
def test_a_tag_classed_by_id_equals_its_case_on_postgresql(pg_url, raw, tag) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with forced(BY_LABEL, ALIKE), Store(pg_url) as store:
        check_by_id(store, raw, tag)
