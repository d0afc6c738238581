"""Plain-text tables for the terminal whose columns line up with accents, umlauts and wide characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Terminal columns of `text`: East Asian wide and fullwidth characters take two, combining marks
    (a decomposed é) and other zero-width characters none."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The head and every row as lines, each column padded to its widest cell, two spaces between."""
    widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return ["  ".join(v + " " * (w - width(v)) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]]
