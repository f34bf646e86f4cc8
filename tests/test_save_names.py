"""Saving a connection's project and key names (Store.save_names) on SQLite and PostgreSQL: many names
at once, an id sent twice (the last one counts), renames and new names beside names kept."""

from __future__ import annotations

from openai_cost_tui.core.models import ApiKeyInfo, Project
from openai_cost_tui.store.store import Store
from tests.test_postgres import pg_url  # noqa: F401  (the fixture)
from tests.test_store import conn_draft
from tests.test_window_write import url  # noqa: F401  (the fixture: a SQLite file, then a PostgreSQL store)


def test_names_are_saved_in_bulk_and_the_last_of_an_id_counts(url) -> None:  # noqa: F811
    with Store(url) as store:
        a, b = store.add_connection(conn_draft("A")), store.add_connection(conn_draft("B"))
        projects = [Project(f"proj_{i}", f"Project {i}") for i in range(450)]
        keys = [ApiKeyInfo(f"key_{i}", f"key {i % 7}", f"proj_{i % 450}") for i in range(1001)]
        store.save_names(a.id, [*projects, Project("proj_3", "Renamed within the page", archived=True)],
                         [*keys, ApiKeyInfo("key_5", "", None)])
        store.save_names(b.id, [Project("proj_3", "B's own")], [])
        names = store.project_names(a.id)
        assert len(names) == 450 and names["proj_3"] == "Renamed within the page" and names["proj_449"] == "Project 449"
        assert store.project_names(b.id) == {"proj_3": "B's own"}
        key_names = store.key_names(a.id)
        assert len(key_names) == 1001 and key_names["key_5"] == "" and key_names["key_1000"] == "key 6"
        store.save_names(a.id, [Project("proj_0", "Alpha"), Project("proj_new", None)], [ApiKeyInfo("key_0", "k0", None)])
        names = store.project_names(a.id)
        assert (names["proj_0"], names["proj_new"], names["proj_1"], len(names)) == ("Alpha", None, "Project 1", 451)
        assert store.key_names(a.id)["key_0"] == "k0"
        assert store.project_names(b.id) == {"proj_3": "B's own"}
