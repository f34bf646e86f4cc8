"""The built-in line-item rules of TAXONOMY.md, as data.

Patterns are globs (``*`` any text, ``?`` one character), matched case-insensitively against the
whole text after whitespace is collapsed. Within each table the first match wins, so more specific
rows come first.
"""

from __future__ import annotations

CHATS = "Chats and Completions"
EMBEDDINGS = "Embeddings"
IMAGES = "Images"
AUDIO = "Audio"
MODERATIONS = "Moderations"
FINE_TUNING = "Fine-tuning"
EVALS = "Evals"
ASSISTANTS = "Assistants API"
TOOLS = "Tools"
STORAGE = "Storage"
CREDITS = "Credits"
UNALLOCATED = "Unallocated"
OTHER = "Other"

SERVICES: tuple[str, ...] = (
    CHATS,
    EMBEDDINGS,
    IMAGES,
    AUDIO,
    MODERATIONS,
    FINE_TUNING,
    EVALS,
    ASSISTANTS,
    TOOLS,
    STORAGE,
    CREDITS,
    UNALLOCATED,
    OTHER,
)

STANDARD = "standard"
TIERS: tuple[str, ...] = (STANDARD, "priority", "batch", "flex", "scale")
LONG = "long"
CONTEXTS: tuple[str, ...] = (STANDARD, LONG)
LONG_CONTEXT = "long context"  # the last comma part that sets context = long

# Words before " | ": (surface, effect, value). "tier" sets the tier; "service" sets the service;
# "product" sets the service and reads an unknown rest as a product name, not a model.
SURFACES: tuple[tuple[str, str, str], ...] = (
    ("priority", "tier", "priority"),
    ("batch", "tier", "batch"),
    ("flex", "tier", "flex"),
    ("scale", "tier", "scale"),
    ("evals", "service", EVALS),
    ("assistants api", "product", ASSISTANTS),
)

# Whole heads that name a product, tried before models: (glob, service, category, subcategory).
# category None keeps the head itself; subcategory is used when the line item names no charge.
PRODUCTS: tuple[tuple[str, str, str | None, str], ...] = (
    ("web search tool call*", TOOLS, "web search", "tool calls"),
    ("file search tool call*", TOOLS, "file search", "tool calls"),
    ("code interpreter session*", TOOLS, "code interpreter", "sessions"),
    ("computer use tool call*", TOOLS, "computer use", "tool calls"),
    ("computer use", TOOLS, "computer use", "tool calls"),
    ("vector storage*", STORAGE, "vector storage", "storage"),
    ("file storage*", STORAGE, "file storage", "storage"),
    ("credit", CREDITS, None, "credit"),
    ("credits", CREDITS, None, "credit"),
    ("* credit", CREDITS, None, "credit"),
    ("* credits", CREDITS, None, "credit"),
)
# A "credit" line item with a positive amount takes back a credit: still Credits, so the service
# total nets out, but with its own subcategory.
CREDIT_REVERSAL = "credit reversal"

# Trailing words of a model head: (words, subcategory prefix, service or None). Modalities first.
HEAD_SUFFIXES: tuple[tuple[str, str, str | None], ...] = (
    ("image", "image", None),
    ("text", "text", None),
    ("audio", "audio", None),
    ("fine-tuning training", "training", FINE_TUNING),
    ("fine tuning training", "training", FINE_TUNING),
    ("fine-tuning", "training", FINE_TUNING),
    ("training", "training", FINE_TUNING),
)

# Service by model family, tried on the model (surface, charge and suffix removed).
MODEL_FAMILIES: tuple[tuple[str, str], ...] = (
    ("ft-*", FINE_TUNING),
    ("ft:*", FINE_TUNING),
    ("gpt-image-*", IMAGES),
    ("chatgpt-image-*", IMAGES),
    ("dall-e*", IMAGES),
    ("whisper*", AUDIO),
    ("tts-*", AUDIO),
    ("*-tts*", AUDIO),
    ("*-transcribe*", AUDIO),
    ("gpt-audio*", AUDIO),
    ("*audio-preview*", AUDIO),
    ("*realtime*", AUDIO),
    ("omni-moderation*", MODERATIONS),
    ("text-moderation*", MODERATIONS),
    ("text-embedding-*", EMBEDDINGS),
    ("gpt-*", CHATS),  # also gpt-oss*
    ("o1*", CHATS),
    ("o3*", CHATS),
    ("o4*", CHATS),
    ("chatgpt-*", CHATS),
    ("codex-*", CHATS),
    ("computer-use-*", CHATS),
    ("davinci*", CHATS),
    ("babbage*", CHATS),
)

# Charge spellings folded to one name: (glob, charge). "cached input" before "input".
CHARGES: tuple[tuple[str, str], ...] = (
    ("cached input tokens", "cached input"),
    ("cached input", "cached input"),
    ("cache read*", "cached input"),
    ("cache write*", "cache writes"),
    ("input tokens", "input"),
    ("output tokens", "output"),
)

# Subcategory of a line item that names no charge, by quantity unit.
UNITS: tuple[tuple[str, str], ...] = (
    ("duration_seconds", "duration"),
    ("seconds", "duration"),
    ("minutes", "duration"),
    ("characters", "characters"),
    ("images", "images"),
    ("gibibyte_hours", "storage"),
    ("sessions", "sessions"),
)
