"""Report presets (prompt caching, tiers, long context): their views, the caching line they show, and
``report --preset`` from the shell, on hand-made rows with hand-computed answers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openai_cost_tui.config.paths import default_db, ensure_private_dir
from openai_cost_tui.core import money
from openai_cost_tui.core.economics import CacheEconomics, describe_caching
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.models import CostRow, Filter
from openai_cost_tui.core.report_presets import preset_state
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run

TOKENS = 10**18  # one token as an atto-quantity


def test_the_cache_preset_keeps_only_input_like_subcategories() -> None:
    state = preset_state("cache", ["output", "input", "text cached input", "cache writes", "audio input",
                                   "credit", "hd, 1024x1024"])
    assert (state.rows, state.cols, state.dates.preset, state.top) == (("category",), "subcategory", "30d", None)
    assert state.filters == (Filter("subcategory", ("audio input", "cache writes", "input", "text cached input")),)
    assert preset_state("cache", []).filters == ()  # nothing known yet: no filter that hides everything


def test_the_tier_and_context_presets_split_each_model() -> None:
    assert (preset_state("tiers").rows, preset_state("tiers").cols) == (("category",), "tier")
    assert (preset_state("context").rows, preset_state("context").cols) == (("category",), "context")
    with pytest.raises(UsageError, match="unknown preset 'nope'; choose one of: cache, tiers, context"):
        preset_state("nope")


def test_the_caching_line_adds_up_every_model() -> None:
    dollars = money.parse_exact
    a = CacheEconomics("gpt-4o", 1_000_000 * TOKENS, 400_000 * TOKENS, dollars("0.5"), dollars("1"),
                       dollars("0.5"), 0, 0)
    b = CacheEconomics("gpt-4.1", 600_000 * TOKENS, 0, 0, 0, 0, dollars("0.25"), 0)
    # 400k cached of 2M input tokens = 20.0%; saved $0.50; writes cost $0.25 above input
    assert describe_caching([a, b]) == (
        "Prompt caching saved $0.50 against uncached input: 20.0% of input tokens were cached "
        "(cache writes cost $0.25 extra); most: gpt-4o $0.50")
    assert describe_caching([b]) == ""  # no cached tokens: nothing to say


def seeded(home) -> None:
    """gpt-4o: 1M input tokens for $2.50 and 400k cached for $0.50 (uncached: 400k x $2.50/1M = $1.00,
    so caching saved $0.50); gpt-4o output $10 for 1M; a batch line for the tier preset."""
    d, usd = date(2026, 11, 20), money.parse_exact
    rows = [
        CostRow(d, "p1", "gpt-4o-2024-08-06, input", None, "usd", usd("2.5"), 1_000_000 * TOKENS, "tokens"),
        CostRow(d, "p1", "gpt-4o-2024-08-06, cached input", None, "usd", usd("0.5"), 400_000 * TOKENS, "tokens"),
        CostRow(d, "p1", "gpt-4o-2024-08-06, output", None, "usd", usd("10"), 1_000_000 * TOKENS, "tokens"),
        CostRow(d, "p1", "batch | gpt-4o-2024-08-06, input", None, "usd", usd("1.25"), 1_000_000 * TOKENS,
                "tokens"),
    ]
    with Store(default_db(ensure_private_dir(home))) as store:
        conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", date(2026, 11, 1)))
        store.replace_window(conn.id, date(2026, 11, 1), date(2026, 11, 26), rows)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    seeded(tmp_path)
    return tmp_path


DAYS = ("--from", "2026-11-01", "--to", "2026-11-26")  # flags override the preset's own "last 30 days"


def test_report_preset_cache_prints_models_by_input_kind_and_what_caching_saved(home, capsys) -> None:
    code, out, _ = run(capsys, "report", "--preset", "cache", *DAYS, "--format", "json")
    assert code == 0
    got = {(r["category"], r["subcategory"]): r["cost"] for r in json.loads(out)["rows"]}
    assert got == {("gpt-4o", "input"): "3.75", ("gpt-4o", "cached input"): "0.5"}  # no output line
    code, out, _ = run(capsys, "report", "--preset", "cache", *DAYS)
    assert code == 0
    # batch input is priced on its own: 1M at $1.25 and no cached tokens, so it changes nothing below;
    # 400k cached of 2.4M input tokens = 16.7%
    assert out.rstrip().endswith("Prompt caching saved $0.50 against uncached input: 16.7% of input tokens "
                                 "were cached; most: gpt-4o $0.50.")


def test_report_preset_tiers_splits_models_by_tier(home, capsys) -> None:
    code, out, _ = run(capsys, "report", "--preset", "tiers", *DAYS, "--format", "json")
    assert code == 0
    got = {(r["category"], r["tier"]): r["cost"] for r in json.loads(out)["rows"]}
    assert got == {("gpt-4o", "standard"): "13", ("gpt-4o", "batch"): "1.25"}


def test_report_preset_and_view_together_is_a_usage_error(home, capsys) -> None:
    code, _, err = run(capsys, "report", "--preset", "cache", "--view", "mine")
    assert code == 2 and "give one of them" in err
