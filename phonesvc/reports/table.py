"""The shape every report has on screen and in Excel: typed columns and rows, in sections (one per group)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

TEXT, COUNT, SECONDS, MOMENT = "text", "count", "seconds", "moment"  # how a column's cells are typed


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT


@dataclass
class Section:
    title: str  # a group's name ("" for a report without sections)
    rows: Iterable[tuple] = field(default_factory=list)  # a list; the details' Excel export streams them


@dataclass
class Report:
    title: str  # Details | Call count | Call duration
    columns: list[Column]
    sections: list[Section]


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss, as the screen shows a duration."""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
