"""The stored costs as a FOCUS 1.2 dataset (FinOps Open Cost and Usage Specification): one row per stored
cost row and UTC day, in CSV (always) or Parquet (when pyarrow is installed). docs/FOCUS.md says what
each column holds and why.

- Money is exact: each cost is the store's integer of atto-dollars written as a decimal string (CSV) or
  a ``decimal128(38, 18)`` (Parquet); no float is ever involved, so sums of the export equal the
  report's to the last digit.
- Text from outside (organization, project, key names, line items) goes in as data: the csv module
  quotes it and JSON columns are built with ``json.dumps``. In CSV, a text cell that a spreadsheet
  would run as a formula (OWASP: a leading ``= + - @``, tab or carriage return) gets a leading ``'``
  unless ``safe=False`` (``--raw-csv``); numeric, date and JSON cells are never touched, nor is Parquet,
  which no spreadsheet evaluates.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..core.dates import add_months, first_of_month
from ..core.dimensions import NONE_LABEL
from ..core.errors import UsageError
from ..core.render import FORMULA_START
from ..core.tags import UNTAGGED, Matcher

if TYPE_CHECKING:  # importing this module loads no Peewee (tests/test_import_hygiene.py)
    from ..store.export_rows import ExportRow
    from ..store.store import Store

FOCUS_VERSION = "1.2"
PROVIDER = "OpenAI"
SERVICE_CATEGORY = "AI and Machine Learning"
TAG_PREFIX = "openai/"  # the provider-defined tag scheme of this export (FOCUS: such keys carry a prefix)

DECIMAL, STRING, DATETIME, JSON = "decimal", "string", "datetime", "json"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str


def _columns(kinds: dict[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, kind) for name, kind in kinds.items())


# Every column FOCUS 1.2 defines, in its (alphabetical) order, then this export's own x_ columns.
FOCUS_COLUMNS = _columns({
    "AvailabilityZone": STRING,
    "BilledCost": DECIMAL,
    "BillingAccountId": STRING,
    "BillingAccountName": STRING,
    "BillingAccountType": STRING,
    "BillingCurrency": STRING,
    "BillingPeriodEnd": DATETIME,
    "BillingPeriodStart": DATETIME,
    "CapacityReservationId": STRING,
    "CapacityReservationStatus": STRING,
    "ChargeCategory": STRING,
    "ChargeClass": STRING,
    "ChargeDescription": STRING,
    "ChargeFrequency": STRING,
    "ChargePeriodEnd": DATETIME,
    "ChargePeriodStart": DATETIME,
    "CommitmentDiscountCategory": STRING,
    "CommitmentDiscountId": STRING,
    "CommitmentDiscountName": STRING,
    "CommitmentDiscountQuantity": DECIMAL,
    "CommitmentDiscountStatus": STRING,
    "CommitmentDiscountType": STRING,
    "CommitmentDiscountUnit": STRING,
    "ConsumedQuantity": DECIMAL,
    "ConsumedUnit": STRING,
    "ContractedCost": DECIMAL,
    "ContractedUnitPrice": DECIMAL,
    "EffectiveCost": DECIMAL,
    "InvoiceId": STRING,
    "InvoiceIssuerName": STRING,
    "ListCost": DECIMAL,
    "ListUnitPrice": DECIMAL,
    "PricingCategory": STRING,
    "PricingCurrency": STRING,
    "PricingCurrencyContractedUnitPrice": DECIMAL,
    "PricingCurrencyEffectiveCost": DECIMAL,
    "PricingCurrencyListUnitPrice": DECIMAL,
    "PricingQuantity": DECIMAL,
    "PricingUnit": STRING,
    "ProviderName": STRING,
    "PublisherName": STRING,
    "RegionId": STRING,
    "RegionName": STRING,
    "ResourceId": STRING,
    "ResourceName": STRING,
    "ResourceType": STRING,
    "ServiceCategory": STRING,
    "ServiceName": STRING,
    "ServiceSubcategory": STRING,
    "SkuId": STRING,
    "SkuMeter": STRING,
    "SkuPriceDetails": JSON,
    "SkuPriceId": STRING,
    "SubAccountId": STRING,
    "SubAccountName": STRING,
    "SubAccountType": STRING,
    "Tags": JSON,
})
CUSTOM_COLUMNS = _columns({
    "x_ApiKeyId": STRING,
    "x_Category": STRING,
    "x_ConnectionDescription": STRING,
    "x_LineItem": STRING,
    "x_Subcategory": STRING,
    "x_Unit": STRING,
})
COLUMNS = FOCUS_COLUMNS + CUSTOM_COLUMNS
COLUMN_NAMES = tuple(c.name for c in COLUMNS)

# ServiceSubcategory (FOCUS 1.1+) under "AI and Machine Learning", by the taxonomy's Service.
SERVICE_SUBCATEGORY = {
    "Chats and Completions": "Generative AI",
    "Images": "Generative AI",
    "Audio": "Generative AI",
    "Assistants API": "Generative AI",
    "Tools": "Generative AI",
    "Embeddings": "Natural Language Processing",
    "Moderations": "Natural Language Processing",
    "Fine-tuning": "Machine Learning",
}
OTHER_SUBCATEGORY = "Other (AI and Machine Learning)"

# The API's quantity units in FOCUS's UnitFormat (others are kept as the API sends them).
UNITS = {
    "tokens": "Tokens",
    "images": "Images",
    "characters": "Characters",
    "requests": "Requests",
    "seconds": "Seconds",
    "duration_seconds": "Seconds",
    "minutes": "Minutes",
    "gibibyte_hours": "GiB-Hours",
}
NO_UNIT = "Units"  # a quantity the API sent without a unit: FOCUS's generic count unit


def focus_unit(unit: str | None) -> str:
    if unit is None or not unit.strip():
        return NO_UNIT
    return UNITS.get(unit.strip().lower(), unit)


def _atto_decimal(atto: int) -> Decimal:
    """Atto-units as an exact Decimal (the string constructor never rounds, whatever the context)."""
    return Decimal(f"{atto}E-18")


@lru_cache(maxsize=4096)
def _periods(day: date) -> tuple[datetime, datetime, datetime, datetime]:
    """(ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart, BillingPeriodEnd) of a UTC day: the day
    and its calendar month, ends exclusive."""
    month = first_of_month(day)
    return (_midnight(day), _midnight(day + timedelta(days=1)), _midnight(month), _midnight(add_months(month, 1)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@lru_cache(maxsize=65536)
def json_text(items: tuple[tuple[str, str], ...]) -> str | None:
    """A KeyValueFormat cell (a serialized JSON object) from sorted (key, value) pairs; None when empty."""
    if not items:
        return None
    return json.dumps(dict(items), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _tags(r: ExportRow, usage: bool, matchers: tuple[Matcher, ...] = ()) -> str | None:
    tags = _virtual_tags(r, matchers) if matchers else []
    if r.api_key_id is not None:
        tags.append((TAG_PREFIX + "api-key", r.api_key_name or r.api_key_id))
    if usage and r.line_item is not None:
        tags += [(TAG_PREFIX + "context", r.context), (TAG_PREFIX + "tier", r.tier)]
        if r.model_version:
            tags.append((TAG_PREFIX + "model-version", r.model_version))
    return json_text(tuple(sorted(tags)))


_SHOWN = {  # each rule dimension of a stored row as the report shows it (store/pivot.py's expressions)
    "connection": lambda r: r.connection,
    "organization": lambda r: r.organization_name or r.organization_id or r.connection,
    "project": lambda r: r.project_name or r.project_id or NONE_LABEL,
    "api_key": lambda r: r.api_key_name or r.api_key_id or NONE_LABEL,
    "line_item": lambda r: r.line_item if r.line_item is not None else NONE_LABEL,
    **{d: (lambda r, d=d: getattr(r, d)) for d in ("service", "category", "subcategory", "tier", "context",
                                                  "model_version")},
}


def _virtual_tags(r: ExportRow, matchers: tuple[Matcher, ...]) -> list[tuple[str, str]]:
    """Each virtual tag's value of the row, under the tag's own name (a user's tag has no prefix); the
    row's own value: a value that splits is named as itself (the export has one row per stored row).
    Cost no value claims carries no key."""
    out = []
    for m in matchers:
        value = m.value({d: _SHOWN[d](r) for d in m.dims})
        if value != UNTAGGED:
            out.append((m.tag.name, value))
    return out


def focus_row(r: ExportRow, matchers: tuple[Matcher, ...] = ()) -> dict[str, object]:
    """One FOCUS row for one stored cost row: decimals as exact ``Decimal``, times as aware UTC
    ``datetime``, JSON columns as their serialized text, absent values as None; ``matchers`` are the
    store's virtual tags, whose values go in Tags."""
    usage = not r.credit  # the store marks negative amounts (promotional credits) as credits
    cost = _atto_decimal(r.amount)
    quantity = _atto_decimal(r.quantity) if usage and r.quantity is not None else None
    unit = focus_unit(r.unit) if quantity is not None else None
    currency = r.currency.upper()
    charge_start, charge_end, billing_start, billing_end = _periods(r.day)
    sku = r.line_item if usage else None  # a credit is not a priced SKU
    project_name = (r.project_name or r.project_id) if r.project_id is not None else None
    return {
        "AvailabilityZone": None,
        "BilledCost": cost,
        "BillingAccountId": r.organization_id or r.connection,
        "BillingAccountName": r.organization_name or r.organization_id or r.connection,
        "BillingAccountType": "Organization",
        "BillingCurrency": currency,
        "BillingPeriodEnd": billing_end,
        "BillingPeriodStart": billing_start,
        "CapacityReservationId": None,
        "CapacityReservationStatus": None,
        "ChargeCategory": "Usage" if usage else "Credit",
        "ChargeClass": None,  # a re-sync replaces a day; the store keeps no correction rows
        "ChargeDescription": r.line_item,
        "ChargeFrequency": "Usage-Based",
        "ChargePeriodEnd": charge_end,
        "ChargePeriodStart": charge_start,
        "CommitmentDiscountCategory": None,
        "CommitmentDiscountId": None,
        "CommitmentDiscountName": None,
        "CommitmentDiscountQuantity": None,
        "CommitmentDiscountStatus": None,
        "CommitmentDiscountType": None,
        "CommitmentDiscountUnit": None,
        "ConsumedQuantity": quantity,
        "ConsumedUnit": unit,
        "ContractedCost": cost,
        "ContractedUnitPrice": None,
        "EffectiveCost": cost,
        "InvoiceId": None,
        "InvoiceIssuerName": PROVIDER,
        "ListCost": cost,
        "ListUnitPrice": None,
        "PricingCategory": "Standard" if usage else None,
        "PricingCurrency": currency,
        "PricingCurrencyContractedUnitPrice": None,
        "PricingCurrencyEffectiveCost": cost,
        "PricingCurrencyListUnitPrice": None,
        "PricingQuantity": quantity,
        "PricingUnit": unit,
        "ProviderName": PROVIDER,
        "PublisherName": PROVIDER,
        "RegionId": None,
        "RegionName": None,
        "ResourceId": None,
        "ResourceName": None,
        "ResourceType": None,
        "ServiceCategory": SERVICE_CATEGORY,
        "ServiceName": r.service,
        "ServiceSubcategory": SERVICE_SUBCATEGORY.get(r.service, OTHER_SUBCATEGORY),
        "SkuId": sku,
        "SkuMeter": r.subcategory if sku is not None else None,
        "SkuPriceDetails": json_text((("Context", r.context), ("Tier", r.tier))) if sku is not None else None,
        "SkuPriceId": sku,
        "SubAccountId": r.project_id,
        "SubAccountName": project_name,
        "SubAccountType": "Project" if r.project_id is not None else None,
        "Tags": _tags(r, usage, matchers),
        "x_ApiKeyId": r.api_key_id,
        "x_Category": r.category,
        "x_ConnectionDescription": r.connection,
        "x_LineItem": r.line_item,
        "x_Subcategory": r.subcategory,
        "x_Unit": r.unit,
    }


@dataclass
class ExportSummary:
    rows: int = 0
    totals: dict[str, int] = field(default_factory=dict)  # BillingCurrency -> exact BilledCost (atto)


def focus_rows(store: Store, start: date, end: date,
               summary: ExportSummary | None = None) -> Iterator[dict[str, object]]:
    """The FOCUS rows of every stored cost row from ``start`` to ``end`` (inclusive UTC days), counted
    into ``summary`` (rows, exact totals per currency) as they are produced."""
    matchers = tuple(Matcher(t) for t in store.tags().tags)
    for row in store.export_rows(start, end):
        if summary is not None:
            summary.rows += 1
            cur = row.currency.upper()
            summary.totals[cur] = summary.totals.get(cur, 0) + row.amount
        yield focus_row(row, matchers)


# -- writing ---------------------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros, always with a decimal point (``12.5``,
    ``3.0``, ``-0.000000000000000001``): readers that guess types (pandas, DuckDB) then read the whole
    column as one numeric type rather than integers in one file and decimals in the next."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    else:
        text += ".0"
    return "0.0" if text == "-0.0" else text


@lru_cache(maxsize=4096)
def datetime_text(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2026-05-03T00:00:00Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def safe_text(text: str) -> str:
    """A text cell a spreadsheet would take for a formula, with a leading ``'`` (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _formatters(safe: bool):
    by_kind = {DECIMAL: decimal_text, DATETIME: datetime_text, JSON: str, STRING: safe_text if safe else str}
    return tuple((c.name, by_kind[c.kind]) for c in COLUMNS)


def csv_cells(row: dict[str, object], *, safe: bool = True, formatters=None) -> list[str]:
    """The CSV cells of one row: null as an empty cell, every other value as exact text."""
    return ["" if (value := row[name]) is None else fmt(value) for name, fmt in formatters or _formatters(safe)]


def write_csv(rows: Iterable[dict[str, object]], out: IO[str], *, safe: bool = True) -> int:
    """Write the header and ``rows`` as CSV (UTF-8 text, RFC 4180 quoting, empty cell = null); returns
    the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    formatters = _formatters(safe)
    n = 0
    for row in rows:
        writer.writerow(csv_cells(row, formatters=formatters))
        n += 1
    return n


PARQUET_BATCH = 20_000


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def require_parquet() -> None:
    if not parquet_available():
        raise UsageError("--format parquet needs pyarrow, which is not installed: "
                         "pip install 'openai-cost-tui[parquet]' (or pyarrow); --format csv needs nothing")


def parquet_schema():
    import pyarrow as pa

    types = {DECIMAL: pa.decimal128(38, 18), STRING: pa.string(), JSON: pa.string(),
             DATETIME: pa.timestamp("us", tz="UTC")}
    return pa.schema([pa.field(c.name, types[c.kind], nullable=True) for c in COLUMNS],
                     metadata={"FocusVersion": FOCUS_VERSION, "DataGenerator": "openai-cost-tui"})


def write_parquet(rows: Iterable[dict[str, object]], path: str | os.PathLike) -> int:
    """Write ``rows`` as one Parquet file (decimals as decimal128(38, 18), times as UTC timestamps, JSON
    columns as their text; never a float); returns the number of rows written."""
    require_parquet()
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()

    def table(batch: list[dict[str, object]]):
        return pa.Table.from_pydict({name: [r[name] for r in batch] for name in COLUMN_NAMES}, schema=schema)

    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, object]] = []
        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(table(batch))
                batch = []
        if batch or not n:
            writer.write_table(table(batch))
    return n


def check_target(target: str | os.PathLike) -> Path:
    """The file an export may write: not a folder, in a folder that exists (exit 2 otherwise)."""
    path = Path(target)
    if path.is_dir():
        raise UsageError(f"-o {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"-o {path}: the folder {path.parent} does not exist")
    return path


def write_file(rows: Iterable[dict[str, object]], target: str | os.PathLike, *, fmt: str = "csv",
               safe: bool = True) -> int:
    """Write ``rows`` to ``target`` atomically: a private (0600) temporary file beside it, renamed over it
    only once complete, so a failed or interrupted export leaves any earlier file as it was. Returns the
    number of rows written."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(fmt)
    if fmt == "parquet":
        require_parquet()
    path = check_target(target)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if fmt == "csv":
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                n = write_csv(rows, out, safe=safe)
                out.flush()
                os.fsync(out.fileno())
        else:
            os.close(fd)
            n = write_parquet(rows, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return n
