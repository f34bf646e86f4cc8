"""What a rule claims, said after ``tags add``: a typo that matches nothing says so (and names a label it
would match in another case), a rule whose matches an earlier value takes names that value, and one that
claims cost states how much, equal to the report's figure; for random rows and tags, the figure is what a
plain Python first match over the raw rows gives the rule."""

from __future__ import annotations

import fnmatch
import shlex
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.core.tags import Rule, TagValue
from openai_cost_tui.services import tags as tag_service
from tests.support.cli import run
from tests.test_pivot_property import START, displayed, rows_st, sqlite_store
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_property import PATTERNS, TODAY, stored, tags_st

SPAN = ("--from", "2025-11-01", "--to", "2026-11-30")  # every month the demo store holds


def add(capsys, db: str, *words: str) -> list[str]:
    code, out, err = run(capsys, "--db", db, "tags", "add", *words)
    assert code == 0, err
    return out.splitlines()


def report(capsys, db: str, rows: str, *extra: str) -> dict[str, int]:
    code, out, err = run(capsys, "--db", db, "report", "--rows", rows, *SPAN, "--format", "csv", *extra)
    assert code == 0, err
    return {label: money.parse_exact(cost) for label, cost in (ln.rsplit(",", 1) for ln in out.splitlines()[1:])}


def test_a_typo_says_nothing_matches_lists_where_to_look_and_still_saves(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    lines = add(capsys, db, "team", "Search", "project=Serch*")
    assert lines[0] == "Tag team: Search <- project=Serch* (a new tag)."
    assert lines[1].startswith("No stored cost matches project=Serch* yet: patterns are case-sensitive.")
    assert "(it would match" not in lines[1]  # no project matches in another case either
    assert "costs synced later may match it" in lines[1]
    assert demo_copy.store.tag("team").value("Search") is not None  # saved all the same
    hint = lines[1].split("`")[1]  # the command it names lists the projects stored
    code, out, _ = run(capsys, "--db", db, *shlex.split(hint)[1:], "--format", "csv")
    assert code == 0 and set(report(capsys, db, "project")) <= {ln.rsplit(",", 1)[0] for ln in out.splitlines()}


def test_a_pattern_in_the_wrong_case_names_a_label_it_would_match(demo_copy, capsys) -> None:
    lines = add(capsys, demo_copy.store.url, "team", "Search", "project=search*")
    projects = report(capsys, demo_copy.store.url, "project")
    folded = [p for p in projects if fnmatch.fnmatchcase(p.casefold(), "search*")]
    assert folded and not [p for p in projects if fnmatch.fnmatchcase(p, "search*")]
    assert any(f"(it would match {p!r})" in lines[1] for p in folded), lines[1]


def test_a_condition_no_label_meets_is_named_in_a_rule_of_two(demo_copy, capsys) -> None:
    lines = add(capsys, demo_copy.store.url, "team", "Search", "project=Search*", "service=Imagez")
    assert lines[1].startswith("No stored cost matches service=Imagez yet:")
    assert "`openai-cost-tui report --rows service --from 2025-11`" in lines[1]


def test_a_rule_that_claims_states_its_figure_as_the_report_has_it(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    lines = add(capsys, db, "team", "Bots", "project=Support Bot|Sales*")
    projects = report(capsys, db, "project")
    mine = sorted(p for p in projects if p == "Support Bot" or p.startswith("Sales"))
    by_team = report(capsys, db, "team", "--no-splits")
    assert by_team["Bots"] == sum(projects[p] for p in mine)
    share = by_team["Bots"] * 100 / by_team["Total"]
    assert lines[1] == (f"It claims {money.usd(by_team['Bots'])} since 2025-11-01 ({share:.1f}% of the stored "
                        f"cost): projects {', '.join(repr(p) for p in mine)}.")


def test_a_rule_an_earlier_value_shadows_names_that_value(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    add(capsys, db, "team", "Bots", "project=Support Bot|Sales*")
    lines = add(capsys, db, "team", "Sales", "project=Sales*")
    projects = report(capsys, db, "project")
    sales = sum(amount for p, amount in projects.items() if p.startswith("Sales"))
    assert lines[1] == (f"All the stored cost project=Sales* matches ({money.usd(sales)} since 2025-11-01) goes "
                        "to Bots (first match wins), so this rule claims none of it.")
    assert "Sales" not in report(capsys, db, "team", "--no-splits")  # as it said: no cost is Sales'


def test_a_rule_partly_shadowed_says_what_goes_elsewhere(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    add(capsys, db, "team", "Bots", "project=Support Bot")
    lines = add(capsys, db, "team", "Rest", "connection=*")
    by_team = report(capsys, db, "team", "--no-splits")
    assert lines[1].startswith(f"It claims {money.usd(by_team['Rest'])} since 2025-11-01 (")
    assert lines[1].endswith(f" {money.usd(by_team['Bots'])} more that it matches goes to Bots (first match wins).")


def test_a_second_rule_its_own_value_covers_says_so(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    add(capsys, db, "team", "Search", "project=Search*")
    lines = add(capsys, db, "team", "Search", "project=Search*", "service=Images|Chats*")
    assert lines[0] == "Tag team: Search <- project=Search* service=Images|Chats* (rule 2 of 'Search')."
    assert "goes to Search through its earlier rules (first match wins)" in lines[1]


def test_a_split_value_says_what_it_claims_before_sharing_it_out(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    add(capsys, db, "team", "Search", "project=Search*")
    lines = add(capsys, db, "team", "Shared", "project=(none)", "--split", "proportional")
    assert lines[1] == "Shared is split across Search (proportional)."
    claimed = report(capsys, db, "team", "--no-splits")["Shared"]
    assert lines[2].startswith(f"It claims {money.usd(claimed)} since 2025-11-01: project '(none)'.")


def test_an_empty_store_says_the_rule_waits_for_costs(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    code, out, _ = run(capsys, "tags", "add", "team", "Search", "project=Search*")
    assert code == 0
    assert out.splitlines()[1] == ("No cost is stored yet, so nothing to match so far: the rule applies to costs "
                                   "synced later.")


def expected_reach(raw, tag, value, index) -> tuple[int | None, dict[str, int]]:
    """(what the rule claims, None if no row; what each earlier value takes of what it matches), by a
    plain first match over the raw rows, rule by rule."""
    rule = value.rules[index]
    claimed: int | None = None
    shadowed: dict[str, int] = defaultdict(int)
    for conn, d, p, li, k, amount, _, unit in raw:
        row = CostRow(START + timedelta(days=d), p, li, k, "usd", amount, None, unit)
        shown = displayed(conn, row)

        def holds(r, shown=shown) -> bool:
            return all(any(fnmatch.fnmatchcase(shown[dim], pat) for pat in pats) for dim, pats in r.conditions)

        if not holds(rule):
            continue
        earlier = [(v.name, r) for v in tag.values[:tag.values.index(value)] for r in v.rules]
        earlier += [(value.name, r) for r in value.rules[:index]]
        taker = next((name for name, r in earlier if holds(r)), None)
        if taker is None:
            claimed = (claimed or 0) + amount
        else:
            shadowed[taker] += amount
    return claimed, dict(shadowed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, tag=tags_st(), pick=st.integers(0, 100), late=st.sampled_from(["none", "copy", "wider"]),
       extra=st.sampled_from(["*", "*", *PATTERNS]))
def test_the_reach_is_a_first_match_over_the_raw_rows(raw, tag, pick, late, extra) -> None:
    """A rule of the tag, or one added last that copies an earlier rule (all it matches is taken first)
    or widens one (part of what it matches may be)."""
    if late != "none":
        earlier = [r for v in tag.values for r in v.rules][pick % sum(len(v.rules) for v in tag.values)]
        (dim, patterns), *rest = earlier.conditions
        wider = Rule(((dim, tuple(dict.fromkeys((*patterns, extra)))), *rest))
        tag = replace(tag, values=(*tag.values, TagValue("Late", (earlier if late == "copy" else wider,))))
    with sqlite_store() as store:
        assume(raw and stored(store, raw, tag))
        value = tag.values[-1] if late != "none" else tag.values[pick % len(tag.values)]
        rule = value.rules[pick // len(tag.values) % len(value.rules)]
        claimed, shadowed = expected_reach(raw, tag, value, value.rules.index(rule))
        reach = tag_service.rule_reach(store, tag.name, value.name, rule, TODAY)
        event("claims" if claimed is not None else "shadowed" if shadowed else "no match")
        event(f"{late}: partly shadowed: {claimed is not None and bool(shadowed)}")
        assert reach.claims == (claimed is not None), reach.line
        if claimed is not None:
            assert reach.line.startswith(f"It claims {money.usd(claimed)} since "), reach.line
        elif shadowed:
            assert f"matches ({money.usd(sum(shadowed.values()))} since " in reach.line, reach.line
        else:
            assert reach.line.startswith("No stored cost matches "), reach.line
        for name in shadowed:
            assert name in reach.line
        if shadowed:
            assert money.usd(sum(shadowed.values())) in reach.line


def test_the_readme_quotes_what_its_first_tags_add_prints_on_the_demo(demo_copy, capsys) -> None:
    from tests.test_tags_readme import README, blocks

    first = shlex.split(blocks()[0][0])
    assert first[1:3] == ["tags", "add"]
    said = add(capsys, demo_copy.store.url, *first[3:])[1]
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert f"`tags add` then says what the rule claims of the stored cost (`{said}`)" in text


def test_a_rule_gone_by_the_time_its_reach_is_read_says_so(demo_copy) -> None:
    rule = Rule((("project", ("Search*",)),))
    tag_service.add_rule(demo_copy.store, "team", "Search", rule)
    tag_service.remove_rule(demo_copy.store, "team")  # another edit of a team store, in between
    reach = tag_service.rule_reach(demo_copy.store, "team", "Search", rule, TODAY)
    assert not reach.claims and reach.line.startswith("The rule is no longer in 'Search' of team:")


def test_a_pattern_with_spaces_is_quoted_as_typed(demo_copy, capsys) -> None:
    db = demo_copy.store.url
    add(capsys, db, "team", "Bots", "project=Support Bot")
    lines = add(capsys, db, "team", "Help", "project=Support Bot")
    assert lines[1].startswith("All the stored cost project='Support Bot' matches (")
