"""Member rules: indices, short names, roles."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

SHORT_NAME_MAX = 8
MANAGER, MEMBER = 1, 0  # gm_type values


def member_index(position: int) -> str:
    """Index shown on the status display: 1-9, then A, B, ... (position is 1-based)."""
    if position < 1:
        raise ValueError("positions start at 1")
    if position <= 9:
        return str(position)
    n = position - 10
    if n < 26:
        return chr(ord("A") + n)
    raise ValueError("no index beyond Z (35 members)")


def ascii_fold(text: str) -> str:
    """'Léonard' -> 'Leonard', 'Vlahović' -> 'Vlahovic'; letters without an ASCII form are kept."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        out.append(stripped if stripped.isascii() and stripped else ch)
    return "".join(out)


def valid_short_name(name: str) -> bool:
    return 1 <= len(name) <= SHORT_NAME_MAX and name == name.strip() and name.isprintable()


def generate_short_name(first: str, last: str, taken: Iterable[str]) -> str:
    """The GUI's short name: the first three letters of the first name ('Léonard' -> 'Leo'),
    made unique within the group by adding the last name's initial or a digit."""
    taken_keys = {t.casefold() for t in taken}
    f = "".join(ch for ch in ascii_fold(first) if ch.isalnum())
    la = "".join(ch for ch in ascii_fold(last) if ch.isalnum())
    stem = (f[:3] or la[:3] or "Mbr")
    candidates = [stem, stem + la[:1], f[:SHORT_NAME_MAX], stem + la[:2]]
    candidates += [f"{stem}{i}" for i in range(2, 100)]
    for cand in candidates:
        if cand and valid_short_name(cand) and cand.casefold() not in taken_keys:
            return cand
    raise ValueError("no free short name")  # needs > 100 members with the same first letters
