"""The whole path in one app: a change of a shown group pushes exactly the phones that show it, once
per burst, with the configured credentials; a failing phone is logged and does not stop the others."""

from __future__ import annotations

import logging
import time

import pytest

from phonesvc.store.users import add_device, find_user
from tests.conftest import Rest, pushing_app
from tests.fakephones import PhoneFarm
from tests.phonekit import Pbx

SHOWING_45 = ("SEP000000001118", "SEP000000001072", "SEP000000001033")  # Léonard, San, Emilia
SHOWING_64 = ("SEP000000001081", "SEP000000001082")  # maria.santos, chiyo.fujimoto


@pytest.fixture
def farm_app(tmp_path, store, demo_data, fake_o2g):
    farm = PhoneFarm()
    for name in (*SHOWING_45, *SHOWING_64):
        farm.add(name, mode="dead" if name == "SEP000000001072" else "ok")
    with pushing_app(tmp_path, store, farm, fake_o2g) as (app, client):
        app.state.displays.changed()  # what every phone shows now
        yield app, client, farm


def settle(client, app, seconds: float = 0.4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client.portal.call(app.state.push.idle)
        time.sleep(0.05)


def test_a_change_pushes_exactly_the_phones_showing_the_group_once_per_burst(farm_app, caplog):
    app, client, farm = farm_app
    rest = Rest(client)
    caplog.set_level(logging.WARNING, logger="phonesvc.push")
    for state in (1, 3, 4, 1, 3):  # a burst of five changes of San's presence
        rest.ok("members/setPresence", usr_Name="San.Zhang", presenceState=state, presenceMessage="Burst")
    settle(client, app)
    pushed = {p.name: len(p.pushes) for p in farm.phones}
    assert pushed["SEP000000001118"] == pushed["SEP000000001033"] == 1  # once per burst
    assert pushed["SEP000000001081"] == pushed["SEP000000001082"] == 0  # they show group 64
    sent = farm.phone("SEP000000001118").pushes[0]
    assert (sent.user, sent.password) == ("pushuser", "s3cret")
    assert sent.urls == ["http://phonesvc.test/Applications/inbound/MAGroup/src/StatusDisplay.asp"
                         "?device=SEP000000001118"]
    # San's own phone is dead: reported, and it did not keep the others from their push
    assert "SEP000000001072" in caplog.text


@pytest.mark.parametrize("pbx_kind", ["sim", "o2g"])
def test_calls_on_a_member_line_push_too_and_push_can_be_switched_off(farm_app, fake_o2g, pbx_kind):
    """One ring, one push per phone showing the group, on the simulator and on the O2G adapter."""
    app, client, farm = farm_app
    pbx = Pbx(client, app, fake_o2g)  # on O2G: once the configuration's forwarding is on the PBX's lines
    settle(client, app)
    farm.clear()
    pbx.ring("0800123456", "1083")  # romeo.girard, group 64
    settle(client, app)
    assert {p.name: len(p.pushes) for p in farm.phones if p.pushes} == {"SEP000000001081": 1, "SEP000000001082": 1}
    app.state.push.enabled = False
    pbx.ring("0800999999", "1047")
    settle(client, app)
    assert sum(len(p.pushes) for p in farm.phones) == 2


def test_a_configuration_change_pushes_only_its_group_and_a_phone_follows_the_group_it_switched_to(farm_app):
    """Each write is compared only where it may change a picture (the snapshot says what it changed), yet
    a phone that switched to another group is pushed for that group from then on."""
    app, client, farm = farm_app
    rest = Rest(client)
    rest.ok("members/editMember", usr_Name="romeo.girard", gr_id=64, gm_shortName="Ro&2")  # group 64 only
    settle(client, app)
    assert {p.name for p in farm.phones if p.pushes} == set(SHOWING_64)
    farm.clear()
    rest.ok("members/editMember", usr_Name="Leonard.Saligny", gr_id=45, displayedGroup=64)  # Léonard switches
    settle(client, app)
    farm.clear()
    rest.ok("members/setPresence", usr_Name="romeo.girard", presenceState=3, presenceMessage="Réunion & co")
    settle(client, app)
    assert {p.name for p in farm.phones if p.pushes} == {*SHOWING_64, "SEP000000001118"}


def test_a_phone_added_to_a_user_is_pushed_for_the_group_the_user_shows(tmp_path, store, demo_data):
    """Each write changes only the phones it concerns (no walk over every device), yet a phone added to a
    desk by another path than REST (the CLI, the web admin) is pushed with its group from the next change on."""
    farm = PhoneFarm()
    for name in (*SHOWING_45, *SHOWING_64, "SEP0000000010AA"):
        farm.add(name)
    with pushing_app(tmp_path, store, farm) as (app, client):
        app.state.displays.changed()
        rest = Rest(client)
        with store.write() as conn:  # a second phone on Maria's desk: she shows group 64
            add_device(conn, find_user(conn, "maria.santos").id, "SEP0000000010AA")
        rest.ok("members/setPresence", usr_Name="romeo.girard", presenceState=3, presenceMessage="Réunion & co")
        settle(client, app)
        assert {p.name for p in farm.phones if p.pushes} == {*SHOWING_64, "SEP0000000010AA"}
        farm.clear()
        rest.ok("members/editMember", usr_Name="maria.santos", gr_id=64, displayedGroup=45)  # both her phones
        rest.ok("members/setPresence", usr_Name="San.Zhang", presenceState=3, presenceMessage="Vlahović")
        settle(client, app)
        assert {p.name for p in farm.phones if p.pushes} == {*SHOWING_45, "SEP000000001081", "SEP0000000010AA"}


def test_a_phone_switched_to_a_group_nobody_showed_is_pushed_for_its_next_change(tmp_path, store, demo_data):
    """The write that switches a display names the phone's user, not the group it now shows: the group is found
    all the same, and gets the first picture later changes are compared with."""
    farm = PhoneFarm()
    farm.add("SEP000000001047")  # Tijana: a member of 45 that displays no group
    with pushing_app(tmp_path, store, farm) as (app, client):
        app.state.displays.changed()
        rest = Rest(client)
        gid = rest.ok("groups/addGroup", gr_name="Léonard & Co <Vlahović>").id
        rest.ok("members/editMember", usr_Name="Tijana.Vlahovic", gr_id=45, displayedGroup=gid)
        settle(client, app)
        assert farm.phone("SEP000000001047").pushes == []
        rest.ok("members/addMember", gr_id=gid, usr_Name="Rafael.Hidalgo", mb_number="1175")
        settle(client, app)
        assert len(farm.phone("SEP000000001047").pushes) == 1
