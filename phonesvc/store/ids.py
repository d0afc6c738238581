"""Record ids as surfaces send them."""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str | None) -> int | None:
    """A positive id, or None for anything that cannot name a record (abc, -3, 0, 10**30)."""
    if text is None or not _ID.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if value > 0 else None
