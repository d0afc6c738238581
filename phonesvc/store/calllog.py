"""The call log: one row per ended call, for the reports.

`CallLogWriter` takes records from the event loop without blocking it and writes them in batches on one
background thread, in `Store.log_write()` transactions, which neither reload the configuration
snapshot nor make the phones refresh.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.calls import CallRecord
from phonesvc.store.callmembers import add_members
from phonesvc.store.db import Store
from phonesvc.store.schema import call_log as cl

log = logging.getLogger(__name__)

_STOP = object()  # queued by close(): write what came before, then end the thread

# Longest values the columns hold (PostgreSQL enforces VARCHAR lengths): longer text is cut rather than
# losing the whole batch it is written with.
_LIMITS = {c.name: c.type.length for c in cl.columns
           if isinstance(c.type, sa.String) and getattr(c.type, "length", None)}


def _check(record: CallRecord) -> None:
    bad = [n for n in record.members_rung if "," in n]
    if bad:
        raise ValueError(f"call {record.call_id}: a rung member number cannot hold a comma: {bad[0]!r}")


def _row(record: CallRecord) -> dict:
    _check(record)
    row = {
        "call_id": record.call_id, "direction": record.direction, "caller_number": record.caller_number,
        "caller_name": record.caller_name, "called_number": record.called_number, "group_id": record.group_id,
        "group_name": record.group_name, "members_rung": ",".join(record.members_rung),
        "answered_by": record.answered_by, "taken_by": record.taken_by, "vip": 1 if record.vip else 0,
        "started": record.started, "answered": record.answered, "ended": record.ended,
        "destination": record.destination,
    }
    for name, limit in _LIMITS.items():
        if len(row[name]) > limit:
            row[name] = row[name][:limit]
    return row


def record_of(row) -> CallRecord:
    return CallRecord(
        call_id=row.call_id, direction=row.direction, caller_number=row.caller_number,
        caller_name=row.caller_name, called_number=row.called_number, group_id=row.group_id,
        group_name=row.group_name, members_rung=tuple(row.members_rung.split(",")) if row.members_rung else (),
        answered_by=row.answered_by, vip=bool(row.vip), started=row.started, answered=row.answered,
        ended=row.ended, destination=row.destination, taken_by=row.taken_by)


def add_calls(conn: Connection, records: Iterable[CallRecord]) -> int:
    """Insert the records in order (one executemany) with their member rows; returns how many."""
    records = list(records)
    rows = [_row(r) for r in records]
    if rows:
        ids = conn.execute(cl.insert().returning(cl.c.id, sort_by_parameter_order=True), rows).scalars().all()
        add_members(conn, zip(ids, records, strict=True))
    return len(rows)


def list_calls(conn: Connection, since: float | None = None, until: float | None = None, group_id: int | None = None,
               number: str | None = None, limit: int | None = None) -> list[CallRecord]:
    """Calls that started in [since, until), newest first. `number` matches the caller, the called number,
    who answered, or any member rung."""
    q = sa.select(cl)
    if since is not None:
        q = q.where(cl.c.started >= since)
    if until is not None:
        q = q.where(cl.c.started < until)
    if group_id is not None:
        q = q.where(cl.c.group_id == group_id)
    if number:
        rung = (sa.literal(",") + cl.c.members_rung + sa.literal(",")).contains(f",{number},", autoescape=True)
        q = q.where(sa.or_(cl.c.caller_number == number, cl.c.called_number == number, cl.c.answered_by == number,
                           cl.c.taken_by == number, rung))
    q = q.order_by(cl.c.started.desc(), cl.c.id.desc())
    if limit is not None:
        q = q.limit(limit)
    return [record_of(r) for r in conn.execute(q)]


def highest_call_number(conn: Connection, prefix: str) -> int:
    """The highest N among the logged call ids `<prefix>N` (0: none), so that an adapter that numbers its
    calls goes on after it when the server starts again and never gives a second call the same id."""
    # Numbers without leading zeros sort as (length, text); the longest few are enough to find it.
    q = (sa.select(cl.c.call_id).where(cl.c.call_id.startswith(prefix, autoescape=True))
         .order_by(sa.func.length(cl.c.call_id).desc(), cl.c.call_id.desc()).limit(100))
    for call_id in conn.execute(q).scalars():
        digits = call_id[len(prefix):]
        if digits.isascii() and digits.isdigit() and not digits.startswith("0"):
            return int(digits)
    return 0


class CallLogWriter:
    """Writes call records on one background thread, in order. `add` never blocks; everything added
    within `interval` seconds of the first record of a batch (at most `max_batch`) goes in one transaction.
    A batch that fails to write is logged with the number of records lost, and the writer goes on."""

    def __init__(self, store: Store, interval: float = 0.05, max_batch: int = 1000):
        self.store = store
        self.interval = interval
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="call-log-writer", daemon=True)
        self._thread.start()

    def add(self, record: CallRecord) -> None:
        """Queue a record; safe from any thread, including the event loop's. A record the database could not
        hold (a rung number with a comma) raises ValueError here rather than failing its batch later."""
        _check(record)
        if self._closed:
            log.error("call log writer is closed: 1 call record lost (%s)", record.call_id)
            return
        self._queue.put(record)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything added so far is written (or, for a failed batch, given up on). Returns False
        if `timeout` seconds passed first."""
        if self._closed and not self._thread.is_alive():
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued and stop the thread. Records added afterwards are logged as lost."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("call log writer did not finish within %s s; queued call records may be lost", timeout)

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[CallRecord] = []
            waiters: list[threading.Event] = []
            item = self._queue.get()
            deadline = time.monotonic() + self.interval
            while True:
                if item is _STOP:
                    stop = True
                    break
                if isinstance(item, threading.Event):
                    waiters.append(item)
                    break  # someone waits: write now
                batch.append(item)
                if len(batch) >= self.max_batch:
                    break
                remaining = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
            for w in waiters:
                w.set()
        # What raced with close(): records are still written, flush() calls answered.
        late: list[CallRecord] = []
        waiters = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, threading.Event):
                waiters.append(item)
            elif item is not _STOP:
                late.append(item)
        if late:
            self._write(late)
        for w in waiters:
            w.set()

    def _write(self, batch: list[CallRecord]) -> None:
        try:
            with self.store.log_write() as conn:
                add_calls(conn, batch)
        except Exception:
            log.exception("call log: %d call records lost: writing them failed", len(batch))
