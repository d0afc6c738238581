"""Engine, transactions and migrations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store import schema

log = logging.getLogger(__name__)

# Migrations from one version to the next, applied in order at start. A new database is created
# from the current schema and stamped with the latest version.
MIGRATIONS: list[Callable[[Connection], None]] = []
LATEST = 1 + len(MIGRATIONS)


class Store:
    def __init__(self, url: str):
        self.url = url
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

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction that commits on success and rolls back on any exception."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(phonesvc_write=True)
            with conn.begin():
                yield conn

    def migrate(self) -> int:
        """Bring the schema to the latest version; returns the version."""
        with self.write() as conn:
            insp = sa.inspect(conn)
            if not insp.has_table("schema_version"):
                schema.metadata.create_all(conn)
                conn.execute(schema.schema_version.insert().values(version=LATEST))
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
