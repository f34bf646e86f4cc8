"""Rendering a PivotResult (core/render.py): long JSON per CONTRACT.md, wide csv/markdown/table."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from openai_cost_tui.core import dimensions, render
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.models import Cell, PivotResult, PivotSpec
from openai_cost_tui.core.money import parse_exact

APR_MAY = DateRange(date(2026, 4, 1), date(2026, 5, 31))
IMAGES = ("Images",)
CHATS = ("Chats and Completions",)


def usd(text: str) -> int:
    return parse_exact(text)


def build(
    spec: PivotSpec,
    cells: dict[tuple[tuple[str, ...], str | None], Cell],
    *,
    row_keys: tuple[tuple[str, ...], ...] | None = None,
    col_keys: tuple[str, ...] | None = None,
    date_range: DateRange = APR_MAY,
    provisional_from: date | None = None,
) -> PivotResult:
    """A PivotResult with row, column and grand totals summed from ``cells`` (as the store would)."""
    if row_keys is None:
        row_keys = tuple(dict.fromkeys(r for r, _ in cells))
    if col_keys is None:
        col_keys = tuple(dict.fromkeys(c for _, c in cells if c is not None))
    row_totals: dict[tuple[str, ...], Cell] = {}
    col_totals: dict[str, Cell] = {}
    total = Cell()
    for (r, c), cell in cells.items():
        row_totals[r] = row_totals.get(r, Cell()) + cell
        if c is not None:
            col_totals[c] = col_totals.get(c, Cell()) + cell
        total = total + cell
    grid = {(r, c): cell for (r, c), cell in cells.items() if c is not None}
    return PivotResult(
        spec=spec,
        date_range=date_range,
        row_keys=row_keys,
        col_keys=col_keys,
        cells=grid,
        row_totals=row_totals,
        col_totals=col_totals,
        total=total,
        provisional_from=provisional_from,
    )


def service_by_month() -> PivotResult:
    spec = PivotSpec(rows=("service",), cols="month", date_range=APR_MAY)
    return build(
        spec,
        {
            (IMAGES, "2026-05"): Cell(usd("12.345678901")),
            (CHATS, "2026-04"): Cell(usd("1000.5")),
            (CHATS, "2026-05"): Cell(usd("0.0000000000000001")),
        },
        row_keys=(IMAGES, CHATS),
        col_keys=("2026-04", "2026-05"),
    )


def empty_result(spec: PivotSpec | None = None) -> PivotResult:
    spec = spec or PivotSpec(rows=("service",), cols="month")
    return PivotResult(
        spec=spec, date_range=DateRange(date(2026, 5, 1), date(2026, 5, 17)), row_keys=(), col_keys=()
    )


# ---------------------------------------------------------------------------------------------
# JSON: long format, exactly the CONTRACT.md shape


def test_json_shape_matches_contract() -> None:
    doc = json.loads(render.to_json(service_by_month()))
    assert list(doc) == ["currency", "from", "to", "measure", "rows", "total"]
    assert doc["currency"] == "usd"
    assert doc["from"] == "2026-04-01"
    assert doc["to"] == "2026-05-31"
    assert doc["measure"] == "cost"
    # one object per non-empty cell, in row then column order; Images/2026-04 is empty -> absent
    assert doc["rows"] == [
        {"service": "Images", "month": "2026-05", "cost": "12.345678901"},
        {"service": "Chats and Completions", "month": "2026-04", "cost": "1000.5"},
        {"service": "Chats and Completions", "month": "2026-05", "cost": "0.0000000000000001"},
    ]
    assert doc["total"] == "1012.8456789010000001"
    for row in doc["rows"]:
        assert list(row) == ["service", "month", "cost"]
        assert all(isinstance(v, str) for v in row.values())


def test_json_amounts_are_exact_decimal_strings() -> None:
    amounts = ["0.06", "-1.5", "100", "1e-3", "0.0123456789012345", "0.000000000000000001", "-0", "1000000"]
    spec = PivotSpec(rows=("line_item",), cols="day")
    result = build(spec, {((f"item {i}",), "2026-05-01"): Cell(usd(a)) for i, a in enumerate(amounts)})
    doc = json.loads(render.to_json(result))
    got = [row["cost"] for row in doc["rows"]]
    assert got == [
        "0.06",
        "-1.5",
        "100",
        "0.001",
        "0.0123456789012345",
        "0.000000000000000001",
        "0",
        "1000000",
    ]
    for text in got:
        assert "e" not in text.lower()
        assert parse_exact(text) in {usd(a) for a in amounts}


def test_json_keeps_every_digit_of_a_large_total() -> None:
    # "amounts as exact decimal strings": no rounding to 28 significant digits.
    big = "12345678901.123456789012345678"
    spec = PivotSpec(rows=("service",), cols=None)
    result = build(spec, {(IMAGES, None): Cell(usd(big))})
    doc = json.loads(render.to_json(result))
    assert doc["rows"] == [{"service": "Images", "cost": big}]
    assert doc["total"] == big


def test_json_zero_cell_is_reported_as_zero() -> None:
    spec = PivotSpec(rows=("service",), cols="month")
    result = build(spec, {(IMAGES, "2026-05"): Cell(0), (CHATS, "2026-05"): Cell(usd("2"))})
    doc = json.loads(render.to_json(result))
    assert doc["rows"][0] == {"service": "Images", "month": "2026-05", "cost": "0"}
    assert doc["total"] == "2"


def test_json_empty_report() -> None:
    doc = json.loads(render.to_json(empty_result()))
    assert doc == {
        "currency": "usd",
        "from": "2026-05-01",
        "to": "2026-05-17",
        "measure": "cost",
        "rows": [],
        "total": "0",
    }


def test_json_without_column_dimension_uses_row_totals() -> None:
    spec = PivotSpec(rows=("project", "service"), cols=None)
    result = build(
        spec,
        {
            (("Alpha", "Images"), None): Cell(usd("1.25")),
            (("Alpha", "Chats and Completions"), None): Cell(usd("3")),
            (("(none)", "Images"), None): Cell(usd("-0.5")),
        },
    )
    doc = json.loads(render.to_json(result))
    assert doc["rows"] == [
        {"project": "Alpha", "service": "Images", "cost": "1.25"},
        {"project": "Alpha", "service": "Chats and Completions", "cost": "3"},
        {"project": "(none)", "service": "Images", "cost": "-0.5"},
    ]
    assert doc["total"] == "3.75"


def test_json_several_row_dimensions_and_a_column() -> None:
    spec = PivotSpec(rows=("project", "model_version"), cols="week")
    result = build(
        spec,
        {
            (("P1", "gpt-4o-2024-08-06"), "2026-W01"): Cell(usd("1")),
            (("P1", "gpt-4o-2024-08-06"), "2026-W02"): Cell(usd("2")),
            (("P2", "gpt-4o-mini"), "2026-W02"): Cell(usd("0.5")),
        },
    )
    rows = json.loads(render.to_json(result))["rows"]
    assert rows == [
        {"project": "P1", "model_version": "gpt-4o-2024-08-06", "week": "2026-W01", "cost": "1"},
        {"project": "P1", "model_version": "gpt-4o-2024-08-06", "week": "2026-W02", "cost": "2"},
        {"project": "P2", "model_version": "gpt-4o-mini", "week": "2026-W02", "cost": "0.5"},
    ]


def test_json_is_unicode_and_safe_for_odd_values() -> None:
    spec = PivotSpec(rows=("project",), cols=None, currency="usd")
    name = 'Ünïcode "quoted" \\ | <tag>\n'
    result = build(spec, {((name,), None): Cell(usd("1"))})
    text = render.to_json(result)
    assert "Ünïcode" in text
    assert json.loads(text)["rows"][0]["project"] == name


def test_json_other_currency() -> None:
    spec = PivotSpec(rows=("service",), cols=None, currency="eur")
    doc = json.loads(render.to_json(build(spec, {(IMAGES, None): Cell(usd("1"))})))
    assert doc["currency"] == "eur"


# ---------------------------------------------------------------------------------------------
# CSV: wide, with a Total row and a Total column, exact values


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_wide_with_totals() -> None:
    text = render.to_csv(service_by_month())
    assert text == (
        "Service,2026-04,2026-05,Total\n"
        "Images,,12.345678901,12.345678901\n"
        "Chats and Completions,1000.5,0.0000000000000001,1000.5000000000000001\n"
        "Total,1000.5,12.3456789010000001,1012.8456789010000001\n"
    )


def test_csv_empty_cells_are_empty_not_zero() -> None:
    rows = _csv_rows(render.to_csv(service_by_month()))
    assert rows[1][1] == ""
    # a real zero stays "0"
    spec = PivotSpec(rows=("service",), cols="month")
    zero = build(spec, {(IMAGES, "2026-05"): Cell(0), (CHATS, "2026-04"): Cell(usd("1"))})
    rows = _csv_rows(render.to_csv(zero))
    assert rows[0] == ["Service", "2026-05", "2026-04", "Total"]
    assert rows[1] == ["Images", "0", "", "0"]
    assert rows[2] == ["Chats and Completions", "", "1", "1"]


def test_csv_several_row_dimensions_pad_the_total_row() -> None:
    spec = PivotSpec(rows=("project", "service"), cols="month")
    result = build(
        spec,
        {
            (("P1", "Images"), "2026-05"): Cell(usd("1.5")),
            (("P2", "Images"), "2026-05"): Cell(usd("2.25")),
        },
    )
    rows = _csv_rows(render.to_csv(result))
    assert rows == [
        ["Project", "Service", "2026-05", "Total"],
        ["P1", "Images", "1.5", "1.5"],
        ["P2", "Images", "2.25", "2.25"],
        ["Total", "", "3.75", "3.75"],
    ]
    assert len({len(r) for r in rows}) == 1


def test_csv_without_column_dimension() -> None:
    spec = PivotSpec(rows=("service",), cols=None)
    result = build(spec, {(IMAGES, None): Cell(usd("1")), (CHATS, None): Cell(usd("2"))})
    assert _csv_rows(render.to_csv(result)) == [
        ["Service", "Total"],
        ["Images", "1"],
        ["Chats and Completions", "2"],
        ["Total", "3"],
    ]


def test_csv_quotes_values_with_commas_and_quotes() -> None:
    spec = PivotSpec(rows=("project",), cols=None)
    name = 'Acme, Inc. "R&D"'
    result = build(spec, {((name,), None): Cell(usd("1"))})
    rows = _csv_rows(render.to_csv(result))
    assert rows[1] == [name, "1"]


def test_csv_keeps_every_digit() -> None:
    big = "12345678901.123456789012345678"
    spec = PivotSpec(rows=("service",), cols="month")
    result = build(spec, {(IMAGES, "2026-05"): Cell(usd(big))})
    assert _csv_rows(render.to_csv(result))[1] == ["Images", big, big]


def test_csv_empty_report() -> None:
    assert _csv_rows(render.to_csv(empty_result())) == [["Service", "Total"], ["Total", "0"]]


# ---------------------------------------------------------------------------------------------
# Markdown


def test_markdown_layout() -> None:
    text = render.to_markdown(service_by_month())
    lines = text.splitlines()
    assert lines[0] == "**Cost (USD), 2026-04-01..2026-05-31 (UTC days)**"
    assert lines[1] == ""
    assert lines[2] == "| Service | 2026-04 | 2026-05 | Total |"
    assert lines[3] == "| --- | ---: | ---: | ---: |"
    assert lines[4] == "| Images |  | 12.35 | 12.35 |"
    assert lines[5] == "| Chats and Completions | 1,000.50 | 0.00 | 1,000.50 |"
    assert lines[6] == "| **Total** | **1,000.50** | **12.35** | **1,012.85** |"
    assert len(lines) == 7
    assert text.endswith("\n")


def test_markdown_alignment_row_with_several_row_dimensions() -> None:
    spec = PivotSpec(rows=("project", "service"), cols="month")
    result = build(spec, {(("P1", "Images"), "2026-05"): Cell(usd("1"))})
    lines = render.to_markdown(result).splitlines()
    assert lines[3] == "| --- | --- | ---: | ---: |"
    assert lines[-1] == "| **Total** |  | **1.00** | **1.00** |"


def test_markdown_escapes_pipes() -> None:
    spec = PivotSpec(rows=("project",), cols="month")
    result = build(spec, {(("a|b||c",), "x|y"): Cell(usd("1"))})
    lines = render.to_markdown(result).splitlines()
    assert lines[2] == "| Project | x\\|y | Total |"
    assert lines[4] == "| a\\|b\\|\\|c | 1.00 | 1.00 |"
    # every row has the same number of unescaped cell separators
    counts = {line.replace("\\|", "").count("|") for line in lines[2:]}
    assert counts == {4}


def test_markdown_empty_report() -> None:
    lines = render.to_markdown(empty_result()).splitlines()
    assert lines[2:] == ["| Service | Total |", "| --- | ---: |", "| **Total** | **0.00** |"]


# ---------------------------------------------------------------------------------------------
# Plain-text table


def test_table_right_aligns_numbers_with_separators() -> None:
    text = render.to_table(service_by_month())
    assert text == (
        "Cost (USD), 2026-04-01..2026-05-31 (UTC days)\n"
        "Service                 2026-04  2026-05     Total\n"
        "---------------------  --------  -------  --------\n"
        "Images                             12.35     12.35\n"
        "Chats and Completions  1,000.50     0.00  1,000.50\n"
        "---------------------  --------  -------  --------\n"
        "Total                  1,000.50    12.35  1,012.85\n"
    )


def test_table_columns_line_up() -> None:
    spec = PivotSpec(rows=("project", "service"), cols="month")
    result = build(
        spec,
        {
            (("A long project name", "Images"), "2026-04"): Cell(usd("7")),
            (("P", "Chats and Completions"), "2026-05"): Cell(usd("123456.789")),
        },
    )
    lines = render.to_table(result).splitlines()[1:]
    rule = lines[1]
    ends = [i for i in range(len(rule)) if rule[i] == "-" and (i + 1 == len(rule) or rule[i + 1] == " ")]
    starts = [i for i in range(len(rule)) if rule[i] == "-" and (i == 0 or rule[i - 1] == " ")]
    assert len(ends) == 5
    for line in lines:
        if set(line) <= {"-", " "}:
            continue
        cells = [line[a : b + 1] for a, b in zip(starts, ends, strict=True)]
        for cell in cells[:2]:  # dimension columns: left-aligned
            assert cell.strip() == "" or not cell.startswith(" ")
        for cell in cells[2:]:  # numbers and column titles: right-aligned
            assert cell.strip() == "" or not cell.endswith(" ")
    assert lines[-1].split() == ["Total", "7.00", "123,456.79", "123,463.79"]


def test_table_notes_provisional_days() -> None:
    spec = PivotSpec(rows=("service",), cols="day")
    result = build(spec, {(IMAGES, "2026-05-17"): Cell(usd("1"))}, provisional_from=date(2026, 5, 17))
    assert render.to_table(result).splitlines()[-1] == (
        "Days from 2026-05-17 on are still filling (provisional)."
    )
    assert "provisional" not in render.to_table(service_by_month())


def test_table_empty_report() -> None:
    lines = render.to_table(empty_result()).splitlines()
    assert lines[1].split() == ["Service", "Total"]
    assert lines[-1].split() == ["Total", "0.00"]


def test_table_negative_and_large_values() -> None:
    spec = PivotSpec(rows=("service",), cols=None)
    result = build(spec, {(IMAGES, None): Cell(usd("-1234567.125")), (CHATS, None): Cell(usd("2000000"))})
    lines = render.to_table(result).splitlines()
    assert lines[3].endswith("-1,234,567.12")  # half-even
    assert lines[4].endswith("2,000,000.00")
    assert lines[-1].endswith("765,432.88")


# ---------------------------------------------------------------------------------------------
# Quantity and unit cost

TOKENS = frozenset({"tokens"})
M_TOKENS = 10**6 * 10**18  # one million tokens in atto-units


def test_unit_cost_per_million_tokens() -> None:
    spec = PivotSpec(rows=("model_version",), cols=None, measure="unit_cost")
    result = build(
        spec,
        {
            (("gpt-4o",), None): Cell(usd("2.5"), M_TOKENS, TOKENS),
            (("gpt-4o-mini",), None): Cell(usd("0.3"), 2 * M_TOKENS, TOKENS),
        },
    )
    doc = json.loads(render.to_json(result))
    assert doc["measure"] == "unit_cost"
    assert doc["rows"] == [
        {"model_version": "gpt-4o", "unit_cost": "2.5", "unit": "tokens"},
        {"model_version": "gpt-4o-mini", "unit_cost": "0.15", "unit": "tokens"},
    ]
    assert doc["total"] == "0.933333333333"  # $2.8 over 3M tokens, 12 places, half-even
    assert render.measure_title(result) == "Unit cost (USD per 1M tokens)"
    rows = _csv_rows(render.to_csv(result))
    assert rows[1] == ["gpt-4o", "2.5"]
    assert rows[2] == ["gpt-4o-mini", "0.15"]
    assert rows[3] == ["Total", "0.933333333333"]
    md = render.to_markdown(result).splitlines()
    assert md[0] == "**Unit cost (USD per 1M tokens), 2026-04-01..2026-05-31 (UTC days)**"
    assert md[4] == "| gpt-4o | 2.5000 |"


def test_unit_cost_mixed_units_is_empty() -> None:
    spec = PivotSpec(rows=("service",), cols="month", measure="unit_cost")
    result = build(
        spec,
        {
            (CHATS, "2026-05"): Cell(usd("2.5"), M_TOKENS, TOKENS),
            (IMAGES, "2026-05"): Cell(usd("0.08"), 2 * 10**18, frozenset({"images"})),
            (("Mixed",), "2026-05"): Cell(usd("1"), 10**18, frozenset({"images", "tokens"})),
        },
    )
    rows = _csv_rows(render.to_csv(result))
    assert rows[1] == ["Chats and Completions", "2.5", "2.5"]
    assert rows[2] == ["Images", "0.04", "0.04"]  # per image
    assert rows[3] == ["Mixed", "", ""]
    assert rows[4] == ["Total", "", ""]  # the column and grand totals mix units too
    doc = json.loads(render.to_json(result))
    assert doc["rows"][2] == {
        "service": "Mixed",
        "month": "2026-05",
        "unit_cost": "",
        "unit": "images,tokens",
    }
    assert "mixed units" in render.measure_title(result)


def test_unit_cost_mixed_units_total_is_not_reported_as_zero() -> None:
    # A unit cost over mixed units has no value; "0" would claim it was free.
    spec = PivotSpec(rows=("service",), cols=None, measure="unit_cost")
    result = build(
        spec,
        {
            (CHATS, None): Cell(usd("2.5"), M_TOKENS, TOKENS),
            (IMAGES, None): Cell(usd("0.08"), 2 * 10**18, frozenset({"images"})),
        },
    )
    doc = json.loads(render.to_json(result))
    assert doc["total"] != "0"
    assert _csv_rows(render.to_csv(result))[-1] == ["Total", ""]


def test_unit_cost_without_quantity_or_with_zero_quantity_is_empty() -> None:
    assert render.measure_value(Cell(usd("1"), None, TOKENS), "unit_cost") is None
    assert render.measure_value(Cell(usd("1"), 0, TOKENS), "unit_cost") is None
    assert render.measure_value(Cell(usd("1"), 10**18, frozenset()), "unit_cost") is None
    assert render.measure_value(None, "unit_cost") is None
    assert render.measure_value(None, "cost") is None


def test_quantity_measure() -> None:
    spec = PivotSpec(rows=("service",), cols=None, measure="quantity")
    result = build(
        spec,
        {
            (CHATS, None): Cell(usd("2.5"), 1234567 * 10**18, TOKENS),
            (IMAGES, None): Cell(usd("1"), None, frozenset()),
        },
    )
    doc = json.loads(render.to_json(result))
    assert doc["rows"][0] == {"service": "Chats and Completions", "quantity": "1234567", "unit": "tokens"}
    assert doc["rows"][1] == {"service": "Images", "quantity": "", "unit": ""}
    assert doc["total"] == "1234567"
    table = render.to_table(result)
    assert "1,234,567" in table
    assert render.measure_title(result) == "Quantity (tokens)"


def test_per_unit() -> None:
    assert render.per_unit("tokens") == (10**6, "1M tokens")
    assert render.per_unit("characters") == (10**6, "1M characters")
    assert render.per_unit("images") == (1, "image")
    assert render.per_unit("audio_seconds") == (1, "audio second")
    assert render.per_unit("") == (1, "unit")


def test_display_text() -> None:
    from decimal import Decimal

    assert render.display_text(None, "cost") == ""
    assert render.display_text(Decimal("1234.565"), "cost") == "1,234.56"
    assert render.display_text(Decimal("1234567"), "quantity") == "1,234,567"
    assert render.display_text(Decimal("1.0005"), "quantity") == "1.000"
    assert render.display_text(Decimal("0.00015"), "unit_cost") == "0.0002"


def test_renderers_registry() -> None:
    assert set(render.RENDERERS) == {"json", "csv", "markdown", "table"}
    result = service_by_month()
    for fn in render.RENDERERS.values():
        assert isinstance(fn(result), str)


# ---------------------------------------------------------------------------------------------
# dimensions (the labels the wide views use)


def test_dimension_ids_match_the_contract() -> None:
    assert [d.id for d in dimensions.DIMENSIONS] == [
        "service", "category", "subcategory", "tier", "context", "model_version", "line_item", "unit",
        "organization", "project", "api_key", "connection", "day", "week", "month",
    ]  # fmt: skip
    assert dimensions.label("api_key") == "API key"
    assert dimensions.dimension(" month ").id == "month"


@pytest.mark.parametrize("bad", ["", "Service", "services", "cost", "x" * 1000])
def test_unknown_dimension_lists_valid_ones(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        dimensions.dimension(bad)
    assert info.value.exit_code == 2
    assert "service" in str(info.value) and "month" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Outside text: one rule (core/text.py) in every format, formulas neutralized in CSV


HOSTILE = "P\x1b]0;pwned\x07\r\nx\x9b1m"


@pytest.mark.parametrize("name", ["=SUM(A1:A9)", "+1+1", "-2+3", "@cmd", "\tlead", "\rlead"])
def test_csv_quotes_text_a_spreadsheet_would_run(name: str) -> None:
    spec = PivotSpec(rows=("project",), cols="connection")
    result = build(spec, {((name,), name): Cell(usd("-12.5"))})
    rows = _csv_rows(render.to_csv(result))
    shown_name = name.replace("\t", "\\t").replace("\r", "\\r")
    assert rows[0][1] == rows[1][0] == ("'" + shown_name if shown_name[0] in "=+-@" else shown_name)
    assert all(not c.startswith(("=", "+", "@", "\t", "\r")) for r in rows for c in r)
    assert rows[1][1:] == ["-12.5", "-12.5"]  # amounts are numbers: a credit is never quoted
    assert rows[2] == ["Total", "-12.5", "-12.5"]


def test_csv_amounts_are_exact_with_trailing_zeros_trimmed() -> None:
    spec = PivotSpec(rows=("service",), cols=None)
    result = build(spec, {(IMAGES, None): Cell(usd("614.150708000000")),
                          (CHATS, None): Cell(usd("0.1") + usd("0.2"))})
    rows = _csv_rows(render.to_csv(result))
    assert rows[1:] == [["Images", "614.150708"], ["Chats and Completions", "0.3"], ["Total", "614.450708"]]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "json"])
def test_every_format_escapes_control_characters(fmt: str) -> None:
    spec = PivotSpec(rows=("project",), cols="connection")
    text = render.RENDERERS[fmt](build(spec, {((HOSTILE,), HOSTILE + "\u202e"): Cell(usd("1"))}))
    assert all(ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) for ch in text)
    assert "\u202e" not in text
    if fmt == "json":
        assert json.loads(text)["rows"][0] == {"project": HOSTILE, "connection": HOSTILE + "\u202e", "cost": "1"}
    else:
        assert "P\\x1b]0;pwned\\x07\\r\\nx\\x9b1m" in text  # escaped literally, the same in each


# ---------------------------------------------------------------------------------------------
# Figures too wide for their column: abbreviated, never cut


@pytest.mark.parametrize(("shown", "short"), [
    ("10,029,273,800", "10.0B"), ("-1,234,567.89", "-1.2M"), ("+45,200.00", "+45.2K"),
    ("999,960,000", "1.0B"), ("999,940,000", "999.9M"), ("30,471,710,145.209", "30.5B"),
    ("12,345,678,901,234,567", "12,345.7T"),
    ("9,999.99", "9,999.99"), ("12.3%", "12.3%"), ("", ""), ("new", "new"),
])
def test_compact_text(shown: str, short: str) -> None:
    assert render.compact_text(shown) == short


def test_fit_columns_shortens_the_widest_first_and_only_as_needed() -> None:
    titles = ["2026-10", "2026-11", "Total"]
    rows = [["27,006,194,900", "27,250,854,170", "55,316,469,791"], ["6,583.255", "6,546.365", "13,266.764"]]
    same, widths, short = render.fit_columns(rows, titles, 100)
    assert same == rows and short == set() and widths == [14, 14, 14]
    texts, widths, short = render.fit_columns(rows, titles, 40)
    assert short == {0, 1} and texts[0][:2] == ["27.0B", "27.3B"] and texts[0][2] == "55,316,469,791"
    assert sum(widths) + 2 * 3 <= 40
    texts, _, short = render.fit_columns(rows, titles, 10)  # cannot fit: every figure column shortened
    assert short == {0, 1, 2} and texts[1] == ["6,583.255", "6,546.365", "13.3K"]
