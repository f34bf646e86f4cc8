"""``export focus``: a FOCUS 1.2 dataset whose sums are the report's to the last digit.

The synthetic store (``build_synthetic``) holds what the demo has little or none of: credits billed to
no project and to a project, costs without a project, a project without a name, hostile names (formulas,
quotes, commas), an amount of 10**-18, whole and very large amounts, quantities without a unit or
absent, a month boundary and a second currency. tests/test_focus_validator.py exports it for the
FinOps Foundation's validator too.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import stat
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openai_cost_tui.cli import export as export_cli
from openai_cost_tui.cli import main as cli_main
from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.dimensions import NONE_LABEL
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, PivotSpec, Project
from openai_cost_tui.services import focus
from openai_cost_tui.store.export_rows import ExportRowQueries
from openai_cost_tui.store.store import NewConnection, Store

SYN_START, SYN_END = date(2026, 1, 30), date(2026, 2, 2)
SYN_TODAY = date(2026, 2, 10)
SYNC_START, SYNC_TODAY = date(2025, 11, 1), date(2026, 11, 27)  # the `synced` fixture (tests/test_sync.py)

HOSTILE_PROJECT = '=HYPERLINK("http://example.invalid","click")'
HOSTILE_KEY = "@SUM(A1:A9)"
HOSTILE_ORG = "+Acme, \"Inc\""

# Every column FOCUS 1.2 defines (the specification's column list, alphabetical).
FOCUS_1_2 = (
    "AvailabilityZone BilledCost BillingAccountId BillingAccountName BillingAccountType BillingCurrency "
    "BillingPeriodEnd BillingPeriodStart CapacityReservationId CapacityReservationStatus ChargeCategory "
    "ChargeClass ChargeDescription ChargeFrequency ChargePeriodEnd ChargePeriodStart CommitmentDiscountCategory "
    "CommitmentDiscountId CommitmentDiscountName CommitmentDiscountQuantity CommitmentDiscountStatus "
    "CommitmentDiscountType CommitmentDiscountUnit ConsumedQuantity ConsumedUnit ContractedCost "
    "ContractedUnitPrice EffectiveCost InvoiceId InvoiceIssuerName ListCost ListUnitPrice PricingCategory "
    "PricingCurrency PricingCurrencyContractedUnitPrice PricingCurrencyEffectiveCost "
    "PricingCurrencyListUnitPrice PricingQuantity PricingUnit ProviderName PublisherName RegionId RegionName "
    "ResourceId ResourceName ResourceType ServiceCategory ServiceName ServiceSubcategory SkuId SkuMeter "
    "SkuPriceDetails SkuPriceId SubAccountId SubAccountName SubAccountType Tags"
).split()
DECIMAL_COLUMNS = {c.name for c in focus.COLUMNS if c.kind == focus.DECIMAL}


def a(text: str) -> int:
    return money.parse_exact(text)


def build_synthetic(folder: Path) -> Store:
    """Two organizations over a month boundary, with every awkward case the export must carry."""
    store = Store(str(folder / "synthetic.db"))
    acme = store.add_connection(NewConnection("Acme prod", "https://api.openai.com/v1", "env", "ACME_KEY",
                                              SYN_START, organization_id="org-acme123",
                                              organization_name=HOSTILE_ORG))
    side = store.add_connection(NewConnection("Side org", "https://api.openai.com/v1", "env", "SIDE_KEY", SYN_START))
    store.save_names(acme.id, [Project("proj_a", "Support Bot"), Project("proj_b", HOSTILE_PROJECT),
                               Project("proj_c", None)],
                     [ApiKeyInfo("key_1", "prod-backend", "proj_a"), ApiKeyInfo("key_2", HOSTILE_KEY, "proj_b")])
    d1, d2, d3, d4 = SYN_START, date(2026, 1, 31), date(2026, 2, 1), SYN_END
    tok = 10**18  # one unit of quantity, in atto
    rows = [
        CostRow(d1, "proj_a", "gpt-4o-2024-08-06, input", "key_1", "usd", a("1.25"), 500_000 * tok, "tokens"),
        CostRow(d1, "proj_a", "gpt-4o-2024-08-06, output", "key_1", "usd", a("5"), 500_000 * tok, "tokens"),
        CostRow(d1, "proj_b", "priority | gpt-5.6-sol, output, long context", "key_2", "usd",
                a("123456789.123456789012345678"), 1_234_567 * tok, "tokens"),
        CostRow(d1, None, "Vector storage", None, "usd", a("0.000000000000000001"), a("0.000123456"),
                "gibibyte_hours"),
        CostRow(d2, "proj_c", "web search tool calls", None, "usd", a("0.37"), 37 * tok, None),
        CostRow(d2, None, "whisper", None, "usd", a("0.0123"), None, "duration_seconds"),
        CostRow(d2, None, "Promotional credit", None, "usd", a("-40.5"), None, None),
        CostRow(d3, "proj_a", "gpt-4o-mini-2024-07-18, input", "key_unknown", "usd", a("0.000015"), 100 * tok,
                "tokens"),
        CostRow(d3, "proj_a", "Promotional credit", None, "usd", a("-0.5"), None, None),
        CostRow(d4, "proj_b", "text-embedding-3-small, input", "key_2", "eur", a("2.5"), 1000 * tok, "tokens"),
        CostRow(d4, "proj_b", "dall-e 3, standard, 1024x1792, 1792x1024", "key_2", "usd", a("0.08"), 1 * tok,
                "images"),
    ]
    store.replace_window(acme.id, SYN_START, SYN_END, rows)
    store.replace_window(side.id, SYN_START, SYN_END, [
        CostRow(d2, "proj_x", "gpt-5-mini-2025-08-07, input", None, "usd", a("3.3"), 1_000 * tok, "tokens"),
        CostRow(d3, None, "Promotional credit", None, "usd", a("-1"), None, None),
    ])
    return store


def sample_tags():
    """Two virtual tags for the synthetic store: team (with a value that splits, and odd text) and org."""
    from openai_cost_tui.core.tags import Rule, Tag, TagValue

    return [
        Tag("team", (TagValue("Bots", (Rule((("project", ("Support Bot",)),)),)),
                     TagValue('Odd "team", =1', (Rule((("project", ("proj_c", HOSTILE_PROJECT)),)),)),
                     TagValue("Shared", (Rule((("project", ("(none)",)),)),), "even"))),
        Tag("org", (TagValue("Side", (Rule((("connection", ("Side*",)),)),)),)),
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    store = build_synthetic(tmp_path_factory.mktemp("focus-synthetic"))
    yield store
    store.close()


def export_csv(store: Store, start: date, end: date, *, safe: bool = True) -> str:
    out = io.StringIO()
    focus.write_csv(focus.focus_rows(store, start, end), out, safe=safe)
    return out.getvalue()


def read_csv(text: str) -> list[dict[str, str | None]]:
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def report(store: Store, dim: str, start: date, end: date, today: date) -> dict[str, Decimal]:
    spec = PivotSpec(rows=(dim,), cols=None, date_range=DateRange(start, end))
    result = store.run_pivot(spec, today=today)
    return {key[0]: money.to_decimal(cell.amount) for key, cell in result.row_totals.items()}


def summed(rows, column: str, currency: str = "USD") -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["BillingCurrency"] == currency:
            out[row[column] if row[column] is not None else NONE_LABEL] += Decimal(row["BilledCost"])
    return dict(out)


# -- the columns ----------------------------------------------------------------------------------


def test_columns_are_focus_1_2_then_custom_ones() -> None:
    names = list(focus.COLUMN_NAMES)
    assert names[: len(FOCUS_1_2)] == FOCUS_1_2
    custom = names[len(FOCUS_1_2):]
    assert custom == sorted(custom) and all(c.startswith("x_") for c in custom)
    assert {"x_ConnectionDescription", "x_Category", "x_Subcategory", "x_LineItem"} <= set(custom)


# -- round trips against the report -----------------------------------------------------------------


def test_one_row_per_stored_cost_row_with_its_exact_amount(synced) -> None:
    rows = read_csv(export_csv(synced, SYNC_START, SYNC_TODAY))
    stored = synced.dump_costs()
    assert len(rows) == len(stored) == synced.cost_count()
    exported = sorted(money.parse_exact(r["BilledCost"]) for r in rows)
    assert exported == sorted(money.join(hi, lo) for *_, hi, lo, _qh, _ql in stored)


@pytest.mark.parametrize("dim, column", [("project", "SubAccountName"), ("organization", "BillingAccountName"),
                                         ("service", "ServiceName"), ("line_item", "x_LineItem"),
                                         ("connection", "x_ConnectionDescription")])
def test_sums_equal_the_report_on_the_synced_fake_org(synced, dim: str, column: str) -> None:
    rows = read_csv(export_csv(synced, SYNC_START, SYNC_TODAY))
    assert summed(rows, column) == report(synced, dim, SYNC_START, SYNC_TODAY, SYNC_TODAY)


@pytest.mark.parametrize("start, end", [(SYN_START, SYN_END), (date(2026, 2, 1), date(2026, 2, 1)),
                                        (date(2026, 1, 31), date(2026, 2, 2))])
def test_sums_equal_the_report_on_the_synthetic_store(synthetic, start: date, end: date) -> None:
    rows = read_csv(export_csv(synthetic, start, end, safe=False))
    assert summed(rows, "SubAccountName") == report(synthetic, "project", start, end, SYN_TODAY)
    assert summed(rows, "BillingAccountName") == report(synthetic, "organization", start, end, SYN_TODAY)
    assert summed(rows, "ServiceName") == report(synthetic, "service", start, end, SYN_TODAY)
    total = synthetic.total(start=start, end=end)
    assert sum(summed(rows, "ServiceName").values(), Decimal(0)) == money.to_decimal(total)


def test_every_currency_is_exported_and_the_usd_rows_are_the_reports(synthetic) -> None:
    rows = read_csv(export_csv(synthetic, SYN_START, SYN_END))
    eur = [r for r in rows if r["BillingCurrency"] == "EUR"]
    assert [(r["BilledCost"], r["PricingCurrency"], r["ServiceName"]) for r in eur] == [("2.5", "EUR", "Embeddings")]
    assert {r["BillingCurrency"] for r in rows} == {"USD", "EUR"}


# -- what each row holds ------------------------------------------------------------------------------


def by_line_item(store: Store, line_item: str, *, safe: bool = False) -> list[dict]:
    return [r for r in read_csv(export_csv(store, SYN_START, SYN_END, safe=safe)) if r["x_LineItem"] == line_item]


def test_a_usage_row(synthetic) -> None:
    (row,) = by_line_item(synthetic, "priority | gpt-5.6-sol, output, long context")
    cost = "123456789.123456789012345678"
    assert {k: row[k] for k in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
                                "PricingCurrencyEffectiveCost")} == dict.fromkeys(
        ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingCurrencyEffectiveCost"), cost)
    assert row["BillingCurrency"] == row["PricingCurrency"] == "USD"
    assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == ("2026-01-30T00:00:00Z", "2026-01-31T00:00:00Z")
    assert (row["BillingPeriodStart"], row["BillingPeriodEnd"]) == ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert (row["ChargeCategory"], row["ChargeClass"], row["ChargeFrequency"], row["PricingCategory"]) == (
        "Usage", None, "Usage-Based", "Standard")
    assert row["ProviderName"] == row["PublisherName"] == row["InvoiceIssuerName"] == "OpenAI"
    assert (row["BillingAccountId"], row["BillingAccountName"], row["BillingAccountType"]) == (
        "org-acme123", HOSTILE_ORG, "Organization")
    assert (row["SubAccountId"], row["SubAccountName"], row["SubAccountType"]) == ("proj_b", HOSTILE_PROJECT, "Project")
    assert (row["ServiceName"], row["ServiceCategory"], row["ServiceSubcategory"]) == (
        "Chats and Completions", "AI and Machine Learning", "Generative AI")
    assert row["ChargeDescription"] == row["SkuId"] == row["SkuPriceId"] == row["x_LineItem"]
    assert (row["SkuMeter"], row["x_Category"], row["x_Subcategory"]) == ("output", "gpt-5.6-sol", "output")
    assert json.loads(row["SkuPriceDetails"]) == {"Context": "long", "Tier": "priority"}
    assert json.loads(row["Tags"]) == {"openai/api-key": HOSTILE_KEY, "openai/tier": "priority",
                                       "openai/context": "long", "openai/model-version": "gpt-5.6-sol"}
    assert (row["ConsumedQuantity"], row["ConsumedUnit"], row["PricingQuantity"], row["PricingUnit"]) == (
        "1234567.0", "Tokens", "1234567.0", "Tokens")
    assert (row["x_ApiKeyId"], row["x_Unit"], row["x_ConnectionDescription"]) == ("key_2", "tokens", "Acme prod")
    nulls = ("AvailabilityZone", "CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountCategory",
             "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity",
             "CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit", "ContractedUnitPrice",
             "InvoiceId", "ListUnitPrice", "PricingCurrencyContractedUnitPrice", "PricingCurrencyListUnitPrice",
             "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType")
    assert {k: row[k] for k in nulls} == dict.fromkeys(nulls)


def test_credits_are_credit_rows_without_sku_or_quantities(synthetic) -> None:
    credits = by_line_item(synthetic, "Promotional credit")
    assert sorted(Decimal(r["BilledCost"]) for r in credits) == [Decimal("-40.5"), Decimal("-1"), Decimal("-0.5")]
    for row in credits:
        assert (row["ChargeCategory"], row["ChargeClass"], row["ServiceName"]) == ("Credit", None, "Credits")
        assert row["ListCost"] == row["ContractedCost"] == row["EffectiveCost"] == row["BilledCost"]
        for column in ("ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit", "PricingCategory",
                       "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails", "Tags"):
            assert row[column] is None, column
        assert row["ChargeDescription"] == "Promotional credit"
    billed_to = sorted((r["SubAccountName"] or "") for r in credits)
    assert billed_to == ["", "", "Support Bot"]  # two to no project, one to a project


def test_costs_without_a_project_and_a_project_without_a_name(synthetic) -> None:
    (storage,) = by_line_item(synthetic, "Vector storage")
    assert (storage["SubAccountId"], storage["SubAccountName"], storage["SubAccountType"]) == (None, None, None)
    assert storage["BilledCost"] == "0.000000000000000001"
    assert (storage["ConsumedQuantity"], storage["PricingUnit"], storage["ServiceName"]) == (
        "0.000123456", "GiB-Hours", "Storage")
    assert storage["ServiceSubcategory"] == "Other (AI and Machine Learning)"
    (calls,) = by_line_item(synthetic, "web search tool calls")
    assert (calls["SubAccountId"], calls["SubAccountName"]) == ("proj_c", "proj_c")  # the id when the name is unknown
    assert (calls["ConsumedQuantity"], calls["ConsumedUnit"], calls["x_Unit"]) == ("37.0", "Units", None)
    (whisper,) = by_line_item(synthetic, "whisper")
    assert (whisper["ConsumedQuantity"], whisper["PricingQuantity"], whisper["PricingUnit"]) == (None, None, None)
    (unknown_key,) = by_line_item(synthetic, "gpt-4o-mini-2024-07-18, input")
    assert json.loads(unknown_key["Tags"])["openai/api-key"] == "key_unknown"


def test_an_organization_without_id_or_name_is_named_by_its_connection(synthetic) -> None:
    rows = [r for r in read_csv(export_csv(synthetic, SYN_START, SYN_END)) if r["x_ConnectionDescription"] == "Side org"]
    assert len(rows) == 2
    assert {(r["BillingAccountId"], r["BillingAccountName"]) for r in rows} == {("Side org", "Side org")}


def test_decimals_are_exact_text_never_floats(synthetic) -> None:
    rows = read_csv(export_csv(synthetic, SYN_START, SYN_END))
    stored = sorted(money.join(hi, lo) for *_, hi, lo, _qh, _ql in synthetic.dump_costs())
    assert sorted(money.parse_exact(r["BilledCost"]) for r in rows) == stored
    for row in rows:
        for column in DECIMAL_COLUMNS:
            value = row[column]
            if value is not None:
                assert "." in value and "e" not in value.lower(), (column, value)
                assert value == focus.decimal_text(Decimal(value))
    assert focus.decimal_text(Decimal("5")) == "5.0" and focus.decimal_text(Decimal("-0E-18")) == "0.0"
    assert focus.decimal_text(Decimal("1E-18")) == "0.000000000000000001"
    assert focus.decimal_text(Decimal("1E+3")) == "1000.0"


def test_focus_rows_hold_exact_decimals(synthetic) -> None:
    rows = list(focus.focus_rows(synthetic, SYN_START, SYN_END))
    assert all(type(r["BilledCost"]) is Decimal for r in rows)
    assert sum((r["BilledCost"] for r in rows if r["BillingCurrency"] == "USD"), Decimal(0)) == money.to_decimal(
        synthetic.total(start=SYN_START, end=SYN_END))


def test_summary_counts_rows_and_exact_totals_per_currency(synthetic) -> None:
    summary = focus.ExportSummary()
    n = focus.write_csv(focus.focus_rows(synthetic, SYN_START, SYN_END, summary), io.StringIO())
    assert n == summary.rows == synthetic.cost_count()
    assert summary.totals == {"USD": synthetic.total(start=SYN_START, end=SYN_END), "EUR": a("2.5")}


def test_export_rows_is_one_ordered_pass(synthetic) -> None:
    rows = list(ExportRowQueries.export_rows(synthetic, SYN_START, SYN_END))
    keys = [(r.day, r.connection_id, r.project_id or "", r.api_key_id or "") for r in rows]
    assert keys == sorted(keys)
    assert list(ExportRowQueries.export_rows(synthetic, date(2026, 3, 1), date(2026, 3, 31))) == []


# -- CSV safety: outside text is data -------------------------------------------------------------------


def test_formula_like_text_is_neutralized_by_default_and_numbers_never(synthetic) -> None:
    safe = read_csv(export_csv(synthetic, SYN_START, SYN_END))
    raw = read_csv(export_csv(synthetic, SYN_START, SYN_END, safe=False))
    assert {r["SubAccountName"] for r in safe if r["SubAccountId"] == "proj_b"} == {"'" + HOSTILE_PROJECT}
    assert {r["SubAccountName"] for r in raw if r["SubAccountId"] == "proj_b"} == {HOSTILE_PROJECT}
    assert {r["BillingAccountName"] for r in safe if r["BillingAccountId"] == "org-acme123"} == {"'" + HOSTILE_ORG}
    credits = [r for r in safe if r["ChargeCategory"] == "Credit"]
    assert credits and all(r["BilledCost"].startswith("-") for r in credits)  # numbers untouched
    # JSON keeps the raw value inside (a JSON cell starts with "{", never a formula)
    keys = {json.loads(r["Tags"]).get("openai/api-key") for r in safe if r["Tags"]}
    assert HOSTILE_KEY in keys
    for r_safe, r_raw in zip(safe, raw, strict=True):
        for column in r_safe:
            if r_safe[column] != r_raw[column]:
                assert r_safe[column] == "'" + r_raw[column] and r_raw[column][0] in "=+-@\t\r", column


def test_text_with_quotes_commas_and_newlines_round_trips() -> None:
    row = dict.fromkeys(focus.COLUMN_NAMES)
    row.update(BilledCost=Decimal("1.5"), SubAccountName='a "b", c\nd\re', ChargeDescription="\tx")
    out = io.StringIO()
    focus.write_csv([row], out, safe=False)
    (back,) = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    assert back["SubAccountName"] == 'a "b", c\nd\re' and back["ChargeDescription"] == "\tx"
    out = io.StringIO()
    focus.write_csv([row], out)
    (back,) = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    assert back["ChargeDescription"] == "'\tx" and back["BilledCost"] == "1.5"


# -- files ------------------------------------------------------------------------------------------------


def test_write_file_is_atomic_and_private(synthetic, tmp_path: Path) -> None:
    target = tmp_path / "focus.csv"
    target.write_text("earlier export\n")

    def failing():
        yield from focus.focus_rows(synthetic, SYN_START, SYN_END)
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        focus.write_file(failing(), target)
    assert target.read_text() == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["focus.csv"]
    n = focus.write_file(focus.focus_rows(synthetic, SYN_START, SYN_END), target)
    assert n == synthetic.cost_count()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == export_csv(synthetic, SYN_START, SYN_END)


needs_pyarrow = pytest.mark.skipif(not focus.parquet_available(), reason="pyarrow is not installed (optional extra)")


@needs_pyarrow
def test_parquet_holds_exact_decimals_and_utc_times(synthetic, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "focus.parquet"
    n = focus.write_file(focus.focus_rows(synthetic, SYN_START, SYN_END), path, fmt="parquet")
    table = pq.read_table(path)
    assert n == table.num_rows == synthetic.cost_count()
    assert table.schema.names == list(focus.COLUMN_NAMES)
    for c in focus.COLUMNS:
        expected = {focus.DECIMAL: pa.decimal128(38, 18), focus.STRING: pa.string(), focus.JSON: pa.string(),
                    focus.DATETIME: pa.timestamp("us", tz="UTC")}[c.kind]
        assert table.schema.field(c.name).type == expected, c.name
    assert table.schema.metadata[b"FocusVersion"] == b"1.2"
    rows = table.to_pylist()
    raw = read_csv(export_csv(synthetic, SYN_START, SYN_END, safe=False))
    for p_row, c_row in zip(rows, raw, strict=True):
        for c in focus.COLUMNS:
            value = p_row[c.name]
            if c.kind == focus.DECIMAL:
                value = None if value is None else focus.decimal_text(value)
            elif c.kind == focus.DATETIME:
                value = focus.datetime_text(value)
            assert value == c_row[c.name], c.name


@needs_pyarrow
def test_an_empty_range_writes_a_parquet_file_with_its_schema(synthetic, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "empty.parquet"
    assert focus.write_file(focus.focus_rows(synthetic, date(2025, 1, 1), date(2025, 1, 2)), path, fmt="parquet") == 0
    assert pq.read_table(path).schema.names == list(focus.COLUMN_NAMES)


# -- DuckDB, as docs/FOCUS.md shows it --------------------------------------------------------------------

DOC_QUERY = "SELECT SubAccountName, SUM(BilledCost) FROM read_csv_auto('{path}') GROUP BY 1"
EXACT_QUERY = ("SELECT SubAccountName, SUM(BilledCost) FROM read_csv_auto('{path}', "
               "types={{'BilledCost': 'DECIMAL(38,18)'}}) WHERE BillingCurrency = 'USD' GROUP BY 1")


@pytest.mark.parametrize("which", ["synced", "synthetic"])
def test_the_documented_duckdb_query_equals_the_report(which: str, request, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    store = request.getfixturevalue(which)
    start, end, today = (SYNC_START, SYNC_TODAY, SYNC_TODAY) if which == "synced" else (SYN_START, SYN_END, SYN_TODAY)
    path = tmp_path / "focus.csv"
    focus.write_file(focus.focus_rows(store, start, end), path, safe=False)
    expected = report(store, "project", start, end, today)
    if which == "synthetic":  # the one EUR row is not in the USD report
        expected[HOSTILE_PROJECT] += Decimal("2.5")
    con = duckdb.connect()
    rows = con.execute(DOC_QUERY.format(path=path)).fetchall()
    approx = {(name if name is not None else NONE_LABEL): total for name, total in rows}
    assert approx.keys() == expected.keys()
    for name, total in approx.items():  # DuckDB guesses DOUBLE: equal to far below a cent
        assert abs(Decimal(str(total)) - expected[name]) < Decimal("0.000001"), name
    exact = dict(con.execute(EXACT_QUERY.format(path=path)).fetchall())
    exact = {(name if name is not None else NONE_LABEL): total for name, total in exact.items()}
    assert exact == report(store, "project", start, end, today)


def test_every_virtual_tag_is_in_tags_and_sums_like_the_report(tmp_path: Path) -> None:
    from openai_cost_tui.core.tags import UNTAGGED
    from openai_cost_tui.services import tags

    store = build_synthetic(tmp_path)
    store.save_tags(sample_tags())
    rows = read_csv(export_csv(store, SYN_START, SYN_END))
    for row in rows:
        if row["BillingCurrency"] == "USD":
            row["team"] = json.loads(row["Tags"] or "{}").get("team", UNTAGGED)
    assert {json.loads(r["Tags"] or "{}").get("org") for r in rows} == {"Side", None}
    tags.load(store)
    spec = PivotSpec(rows=("team",), cols=None, date_range=DateRange(SYN_START, SYN_END))
    result = tags.run_pivot(store, spec, today=SYN_TODAY, splits=False)  # one FOCUS row per stored row
    assert summed(rows, "team") == {k[0]: money.to_decimal(c.amount) for k, c in result.row_totals.items()}
    assert set(summed(rows, "team")) == {"Bots", 'Odd "team", =1', "Shared", UNTAGGED}
    store.close()


# -- the command ------------------------------------------------------------------------------------------


def run_cli(argv: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """``openai-cost-tui ARGV`` in-process, with ``export`` registered (main.py may not list it yet)."""
    build = cli_main.build_parser

    def with_export() -> argparse.ArgumentParser:
        parser = build()
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "export" not in commands.choices:
            export_cli.register(commands)
        return parser

    monkeypatch.setattr(cli_main, "build_parser", with_export)
    try:
        code = cli_main.main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_a_file_and_says_what_it_wrote(synthetic, tmp_path: Path, monkeypatch, capsys) -> None:
    target = tmp_path / "focus.csv"
    code, out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                              "-o", str(target)], monkeypatch, capsys)
    assert code == 0, err
    assert out == ""
    assert f"wrote {synthetic.cost_count()} FOCUS 1.2 rows to {target}" in err and "USD" in err and "EUR" in err
    assert target.read_text(encoding="utf-8") == export_csv(synthetic, SYN_START, SYN_END)


def test_cli_writes_csv_to_stdout_and_raw_on_request(synthetic, monkeypatch, capsys) -> None:
    code, out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                              "--raw-csv"], monkeypatch, capsys)
    assert code == 0, err
    assert out == export_csv(synthetic, SYN_START, SYN_END, safe=False)


@pytest.mark.parametrize("argv, message", [
    (["--from", "2026-02-02", "--to", "2026-01-30"], "is after"),
    (["--from", "2026-13-01", "--to", "2026-01-30"], "--from"),
    (["--to", "2026-01-30"], "--from"),
    (["--from", "2026-01-30", "--to", "2026-02-02", "--format", "parquet"], "-o FILE"),
    (["--from", "2026-01-30", "--to", "2026-02-02", "-o", ""], "-o is empty"),
    (["--from", "2026-01-30", "--to", "2026-02-02", "--format", "xlsx"], "invalid choice"),
])
def test_cli_refuses_bad_input_with_exit_2(synthetic, argv, message, monkeypatch, capsys) -> None:
    code, _out, err = run_cli(["--db", synthetic.url, "export", "focus", *argv], monkeypatch, capsys)
    assert code == 2 and message in err, err


def test_cli_refuses_a_missing_folder(synthetic, tmp_path: Path, monkeypatch, capsys) -> None:
    code, _out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                               "-o", str(tmp_path / "no" / "focus.csv")], monkeypatch, capsys)
    assert code == 2 and "does not exist" in err


def test_cli_parquet_without_pyarrow_says_how_to_get_it(synthetic, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(focus, "parquet_available", lambda: False)
    code, _out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                               "--format", "parquet", "-o", str(tmp_path / "f.parquet")], monkeypatch, capsys)
    assert code == 2 and "pyarrow" in err and "openai-cost-tui[parquet]" in err
    assert not (tmp_path / "f.parquet").exists()


@needs_pyarrow
def test_cli_writes_parquet(synthetic, tmp_path: Path, monkeypatch, capsys) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "focus.parquet"
    code, _out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                               "--format", "parquet", "-o", str(target)], monkeypatch, capsys)
    assert code == 0, err
    assert pq.read_table(target).num_rows == synthetic.cost_count()


def test_cli_relative_dates_are_resolved_and_said(synthetic, monkeypatch, capsys) -> None:
    code, out, err = run_cli(["--db", synthetic.url, "export", "focus", "--from", "2026-01", "--to", "2026-02"],
                             monkeypatch, capsys)
    assert code == 0, err
    assert "--from 2026-01 = 2026-01-01" in err and "--to 2026-02 = 2026-02-28" in err
    assert len(read_csv(out)) == synthetic.cost_count()


def test_the_export_never_writes_to_the_store(synthetic, tmp_path: Path, monkeypatch, capsys) -> None:
    path = Path(synthetic.url)
    before = (path.stat().st_mtime_ns, path.stat().st_size)
    code, _out, err = run_cli(["--db", str(path), "export", "focus", "--from", "2026-01-30", "--to", "2026-02-02",
                               "-o", str(tmp_path / "x.csv")], monkeypatch, capsys)
    assert code == 0, err
    assert (path.stat().st_mtime_ns, path.stat().st_size) == before
