"""Validation of free text, phone numbers, and file names coming from any surface.

Every name, description, message and number a surface stores (REST, phone, CLI, simulator) is one line of
printable text. Refused, always: the C0 controls (NUL, tab, line feed, carriage return among them), DEL,
the C1 controls (NEL among them), and the Unicode line and paragraph separators U+2028/U+2029 (line breaks
by another name: a title or log line would break on them just the same), plus what XML 1.0 cannot carry at
all (lone surrogates, U+FFFE, U+FFFF)."""

from __future__ import annotations

import re

CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff"  # a character class body
_CONTROL = re.compile(f"[{CONTROL}]")
_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
_FILE_NAME = re.compile(f"[^/\\\\:*?\"<>|{CONTROL}]{{1,128}}")

TEXT_MAX = 255  # descriptions and messages; names have their own, shorter limits
HOLDS_CONTROL = "holds a line break, tab or other control character"  # what is wrong, after the field's name


def has_control(value: str) -> bool:
    """True when `value` holds a character no name, description, message or number may hold."""
    return _CONTROL.search(value) is not None


def text_problem(value: str, max_len: int = TEXT_MAX) -> str | None:
    """Why `value` cannot be stored as a name, description or message (to follow the field's name in an
    error), or None when it can."""
    if has_control(value):
        return HOLDS_CONTROL
    if len(value) > max_len:
        return f"is too long ({max_len} characters at most)"
    return None


def clean_text(value: str, max_len: int = TEXT_MAX) -> str | None:
    """Free text as given (names with & < > quotes, accents, emoji), or None when it holds control
    characters or is too long."""
    return None if text_problem(value, max_len) else value


def valid_number(value: str) -> bool:
    """A dialable number: keypad characters with an optional leading '+'."""
    return bool(_NUMBER.fullmatch(value))


def valid_file_name(name: str) -> bool:
    """A bare file name that cannot leave its folder."""
    return bool(_FILE_NAME.fullmatch(name)) and name.strip() == name and not name.startswith(".")
