"""What the phone status display shows: plain values, no I/O (manual, "Phone status display").

A `Grid` is the group name, one `Tile` per member in member order, and the formatted "Show call
information" lines. `layout` picks the rows and columns of a model's grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phonesvc.domain.linestate import LineState
from phonesvc.domain.presence import Presence

# "" no symbol; "in"/"out" an incoming/outgoing call (ringing or active), "_ext" when external;
# "fwd:<index>" forwarding to the member with that index, "fwd" forwarding to a non-member.
CALL_SYMBOLS = ("", "in", "out", "in_ext", "out_ext", "fwd")
_SYMBOL = re.compile(r"(?:in|out|in_ext|out_ext|fwd|fwd:[1-9A-Z])?")
_INDEX = re.compile(r"[1-9A-Z]")


@dataclass(frozen=True)
class Tile:
    index: str  # member_index(position): "1"-"9", then "A", "B", ...
    short_name: str
    manager: bool
    presence: Presence
    line_state: LineState
    symbol: str = ""

    def __post_init__(self) -> None:
        if not _INDEX.fullmatch(self.index):
            raise ValueError(f"tile index {self.index!r} is not 1-9 or A-Z")
        if not _SYMBOL.fullmatch(self.symbol):
            raise ValueError(f"unknown call-state symbol {self.symbol!r}")

    @property
    def forward_to(self) -> str | None:
        """The destination member's index ('' for a non-member), None when not forwarding."""
        if self.symbol == "fwd":
            return ""
        if self.symbol.startswith("fwd:"):
            return self.symbol[4:]
        return None

    @property
    def external(self) -> bool:
        return self.symbol.endswith("_ext")


@dataclass(frozen=True)
class Grid:
    title: str  # the group name
    tiles: tuple[Tile, ...]  # every member in member order; those beyond the model's limit are not drawn
    calls: tuple[str, ...] = ()  # "Show call information": calls ringing for members, already formatted


def layout(n_tiles: int, rows_max: int, cols_max: int) -> tuple[int, int]:
    """(rows, columns) for n tiles within the limits, with the widest tiles: the fewest columns that
    hold them (members beyond rows_max * cols_max are not shown), then the fewest rows for those
    columns. (0, 0) when there is nothing to show."""
    if rows_max < 1 or cols_max < 1:
        raise ValueError("a grid has at least one row and one column")
    n = min(max(n_tiles, 0), rows_max * cols_max)
    if n == 0:
        return 0, 0
    cols = -(-n // rows_max)
    rows = -(-n // cols)
    return rows, cols
