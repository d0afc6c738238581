"""The PBX's line forwarding follows the configuration at once, whichever surface or process changed it:
PhoneDiversions over REST as Toggle Diversion on the phone does, member forwarding, and the CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx2 as httpx
import pytest

from phonesvc.live.forwarding import LineForwarding
from phonesvc.live.lines import LineSync
from phonesvc.store import Store, demo, members, users
from phonesvc.telephony import Forwarding
from phonesvc.telephony.simulator import Simulator
from tests.phonekit import member_of, pbx, phone, service, toggle_url, user
from tests.storekit import random_writes

__all__ = ["pbx", "phone"]  # fixtures

FRONT_DESK = ("1044", "1011", "1040", "1053")


def test_set_group_state_over_rest_switches_the_lines_at_once(pbx, rest):
    assert pbx.forwarding("1083") is None  # 2nd level tech support is OFF
    rest.ok("div/setGroupState", groupId=3, state="ON")
    assert pbx.forwarding("1083") == Forwarding("9271")
    rest.ok("div/setGroupState", groupId=1, state="OFF")
    assert all(pbx.forwarding(line) is None for line in FRONT_DESK)
    rest.ok("div/setGroupState", groupId=3, state="OFF")
    assert pbx.forwarding("1083") is None
    rest.ok("div/setGroupState", groupId=1, state="ON")
    assert {line: pbx.forwarding(line) for line in FRONT_DESK} == dict.fromkeys(FRONT_DESK, Forwarding("1022"))


def test_rest_and_phone_switch_the_same_group_the_same_way(pbx, phone, rest):
    p = phone("1175")
    rest.ok("div/setGroupState", groupId=3, state="ON")
    p.open(toggle_url(3))  # the phone sees the state REST set, and switches it OFF
    assert p.text == "2nd level tech support is now OFF: its lines ring again."
    assert pbx.forwarding("1083") is None
    p.open(toggle_url(3))
    assert pbx.forwarding("1083") == Forwarding("9271")
    rest.ok("div/setGroupState", groupId=3, state="OFF")
    assert pbx.forwarding("1083") is None


def test_diversion_lines_and_groups_edited_over_rest_reach_the_pbx(pbx, rest):
    line = rest.ok("div/addLine", groupId=1, lineNumber="1118", description="Léonard's line").id
    assert pbx.forwarding("1118") == Forwarding("1022")  # Front desk is ON
    rest.ok("div/editGroup", groupId=1, destination="1071")
    assert pbx.forwarding("1118") == pbx.forwarding("1044") == Forwarding("1071")
    rest.ok("div/deleteLine", lineId=line)
    assert pbx.forwarding("1118") is None
    rest.ok("div/deleteGroup", groupId=1)  # deleted while ON: its lines ring again
    assert all(pbx.forwarding(n) is None for n in FRONT_DESK)


def test_switching_a_group_off_over_rest_gives_the_member_their_own_forwarding(pbx, phone, rest):
    rest.ok("div/addLine", groupId=3, lineNumber="1175")
    phone("1175").open(service("setForwarding", who="me")).select("Aradhana Jaggi")
    rest.ok("div/setGroupState", groupId=3, state="ON")
    assert pbx.forwarding("1175") == Forwarding("9271")
    rest.ok("div/setGroupState", groupId=3, state="OFF")
    assert pbx.forwarding("1175") == Forwarding("1068")


def test_deleting_a_member_over_rest_clears_forwarding_to_them(pbx, rest):
    assert pbx.forwarding("1033") == Forwarding("1175")  # Emilia forwards to Rafael (demo data)
    rest.ok("members/deleteMember", usr_Name="Rafael.Hidalgo")
    assert pbx.forwarding("1033") is None
    assert rest("members/getMembers", "GET", usr_Name="Emilia.Skjeggestad").items("member")[0][
        "forwardDestination"] == ""


def test_a_forwarding_follows_what_it_names_when_only_that_changes(pbx, rest, store, client, app):
    """A write that changes only what a forwarding names (the member forwarded to, the user's mobile number) still
    moves the line that forwards: each write looks at the lines it concerns, and these are among them."""
    assert pbx.forwarding("1033") == Forwarding("1175")  # Emilia forwards to Rafael (demo data)
    rest.ok("members/editMember", usr_Name="Rafael.Hidalgo", gr_id=45, mb_number="1176")
    assert pbx.forwarding("1033") == Forwarding("1176")
    aradhana = user(store, "Aradhana.Jaggi")
    for change in (lambda conn: users.update_user(conn, aradhana.id, mobile_number="+41795551068"),
                   lambda conn: members.set_forwarding(conn, member_of(store, "Aradhana.Jaggi").id, "mobile"),
                   lambda conn: users.update_user(conn, aradhana.id, mobile_number="+41795559999")):
        with store.write() as conn:  # as the CLI or the web admin does
            change(conn)
        client.portal.call(app.state.live.forwarding.settled)  # the write's event comes first on the loop
    assert pbx.forwarding("1068") == Forwarding("+41795559999")


def test_forwarding_set_on_the_handset_is_left_alone(pbx, rest):
    pbx.set_forwarding("1068", Forwarding("+41795551068"))  # Aradhana's own, on her phone
    rest.ok("div/setGroupState", groupId=3, state="ON")
    rest.ok("members/setPresence", usr_Name="Aradhana.Jaggi", presenceState=3)
    assert pbx.forwarding("1068") == Forwarding("+41795551068")


def test_a_cli_change_in_another_process_reaches_the_pbx(server_factory, tmp_path):
    """`phonesvc users delete` in its own process: the server notices the configuration moved (not only
    at the next request) and clears the forwarding to the deleted user on the PBX."""
    server = server_factory("--demo")

    def forwarding(number: str):
        lines = httpx.get(server.url + "/sim/state", timeout=5).json()["lines"]
        return next(ln["forwarding"] for ln in lines if ln["number"] == number)

    assert forwarding("1033") == {"number": "1175", "voicemail": False}
    subprocess.run([sys.executable, "-m", "phonesvc", "users", "delete", "Rafael.Hidalgo"], check=True,
                   env={**os.environ, **server.env, "PHONESVC_DATA_DIR": str(server.data_dir)}, capture_output=True)
    deadline = time.monotonic() + 30  # the server looks every few seconds; this only bounds a hang
    while forwarding("1033") is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert forwarding("1033") is None


@pytest.mark.parametrize("seed", range(3))
def test_after_every_kind_of_write_the_lines_forward_as_a_fresh_start_would_set_them(tmp_path, seed):
    """Each write looks only at the lines it concerns (a member's forwarding, a user's mobile number, a member
    forwarded to, a diversion group or line), yet the PBX ends where a server started on that configuration would."""
    store = Store(f"sqlite:///{tmp_path / 'fwd.db'}")
    store.migrate()
    with store.write() as conn:
        demo.load(conn)

    async def main():
        pbx = Simulator()
        lines, forwarding = LineSync(store, pbx), LineForwarding(store, pbx)
        lines.sync()
        await forwarding.apply()
        for name in random_writes(store, seed, 150):
            lines.sync()
            await forwarding.apply()
            fresh_pbx = Simulator()  # with the same lines (a PBX keeps the lines of a deleted user)
            fresh_pbx.add_lines(line.number for line in pbx.lines())
            fresh = LineForwarding(store, fresh_pbx)
            await fresh.apply()
            # a line the PBX refused keeps what it had: compare the lines both could set
            refused = forwarding.refused.keys() | fresh.refused.keys()
            assert ({k: v for k, v in forwarding.applied.items() if k not in refused}
                    == {k: v for k, v in fresh.applied.items() if k not in refused}), f"after {name}"
            assert forwarding.refused.keys() == fresh.refused.keys(), f"after {name}"

    asyncio.run(main())
    store.dispose()
