"""Virtual tags kept in the store (so a team store on PostgreSQL shares them): one row per tag, its
values and rules as JSON (core.tags.to_dict), in the order the tags were added.

The ``virtual_tag`` table (store/schema.py) is made with a new store; a store from before it gets it the
first time a tag is written (until then it simply has no tags), so it needs no schema version of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import peewee as pw

from ..core.dimensions import DIMENSIONS
from ..core.errors import UsageError
from ..core.models import Cell, PivotSpec
from ..core.tags import Tag, TagSet, check_tag, from_dict, to_dict
from . import tag_cube
from .convert import now_naive

if TYPE_CHECKING:
    from .schema import Models
    from .store import Store

BUILTINS = tuple(d.id for d in DIMENSIONS)


def _model(store: Store) -> type[pw.Model]:
    return store.m.VirtualTag


class TagQueries:
    """Virtual tags (mixed into Store)."""

    def tags(self: Store) -> TagSet:
        """Every tag, in the order they were added (none when the store never had one)."""
        with self.read():
            return TagSet(tuple(stored_tags(self.db, self.m)))

    def save_tag(self: Store, tag: Tag) -> Tag:
        """Create or replace one tag (checked whole first)."""
        self.save_tags([tag])
        return tag

    def save_tags(self: Store, tags: Sequence[Tag], *, replace_all: bool = False) -> None:
        """Create or replace these tags in one transaction; ``replace_all`` removes every other tag."""
        for tag in tags:
            check_tag(tag, BUILTINS)
        T = _model(self)
        with self.write():
            T.create_table(safe=True)
            if replace_all:
                gone = [n for (n,) in T.select(T.name).where(T.name.not_in([t.name for t in tags])).tuples()]
                T.delete().where(T.name.in_(gone)).execute()
                tag_cube.drop(self.db, self.m, gone)
            top = T.select(pw.fn.MAX(T.position)).scalar() or 0
            for i, tag in enumerate(tags, start=1):
                text = json.dumps(to_dict(tag), sort_keys=True, ensure_ascii=False)
                T.insert(name=tag.name, position=top + i, definition=text, updated_at=now_naive()).on_conflict(
                    conflict_target=[T.name], preserve=[T.definition, T.updated_at]
                ).execute()
            tag_cube.build(self.db, self.m, tags)  # ~0.6 s of CPU at 2M rows, ~3 s at 10M

    def remove_tag(self: Store, name: str) -> Tag:
        """Delete a tag and the budgets of its values; UsageError when there is none of that name."""
        found = self.tags().get(name)
        if found is None:
            raise UsageError(_unknown(self, name))
        T, B = _model(self), self.m.Budget
        with self.write():
            T.delete().where(T.name == name).execute()
            tag_cube.drop(self.db, self.m, [name])
            B.delete().where((B.scope == "tag") & B.key.startswith(f"tag:{name}=")).execute()
        return found

    def keeps_tag_cubes(self: Store, tag: Tag) -> bool:
        """Whether ``tag``'s rules are of a kind the store keeps cubes for (store/tag_cube.py): whether
        they are built now, its cubes' reads say (``tag_cells``)."""
        return tag_cube.has_cube(tag)

    def tag_cells(self: Store, tag: Tag, spec: PivotSpec, dims: Sequence[str], *,
                  values: Sequence[str] | None = None, exclude: bool = False,
                  months: Sequence[str] | None = None,
                  parts: Sequence[tuple[str, str]] | None = None) -> dict[tuple[str, ...], Cell] | None:
        """Cost by each combination of ``dims`` (``tag`` among them), read from the tag's day cube (or
        its month cube for ``months``, its part cube for ``parts``), or None when it has none that answers
        (store/tag_cube.py)."""
        return tag_cube.cells(self, tag, spec, dims, values=values, exclude=exclude, months=months, parts=parts)

    def tag(self: Store, name: str) -> Tag:
        found = self.tags().get(name)
        if found is None:
            raise UsageError(_unknown(self, name))
        return found


def stored_tags(db: pw.Database, m: Models) -> list[Tag]:
    """The tags of the store's ``virtual_tag`` rows, in the order they were added (none when it has no such
    table yet); a damaged row is skipped, never fatal: saving the tag again mends it."""
    T = m.VirtualTag
    if T is None or not db.table_exists(T._meta.table_name):
        return []
    rows = db.execute(T.select(T.definition).order_by(T.position, T.name))
    return [tag for (text,) in rows if (tag := parse_definition(text)) is not None]


def parse_definition(text: str) -> Tag | None:
    """A tag as its row keeps it, or None when the row is damaged."""
    try:
        return from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def _unknown(store: Store, name: str) -> str:
    known = ", ".join(t.name for t in store.tags().tags) or "none yet"
    return f"no tag {name!r}; tags: {known}"
