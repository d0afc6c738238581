"""The phone main menu's Groups menu walked like a Cisco phone does (tests/phoneclient.py over HTTP):
Create group, Edit group (name, manager group options, overflow, greeting, announcements, members
with the user list paged by 100, team member notifications, delete), Join group and Leave group,
with the visibility rules by privilege and role (manual, "Phone main menu" > "Groups"). Every
effect is proven through REST getGroups, getMembers and getAnnouncements; every refused input and
every stale id ends on a text screen that says so and changes nothing."""

from __future__ import annotations

import pytest

from phonesvc.domain.privileges import MAGROUP
from phonesvc.store import users as store_users
from tests.phoneclient import Phone
from tests.phonekit import MENU, check_softkeys, members_by_user, pbx, phone, service, user

__all__ = ["pbx", "phone"]  # fixtures

ADMIN_DEVICE = "SEPADMIN00001"
FANCY = "Équipe \"R&D\" <Nord> l'été"  # & < > " ' and accents; short enough for a Title
SETTINGS = ["Group name", "Manager group options", "Overflow", "Greeting", "Edit announcements",
            "Team member notifications", "Delete group"]


# ---- helpers -----------------------------------------------------------------------------------
def grant(store, user_name: str, *privileges: str) -> None:
    with store.write() as conn:
        store_users.set_privileges(conn, user(store, user_name).id, [(MAGROUP, p) for p in privileges])


def admin_phone(store, client, model: str = "CP-8865") -> Phone:
    """The demo admin (every privilege, no line) with a desk phone."""
    with store.write() as conn:
        store_users.add_device(conn, user(store, "admin").id, ADMIN_DEVICE, model)
    return Phone(client, ADMIN_DEVICE, model=model)


def groups_by_name(rest) -> dict[str, dict[str, str]]:
    return {g["name"]: g for g in rest("groups/getGroups").items("group")}


def group(rest, gid: int | str) -> dict[str, str]:
    found = rest("groups/getGroups", gr_id=gid).items("group")
    assert len(found) == 1, found
    return found[0]


def waves(rest, gid: int = 45) -> list[str]:
    items = rest("announcements/getAnnouncements", gr_id=gid).items("announcement")
    assert [a["priority"] for a in items] == [str(i) for i in range(1, len(items) + 1)], items
    return [a["wave"] for a in items]


def everything(rest) -> tuple:
    """All groups, all memberships and the demo group's announcements, to prove nothing changed."""
    return (rest("groups/getGroups").items("group"), rest("members/getMembers", "GET").items("member"),
            waves(rest, 45))


def refused(p: Phone, *words: str) -> None:
    """A clear text screen, never the catch-all error."""
    assert p.kind == "CiscoIPPhoneText", p.xml
    assert p.title not in ("Error", "Internal error"), p.text
    for word in words:
        assert word.casefold() in p.text.casefold(), (word, p.text)
    assert "Exit" in p.softkeys


def groups_menu(phone, line: str, model: str = "CP-8865") -> Phone:
    return phone(line, model).open(MENU).select("Groups")


# ---- who sees what -----------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["CP-7965G", "CP-8865"])
def test_groups_menu_by_privilege(phone, store, client, model):
    tijana = phone("1047", model).open(MENU)
    assert "Groups" in tijana.items  # Groups privilege
    tijana.select("Groups")
    assert tijana.kind == "CiscoIPPhoneMenu" and tijana.title == "Groups"
    assert tijana.items == ["Create group", "Edit group", "Join group", "Leave group"]
    check_softkeys(tijana)
    rafael = groups_menu(phone, "1175", model)  # MembersManagement without Groups: no Create group
    assert rafael.items == ["Edit group", "Join group", "Leave group"]
    check_softkeys(rafael)
    admin = admin_phone(store, client, model).open(MENU).select("Groups")
    assert admin.items == ["Create group", "Edit group", "Join group", "Leave group"]
    aradhana = phone("1068", model).open(MENU)
    assert "Groups" not in aradhana.items  # no privilege: no Groups menu at all


def test_without_privilege_every_groups_url_is_refused(phone, rest):
    before = everything(rest)
    p = phone("1068")  # Aradhana: no privilege, member of MA Group
    for url in (service("groups"), service("createGroup"), service("createGroupSave", role="member", name="X"),
                service("editGroup"), service("editGroup", gr=45), service("groupField", gr=45),
                service("saveGroup", gr=45, name="Hijacked"), service("saveGroup", gr=45, manager_timeout=5),
                service("overflowSave", gr=45, kind="number", number="123"), service("deleteGroup", gr=45, sure="yes"),
                service("announcementDo", gr=45, op="remove", an=1), service("members", gr=45),
                service("memberSave", gr=45, mb=2, op="remove"), service("addMember", gr=45),
                service("joinGroup", gr=64, role="manager"), service("leaveGroup", gr=45)):
        p.open(url)
        refused(p, "privilege")
    assert everything(rest) == before


# ---- Create group ------------------------------------------------------------------------------
def test_create_a_group_as_manager(phone, rest):
    p = groups_menu(phone, "1047").select("Create group")
    assert p.title == "Create group" and p.items == ["Join it as manager", "Join it as member"]
    p.select("Join it as manager")
    assert p.kind == "CiscoIPPhoneInput"
    assert [(i[1], i[3]) for i in p.inputs] == [("name", ""), ("short", "Tij"), ("line", "1047"), ("number", "")]
    check_softkeys(p)
    p.submit(name=FANCY, short="TijV", number="8975")
    assert p.kind == "CiscoIPPhoneText", p.xml
    assert p.text == f"Group {FANCY} was created with you as manager."
    new = groups_by_name(rest)[FANCY]
    assert new["number"] == "8975" and new["overflow"] == "-1"
    me = members_by_user(rest, new["id"])
    assert list(me) == ["Tijana.Vlahovic"]
    assert (me["Tijana.Vlahovic"]["type"], me["Tijana.Vlahovic"]["shortName"], me["Tijana.Vlahovic"]["number"]) == \
        ("1", "TijV", "1047")
    p.softkey("Back")  # the result screen leads to the new group's settings
    assert p.title == FANCY and "Manager group options" in p.items
    p.open(MENU).select("Groups").select("Edit group")
    assert p.items == ["MA Group", FANCY]  # she may edit her own groups, the new one included


def test_create_a_group_as_member(phone, rest):
    p = groups_menu(phone, "1047").select("Create group").select("Join it as member")
    p.submit(name="Back office")  # short name and line keep their defaults, no manager number
    assert p.text == "Group Back office was created with you as member."
    new = groups_by_name(rest)["Back office"]
    assert new["number"] == ""
    me = members_by_user(rest, new["id"])["Tijana.Vlahovic"]
    assert (me["type"], me["shortName"], me["number"]) == ("0", "Tij", "1047")


@pytest.mark.parametrize(("values", "words"), [
    ({"name": ""}, ("group name must not be empty",)),
    ({"name": "   "}, ("group name must not be empty",)),
    ({"name": "Fine", "short": "Tijana123"}, ("Tijana123", "1 to 8")),  # 9 characters
    ({"name": "ma group"}, ("already exists",)),  # names are unique regardless of case
    ({"name": "Fine", "number": "8974"}, ("manager number 8974",)),  # Support Team's
    ({"name": "x" * 101}, ("1 to 100",)),
])
def test_create_group_refuses_bad_input_and_changes_nothing(phone, rest, values, words):
    before = everything(rest)
    p = groups_menu(phone, "1047").select("Create group").select("Join it as manager").submit(**values)
    refused(p, *words, "nothing was changed")
    assert everything(rest) == before


def test_create_group_is_only_for_the_groups_privilege(phone, rest):
    before = everything(rest)
    p = phone("1175").open(service("createGroup"))  # MembersManagement only
    refused(p, "Groups")
    p.open(service("createGroupSave", role="manager", name="Rafael's", short="Raf", line="1175"))
    refused(p, "Groups")
    assert everything(rest) == before


def test_an_admin_without_a_line_cannot_create_a_group_without_one(store, client, rest, pbx):
    p = admin_phone(store, client).open(MENU).select("Groups").select("Create group").select("Join it as member")
    assert p.kind == "CiscoIPPhoneInput" and dict((i[1], i[3]) for i in p.inputs)["line"] == ""
    before = everything(rest)
    p.submit(name="Admins")
    refused(p, "no line")
    assert everything(rest) == before
    p.back().submit(name="Admins", line="1071")  # with a line typed in, it works
    assert p.text == "Group Admins was created with you as member."
    assert members_by_user(rest, groups_by_name(rest)["Admins"]["id"])["admin"]["number"] == "1071"


# ---- Edit group: which groups, which items -----------------------------------------------------
def test_edit_group_offers_own_groups_and_admin_all(phone, store, client, rest):
    p = groups_menu(phone, "1047").select("Edit group")
    assert p.title == "Edit group" and p.items == ["MA Group"]  # Groups: only her own groups
    p.select("MA Group")
    assert p.title == "MA Group" and p.items == SETTINGS  # no Edit members without MembersManagement
    check_softkeys(p)
    before = everything(rest)
    p.open(service("editGroup", gr=64))
    refused(p, "not one of your groups")
    p.open(service("saveGroup", gr=64, name="Taken over"))
    refused(p, "not one of your groups")
    assert everything(rest) == before
    admin = admin_phone(store, client).open(MENU).select("Groups").select("Edit group")
    assert admin.items == ["MA Group", "Support Team"]  # Admin: every group
    admin.select("Support Team")  # no manager, still Manager group options for Admin
    assert admin.items == [*SETTINGS[:5], "Edit members", *SETTINGS[5:]]


def test_manager_group_options_only_for_the_manager_and_admin(phone, store, rest):
    grant(store, "Leonard.Saligny", "Groups")  # Groups privilege, but an assistant in MA Group
    p = groups_menu(phone, "1118").select("Edit group").select("MA Group")
    assert p.items == [i for i in SETTINGS if i != "Manager group options"]
    before = everything(rest)
    p.open(service("managerOptions", gr=45))
    refused(p, "manager")
    for field, value in (("manager_timeout", "5"), ("assistant_timeout", "5"), ("number", "8999")):
        p.open(service("saveGroup", gr=45, **{field: value}))
        refused(p, "manager", "nothing was changed")
    assert everything(rest) == before
    p.open(service("saveGroup", gr=45, name="Renamed by Léonard"))  # the rest he may change
    assert p.text == "The group is now called Renamed by Léonard."
    assert group(rest, 45)["name"] == "Renamed by Léonard"


def test_members_management_alone_goes_straight_to_the_members(phone, rest):
    p = groups_menu(phone, "1175").select("Edit group")
    assert p.items == ["MA Group"]
    p.select("MA Group")
    assert p.title == "Edit members" and p.prompt == "MA Group"
    assert p.items == ["Tijana Vlahović (Manager) (Tij)", "Rafael Hidalgo (Raf)", "Aradhana Jaggi (Ara)",
                       "Léonard Saligny (Leo)", "San Zhang (San)", "Emilia Skjeggestad (Emi)", "Add member"]
    assert [i for i in p.items if "(Manager)" in i] == ["Tijana Vlahović (Manager) (Tij)"]  # the manager marked
    assert "Add" in p.softkeys
    check_softkeys(p)
    before = everything(rest)  # the group's settings are not his
    for url in (service("groupField", gr=45), service("saveGroup", gr=45, name="Rafael's"),
                service("managerOptions", gr=45), service("overflow", gr=45), service("greeting", gr=45),
                service("announcements", gr=45), service("announcementDo", gr=45, op="remove", an=1),
                service("notifications", gr=45), service("deleteGroup", gr=45, sure="yes")):
        p.open(url)
        refused(p, "Groups or Admin privilege")
    assert everything(rest) == before


# ---- Group name, manager options, notifications ------------------------------------------------
def test_rename_a_group(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Group name")
    assert p.kind == "CiscoIPPhoneInput" and p.inputs == [("Group name", "name", "A", "MA Group")]
    p.submit(name=f"  {FANCY}  ")
    assert p.text == f"The group is now called {FANCY}."
    assert group(rest, 45)["name"] == FANCY
    p.softkey("Back")
    assert p.title == FANCY
    p.open(MENU).select("Change group")
    assert FANCY in p.items[0]


@pytest.mark.parametrize(("name", "words"), [
    ("", ("group name must not be empty",)), ("support TEAM", ("already exists",)), ("y" * 101, ("1 to 100",))])
def test_rename_refuses_empty_duplicate_and_long_names(phone, rest, name, words):
    before = everything(rest)
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Group name").submit(name=name)
    refused(p, *words, "nothing was changed")
    assert everything(rest) == before


def test_manager_group_options(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Manager group options")
    assert p.kind == "CiscoIPPhoneInput"
    assert [(i[1], i[2], i[3]) for i in p.inputs] == [
        ("number", "T", "8973"), ("manager_timeout", "N", "30"), ("assistant_timeout", "N", "15")]
    p.submit(number="8980", manager_timeout="45", assistant_timeout="0")
    assert p.text == "The manager group options were saved."
    g = group(rest, 45)
    assert (g["number"], g["managerTimeout"], g["assistantTimeout"]) == ("8980", "45", "0")


@pytest.mark.parametrize(("values", "words"), [
    ({"manager_timeout": "99999"}, ("99999", "manager timeout", "0 to 3600")),
    ({"assistant_timeout": "3601"}, ("3601", "assistant timeout")),
    ({"manager_timeout": ""}, ("manager timeout must not be empty",)),
    ({"number": "8974"}, ("manager number 8974",)),  # Support Team's
    ({"number": "8981", "manager_timeout": "4000"}, ("4000",)),  # one bad value: the good one is not saved either
])
def test_manager_group_options_refuse_bad_values(phone, rest, values, words):
    before = everything(rest)
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Manager group options")
    p.submit(**values)
    refused(p, *words, "nothing was changed")
    assert everything(rest) == before


def test_a_bad_timeout_in_the_url_is_refused(phone, rest):
    before = everything(rest)
    p = phone("1047")
    for bad in ("-5", "abc", "1e3", "30 "):
        p.open(service("saveGroup", gr=45, manager_timeout=bad))
        if bad == "30 ":  # surrounding blanks are trimmed: the value did not change
            assert p.text == "The manager group options were saved."
        else:
            refused(p, "manager timeout", "nothing was changed")
    assert everything(rest) == before


def test_team_member_notifications(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Team member notifications")
    assert [(i[1], i[3]) for i in p.inputs] == [("mng_call_alarm", ""), ("assist_call_alarm", ""),
                                                ("mng_call_alarm_j", "Analog1.mp3"),
                                                ("assist_call_alarm_j", "Analog2.mp3")]
    p.submit(mng_call_alarm="Analog2.mp3", assist_call_alarm="Analog1.mp3", mng_call_alarm_j="")
    assert p.text == "The team member notifications were saved."
    g = group(rest, 45)
    assert (g["mngCallAlarm"], g["assistCallAlarm"], g["mngCallAlarmJ"], g["assistCallAlarmJ"]) == \
        ("Analog2.mp3", "Analog1.mp3", "", "Analog2.mp3")
    before = everything(rest)
    p.back().submit(mng_call_alarm="../../etc/passwd")
    refused(p, "manager tone", "nothing was changed")
    assert everything(rest) == before


# ---- Overflow and greeting ---------------------------------------------------------------------
def test_overflow_choices(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Overflow")
    assert p.title == "Overflow" and p.prompt == "Now: no overflow"
    assert p.items == ["<No Overflow>", "Busy", "Voicemail", "To number", "Support Team"]
    check_softkeys(p)
    p.select("Busy")
    assert p.text == "The overflow was saved." and group(rest, 45)["overflow"] == "-3"
    p.back()  # Back shows the overflow menu again, which tells the new setting
    assert p.title == "Overflow" and p.prompt == "Now: busy"
    p.select("To number")
    assert p.kind == "CiscoIPPhoneInput" and [(i[1], i[2]) for i in p.inputs] == [("number", "T")]
    p.submit(number="#41795551234")  # the phone has no +: a leading # becomes +
    assert p.text == "The overflow was saved."
    assert group(rest, 45)["overflow"] == "+41795551234"
    p.back().back()
    assert p.prompt == "Now: +41795551234"
    p.select("Voicemail").submit(number="81047")
    assert group(rest, 45)["overflow"] == "voicemail:81047"
    p.back().back().select("Voicemail").submit(number="#4179555")
    assert group(rest, 45)["overflow"] == "voicemail:+4179555"
    p.back().back().select("Support Team")
    assert group(rest, 45)["overflow"] == "group:64"
    p.back()
    assert p.prompt == "Now: Support Team"
    p.select("<No Overflow>")
    assert group(rest, 45)["overflow"] == "-1"


@pytest.mark.parametrize("number", ["", "12#34#" * 6, "#"])
def test_overflow_refuses_a_missing_or_bad_number(phone, rest, number):
    for kind in ("To number", "Voicemail"):
        before = everything(rest)
        p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Overflow").select(kind)
        p.submit(number=number)
        refused(p, "nothing was changed")
        assert everything(rest) == before


def test_overflow_to_a_deleted_group_is_refused(phone, store, client, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Overflow")
    admin = admin_phone(store, client).open(service("deleteGroup", gr=64, sure="yes"))
    assert admin.text == "Group Support Team was deleted."
    before = everything(rest)
    p.select("Support Team")  # the menu was shown before the deletion
    refused(p, "does not exist", "nothing was changed")
    assert everything(rest) == before


def test_greeting(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Greeting")
    assert p.title == "Greeting" and p.prompt == "Now: Welcome.wav"
    assert p.items == ["<No greeting>", "busy.wav", "music_synth.wav", "Welcome.wav"]  # the PCM folder
    p.select("music_synth.wav")
    assert p.text == "The greeting is now music_synth.wav." and group(rest, 45)["welcome"] == "music_synth.wav"
    p.back()
    assert p.prompt == "Now: music_synth.wav"
    p.select("<No greeting>")
    assert p.text == "The group has no greeting now." and group(rest, 45)["welcome"] == ""
    before = everything(rest)
    p.open(service("saveGroup", gr=45, welcome="../secret.wav"))
    refused(p, "greeting", "nothing was changed")
    assert everything(rest) == before


# ---- Announcements -----------------------------------------------------------------------------
def test_edit_announcements_add_remove_reorder(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Edit announcements")
    assert p.title == "Announcements"
    assert p.items == ["1. Welcome.wav", "2. busy.wav", "3. music_synth.wav", "Add announcement"]
    assert "Add" in p.softkeys
    check_softkeys(p)
    p.select("2. busy.wav")
    assert p.title == "busy.wav" and p.items == ["Move up", "Move down", "Remove"]
    p.select("Move up")
    assert p.text == "The announcements were saved."
    assert waves(rest) == ["busy.wav", "Welcome.wav", "music_synth.wav"]
    p.softkey("Back")  # back to the list, in the new order
    assert p.items == ["1. busy.wav", "2. Welcome.wav", "3. music_synth.wav", "Add announcement"]
    p.select("1. busy.wav").select("Move down")
    assert waves(rest) == ["Welcome.wav", "busy.wav", "music_synth.wav"]
    p.softkey("Back").select("3. music_synth.wav").select("Move down")  # the last stays last
    assert waves(rest) == ["Welcome.wav", "busy.wav", "music_synth.wav"]
    p.softkey("Back").select("1. Welcome.wav").select("Remove")
    assert waves(rest) == ["busy.wav", "music_synth.wav"]
    p.softkey("Back").softkey("Add")
    assert p.title == "Add announcement" and p.items == ["busy.wav", "music_synth.wav", "Welcome.wav"]
    p.select("Welcome.wav")
    assert waves(rest) == ["busy.wav", "music_synth.wav", "Welcome.wav"]
    p.softkey("Back").select("Add announcement").select("busy.wav")  # the same file twice is allowed
    assert waves(rest) == ["busy.wav", "music_synth.wav", "Welcome.wav", "busy.wav"]


def test_a_removed_announcement_gives_a_clear_text(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group").select("Edit announcements")
    p.select("3. music_synth.wav")
    stale = p.url
    p.select("Remove")
    assert waves(rest) == ["Welcome.wav", "busy.wav"]
    an = next(part for part in stale.split("&") if part.startswith("an=")).split("=")[1]
    before = everything(rest)
    p.open(stale)
    refused(p, "not in this group")
    for op in ("remove", "up", "down"):
        p.open(service("announcementDo", gr=45, an=an, op=op))
        refused(p, "nothing was changed")
    p.open(service("announcementDo", gr=45, op="add", wave="gone.wav"))
    refused(p, "not there any more")
    assert everything(rest) == before


# ---- Edit members ------------------------------------------------------------------------------
def test_edit_a_members_short_name_and_number_and_remove_them(phone, rest):
    p = groups_menu(phone, "1175").select("Edit group").select("MA Group").select("Léonard Saligny (Leo)")
    assert p.title == "Léonard Saligny"
    assert p.items == ["Short name: Leo", "Number: 1118", "Remove from group"]
    p.select("Short name: Leo")
    assert p.inputs == [("Short name", "short", "A", "Leo")]
    p.submit(short="Lé&<'\">")  # 7 characters
    assert p.text == "The member was saved."
    assert members_by_user(rest, 45)["Leonard.Saligny"]["shortName"] == "Lé&<'\">"
    p.softkey("Back")
    assert "Léonard Saligny (Lé&<'\">)" in p.items
    p.select("Léonard Saligny").select("Number: 1118")
    assert p.inputs == [("Number", "number", "T", "1118")]
    p.submit(number="1119")
    assert members_by_user(rest, 45)["Leonard.Saligny"]["number"] == "1119"
    p.softkey("Back").select("Léonard Saligny").select("Remove from group")
    assert p.text == "The member was removed."
    assert "Leonard.Saligny" not in members_by_user(rest, 45)
    p.softkey("Back")
    assert not any("Léonard" in i for i in p.items)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("Short name", "Leonardo1", ("Leonardo1", "1 to 8")),  # 9 characters
    ("Short name", "   ", ("enter a short name",)),
    ("Number", "", ("enter a short name or a number",)),
    ("Number", "1047", ("already has a member with number 1047",)),  # his own number in Support Team
])
def test_edit_members_refuses_bad_input(phone, rest, field, value, words):
    if value == "1047":  # a number the same user already has in another member
        rest.ok("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1047")
    before = everything(rest)
    p = groups_menu(phone, "1175").select("Edit group").select("MA Group").select("Léonard Saligny")
    p.select(f"{field}:")
    p.submit(**{p.inputs[0][1]: value})
    refused(p, *words, "nothing was changed")
    assert everything(rest) == before


def test_a_member_who_left_gives_a_clear_text(phone, rest):
    p = groups_menu(phone, "1175").select("Edit group").select("MA Group").select("San Zhang (San)")
    mb = members_by_user(rest, 45)["San.Zhang"]["id"]
    menu_url = p.url
    p.select("Short name: San")
    form = p
    form_url = p.url
    san = phone("1072").open(MENU).select("Change group")  # San leaves by the REST API meanwhile
    assert san.kind == "CiscoIPPhoneMenu"
    rest.ok("members/deleteMember", mb_id=mb, gr_id=45)
    before = everything(rest)
    form.submit(short="Sanny")
    refused(form, "no longer in the group", "Edit members")
    for url in (menu_url, form_url, service("memberSave", gr=45, mb=mb, op="remove"),
                service("memberEdit", gr=45, mb=mb, f="number"), service("members", gr=45, mb=999999),
                service("members", gr=45, mb="abc")):
        p.open(url)
        refused(p, "no longer in the group")
    assert everything(rest) == before


def test_add_member_pages_the_users_by_100(phone, store, rest):
    with store.write() as conn:
        for i in range(150):
            store_users.add_user(conn, f"page.user{i:03d}", first_name=f"Ünal{i:03d}", last_name="Zyx & <Co>",
                                 line_number=str(3000 + i))
    p = groups_menu(phone, "1175").select("Edit group").select("MA Group").softkey("Add")
    everyone = 23 + 150  # the demo's people with a line and the new ones; the admin has no line
    assert p.title == "Add member" and p.prompt == "Page 1 of 2"
    assert len(p.items) == 100 and p.items[0] == "Draxler Claudia"
    assert ">>" in p.softkeys and "<<" not in p.softkeys
    assert "Administrator Demo" not in p.items
    first_page = list(p.items)
    p.softkey(">>")
    assert p.prompt == "Page 2 of 2" and len(p.items) == everyone - 100
    assert "<<" in p.softkeys and ">>" not in p.softkeys
    assert not set(first_page) & set(p.items)
    assert p.items[-1] == "Zyx & <Co> Ünal149"
    p.softkey("<<")
    assert p.prompt == "Page 1 of 2" and p.items == first_page
    p.open(service("addMember", gr=45, page=7))  # a page past the end shows the last one
    assert p.prompt == "Page 2 of 2"
    p.select("Zyx & <Co> Ünal120")
    assert p.text == "Ünal120 Zyx & <Co> joined the group."
    added = members_by_user(rest, 45)["page.user120"]
    assert (added["number"], added["type"], added["index"]) == ("3120", "0", "7")
    p.softkey("Back")
    assert p.title == "Edit members" and "Ünal120 Zyx & <Co> (Una)" in p.items
    before = everything(rest)
    p.softkey("Add").softkey(">>").select("Zyx & <Co> Ünal120")  # twice: refused
    refused(p, "already in this group", "nothing was changed")
    p.open(service("addMemberSave", gr=45, user=999999))
    refused(p, "does not exist")
    p.open(service("addMemberSave", gr=45, user=user(store, "admin").id))
    refused(p, "no line number")
    assert everything(rest) == before


# ---- Delete group ------------------------------------------------------------------------------
def test_delete_a_group_and_its_stale_links(phone, rest):
    p = groups_menu(phone, "1047").select("Edit group").select("MA Group")
    settings_url = p.url
    p.select("Delete group")
    assert p.title == "Delete MA Group?" and p.items == ["No, keep it", "Yes, delete it"]
    p.select("No, keep it")
    assert p.title == "MA Group" and "MA Group" in groups_by_name(rest)
    p.select("Delete group").select("Yes, delete it")
    assert p.text == "Group MA Group was deleted."
    assert list(groups_by_name(rest)) == ["Support Team"]
    assert members_by_user(rest, 45) == {}
    before = everything(rest)
    for url in (settings_url, service("groupField", gr=45), service("saveGroup", gr=45, name="Back"),
                service("managerOptions", gr=45), service("overflow", gr=45),
                service("overflowSave", gr=45, kind="number", number="1"), service("greeting", gr=45),
                service("announcements", gr=45), service("announcementDo", gr=45, op="add", wave="busy.wav"),
                service("notifications", gr=45), service("deleteGroup", gr=45, sure="yes"),
                service("editGroup", gr=999999), service("editGroup", gr="x")):
        p.open(url)
        refused(p, "does not exist any more")
    rafael = phone("1175")
    for url in (service("members", gr=45), service("addMember", gr=45), service("addMemberSave", gr=45, user=1),
                service("memberSave", gr=45, mb=2, op="remove")):
        rafael.open(url)
        refused(rafael, "does not exist any more")
    p.open(service("joinGroup", gr=45, role="member"))
    refused(p, "does not exist any more")
    p.open(service("leaveGroup", gr=45))
    refused(p, "does not exist any more")
    assert everything(rest) == before
    p.open(service("editGroup"))
    refused(p, "no group you can edit")


# ---- Join and leave ----------------------------------------------------------------------------
def test_join_a_group_without_manager_as_manager(phone, rest):
    p = groups_menu(phone, "1047").select("Join group")
    assert p.title == "Join group" and p.items == ["Support Team"]  # not hers, no manager
    p.select("Support Team")
    assert p.title == "Join as" and p.items == ["Member", "Manager"]
    p.select("Manager")
    assert p.text == "You joined Support Team."
    me = members_by_user(rest, 64)["Tijana.Vlahovic"]
    assert (me["type"], me["number"]) == ("1", "1047")
    p.open(service("joinGroup"))
    refused(p, "no group you can join")
    rafael = groups_menu(phone, "1175").select("Join group")  # Support Team has a manager now
    refused(rafael, "no group you can join")


def test_join_a_group_without_manager_as_member(phone, rest):
    p = groups_menu(phone, "1175").select("Join group").select("Support Team").select("Member")
    assert p.text == "You joined Support Team."
    assert members_by_user(rest, 64)["Rafael.Hidalgo"]["type"] == "0"


def test_only_admin_joins_a_group_with_a_manager(phone, store, client, rest):
    grant(store, "Frederique.Voclain", "Groups")  # in Support Team only
    before = everything(rest)
    p = groups_menu(phone, "1113").select("Join group")
    refused(p, "no group you can join")  # MA Group has a manager
    p.open(service("joinGroup", gr=45, role="member"))
    refused(p, "has a manager", "administrators")
    p.open(service("joinGroup", gr=64))
    refused(p, "already in Support Team")
    assert everything(rest) == before
    with store.write() as conn:  # the admin needs a line to join with
        store_users.update_user(conn, user(store, "admin").id, line_number="1999")
    admin = admin_phone(store, client).open(MENU).select("Groups").select("Join group")
    assert admin.items == ["MA Group", "Support Team"]  # Admin: any group
    admin.select("MA Group")  # a group with a manager: joined as member at once
    assert admin.text == "You joined MA Group."
    assert members_by_user(rest, 45)["admin"]["type"] == "0"
    admin.open(service("joinGroup", gr=64, role="manager"))
    assert admin.text == "You joined Support Team."
    assert members_by_user(rest, 64)["admin"]["type"] == "1"


def test_joining_as_manager_where_someone_just_became_manager_is_refused(phone, rest):
    p = groups_menu(phone, "1175").select("Join group").select("Support Team")
    assert p.items == ["Member", "Manager"]
    rest.ok("members/addMember", gr_id=64, usr_Name="Tijana.Vlahovic", mb_number="1047", gm_type=1)
    before = everything(rest)
    p.select("Manager")
    refused(p, "has a manager")
    assert everything(rest) == before


def test_leave_a_group(phone, rest):
    p = groups_menu(phone, "1175").select("Leave group")
    assert p.title == "Leave group" and p.items == ["MA Group"]
    p.select("MA Group")
    assert p.text == "You left MA Group."
    assert "Rafael.Hidalgo" not in members_by_user(rest, 45)
    before = everything(rest)
    p.open(service("leaveGroup", gr=45))  # stale: he left already
    refused(p, "not in that group")
    p.open(service("leaveGroup"))
    refused(p, "not in any group")
    p.open(service("leaveGroup", gr=64))
    refused(p, "not in that group")
    assert everything(rest) == before


def test_a_manager_leaving_frees_the_group_for_others(phone, rest):
    groups_menu(phone, "1047").select("Leave group").select("MA Group")
    assert "Tijana.Vlahovic" not in members_by_user(rest, 45)
    p = groups_menu(phone, "1175").select("Join group")  # MA Group is his; Support Team has no manager
    assert p.items == ["Support Team"]
    p = phone("1047").open(service("groups")).select("Join group")  # both without manager, neither hers
    assert p.items == ["MA Group", "Support Team"]
    p.select("MA Group").select("Manager")
    assert members_by_user(rest, 45)["Tijana.Vlahovic"]["type"] == "1"


def test_a_user_in_no_group_with_the_groups_privilege_reaches_the_groups_menu(phone, store):
    grant(store, "Maria.Rossi", "Groups")  # in no group
    p = phone("1071").open(MENU)
    assert p.kind == "CiscoIPPhoneMenu" and "Groups" in p.items
