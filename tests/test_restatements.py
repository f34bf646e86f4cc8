"""Restatements: what a re-sync changed in stored days, and how it reads."""

from __future__ import annotations

from datetime import date

from openai_cost_tui.core.money import parse_exact as usd
from openai_cost_tui.core.restatements import Restatement, by_day, describe, diff, signed_dollars

D25, D26 = date(2026, 11, 25), date(2026, 11, 26)
OLD = {
    (D26, "Chats and Completions"): usd("100.00"),
    (D26, "Embeddings"): usd("5.00"),
    (D25, "Images"): usd("7.00"),
}
NEW = {
    (D26, "Chats and Completions"): usd("112.40"),
    (D26, "Embeddings"): usd("5.00"),  # unchanged: not listed
    (D26, "Audio"): usd("1.00"),  # new on that day
}  # Images on D25 is gone


def test_diff_lists_every_change_by_day_then_size() -> None:
    changes = diff(OLD, NEW, dimension="service")
    assert [(c.day, c.value, c.old, c.new, c.delta) for c in changes] == [
        (D25, "Images", usd("7"), 0, -usd("7")),
        (D26, "Chats and Completions", usd("100"), usd("112.40"), usd("12.40")),
        (D26, "Audio", 0, usd("1"), usd("1")),
    ]
    assert {c.dimension for c in changes} == {"service"}


def test_tolerance_hides_dust() -> None:
    old = {(D26, "Audio"): usd("1.0000001")}
    new = {(D26, "Audio"): usd("1.0000002")}
    assert diff(old, new, dimension="service", tolerance=usd("0.000001")) == []
    assert len(diff(old, new, dimension="service")) == 1
    assert diff(OLD, OLD, dimension="service") == []


def test_sentences() -> None:
    cc = Restatement(D26, "service", "Chats and Completions", usd("100"), usd("112.40"))
    assert describe(cc) == "2026-11-26: Chats and Completions revised +$12.40"
    assert (
        describe(cc, today=date(2026, 11, 27))
        == "yesterday (2026-11-26): Chats and Completions revised +$12.40"
    )
    assert describe(cc, today=date(2026, 11, 28)) == "2026-11-26: Chats and Completions revised +$12.40"
    down = Restatement(D25, "project", "Support Bot", usd("1234.50"), usd("0"))
    assert describe(down) == "2026-11-25: Support Bot revised -$1,234.50"


def test_signed_dollars_keeps_small_moves_visible() -> None:
    assert signed_dollars(usd("12.4")) == "+$12.40"
    assert signed_dollars(-usd("0.5")) == "-$0.50"
    assert signed_dollars(usd("0.000012")) == "+$0.000012"
    assert signed_dollars(usd("0.004")) == "+$0.004"
    assert signed_dollars(usd("0.0000000003")) == "+$0.0000000003"


def test_net_revision_per_day() -> None:
    assert by_day(diff(OLD, NEW, dimension="service")) == {D25: -usd("7"), D26: usd("13.40")}
