"""PhoneDiversions' Toggle Diversion service on a phone: ON forwards every line of the group to its
destination in the PBX, OFF clears them; the state is stored and every toggle is logged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from phonesvc.store import diversions as store_div
from phonesvc.store.schema import diversion_log
from phonesvc.telephony import Forwarding
from tests.phonekit import EXT, pbx, phone, service, toggle_url


@pytest.fixture(params=["sim", "o2g"])
def pbx_kind(request) -> str:
    """Every test on the simulator and on the O2G adapter (with the fake O2G)."""
    return request.param

__all__ = ["pbx", "phone"]  # fixtures

FRONT_DESK = ("1044", "1011", "1040", "1053")


def log_rows(store) -> list[tuple]:
    with store.read() as conn:
        return [(r.group_id, r.group_name, r.user_name, r.state)
                for r in conn.execute(sa.select(diversion_log).order_by(diversion_log.c.id))]


def state_of(rest, group_id: int) -> str:
    return rest("div/listGroups", "GET", groupId=group_id).items("Group")[0]["State"]


def test_toggle_with_group_id_switches_every_line(pbx, phone, rest, store):
    url = rest("div/listGroups", "GET", groupId=1).items("Group")[0]["PhoneServiceURL"]
    assert url.endswith("/Applications/inbound/PhoneDiversions/src/PhoneService.asp?groupID=1&device=#DEVICENAME#")
    assert state_of(rest, 1) == "ON"
    p = phone("1175", "CP-7965G").open(url)  # the URL from the Groups tab, as pasted into CUCM
    assert p.kind == "CiscoIPPhoneText" and p.title == "Toggle Diversion"
    assert p.text == "Front desk is now OFF: its lines ring again."
    assert state_of(rest, 1) == "OFF"
    assert all(pbx.forwarding(line) is None for line in FRONT_DESK)
    p.open(url)
    assert p.text == "Front desk is now ON: calls to its lines go to 1022."
    assert state_of(rest, 1) == "ON"
    assert {line: pbx.forwarding(line) for line in FRONT_DESK} == dict.fromkeys(FRONT_DESK, Forwarding("1022"))
    call = pbx.ring(EXT, "1044", "Customer")  # the PBX really diverts
    assert pbx.legs("1044") == []
    assert pbx.legs("1022") == [(call, "incoming", "ringing", EXT)]
    assert pbx.forwarding("1022") is None  # the destination itself is untouched
    p.open(url)
    assert all(pbx.forwarding(line) is None for line in FRONT_DESK)
    assert log_rows(store) == [(1, "Front desk", "Rafael.Hidalgo", "OFF"), (1, "Front desk", "Rafael.Hidalgo", "ON"),
                               (1, "Front desk", "Rafael.Hidalgo", "OFF")]
    with store.read() as conn:
        times = list(conn.execute(sa.select(diversion_log.c.at).order_by(diversion_log.c.id)).scalars())
    assert times == sorted(times) and times[0] > 1.6e9


def test_toggle_without_group_id_lists_the_groups(pbx, phone, rest, store):
    p = phone("1068").open(toggle_url())
    assert p.kind == "CiscoIPPhoneMenu" and p.title == "PhoneDiversions"
    assert p.items == ["Front desk (ON)", "1st level tech support (ON)", "2nd level tech support (OFF)",
                       "After-hour support (ON)", "Billing & Accounts (ON)", "Human Resources (ON)"]
    assert "Exit" in p.softkeys and "Select" in p.softkeys
    p.select("2nd level tech support (OFF)")
    assert p.text == "2nd level tech support is now ON: calls to its lines go to 9271."
    assert pbx.forwarding("1083") == Forwarding("9271")
    assert state_of(rest, 3) == "ON"
    assert log_rows(store) == [(3, "2nd level tech support", "Aradhana.Jaggi", "ON")]
    p.back()  # the list again, with the new state
    assert p.kind == "CiscoIPPhoneMenu" and "2nd level tech support (ON)" in p.items
    p.open(toggle_url().replace("?", "?groupid=3&"))  # ASP reads parameters in any case
    assert p.text.startswith("2nd level tech support is now OFF")


def test_toggle_without_group_id_toggles_the_only_group(pbx, phone, rest, store):
    with store.write() as conn:
        for g in store_div.list_groups(conn):
            if g["id"] != 5:
                store_div.delete_group(conn, store_div.require_diversion_group(conn, str(g["id"])))
    p = phone("1071").open(toggle_url())  # Maria Rossi: in no MA group, but a phone user
    assert p.text == "Billing & Accounts is now OFF: its lines ring again."
    p.open(toggle_url())
    assert p.text == "Billing & Accounts is now ON: calls to its lines go to 1071."
    assert pbx.forwarding("1077") == Forwarding("1071")
    assert [row[3] for row in log_rows(store)] == ["OFF", "ON"]
    assert b"Billing &amp; Accounts" in p.response.content


def test_toggle_of_an_unknown_group_or_no_group_at_all(pbx, phone, rest, store):
    p = phone("1175")
    for bad in ("999", "abc", "-1", ""):
        p.open(toggle_url(bad))
        if bad:
            assert p.kind == "CiscoIPPhoneText" and f"no diversion group {bad}" in p.text, bad
        else:
            assert p.kind == "CiscoIPPhoneMenu"  # an empty groupID is no groupID
    assert log_rows(store) == []
    with store.write() as conn:
        for g in store_div.list_groups(conn):
            store_div.delete_group(conn, store_div.require_diversion_group(conn, str(g["id"])))
    p.open(toggle_url())
    assert p.kind == "CiscoIPPhoneText" and "No diversion group" in p.text


def test_toggle_reports_lines_the_pbx_cannot_switch(pbx, phone, rest, store):
    with store.write() as conn:
        store_div.add_line(conn, 3, "4999", "not a line of this PBX")
    p = phone("1175").open(toggle_url(3))
    assert "now ON" in p.text and "4999" in p.text and "could not be switched" in p.text
    assert pbx.forwarding("1083") == Forwarding("9271")  # the others switched all the same
    assert state_of(rest, 3) == "ON"
    assert log_rows(store) == [(3, "2nd level tech support", "Rafael.Hidalgo", "ON")]


def test_a_line_in_two_groups_stays_diverted_while_one_is_on(pbx, phone, rest, store):
    with store.write() as conn:
        store_div.add_line(conn, 2, "1044", "also 1st level")  # Front desk and 1st level tech support
    p = phone("1175")
    p.open(toggle_url(1)).open(toggle_url(1))  # Front desk OFF, then ON
    assert pbx.forwarding("1044") == Forwarding("1022")
    p.open(toggle_url(1))  # Front desk OFF; 1st level tech support is still ON
    assert pbx.forwarding("1044") == Forwarding("9223")
    assert pbx.forwarding("1011") is None
    p.open(toggle_url(2))  # and OFF
    assert pbx.forwarding("1044") is None


def test_switching_off_gives_a_member_back_their_own_forwarding(pbx, phone, store):
    with store.write() as conn:
        store_div.add_line(conn, 3, "1175", "Rafael's line")
    rafael = phone("1175")
    rafael.open(service("setForwarding", who="me")).select("Aradhana Jaggi")
    assert pbx.forwarding("1175") == Forwarding("1068")
    rafael.open(toggle_url(3))  # ON
    assert pbx.forwarding("1175") == Forwarding("9271")
    rafael.open(toggle_url(3))  # OFF: his own forwarding again, not none
    assert pbx.forwarding("1175") == Forwarding("1068")
    assert pbx.forwarding("1083") is None


def test_toggle_needs_a_known_device(pbx, client, store):
    from tests.phoneclient import Phone

    p = Phone(client, "SEP999999999999").open(toggle_url(1))
    assert p.kind == "CiscoIPPhoneText" and "not assigned" in p.text
    assert log_rows(store) == []
