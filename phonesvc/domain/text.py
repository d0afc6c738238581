"""Validation of free text, phone numbers, and file names coming from any surface."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f:*?\"<>|]{1,128}")


def clean_text(value: str, max_len: int) -> str | None:
    """Free text as given (names with & < > quotes, accents, emoji), or None when it holds
    control characters XML cannot carry, or is too long."""
    if len(value) > max_len:
        return None
    if any((ord(c) < 32 and c not in "\t\n\r") or 0xFFFE <= ord(c) <= 0xFFFF or 0xD800 <= ord(c) <= 0xDFFF
           or ord(c) == 0x7F for c in value):
        return None
    return value


def valid_number(value: str) -> bool:
    """A dialable number: keypad characters with an optional leading '+'."""
    return bool(_NUMBER.fullmatch(value))


def valid_file_name(name: str) -> bool:
    """A bare file name that cannot leave its folder."""
    return bool(_FILE_NAME.fullmatch(name)) and name.strip() == name and not name.startswith(".")
