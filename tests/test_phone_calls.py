"""Transfer call, Pickup calls, Direct call and the 1 Button Service, walked like a phone with the
embedded PBX ringing real calls; every effect is checked on the simulator."""

from __future__ import annotations

import pytest

from phonesvc.store import groups as store_groups
from phonesvc.store import users as store_users
from tests.phoneclient import Phone
from tests.phonekit import EXT, MENU, ONE_BUTTON, check_softkeys, join, member_of, pbx, phone, service, user

__all__ = ["pbx", "phone"]  # fixtures


@pytest.fixture(params=["sim", "o2g"])
def pbx_kind(request) -> str:
    """Every flow on the simulator and on the O2G adapter (with the fake O2G)."""
    return request.param

EXT2 = "0311234567"
TEAM_45 = ["Tijana Vlahović (Manager)", "Aradhana Jaggi", "Léonard Saligny", "San Zhang", "Emilia Skjeggestad"]


def sales_board(store) -> int:
    """A second group with a manager (Gil-dong Hong) that Rafael also belongs to."""
    with store.write() as conn:
        gid = store_groups.add_group(conn, {"name": "Sales board", "number": "8975"})
    join(store, gid, "Gil-dong.Hong", gm_type=1)
    join(store, gid, "Rafael.Hidalgo")
    return gid


# ---- Transfer call -----------------------------------------------------------------------------
def test_transfer_needs_a_ringing_or_active_call(pbx, phone):
    p = phone("1175").open(service("transferCall"))
    assert p.kind == "CiscoIPPhoneText" and p.text == "You have no ringing or active call to transfer."
    call = pbx.call("1175", "1068")  # ringing out: nothing to transfer either
    p.open(service("transferCall"))
    assert p.kind == "CiscoIPPhoneText"
    assert "Transfer call" not in p.open(MENU).items
    assert pbx.legs("1175") == [(call, "outgoing", "ringing", "1068")]


def test_ringing_call_is_redirected_at_once(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    p = phone("1175", "CP-7965G").open(MENU).select("Transfer call")
    assert (p.title, p.prompt) == ("MA Group", "Transfer to")  # one call: straight to the members
    assert p.items == TEAM_45
    check_softkeys(p)
    p.select("Aradhana Jaggi")
    assert p.kind == "CiscoIPPhoneText"
    assert p.text == "The call from Support desk was redirected to Aradhana Jaggi."
    assert pbx.legs("1175") == []
    assert pbx.legs("1068") == [(call, "incoming", "ringing", EXT)]


def test_active_call_consultation_transfer_completes(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    pbx.answer(call, "1175")
    p = phone("1175", "CP-7965G").open(MENU).select("Transfer call").select("Tijana Vlahović (Manager)")
    assert p.kind == "CiscoIPPhoneText" and p.text.startswith("Consultation transfer is set up")
    assert p.softkeys == ["Complete", "Cancel", "Exit"]
    check_softkeys(p)
    (consult, *_), = [leg for leg in pbx.legs("1175") if leg[0] != call]
    assert pbx.legs("1175") == [(call, "incoming", "held", EXT), (consult, "outgoing", "ringing", "1047")]
    assert pbx.legs("1047") == [(consult, "incoming", "ringing", "1175")]
    pbx.answer(consult, "1047")  # the manager takes the consultation call
    p.softkey("Complete")
    assert p.text == "The call was transferred."
    assert pbx.legs("1175") == []
    assert [(c, state, remote) for c, _, state, remote in pbx.legs("1047")] == [(call, "active", EXT)]


def test_consultation_transfer_completes_while_the_destination_rings(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    pbx.answer(call, "1175")
    p = phone("1175").open(service("transferCall")).select("Aradhana Jaggi")
    assert p.softkeys == ["Exit", "Complete", "Cancel"]  # 88xx: Exit first
    check_softkeys(p)
    p.softkey("Complete")
    assert pbx.legs("1175") == []
    assert [(c, state, remote) for c, _, state, remote in pbx.legs("1068")] == [(call, "ringing", EXT)]


def test_consultation_transfer_cancel_returns_to_the_caller(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    pbx.answer(call, "1175")
    p = phone("1175").open(service("transferCall")).select("Tijana Vlahović (Manager)")
    p.softkey("Cancel")
    assert p.text == "The transfer was cancelled; you are back with your caller."
    assert pbx.legs("1175") == [(call, "incoming", "active", EXT)]
    assert pbx.legs("1047") == []
    p.open(service("completeTransfer", line="1175"))  # nothing held any more: the PBX says so
    assert p.kind == "CiscoIPPhoneText" and "no held call" in p.text


def test_no_consultation_while_another_call_is_held(pbx, phone, client, app):
    held = pbx.ring(EXT, "1175")
    pbx.answer(held, "1175")
    client.portal.call(app.state.telephony.hold, held, "1175")
    active = pbx.ring(EXT2, "1175")
    pbx.answer(active, "1175")
    p = phone("1175").open(service("transferCall")).select("Aradhana Jaggi")
    assert p.kind == "CiscoIPPhoneText" and "on hold" in p.text
    assert pbx.legs("1175") == [(held, "incoming", "held", EXT), (active, "incoming", "active", EXT2)]
    assert pbx.legs("1068") == []


def test_several_calls_are_listed_first(pbx, phone):
    first = pbx.ring(EXT, "1175", "Support desk")
    pbx.answer(first, "1175")
    second = pbx.ring(EXT2, "1175")  # call waiting
    p = phone("1175").open(MENU).select("Transfer call")
    assert (p.title, p.prompt) == ("Transfer call", "Which call?")
    assert p.items == ["Support desk (active)", f"{EXT2} (ringing)"]
    p.select(f"{EXT2} (ringing)").select("Léonard Saligny")
    assert p.text == f"The call from {EXT2} was redirected to Léonard Saligny."
    assert pbx.legs("1175") == [(first, "incoming", "active", EXT)]
    assert pbx.legs("1118") == [(second, "incoming", "ringing", EXT2)]


def test_transfer_lists_groups_first_when_in_several(pbx, phone, store):
    join(store, 64, "Rafael.Hidalgo")
    call = pbx.ring(EXT, "1175")
    p = phone("1175").open(service("transferCall"))
    assert p.items == ["MA Group", "Support Team"]
    p.select("Support Team")
    assert p.items == ["Maria Santos", "Chiyo Fujimoto", "Romeo Girard", "Frédérique Voclain"]
    p.select("Romeo Girard")
    assert pbx.legs("1083") == [(call, "incoming", "ringing", EXT)]


def test_transfer_with_stale_ids(pbx, phone, store):
    call = pbx.ring(EXT, "1175")
    p = phone("1175")
    p.open(service("transferCall", call="c999", line="1175"))
    assert p.kind == "CiscoIPPhoneText" and p.text == "That call has ended."
    p.open(service("transferCall", call=call, line="1175", gr=45, mb=999999))
    assert p.kind == "CiscoIPPhoneText" and "no longer in your group" in p.text
    p.open(service("transferCall", call=call, line="1175", gr=64, mb=member_of(store, "romeo.girard").id))
    assert p.kind == "CiscoIPPhoneText" and "no longer in your group" in p.text  # not his group
    p.open(service("completeTransfer", line="1047"))
    assert p.kind == "CiscoIPPhoneText" and "not yours" in p.text
    assert pbx.legs("1175") == [(call, "incoming", "ringing", EXT)]


def test_transfer_to_the_manager_names_her(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    p = phone("1175").open(service("transferCall")).select("Tijana Vlahović (Manager)")
    assert p.text == "The call from Support desk was redirected to Tijana Vlahović."
    assert pbx.legs("1047") == [(call, "incoming", "ringing", EXT)]


def test_transfer_the_pbx_refuses_says_why(pbx, phone):
    call = pbx.ring(EXT, "1175")
    pbx.set_in_service("1068", False)
    p = phone("1175").open(service("transferCall")).select("Aradhana Jaggi")
    assert p.kind == "CiscoIPPhoneText" and p.title == "Phone system"
    assert "1068 is out of service" in p.text
    assert pbx.legs("1175") == [(call, "incoming", "ringing", EXT)]


# ---- Pickup calls ------------------------------------------------------------------------------
def test_pickup_needs_a_ringing_team_call(pbx, phone):
    p = phone("1068").open(service("pickupCalls"))
    assert p.kind == "CiscoIPPhoneText" and p.text == "No call of your team is ringing."
    pbx.ring(EXT, "1081")  # Support Team: not hers
    answered = pbx.ring(EXT2, "1175")
    pbx.answer(answered, "1175")  # no longer ringing
    assert p.open(service("pickupCalls")).kind == "CiscoIPPhoneText"
    assert "Pickup calls" not in p.open(MENU).items


def test_pickup_lists_calls_to_managers_first_and_moves_the_call(pbx, phone):
    to_rafael = pbx.ring(EXT2, "1175", "Hotline")
    to_boss = pbx.ring(EXT, "1047")
    p = phone("1068", "CP-7965G").open(MENU).select("Pickup calls")
    assert p.items == [f"{EXT} -> Tij", "Hotline -> Raf"]  # <caller> -> <short name>, managers first
    check_softkeys(p)
    p.select("Hotline -> Raf")
    assert p.text == "You picked up the call from Hotline for Raf."
    assert pbx.legs("1175") == []
    assert pbx.legs("1068") == [(to_rafael, "incoming", "active", EXT2)]
    assert pbx.legs("1047") == [(to_boss, "incoming", "ringing", EXT)]
    p.open(MENU).select("Pickup calls").select(f"{EXT} -> Tij")
    assert pbx.legs("1047") == []
    assert pbx.legs("1068") == [(to_rafael, "incoming", "held", EXT2), (to_boss, "incoming", "active", EXT)]


def test_pickup_does_not_offer_my_own_outgoing_call(pbx, phone):
    pbx.call("1068", "1175")  # Aradhana calls Rafael: it rings at Rafael, but it is her call
    p = phone("1068").open(MENU)
    assert "Pickup calls" not in p.items
    assert p.open(service("pickupCalls")).kind == "CiscoIPPhoneText"
    assert "Pickup calls" in phone("1118").open(MENU).items  # Léonard may take it


def test_pickup_of_a_call_that_stopped_ringing(pbx, phone):
    call = pbx.ring(EXT, "1175")
    p = phone("1068").open(MENU).select("Pickup calls")
    pbx.answer(call, "1175")
    pbx.ring(EXT2, "1118")
    p.select(1)  # the list was shown before Rafael answered
    assert p.kind == "CiscoIPPhoneText" and p.text == "That call is no longer ringing."
    assert pbx.legs("1175") == [(call, "incoming", "active", EXT)]


def test_pickup_the_pbx_refuses_says_why(pbx, phone):
    call = pbx.ring(EXT, "1175")
    pbx.set_in_service("1068", False)
    p = phone("1068").open(service("pickupCalls")).select(1)
    assert p.kind == "CiscoIPPhoneText" and "1068 is out of service" in p.text
    assert pbx.legs("1175") == [(call, "incoming", "ringing", EXT)]


# ---- Direct call -------------------------------------------------------------------------------
def test_direct_call_dials_a_member(phone):
    p = phone("1068").open(MENU).select("Direct call")
    assert p.title == "MA Group"
    assert p.items == ["Tijana Vlahović (Manager)", "Rafael Hidalgo", "Léonard Saligny", "San Zhang",
                       "Emilia Skjeggestad"]
    p.select("Rafael Hidalgo")
    assert p.dialled == "1175"
    assert p.title == "MA Group"  # a Dial: URI leaves the screen as it was
    p.select("Tijana Vlahović (Manager)")
    assert p.dialled == "1047"
    boss = phone("1047").open(service("directCall"))
    assert boss.items == ["Rafael Hidalgo", "Aradhana Jaggi", "Léonard Saligny", "San Zhang", "Emilia Skjeggestad"]


def test_direct_call_groups_first_and_managers_on_top(phone, store):
    join(store, 64, "Rafael.Hidalgo")
    join(store, 64, "Maria.Rossi", gm_type=1)  # the manager is last in the list
    p = phone("1175").open(service("directCall"))
    assert p.items == ["MA Group", "Support Team"]
    p.select("Support Team")
    assert p.items == ["Maria Rossi (Manager)", "Maria Santos", "Chiyo Fujimoto", "Romeo Girard",
                       "Frédérique Voclain"]
    p.select("Maria Rossi (Manager)")
    assert p.dialled == "1071"


def test_direct_call_covers_every_group_for_admin(phone, store, client):
    with store.write() as conn:
        store_users.add_device(conn, user(store, "admin").id, "SEPADMIN00001", "CP-8865")
    p = Phone(client, "SEPADMIN00001").open(MENU).select("Direct call")
    assert p.items == ["MA Group", "Support Team"]
    p.select("Support Team").select("Chiyo Fujimoto")
    assert p.dialled == "1082"


# ---- 1 Button Service --------------------------------------------------------------------------
def test_one_button_in_a_call_transfers_it_to_the_manager(pbx, phone):
    call = pbx.ring(EXT, "1175", "Support desk")
    pbx.answer(call, "1175")
    p = phone("1175").open(ONE_BUTTON)
    assert p.kind == "CiscoIPPhoneText"
    assert p.text == "The call from Support desk was transferred to Tijana Vlahović."
    assert pbx.legs("1175") == []
    assert [(c, state, remote) for c, _, state, remote in pbx.legs("1047")] == [(call, "ringing", EXT)]


def test_one_button_picks_up_a_call_ringing_at_the_manager(pbx, phone):
    call = pbx.ring(EXT, "1047", "Support desk")
    p = phone("1175").open(ONE_BUTTON)
    assert p.text == "You picked up the call from Support desk for Tijana Vlahović."
    assert pbx.legs("1047") == []
    assert pbx.legs("1175") == [(call, "incoming", "active", EXT)]


def test_one_button_otherwise_calls_the_manager(pbx, phone):
    p = phone("1175").open(ONE_BUTTON)
    assert p.text == "Calling Tijana Vlahović (1047)."
    (call, *_), = pbx.legs("1175")
    assert pbx.legs("1175") == [(call, "outgoing", "ringing", "1047")]
    assert pbx.legs("1047") == [(call, "incoming", "ringing", "1175")]


def test_one_button_pressed_again_while_calling_the_manager(pbx, phone):
    p = phone("1175").open(ONE_BUTTON)
    legs = pbx.legs("1175")
    p.open(ONE_BUTTON)
    assert p.kind == "CiscoIPPhoneText" and p.text == "You are already calling Tijana Vlahović."
    assert pbx.legs("1175") == legs and len(pbx.legs("1047")) == 1


def test_one_button_a_call_of_mine_comes_before_the_managers_ringing_call(pbx, phone):
    mine = pbx.ring(EXT, "1175")
    pbx.answer(mine, "1175")
    hers = pbx.ring(EXT2, "1047")
    phone("1175").open(ONE_BUTTON)
    assert pbx.legs("1175") == []
    assert sorted(c for c, *_ in pbx.legs("1047")) == sorted([mine, hers])


def test_one_button_lists_the_managers_first_when_several(pbx, phone, store):
    sales_board(store)
    p = phone("1175").open(ONE_BUTTON)
    assert p.kind == "CiscoIPPhoneMenu"
    assert p.items == ["Tijana Vlahović (Manager)", "Gil-dong Hong (Manager)"]
    assert pbx.legs("1175") == []  # nothing happens before a choice
    p.select("Gil-dong Hong (Manager)")
    assert p.text == "Calling Gil-dong Hong (1076)."
    assert [leg[1:] for leg in pbx.legs("1076")] == [("incoming", "ringing", "1175")]
    p.open(service("oneButton", mb=member_of(store, "San.Zhang").id))  # not a manager
    assert p.kind == "CiscoIPPhoneText" and "no longer in your groups" in p.text


def test_one_button_without_a_manager_or_a_working_line(pbx, phone):
    p = phone("1081").open(ONE_BUTTON)  # Support Team has no manager
    assert p.kind == "CiscoIPPhoneText" and "has a manager" in p.text
    p = phone("1047").open(ONE_BUTTON)  # the manager herself
    assert p.kind == "CiscoIPPhoneText" and "You are the manager" in p.text
    pbx.set_in_service("1175", False)
    p = phone("1175").open(ONE_BUTTON)
    assert p.kind == "CiscoIPPhoneText" and p.title == "Phone system" and "1175 is out of service" in p.text
    assert pbx.legs("1047") == []
