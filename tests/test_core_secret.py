"""Admin keys (core/secret.py): a Secret never shows itself; bad keys are refused locally."""

from __future__ import annotations

import copy
import logging
import pickle
import traceback

import pytest

from openai_cost_tui.core.errors import CostToolError, UsageError
from openai_cost_tui.core.secret import MAX_KEY_LENGTH, Secret, check_admin_key

KEY = "sk-admin-CANARYx7Qd3mZ9pLw2RtYv8NbK4sHj6Gf1Ae5Uc0Oi" + "abcd"
CANARY_HEAD = KEY[:12]  # RELIABILITY.md: not even the first 12 characters may leak


def _assert_hidden(text: str) -> None:
    assert KEY not in text
    assert CANARY_HEAD not in text
    assert "CANARY" not in text


# ---------------------------------------------------------------------------------------------
# Secret never reveals its value


def test_reveal_gives_the_value() -> None:
    assert Secret(KEY).reveal() == KEY


def test_repr_str_format_are_redacted() -> None:
    s = Secret(KEY)
    for text in (
        repr(s),
        str(s),
        f"{s}",
        f"{s!r}",
        f"{s!s}",
        f"{s:>80}",
        format(s, ""),
        "%s" % s,  # noqa: UP031
        "%r" % (s,),  # noqa: UP031
        "{}".format(s),  # noqa: UP032
        repr([s]),
        str({"key": s}),
        repr((s, s)),
    ):
        _assert_hidden(text)
        assert "*" in text


def test_pickle_and_copy_refused() -> None:
    s = Secret(KEY)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError) as info:
            pickle.dumps(s, protocol=protocol)
        _assert_hidden(str(info.value))
    with pytest.raises(TypeError):
        pickle.dumps({"nested": [s]})
    with pytest.raises(TypeError):
        copy.copy(s)


def test_immutable_and_no_dict() -> None:
    s = Secret(KEY)
    with pytest.raises(AttributeError):
        s._value = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(s, "__dict__")
    assert s.reveal() == KEY


def test_equality_and_hash() -> None:
    assert Secret(KEY) == Secret(KEY)
    assert Secret(KEY) != Secret(KEY + "x")
    assert Secret(KEY) != KEY
    assert hash(Secret(KEY)) == hash(Secret(KEY))
    assert len({Secret(KEY), Secret(KEY)}) == 1


def test_logging_and_traceback_locals_do_not_leak(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret(KEY)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test.secret").debug("using key %s / %r", s, s)
    _assert_hidden(caplog.text)

    def fail(secret: Secret) -> None:
        raise RuntimeError("boom")

    try:
        fail(s)
    except RuntimeError as exc:
        rendered = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    _assert_hidden(rendered)
    assert "secret = Secret('********')" in rendered


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("sk-admin-aaaaaaaaaaaaaaaaaaaaabcd", "sk-admin-...abcd"),
        (KEY, "sk-admin-...abcd"),
        ("sk-proj-0123456789abcdefWXYZ", "sk-...WXYZ"),
        ("short", "****"),
        ("sk-admin-1234567", "****"),  # 16 characters: too short to show any of it
        ("", "****"),
    ],
)
def test_masked(value: str, masked: str) -> None:
    assert Secret(value).masked == masked


def test_masked_never_shows_enough_to_use() -> None:
    masked = Secret(KEY).masked
    assert masked == "sk-admin-...abcd"
    _assert_hidden(masked)
    assert len(masked.replace("sk-admin-...", "")) == 4


# ---------------------------------------------------------------------------------------------
# check_admin_key


@pytest.mark.parametrize(
    "raw",
    [KEY, "  " + KEY + "\n", "\t" + KEY, KEY + "\r\n", "sk-admin-" + "A" * 150],
    ids=["plain", "padded", "tab", "crlf", "long-plausible"],
)
def test_accepts_plausible_admin_key(raw: str) -> None:
    secret = check_admin_key(raw)
    assert isinstance(secret, Secret)
    assert secret.reveal() == raw.strip()


def test_accepts_key_at_max_length() -> None:
    raw = "sk-admin-" + "a" * (MAX_KEY_LENGTH - len("sk-admin-"))
    assert check_admin_key(raw).reveal() == raw


BAD_KEYS = {
    "none": None,
    "empty": "",
    "space": " ",
    "whitespace": " \t\n\r ",
    "inner-space": "sk-admin-CANARYabc def1234567890",
    "inner-newline": "sk-admin-CANARYabc\ndef1234567890",
    "inner-tab": "sk-admin-CANARYabc\tdef1234567890",
    "inner-nbsp": "sk-admin-CANARYabc\u00a0def1234567890",
    "two-keys": KEY + "\n" + KEY,
    "non-ascii": "sk-admin-CANARYé1234567890abcdef",
    "non-ascii-lookalike": "sk-аdmin-CANARY1234567890abcdef",  # Cyrillic a
    "emoji": "sk-admin-CANARY🔑1234567890abcdef",
    "nul": "sk-admin-CANARY\x001234567890abcdef",
    "escape": "sk-admin-CANARY\x1b[31m1234567890",
    "10kB": "sk-admin-CANARY" + "x" * 10_240,
    "too-long": "sk-admin-CANARY" + "x" * MAX_KEY_LENGTH,
    "project": "sk-proj-CANARY1234567890abcdefghijklmnop",
    "svcacct": "sk-svcacct-CANARY1234567890abcdefghijklmnop",
    "legacy-user": "sk-CANARY1234567890abcdefghijklmnopqrstuvwx",
    "random-text": "hello CANARY world",
    "random-token": "CANARYxyzxyzxyzxyzxyzxyz",
    "bearer": "Bearer sk-admin-CANARY1234567890",
    "quoted": '"sk-admin-CANARY1234567890abcdef"',
    "upper-prefix": "SK-ADMIN-CANARY1234567890abcdef",
}


@pytest.mark.parametrize("raw", list(BAD_KEYS.values()), ids=list(BAD_KEYS))
def test_refuses_bad_keys_without_echoing_them(raw: str | None) -> None:
    with pytest.raises(UsageError) as info:
        check_admin_key(raw)
    err = info.value
    assert isinstance(err, CostToolError)
    assert err.exit_code == 2
    assert err.message
    for text in (str(err), repr(err), err.message, err.title, *map(str, err.args)):
        assert "CANARY" not in text
        if raw and raw.strip():
            assert raw.strip() not in text
            assert raw.strip()[:12] not in text


@pytest.mark.parametrize("raw", [BAD_KEYS["project"], BAD_KEYS["svcacct"]], ids=["proj", "svcacct"])
def test_project_key_message_explains(raw: str) -> None:
    with pytest.raises(UsageError) as info:
        check_admin_key(raw)
    message = str(info.value)
    assert "project key" in message
    assert "Admin key" in message
    assert "sk-admin-" in message


def test_messages_are_specific() -> None:
    with pytest.raises(UsageError, match="empty"):
        check_admin_key("   ")
    with pytest.raises(UsageError, match="characters long"):
        check_admin_key(BAD_KEYS["10kB"])
    with pytest.raises(UsageError, match="spaces or line breaks"):
        check_admin_key(BAD_KEYS["inner-newline"])
    with pytest.raises(UsageError, match="characters an OpenAI key never has"):
        check_admin_key(BAD_KEYS["non-ascii"])
    with pytest.raises(UsageError, match="not an Admin key"):
        check_admin_key(BAD_KEYS["random-token"])
    with pytest.raises(UsageError, match="only 19 characters long"):  # it does start with sk-admin-
        check_admin_key("sk-admin-test123456")
