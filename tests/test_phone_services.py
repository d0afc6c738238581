"""The phone services walked like a Cisco phone does (tests/phoneclient.py over HTTP): main menu,
Change status, Set forwarding, Change group and the VIP list, with their effect proven on the
simulated PBX, the store and REST getMembers. Calls (transfer, pickup, direct call, 1 Button) are in
test_phone_calls.py, Toggle Diversion in test_phone_diversions.py, errors in test_phone_errors.py
and the crawl in test_phone_crawl.py."""

from __future__ import annotations

from phonesvc.domain.privileges import MAGROUP
from phonesvc.store import groups as store_groups
from phonesvc.store import users as store_users
from phonesvc.telephony import Forwarding
from tests.phoneclient import Phone
from tests.phonekit import EXT, MENU, check_softkeys, join, member_of, members_by_user, pbx, phone, service, user

__all__ = ["pbx", "phone"]  # fixtures


def rename(store, user_name: str, first: str) -> None:
    with store.write() as conn:
        store_users.update_user(conn, user(store, user_name).id, first_name=first)


def grant(store, user_name: str, *privileges: str) -> None:
    with store.write() as conn:
        store_users.set_privileges(conn, user(store, user_name).id, [(MAGROUP, p) for p in privileges])


# ---- main menu ---------------------------------------------------------------------------------
def test_main_menu_of_an_idle_manager(phone):
    p = phone("1047", "CP-7965G").open(MENU)
    assert p.kind == "CiscoIPPhoneMenu"
    assert p.title == "ManagerAssistant"
    assert p.prompt == "Tijana Vlahović"
    assert p.items[:3] == ["Change status", "Set forwarding", "Change group"]
    assert "Direct call" in p.items and "VIP list" in p.items
    assert "Transfer call" not in p.items and "Pickup calls" not in p.items  # no call anywhere
    assert p.softkeys == ["Select", "Exit"]
    check_softkeys(p)


def test_main_menu_follows_calls_and_privileges(pbx, phone):
    pbx.ring(EXT, "1047", "Support desk")
    boss = phone("1047").open(MENU)
    assert "Transfer call" in boss.items  # her own call rings
    assert "Pickup calls" not in boss.items  # nobody else's does
    rafael = phone("1175").open(MENU)
    assert "Pickup calls" in rafael.items and "Transfer call" not in rafael.items
    assert "VIP list" in rafael.items  # VIPList
    aradhana = phone("1068").open(MENU)
    assert "Pickup calls" in aradhana.items
    assert "VIP list" not in aradhana.items  # no privilege
    support = phone("1081").open(MENU)  # Support Team: the call is not theirs
    assert "Pickup calls" not in support.items and "Transfer call" not in support.items


def test_main_menu_of_a_user_in_no_group_says_so(phone):
    p = phone("1071").open(MENU)  # Maria Rossi
    assert p.kind == "CiscoIPPhoneText"
    assert "not a member of any group" in p.text
    assert "Exit" in p.softkeys


def test_main_menu_of_an_admin_in_no_group(pbx, phone, store, client):
    with store.write() as conn:
        store_users.add_device(conn, user(store, "admin").id, "SEPADMIN00001", "CP-8865")
    p = Phone(client, "SEPADMIN00001").open(MENU)
    assert p.kind == "CiscoIPPhoneMenu" and p.prompt == "Demo Administrator"
    assert {"Change status", "Set forwarding", "Direct call", "VIP list"} <= set(p.items)
    assert "Change group" not in p.items  # no phone number of his shows a group
    p.select("Change status")
    assert p.items == ["My status", "MA Group", "Support Team"]  # Admin: every group
    p.open(MENU).select("Set forwarding")
    assert p.title == "Team member forwarding" and p.items == ["MA Group", "Support Team"]
    p.select("Support Team").select("Romeo Girard").select("Voicemail")
    assert p.text == "Calls to Romeo Girard go to voicemail."
    assert pbx.forwarding("1083") == Forwarding("81083", voicemail=True)


def test_back_returns_to_the_previous_menu(phone):
    for model in ("CP-7965G", "CP-8865"):
        p = phone("1068", model).open(MENU).select("Set forwarding")
        assert p.title == "My forwarding"
        check_softkeys(p)
        p.softkey("Back")
        assert p.title == "ManagerAssistant", "Back must lead to the main menu, not out of the service"
        p.select("Change status").select("Away")
        assert p.kind == "CiscoIPPhoneInput"
        check_softkeys(p)
        p.softkey("Cancel")  # a form's own keys replace the phone's: Cancel leads back
        assert p.title == "My status"


def test_menus_stay_on_the_back_stack_and_results_do_not(phone):
    p = phone("1068").open(MENU)
    assert "expires" not in p.response.headers and p.response.headers["cache-control"] == "no-cache"
    assert p.response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert p.response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    p.select("Change status").select("Available")
    assert p.kind == "CiscoIPPhoneText"
    assert p.response.headers["expires"] == "Sat, 01 Jan 2000 00:00:00 GMT"  # an HTTP date in the past
    p.back()  # Back never repeats the action: it shows the menu the action was chosen from
    assert p.title == "My status"
    p.back()
    assert p.title == "ManagerAssistant"
    p.back()
    assert p.screen is None  # out of the service


# ---- Change status -----------------------------------------------------------------------------
def test_my_status_offers_four_states_and_a_message_only_for_away_busy_dnd(phone, rest):
    p = phone("1068").open(MENU).select("Change status")
    assert p.title == "My status"
    assert p.items == ["Available (current)", "Away", "Busy", "DND"]  # Unavailable cannot be chosen
    for state, code in (("Away", "1"), ("Busy", "3"), ("DND", "4")):
        p.open(service("changeStatus")).select(state)
        assert p.kind == "CiscoIPPhoneInput" and [i[1] for i in p.inputs] == ["msg"]
        assert "Submit" in p.softkeys
        p.submit(msg=f"Grüße & <{state}> “bis” 14:00")
        assert p.kind == "CiscoIPPhoneText" and p.title == "Status saved"
        assert f"Your status is now {state}: Grüße & <{state}> “bis” 14:00" == p.text
        me = members_by_user(rest, 45)["Aradhana.Jaggi"]
        assert (me["userState"], me["statusMessage"]) == (code, f"Grüße & <{state}> “bis” 14:00")
    p.open(service("changeStatus"))
    assert p.items == ["Available", "Away", "Busy", "DND (current)"]
    p.select("Available")  # no message for Available: saved at once
    assert p.kind == "CiscoIPPhoneText" and p.text == "Your status is now Available."
    me = members_by_user(rest, 45)["Aradhana.Jaggi"]
    assert (me["userState"], me["statusMessage"]) == ("0", "")


def test_unavailable_cannot_be_set_from_a_phone(phone, rest):
    p = phone("1068").open(service("saveStatus", state=6))
    assert p.kind == "CiscoIPPhoneText" and "Available, Away, Busy or DND" in p.text
    p.open(service("statusMessage", state=6))
    assert p.kind == "CiscoIPPhoneText"
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["userState"] == "0"


def test_team_member_status_with_teammate_status(phone, rest, store):
    rename(store, "San.Zhang", "Sän & <Co>")
    p = phone("1175").open(MENU).select("Change status")
    assert p.title == "MA Group"
    assert p.items[0] == "My status"
    assert p.items[1] == "Tijana Vlahović (Manager): Available"  # managers on top, marked
    assert "Sän & <Co> Zhang: Away" in p.items
    assert not any(i.startswith("Rafael") for i in p.items)  # himself: My status
    p.select("Sän & <Co> Zhang: Away")
    assert p.title == "Sän & <Co> Zhang"
    assert p.items == ["Available", "Away (current)", "Busy", "DND"]
    p.select("DND")
    assert p.inputs[0][3] == ""  # the old message belongs to Away
    p.submit(msg="Büro <ab 14:00> & zurück")
    assert p.text == "Status of Sän & <Co> Zhang is now DND: Büro <ab 14:00> & zurück"
    assert b"S\xc3\xa4n &amp; &lt;Co&gt; Zhang" in p.response.content
    members = members_by_user(rest, 45)
    assert (members["San.Zhang"]["userState"], members["San.Zhang"]["statusMessage"]) == (
        "4", "Büro <ab 14:00> & zurück")
    assert members["San.Zhang"]["firstName"] == "Sän & <Co>"
    assert members["Rafael.Hidalgo"]["userState"] == "0"  # his own is untouched


def test_team_status_lists_groups_first_when_in_several(phone, store, rest):
    join(store, 64, "Rafael.Hidalgo")
    p = phone("1175").open(service("teamStatus"))
    assert p.items == ["My status", "MA Group", "Support Team"]
    p.select("Support Team")
    assert p.items == ["My status", "Maria Santos: Available", "Chiyo Fujimoto: Available",
                       "Romeo Girard: Available", "Frédérique Voclain: Available"]
    p.select("Romeo Girard: Available").select("Busy").submit(msg="")
    assert p.text == "Status of Romeo Girard is now Busy."
    assert members_by_user(rest, 64)["romeo.girard"]["userState"] == "3"


def test_team_member_status_needs_teammate_status(phone, store, rest):
    san = user(store, "San.Zhang")
    p = phone("1068").open(service("teamStatus"))
    assert p.title == "My status"  # Team status without the privilege: only mine
    p.open(service("changeStatus", user=san.id))
    assert p.kind == "CiscoIPPhoneText" and "TeammateStatus" in p.text
    p.open(service("saveStatus", user=san.id, state=0))
    assert p.kind == "CiscoIPPhoneText" and "TeammateStatus" in p.text
    assert members_by_user(rest, 45)["San.Zhang"]["userState"] == "1"


def test_team_member_status_only_for_members_of_my_groups(phone, store, rest):
    outsider = user(store, "Maria.Rossi")
    p = phone("1175").open(service("saveStatus", user=outsider.id, state=4))
    assert p.kind == "CiscoIPPhoneText" and "not in one of your groups" in p.text
    p.open(service("changeStatus", user=999999))
    assert p.kind == "CiscoIPPhoneText" and "not in one of your groups" in p.text
    assert user(store, "Maria.Rossi").presence == 0


# ---- Set forwarding ----------------------------------------------------------------------------
TEAM_45 = ["Rafael Hidalgo", "Aradhana Jaggi", "Léonard Saligny", "San Zhang", "Emilia Skjeggestad"]


def test_forwarding_options_of_a_manager(phone):
    p = phone("1047").open(MENU).select("Set forwarding")
    assert p.items == ["My forwarding", "Team member forwarding"]  # TeammateStatus
    p.select("My forwarding")
    assert p.items == ["No forwarding", "Group", "Voicemail", "Mobile", "To number", *TEAM_45]


def test_forwarding_options_of_an_assistant_without_privileges(phone, store):
    p = phone("1068").open(MENU).select("Set forwarding")  # no TeammateStatus: straight to mine
    assert p.title == "My forwarding"
    team = ["Tijana Vlahović (Manager)", "Rafael Hidalgo", "Léonard Saligny", "San Zhang", "Emilia Skjeggestad"]
    assert p.items == ["No forwarding", "Voicemail", "Mobile", "To number", *team]  # no Group: not a manager
    with store.write() as conn:
        store_users.update_user(conn, user(store, "Aradhana.Jaggi").id, voicemail_number="", mobile_number="")
    p.open(service("setForwarding"))
    assert p.items == ["No forwarding", "To number", *team]
    for kind in ("voicemail", "mobile", "group"):
        p.open(service("saveForwarding", mb=member_of(store, "Aradhana.Jaggi").id, to=kind))
        assert p.kind == "CiscoIPPhoneText" and "not available" in p.text
    assert member_of(store, "Aradhana.Jaggi").id not in store.snapshot().forwarding


def test_manager_forwarding_is_stored_but_not_set_on_the_line(pbx, phone, rest):
    p = phone("1047").open(MENU).select("Set forwarding").select("My forwarding").select("To number")
    assert p.kind == "CiscoIPPhoneInput" and p.inputs[0][1:3] == ("number", "T")
    p.submit(number="#41795551234")  # a phone cannot type '+'
    assert p.kind == "CiscoIPPhoneText" and p.text == "Your calls are forwarded to +41795551234."
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == "+41795551234"
    assert pbx.forwarding("1047") is None  # application level only
    call = pbx.ring(EXT, "1047")
    assert pbx.legs("1047") == [(call, "incoming", "ringing", EXT)]  # the line still rings
    p.open(MENU).select("Set forwarding").select("My forwarding")
    assert p.prompt == "Now: to +41795551234"
    p.select("Group")
    assert p.text == "Your calls go to the first available assistant."
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == "Group"
    assert pbx.forwarding("1047") is None
    p.open(service("setForwarding", who="me")).select("Rafael Hidalgo")
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == "1175"
    assert pbx.forwarding("1047") is None
    p.open(service("setForwarding", who="me")).select("No forwarding")
    assert p.text == "Your calls are no longer forwarded."
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == ""
    assert pbx.forwarding("1047") is None


def test_assistant_forwarding_is_set_on_the_line_and_stored(pbx, phone, rest, store):
    p = phone("1175").open(MENU).select("Set forwarding").select("My forwarding")
    assert "Group" not in p.items
    p.select("Aradhana Jaggi")
    assert p.text == "Your calls are forwarded to 1068."
    assert pbx.forwarding("1175") == Forwarding("1068")
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["forwardDestination"] == "1068"
    call = pbx.ring(EXT, "1175", "Support desk")  # the PBX really forwards now
    assert pbx.legs("1175") == []
    assert pbx.legs("1068") == [(call, "incoming", "ringing", EXT)]
    p.open(service("setForwarding", who="me")).select("To number").submit(number="#41795550000")
    assert pbx.forwarding("1175") == Forwarding("+41795550000")
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["forwardDestination"] == "+41795550000"
    p.open(service("setForwarding", who="me")).select("Voicemail")
    assert pbx.forwarding("1175") == Forwarding("81175", voicemail=True)
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["forwardDestination"] == "81175"
    p.open(service("setForwarding", who="me")).select("Mobile")
    assert pbx.forwarding("1175") == Forwarding("+41795551175")
    p.open(service("setForwarding", who="me")).select("No forwarding")
    assert pbx.forwarding("1175") is None
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["forwardDestination"] == ""
    assert member_of(store, "Rafael.Hidalgo").id not in store.snapshot().forwarding


def test_team_member_forwarding(pbx, phone, rest, store):
    p = phone("1175").open(service("setForwarding")).select("Team member forwarding")
    assert p.title == "MA Group"
    assert p.items == ["Tijana Vlahović (Manager)", "Aradhana Jaggi", "Léonard Saligny", "San Zhang",
                       "Emilia Skjeggestad"]
    p.select("Tijana Vlahović (Manager)")
    assert p.title == "Tijana Vlahović" and "Group" in p.items
    p.select("Group")
    assert p.text == "Calls to Tijana Vlahović go to the first available assistant."
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == "Group"
    assert pbx.forwarding("1047") is None
    p.open(service("setForwarding", who="team")).select("Aradhana Jaggi").select("Mobile")
    assert pbx.forwarding("1068") == Forwarding("+41795551068")
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["forwardDestination"] == "+41795551068"
    # without TeammateStatus, only one's own
    tijana = member_of(store, "Tijana.Vlahovic")
    q = phone("1068").open(service("setForwarding", mb=tijana.id))
    assert q.kind == "CiscoIPPhoneText" and "TeammateStatus" in q.text
    q.open(service("saveForwarding", mb=tijana.id, to="none"))
    assert q.kind == "CiscoIPPhoneText" and "TeammateStatus" in q.text
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["forwardDestination"] == "Group"


def test_forwarding_lists_groups_first_when_in_several(pbx, phone, store):
    join(store, 64, "Rafael.Hidalgo")
    p = phone("1175").open(service("setForwarding", who="me"))
    assert p.items == ["No forwarding", "Voicemail", "Mobile", "To number", "MA Group", "Support Team"]
    p.select("Support Team")
    assert p.items == ["No forwarding", "Voicemail", "Mobile", "To number", "Maria Santos", "Chiyo Fujimoto",
                       "Romeo Girard", "Frédérique Voclain"]
    p.select("Chiyo Fujimoto")
    assert pbx.forwarding("1175") == Forwarding("1082")


def test_forwarding_the_pbx_refuses_is_not_stored(pbx, phone, rest, store):
    p = phone("1175").open(service("setForwarding", who="me")).select("To number").submit(number="1175")
    assert p.kind == "CiscoIPPhoneText" and "itself" in p.text
    assert pbx.forwarding("1175") is None
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["forwardDestination"] == ""
    p.open(service("saveForwarding", mb=member_of(store, "Rafael.Hidalgo").id, to="number", number="12ab"))
    assert p.kind == "CiscoIPPhoneText" and "phone number" in p.text
    stale = service("saveForwarding", mb=member_of(store, "Rafael.Hidalgo").id, to="member", target=999999)
    p.open(stale)
    assert p.kind == "CiscoIPPhoneText" and "no longer" in p.text
    assert pbx.forwarding("1175") is None


# ---- Change group ------------------------------------------------------------------------------
def test_change_group_sets_the_displayed_group(phone, rest):
    p = phone("1118").open(MENU).select("Change group")  # Léonard shows MA Group
    assert p.items == ["MA Group (shown)", "<No Group>"]
    p.select("<No Group>")
    assert p.text == "Your display shows no group."
    assert members_by_user(rest, 45)["Leonard.Saligny"]["displayedGroup"] == "0"
    p.open(service("changeGroup"))
    assert p.items == ["MA Group", "<No Group> (shown)"]
    p.select("MA Group")
    assert p.text == "Your display shows MA Group."
    assert members_by_user(rest, 45)["Leonard.Saligny"]["displayedGroup"] == "45"


def test_change_group_lists_every_group_of_the_user(phone, store, rest):
    join(store, 64, "Rafael.Hidalgo")
    p = phone("1175").open(service("changeGroup"))
    assert p.items == ["MA Group", "Support Team", "<No Group> (shown)"]
    p.select("Support Team")
    assert members_by_user(rest, 45)["Rafael.Hidalgo"]["displayedGroup"] == "64"


def test_change_group_lists_all_groups_for_admin(phone, store, rest):
    p = phone("1068").open(service("changeGroup"))
    assert p.items == ["MA Group", "<No Group> (shown)"]
    p.open(service("changeGroup", gr=64))  # not her group
    assert p.kind == "CiscoIPPhoneText" and "not available" in p.text
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["displayedGroup"] == "0"
    grant(store, "Aradhana.Jaggi", "Admin")
    p.open(service("changeGroup"))
    assert p.items == ["MA Group", "Support Team", "<No Group> (shown)"]
    p.select("Support Team")
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["displayedGroup"] == "64"
    for stale in ("999", "abc"):
        p.open(service("changeGroup", gr=stale))
        assert p.kind == "CiscoIPPhoneText" and "not available" in p.text
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["displayedGroup"] == "64"


# ---- VIP list ----------------------------------------------------------------------------------
def vip_numbers(rest, store, user_name: str) -> dict[str, str]:
    mb = member_of(store, user_name).id
    return {v["number"]: v["description"] for v in rest("vip/getVIPNumbers", "GET", mb_id=mb).items("VIPNumber")}


def test_vip_list_add_and_remove(phone, rest, store):
    p = phone("1175").open(MENU).select("VIP list")
    assert p.items == ["Add number", "Remove number"]
    p.select("Add number")  # one manager: straight to her list
    assert p.kind == "CiscoIPPhoneInput" and p.title == "VIP list of Tijana Vlahović"
    p.submit(number="#41795550000", text="Zoë & <Partner>")
    assert p.text == "+41795550000 is now a VIP of Tijana Vlahović."
    assert vip_numbers(rest, store, "Tijana.Vlahovic")["+41795550000"] == "Zoë & <Partner>"
    p.open(MENU).select("VIP list").select("Remove number")
    assert "+41795550000 Zoë & <Partner>" in p.items
    assert "0800123456 Support desk" in p.items
    p.select("+41795550000 Zoë & <Partner>")
    assert p.text == "+41795550000 was removed."
    assert "+41795550000" not in vip_numbers(rest, store, "Tijana.Vlahovic")
    assert "0800123456" in vip_numbers(rest, store, "Tijana.Vlahovic")
    p.open(service("vipAdd", mb=member_of(store, "Tijana.Vlahovic").id, number="12ab"))
    assert p.kind == "CiscoIPPhoneText" and "phone number" in p.text


def test_vip_list_needs_the_privilege(phone, rest, store):
    before = vip_numbers(rest, store, "Tijana.Vlahovic")
    boss = member_of(store, "Tijana.Vlahovic").id
    p = phone("1068")
    for url in (service("vipList"), service("vipList", op="add"), service("vipAdd", mb=boss, number="1234"),
                service("vipRemove", mb=boss, vn=1)):
        p.open(url)
        assert p.kind == "CiscoIPPhoneText" and "VIPList or Admin" in p.text, url
    assert vip_numbers(rest, store, "Tijana.Vlahovic") == before


def test_vip_list_for_admin_covers_every_manager(phone, rest, store, client):
    with store.write() as conn:
        sales = store_groups.add_group(conn, {"name": "Sales board", "number": "8975"})
        store_users.add_device(conn, user(store, "admin").id, "SEPADMIN00001", "CP-8865")
    join(store, sales, "Gil-dong.Hong", gm_type=1)
    p = phone("1175").open(service("vipList", op="add"))  # VIPList: the managers of his groups
    assert p.kind == "CiscoIPPhoneInput" and p.title == "VIP list of Tijana Vlahović"
    admin = Phone(client, "SEPADMIN00001")
    admin.open(MENU).select("VIP list").select("Add number")
    assert admin.items == ["Tijana Vlahović (Manager)", "Gil-dong Hong (Manager)"]
    admin.select("Gil-dong Hong (Manager)").submit(number="#12025550100", text="")
    assert vip_numbers(rest, store, "Gil-dong.Hong") == {"+12025550100": ""}
    assert "+12025550100" not in vip_numbers(rest, store, "Tijana.Vlahovic")
    stale = service("vipRemove", mb=member_of(store, "Gil-dong.Hong").id, vn=999999)
    admin.open(stale)
    assert admin.kind == "CiscoIPPhoneText" and "no longer on the list" in admin.text
