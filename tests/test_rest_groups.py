"""REST group management: addGroup, deleteGroup, editGroup, getGroups (REST manual, "Group management
functions"), checked the way a user of the manual's curl examples would notice."""

from __future__ import annotations

import pytest

from tests.conftest import MA_BASE, parse_reply, raw_form, response_tags

# The <group> children in the order the manual's getGroups example shows them.
GROUP_ELEMENTS = [
    "id", "name", "welcome", "ringParallel", "number", "managerTimeout", "assistantTimeout", "overflow",
    "showVIPCall", "VIPCallsRouting", "assistantToMng", "showCalls", "callerName", "callerNumber",
    "mngCallAlarm", "assistCallAlarm", "VIPThreshold", "mngCallAlarmJ", "assistCallAlarmJ",
]

# What addGroup stores for every parameter that is not sent ("Default value: ..." in the manual).
DEFAULTS = {
    "welcome": "", "ringParallel": "0", "number": "", "managerTimeout": "0", "assistantTimeout": "0",
    "overflow": "-1", "showVIPCall": "1", "VIPCallsRouting": "0", "assistantToMng": "0", "showCalls": "1",
    "callerName": "", "callerNumber": "", "mngCallAlarm": "", "assistCallAlarm": "", "VIPThreshold": "5",
    "mngCallAlarmJ": "", "assistCallAlarmJ": "",
}

HUGE = str(10**30)
BAD_IDS = ["999", "abc", "-1", "-45", "0", HUGE, "4 5", "45abc", "4.5"]
SHOW_VIP_SPELLINGS = ["gr_showVIPCall", "gr_showVIPcall"]  # the manual uses both


def post_raw(client, function: str, body: bytes | str, method: str = "POST"):
    return raw_form(client, f"groups/{function}", body, method)


def group(rest, gid) -> dict[str, str]:
    groups = rest("groups/getGroups", gr_id=gid).items("group")
    assert len(groups) == 1, groups
    return groups[0]


def all_groups(rest) -> list[dict[str, str]]:
    return rest("groups/getGroups").items("group")


def names(rest, **filters) -> list[str]:
    return [g["name"] for g in rest("groups/getGroups", **filters).items("group")]


def add(rest, name: str, **params) -> str:
    reply = rest("groups/addGroup", gr_name=name, **params)
    assert reply.status == "OK", (name, params, reply.status)
    assert reply.id and reply.id.isdigit()
    return reply.id


def member(rest, user: str, gr_id) -> dict[str, str]:
    found = rest("members/getMembers", usr_Name=user, gr_id=gr_id).items("member")
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------------- addGroup


def test_add_group_manual_example(client, rest):
    # The manual's request; the two masks are sent percent-encoded as the manual's getGroups shows them.
    body = ("gr_name=groupName&gr_welcome=Welcome.wav&gr_ringParallel=1&gr_number=555&gr_managerTimeout=10"
            "&gr_assistantTimeout=10&gr_overflow=4321&gr_showVIPCall=2&gr_assistantToMng=1&gr_showCalls=0"
            "&gr_mngCallAlarm=Harp.wav&gr_assistCallAlarm=Analog.wav&gr_VIPThreshold=3"
            "&gr_mngCallAlarmJ=Analog1.mp3&gr_assistCallAlarmJ=Analog2.mp3"
            "&gr_callerName=%25managerShortName%25**%25callerName%25"
            "&gr_callerNumber=%25managerNumber%25**%25callerNumber%25")
    reply = post_raw(client, "addGroup", body)
    assert reply.http.status_code == 200
    assert reply.request == "addGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "OK"
    assert reply.id.isdigit()
    assert group(rest, reply.id) == {
        "id": reply.id, "name": "groupName", "welcome": "Welcome.wav", "ringParallel": "1", "number": "555",
        "managerTimeout": "10", "assistantTimeout": "10", "overflow": "4321", "showVIPCall": "2",
        "VIPCallsRouting": "0", "assistantToMng": "1", "showCalls": "0",
        "callerName": "%managerShortName%**%callerName%", "callerNumber": "%managerNumber%**%callerNumber%",
        "mngCallAlarm": "Harp.wav", "assistCallAlarm": "Analog.wav", "VIPThreshold": "3",
        "mngCallAlarmJ": "Analog1.mp3", "assistCallAlarmJ": "Analog2.mp3",
    }


def test_add_group_defaults_are_the_manuals(rest):
    gid = add(rest, "Accounting")
    assert group(rest, gid) == {"id": gid, "name": "Accounting", **DEFAULTS}


def test_add_group_ids_are_new_and_distinct(rest, demo_data):
    a = add(rest, "First")
    b = add(rest, "Second")
    assert a != b
    assert {a, b}.isdisjoint({"45", "64"})
    assert [g["id"] for g in all_groups(rest)] == sorted(["45", "64", a, b], key=int)


@pytest.mark.parametrize("spelling", SHOW_VIP_SPELLINGS)
@pytest.mark.parametrize("value,stored", [
    ("0", "0"), ("manager", "0"), ("1", "1"), ("all", "1"), ("2", "2"), ("marked", "2"), ("MARKED", "2"),
])
def test_add_group_show_vip_call_words(rest, spelling, value, stored):
    gid = add(rest, "VIP", **{spelling: value})
    assert group(rest, gid)["showVIPCall"] == stored


@pytest.mark.parametrize("spelling", SHOW_VIP_SPELLINGS)
@pytest.mark.parametrize("value", ["3", "-1", "vip", "yes"])
def test_add_group_show_vip_call_bad_values(rest, spelling, value):
    reply = rest("groups/addGroup", gr_name="VIP", **{spelling: value})
    assert reply.status == "INVALID_PARAMETERS"
    assert names(rest) == []


@pytest.mark.parametrize("value,stored", [
    ("-1", "-1"), ("-3", "-3"), ("busy", "-3"), ("BUSY", "-3"), ("voicemail:123", "voicemail:123"),
    ("4321", "4321"), ("+41795551047", "+41795551047"),
])
def test_add_group_overflow_words(rest, value, stored):
    gid = add(rest, "Overflowing", gr_overflow=value)
    assert group(rest, gid)["overflow"] == stored


def test_add_group_overflow_to_an_existing_group(rest, demo_data):
    gid = add(rest, "Backup", gr_overflow="group:45")
    assert group(rest, gid)["overflow"] == "group:45"


@pytest.mark.parametrize("value", ["abc", "-2", "voicemail:", "voicemail:abc", "group:999", "group:abc",
                                   "group:-1", "12 34", "busy!"])
def test_add_group_overflow_bad_values(rest, demo_data, value):
    reply = rest("groups/addGroup", gr_name="Overflowing", gr_overflow=value)
    assert reply.status == "INVALID_PARAMETERS"
    assert names(rest, gr_name="Overflowing") == []


@pytest.mark.parametrize("param,value,element,stored", [
    ("gr_ringParallel", "1", "ringParallel", "1"),
    ("gr_ringParallel", "0", "ringParallel", "0"),
    ("gr_assistantToMng", "1", "assistantToMng", "1"),
    ("gr_showCalls", "0", "showCalls", "0"),
    ("gr_managerTimeout", "25", "managerTimeout", "25"),
    ("gr_assistantTimeout", "0", "assistantTimeout", "0"),
    ("gr_VIPCallsRouting", "2", "VIPCallsRouting", "2"),
    ("gr_VIPThreshold", "0", "VIPThreshold", "0"),
    ("gr_VIPThreshold", "6", "VIPThreshold", "6"),
    ("gr_number", "5555", "number", "5555"),
    ("gr_welcome", "Willkommen.wav", "welcome", "Willkommen.wav"),
    ("gr_callerNumber", "0%callerNumber%", "callerNumber", "0%callerNumber%"),
    ("gr_callerName", "%callerName% (MA)", "callerName", "%callerName% (MA)"),
])
def test_add_group_stores_each_value(rest, param, value, element, stored):
    gid = add(rest, "Values", **{param: value})
    got = group(rest, gid)
    assert got[element] == stored
    others = {k: v for k, v in got.items() if k not in ("id", "name", element)}
    assert others == {k: v for k, v in DEFAULTS.items() if k != element}


def test_add_group_parameter_names_are_case_insensitive(client, rest):
    reply = post_raw(client, "addGroup", "GR_NAME=Shouting&gr_RINGPARALLEL=1&Gr_VipThreshold=2"
                                         "&gr_showcalls=0&GR_OVERFLOW=busy")
    assert reply.status == "OK"
    got = group(rest, reply.id)
    assert (got["name"], got["ringParallel"], got["VIPThreshold"], got["showCalls"], got["overflow"]) == (
        "Shouting", "1", "2", "0", "-3")


@pytest.mark.parametrize("params", [{}, {"gr_name": ""}, {"gr_name": "   "}, {"gr_number": "5555"}])
def test_add_group_parameter_missing(rest, params):
    reply = rest("groups/addGroup", **params)
    assert reply.request == "addGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "PARAMETER_MISSING"
    assert not reply.id
    assert all_groups(rest) == []


@pytest.mark.parametrize("name", ["MA Group", "ma group", "MA GROUP", "mA gRoUp", " MA Group "])
def test_add_group_name_already_exists_case_insensitively(rest, demo_data, name):
    reply = rest("groups/addGroup", gr_name=name)
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "ALREADY_EXISTS"
    assert names(rest) == ["MA Group", "Support Team"]


def test_add_group_accented_name_already_exists_case_insensitively(rest):
    add(rest, "Équipe Léonard Vlahović")
    assert rest("groups/addGroup", gr_name="équipe LÉONARD VLAHOVIĆ").status == "ALREADY_EXISTS"
    assert names(rest) == ["Équipe Léonard Vlahović"]


def test_add_group_manager_number_already_used(rest, demo_data):
    reply = rest("groups/addGroup", gr_name="Another manager", gr_number="8973")  # MA Group's number
    assert reply.status == "ALREADY_EXISTS"
    assert names(rest) == ["MA Group", "Support Team"]


def test_add_group_empty_manager_number_is_not_a_duplicate(rest):
    add(rest, "One")
    add(rest, "Two", gr_number="")
    assert [g["number"] for g in all_groups(rest)] == ["", ""]


@pytest.mark.parametrize("params", [
    {"gr_ringParallel": "2"},
    {"gr_ringParallel": "yes"},
    {"gr_assistantToMng": "2"},
    {"gr_showCalls": "true"},
    {"gr_managerTimeout": "-1"},
    {"gr_managerTimeout": "abc"},
    {"gr_managerTimeout": "1.5"},
    {"gr_managerTimeout": HUGE},
    {"gr_assistantTimeout": "-5"},
    {"gr_assistantTimeout": "ten"},
    {"gr_overflow": "abc"},
    {"gr_VIPCallsRouting": "3"},
    {"gr_VIPThreshold": "-1"},
    {"gr_VIPThreshold": "high"},
    {"gr_callerNumber": "abc%callerNumber%"},
    {"gr_callerNumber": "%callerName%"},
    {"gr_number": "12ab"},
    {"gr_number": "55 55"},
    {"gr_welcome": "../evil.wav"},
    {"gr_mngCallAlarm": "a/b.raw"},
    {"gr_assistCallAlarmJ": "..\\x.mp3"},
    {"gr_colour": "red"},
    {"gr_name2": "x"},
    {"gr_name": "x" * 101},
    {"gr_name": "bell\x07"},
    {"gr_name": "nul\x00"},
])
def test_add_group_invalid_parameters(rest, demo_data, params):
    params = {"gr_name": "Rejected", **params}
    reply = rest("groups/addGroup", **params)
    assert reply.request == "addGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "INVALID_PARAMETERS", params
    assert names(rest) == ["MA Group", "Support Team"]


def test_add_group_parameter_twice_with_different_values(client, rest):
    reply = post_raw(client, "addGroup", "gr_name=Twice&gr_showCalls=0&gr_showCalls=1")
    assert reply.status == "INVALID_PARAMETERS"
    reply = post_raw(client, "addGroup", "gr_name=One&gr_name=Other")
    assert reply.status == "INVALID_PARAMETERS"
    reply = post_raw(client, "addGroup", "gr_name=One&GR_NAME=Other")
    assert reply.status == "INVALID_PARAMETERS"
    assert all_groups(rest) == []


def test_add_group_parameter_twice_with_the_same_value(client, rest):
    reply = post_raw(client, "addGroup", "gr_name=Twice&gr_showCalls=0&gr_showCalls=0")
    assert reply.status == "OK"
    assert group(rest, reply.id)["showCalls"] == "0"


def test_add_group_is_post_only(client, rest):
    reply = rest("groups/addGroup", method="GET", gr_name="Through GET")
    assert reply.http.status_code == 405
    assert reply.request == "addGroup"
    assert reply.status == "METHOD_NOT_ALLOWED"
    assert "POST" in reply.http.headers["allow"]
    assert all_groups(rest) == []


def test_add_group_invalid_utf8_is_refused(client, rest):
    reply = post_raw(client, "addGroup", b"gr_name=%FF%FE")
    assert reply.status == "INVALID_PARAMETERS"
    reply = post_raw(client, "addGroup", b"gr_name=caf\xe9")
    assert reply.status == "INVALID_PARAMETERS"
    assert all_groups(rest) == []


# ----------------------------------------------------------------------------------- text round trips

SPECIAL_NAMES = [
    "Tom & Jerry",
    "<Sales> \"Team\" 'A'",
    "R&D <intern> & \"ext\"",
    "Léonard Saligny",
    "Tijana Vlahović",
    "Gärtner Müller Straße",
    "Support 📞 Team 🎉",
    "日本語のグループ",
    "a&amp;b",
    "%managerShortName% 100%",
    "'; DROP TABLE groups; --",
]


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_group_name_round_trips_exactly(rest, name):
    gid = add(rest, name)
    assert group(rest, gid)["name"] == name
    assert names(rest) == [name]
    assert names(rest, gr_name=name) == [name]


def test_raw_xml_uses_named_entities(rest):
    name = "Tom & Jerry <\"Sales\"> 'R&D' Vlahović 🎉"
    caller_name = "<%callerName%> & \"%managerShortName%\""
    gid = add(rest, name, gr_callerName=caller_name)
    reply = rest("groups/getGroups", gr_id=gid)
    raw = reply.http.content
    assert ("<name>Tom &amp; Jerry &lt;&quot;Sales&quot;&gt; &apos;R&amp;D&apos; Vlahović 🎉</name>"
            .encode()) in raw
    assert b"<callerName>&lt;%callerName%&gt; &amp; &quot;%managerShortName%&quot;</callerName>" in raw
    assert b"&#" not in raw  # no numeric character references: the text is sent as UTF-8
    got = reply.items("group")[0]
    assert got["name"] == name
    assert got["callerName"] == caller_name


# ------------------------------------------------------------------------------------------- getGroups


def test_get_groups_manual_example(rest, demo_data):
    add(rest, "1st level support", gr_welcome="Welcome.wav", gr_number="5544", gr_managerTimeout="10",
        gr_assistantTimeout="10", gr_overflow="5555", gr_callerName="%managerShortName%**callerName%",
        gr_mngCallAlarm="Analog1.raw", gr_assistCallAlarm="Analog2.raw", gr_mngCallAlarmJ="Analog1.mp3",
        gr_assistCallAlarmJ="Analog2.mp3")
    add(rest, "2nd level support")
    add(rest, "Accounting")
    add(rest, "Internal support")
    reply = rest("groups/getGroups", gr_name="support")
    assert reply.http.status_code == 200
    assert reply.request == "getGroups"
    assert response_tags(reply) == ["group"] * 4
    for el in reply.response:
        assert [c.tag for c in el] == GROUP_ELEMENTS
    got = reply.items("group")
    assert [g["name"] for g in got] == ["Support Team", "1st level support", "2nd level support",
                                        "Internal support"]
    first = got[1]
    assert {k: v for k, v in first.items() if k != "id"} == {
        "name": "1st level support", "welcome": "Welcome.wav", "ringParallel": "0", "number": "5544",
        "managerTimeout": "10", "assistantTimeout": "10", "overflow": "5555", "showVIPCall": "1",
        "VIPCallsRouting": "0", "assistantToMng": "0", "showCalls": "1",
        "callerName": "%managerShortName%**callerName%", "callerNumber": "", "mngCallAlarm": "Analog1.raw",
        "assistCallAlarm": "Analog2.raw", "VIPThreshold": "5", "mngCallAlarmJ": "Analog1.mp3",
        "assistCallAlarmJ": "Analog2.mp3",
    }


def test_get_groups_demo_group(rest, demo_data):
    assert group(rest, 45) == {
        "id": "45", "name": "MA Group", "welcome": "Welcome.wav", "ringParallel": "0", "number": "8973",
        "managerTimeout": "30", "assistantTimeout": "15", "overflow": "-1", "showVIPCall": "1",
        "VIPCallsRouting": "0", "assistantToMng": "0", "showCalls": "1",
        "callerName": "%managerShortName%**%callerName%", "callerNumber": "%managerNumber%**%callerNumber%",
        "mngCallAlarm": "", "assistCallAlarm": "", "VIPThreshold": "5", "mngCallAlarmJ": "Analog1.mp3",
        "assistCallAlarmJ": "Analog2.mp3",
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_get_groups_without_filter_lists_all(rest, demo_data, method):
    reply = rest("groups/getGroups", method=method)
    assert reply.request == "getGroups"
    assert [(g["id"], g["name"]) for g in reply.items("group")] == [("45", "MA Group"), ("64", "Support Team")]
    assert names(rest, method=method, gr_name="") == ["MA Group", "Support Team"]


def test_get_groups_with_no_groups_is_an_empty_response(rest):
    reply = rest("groups/getGroups")
    assert reply.request == "getGroups"
    assert len(reply.response) == 0
    assert reply.status is None


@pytest.mark.parametrize("needle,expected", [
    ("support", ["Support Team", "Léonard's support"]),
    ("SUPPORT", ["Support Team", "Léonard's support"]),
    ("group", ["MA Group", "Équipe Vlahović group"]),
    ("léon", ["Léonard's support"]),
    ("LÉON", ["Léonard's support"]),
    ("VLAHOVIĆ", ["Équipe Vlahović group"]),
    ("équipe", ["Équipe Vlahović group"]),
    ("'s s", ["Léonard's support"]),
    ("nobody", []),
])
def test_get_groups_filters_by_name_substring(rest, demo_data, needle, expected):
    add(rest, "Léonard's support")
    add(rest, "Équipe Vlahović group")
    assert names(rest, gr_name=needle) == expected
    assert names(rest, method="GET", gr_name=needle) == expected


def test_get_groups_by_id(rest, demo_data):
    reply = rest("groups/getGroups", gr_id=64)
    assert [(g["id"], g["name"]) for g in reply.items("group")] == [("64", "Support Team")]
    assert names(rest, gr_id=64, gr_name="team") == ["Support Team"]
    assert names(rest, gr_id=64, gr_name="MA") == []
    assert names(rest, gr_id=99999) == []


@pytest.mark.parametrize("bad", ["abc", "-1", HUGE, "4.5"])
def test_get_groups_bad_id_is_refused(rest, demo_data, bad):
    reply = rest("groups/getGroups", gr_id=bad)
    assert reply.request == "getGroups"
    assert reply.status == "INVALID_PARAMETERS"
    assert reply.items("group") == []


def test_get_groups_unknown_parameter(rest, demo_data):
    assert rest("groups/getGroups", gr_nam="MA").status == "INVALID_PARAMETERS"


def test_get_groups_parameter_twice_with_different_values(client, demo_data):
    assert post_raw(client, "getGroups", "gr_name=MA&gr_name=Support").status == "INVALID_PARAMETERS"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_get_groups_other_methods_not_allowed(client, method):
    reply = post_raw(client, "getGroups", "", method=method)
    assert reply.http.status_code == 405
    assert reply.request == "getGroups"
    assert reply.status == "METHOD_NOT_ALLOWED"


# ------------------------------------------------------------------------------------------- editGroup


def test_edit_group_manual_example(rest, demo_data):
    assert rest("groups/editGroup", gr_id=45, gr_showCalls=0).status == "OK"
    before = group(rest, 45)
    assert before["showCalls"] == "0"
    reply = rest("groups/editGroup", gr_id=45, gr_showCalls=1)
    assert reply.http.status_code == 200
    assert reply.request == "editGroup"
    assert response_tags(reply) == ["id", "status"]
    assert (reply.id, reply.status) == ("45", "OK")
    assert group(rest, 45) == {**before, "showCalls": "1"}


def test_edit_group_changes_only_what_is_sent(rest, demo_data):
    before = group(rest, 45)
    other = group(rest, 64)
    assert rest("groups/editGroup", gr_id=45, gr_managerTimeout=20, gr_overflow="voicemail:81047").status == "OK"
    assert group(rest, 45) == {**before, "managerTimeout": "20", "overflow": "voicemail:81047"}
    assert group(rest, 64) == other


@pytest.mark.parametrize("spelling", SHOW_VIP_SPELLINGS)
def test_edit_group_show_vip_call(rest, demo_data, spelling):
    before = group(rest, 45)
    assert rest("groups/editGroup", gr_id=45, **{spelling: "marked"}).status == "OK"
    assert group(rest, 45) == {**before, "showVIPCall": "2"}
    assert rest("groups/editGroup", gr_id=45, **{spelling: "manager"}).status == "OK"
    assert group(rest, 45) == {**before, "showVIPCall": "0"}


def test_edit_group_every_parameter(rest, demo_data):
    values = {
        "gr_name": "Renamed", "gr_welcome": "Hello.wav", "gr_ringParallel": "1", "gr_number": "7000",
        "gr_managerTimeout": "5", "gr_assistantTimeout": "6", "gr_overflow": "group:64", "gr_showVIPCall": "0",
        "gr_VIPCallsRouting": "2", "gr_assistantToMng": "1", "gr_showCalls": "0",
        "gr_callerName": "%callerName%!", "gr_callerNumber": "9%callerNumber%", "gr_mngCallAlarm": "Harp.raw",
        "gr_assistCallAlarm": "Bell.raw", "gr_VIPThreshold": "2", "gr_mngCallAlarmJ": "Chime.mp3",
        "gr_assistCallAlarmJ": "Piano1.mp3",
    }
    assert rest("groups/editGroup", gr_id=45, **values).status == "OK"
    assert group(rest, 45) == {"id": "45", **{k[3:]: v for k, v in values.items()}}


def test_edit_group_may_keep_its_own_name_and_number(rest, demo_data):
    before = group(rest, 45)
    assert rest("groups/editGroup", gr_id=45, gr_name="MA Group", gr_number="8973").status == "OK"
    assert rest("groups/editGroup", gr_id=45, gr_name="ma GROUP").status == "OK"
    assert group(rest, 45) == {**before, "name": "ma GROUP"}


def test_edit_group_clears_optional_text(rest, demo_data):
    before = group(rest, 45)
    assert rest("groups/editGroup", gr_id=45, gr_welcome="", gr_number="").status == "OK"
    assert group(rest, 45) == {**before, "welcome": "", "number": ""}


@pytest.mark.parametrize("params,status", [
    ({"gr_name": "support TEAM"}, "ALREADY_EXISTS"),
    ({"gr_number": "8974"}, "ALREADY_EXISTS"),
    ({"gr_ringParallel": "2"}, "INVALID_PARAMETERS"),
    ({"gr_managerTimeout": "-1"}, "INVALID_PARAMETERS"),
    ({"gr_managerTimeout": "abc"}, "INVALID_PARAMETERS"),
    ({"gr_overflow": "abc"}, "INVALID_PARAMETERS"),
    ({"gr_overflow": "group:45"}, "INVALID_PARAMETERS"),  # overflow into itself
    ({"gr_overflow": "group:999"}, "INVALID_PARAMETERS"),
    ({"gr_showVIPCall": "4"}, "INVALID_PARAMETERS"),
    ({"gr_showVIPcall": "4"}, "INVALID_PARAMETERS"),
    ({"gr_callerNumber": "x%callerNumber%"}, "INVALID_PARAMETERS"),
    ({"gr_VIPThreshold": "abc"}, "INVALID_PARAMETERS"),
    ({"gr_colour": "red"}, "INVALID_PARAMETERS"),
    ({"gr_name": "x" * 101}, "INVALID_PARAMETERS"),
])
def test_failed_edit_changes_nothing(rest, demo_data, params, status):
    before = [group(rest, 45), group(rest, 64)]
    # Valid changes sent together with the bad one must not be applied either.
    sent = {"gr_id": "45", "gr_welcome": "Other.wav", "gr_managerTimeout": "99", "gr_showCalls": "0", **params}
    reply = rest("groups/editGroup", **sent)
    assert reply.request == "editGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == status, params
    assert [group(rest, 45), group(rest, 64)] == before


@pytest.mark.parametrize("params", [{"gr_name": ""}, {"gr_name": "   "}])
def test_edit_group_cannot_blank_the_name(rest, demo_data, params):
    before = group(rest, 45)
    reply = rest("groups/editGroup", gr_id=45, **params)
    assert reply.status in ("INVALID_PARAMETERS", "PARAMETER_MISSING")
    assert group(rest, 45) == before


def test_edit_group_parameter_twice_with_different_values(client, rest, demo_data):
    before = group(rest, 45)
    reply = post_raw(client, "editGroup", "gr_id=45&gr_showCalls=0&gr_showCalls=1")
    assert reply.status == "INVALID_PARAMETERS"
    reply = post_raw(client, "editGroup", "gr_id=45&gr_id=64&gr_showCalls=0")
    assert reply.status == "INVALID_PARAMETERS"
    assert group(rest, 45) == before


@pytest.mark.parametrize("params", [{}, {"gr_showCalls": "0"}, {"gr_id": ""}, {"gr_id": " ", "gr_showCalls": "0"}])
def test_edit_group_parameter_missing(rest, demo_data, params):
    before = all_groups(rest)
    reply = rest("groups/editGroup", **params)
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "PARAMETER_MISSING"
    assert all_groups(rest) == before


@pytest.mark.parametrize("bad", BAD_IDS)
def test_edit_group_invalid_group_id(rest, demo_data, bad):
    before = all_groups(rest)
    reply = rest("groups/editGroup", gr_id=bad, gr_showCalls=0)
    assert reply.request == "editGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "INVALID_GROUP_ID"
    assert all_groups(rest) == before


def test_edit_group_is_post_only(rest, demo_data):
    before = group(rest, 45)
    reply = rest("groups/editGroup", method="GET", gr_id=45, gr_showCalls=0)
    assert reply.http.status_code == 405
    assert reply.request == "editGroup"
    assert reply.status == "METHOD_NOT_ALLOWED"
    assert group(rest, 45) == before


# ----------------------------------------------------------------------------------------- deleteGroup


def test_delete_group_manual_example(rest, demo_data):
    support_members = rest("members/getMembers", gr_id=64).items("member")
    reply = rest("groups/deleteGroup", gr_id=45)
    assert reply.http.status_code == 200
    assert reply.request == "deleteGroup"
    assert response_tags(reply) == ["id", "status"]
    assert (reply.id, reply.status) == ("45", "OK")
    assert names(rest) == ["Support Team"]
    assert rest("groups/getGroups", gr_id=45).items("group") == []
    assert rest("members/getMembers", gr_id=45).items("member") == []
    assert rest("announcements/getAnnouncements", gr_id=45).status == "INVALID_GROUP_ID"
    assert rest("members/getMembers", gr_id=64).items("member") == support_members


def test_delete_group_by_get(rest, demo_data):
    reply = rest("groups/deleteGroup", method="GET", gr_id=64)
    assert (reply.id, reply.status) == ("64", "OK")
    assert names(rest) == ["MA Group"]


def test_delete_group_twice(rest, demo_data):
    assert rest("groups/deleteGroup", gr_id=64).status == "OK"
    assert rest("groups/deleteGroup", gr_id=64).status == "INVALID_GROUP_ID"
    assert names(rest) == ["MA Group"]


def test_deleted_name_and_number_can_be_used_again(rest, demo_data):
    assert rest("groups/deleteGroup", gr_id=45).status == "OK"
    gid = add(rest, "MA Group", gr_number="8973")
    assert gid != "45"
    assert group(rest, gid)["number"] == "8973"


def test_delete_group_resets_displays_and_overflows_to_it(rest, demo_data):
    night = add(rest, "Night shift")
    assert rest("groups/editGroup", gr_id=64, gr_overflow=f"group:{night}").status == "OK"
    assert rest("groups/editGroup", gr_id=45, gr_overflow="group:64").status == "OK"
    maria = member(rest, "maria.santos", 64)
    assert rest("members/editMember", mb_id=maria["id"], displayedGroup=night).status == "OK"
    assert member(rest, "maria.santos", 64)["displayedGroup"] == night
    # Léonard also joins the support team with the same phone; he displays MA Group.
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert member(rest, "Leonard.Saligny", 64)["displayedGroup"] == "45"

    assert rest("groups/deleteGroup", gr_id=night).status == "OK"
    assert group(rest, 64)["overflow"] == "-1"
    assert group(rest, 45)["overflow"] == "group:64"  # an overflow to another group stays
    assert member(rest, "maria.santos", 64)["displayedGroup"] == "0"

    assert rest("groups/deleteGroup", gr_id=45).status == "OK"
    assert member(rest, "Leonard.Saligny", 64)["displayedGroup"] == "0"
    assert rest("members/getMembers", usr_Name="Tijana.Vlahovic").items("member") == []


@pytest.mark.parametrize("params", [{}, {"gr_id": ""}, {"gr_id": "  "}])
def test_delete_group_parameter_missing(rest, demo_data, params):
    reply = rest("groups/deleteGroup", **params)
    assert reply.request == "deleteGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "PARAMETER_MISSING"
    assert names(rest) == ["MA Group", "Support Team"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_delete_group_invalid_group_id(rest, demo_data, bad):
    reply = rest("groups/deleteGroup", gr_id=bad)
    assert reply.request == "deleteGroup"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "INVALID_GROUP_ID"
    assert names(rest) == ["MA Group", "Support Team"]


def test_delete_group_invalid_parameters(client, rest, demo_data):
    assert rest("groups/deleteGroup", gr_id=45, force=1).status == "INVALID_PARAMETERS"
    assert post_raw(client, "deleteGroup", "gr_id=45&gr_id=64").status == "INVALID_PARAMETERS"
    assert names(rest) == ["MA Group", "Support Team"]


def test_delete_group_id_in_query_and_body_must_agree(client, rest, demo_data):
    http = client.post(f"{MA_BASE}/groups/deleteGroup.asp?gr_id=64", content=b"gr_id=45",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert parse_reply(http).status == "INVALID_PARAMETERS"
    http = client.get(f"{MA_BASE}/groups/deleteGroup.asp?gr_id=64&gr_id=45")
    assert parse_reply(http).status == "INVALID_PARAMETERS"
    assert names(rest) == ["MA Group", "Support Team"]
    http = client.post(f"{MA_BASE}/groups/deleteGroup.asp?gr_id=64", content=b"gr_id=64",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert parse_reply(http).status == "OK"
    assert names(rest) == ["MA Group"]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_delete_group_other_methods_not_allowed(client, rest, demo_data, method):
    reply = post_raw(client, "deleteGroup", "gr_id=45", method=method)
    assert reply.http.status_code == 405
    assert reply.request == "deleteGroup"
    assert reply.status == "METHOD_NOT_ALLOWED"
    assert names(rest) == ["MA Group", "Support Team"]


# ------------------------------------------------------------------------------------ nothing crashes


@pytest.mark.parametrize("function", ["editGroup", "deleteGroup"])
@pytest.mark.parametrize("raw", ["%00", "%1B", "abc%00", "4%005", "%EF%BF%BE"])
def test_control_characters_in_group_id_give_well_formed_xml(client, rest, demo_data, function, raw):
    reply = post_raw(client, function, f"gr_id={raw}")  # parse_reply fails on malformed XML
    assert reply.request == function
    assert reply.status in ("INVALID_GROUP_ID", "INVALID_PARAMETERS")
    assert names(rest) == ["MA Group", "Support Team"]


GROUP_PARAMS = ["gr_id", "gr_name", "gr_welcome", "gr_ringParallel", "gr_number", "gr_managerTimeout",
                "gr_assistantTimeout", "gr_overflow", "gr_showVIPCall", "gr_VIPCallsRouting", "gr_assistantToMng",
                "gr_showCalls", "gr_callerName", "gr_callerNumber", "gr_mngCallAlarm", "gr_assistCallAlarm",
                "gr_VIPThreshold", "gr_mngCallAlarmJ", "gr_assistCallAlarmJ"]
GARBAGE = ["", " ", "\x00", "\x1b[0m", "x" * 5000, HUGE, "-" + HUGE, "1e5", "0x10", "%", "%00", "NaN",
           "group:" + HUGE, "voicemail:" + "9" * 100, "\u202e", "🎉", "' OR 1=1 --", "<x/>", "&amp;"]


FUNCTION_PARAMS = {
    "addGroup": ({"gr_name": "Fuzz"}, GROUP_PARAMS[1:]),
    "editGroup": ({"gr_id": "45"}, GROUP_PARAMS),
    "deleteGroup": ({}, ["gr_id"]),
    "getGroups": ({}, ["gr_id", "gr_name"]),
}


@pytest.mark.parametrize("function", list(FUNCTION_PARAMS))
def test_no_input_crashes_group_functions(client, rest, demo_data, function):
    base, fuzzed = FUNCTION_PARAMS[function]
    for i, param in enumerate(fuzzed):
        for j, value in enumerate(GARBAGE):
            params = {k: f"{v} {i} {j}" if k == "gr_name" else v for k, v in base.items()}
            params[param] = value
            reply = rest(f"groups/{function}", **params)
            assert reply.http.status_code == 200, (function, param, value)
            assert reply.request == function
            assert reply.status != "ERROR", (function, param, value)
    for body in (b"gr_id=%FF", b"gr_name=\xff\xfe", b"gr_id=45&%zz=1", b"&&&", b"=", b"gr_id"):
        reply = post_raw(client, function, body)
        assert reply.http.status_code == 200, (function, body)
        assert reply.status != "ERROR", (function, body)
