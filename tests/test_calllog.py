"""The call log: records, queries, the background writer, the v4 migration and `phonesvc calls`."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from phonesvc import cli
from phonesvc.domain.calls import CallRecord
from phonesvc.store import Store, calllog, db
from phonesvc.store.calllog import CallLogWriter, add_calls, list_calls
from phonesvc.store.schema import call_log, schema_version
from tests.conftest import drop_change_journal, undo_versions_10_11

T0 = datetime(2024, 5, 1, 9, 0).timestamp()  # local time, as the CLI reads dates


def call(call_id: str = "c1", **fields) -> CallRecord:
    values = dict(call_id=call_id, direction="inbound", caller_number="0800123456", caller_name="Support desk",
                  called_number="4500", group_id=45, group_name="MA Group", members_rung=("1047", "1118"),
                  answered_by="1118", vip=False, started=T0, answered=T0 + 12.0, ended=T0 + 95.5,
                  destination="1118")
    values.update(fields)
    values.setdefault("taken_by", values["answered_by"])  # no transfer: who took the call talked to the caller
    return CallRecord(**values)


def calls_in(store: Store) -> list[CallRecord]:
    with store.read() as conn:
        return list_calls(conn)


def call_ids(records) -> list[str]:
    return [r.call_id for r in records]


# --- the record ---------------------------------------------------------------------------------------------

def test_duration_and_outcome():
    c = call()
    assert (c.duration, c.outcome) == (83.5, "connected")
    missed = call(answered_by="", answered=None, destination="voicemail:8047")
    assert (missed.duration, missed.outcome) == (0, "missed")
    assert call(answered=T0 + 100, ended=T0 + 99).duration == 0  # clocks went backwards: never negative
    # answered by a forwarding target outside: connected even if nobody in the group took it
    assert call(answered_by="+41791234567", destination="+41791234567").outcome == "connected"


# --- store ------------------------------------------------------------------------------------------------

def test_round_trip_keeps_every_field(store):
    records = [
        call("c1", caller_name="Léonard & <Vlahović> 🎧", group_name="Vlahović & <Co>", vip=True,
             members_rung=("1047", "1118", "1047"), started=T0, answered=T0 + 3.25, ended=T0 + 64.75),
        call("c2", direction="outbound", caller_number="1047", caller_name="Tijana Vlahović",
             called_number="+41791234567", group_id=None, group_name="", members_rung=(), answered_by="",
             answered=None, started=T0 + 10, ended=T0 + 40, destination="+41791234567"),
        call("c3", members_rung=("1047",), answered_by="", answered=None, destination="", started=T0 + 20,
             ended=T0 + 21),
    ]
    with store.write() as conn:
        assert add_calls(conn, records) == 3
        assert add_calls(conn, []) == 0
    assert calls_in(store) == list(reversed(records))
    with store.read() as conn:
        raw = conn.execute(sa.select(call_log.c.members_rung, call_log.c.vip).order_by(call_log.c.id)).all()
    assert [tuple(r) for r in raw] == [("1047,1118,1047", 1), ("", 0), ("1047", 0)]


def test_newest_first_and_filters(store):
    records = [
        call("a", started=T0, members_rung=("1047", "1118"), answered_by="1118"),
        call("b", started=T0 + 3600, group_id=64, group_name="Support Team", caller_number="0311111111",
             members_rung=("1100",), answered_by="1100", destination="1100"),
        call("c", started=T0 + 7200, direction="outbound", caller_number="1118", called_number="0322222222",
             group_id=None, group_name="", members_rung=(), answered_by="0322222222", destination="0322222222"),
        call("d", started=T0 + 7200, members_rung=("10470",), answered_by="", answered=None, destination=""),
        call("e", started=T0 + 86400, members_rung=("1047", "1118", "1047"), answered_by="1047"),
    ]
    with store.write() as conn:
        add_calls(conn, records)
    with store.read() as conn:
        def ids(**kw) -> list[str]:
            return call_ids(list_calls(conn, **kw))

        assert ids() == ["e", "d", "c", "b", "a"]  # same start: the later record first
        assert ids(limit=2) == ["e", "d"]
        assert ids(since=T0 + 3600) == ["e", "d", "c", "b"]
        assert ids(until=T0 + 7200) == ["b", "a"]  # until is exclusive
        assert ids(since=T0 + 1, until=T0 + 86400) == ["d", "c", "b"]
        assert ids(group_id=45) == ["e", "d", "a"]
        assert ids(group_id=64) == ["b"]
        assert ids(number="1118") == ["e", "c", "a"]  # rung, caller of an outbound call, answered
        assert ids(number="1047") == ["e", "a"]  # a rung member, not a prefix of 10470
        assert ids(number="10470") == ["d"]
        assert ids(number="0322222222") == ["c"]  # called
        assert ids(number="0311111111") == ["b"]  # caller
        assert ids(number="%") == [] and ids(number="1_47") == []  # no LIKE wildcards
        assert ids(number="1047", group_id=45, since=T0 + 1) == ["e"]


def test_highest_call_number_reads_the_numbers_not_the_text(store):
    with store.read() as conn:
        assert calllog.highest_call_number(conn, "c") == 0  # an empty log
    with store.write() as conn:
        add_calls(conn, [call(i) for i in ("c9", "c10", "c2", "c0099", "cx12", "c1_2", "call-77", "O2G-123")])
    with store.read() as conn:
        assert calllog.highest_call_number(conn, "c") == 10
        assert calllog.highest_call_number(conn, "c_") == 0  # no LIKE wildcards
        assert calllog.highest_call_number(conn, "O2G-") == 123


def test_a_comma_in_a_rung_number_is_refused(store):
    with pytest.raises(ValueError, match="comma"), store.write() as conn:
        add_calls(conn, [call(members_rung=("1047,1118",))])


def test_log_write_neither_reloads_the_snapshot_nor_calls_hooks(store):
    hooks = []
    store.on_commit.append(lambda: hooks.append(1))
    generation = store.generation
    with store.log_write() as conn:
        add_calls(conn, [call()])
    assert (store.generation, hooks) == (generation, [])
    assert call_ids(calls_in(store)) == ["c1"]

    with pytest.raises(RuntimeError), store.log_write() as conn:  # rolled back as a whole
        add_calls(conn, [call("c2")])
        raise RuntimeError("boom")
    assert call_ids(calls_in(store)) == ["c1"]
    assert (store.generation, hooks) == (generation, [])

    with store.write():  # a configuration change still does both
        pass
    assert (store.generation, hooks) == (generation + 1, [1])


# --- the writer ---------------------------------------------------------------------------------------------

def count_transactions(store: Store, monkeypatch) -> list[int]:
    """Record the size of each log_write() batch."""
    sizes: list[int] = []
    real = calllog.add_calls

    def counting(conn, records):
        records = list(records)
        sizes.append(len(records))
        return real(conn, records)

    monkeypatch.setattr(calllog, "add_calls", counting)
    return sizes


def test_writer_batches_and_writes_everything_in_order(store, monkeypatch):
    sizes = count_transactions(store, monkeypatch)
    hooks = []
    store.on_commit.append(lambda: hooks.append(1))
    generation = store.generation
    writer = CallLogWriter(store, interval=0.5)
    try:
        records = [call(f"c{i:03d}", started=T0 + i // 10) for i in range(200)]  # ties: order by insertion
        for r in records:
            writer.add(r)
        assert writer.flush(10)
        assert sizes == [200]  # everything within the interval: one transaction
        with store.read() as conn:
            stored = list(conn.execute(sa.select(call_log.c.call_id).order_by(call_log.c.id)).scalars())
        assert stored == call_ids(records)
        assert calls_in(store)[0].call_id == "c199"
        assert (store.generation, hooks) == (generation, [])
        assert writer.flush(1)  # nothing queued: returns at once
        assert sizes == [200]
    finally:
        writer.close()


def test_writer_writes_without_flush_and_from_other_threads(store):
    writer = CallLogWriter(store, interval=0.02)
    try:
        threads = [threading.Thread(target=lambda k=k: [writer.add(call(f"t{k}-{i}")) for i in range(20)])
                   for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.monotonic() + 10
        while len(calls_in(store)) < 80 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(calls_in(store)) == 80
    finally:
        writer.close()


def test_a_failing_batch_is_logged_and_the_writer_goes_on(store, caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.store.calllog")
    writer = CallLogWriter(store, interval=0.01)
    try:
        writer.add(call("ok-1"))
        assert writer.flush(10)
        writer.add(call("bad-1"))
        writer.add(dataclasses.replace(call("bad-2"), ended=None))  # NOT NULL: the database refuses
        assert writer.flush(10)
        writer.add(call("ok-2"))
        writer.add(call("ok-3"))
        assert writer.flush(10)
    finally:
        writer.close()
    assert sorted(call_ids(calls_in(store))) == ["ok-1", "ok-2", "ok-3"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "2 call records lost" in errors[0].getMessage()
    assert errors[0].exc_info is not None


def test_a_database_that_fails_for_a_while(store, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="phonesvc.store.calllog")
    writer = CallLogWriter(store, interval=0.01)
    real = store.log_write

    def locked():
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "log_write", locked)
    try:
        writer.add(call("lost"))
        assert writer.flush(10)
        monkeypatch.setattr(store, "log_write", real)
        writer.add(call("kept"))
        assert writer.flush(10)
    finally:
        writer.close()
    assert call_ids(calls_in(store)) == ["kept"]
    assert any("1 call records lost" in r.getMessage() for r in caplog.records)


def test_close_writes_what_is_queued_and_later_records_are_reported(store, caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.store.calllog")
    writer = CallLogWriter(store, interval=5)  # close() must not wait for the interval
    for i in range(5):
        writer.add(call(f"c{i}"))
    started = time.monotonic()
    writer.close()
    assert time.monotonic() - started < 4
    assert len(calls_in(store)) == 5
    writer.add(call("late"))
    assert writer.flush(1)
    writer.close()  # again: nothing to do
    assert len(calls_in(store)) == 5
    assert any("1 call record lost" in r.getMessage() for r in caplog.records)


def test_writer_add_refuses_a_record_the_log_cannot_hold(store):
    writer = CallLogWriter(store)
    try:
        with pytest.raises(ValueError):
            writer.add(call(members_rung=("1,2",)))
    finally:
        writer.close()


# --- migration ----------------------------------------------------------------------------------------------

def test_a_version_3_database_is_migrated_with_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'v3.db'}"
    store = Store(url)
    store.migrate()
    with store.log_write() as conn:  # no config_version bump: this takes the database back to version 3
        conn.exec_driver_sql("INSERT INTO users (user_name, user_key) VALUES ('Tijana.Vlahovic', 'tijana.vlahovic')")
        conn.exec_driver_sql("INSERT INTO diversion_log (at, group_id, group_name, user_name, state) "
                             "VALUES (1.5, 1, 'Front desk', 'Tijana.Vlahovic', 'ON')")
        conn.exec_driver_sql("DROP TABLE call_log")  # what version 4 added
        undo_versions_10_11(conn)
        conn.exec_driver_sql("DROP TABLE app_settings")  # what version 9 added
        drop_change_journal(conn)  # what version 8 added
        conn.exec_driver_sql("DROP TABLE config_version")  # what version 5 added
        conn.execute(schema_version.update().values(version=3))
    store.dispose()

    store = Store(url)
    assert store.migrate() == db.LATEST == 11
    with store.read() as conn:
        assert conn.execute(sa.select(schema_version.c.version)).scalar_one() == 11
        assert conn.exec_driver_sql("SELECT user_name FROM users").scalar_one() == "Tijana.Vlahovic"
        assert tuple(conn.exec_driver_sql("SELECT group_name, state FROM diversion_log").one()) == ("Front desk", "ON")
        indexes = sa.inspect(conn).get_indexes("call_log")
        assert any(ix["column_names"] == ["started"] for ix in indexes)
        assert any(ix["column_names"] == ["group_id", "started"] for ix in indexes)
    with store.log_write() as conn:
        add_calls(conn, [call()])
    assert calls_in(store) == [call()]
    store.dispose()


def test_a_version_5_call_log_learns_who_took_each_call(tmp_path):
    """Version 6 keeps who took a call first (taken_by) apart from who talked to the caller last
    (answered_by); before, nobody was followed across a transfer, so both were the first to answer."""
    url = f"sqlite:///{tmp_path / 'v5.db'}"
    store = Store(url)
    store.migrate()
    with store.log_write() as conn:
        conn.exec_driver_sql("DROP TABLE call_log")
        conn.exec_driver_sql("CREATE TABLE call_log (id INTEGER PRIMARY KEY, call_id VARCHAR(64) NOT NULL, "
                             "direction VARCHAR(8) NOT NULL, caller_number VARCHAR(32) NOT NULL DEFAULT '', "
                             "caller_name VARCHAR(255) NOT NULL DEFAULT '', called_number VARCHAR(32) NOT NULL "
                             "DEFAULT '', group_id INTEGER, group_name VARCHAR(100) NOT NULL DEFAULT '', "
                             "members_rung TEXT NOT NULL DEFAULT '', answered_by VARCHAR(32) NOT NULL DEFAULT '', "
                             "vip INTEGER NOT NULL DEFAULT 0, started FLOAT NOT NULL, answered FLOAT, "
                             "ended FLOAT NOT NULL, destination VARCHAR(64) NOT NULL DEFAULT '')")
        conn.exec_driver_sql("INSERT INTO call_log (call_id, direction, answered_by, started, answered, ended, "
                             "destination) VALUES ('c7', 'inbound', '1118', 1.0, 2.0, 9.0, '1118')")
        undo_versions_10_11(conn)
        conn.exec_driver_sql("DROP TABLE app_settings")  # what version 9 added
        drop_change_journal(conn)  # what version 8 added
        conn.execute(schema_version.update().values(version=5))
    store.dispose()
    store = Store(url)
    assert store.migrate() == 11
    [record] = calls_in(store)
    assert (record.call_id, record.answered_by, record.taken_by) == ("c7", "1118", "1118")
    store.dispose()


def test_a_version_5_database_keeps_its_calls_and_finds_a_groups_calls_by_index(tmp_path):
    url = f"sqlite:///{tmp_path / 'v5.db'}"
    store = Store(url)
    store.migrate()
    with store.log_write() as conn:  # back to version 5: the call log without its group index
        add_calls(conn, [call(call_id="c1", group_id=45), call(call_id="c2", group_id=46)])
        conn.exec_driver_sql("DROP INDEX ix_call_log_group_started")
        undo_versions_10_11(conn)
        conn.exec_driver_sql("DROP TABLE app_settings")  # what version 9 added
        drop_change_journal(conn)  # what version 8 added
        conn.execute(schema_version.update().values(version=5))
    store.dispose()

    store = Store(url)
    assert store.migrate() == 11
    with store.read() as conn:
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM call_log WHERE group_id = 45 AND started >= 0 ORDER BY started DESC"))
        assert "ix_call_log_group_started" in plan
        assert [c.call_id for c in list_calls(conn, group_id=45)] == ["c1"]
    store.dispose()


# --- phonesvc calls -----------------------------------------------------------------------------------------

@pytest.fixture
def logged(store):
    with store.write() as conn:
        add_calls(conn, [
            call("c1", caller_name="Léonard & <Vlahović>", vip=True, members_rung=("1047", "1118", "1047"),
                 started=T0, answered=T0 + 10, ended=T0 + 135),
            call("c2", direction="outbound", caller_number="1047", caller_name="", called_number="+41791234567",
                 group_id=None, group_name="", members_rung=(), answered_by="", taken_by="", answered=None,
                 started=T0 + 86400, ended=T0 + 86430, destination="busy"),
        ])
    return store


def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PHONESVC_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "phonesvc", "calls", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_json(settings, logged):
    proc = run_cli(settings, "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["call_id"] for r in rows] == ["c2", "c1"]
    c1 = rows[1]
    assert c1 == {"call_id": "c1", "direction": "inbound", "caller_number": "0800123456",
                  "caller_name": "Léonard & <Vlahović>", "called_number": "4500", "group_id": 45,
                  "group_name": "MA Group", "members_rung": ["1047", "1118", "1047"], "answered_by": "1118",
                  "vip": True, "started": T0, "answered": T0 + 10, "ended": T0 + 135, "destination": "1118",
                  "taken_by": "1118", "duration": 125.0, "outcome": "connected"}
    assert (rows[0]["outcome"], rows[0]["duration"], rows[0]["answered"]) == ("missed", 0, None)

    until_day = json.loads(run_cli(settings, "--json", "--until", "2024-05-01").stdout)  # the whole day
    assert [r["call_id"] for r in until_day] == ["c1"]
    assert [r["call_id"] for r in json.loads(run_cli(settings, "--json", "--since", "2024-05-01T09:01",
                                                     "--number", "1047").stdout)] == ["c2"]
    assert json.loads(run_cli(settings, "--json", "--group", "64").stdout) == []


def test_cli_table(settings, logged, monkeypatch, capsys):
    monkeypatch.setenv("PHONESVC_DATA_DIR", str(settings.data_dir))
    assert cli.main(["calls"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["started", "dir", "caller", "called"]
    assert len(lines) == 3
    newest, oldest = lines[1], lines[2]
    assert datetime.fromtimestamp(T0).strftime("%Y-%m-%d %H:%M:%S") in oldest
    for text in ("Léonard & <Vlahović> <0800123456>", "MA Group (45)", "1047,1118,1047", "connected", "2:05"):
        assert text in oldest
    assert oldest.rstrip().endswith("*")  # VIP
    assert " out " in newest and "+41791234567" in newest and "missed" in newest and "0:00" in newest
    assert not newest.rstrip().endswith("*")

    assert cli.main(["calls", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert cli.main(["calls", "--group", "99"]) == 0
    assert capsys.readouterr().out.strip() == "no calls"


@pytest.mark.parametrize("args", [["--since", "yesterday"], ["--until", "2024-13-01"], ["--since", "2024-05-01T25:00"]])
def test_cli_refuses_bad_dates(settings, store, args):
    proc = run_cli(settings, *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a date" in lines[0] and args[0] in lines[0]


def test_cli_refuses_a_negative_limit(settings, store):
    proc = run_cli(settings, "--limit", "-1")
    assert proc.returncode == 2 and "--limit" in proc.stderr
