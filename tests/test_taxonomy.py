"""The line-item taxonomy of TAXONOMY.md: built-in rules, odd input, and user overrides."""

from __future__ import annotations

import subprocess
import sys

import pytest

from openai_cost_tui.core import taxonomy_rules
from openai_cost_tui.core.errors import UsageError
from openai_cost_tui.core.taxonomy import (
    DEFAULT,
    SERVICES,
    Classification,
    OverrideRule,
    Taxonomy,
    classify,
)

CHATS = "Chats and Completions"
CREDIT = -5 * 10**18

# TAXONOMY.md "Real line items": (line_item, amount, unit, service, category, subcategory, tier,
# context, model_version)
REAL = [
    ("gpt-4o-2024-08-06, input", 1, "tokens", CHATS, "gpt-4o", "input", "standard", "standard",
     "gpt-4o-2024-08-06"),
    ("gpt-4o-mini-2024-07-18, cached input", 1, "tokens", CHATS, "gpt-4o-mini", "cached input",
     "standard", "standard", "gpt-4o-mini-2024-07-18"),
    ("gpt-5.5-2026-04-23, output", 1, "tokens", CHATS, "gpt-5.5", "output", "standard", "standard",
     "gpt-5.5-2026-04-23"),
    ("gpt-5.6-terra, cache writes", 1, "tokens", CHATS, "gpt-5.6-terra", "cache writes", "standard",
     "standard", "gpt-5.6-terra"),
    ("gpt-5.4-2026-03-05, cached input, long context", 1, "tokens", CHATS, "gpt-5.4", "cached input",
     "standard", "long", "gpt-5.4-2026-03-05"),
    ("priority | gpt-5.6-sol, output, long context", 1, "tokens", CHATS, "gpt-5.6-sol", "output",
     "priority", "long", "gpt-5.6-sol"),
    ("o1-pro, output", 1, "tokens", CHATS, "o1-pro", "output", "standard", "standard", "o1-pro"),
    ("evals | gpt-4o-mini-2024-07-18, input", 1, "tokens", "Evals", "gpt-4o-mini", "input", "standard",
     "standard", "gpt-4o-mini-2024-07-18"),
    ("ft-gpt-4o-2024-08-06, input", 1, "tokens", "Fine-tuning", "ft-gpt-4o", "input", "standard",
     "standard", "ft-gpt-4o-2024-08-06"),
    ("gpt-image-1 image, output", 1, "tokens", "Images", "gpt-image-1", "image output", "standard",
     "standard", "gpt-image-1"),
    ("gpt-image-2-2026-04-21 text, input", 1, "tokens", "Images", "gpt-image-2", "text input",
     "standard", "standard", "gpt-image-2-2026-04-21"),
    ("dall-e 3, standard, 1024x1792, 1792x1024", 1, "images", "Images", "dall-e 3",
     "standard, 1024x1792, 1792x1024", "standard", "standard", "dall-e 3"),
    ("gpt-audio-mini-2025-12-15 audio, input", 1, "tokens", "Audio", "gpt-audio-mini", "audio input",
     "standard", "standard", "gpt-audio-mini-2025-12-15"),
    ("whisper", 1, "duration_seconds", "Audio", "whisper", "duration", "standard", "standard", "whisper"),
    ("text-embedding-3-small, input", 1, "tokens", "Embeddings", "text-embedding-3-small", "input",
     "standard", "standard", "text-embedding-3-small"),
    ("web search tool calls", 1, None, "Tools", "web search", "tool calls", "standard", "standard", ""),
    ("assistants api | file search", 1, None, "Assistants API", "file search", "file search", "standard",
     "standard", ""),
    ("Vector storage", 1, "gibibyte_hours", "Storage", "vector storage", "storage", "standard",
     "standard", ""),
    ("Promotional credit", CREDIT, None, "Credits", "promotional credit", "credit", "standard",
     "standard", ""),
    (None, 1, None, "Unallocated", "(none)", "(none)", "standard", "standard", ""),
    ("input_tokens", 1, None, "Other", "input_tokens", "(none)", "standard", "standard", ""),
]  # fmt: skip

# More shapes: (line_item, amount, unit, service, category, subcategory, tier, context, model_version)
MORE = [
    ("batch | gpt-4o-mini-2024-07-18, output", 1, "tokens", CHATS, "gpt-4o-mini", "output", "batch",
     "standard", "gpt-4o-mini-2024-07-18"),
    ("flex | o3-2025-04-16, input", 1, "tokens", CHATS, "o3", "input", "flex", "standard",
     "o3-2025-04-16"),
    ("scale | gpt-4.1-2025-04-14, cached input", 1, "tokens", CHATS, "gpt-4.1", "cached input", "scale",
     "standard", "gpt-4.1-2025-04-14"),
    ("batch | gpt-5.4-2026-03-05, input, long context", 1, "tokens", CHATS, "gpt-5.4", "input", "batch",
     "long", "gpt-5.4-2026-03-05"),
    ("File storage", 1, "gibibyte_hours", "Storage", "file storage", "storage", "standard", "standard",
     ""),
    ("code interpreter sessions", 1, "sessions", "Tools", "code interpreter", "sessions", "standard",
     "standard", ""),
    ("file search tool calls", 1, None, "Tools", "file search", "tool calls", "standard", "standard", ""),
    ("computer use", 1, None, "Tools", "computer use", "tool calls", "standard", "standard", ""),
    ("computer-use-preview-2025-03-11, input", 1, "tokens", CHATS, "computer-use-preview", "input",
     "standard", "standard", "computer-use-preview-2025-03-11"),
    ("ft:gpt-4o-mini:org::abc, input", 1, "tokens", "Fine-tuning", "ft:gpt-4o-mini:org::abc", "input",
     "standard", "standard", "ft:gpt-4o-mini:org::abc"),
    ("gpt-4o-mini-2024-07-18 fine-tuning training", 1, "tokens", "Fine-tuning", "gpt-4o-mini",
     "training", "standard", "standard", "gpt-4o-mini-2024-07-18"),
    ("ft-gpt-4o training, hours", 1, "hours", "Fine-tuning", "ft-gpt-4o", "training hours", "standard",
     "standard", "ft-gpt-4o"),
    ("tts-1", 1, "characters", "Audio", "tts-1", "characters", "standard", "standard", "tts-1"),
    ("gpt-4o-mini-tts, output", 1, "tokens", "Audio", "gpt-4o-mini-tts", "output", "standard",
     "standard", "gpt-4o-mini-tts"),
    ("gpt-4o-transcribe audio, input", 1, "tokens", "Audio", "gpt-4o-transcribe", "audio input",
     "standard", "standard", "gpt-4o-transcribe"),
    ("gpt-4o-realtime-preview-2024-12-17 audio, input", 1, "tokens", "Audio", "gpt-4o-realtime-preview",
     "audio input", "standard", "standard", "gpt-4o-realtime-preview-2024-12-17"),
    ("gpt-4o-audio-preview-2024-12-17 text, output", 1, "tokens", "Audio", "gpt-4o-audio-preview",
     "text output", "standard", "standard", "gpt-4o-audio-preview-2024-12-17"),
    ("chatgpt-image-latest image, output", 1, "tokens", "Images", "chatgpt-image-latest",
     "image output", "standard", "standard", "chatgpt-image-latest"),
    ("omni-moderation-latest", 1, None, "Moderations", "omni-moderation-latest", "(none)", "standard",
     "standard", "omni-moderation-latest"),
    ("gpt-oss-120b, input", 1, "tokens", CHATS, "gpt-oss-120b", "input", "standard", "standard",
     "gpt-oss-120b"),
    ("codex-mini-latest, output", 1, "tokens", CHATS, "codex-mini-latest", "output", "standard",
     "standard", "codex-mini-latest"),
    ("credit", CREDIT, None, "Credits", "credit", "credit", "standard", "standard", ""),
    ("credit", 5 * 10**18, None, "Credits", "credit", "credit reversal", "standard", "standard", ""),
    ("quantum-foo, input", 1, "tokens", "Other", "quantum-foo", "input", "standard", "standard",
     "quantum-foo"),
    ("warp | gpt-4o, input", 1, "tokens", "Other", "gpt-4o", "input", "standard", "standard", "gpt-4o"),
    ("  GPT-4o-2024-08-06 ,  Input ", 1, "tokens", CHATS, "gpt-4o", "input", "standard", "standard",
     "gpt-4o-2024-08-06"),
    ("PRIORITY|gpt-4o ,OUTPUT,  Long   Context", 1, "tokens", CHATS, "gpt-4o", "output", "priority",
     "long", "gpt-4o"),
    ("", 1, None, "Other", "(none)", "(none)", "standard", "standard", ""),
]  # fmt: skip


def _expect(row: tuple) -> tuple[str | None, int, str | None, Classification]:
    line_item, amount, unit, *values = row
    return line_item, amount, unit, Classification(*values)


@pytest.mark.parametrize("row", REAL + MORE, ids=lambda row: repr(row[0]))
def test_classifies(row: tuple) -> None:
    line_item, amount, unit, expected = _expect(row)
    assert classify(line_item, amount=amount, unit=unit) == expected


def test_services_are_the_fixed_names() -> None:
    assert SERVICES == taxonomy_rules.SERVICES and len(SERVICES) == 13
    assert {row[3] for row in REAL + MORE} == set(SERVICES)


def test_whisper_without_unit_and_unit_ignored_when_charge_named() -> None:
    assert classify("whisper").subcategory == "(none)"
    assert classify("whisper, input", unit="duration_seconds").subcategory == "input"


def test_cached_input_is_not_folded_into_input() -> None:
    assert classify("gpt-4o, cached input tokens").subcategory == "cached input"
    assert classify("gpt-4o, input tokens").subcategory == "input"
    assert classify("gpt-4o, cache write 5m").subcategory == "cache writes"


def test_snapshot_only_trailing_date_is_stripped() -> None:
    assert classify("gpt-4o-mini, input").category == "gpt-4o-mini"
    assert classify("gpt-4-0613, input").category == "gpt-4-0613"
    assert classify("gpt-4o-2024-08-06-extra, input").category == "gpt-4o-2024-08-06-extra"


def test_amount_sign_only_matters_for_credits() -> None:
    assert classify("gpt-4o, input", amount=-1) == classify("gpt-4o, input", amount=1)
    assert classify("Promotional credit").subcategory == "credit"  # amount unknown (0)


def test_classification_is_cached() -> None:
    tax = Taxonomy()
    for _ in range(1000):
        tax.classify("gpt-4o, input", amount=7, unit="tokens")
    info = tax._cached.cache_info()
    assert info.misses == 1 and info.hits == 999
    assert DEFAULT.classify(None) is DEFAULT.classify(None)


RULES = """
# my rules
[[rule]]
match = "my-custom-model*"
service = "chats and completions"
category = "custom"

[[rule]]
line_item = "web search tool calls"
service = "Assistants API"
tier = "Batch"
"""


def test_overrides_from_toml() -> None:
    tax = Taxonomy.from_toml(RULES)
    got = tax.classify("my-custom-model-2026-01-01 audio, input")
    assert got == Classification(CHATS, "custom", "audio input", "standard", "standard",
                                 "my-custom-model-2026-01-01")  # fmt: skip
    got = tax.classify("Web Search Tool Calls")
    assert (got.service, got.category, got.tier) == ("Assistants API", "web search", "batch")
    assert tax.classify("gpt-4o, input") == classify("gpt-4o, input")


def test_overrides_come_before_builtin_rules_and_first_wins() -> None:
    tax = Taxonomy([
        OverrideRule(match="gpt-4o*", service="Other"),
        OverrideRule(match="gpt-*", service="Evals"),
        OverrideRule(match="*", line_item="batch | *", context="long"),
    ])  # fmt: skip
    assert tax.classify("gpt-4o-2024-08-06, input").service == "Other"
    assert tax.classify("gpt-4o-2024-08-06, input").category == "gpt-4o"
    assert tax.classify("gpt-5, input").service == "Evals"
    assert tax.classify("batch | o3, input").context == "long"
    assert tax.classify(None).service == "Unallocated"


def test_empty_rules_file_is_the_default() -> None:
    assert Taxonomy.from_toml("").classify("o3, input") == classify("o3, input")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]\nmatch = 'x'", "not valid TOML"),
        ("[[rule]]\nmatch = 'a*'\nservice = 'Chats'\n", "rule 1 (line 1): `service` 'Chats' is not one of"),
        ("[[rule]]\nmatch='a'\nservice='Other'\n\n[[rule]]\nservice = 'Other'\n", "rule 2 (line 5): needs `match`"),
        ("[[rule]]\nmatch = 'a*'\nservce = 'Other'\n", "rule 1 (line 1): unknown key 'servce'"),
        ("[[rule]]\nmatch = 'a*'\n", "rule 1 (line 1): sets nothing"),
        ("[[rule]]\nmatch = 'a*'\ntier = 'gold'\n", "`tier` 'gold' is not one of"),
        ("[[rule]]\nmatch = 'a*'\ncontext = 'huge'\n", "`context` 'huge'"),
        ("[[rule]]\nmatch = 3\nservice = 'Other'\n", "`match` must be a string"),
        ("[[rule]]\nmatch = ''\nservice = 'Other'\n", "`match` must not be empty"),
        ("[[rules]]\nmatch = 'a*'\n", "unknown key 'rules'"),
        ("rule = 'x'\n", "must be a list of [[rule]] tables"),
    ],
)  # fmt: skip
def test_bad_rules_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        Taxonomy.from_toml(text)
    assert message in str(info.value)
    assert info.value.exit_code == 2


def test_import_pulls_in_no_ui_db_or_http() -> None:
    code = (
        "import sys, openai_cost_tui.core.taxonomy\n"
        "bad = [m for m in ('textual', 'rich', 'peewee', 'httpx') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
