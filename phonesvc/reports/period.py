"""A report's period: a calendar month or a custom start and end, in the server's local time, and the
month list (the current month and the earlier months that have calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store.schema import call_log as cl

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value
SHOWN_FORMAT = "%d.%m.%Y %H:%M"  # the manual's 20.08.2024 00:00


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, local time
    end: datetime  # exclusive

    @property
    def since(self) -> float:
        return self.start.timestamp()

    @property
    def until(self) -> float:
        return self.end.timestamp()

    @property
    def is_month(self) -> bool:
        return month(self.start.year, self.start.month) == self

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        return f"{self.start.strftime(SHOWN_FORMAT)} – {self.end.strftime(SHOWN_FORMAT)}"

    @property
    def key(self) -> str:
        """The month as YYYY-MM (the month list's links)."""
        return f"{self.start.year:04d}-{self.start.month:02d}"


def local(naive: datetime) -> datetime:
    return naive.astimezone()  # a naive datetime is taken as local time


def month(year: int, number: int) -> Period:
    end = (year + 1, 1) if number == 12 else (year, number + 1)
    return Period(local(datetime(year, number, 1)), local(datetime(*end, 1)))


def parse_month(text: str) -> Period:
    """`YYYY-MM`; ValueError otherwise."""
    year, _, number = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(number) == 2 and number.isdigit() and 1 <= int(number) <= 12):
        raise ValueError("not a month")
    return month(int(year), int(number))


def parse_moment(text: str) -> datetime:
    """A datetime-local value (or the manual's dd.mm.yyyy hh:mm); ValueError otherwise."""
    text = text.strip()
    for fmt in (INPUT_FORMAT, SHOWN_FORMAT, "%Y-%m-%dT%H:%M:%S"):
        try:
            return local(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValueError("not a date and time")


def months_with_data(conn: Connection, now: datetime) -> list[Period]:
    """The current month and every earlier one with a call, newest first (one index probe per month)."""
    current = month(now.year, now.month)
    first = conn.execute(sa.select(sa.func.min(cl.c.started))).scalar()
    found = [current]
    if first is None:
        return found
    oldest = datetime.fromtimestamp(first).astimezone()
    year, number = current.start.year, current.start.month
    while (year, number) > (oldest.year, oldest.month):
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
        p = month(year, number)
        hit = conn.execute(sa.select(cl.c.id).where(cl.c.started >= p.since, cl.c.started < p.until).limit(1)).first()
        if hit is not None:
            found.append(p)
    return found
