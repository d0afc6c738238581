"""The same store and REST API on PostgreSQL, without code changes: a throwaway cluster on loopback."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

import pytest
from starlette.testclient import TestClient

from phonesvc.app import create_app, prepare
from phonesvc.config import load_settings
from phonesvc.store import Store, demo
from phonesvc.store.schema import metadata
from phonesvc.store.snapshot import Snapshot
from tests.conftest import Rest, free_port
from tests.storekit import random_writes


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


@pytest.fixture(scope="module")
def pg_url():
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/test.sh installs it")
        pytest.skip("PostgreSQL server binaries not installed (scripts/test.sh installs them)")
    pytest.importorskip("psycopg")
    root = tempfile.mkdtemp(prefix="phonesvc-pg-")
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(root, "data"), free_port()
    subprocess.run([*as_postgres, f"{bindir}/initdb", "-D", data, "--auth=trust", "-U", "postgres",
                    "--encoding=UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(root, "log"),
                    "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def clean_demo(store: Store) -> None:
    """The demo data alone in the database, whatever an earlier test left."""
    with store.write() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in ("schema_version", "config_version"):
                conn.execute(table.delete())
        demo.load(conn)


@pytest.fixture
def pg_rest(pg_url, tmp_path):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"), "PHONESVC_DATABASE_URL": pg_url})
    store = prepare(settings)
    clean_demo(store)
    with TestClient(create_app(settings, store), client=("127.0.0.1", 1)) as client:
        yield Rest(client)
    store.dispose()


def test_demo_and_every_area_work_on_postgresql(pg_rest):
    rest = pg_rest
    assert [m["firstName"] for m in rest("members/getMembers", gm_type=0, gr_id=45).items("member")] == [
        "Rafael", "Aradhana", "Léonard", "San", "Emilia"]
    # ids continue after the demo's explicit group ids 45 and 64
    gid = rest("groups/addGroup", gr_name="Vlahović & <Co> 🎧", gr_overflow="group:45").id
    assert int(gid) > 64
    assert rest("groups/addGroup", gr_name="VLAHOVIĆ & <co> 🎧").status == "ALREADY_EXISTS"
    mb = rest("members/addMember", gr_id=gid, usr_Name="maria.rossi", mb_number="1071", gm_type=1).id
    assert rest("members/addMember", gr_id=gid, usr_Name="Gabriela.Kronberger", mb_number="1077",
                gm_type=1).status == "MANAGER_ALREADY_EXISTS"
    rest.ok("members/addMember", gr_id=gid, usr_Name="Rafael.Hidalgo", mb_number="1175")
    rest.ok("members/orderByUserList", gr_id=gid, usr_list="rafael.hidalgo,Maria.Rossi")
    assert [m["userName"] for m in rest("members/getMembers", gr_id=gid).items("member")] == [
        "Rafael.Hidalgo", "Maria.Rossi"]
    rest.ok("members/setPresence", mb_id=mb, presenceState=4, presenceMessage="Bin gleich zurück")
    assert rest("vip/addVIPNumber", mb_id=mb, vn_number="+41315311111", vn_description="Zürich").status == "OK"
    rest.ok("announcements/addAnnouncement", gr_id=gid, an_wave="a.wav")
    rest.ok("announcements/addAnnouncement", gr_id=gid, an_wave="b.wav", an_priority=1)
    assert [a["wave"] for a in rest("announcements/getAnnouncements", gr_id=gid).items("announcement")] == [
        "b.wav", "a.wav"]
    rest.ok("members/deleteMember", usr_Name="Rafael.Hidalgo")  # from every group, with clean-up
    assert rest("members/getMembers", usr_Name="Rafael.Hidalgo").items("member") == []
    emilia = rest("members/getMembers", usr_Name="Emilia.Skjeggestad").items("member")[0]
    assert emilia["forwardDestination"] == ""
    assert rest("groups/deleteGroup", gr_id=45).status == "OK"
    assert rest("groups/getGroups", gr_id=gid).items("group")[0]["overflow"] == "-1"
    assert rest("div/listGroups", method="GET", groupName="billing").response.findtext(".//GroupName") == \
        "Billing & Accounts"


def test_cli_on_a_postgresql_database_without_the_schema(pg_url, tmp_path):
    """On PostgreSQL a database without phonesvc's tables is "missing": commands refuse it, `init` creates."""
    import psycopg

    from tests.test_cli import clean_env, phonesvc

    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE phonesvc_empty")
    env = clean_env(PHONESVC_DATABASE_URL=pg_url.rsplit("/", 1)[0] + "/phonesvc_empty")
    refused = phonesvc("users", "add", "Leonard.Saligny", cwd=tmp_path, env=env)
    assert refused.returncode == 2 and "no phonesvc database at postgresql+psycopg://" in refused.stderr
    assert "phonesvc init" in refused.stderr and list(tmp_path.iterdir()) == []
    assert phonesvc("init", cwd=tmp_path, env=env).stdout.strip() == "database created"
    assert phonesvc("users", "add", "Leonard.Saligny", cwd=tmp_path, env=env).returncode == 0
    assert "Leonard.Saligny" in phonesvc("users", "list", cwd=tmp_path, env=env).stdout


def test_the_change_journal_works_on_postgresql(pg_url):
    """The triggers in PostgreSQL's dialect: another node's writes of every kind reach this node's snapshot."""
    node, other = Store(pg_url), Store(pg_url)
    node.migrate()
    node.max_age = 0
    clean_demo(node)
    node.snapshot()
    for name in random_writes(other, 3, 80):
        with node.read() as conn:
            assert node.snapshot() == Snapshot.load(conn), f"after {name} by the other node"
    node.dispose()
    other.dispose()
