"""Numbers as a phone dials them. A `Dial:` URI makes the phone dial exactly what follows, so it carries
only keypad characters: digits, `*`, `#`, and `+` in front (an international number)."""

from __future__ import annotations

import re

# What people write into numbers to make them readable: "+41 (44) 123-45.67", "030/1234567".
_SEPARATORS = re.compile(r"[\s\-.()/]+")
_DIALABLE = re.compile(r"\+?[0-9*#]+")


def dialable(number: str) -> str | None:
    """`number` without its separators (white space, dashes, dots, parentheses, slashes), or None when
    nothing dialable is left, or something else is: a letter or a `+` inside the number would make the
    phone dial another number than the one shown, so such a number is not dialled at all."""
    digits = _SEPARATORS.sub("", number)
    return digits if _DIALABLE.fullmatch(digits) else None


def dial_uri(number: str) -> str | None:
    """The `Dial:` URI that calls `number`, or None when it holds nothing a phone can dial."""
    digits = dialable(number)
    return f"Dial:{digits}" if digits else None
