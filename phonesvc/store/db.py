"""Engine, transactions and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store import journal, schema
from phonesvc.store.callmembers import backfill_members
from phonesvc.store.snapshot import Snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")


class MissingDatabase(LookupError):
    """The database a command was pointed at does not exist (or holds no phonesvc schema)."""


def shown_url(url: str) -> str:
    """The database URL as it may be printed: any password replaced by ***."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def database_exists(url: str) -> bool:
    """Whether `url` holds a phonesvc schema, found without creating anything: for SQLite the file must
    exist, for a server database (PostgreSQL) the schema_version table."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if not path or path == ":memory:" or not Path(path).is_file():
            return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table("schema_version")
    finally:
        engine.dispose()


def _v2_device_registry(conn: Connection) -> None:
    for column, ddl in (("display", "VARCHAR(64) NOT NULL DEFAULT ''"), ("address", "VARCHAR(64) NOT NULL DEFAULT ''"),
                        ("last_seen", "FLOAT NOT NULL DEFAULT 0")):
        conn.exec_driver_sql(f"ALTER TABLE devices ADD COLUMN {column} {ddl}")


# Migrations from one version to the next, applied in order at start (MIGRATIONS[0] takes version 1
# to 2). A new database is created from the current schema and stamped with the latest version.
def _v3_diversion_log(conn: Connection) -> None:
    schema.diversion_log.create(conn)


def _v4_call_log(conn: Connection) -> None:
    schema.call_log.create(conn)


def _v5_config_version(conn: Connection) -> None:
    schema.config_version.create(conn)
    conn.execute(schema.config_version.insert().values(n=0))


def _v6_call_taken_by(conn: Connection) -> None:
    if "taken_by" in {c["name"] for c in sa.inspect(conn).get_columns("call_log")}:
        return  # call_log was just created (from version 3) with the column
    conn.exec_driver_sql("ALTER TABLE call_log ADD COLUMN taken_by VARCHAR(32) NOT NULL DEFAULT ''")
    conn.exec_driver_sql("UPDATE call_log SET taken_by = answered_by")  # before: no transfer changed answered_by


def _v7_call_log_by_group(conn: Connection) -> None:
    # checkfirst: a database that was at version 3 got the index with the call_log table just now
    next(i for i in schema.call_log.indexes if i.name == "ix_call_log_group_started").create(conn, checkfirst=True)


def _v8_change_journal(conn: Connection) -> None:
    if "pruned" not in {c["name"] for c in sa.inspect(conn).get_columns("config_version")}:  # v5 made it new
        conn.exec_driver_sql("ALTER TABLE config_version ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0")
    schema.config_changes.create(conn)
    journal.create_triggers(conn, tuple(sa.inspect(conn).get_table_names()))  # later versions add their own
    # nothing before this write is in the journal: a process that saw less loads everything
    conn.execute(schema.config_version.update().values(pruned=schema.config_version.c.n))


def _v9_app_settings(conn: Connection) -> None:
    schema.app_settings.create(conn)
    journal.create_triggers(conn, ("app_settings",))
    # the snapshot keeps VIP numbers by their id now (a manager's list by an index): the journal notes ids
    journal.drop_triggers(conn, ("vip_numbers",))
    journal.create_triggers(conn, ("vip_numbers",))
    conn.execute(schema.config_version.update().values(pruned=schema.config_version.c.n))  # older entries: member ids


def _v10_diversion_reports(conn: Connection) -> None:
    if "source" not in {c["name"] for c in sa.inspect(conn).get_columns("diversion_log")}:  # v3 made it new
        conn.exec_driver_sql("ALTER TABLE diversion_log ADD COLUMN source VARCHAR(100) NOT NULL DEFAULT ''")
    schema.callhandler_log.create(conn)


def _v11_call_members(conn: Connection) -> None:
    schema.call_members.create(conn)
    backfill_members(conn)


MIGRATIONS: list[Callable[[Connection], None]] = [_v2_device_registry, _v3_diversion_log, _v4_call_log,
                                                  _v5_config_version, _v6_call_taken_by, _v7_call_log_by_group,
                                                  _v8_change_journal, _v9_app_settings, _v10_diversion_reports,
                                                  _v11_call_members]
LATEST = 1 + len(MIGRATIONS)


@dataclass(frozen=True)
class _Seen:
    """The snapshot this process holds, and when it was last found current."""

    generation: int  # Store.generation when it was read
    checked: float  # time.monotonic()
    version: int  # the configuration number it shows (config_version.n)
    snapshot: Snapshot


class Store:
    def __init__(self, url: str):
        self.url = url
        self.generation = 0  # writes committed by this process
        self._commits = itertools.count(1)  # next() is atomic: writes commit on several threads
        # called after every committed write, on its thread; and when snapshot() finds another process wrote
        self.on_commit: list[Callable[[], None]] = []
        self.max_age = 5.0
        self._seen: _Seen | None = None
        self._catching_up = threading.Lock()  # one thread brings the snapshot forward, the others wait for it
        # SQLite lets one writer in at a time and makes the others sleep and retry (1, 2, 5 ... ms); writers of
        # this process queue here instead and go in the moment the previous one commits.
        self._writing = threading.RLock()
        self._writer: ThreadPoolExecutor | None = None
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = sa.engine.make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True)

    def snapshot(self) -> Snapshot:
        """The configuration in memory. Brought forward after this process wrote, and at most `max_age`
        seconds old otherwise, so changes by another process (the `phonesvc users` CLI) arrive too. Only
        what the change journal names is read again; everything when the journal cannot tell."""
        seen = self._seen
        if self._current(seen):
            return seen.snapshot
        with self._catching_up:
            seen, generation = self._seen, self.generation  # before reading: a later commit reads again
            if self._current(seen):
                return seen.snapshot
            with self.read() as conn:
                version, changes = journal.changes_since(conn, seen.version if seen else None)
                if seen is None or changes is None:
                    snap = Snapshot.load(conn)
                else:
                    snap = seen.snapshot.advance(conn, changes) if changes else seen.snapshot
            self._seen = _Seen(generation, time.monotonic(), version, snap)
        # we did not write, yet the configuration moved: tell the same listeners as after our own writes
        if seen is not None and seen.generation == generation and version != seen.version:
            for hook in list(self.on_commit):
                hook()
        return snap

    def _current(self, seen: _Seen | None) -> bool:
        return (seen is not None and seen.generation == self.generation
                and time.monotonic() - seen.checked <= self.max_age)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One configuration change: a transaction that commits on success and rolls back on any exception.
        What it changes lands in the change journal (store/journal.py)."""
        with self._transaction() as conn:
            journal.begin_write(conn)
            yield conn
        self.generation = next(self._commits)  # committed: the next snapshot() reads the journal
        for hook in list(self.on_commit):
            hook()

    async def in_writer(self, fn: Callable[..., T], *args) -> T:
        """Run `fn` (which writes) on the writer thread, from the event loop. Writes wait for each other anyway
        (one writer at a time): one thread for them all keeps them from fighting over the lock and the GIL
        with the loop that answers the phones."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="phonesvc-writer")
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn, *args)

    @contextmanager
    def log_write(self) -> Iterator[Connection]:
        """A write() for records that are not configuration (the call log): one transaction that commits on
        success and rolls back on any exception, but the snapshot stays and no on_commit hook runs, so
        phones and the snapshot do not reload for it."""
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._writing if self.is_sqlite else contextlib.nullcontext(), self.engine.connect() as conn:
            conn = conn.execution_options(phonesvc_write=True)
            with conn.begin():
                yield conn

    def migrate(self) -> int:
        """Bring the schema to the latest version; returns the version."""
        with self._transaction() as conn:
            insp = sa.inspect(conn)
            if not insp.has_table("schema_version"):
                schema.metadata.create_all(conn)
                journal.create_triggers(conn)
                conn.execute(schema.schema_version.insert().values(version=LATEST))
                conn.execute(schema.config_version.insert().values(n=0))
                log.info("created database schema version %d", LATEST)
                return LATEST
            version = conn.execute(sa.select(schema.schema_version.c.version)).scalar_one()
            if version > LATEST:
                raise RuntimeError(f"database schema {version} is newer than this phonesvc ({LATEST})")
            for step in range(version, LATEST):
                MIGRATIONS[step - 1](conn)
                log.info("migrated database schema to version %d", step + 1)
            conn.execute(schema.schema_version.update().values(version=LATEST))
            return LATEST

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.shutdown()
            self._writer = None  # a store used again (tests restart an app on it) gets a new one
        self.engine.dispose()


def _sqlite_connect(dbapi_conn, _record) -> None:
    # Take transactions out of the driver's hands so that writers can BEGIN IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front, so it never fails half-way on a lock upgrade.
    immediate = conn.get_execution_options().get("phonesvc_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
