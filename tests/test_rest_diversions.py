"""PhoneDiversions REST: listGroups as its manual shows it, and the functions added to manage diversion
groups and their lines (addGroup, editGroup, deleteGroup, setGroupState, addLine, editLine, deleteLine)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import load_settings
from tests.conftest import DIV_BASE, parse_reply

HOST = "http://testserver"

# The State and Groups tabs of the manual, in the order they are listed (IDs as the demo data gives them).
DEMO_GROUPS = [
    ("1", "Front desk", "1022", "ON", "Diversion to the front desk phone", "Tamara Farrow, Sales"),
    ("2", "1st level tech support", "9223", "ON", "1st level group phone", "Sara Tait, Support"),
    ("3", "2nd level tech support", "9271", "OFF", "2nd level group phone", "Claudia Draxler, IT"),
    ("4", "After-hour support", "5484", "ON", "For urgent cases outside business hours", "Vladislav Jovanović, IT"),
    ("5", "Billing & Accounts", "1071", "ON", "Inquiries regarding bills and subscriptions", "Maria Rossi, Accounting"),
    ("6", "Human Resources", "1002", "ON", "Inquiries regarding personnel", "Elizabeth Miller, HR"),
]
MANUAL_FIELDS = ["GroupID", "GroupName", "Destination", "State", "Description"]

SPECIAL_NAMES = [
    "Billing & Accounts & Co",
    "<script>alert(1)</script>",
    "\"Quoted\" & 'apostrophes'",
    "Ärger über Öfen – Straße, façade, Jovanović",
    "Support 🎧 24/7 🚀",
    "a < b > c && d ; e = 'f'",
]


def service_url(group_id, instance="PhoneDiversions", base=HOST) -> str:
    return f"{base}/Applications/inbound/{instance}/src/PhoneService.asp?groupID={group_id}&device=#DEVICENAME#"


def groups(reply) -> list:
    return reply.response.findall("DiversionGroups/Group")


def group_fields(el) -> dict[str, str]:
    return {c.tag: c.text or "" for c in el if c.tag != "Lines"}


def lines(el) -> list[dict[str, str]]:
    return [{c.tag: c.text or "" for c in line} for line in el.findall("Lines/Line")]


def listed(rest, **params) -> dict[str, dict]:
    """GroupID -> fields plus 'lines', or {} when listGroups answers NOT_FOUND."""
    reply = rest("div/listGroups", method="GET", **params)
    if reply.status == "NOT_FOUND":
        return {}
    return {g.findtext("GroupID"): {**group_fields(g), "lines": lines(g)} for g in groups(reply)}


def one(rest, group_id) -> dict:
    found = listed(rest, groupId=group_id)
    assert list(found) == [str(group_id)]
    return found[str(group_id)]


# --- listGroups -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_list_all_groups_as_the_state_tab_shows_them(rest, demo_data, method):
    reply = rest("div/listGroups", method=method)
    assert reply.http.status_code == 200
    assert reply.request == "listGroups"
    assert [c.tag for c in reply.response] == ["DiversionGroups"]
    got = [group_fields(g) for g in groups(reply)]
    assert [(g["GroupID"], g["GroupName"], g["Destination"], g["State"], g["Description"], g["Username"])
            for g in got] == DEMO_GROUPS


def test_group_element_order_starts_as_in_the_manual(rest, demo_data):
    reply = rest("div/listGroups", groupId=1)
    (group,) = groups(reply)
    tags = [c.tag for c in group]
    assert tags[:5] == MANUAL_FIELDS
    assert set(tags[5:]) == {"Username", "PhoneServiceURL", "Lines"}


def test_manual_example_request_with_group_id(rest, demo_data):
    """curl --data "groupId=27" .../Rest/listGroups.asp -- here the Front desk has ID 1."""
    reply = rest("div/listGroups", groupId=1)
    (group,) = groups(reply)
    assert group_fields(group) == {
        "GroupID": "1", "GroupName": "Front desk", "Destination": "1022", "State": "ON",
        "Description": "Diversion to the front desk phone", "Username": "Tamara Farrow, Sales",
        "PhoneServiceURL": service_url(1),
    }


def test_front_desk_lists_its_assigned_lines(rest, demo_data):
    (group,) = groups(rest("div/listGroups", method="GET", groupId=1))
    got = lines(group)
    assert [(ln["LineNumber"], ln["Description"]) for ln in got] == [
        ("1044", "Main diversion line"), ("1011", "Secondary diversion line"), ("1040", "Line 1040"),
        ("1053", "Line 1053")]
    assert all(ln["LineID"].isdigit() for ln in got)
    assert len({ln["LineID"] for ln in got}) == 4
    # usernames from the directory, as the Assigned Lines screenshot shows them
    assert got[0]["Username"] in ("Samatha Tenti, R&D", "Tenti Samatha, R&D")
    assert got[1]["Username"] in ("Angelo Panizza, Sales", "Panizza Angelo, Sales")
    assert got[2]["Username"] == "Marta Marić, IT"
    assert got[3]["Username"] == "Scott Marshall, R&D"


def test_group_without_lines_has_an_empty_lines_element(rest, demo_data):
    (group,) = groups(rest("div/listGroups", groupId=6))
    assert group.findtext("GroupName") == "Human Resources"
    assert group.find("Lines") is not None
    assert len(group.find("Lines")) == 0


def test_phone_service_url_names_the_group_and_the_device(rest, demo_data):
    reply = rest("div/listGroups")
    for g in groups(reply):
        gid = g.findtext("GroupID")
        url = g.findtext("PhoneServiceURL")
        assert url == service_url(gid)
        assert f"groupID={gid}&device=#DEVICENAME#" in url
    assert b"PhoneService.asp?groupID=1&amp;device=#DEVICENAME#" in reply.http.content


def test_phone_service_url_uses_public_url_and_encodes_the_instance(tmp_path):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "d"), "PHONESVC_PUBLIC_URL": "https://cal.example",
                                  "PHONESVC_DIVERSIONS_INSTANCE": "cruise Diversion"})
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        add = parse_reply(client.post("/Applications/Inbound/cruise%20Diversion/Rest/addGroup.asp",
                                      data={"groupName": "Lobby", "destination": "1022"}))
        assert add.status == "OK"
        http = client.get("/Applications/inbound/cruise Diversion/rest/listGroups.asp", headers={"Host": "10.1.1.1"})
        (group,) = groups(parse_reply(http))
        assert group.findtext("PhoneServiceURL") == service_url(add.id, "cruise%20Diversion", "https://cal.example")


def test_phone_service_url_follows_the_host_without_public_url(client, rest, demo_data):
    http = client.get(f"{DIV_BASE}/listGroups.asp", params={"groupId": 2}, headers={"Host": "192.168.100.109"})
    (group,) = groups(parse_reply(http))
    assert group.findtext("PhoneServiceURL") == service_url(2, base="http://192.168.100.109")


def test_filter_by_group_id(rest, demo_data):
    for gid, name, *_ in DEMO_GROUPS:
        found = listed(rest, groupId=gid)
        assert [g["GroupName"] for g in found.values()] == [name]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name, gid", [("Front desk", "1"), ("Billing & Accounts", "5"), ("human resources", "6"),
                                       ("AFTER-HOUR SUPPORT", "4")])
def test_filter_by_group_name(rest, demo_data, name, gid, method):
    reply = rest("div/listGroups", method=method, groupName=name)
    assert [g.findtext("GroupID") for g in groups(reply)] == [gid]


def test_billing_and_accounts_is_escaped_in_raw_xml(rest, demo_data):
    reply = rest("div/listGroups", groupId=5)
    assert b"<GroupName>Billing &amp; Accounts</GroupName>" in reply.http.content
    assert groups(reply)[0].findtext("GroupName") == "Billing & Accounts"


@pytest.mark.parametrize("params", [{"groupId": 999}, {"groupName": "Nobody here"},
                                    {"groupId": 1, "groupName": "Billing"}, {"groupId": 3, "groupName": "Human"}])
def test_nothing_matches_is_not_found(rest, demo_data, params):
    reply = rest("div/listGroups", method="GET", **params)
    assert reply.http.status_code == 200
    assert reply.status == "NOT_FOUND"
    assert reply.response.text == "NOT_FOUND"
    assert len(reply.response) == 0


def test_no_groups_at_all_is_not_found(rest):
    assert rest("div/listGroups").status == "NOT_FOUND"


@pytest.mark.parametrize("gid", ["abc", "-5", "0", "9" * 40])
def test_impossible_group_id_lists_nothing(rest, demo_data, gid):
    reply = rest("div/listGroups", groupId=gid)
    assert reply.status in ("NOT_FOUND", "INVALID_GROUP_ID")
    assert groups(reply) == []


# --- addGroup -------------------------------------------------------------------------------------


def test_add_group(rest, demo_data):
    reply = rest("div/addGroup", groupName="Reception", description="Main entrance", destination="1022")
    assert reply.request == "addGroup"
    assert reply.status == "OK"
    assert reply.id == "7"
    got = one(rest, 7)
    assert {k: got[k] for k in MANUAL_FIELDS + ["Username", "PhoneServiceURL"]} == {
        "GroupID": "7", "GroupName": "Reception", "Destination": "1022", "State": "OFF",
        "Description": "Main entrance", "Username": "Tamara Farrow, Sales", "PhoneServiceURL": service_url(7)}
    assert got["lines"] == []
    assert len(listed(rest)) == 7


@pytest.mark.parametrize("state", ["ON", "OFF"])
def test_add_group_with_state(rest, demo_data, state):
    reply = rest("div/addGroup", groupName="Night", destination="+41315311111", state=state)
    assert reply.status == "OK"
    got = one(rest, reply.id)
    assert (got["State"], got["Destination"], got["Username"], got["Description"]) == \
        (state, "+41315311111", "", "")


@pytest.mark.parametrize("params", [
    {"destination": "1022"}, {"groupName": "X"}, {"groupName": "", "destination": "1022"},
    {"groupName": "   ", "destination": "1022"}, {"groupName": "X", "destination": ""}, {},
])
def test_add_group_missing_parameter(rest, demo_data, params):
    reply = rest("div/addGroup", **params)
    assert reply.status == "PARAMETER_MISSING"
    assert not reply.id
    assert len(listed(rest)) == 6


@pytest.mark.parametrize("name", ["Front desk", "FRONT DESK", "  front desk ", "billing & accounts"])
def test_add_group_with_existing_name(rest, demo_data, name):
    reply = rest("div/addGroup", groupName=name, destination="1234")
    assert reply.status == "ALREADY_EXISTS"
    assert not reply.id
    assert len(listed(rest)) == 6


@pytest.mark.parametrize("params", [
    {"destination": "abc"}, {"destination": "10 22"}, {"destination": "1022x"}, {"destination": "1" * 40},
    {"groupName": "N" * 101}, {"groupName": "Bad\x01name"}, {"description": "d" * 256},
])
def test_add_group_invalid_parameters(rest, demo_data, params):
    reply = rest("div/addGroup", **{"groupName": "New", "destination": "1022", **params})
    assert reply.status == "INVALID_PARAMETERS"
    assert len(listed(rest)) == 6


@pytest.mark.parametrize("state", ["maybe", "ONN", "2", "yes", "-1"])
def test_add_group_invalid_state(rest, demo_data, state):
    reply = rest("div/addGroup", groupName="New", destination="1022", state=state)
    assert reply.status == "INVALID_STATE"
    assert len(listed(rest)) == 6


def test_add_group_by_get_is_refused(client, rest, demo_data):
    http = client.get(f"{DIV_BASE}/addGroup.asp", params={"groupName": "Sneaky", "destination": "1022"})
    assert http.status_code == 405
    assert "POST" in http.headers["allow"]
    parse_reply(http)
    assert len(listed(rest)) == 6


# --- editGroup ------------------------------------------------------------------------------------


def test_edit_group(rest, demo_data):
    reply = rest("div/editGroup", groupId=1, groupName="Front office", description="Lobby phone", destination="1011")
    assert (reply.request, reply.id, reply.status) == ("editGroup", "1", "OK")
    got = one(rest, 1)
    assert (got["GroupName"], got["Description"], got["Destination"], got["State"], got["Username"]) == \
        ("Front office", "Lobby phone", "1011", "ON", "Angelo Panizza, Sales")
    assert [ln["LineNumber"] for ln in got["lines"]] == ["1044", "1011", "1040", "1053"]


def test_edit_group_changes_only_what_is_sent(rest, demo_data):
    assert rest("div/editGroup", groupId=4, description="Nights and weekends").status == "OK"
    got = one(rest, 4)
    assert (got["GroupName"], got["Description"], got["Destination"], got["State"]) == \
        ("After-hour support", "Nights and weekends", "5484", "ON")
    assert rest("div/editGroup", groupId=4, description="").status == "OK"
    assert one(rest, 4)["Description"] == ""


def test_edit_group_may_change_the_case_of_its_own_name(rest, demo_data):
    assert rest("div/editGroup", groupId=6, groupName="HUMAN RESOURCES").status == "OK"
    assert one(rest, 6)["GroupName"] == "HUMAN RESOURCES"


def test_edit_group_to_another_groups_name(rest, demo_data):
    before = listed(rest)
    reply = rest("div/editGroup", groupId=6, groupName="front desk", description="changed")
    assert (reply.id, reply.status) == ("6", "ALREADY_EXISTS")
    assert listed(rest) == before


@pytest.mark.parametrize("params, status", [
    ({}, "PARAMETER_MISSING"), ({"groupId": ""}, "PARAMETER_MISSING"), ({"groupName": "X"}, "PARAMETER_MISSING"),
    ({"groupId": "999"}, "INVALID_GROUP_ID"), ({"groupId": "abc"}, "INVALID_GROUP_ID"),
    ({"groupId": "-1"}, "INVALID_GROUP_ID"), ({"groupId": "1", "destination": "abc"}, "INVALID_PARAMETERS"),
    ({"groupId": "1", "groupName": ""}, "INVALID_PARAMETERS"),
    ({"groupId": "1", "description": "ok", "groupName": "x" * 101}, "INVALID_PARAMETERS"),
])
def test_edit_group_refusals(rest, demo_data, params, status):
    before = listed(rest)
    reply = rest("div/editGroup", **params)
    assert reply.status == status
    assert listed(rest) == before


def test_edit_unknown_group_echoes_its_id(rest, demo_data):
    reply = rest("div/editGroup", groupId=999, description="x")
    assert (reply.id, reply.status) == ("999", "INVALID_GROUP_ID")


def test_edit_group_by_get_is_refused(client, rest, demo_data):
    http = client.get(f"{DIV_BASE}/editGroup.asp", params={"groupId": 1, "groupName": "Changed"})
    assert http.status_code == 405
    assert one(rest, 1)["GroupName"] == "Front desk"


# --- deleteGroup ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_delete_group_with_its_lines(rest, demo_data, method):
    line_ids = [ln["LineID"] for ln in one(rest, 1)["lines"]]
    reply = rest("div/deleteGroup", method=method, groupId=1)
    assert (reply.request, reply.id, reply.status) == ("deleteGroup", "1", "OK")
    assert rest("div/listGroups", groupId=1).status == "NOT_FOUND"
    assert sorted(listed(rest)) == ["2", "3", "4", "5", "6"]
    for lid in line_ids:
        assert rest("div/deleteLine", lineId=lid).status == "NOT_FOUND"
    # its name is free again
    assert rest("div/addGroup", groupName="Front desk", destination="1022").status == "OK"


def test_delete_group_twice(rest, demo_data):
    assert rest("div/deleteGroup", groupId=3).status == "OK"
    reply = rest("div/deleteGroup", groupId=3)
    assert (reply.id, reply.status) == ("3", "INVALID_GROUP_ID")


@pytest.mark.parametrize("params, status", [
    ({}, "PARAMETER_MISSING"), ({"groupId": ""}, "PARAMETER_MISSING"), ({"groupId": "999"}, "INVALID_GROUP_ID"),
    ({"groupId": "abc"}, "INVALID_GROUP_ID"), ({"groupId": "0"}, "INVALID_GROUP_ID"),
])
def test_delete_group_refusals(rest, demo_data, params, status):
    reply = rest("div/deleteGroup", **params)
    assert reply.status == status
    assert len(listed(rest)) == 6


# --- setGroupState --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_set_group_state_on_and_off(rest, demo_data, method):
    reply = rest("div/setGroupState", method=method, groupId=3, state="ON")
    assert (reply.request, reply.id, reply.status) == ("setGroupState", "3", "OK")
    assert one(rest, 3)["State"] == "ON"
    assert rest("div/setGroupState", method=method, groupId=3, state="OFF").status == "OK"
    assert one(rest, 3)["State"] == "OFF"
    # other groups untouched
    assert [g["State"] for g in listed(rest).values()] == ["ON", "ON", "OFF", "ON", "ON", "ON"]


def test_set_group_state_to_the_current_state_is_ok(rest, demo_data):
    assert rest("div/setGroupState", groupId=1, state="ON").status == "OK"
    assert one(rest, 1)["State"] == "ON"


@pytest.mark.parametrize("state", ["maybe", "ONOFF", "2", "active", "-1", "OF"])
def test_set_group_state_invalid_state(rest, demo_data, state):
    reply = rest("div/setGroupState", groupId=3, state=state)
    assert (reply.id, reply.status) == ("3", "INVALID_STATE")
    assert one(rest, 3)["State"] == "OFF"


@pytest.mark.parametrize("params, status", [
    ({"groupId": "3"}, "PARAMETER_MISSING"), ({"state": "ON"}, "PARAMETER_MISSING"),
    ({"groupId": "3", "state": ""}, "PARAMETER_MISSING"), ({"groupId": "999", "state": "ON"}, "INVALID_GROUP_ID"),
    ({"groupId": "x", "state": "ON"}, "INVALID_GROUP_ID"),
])
def test_set_group_state_refusals(rest, demo_data, params, status):
    reply = rest("div/setGroupState", **params)
    assert reply.status == status
    assert one(rest, 3)["State"] == "OFF"


# --- addLine / editLine / deleteLine ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_add_line(rest, demo_data, method):
    reply = rest("div/addLine", method=method, groupId=6, lineNumber="1002", description="HR desk")
    assert (reply.request, reply.status) == ("addLine", "OK")
    assert reply.id == "8"
    assert one(rest, 6)["lines"] == [
        {"LineID": "8", "LineNumber": "1002", "Description": "HR desk", "Username": "Elizabeth Miller, HR"}]


def test_add_line_without_description_or_known_user(rest, demo_data):
    reply = rest("div/addLine", groupId=4, lineNumber="+41315311111")
    assert reply.status == "OK"
    assert one(rest, 4)["lines"] == [
        {"LineID": reply.id, "LineNumber": "+41315311111", "Description": "", "Username": ""}]


def test_add_line_twice_to_a_group(rest, demo_data):
    reply = rest("div/addLine", groupId=1, lineNumber="1044", description="again")
    assert reply.status == "ALREADY_EXISTS"
    assert [ln["LineNumber"] for ln in one(rest, 1)["lines"]] == ["1044", "1011", "1040", "1053"]


@pytest.mark.parametrize("params, status", [
    ({"lineNumber": "1002"}, "PARAMETER_MISSING"), ({"groupId": "6"}, "PARAMETER_MISSING"),
    ({"groupId": "6", "lineNumber": ""}, "PARAMETER_MISSING"),
    ({"groupId": "999", "lineNumber": "1002"}, "INVALID_GROUP_ID"),
    ({"groupId": "abc", "lineNumber": "1002"}, "INVALID_GROUP_ID"),
    ({"groupId": "6", "lineNumber": "abc"}, "INVALID_PARAMETERS"),
    ({"groupId": "6", "lineNumber": "10 02"}, "INVALID_PARAMETERS"),
    ({"groupId": "6", "lineNumber": "1002", "description": "x\x01"}, "INVALID_PARAMETERS"),
])
def test_add_line_refusals(rest, demo_data, params, status):
    reply = rest("div/addLine", **params)
    assert reply.status == status
    assert one(rest, 6)["lines"] == []


def test_edit_line(rest, demo_data):
    reply = rest("div/editLine", lineId=1, description="Lobby line")
    assert (reply.request, reply.id, reply.status) == ("editLine", "1", "OK")
    assert one(rest, 1)["lines"][0] == {"LineID": "1", "LineNumber": "1044", "Description": "Lobby line",
                                        "Username": one(rest, 1)["lines"][0]["Username"]}
    assert rest("div/editLine", lineId=1, lineNumber="1047").status == "OK"
    first = one(rest, 1)["lines"][0]
    assert (first["LineNumber"], first["Description"], first["Username"]) == \
        ("1047", "Lobby line", "Tijana Vlahović, Management")


def test_edit_line_to_a_number_already_in_its_group(rest, demo_data):
    reply = rest("div/editLine", lineId=1, lineNumber="1011", description="changed")
    assert (reply.id, reply.status) == ("1", "ALREADY_EXISTS")
    first = one(rest, 1)["lines"][0]
    assert (first["LineNumber"], first["Description"]) == ("1044", "Main diversion line")


@pytest.mark.parametrize("params, status", [
    ({}, "PARAMETER_MISSING"), ({"lineNumber": "1099"}, "PARAMETER_MISSING"), ({"lineId": ""}, "PARAMETER_MISSING"),
    ({"lineId": "999", "description": "x"}, "NOT_FOUND"), ({"lineId": "abc"}, "NOT_FOUND"),
    ({"lineId": "1", "lineNumber": "abc"}, "INVALID_PARAMETERS"),
    ({"lineId": "1", "lineNumber": "1099", "description": "d" * 256}, "INVALID_PARAMETERS"),
])
def test_edit_line_refusals(rest, demo_data, params, status):
    before = listed(rest)
    reply = rest("div/editLine", **params)
    assert reply.status == status
    assert listed(rest) == before


def test_delete_line(rest, demo_data):
    reply = rest("div/deleteLine", lineId=2)
    assert (reply.request, reply.id, reply.status) == ("deleteLine", "2", "OK")
    assert [ln["LineNumber"] for ln in one(rest, 1)["lines"]] == ["1044", "1040", "1053"]
    again = rest("div/deleteLine", lineId=2)
    assert (again.id, again.status) == ("2", "NOT_FOUND")


@pytest.mark.parametrize("params, status", [
    ({}, "PARAMETER_MISSING"), ({"lineId": ""}, "PARAMETER_MISSING"), ({"lineId": "999"}, "NOT_FOUND"),
    ({"lineId": "-2"}, "NOT_FOUND"),
])
def test_delete_line_refusals(rest, demo_data, params, status):
    before = listed(rest)
    assert rest("div/deleteLine", **params).status == status
    assert listed(rest) == before


# --- special characters round-trip ----------------------------------------------------------------


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_special_names_round_trip(rest, demo_data, name):
    reply = rest("div/addGroup", groupName=name, description=f"About {name}", destination="1022")
    assert reply.status == "OK"
    got = one(rest, reply.id)
    assert (got["GroupName"], got["Description"]) == (name, f"About {name}")
    # found by its name, sent in a query string and in a form body
    for method in ("GET", "POST"):
        found = rest("div/listGroups", method=method, groupName=name)
        assert [g.findtext("GroupName") for g in groups(found)] == [name]
    # the same name again is a duplicate
    assert rest("div/addGroup", groupName=name, destination="1022").status == "ALREADY_EXISTS"
    line = rest("div/addLine", groupId=reply.id, lineNumber="1099", description=name)
    assert line.status == "OK"
    assert one(rest, reply.id)["lines"][0]["Description"] == name


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_rename_to_special_names_round_trips(rest, demo_data, name):
    assert rest("div/editGroup", groupId=2, groupName=name, description=name).status == "OK"
    got = one(rest, 2)
    assert (got["GroupName"], got["Description"]) == (name, name)
    assert rest("div/editLine", lineId=5, description=name).status == "OK"
    assert one(rest, 2)["lines"][0]["Description"] == name


def test_special_names_are_well_formed_in_raw_xml(rest, demo_data):
    for name in SPECIAL_NAMES:
        assert rest("div/addGroup", groupName=name, destination="1022").status == "OK"
    reply = rest("div/listGroups")  # parse_reply already parsed the whole document
    assert [g.findtext("GroupName") for g in groups(reply)][6:] == SPECIAL_NAMES
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in reply.http.content
    assert "🎧".encode() in reply.http.content


# --- paths and transport of the PhoneDiversions instance ---------------------------------------------


@pytest.mark.parametrize("path", [
    "/Applications/inbound/PhoneDiversions/rest/listGroups.asp",
    "/Applications/Inbound/PhoneDiversions/Rest/listGroups.asp",  # the manual's curl and CUCM spelling
    "/applications/INBOUND/phonediversions/REST/LISTGROUPS.ASP",
    "/APPLICATIONS/inbound/PHONEDIVERSIONS/rest/ListGroups.Asp",
])
def test_path_parts_match_case_insensitively(client, demo_data, path):
    reply = parse_reply(client.get(path, params={"groupId": 5}))
    assert reply.request == "listGroups"
    assert [g.findtext("GroupName") for g in groups(reply)] == ["Billing & Accounts"]


def test_other_diversions_instance_name(tmp_path):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "d"),
                                  "PHONESVC_DIVERSIONS_INSTANCE": "cruise_Diversion"})
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        reply = parse_reply(client.post("/Applications/Inbound/CRUISE_diversion/Rest/addGroup.asp",
                                        data={"groupName": "Front Desk", "destination": "1022"}))
        assert reply.status == "OK"
        (group,) = groups(parse_reply(client.get("/Applications/inbound/cruise_Diversion/rest/listGroups.asp")))
        assert group.findtext("PhoneServiceURL") == service_url(reply.id, "cruise_Diversion")
        assert client.get(f"{DIV_BASE}/listGroups.asp").status_code == 404


@pytest.mark.parametrize("function", ["listGroup", "getGroups", "deleteAll", "listgroups2"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_function_is_404_with_not_found_envelope(client, function, method):
    http = client.request(method, f"{DIV_BASE}/{function}.asp")
    assert http.status_code == 404
    assert parse_reply(http).status == "NOT_FOUND"


@pytest.mark.parametrize("function, method, allowed", [
    ("addGroup", "GET", {"POST"}), ("editGroup", "GET", {"POST"}), ("addGroup", "PUT", {"POST"}),
    ("listGroups", "DELETE", {"GET", "POST"}), ("deleteGroup", "DELETE", {"GET", "POST"}),
    ("setGroupState", "PATCH", {"GET", "POST"}),
])
def test_wrong_method_is_405_with_allow_header(client, rest, demo_data, function, method, allowed):
    http = client.request(method, f"{DIV_BASE}/{function}.asp?groupId=1&state=OFF&groupName=X&destination=1")
    assert http.status_code == 405
    assert {m.strip() for m in http.headers["allow"].split(",")} >= allowed
    assert method not in http.headers["allow"]
    parse_reply(http)
    assert len(listed(rest)) == 6
    assert one(rest, 1)["GroupName"] == "Front desk"
    assert one(rest, 1)["State"] == "ON"


def test_parameters_from_query_string_and_body_combine(client, rest, demo_data):
    http = client.post(f"{DIV_BASE}/addLine.asp?groupId=6", data={"lineNumber": "1002", "description": "q+b"})
    reply = parse_reply(http)
    assert reply.status == "OK"
    assert [ln["Description"] for ln in one(rest, 6)["lines"]] == ["q+b"]


def test_parameters_in_the_query_string_of_a_post(client, rest, demo_data):
    reply = parse_reply(client.post(f"{DIV_BASE}/setGroupState.asp?groupId=3&state=ON"))
    assert reply.status == "OK"
    assert one(rest, 3)["State"] == "ON"


def test_same_parameter_in_query_and_body_with_different_values_is_refused(client, rest, demo_data):
    reply = parse_reply(client.post(f"{DIV_BASE}/setGroupState.asp?groupId=3", data={"groupId": "2", "state": "OFF"}))
    assert reply.status == "INVALID_PARAMETERS"
    assert [g["State"] for g in listed(rest).values()] == ["ON", "ON", "OFF", "ON", "ON", "ON"]


def test_parameter_names_match_case_insensitively(client, rest, demo_data):
    reply = parse_reply(client.post(f"{DIV_BASE}/setGroupState.asp", data={"GROUPID": "3", "State": "ON"}))
    assert reply.status == "OK"
    assert one(rest, 3)["State"] == "ON"


def test_an_encoded_plus_in_a_number_survives(client, rest, demo_data):
    http = client.post(f"{DIV_BASE}/addLine.asp", content=b"groupId=6&lineNumber=%2B41315311111",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert parse_reply(http).status == "OK"
    assert [ln["LineNumber"] for ln in one(rest, 6)["lines"]] == ["+41315311111"]
