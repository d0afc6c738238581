"""The store: schema versions, WAL mode, one transaction per change."""

from __future__ import annotations

import sqlalchemy as sa

from phonesvc.store import Store, db
from phonesvc.store.schema import groups, metadata, schema_version


def test_new_database_gets_the_latest_schema_in_wal_mode(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    assert store.migrate() == db.LATEST
    with store.read() as conn:
        assert conn.execute(sa.select(schema_version.c.version)).scalar_one() == db.LATEST
        assert set(sa.inspect(conn).get_table_names()) == set(metadata.tables)
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert store.migrate() == db.LATEST  # again: nothing to do


def test_a_newer_database_is_not_touched(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    store.migrate()
    with store.write() as conn:
        conn.execute(schema_version.update().values(version=db.LATEST + 1))
    try:
        store.migrate()
    except RuntimeError as exc:
        assert "newer" in str(exc)
    else:
        raise AssertionError("a newer schema must stop the server")


def test_a_failing_change_leaves_nothing_behind(store):
    class Boom(Exception):
        pass

    try:
        with store.write() as conn:
            conn.execute(groups.insert().values(name="Half", name_key="half", welcome="", ring_parallel=0, number="",
                                                manager_timeout=0, assistant_timeout=0, overflow="-1",
                                                show_vip_call=1, vip_calls_routing=0, assistant_to_mng=0,
                                                show_calls=1, caller_name="", caller_number="", mng_call_alarm="",
                                                assist_call_alarm="", vip_threshold=5, mng_call_alarm_j="",
                                                assist_call_alarm_j=""))
            raise Boom
    except Boom:
        pass
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(groups)).scalar_one() == 0
