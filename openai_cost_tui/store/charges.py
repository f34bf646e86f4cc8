"""Charges: each distinct (line item, unit, credit) once, with the dimensions the taxonomy derives."""

from __future__ import annotations

import json
from collections.abc import Iterable

import peewee as pw

from ..core.taxonomy import Taxonomy

ChargeKey = tuple[str | None, str | None, bool]  # (line_item, unit, credit)


def charge_key(line_item: str | None, unit: str | None, credit: bool) -> str:
    return json.dumps([line_item, unit, credit], ensure_ascii=False)


class ChargeIndex:
    """Maps charge keys to ids, creating (and classifying) the missing ones inside the caller's transaction."""

    def __init__(self, db: pw.Database, model: type[pw.Model], taxonomy: Taxonomy) -> None:
        self.db = db
        self.model = model
        self.taxonomy = taxonomy

    def _derived(self, line_item: str | None, unit: str | None, credit: bool) -> dict[str, str]:
        c = self.taxonomy.classify(line_item, amount=-1 if credit else 1, unit=unit)
        return {
            "service": c.service,
            "category": c.category,
            "subcategory": c.subcategory,
            "tier": c.tier,
            "context": c.context,
            "model_version": c.model_version,
        }

    def ids_for(self, merged_keys: Iterable[tuple]) -> dict[ChargeKey, int]:
        """``merged_keys`` are store rows' keys whose 4th item is a ChargeKey."""
        wanted = {key[3] for key in merged_keys}
        Ch = self.model
        ids: dict[ChargeKey, int] = {}
        for row in Ch.select(Ch.id, Ch.line_item, Ch.unit, Ch.credit).tuples():
            ids[(row[1], row[2], bool(row[3]))] = row[0]
        for line_item, unit, credit in sorted(wanted - ids.keys(), key=str):
            ids[(line_item, unit, credit)] = Ch.insert(
                key=charge_key(line_item, unit, credit),
                line_item=line_item,
                unit=unit,
                credit=credit,
                **self._derived(line_item, unit, credit),
            ).execute()
        return ids

    def reclassify(self) -> int:
        Ch = self.model
        changed = 0
        for row in Ch.select():
            derived = self._derived(row.line_item, row.unit, bool(row.credit))
            if any(getattr(row, k) != v for k, v in derived.items()):
                Ch.update(**derived).where(Ch.id == row.id).execute()
                changed += 1
        return changed
