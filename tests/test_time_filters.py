"""core.time_filters keeps exactly the days a pivot's calendar filters keep (checked against the store)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange, week_id
from openai_cost_tui.core.models import CostRow, Filter, PivotSpec
from openai_cost_tui.core.time_filters import keeps, split
from openai_cost_tui.store.store import NewConnection, Store

START = date(2025, 12, 20)
DAYS = [START + timedelta(days=i) for i in range(60)]


def _labels(dim: str) -> list[str]:
    return sorted({{"day": d.isoformat(), "week": week_id(d), "month": d.isoformat()[:7]}[dim] for d in DAYS})


filters_st = st.lists(
    st.sampled_from(["day", "week", "month"]).flatmap(
        lambda dim: st.builds(Filter, st.just(dim), st.lists(st.sampled_from(_labels(dim)), min_size=1, max_size=4,
                                                           unique=True).map(tuple), st.booleans())),
    max_size=3)


def test_split_keeps_order_and_separates_the_calendar() -> None:
    a, b, c = Filter("month", ("2026-01",)), Filter("service", ("Images",)), Filter("day", ("2026-01-02",), True)
    assert split([a, b, c]) == ((a, c), (b,))


@settings(max_examples=60, deadline=None)
@given(filters_st)
def test_keeps_what_the_store_keeps(tmp_path_factory, filters) -> None:
    store = Store(str(tmp_path_factory.mktemp("tf") / "s.db"))
    conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", START))
    store.replace_window(conn.id, DAYS[0], DAYS[-1], [
        CostRow(d, "p", "gpt-4o-2024-08-06, input", None, "usd", money.parse_exact("1"), None, None) for d in DAYS])
    found = store.run_pivot(PivotSpec(("day",), None, DateRange(DAYS[0], DAYS[-1]), tuple(filters)),
                            today=DAYS[-1] + timedelta(days=1))
    store.close()
    assert {k[0] for k in found.row_keys} == {d.isoformat() for d in DAYS if keeps(filters, d)}
