"""Turning a PivotResult into text: the long JSON of CONTRACT.md, and wide csv/markdown/table views.

Pure functions, shared by the CLI and the TUI's export. Outside text (dimension values: project, key,
connection and organization names) goes through ``core.text.shown`` in every format, so no control
character reaches a terminal or a file; in CSV a text cell that a spreadsheet would run as a formula
(OWASP: a leading ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading single quote. Amount cells are
numbers and are never quoted: a credit of -12.5 stays -12.5.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Container, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from . import money
from .dates import bin_id
from .dimensions import TIME_DIMENSIONS, label
from .models import Cell, PivotResult
from .text import is_safe, shown

PER_UNIT = {"tokens": (10**6, "1M tokens"), "characters": (10**6, "1M characters")}


def per_unit(unit: str) -> tuple[int, str]:
    return PER_UNIT.get(unit, (1, unit.replace("_", " ").rstrip("s") if unit else "unit"))


def measure_value(cell: Cell | None, measure: str) -> Decimal | None:
    """The exact (cost, quantity) or derived (unit cost) value of a cell; None reads as empty."""
    if cell is None:
        return None
    if measure == "cost":
        return money.to_decimal(cell.amount)
    if cell.quantity is None:
        return None
    if measure == "quantity":
        return money.to_decimal(cell.quantity)
    if len(cell.units) != 1 or not cell.quantity:
        return None
    scale, _ = per_unit(next(iter(cell.units)))
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(cell.amount) * scale / Decimal(cell.quantity)
        return value.quantize(Decimal("1e-12"), rounding=ROUND_HALF_EVEN)


def exact_text(value: Decimal | None) -> str:
    """Every digit, no exponent, no trailing zeros; "" for no value."""
    if value is None:
        return ""
    if not value:
        return "0"
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + 2
        return format(value.normalize(), "f")


def display_text(value: Decimal | None, measure: str) -> str:
    """Right-alignable display: 2 decimals for money, thousands separators, empty for no value."""
    if value is None:
        return ""
    with localcontext() as ctx:
        ctx.prec = 60
        if measure == "cost":
            rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
            return f"{abs(rounded) if not rounded else rounded:,.2f}"
        if measure == "quantity":
            if value == value.to_integral_value():
                return f"{int(value):,}"
            return f"{value.quantize(Decimal('0.001'), rounding=ROUND_HALF_EVEN):,.3f}"
        return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_EVEN):,.4f}"


def measure_title(result: PivotResult) -> str:
    currency = result.spec.currency.upper()
    if result.spec.measure == "cost":
        return f"Cost ({currency})"
    units = result.total.units
    unit = next(iter(units)) if len(units) == 1 else None
    if result.spec.measure == "quantity":
        return f"Quantity ({unit.replace('_', ' ')})" if unit else "Quantity (mixed units)"
    if unit:
        return f"Unit cost ({currency} per {per_unit(unit)[1]})"
    return f"Unit cost ({currency} per unit; rows with mixed units are empty)"


def row_unit_note(result: PivotResult, label: str, units: frozenset[str]) -> str | None:
    """What a quantity or unit-cost row is counted in, when the title cannot say it for every row
    (``Storage: USD per gibibyte hour``); None for cost, or when one unit holds for the whole view."""
    measure = result.spec.measure
    if measure == "cost" or len(result.total.units) == 1 or not units:
        return None
    if len(units) > 1:
        ends = " … ".join(u.replace("_", " ") for u in sorted(units))
        return f"{label} mixes units ({ends}): {'its sum adds them' if measure == 'quantity' else 'no unit cost'}"
    (unit,) = units
    if measure == "quantity":
        return f"{label}: in {unit.replace('_', ' ')}"
    return f"{label}: {result.spec.currency.upper()} per {per_unit(unit)[1]}"


def to_json(result: PivotResult) -> str:
    spec = result.spec
    measure = spec.measure
    rows: list[dict[str, str]] = []

    def add(row_key: tuple[str, ...], col: str | None, cell: Cell) -> None:
        obj = dict(zip(spec.rows, row_key, strict=True))
        if col is not None and spec.cols:
            obj[spec.cols] = col
        obj[measure] = exact_text(measure_value(cell, measure))
        if measure != "cost":
            obj["unit"] = ",".join(sorted(cell.units))
        rows.append(obj)

    for row_key in result.row_keys:
        if spec.cols:
            for col in result.col_keys:
                cell = result.cells.get((row_key, col))
                if cell is not None:
                    add(row_key, col, cell)
        else:
            add(row_key, None, result.row_totals[row_key])
    doc = {
        "currency": spec.currency,
        "from": result.date_range.start.isoformat(),
        "to": result.date_range.end.isoformat(),
        "measure": measure,
        "rows": rows,
        # no value (a unit cost over mixed units) is null, never a misleading "0"
        "total": _total_text(result),
    }
    return json_text(doc)


def json_text(doc: object) -> str:
    """``doc`` as JSON (UTF-8 kept readable) in which every character that ``shown`` would escape is a
    ``\\uXXXX`` escape: the same values, and nothing a terminal would run (json.dumps already escapes
    C0 controls; C1 controls, DEL and bidi overrides would otherwise pass raw)."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if is_safe(text.replace("\n", "")):
        return text
    return "".join(ch if ch == "\n" or is_safe(ch) else f"\\u{ord(ch):04x}" for ch in text)


def _total_text(result: PivotResult) -> str | None:
    value = measure_value(result.total, result.spec.measure)
    if value is None:
        return "0" if not result.row_keys else None
    return exact_text(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> str:
    """A CSV text cell: shown (control characters escaped), and a leading quote when a spreadsheet
    would take it for a formula (OWASP CSV injection). Only for text cells, never for amounts."""
    text = shown(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def wide(result: PivotResult, *, exact: bool, text=shown) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the wide pivot, with row and column totals. ``text`` renders each text cell
    (dimension values): ``shown``, or ``csv_text`` for CSV."""
    spec = result.spec
    measure = spec.measure

    def fmt(cell: Cell | None) -> str:
        value = measure_value(cell, measure)
        return exact_text(value) if exact else display_text(value, measure)

    header = [label(d) for d in spec.rows] + [text(c) for c in result.col_keys] + ["Total"]
    body: list[list[str]] = []
    for row_key in result.row_keys:
        cells = [fmt(result.cells.get((row_key, c))) for c in result.col_keys]
        body.append([text(k) for k in row_key] + cells + [fmt(result.row_totals[row_key])])
    totals = [fmt(result.col_totals.get(c)) for c in result.col_keys]
    body.append(["Total"] + [""] * (len(spec.rows) - 1) + totals + [fmt(result.total)])
    return header, body


def to_csv(result: PivotResult, *, exact: bool = True) -> str:
    """Every amount exact, trailing zeros trimmed (``614.150708``, not a float's ``614.15070800000001``);
    ``exact=False``: the figures as shown (rounded), for the clipboard."""
    header, body = wide(result, exact=exact, text=csv_text)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _caption(result: PivotResult) -> str:
    where = f" · workspace {shown(result.spec.workspace)}" if result.spec.workspace else ""
    return f"{measure_title(result)}, {result.date_range.start}..{result.date_range.end} (UTC days){where}"


def filling_columns(result: PivotResult) -> set[str]:
    """The column keys whose days are still filling (today's bin and later), marked ``*`` as the TUI does."""
    if result.provisional_from is None or result.spec.cols not in TIME_DIMENSIONS:
        return set()
    first = bin_id(result.spec.cols, result.provisional_from)
    return {c for c in result.col_keys if c >= first}


def filling_note(result: PivotResult) -> str:
    return f"{result.provisional_from} (today, UTC) is still filling" if result.provisional_from else ""


def to_markdown(result: PivotResult) -> str:
    """The wide table as shown (rounded), with its period, workspace and the ``*`` of a filling day."""
    header, body = wide(result, exact=False)
    n_dims = len(result.spec.rows)
    filling = filling_columns(result)
    header = [*header[:n_dims], *(c + ("\\*" if c in filling else "") for c in header[n_dims:-1]), header[-1]]
    align = ["---"] * n_dims + ["---:"] * (len(header) - n_dims)
    lines = [f"**{_md(_caption(result))}**", "", _md_row(header), _md_row(align)]
    for row in body:
        if row[0] == "Total":
            row = [f"**{c}**" if c else c for c in row]
        lines.append(_md_row(row))
    if result.provisional_from is not None:
        lines += ["", ("\\* " if filling else "") + filling_note(result) + "."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("*", "\\*")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def to_tsv(result: PivotResult) -> str:
    """The wide table as shown (rounded), tab-separated: what a spreadsheet pastes into cells."""
    header, body = wide(result, exact=False)
    clean = [[c.replace("\t", " ") for c in row] for row in [header, *body]]
    return "".join("\t".join(row) + "\n" for row in clean)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Container[int] = (),
               total_row: bool = False) -> list[str]:
    """Lines of a plain-text table: columns two spaces apart, those in ``right`` right-aligned, a rule
    under the header (and above the last row when it is a total). The one table renderer of the CLI."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in rows]
    if total_row and body:
        body.insert(len(body) - 1, rule)
    return [line(header), rule, *body]


def to_table(result: PivotResult) -> str:
    """A plain-text table for a terminal: dimension columns left-aligned, numbers right-aligned."""
    header, body = wide(result, exact=False)
    n_dims = len(result.spec.rows)
    numbers = range(n_dims, len(header))
    out = [_caption(result), *text_table(header, body, right=numbers, total_row=True)]
    if result.provisional_from is not None:
        out.append(f"Days from {result.provisional_from} on are still filling (provisional).")
    return "\n".join(out) + "\n"


RENDERERS = {"json": to_json, "csv": to_csv, "markdown": to_markdown, "table": to_table}
# What the TUI copies to the clipboard: the shown figures (rounded), as a spreadsheet or a document takes them
CLIPBOARD = {"csv": lambda r: to_csv(r, exact=False), "tsv": to_tsv, "markdown": to_markdown}


# -- figures that do not fit ------------------------------------------------------------------------

_SUFFIXES = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def compact_text(text: str) -> str:
    """A shown figure in a few characters: ``10,029,273,800`` -> ``10.0B``, ``-1,234,567.89`` -> ``-1.2M``,
    ``+45,200.00`` -> ``+45.2K``; figures under 10,000, percentages and empty cells are kept as they are.
    The exact figure stays on the cursor line: this only shortens what a column shows."""
    raw = text.strip()
    sign = raw[0] if raw[:1] in ("+", "-") else ""
    digits = raw[len(sign):].replace(",", "")
    try:
        value = Decimal(digits)
    except ArithmeticError:
        return text
    if not value.is_finite() or value < 10_000:
        return text
    for n, (size, suffix) in enumerate(_SUFFIXES):
        if value >= size:
            scaled = (value / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
            if scaled >= 1000 and n:  # 999.96M rounds to 1,000.0M: that is 1.0B
                return f"{sign}1.0{_SUFFIXES[n - 1][1]}"
            return f"{sign}{scaled:,}{suffix}"
    return text  # pragma: no cover - value >= 10,000 always has a suffix


def fit_columns(texts: Sequence[Sequence[str]], titles: Sequence[str], room: int, *, gap: int = 2
                ) -> tuple[list[list[str]], list[int], set[int]]:
    """Shorten the widest columns of figures (``compact_text``) until every column fits in ``room``
    characters (each column takes its width plus ``gap``), or until nothing is left to shorten.
    Returns the texts, the column widths and the indices of the columns shortened."""
    rows = [list(r) for r in texts]
    n = len(titles)

    def width(i: int) -> int:
        return max([len(titles[i]), *(len(r[i]) for r in rows)])

    widths = [width(i) for i in range(n)]
    shortened: set[int] = set()
    for i in sorted(range(n), key=lambda i: -widths[i]):
        if sum(widths) + gap * n <= room:
            break
        compacted = [compact_text(r[i]) for r in rows]
        if all(c == r[i] for c, r in zip(compacted, rows, strict=True)):
            continue
        for r, c in zip(rows, compacted, strict=True):
            r[i] = c
        widths[i] = width(i)
        shortened.add(i)
    return rows, widths, shortened
