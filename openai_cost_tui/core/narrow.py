"""Narrow-as-you-type: the pivot rows whose label holds the typed text (groups keep their matches)."""

from __future__ import annotations

from .grid import DisplayRow


def narrow(rows: list[DisplayRow], needle: str) -> list[DisplayRow]:
    """Rows whose label holds ``needle`` (ignoring case): a matching group keeps all its children, a
    group with a matching child keeps it and that child; the Total row stays (it counts every row)."""
    needle = needle.strip().casefold()
    if not needle:
        return rows
    out: list[DisplayRow] = []
    group: DisplayRow | None = None
    group_hit = False
    for row in rows:
        hit = needle in _text(row)
        if row.kind == "group":
            group, group_hit = row, hit
            if hit:
                out.append(row)
        elif row.kind == "total":
            out.append(row)
        elif group is not None and len(row.key) > 1:
            if group_hit:
                out.append(row)
            elif hit:
                if not out or out[-1] is not group and out[-1].key[:1] != group.key:
                    out.append(group)
                out.append(row)
        elif hit:
            out.append(row)
    return out


def holding_a_match(rows: list[DisplayRow], needle: str) -> frozenset[str]:
    """The groups (by their key) with a child whose label holds ``needle``: a search opens them when they
    are folded, so that no match stays hidden under a folded group (``rows`` with every group open)."""
    needle = needle.strip().casefold()
    if not needle:
        return frozenset()
    return frozenset(row.key[0] for row in rows if row.kind == "leaf" and len(row.key) > 1 and needle in _text(row))


def _text(row: DisplayRow) -> str:
    return (row.key[-1] if row.key else row.label).casefold()
