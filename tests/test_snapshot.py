"""The configuration snapshot follows writes through the change journal: after any write it equals a fresh
load, whichever process wrote, and only what changed is read again."""

from __future__ import annotations

import pytest

from phonesvc.domain.presence import Presence
from phonesvc.store import Store, demo, journal, members, users
from phonesvc.store.snapshot import _SINGLE, PARTS, Snapshot
from tests.storekit import random_writes

# Parts of single rows by id list in id order, as a load does (devices, by name, are only looked up).
ORDERED = [p.name for p in PARTS if p.name in _SINGLE and p.key_type is int]


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'snap.db'}")
    store.migrate()
    with store.write() as conn:
        demo.load(conn)
    yield store
    store.dispose()


def fresh(store: Store) -> Snapshot:
    with store.read() as conn:
        return Snapshot.load(conn)


@pytest.mark.parametrize("seed", range(4))
def test_after_every_kind_of_write_the_snapshot_equals_a_fresh_load(store, seed):
    store.snapshot()
    done = set()
    for name in random_writes(store, seed, 150):
        done.add(name)
        snap, loaded = store.snapshot(), fresh(store)
        assert snap == loaded, f"after {name}"
        for part in ORDERED:
            assert list(getattr(snap, part)) == list(getattr(loaded, part)), f"{part} after {name}"
    assert len(done) >= 20  # nearly every kind of write was made


def test_writes_by_another_store_on_the_same_file_arrive_through_the_journal(store):
    other = Store(store.url)  # another process: the `phonesvc users` CLI
    store.max_age = 0  # ask the database every time
    for name in random_writes(other, 7, 60):
        assert store.snapshot() == fresh(store), f"after {name} by the other process"
    other.dispose()


def test_a_write_reads_again_only_what_it_changed(store):
    before = store.snapshot()
    san = next(u for u in before.users.values() if u.user_name == "San.Zhang")
    with store.write() as conn:
        members.set_presence(conn, san.id, Presence.BUSY, "In a meeting")
    after = store.snapshot()
    assert after.users[san.id].presence == Presence.BUSY
    assert after.groups is before.groups and after.group_members is before.group_members  # not read again
    assert all(after.users[uid] is row for uid, row in before.users.items() if uid != san.id)
    # the indexes follow without a walk: a presence moves no entry, so even the users' index is the same
    assert after.users_by_line is before.users_by_line and after.devices_by_user is before.devices_by_user


def test_a_presence_change_among_thousands_of_users_copies_one_chunk_of_them(store):
    with store.write() as conn:
        ids = [users.add_user(conn, f"user{i}", first_name="Léonard", last_name="Vlahović") for i in range(3000)]
    before = store.snapshot()
    with store.write() as conn:
        members.set_presence(conn, ids[1500], Presence.AWAY, "Réunion & <Gespräch>")
    after = store.snapshot()
    assert after.users[ids[1500]].presence_message == "Réunion & <Gespräch>"
    shared = set(map(id, before.users._chunks.values())) & set(map(id, after.users._chunks.values()))
    assert len(shared) == len(before.users._chunks) - 1  # the other users' chunks are the same objects


def test_a_journal_pruned_past_what_a_process_saw_leads_to_a_full_reload(store, monkeypatch):
    other = Store(store.url)
    store.max_age = 0
    store.snapshot()
    with other.write() as conn:  # a change the journal will have forgotten when `store` next looks
        users.update_user(conn, users.find_user(conn, "San.Zhang").id, department="Léonard & <Co>")
    monkeypatch.setattr(journal, "KEEP", 10)
    monkeypatch.setattr(journal, "PRUNE_EVERY", 5)
    for _ in range(30):
        with other.write() as conn:
            users.add_device(conn, users.find_user(conn, "admin").id, "SEP000000009999")
    snap = store.snapshot()
    assert [u.department for u in snap.users.values() if u.user_name == "San.Zhang"] == ["Léonard & <Co>"]
    assert snap == fresh(store)
    other.dispose()


def test_an_application_setting_reaches_the_snapshot_and_another_process(store):
    from phonesvc.store import appsettings

    with store.write() as conn:
        appsettings.set_setting(conn, "PhoneDiversions", "callHandler", '{"connect": true}')
    assert appsettings.setting(store.snapshot(), "PhoneDiversions", "callHandler") == '{"connect": true}'
    other = Store(store.url)  # another process: its snapshot follows the journal
    try:
        seen = other.snapshot()
        with store.write() as conn:
            appsettings.set_setting(conn, "PhoneDiversions", "callHandler", "Léonard & <Vlahović>")
        other.max_age = 0
        assert appsettings.setting(other.snapshot(), "PhoneDiversions", "callHandler") == "Léonard & <Vlahović>"
        assert other.snapshot() is not seen and appsettings.setting(seen, "MAGroup", "enableLogs", "off") == "off"
    finally:
        other.dispose()
