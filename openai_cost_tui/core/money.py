"""Exact amounts: no float anywhere between the API's JSON and a total.

An amount is held as an ``int`` of atto-units (10**-18). SQLite has no decimal type and Peewee's
DecimalField becomes REAL there, so the store keeps each amount as two integers that SQL can sum
without overflow or drift: ``hi`` in 10**-9 units and ``lo``, the remainder below that, in 10**-18
units (always ``0 <= lo < 10**9``). Summing ``hi`` and ``lo`` separately and joining the two sums is
exact for any realistic number of rows.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from .errors import BadAmount

SCALE_EXP = 18
SCALE = 10**SCALE_EXP
HI_UNIT = 10**9  # atto-units per hi unit

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def parse_exact(raw: object, *, what: str = "amount") -> int:
    """Parse a JSON amount (number already decoded as Decimal/int, or a string) to atto-units.

    Floats are refused: callers must decode JSON with ``parse_float=Decimal`` so no digit is lost.
    ``None``, booleans, NaN, infinities, text and values finer than 10**-18 raise :class:`BadAmount`.
    """
    if isinstance(raw, bool) or raw is None:
        raise BadAmount(what, raw)
    if isinstance(raw, int):
        return raw * SCALE
    if isinstance(raw, float):
        raise BadAmount(what, raw, "a float reached the exact path; decode JSON with Decimal")
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER.match(text):
            raise BadAmount(what, raw)
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise BadAmount(what, raw) from exc
    elif isinstance(raw, Decimal):
        value = raw
    else:
        raise BadAmount(what, raw)
    if not value.is_finite():
        raise BadAmount(what, raw)
    if value and value.adjusted() < -SCALE_EXP:  # 1e-999999999 is not 0: it is finer than we keep
        raise BadAmount(what, raw, "more than 18 decimal places")
    if value.adjusted() > 10**5:  # scaling 1e999999999 would exhaust memory before it overflowed
        raise BadAmount(what, raw, "out of range")
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + SCALE_EXP + 2  # enough that scaling never rounds
        ctx.Emax = max(ctx.Emax, 10**6)
        scaled = value.scaleb(SCALE_EXP)
        if scaled != scaled.to_integral_value():
            raise BadAmount(what, raw, "more than 18 decimal places")
        return int(scaled)


def split(atto: int) -> tuple[int, int]:
    """Split atto-units into (hi, lo) for storage: hi in 10**-9 units, 0 <= lo < 10**9."""
    return divmod(atto, HI_UNIT)


def join(hi: int | None, lo: int | None) -> int:
    """Join (possibly summed) hi and lo parts back into atto-units."""
    return (hi or 0) * HI_UNIT + (lo or 0)


def to_decimal(atto: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return Decimal(atto).scaleb(-SCALE_EXP)


def format_exact(atto: int) -> str:
    """The exact decimal string of an amount, without trailing zeros: ``12.3456``, ``0``, ``-1.5``."""
    sign = "-" if atto < 0 else ""
    whole, frac = divmod(abs(atto), SCALE)
    if not frac:
        return f"{sign}{whole}"
    digits = f"{frac:018d}".rstrip("0")
    return f"{sign}{whole}.{digits}"


def format_display(atto: int, places: int = 2, *, grouping: bool = True) -> str:
    """Rounded (half-even) for display, with thousands separators: ``1,234.57``."""
    with localcontext() as ctx:
        ctx.prec = 80
        value = to_decimal(atto).quantize(Decimal(1).scaleb(-places))
    if not value:
        value = abs(value)  # a tiny credit rounds to 0.00, not -0.00
    return f"{value:,.{places}f}" if grouping else f"{value:.{places}f}"


def ratio(numerator: int, denominator: int, *, scale_exp: int = 0) -> Decimal | None:
    """numerator / denominator * 10**scale_exp as a Decimal, None when the denominator is zero."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(numerator) / Decimal(denominator)).scaleb(scale_exp)


def usd(atto: int) -> str:
    """US dollars as shown everywhere: ``$12,340.00``, ``-$5.00`` (rounded half-even to cents)."""
    return ("-" if atto < 0 else "") + "$" + format_display(abs(atto))


def signed_usd(atto: int) -> str:
    """A change in dollars: ``+$12.40``, ``-$0.50``; one under a cent shows its digits (``+$0.004``)."""
    sign = "-" if atto < 0 else "+"
    text = format_display(abs(atto))
    if text == "0.00":
        text = format_display(abs(atto), 6).rstrip("0").rstrip(".")
        if text == "0":
            text = format_exact(abs(atto))
    return f"{sign}${text}"
