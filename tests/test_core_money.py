"""Exact amounts (core/money.py): parsing, the (hi, lo) storage split, exact and display formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_cost_tui.core import money
from openai_cost_tui.core.errors import BadAmount, CostToolError

E18 = 10**18

# ---------------------------------------------------------------------------------------------
# parse_exact: accepted values


@pytest.mark.parametrize(
    ("raw", "atto"),
    [
        (0, 0),
        (1, E18),
        (-3, -3 * E18),
        (10**30, 10**48),
        (Decimal("0"), 0),
        (Decimal("0.06"), 6 * 10**16),
        (Decimal("-1.5"), -15 * 10**17),
        (Decimal("1E-18"), 1),
        (Decimal("1E+3"), 1000 * E18),
        (Decimal("-0"), 0),
        ("0", 0),
        ("0.06", 6 * 10**16),
        ("-1.5", -15 * 10**17),
        ("+2.25", 225 * 10**16),
        ("1e-3", 10**15),
        ("1E-3", 10**15),
        ("2.5e2", 250 * E18),
        ("1.", E18),
        (".5", 5 * 10**17),
        ("0.0123456789012345", 12345678901234500),
        ("0.123456789012345678", 123456789012345678),
        ("-0.000000000000000001", -1),
        ("0.10000000000000000000", 10**17),  # trailing zeros past 18 places are still exact
        ("  0.06\n", 6 * 10**16),
        ("-0", 0),
        ("12345678901234567890.123456789012345678", 12345678901234567890123456789012345678),
    ],
)
def test_parse_exact_accepts(raw: object, atto: int) -> None:
    result = money.parse_exact(raw)
    assert result == atto
    assert type(result) is int


def test_parse_exact_sixteen_decimals_round_trip_exactly() -> None:
    # The API sends amounts like this; a float would lose the last digits.
    text = "0.0123456789012345"
    assert money.format_exact(money.parse_exact(text)) == text
    assert money.format_exact(money.parse_exact(Decimal(text))) == text


def test_parse_exact_string_and_decimal_agree() -> None:
    for text in ["0.06", "-1.5", "1e-3", "123.456", "0.0123456789012345", "-0.000000000000000001"]:
        assert money.parse_exact(text) == money.parse_exact(Decimal(text))


# ---------------------------------------------------------------------------------------------
# parse_exact: refusals


@pytest.mark.parametrize(
    "raw",
    [
        None,
        True,
        False,
        0.1,
        1.0,
        float("nan"),
        float("inf"),
        "abc",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "",
        " ",
        "\n",
        "1.2.3",
        "1,5",
        "1 000",
        "1_000",
        "0x10",
        "--1",
        "1e",
        "e5",
        ".",
        "-",
        "$1.00",
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        [1],
        {"value": 1},
        b"1",
        object(),
    ],
    ids=lambda raw: "object()" if type(raw) is object else repr(raw),  # the same in every xdist worker
)
def test_parse_exact_refuses(raw: object) -> None:
    with pytest.raises(BadAmount) as info:
        money.parse_exact(raw)
    assert isinstance(info.value, CostToolError)
    assert info.value.exit_code == 1
    assert "not an exact number" in str(info.value)


@pytest.mark.parametrize(
    "raw",
    [
        "0.0000000000000000001",  # 19 decimals
        "0.1234567890123456789",
        "-1.0000000000000000001",
        "1e-19",
        Decimal("1E-19"),
        Decimal("0.1234567890123456789"),
    ],
    ids=repr,
)
def test_parse_exact_refuses_more_than_18_decimals(raw: object) -> None:
    with pytest.raises(BadAmount, match="18 decimal places"):
        money.parse_exact(raw)


def test_parse_exact_refuses_19_decimals_even_on_a_large_value() -> None:
    # The finest digit must never be rounded away silently, however many digits precede it.
    raw = "1" + "0" * 70 + ".0000000000000000001"
    with pytest.raises(BadAmount):
        money.parse_exact(raw)


def test_parse_exact_float_message_says_why() -> None:
    with pytest.raises(BadAmount, match="Decimal"):
        money.parse_exact(0.1)


def test_bad_amount_names_what_and_truncates_huge_input() -> None:
    with pytest.raises(BadAmount) as info:
        money.parse_exact("x" * 10_000, what="quantity")
    message = str(info.value)
    assert "quantity" in message
    assert len(message) < 200
    assert info.value.raw == "x" * 10_000


# ---------------------------------------------------------------------------------------------
# split / join: the store keeps (hi, lo) and sums them separately in SQL

ATTO = st.integers(min_value=-(10**30), max_value=10**30)


@given(ATTO)
def test_split_join_round_trip(atto: int) -> None:
    hi, lo = money.split(atto)
    assert 0 <= lo < money.HI_UNIT
    assert money.join(hi, lo) == atto


@given(st.lists(ATTO, max_size=50))
def test_sum_of_split_parts_equals_sum_of_originals(values: list[int]) -> None:
    parts = [money.split(v) for v in values]
    hi_sum = sum(hi for hi, _ in parts)
    lo_sum = sum(lo for _, lo in parts)
    assert money.join(hi_sum, lo_sum) == sum(values)


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=16), max_size=30))
def test_split_sum_is_exact_for_api_like_amounts(amounts: list[Decimal]) -> None:
    attos = [money.parse_exact(a) for a in amounts]
    parts = [money.split(a) for a in attos]
    joined = money.join(sum(h for h, _ in parts), sum(lo for _, lo in parts))
    assert money.to_decimal(joined) == sum(amounts, Decimal(0))


@pytest.mark.parametrize(
    ("atto", "parts"),
    [
        (0, (0, 0)),
        (1, (0, 1)),
        (-1, (-1, 10**9 - 1)),
        (10**9, (1, 0)),
        (-(10**9), (-1, 0)),
        (E18 + 5, (10**9, 5)),
    ],
)
def test_split_examples(atto: int, parts: tuple[int, int]) -> None:
    assert money.split(atto) == parts


def test_join_treats_null_sums_as_zero() -> None:
    # SQL SUM over no rows is NULL.
    assert money.join(None, None) == 0
    assert money.join(3, None) == 3 * 10**9
    assert money.join(None, 7) == 7


# ---------------------------------------------------------------------------------------------
# format_exact


@pytest.mark.parametrize(
    ("atto", "text"),
    [
        (0, "0"),
        (-1, "-0.000000000000000001"),
        (1, "0.000000000000000001"),
        (-100, "-0.0000000000000001"),
        (12345678901 * 10**9, "12.345678901"),
        (E18, "1"),
        (-15 * 10**17, "-1.5"),
        (10 * E18, "10"),
        (1000 * E18, "1000"),
        (6 * 10**16, "0.06"),
        (123456789 * E18 + 1, "123456789.000000000000000001"),
    ],
)
def test_format_exact(atto: int, text: str) -> None:
    assert money.format_exact(atto) == text


@given(ATTO)
def test_format_exact_round_trips_and_has_no_trailing_zeros(atto: int) -> None:
    text = money.format_exact(atto)
    assert money.parse_exact(text) == atto
    if "." in text:
        assert not text.endswith("0")
        assert not text.endswith(".")
    assert "e" not in text.lower()
    assert "," not in text


# ---------------------------------------------------------------------------------------------
# format_display


def _atto(text: str) -> int:
    return money.parse_exact(text)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "0.00"),
        ("1234.567", "1,234.57"),
        ("1234567.891", "1,234,567.89"),
        ("-1234567.891", "-1,234,567.89"),
        ("-1.5", "-1.50"),
        ("999.999", "1,000.00"),
        # half-even: ties go to the even neighbour
        ("0.005", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.02"),
        ("0.035", "0.04"),
        ("2.675", "2.68"),  # a float would give 2.67
        ("-0.025", "-0.02"),
        ("0.0250000000000001", "0.03"),  # just above the tie
        ("0.0049999999999999", "0.00"),
    ],
)
def test_format_display(amount: str, text: str) -> None:
    assert money.format_display(_atto(amount)) == text


def test_format_display_places_and_grouping() -> None:
    atto = _atto("1234567.123456")
    assert money.format_display(atto, 4) == "1,234,567.1235"
    assert money.format_display(atto, 0) == "1,234,567"
    assert money.format_display(atto, grouping=False) == "1234567.12"
    assert money.format_display(_atto("0.00005"), 4) == "0.0000"  # half-even tie to even
    assert money.format_display(_atto("0.00015"), 4) == "0.0002"


# ---------------------------------------------------------------------------------------------
# to_decimal / ratio


def test_to_decimal_is_exact() -> None:
    assert money.to_decimal(1) == Decimal("1E-18")
    assert money.to_decimal(_atto("0.0123456789012345")) == Decimal("0.0123456789012345")
    assert str(money.to_decimal(10**40 + 1)) == "10000000000000000000000.000000000000000001"


def test_ratio() -> None:
    assert money.ratio(1, 0) is None
    assert money.ratio(0, 0) is None
    assert money.ratio(1, 4) == Decimal("0.25")
    assert money.ratio(1, 4, scale_exp=6) == Decimal("250000")
    assert money.ratio(-3, 2) == Decimal("-1.5")


def test_extreme_exponents_are_refused_not_rounded_or_expanded() -> None:
    from openai_cost_tui.core.money import BadAmount, parse_exact

    for raw in ("1e-999999999", "1e999999999", "-1E+400000"):
        with pytest.raises(BadAmount):
            parse_exact(raw, what="amount")
