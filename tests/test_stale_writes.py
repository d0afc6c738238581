"""Writes are checked against the database, not the in-memory snapshot: a phone screen or REST call that
names a member, group or user another process has just deleted ends on a clear refusal, nothing is
written, and the PBX is not touched."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from phonesvc.store import Store
from phonesvc.store import groups as store_groups
from phonesvc.store.schema import forwarding, vip_numbers
from phonesvc.store.users import delete_user
from tests.phonekit import MENU, member_of, pbx, phone, service, user

__all__ = ["pbx", "phone"]  # fixtures


@pytest.fixture
def stale(store, settings):
    """A second connection to the same SQLite file (another process, as far as the app can tell); the
    app's snapshot stays as it is, as it does for a few seconds after another process wrote."""
    store.max_age = 3600
    other = Store(settings.effective_database_url)
    yield other
    other.dispose()


def used(phone, line: str):
    """A phone that has been used before (its first request records it, a write of this process)."""
    return phone(line).open(MENU)


def no_tracebacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_forwarding_to_a_member_the_cli_just_deleted(pbx, phone, store, settings, stale, caplog):
    rafael, aradhana = member_of(store, "Rafael.Hidalgo"), member_of(store, "Aradhana.Jaggi")
    p = used(phone, "1175")
    subprocess.run([sys.executable, "-m", "phonesvc", "users", "delete", "Aradhana.Jaggi"], check=True,
                   capture_output=True, env={**os.environ, "PHONESVC_DATA_DIR": str(settings.data_dir)})
    assert aradhana.id in store.snapshot().members  # the app has not noticed yet
    p.open(service("saveForwarding", mb=rafael.id, to="member", target=aradhana.id))
    assert (p.kind, p.title) == ("CiscoIPPhoneText", "Set forwarding")
    assert p.text == "That member no longer exists. Nothing was changed."
    assert pbx.forwarding("1175") is None  # store and PBX agree: no forwarding
    with store.read() as conn:
        assert conn.execute(sa.select(forwarding).where(forwarding.c.member_id == rafael.id)).first() is None
    assert no_tracebacks(caplog) == []


def _delete_user(name):
    return lambda conn: delete_user(conn, name)


@pytest.mark.parametrize("who, screen, deleted, text", [
    ("1175", lambda s: service("saveForwarding", mb=member_of(s, "Aradhana.Jaggi").id, to="mobile"),
     _delete_user("Aradhana.Jaggi"), "That member no longer exists."),
    ("1175", lambda s: service("saveStatus", user=user(s, "Aradhana.Jaggi").id, state=3, msg="Lunch"),
     _delete_user("Aradhana.Jaggi"), "That user no longer exists."),
    ("1175", lambda s: service("vipAdd", mb=member_of(s, "Tijana.Vlahovic").id, number="0441234567"),
     _delete_user("Tijana.Vlahovic"), "That member no longer exists."),
    ("1175", lambda s: service("addMemberSave", gr=45, user=user(s, "Tamara.Farrow").id),
     _delete_user("Tamara.Farrow"), "That user no longer exists."),
    ("1175", lambda s: service("memberSave", gr=45, mb=member_of(s, "San.Zhang").id, op="edit", short="Zhang"),
     _delete_user("San.Zhang"), "That member no longer exists."),
    ("1118", lambda s: service("changeGroup", gr=45), lambda conn: store_groups.delete_group(conn, 45),
     "That group no longer exists."),
], ids=["forward-member", "status-user", "vip-manager", "add-user", "edit-member", "display-group"])
def test_a_phone_write_naming_what_another_process_deleted(pbx, phone, store, stale, caplog, who, screen,
                                                            deleted, text):
    url = screen(store)
    p = used(phone, who)
    with stale.write() as conn:
        deleted(conn)
    before = pbx.sim.state()
    p.open(url)
    assert p.kind == "CiscoIPPhoneText"
    assert p.text == f"{text} Nothing was changed."
    assert pbx.sim.state() == before
    assert no_tracebacks(caplog) == []


def test_a_vip_number_is_not_written_for_a_deleted_manager(pbx, phone, store, stale):
    tijana = member_of(store, "Tijana.Vlahovic")
    p = used(phone, "1175")
    with stale.write() as conn:
        delete_user(conn, "Tijana.Vlahovic")
    p.open(service("vipAdd", mb=tijana.id, number="0441234567"))
    with store.read() as conn:
        assert conn.execute(sa.select(vip_numbers).where(vip_numbers.c.number == "0441234567")).first() is None


def test_rest_names_a_member_another_process_deleted(pbx, rest, store, stale, caplog):
    tijana = member_of(store, "Tijana.Vlahovic")
    with stale.write() as conn:
        delete_user(conn, "Tijana.Vlahovic")
    assert rest("vip/addVIPNumber", mb_id=tijana.id, vn_number="0441234567").status == "INVALID_MEMBER_ID"
    assert rest("members/setPresence", mb_id=tijana.id, presenceState=3).status == "INVALID_MEMBER_ID"
    assert no_tracebacks(caplog) == []


def test_the_app_catches_up_with_the_other_process(pbx, phone, store, stale):
    """Once the snapshot is reloaded, menus no longer offer what is gone."""
    with stale.write() as conn:
        delete_user(conn, "Aradhana.Jaggi")
    store.max_age = 0
    p = phone("1175").open(service("setForwarding", who="me"))
    assert "Aradhana Jaggi" not in p.items
