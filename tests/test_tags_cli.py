"""``tags add/list/show/remove/import/export``, ``report`` by a tag (hand-computed figures, with and without
splits), budgets by a tag, and bad rules as one line and exit 2 (naming the TOML line)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.models import CostRow, Project
from openai_cost_tui.services.checks import budget_status
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)


@pytest.fixture(autouse=True, scope="module")
def forget_tags():
    """The open store's tags are dimensions of the process: no test leaves its tags to the next one."""
    yield
    from openai_cost_tui.core.dimensions import use_tags

    use_tags(())


NOW = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)
D2, D3 = date(2026, 5, 2), date(2026, 5, 3)
INPUT = "gpt-4o-2024-08-06, input"
IMAGE = "gpt-image-1 image, output"
SPAN = ("--from", "2026-05-01", "--to", "2026-05-03")


def usd(text: str) -> int:
    return money.parse_exact(text)


def build(path) -> Store:
    """search-api $10 + ads-web $30 + no project $4 (vector storage) on May 2; search-api $5, no
    project $3 and a -$1 credit on May 3."""
    store = Store(str(path))
    conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", D2))
    store.save_names(conn.id, [Project("p1", "search-api"), Project("p2", "ads-web")], [])
    store.replace_window(conn.id, D2, D3, [
        CostRow(D2, "p1", INPUT, None, "usd", usd("10")),
        CostRow(D2, "p2", INPUT, None, "usd", usd("30")),
        CostRow(D2, None, "Vector storage", None, "usd", usd("4")),
        CostRow(D3, "p1", IMAGE, None, "usd", usd("5")),
        CostRow(D3, None, "Vector storage", None, "usd", usd("3")),
        CostRow(D3, None, "Promotional credit", None, "usd", usd("-1")),
    ])
    return store


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    import openai_cost_tui.cli.common as common
    from openai_cost_tui.services.context import open_context

    monkeypatch.setattr(common, "open_context", lambda **kw: open_context(clock=fixed_clock(NOW), **kw))
    build(tmp_path / "costs.db").close()
    return tmp_path


def add_team(capsys, split: str = "proportional") -> None:
    assert run(capsys, "tags", "add", "team", "Search", "project=search-*")[0] == 0
    assert run(capsys, "tags", "add", "team", "Ads", "project=ads-*")[0] == 0
    assert run(capsys, "tags", "add", "team", "Shared", "project=(none)", "--split", split)[0] == 0


def by_team(capsys, *extra) -> dict[str, str]:
    code, out, err = run(capsys, "report", "--rows", "team", *SPAN, "--format", "csv", *extra)
    assert code == 0, err
    return dict(line.split(",") for line in out.splitlines()[1:])


def test_add_show_list_remove(home, capsys) -> None:
    code, out, _ = run(capsys, "tags", "add", "team", "Search", "project=search-*")  # then what it claims:
    assert (code, out.splitlines()[0]) == (0, "Tag team: Search <- project=search-* (a new tag).")  # test_tag_reach
    code, out, _ = run(capsys, "tags", "add", "team", "Search", "project=ranker", "service=Embeddings|Images")
    assert (code, out.splitlines()[0]) == (0, "Tag team: Search <- project=ranker service=Embeddings|Images (rule 2 "
                                              "of 'Search').")
    code, out, _ = run(capsys, "tags", "add", "team", "Shared", "project=(none)", "--split", "even")
    assert out.splitlines()[1] == "Shared is split across Search (even)."
    code, out, _ = run(capsys, "tags", "show", "team")
    assert code == 0
    assert [ln.split() for ln in out.splitlines()[3:]] == [
        ["1", "Search", "project=search-*"], ["project=ranker", "service=Embeddings|Images"],
        ["2", "Shared", "project=(none)", "even"]]
    doc = json.loads(run(capsys, "tags", "list", "--format", "json")[1])
    assert doc["tags"][0]["values"][0]["rules"] == [{"project": ["search-*"]},
                                                    {"project": ["ranker"], "service": ["Embeddings", "Images"]}]
    assert run(capsys, "tags", "list")[1].splitlines()[2].split() == ["team", "2", "Search,", "Shared", "project,",
                                                                     "service"]
    assert run(capsys, "tags", "remove", "team", "Shared")[1] == "Removed the value 'Shared' of team.\n"
    assert run(capsys, "tags", "remove", "team")[1] == "Removed the tag team (1 value).\n"
    assert "No tags yet" in run(capsys, "tags", "list")[1]


def test_report_by_tag_unsplit_and_split(home, capsys) -> None:
    add_team(capsys)
    assert by_team(capsys, "--no-splits") == {"Ads": "30", "Search": "15", "Shared": "6", "Total": "51"}
    # May 2: $4 shared 10:30 -> 1 + 3; May 3: only Search had cost, so it takes the $3 and the -$1 credit
    assert by_team(capsys) == {"Ads": "33", "Search": "18", "Total": "51"}
    code, out, _ = run(capsys, "report", "--rows", "team", *SPAN)
    assert "Note: team: Shared's $6.00 allocated to Search $3.00, Ads $3.00 (--no-splits shows it unsplit)." in out
    code, out, _ = run(capsys, "report", "--rows", "service", "--where", "team=Search", *SPAN, "--format", "csv")
    assert out.splitlines()[1:] == ["Chats and Completions,10", "Images,5", "Storage,4", "Credits,-1", "Total,18"]
    code, out, _ = run(capsys, "report", "--rows", "team", "--exclude", "team=Ads", "--cols", "day", *SPAN,
                       "--format", "json")
    assert json.loads(out)["rows"] == [{"team": "Search", "day": "2026-05-02", "cost": "11"},
                                       {"team": "Search", "day": "2026-05-03", "cost": "7"}]


def test_fixed_percent_split_and_untagged(home, capsys) -> None:
    run(capsys, "tags", "add", "team", "Search", "project=search-*")
    run(capsys, "tags", "add", "team", "Shared", "project=(none)", "--split", "Search=100")
    assert by_team(capsys) == {"Search": "21", "(untagged)": "30", "Total": "51"}
    run(capsys, "tags", "add", "team", "Ads", "project=ads-*")
    run(capsys, "tags", "add", "team", "Shared", "line_item=Promotional*", "--split", "Search=60,Ads=40")
    # Shared ($6) 60:40 -> 3.6 + 2.4
    assert by_team(capsys) == {"Ads": "32.4", "Search": "18.6", "Total": "51"}


def test_tag_budget_counts_its_allocated_share(home, capsys) -> None:
    add_team(capsys)
    code, out, _ = run(capsys, "budgets", "set", "--tag", "team=Search", "100")
    assert (code, out) == (0, "Budget for tag team=Search: $100.00 a month.\n")
    with Store(str(home / "costs.db")) as store:
        (budget,) = store.budgets()
        # credits are left out of budgets: Search's $15 + $1 of May 2's $4 + all of May 3's $3
        assert budget_status(store, budget, NOW.date()).used == usd("19")
    doc = json.loads(run(capsys, "budgets", "list", "--format", "json")[1])
    assert (doc["budgets"][0]["label"], doc["budgets"][0]["used"]) == ("tag team=Search", "19")
    assert run(capsys, "tags", "remove", "team")[0] == 0  # its budgets go with it
    assert json.loads(run(capsys, "budgets", "list", "--format", "json")[1])["budgets"] == []


def test_export_import_round_trip(home, capsys, tmp_path) -> None:
    add_team(capsys, "Search=50,Ads=50")
    code, text, _ = run(capsys, "tags", "export")
    assert code == 0 and 'split = { "Search" = 50, "Ads" = 50 }' in text
    (tmp_path / "tags.toml").write_text(text)
    assert run(capsys, "tags", "remove", "team")[0] == 0
    assert run(capsys, "tags", "import", str(tmp_path / "tags.toml"))[1] == "Imported 1 tag (1 new, 0 replaced).\n"
    assert run(capsys, "tags", "export")[1] == text
    assert by_team(capsys) == {"Ads": "33", "Search": "18", "Total": "51"}


BAD_TOML = """[[tag]]
name = "team"

[[tag.value]]
name = "Search"
rules = [{ project = "search-*" }]
rules2 = 1

[[tag.value]]
name = "Ads"
rules = [{ projct = "ads-*" }]
"""


@pytest.mark.parametrize(("text", "needle"), [
    (BAD_TOML, "line 7: value 'Search': unknown key 'rules2'"),
    (BAD_TOML.replace("rules2 = 1\n", ""), "line 10: value 'Ads': a rule cannot look at 'projct'"),
    ('[[tag]]\nname = "project"\n', "line 1: tag 'project': 'project' is a built-in dimension"),
    ('[[tag]]\nname = "team"\n[[tag.value]]\nname = "A"\nrules = [{ project = "a" }]\nsplit = "even"\n',
     "every value of team splits"),
    ('[[tag]\nname = "team"\n', "not valid TOML"),
])
def test_bad_toml_names_the_line(home, capsys, tmp_path, text, needle) -> None:
    (tmp_path / "bad.toml").write_text(text)
    code, out, err = run(capsys, "tags", "import", str(tmp_path / "bad.toml"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and needle in err, err


@pytest.mark.parametrize(("argv", "needle"), [
    (["tags", "add", "project", "X", "project=a"], "'project' is a built-in dimension"),
    (["tags", "add", "month", "X", "project=a"], "'month' is a built-in dimension"),
    (["tags", "add", "Team", "X", "project=a"], "a tag name is a lower-case letter"),
    (["tags", "add", "team", "X", "projct=a"], "a rule cannot look at 'projct'"),
    (["tags", "add", "team", "X"], "at least one condition"),
    (["tags", "add", "team", "X", "project"], "a rule is DIM=PATTERN"),
    (["tags", "add", "team", "(untagged)", "project=a"], "cost no value claims"),
    (["tags", "add", "team", "X", "project=a", "--split", "half"], "a split is proportional, even"),
    (["tags", "add", "team", "X", "project=a", "--split", "Y=50,Z=40"], "add up to 90"),
    (["tags", "add", "team", "X", "project=a", "--split", "even"], "every value of team splits"),
    (["tags", "show", "nope"], "no tag 'nope'"),
    (["tags", "remove", "nope"], "no tag 'nope'"),
    (["tags", "import", "/nonexistent.toml"], "no file"),
    (["report", "--rows", "nope"], "unknown dimension 'nope'"),
    (["budgets", "set", "--tag", "team", "5"], "TAG=VALUE"),
    (["budgets", "set", "--tag", "nope=A", "5"], "no tag 'nope'"),
])
def test_bad_input_is_exit_2_and_one_line(home, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and needle in err, err


def test_tag_names_complete_and_a_saved_view_by_tag_renders(home, capsys) -> None:
    from openai_cost_tui.core.report_state import DateChoice, ReportState
    from openai_cost_tui.services import tags

    add_team(capsys)
    assert run(capsys, "__complete", "tags") == (0, "team\n", "")
    with Store(str(home / "costs.db")) as store:
        tags.load(store)
        store.save_view("By team", ReportState(rows=("team",), cols=None,
                                               dates=DateChoice("custom", D2, D3)))
    code, out, _ = run(capsys, "report", "--view", "By team", "--format", "csv")
    assert (code, out.splitlines()[1:]) == (0, ["Ads,33", "Search,18", "Total,51"])
    code, out, _ = run(capsys, "report", "--view", "By team", "--format", "csv", "--no-splits")
    assert out.splitlines()[1:] == ["Ads,30", "Search,15", "Shared,6", "Total,51"]


def test_a_proportional_split_of_several_projects_follows_each_day(home, capsys) -> None:
    run(capsys, "tags", "add", "team", "Search", "project=search-*", "service=Chats*")
    run(capsys, "tags", "add", "team", "Img", "service=Images")
    run(capsys, "tags", "add", "team", "Shared", "project=ads-*|(none)", "--split", "proportional")
    # May 2: ads $30 + storage $4 all to Search (Img had nothing); May 3: storage $3 - credit $1 to Img
    assert by_team(capsys) == {"Search": "44", "Img": "7", "Total": "51"}
    code, out, _ = run(capsys, "report", "--rows", "team", "--cols", "service", *SPAN, "--format", "json")
    cells = {(r["team"], r["service"]): r["cost"] for r in json.loads(out)["rows"]}
    assert cells == {("Search", "Chats and Completions"): "40", ("Search", "Storage"): "4",
                     ("Img", "Images"): "5", ("Img", "Storage"): "3", ("Img", "Credits"): "-1"}


def test_outside_text_in_rules_and_values_is_shown_never_run(home, capsys, tmp_path) -> None:
    assert run(capsys, "tags", "add", "team", "[red]=A[/red]", "project=search-*|\x1b]0;x\x07")[0] == 0
    code, out, _ = run(capsys, "tags", "show", "team")
    assert "\x1b" not in out and "\\x1b]0;x\\x07" in out and "[red]=A[/red]" in out
    code, out, _ = run(capsys, "report", "--rows", "team", *SPAN)
    assert code == 0 and "[red]=A[/red]" in out and "\x1b" not in out
    code, text, _ = run(capsys, "tags", "export")
    assert "\x1b" not in text and "\\u001b" in text
    (tmp_path / "t.toml").write_text(text)
    assert run(capsys, "tags", "import", str(tmp_path / "t.toml"))[0] == 0
    assert run(capsys, "tags", "export")[1] == text
    code, _, err = run(capsys, "tags", "add", "team", "line\nbreak", "project=a")
    assert code == 2 and "control characters" in err


@needs_postgres
def test_a_team_store_on_postgresql_shares_its_tags(pg_url, capsys, tmp_path, monkeypatch) -> None:  # noqa: F811
    store = Store(pg_url)
    try:
        conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", D2))
        store.save_names(conn.id, [Project("p1", "search-api")], [])
        store.replace_window(conn.id, D2, D3, [CostRow(D2, "p1", INPUT, None, "usd", usd("10")),
                                               CostRow(D3, None, "Vector storage", None, "usd", usd("2"))])
    finally:
        store.close()
    for member in ("a", "b"):  # two members, two data folders, one store
        monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path / member))
        if member == "a":
            assert run(capsys, "--db", pg_url, "tags", "add", "team", "Search", "project=search-*")[0] == 0
            assert run(capsys, "--db", pg_url, "tags", "add", "team", "Shared", "project=(none)",
                       "--split", "even")[0] == 0
        code, out, _ = run(capsys, "--db", pg_url, "report", "--rows", "team", *SPAN, "--format", "csv")
        assert (code, out.splitlines()[1:]) == (0, ["Search,12", "Total,12"])


def test_tag_values_are_budget_targets(home, capsys) -> None:
    add_team(capsys)
    with Store(str(home / "costs.db")) as store:
        targets = store.budget_targets()
        assert targets[-2:] == [("tag", "team=Search"), ("tag", "team=Ads")]  # Shared splits: no budget of its own
        store.set_budget(*targets[-1], usd("50"))
        assert [b.label for b in store.budgets()] == ["tag team=Ads"]
