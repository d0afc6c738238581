"""The change journal: which parts of the configuration snapshot each write touched.

Every configuration write takes the next number of config_version first (that row lock also puts
PostgreSQL writers in line). Database triggers on every table the snapshot reads then note, for each row
inserted, updated or deleted, the snapshot keys it belongs to (store/snapshot.py PARTS) under that number
in config_changes. Triggers see every change in one place, whatever wrote it (a store function, a
cascade, the CLI in another process, another node), so the store functions know nothing of the journal.

A reader that last saw number v asks for the changes after v and re-reads only those keys. Old entries
are pruned; `pruned` tells the highest number whose entries may be gone, and a reader behind it (or
with no snapshot yet) loads everything."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store.schema import config_changes, config_version
from phonesvc.store.snapshot import PARTS

KEEP = 20_000  # numbers kept in the journal: a node polling every 5 s stays on it at 4,000 writes/s
PRUNE_EVERY = 500  # writes between two prunings
MOST_KEYS = 2_000  # a change touching more keys than this is read as a full reload

# table -> [(part, key column)] recorded by its trigger
_RECORDED: dict[str, list[tuple[str, str]]] = defaultdict(list)
for _part in PARTS:
    _RECORDED[_part.table.name].append((_part.name, _part.key))


# Built once: every write runs them, and SQLAlchemy remembers a statement object's compiled form.
_NEXT = config_version.update().values(n=config_version.c.n + 1).returning(config_version.c.n)
_CURRENT = sa.select(config_version.c.n, config_version.c.pruned)
_CHANGES = (sa.select(config_changes.c.part, config_changes.c.key)
            .where(config_changes.c.version > sa.bindparam("seen"), config_changes.c.version <= sa.bindparam("n"))
            .limit(MOST_KEYS + 1))


def begin_write(conn: Connection) -> int:
    """Take the next configuration number for this transaction (before it changes anything, so that the
    triggers file its changes under it); now and then drop entries no reader needs."""
    n = conn.execute(_NEXT).scalar_one()
    if n % PRUNE_EVERY == 0 and n > KEEP:
        conn.execute(config_changes.delete().where(config_changes.c.version <= n - KEEP))
        conn.execute(config_version.update().values(pruned=n - KEEP))
    return n


def changes_since(conn: Connection, seen: int | None) -> tuple[int, dict[str, set[str]] | None]:
    """The current configuration number and what changed after `seen`: part name -> keys (as text), or
    None when the journal cannot tell (nothing seen yet, pruned past it, too much changed)."""
    n, pruned = conn.execute(_CURRENT).one()
    if seen is None or not pruned <= seen <= n:  # seen > n: the database was replaced
        return n, None
    changes: dict[str, set[str]] = defaultdict(set)
    if n > seen:
        rows = conn.execute(_CHANGES, {"seen": seen, "n": n}).all()
        if len(rows) > MOST_KEYS:
            return n, None
        for part, key in rows:
            changes[part].add(key)
    return n, changes


def create_triggers(conn: Connection, tables: tuple[str, ...] | None = None) -> None:
    """The triggers that fill the journal (on `tables`, by default every table the snapshot reads), in the
    database's own dialect."""
    quote = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_FUNCTION)
    for table, recorded in _RECORDED.items():
        if tables is not None and table not in tables:
            continue
        if conn.dialect.name == "postgresql":
            args = ", ".join(f"'{a}'" for pair in recorded for a in pair)
            conn.exec_driver_sql(
                f"CREATE TRIGGER config_changes_{table} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
                f"FOR EACH ROW EXECUTE PROCEDURE config_changes_record({args})")
            continue
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            # UNION, not UNION ALL: an update that keeps a key notes it once
            select = " UNION ".join(f"SELECT n, '{part}', {row}.{quote(column)} FROM config_version"
                                    for part, column in recorded for row in rows)
            conn.exec_driver_sql(
                f"CREATE TRIGGER config_changes_{table}_{op.lower()} AFTER {op} ON {quote(table)} "
                f"BEGIN INSERT INTO config_changes (version, part, key) {select}; END")


def drop_triggers(conn: Connection, tables: tuple[str, ...]) -> None:
    """Drop the journal's triggers on `tables` (before creating them again with other parts or keys)."""
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS config_changes_{table} ON {quote(table)}")
            continue
        for op in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS config_changes_{table}_{op}")


# Arguments: pairs of (part, key column). ->> reads a column named at run time from the row as JSON.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION config_changes_record() RETURNS trigger AS $$
DECLARE
    v integer;
    i integer;
BEGIN
    SELECT n INTO v FROM config_version;
    FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO config_changes (version, part, key)
                VALUES (v, TG_ARGV[2 * i], to_jsonb(OLD) ->> TG_ARGV[2 * i + 1]);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO config_changes (version, part, key)
                VALUES (v, TG_ARGV[2 * i], to_jsonb(NEW) ->> TG_ARGV[2 * i + 1]);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
