"""The store: schema versions, WAL mode, one transaction per change."""

from __future__ import annotations

import sqlalchemy as sa

from phonesvc.domain.errors import Missing, Rejected
from phonesvc.store import Store, db, demo, members
from phonesvc.store.schema import groups, metadata, schema_version
from tests.conftest import drop_change_journal, undo_versions_10_11


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


def test_a_version_1_database_is_migrated_with_its_data(tmp_path):
    """Version 1 had no device registry columns and no diversion log; migrating keeps users and devices."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    store.migrate()
    with store.log_write() as conn:  # no config_version bump: this takes the database back to version 1
        conn.exec_driver_sql("INSERT INTO users (user_name, user_key) VALUES ('Tijana.Vlahovic', 'tijana.vlahovic')")
        conn.exec_driver_sql("INSERT INTO devices (name, user_id, model) VALUES ('SEP000000001047', 1, 'CP-8865')")
        for column in ("display", "address", "last_seen"):  # what version 2 added
            conn.exec_driver_sql(f"ALTER TABLE devices DROP COLUMN {column}")
        undo_versions_10_11(conn)
        conn.exec_driver_sql("DROP TABLE diversion_log")  # what version 3 added
        conn.exec_driver_sql("DROP TABLE call_log")  # what version 4 added
        conn.exec_driver_sql("DROP TABLE app_settings")  # what version 9 added
        drop_change_journal(conn)  # what version 8 added
        conn.exec_driver_sql("DROP TABLE config_version")  # what version 5 added
        conn.execute(schema_version.update().values(version=1))
    store.dispose()

    store = Store(url)
    assert store.migrate() == db.LATEST == 11
    with store.read() as conn:
        row = conn.exec_driver_sql("SELECT name, model, display, address, last_seen FROM devices").one()
        assert tuple(row) == ("SEP000000001047", "CP-8865", "", "", 0)
        assert conn.execute(sa.select(schema_version.c.version)).scalar_one() == 11
        assert "diversion_log" in sa.inspect(conn).get_table_names()


def test_snapshot_follows_writes_of_this_process_and_others(tmp_path):
    from phonesvc.store import users

    url = f"sqlite:///{tmp_path / 's.db'}"
    store, other = Store(url), Store(url)
    store.migrate()
    assert store.snapshot().users == {}
    with store.write() as conn:
        users.add_user(conn, "Léonard.Saligny", first_name="Léonard", devices_=["sep000000001118"])
    snap = store.snapshot()
    assert [u.first_name for u in snap.users.values()] == ["Léonard"]
    assert list(snap.devices) == ["SEP000000001118"]
    assert store.snapshot() is snap  # nothing changed: no reload
    with other.write() as conn:  # another process, e.g. the CLI
        users.add_user(conn, "San.Zhang")
    assert len(store.snapshot().users) == 1
    store.max_age = 0
    snap = store.snapshot()
    assert len(snap.users) == 2
    assert store.snapshot() is snap  # old enough to ask, but nobody wrote since: no reload
    with store.log_write() as conn:  # the call log is no configuration
        conn.exec_driver_sql("DELETE FROM call_log")
    assert store.snapshot() is snap
    with other.write() as conn:
        users.add_user(conn, "Rafael.Hidalgo")
    assert len(store.snapshot().users) == 3


def test_a_version_8_database_notes_vip_numbers_by_id_after_migrating(tmp_path):
    """Version 9 keeps VIP numbers in the snapshot by id: the journal's triggers are made again to note ids, and a
    process that saw the old journal loads everything once."""
    from phonesvc.store import demo, journal, vip
    from phonesvc.store.schema import config_changes

    url = f"sqlite:///{tmp_path / 'v8.db'}"
    store = Store(url)
    store.migrate()
    with store.write() as conn:
        demo.load(conn)
    with store.log_write() as conn:
        undo_versions_10_11(conn)
        conn.exec_driver_sql("DROP TABLE app_settings")  # what version 9 added
        journal.drop_triggers(conn, ("vip_numbers",))  # version 8 noted the manager's member id
        conn.exec_driver_sql("CREATE TRIGGER config_changes_vip_numbers_insert AFTER INSERT ON vip_numbers BEGIN "
                             "INSERT INTO config_changes (version, part, key) "
                             "SELECT n, 'vip_numbers', NEW.member_id FROM config_version; END")
        conn.execute(schema_version.update().values(version=8))
    store.dispose()

    store = Store(url)
    assert store.migrate() == 11
    before = store.snapshot()
    with store.write() as conn:
        vip.add_vip(conn, 1, "+41 44 555 12 34", "Léonard & Co")
        this_write = sa.select(sa.func.max(config_changes.c.version)).scalar_subquery()
        added = conn.execute(sa.select(config_changes.c.key).where(
            config_changes.c.part == "vip_numbers", config_changes.c.version == this_write)).scalars().all()
    after = store.snapshot()
    assert [v.number for v in after.vip_list(1)][-1] == "+41 44 555 12 34"
    assert added == [str(after.vip_by_member[1][-1])]  # the new row's id, not the manager's
    assert len(after.vip_list(1)) == len(before.vip_list(1)) + 1
    store.dispose()


def test_a_short_name_for_a_group_the_member_left_changes_no_group(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    store.migrate()
    with store.write() as conn:
        demo.load(conn)
    snap = store.snapshot()
    gm = snap.group_members[45][1]
    other = next(g for g in snap.groups if g not in {m.group_id for m in snap.member_groups[gm.member_id]})
    for member_id, groups_, refused in ((gm.member_id, [45, other], Rejected), (10**9, [45], Missing)):
        try:
            with store.write() as conn:
                members.set_short_name(conn, member_id, groups_, "Léo & <B>")
        except refused as exc:
            assert exc.status == "INVALID_MEMBER_ID"
        else:
            raise AssertionError("refused")
    assert store.snapshot().group_members[45][1].short_name == gm.short_name  # the first group's update rolled back
    store.dispose()
