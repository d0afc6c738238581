"""REST vip (manual: "VIP management functions"): addVIPNumber and getVIPNumbers, plus the
editVIPNumber and deleteVIPNumber the web GUI and phone menu need.

The manual's examples are replayed on a database set up like them, every status word is provoked,
and effects are checked through getVIPNumbers as a REST client would see them."""

from __future__ import annotations

import pytest

from phonesvc.store import groups, users

VIP_ELEMENTS = ["id", "number", "description", "mngId", "FirstName", "LastName"]
DEMO_LIST = [  # Tijana Vlahović's list in the demo, in the order it was entered
    ("1076", "", "Gil-dong", "Hong"),
    ("1132", 'Project leader "Amatech"', "Beatrice", "Gärtner"),
    ("+15095550147", "David Merrill (consultant Cavages Inc.)", "", ""),
    ("1113", "", "Frédérique", "Voclain"),
    ("1071", "", "Maria", "Rossi"),
    ("+61755501234", "Annabelle Tomholt (Hendricks International)", "", ""),
    ("0800123456", "Support desk", "", ""),
]


# ---------------------------------------------------------------------------------------------- helpers


def vips(rest, **filters) -> list[dict[str, str]]:
    reply = rest("vip/getVIPNumbers", **filters)
    assert reply.http.status_code == 200
    assert reply.request == "getVIPNumbers"
    assert reply.status is None, reply.status  # a list, not a status word
    assert all(c.tag == "VIPNumber" for c in reply.response)
    return reply.items("VIPNumber")


def member_id(rest, user_name: str, gr_id=45) -> str:
    found = [m for m in rest("members/getMembers", gr_id=gr_id, usr_Name=user_name).items("member")]
    assert len(found) == 1, found
    return found[0]["id"]


def echoed(vn_id: str) -> str:
    """<id> of an error answer repeats the id sent only when it is a well-formed id."""
    return vn_id if vn_id.isdigit() and int(vn_id) > 0 else ""


def assert_id_status(reply, request: str, status: str, id_: str | None = None) -> None:
    assert reply.http.status_code == 200
    assert reply.request == request
    assert [c.tag for c in reply.response] == ["id", "status"]
    assert reply.status == status, reply.status
    if id_ is not None:
        assert (reply.id or "") == id_


@pytest.fixture
def manager(rest, store) -> str:
    """A fresh database set up like the examples: Maria.Rossi is the manager of group 45 (added with
    the addMember example), Gabriela.Kronberger (line 1077) is a directory user. Returns Maria's mb_id."""
    with store.write() as conn:
        groups.add_group(conn, {"id": 45, "name": "MA Group"})
        users.add_user(conn, "Maria.Rossi", first_name="Maria", last_name="Rossi", line_number="1071")
        users.add_user(conn, "Gabriela.Kronberger", first_name="Gabriela", last_name="Kronberger",
                       line_number="1077")
        users.add_user(conn, "Rafael.Hidalgo", first_name="Rafael", last_name="Hidalgo", line_number="1175")
    reply = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_shortName="Mar",
                 gm_type=1)
    assert reply.status == "OK"
    return reply.id


@pytest.fixture
def tijana(rest, demo_data) -> str:
    return member_id(rest, "Tijana.Vlahovic")


# ---------------------------------------------------------------------------------------------- addVIPNumber


def test_add_vip_number_manual_example(rest, manager):
    reply = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert_id_status(reply, "addVIPNumber", "OK")
    assert reply.id.isdigit() and int(reply.id) > 0
    [v] = vips(rest, mb_id=manager)
    assert list(v) == VIP_ELEMENTS
    # 3132 is no directory user's number: no name
    assert v == {"id": reply.id, "number": "3132", "description": "Project leader", "mngId": manager,
                 "FirstName": "", "LastName": ""}


def test_add_vip_number_by_get_request(rest, manager):
    reply = rest("vip/addVIPNumber", "GET", vn_number="3132", mb_id=manager)
    assert_id_status(reply, "addVIPNumber", "OK")
    assert [(v["id"], v["number"], v["description"]) for v in vips(rest)] == [(reply.id, "3132", "")]


def test_add_vip_number_keeps_special_characters(rest, manager):
    description = 'Tom & Jerry <CEO> "boss" l\'été 🍕'
    reply = rest("vip/addVIPNumber", vn_number="+41791234567", mb_id=manager, vn_description=description)
    assert reply.status == "OK"
    [v] = vips(rest, vn_number="+41791234567")
    assert (v["number"], v["description"]) == ("+41791234567", description)
    raw = rest("vip/getVIPNumbers").http.content.decode("utf-8")
    assert "Tom &amp; Jerry &lt;CEO&gt;" in raw


@pytest.mark.parametrize("missing", ["vn_number", "mb_id"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_add_vip_number_parameter_missing(rest, manager, missing, how):
    params = {"vn_number": "3132", "mb_id": manager, "vn_description": "Project leader"}
    if how == "absent":
        del params[missing]
    else:
        params[missing] = ""
    reply = rest("vip/addVIPNumber", **params)
    assert_id_status(reply, "addVIPNumber", "PARAMETER_MISSING", "")
    assert vips(rest) == []


@pytest.mark.parametrize("mb_id", ["99999", "abc", "0", "-1"])
def test_add_vip_number_invalid_member_id(rest, manager, mb_id):
    reply = rest("vip/addVIPNumber", vn_number="3132", mb_id=mb_id)
    assert_id_status(reply, "addVIPNumber", "INVALID_MEMBER_ID", "")
    assert vips(rest) == []


def test_add_vip_number_to_a_non_manager_is_refused(rest, manager):
    assert rest("members/addMember", gr_id=45, usr_Name="Rafael.Hidalgo", mb_number="1175").status == "OK"
    rafael = member_id(rest, "Rafael.Hidalgo")
    reply = rest("vip/addVIPNumber", vn_number="3132", mb_id=rafael)
    assert_id_status(reply, "addVIPNumber", "INVALID_PARAMETERS", "")
    assert vips(rest) == []


@pytest.mark.parametrize("params", [
    {"vn_number": "31a2"}, {"vn_number": "abc"}, {"vn_number": "31 32"}, {"vn_number": "3132; DROP"},
    {"vn_description": "bell\x07"}, {"vn_description": "x" * 1000},
    {"usr_Name": "Maria.Rossi"},  # not a parameter of addVIPNumber
    {"vn_level": "5"},
], ids=repr)
def test_add_vip_number_invalid_parameters(rest, manager, params):
    reply = rest("vip/addVIPNumber", **{"vn_number": "3132", "mb_id": manager, **params})
    assert_id_status(reply, "addVIPNumber", "INVALID_PARAMETERS", "")
    assert vips(rest) == []


def test_add_vip_number_twice_for_one_manager(rest, manager):
    first = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert first.status == "OK"
    reply = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="again")
    assert_id_status(reply, "addVIPNumber", "ALREADY_EXISTS")
    assert [(v["id"], v["description"]) for v in vips(rest)] == [(first.id, "Project leader")]


def test_add_vip_number_already_on_the_demo_list(rest, tijana):
    reply = rest("vip/addVIPNumber", vn_number="1076", mb_id=tijana)
    assert_id_status(reply, "addVIPNumber", "ALREADY_EXISTS")
    assert len(vips(rest, mb_id=tijana)) == 7


def test_same_vip_number_on_two_managers_lists(rest, tijana):
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071", gm_type=1).status == "OK"
    maria = member_id(rest, "Maria.Rossi", 64)
    mine = rest("vip/addVIPNumber", vn_number="1076", mb_id=maria, vn_description="Sales")
    assert mine.status == "OK"
    both = vips(rest, vn_number="1076")
    assert sorted(v["mngId"] for v in both) == sorted([tijana, maria])
    assert [v["description"] for v in vips(rest, vn_number="1076", mb_id=maria)] == ["Sales"]
    assert [v["description"] for v in vips(rest, vn_number="1076", mb_id=tijana)] == [""]


# ---------------------------------------------------------------------------------------------- getVIPNumbers


def test_get_vip_numbers_manual_example(rest, manager):
    head = rest("vip/addVIPNumber", vn_number="1077", mb_id=manager, vn_description="Head of Accounting")
    other = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    reply = rest("vip/getVIPNumbers", mb_id=manager)
    assert reply.request == "getVIPNumbers"
    assert [c.tag for c in reply.response] == ["VIPNumber", "VIPNumber"]
    assert b"<member>" not in reply.http.content  # the manual's </member> is a slip
    first, second = reply.items("VIPNumber")
    assert list(first) == VIP_ELEMENTS
    assert first == {"id": head.id, "number": "1077", "description": "Head of Accounting", "mngId": manager,
                     "FirstName": "Gabriela", "LastName": "Kronberger"}
    assert (second["id"], second["FirstName"], second["LastName"]) == (other.id, "", "")


def test_get_vip_numbers_demo_list_with_directory_names(rest, tijana):
    found = vips(rest, mb_id=tijana)
    assert [(v["number"], v["description"], v["FirstName"], v["LastName"]) for v in found] == DEMO_LIST
    assert {v["mngId"] for v in found} == {tijana}
    assert len({v["id"] for v in found}) == 7


def test_get_vip_numbers_without_filter_lists_every_list(rest, tijana):
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071", gm_type=1).status == "OK"
    maria = member_id(rest, "Maria.Rossi", 64)
    assert rest("vip/addVIPNumber", vn_number="3132", mb_id=maria).status == "OK"
    everything = vips(rest)
    assert len(everything) == 8
    assert all(list(v) == VIP_ELEMENTS for v in everything)
    assert [v["number"] for v in vips(rest, mb_id=maria)] == ["3132"]
    assert len(vips(rest, mb_id=tijana)) == 7


def test_get_vip_numbers_name_of_a_users_mobile(rest, tijana):
    assert rest("vip/addVIPNumber", vn_number="+41795551077", mb_id=tijana).status == "OK"
    [v] = vips(rest, vn_number="+41795551077")
    assert (v["FirstName"], v["LastName"]) == ("Gabriela", "Kronberger")


@pytest.mark.parametrize(("filters", "expected"), [
    ({"vn_number": "1132"}, ["1132"]),
    ({"vn_number": "+15095550147"}, ["+15095550147"]),
    ({"vn_number": "113"}, []),  # exact, not a substring
    ({"vn_number": "9999"}, []),
    ({"vn_number": ""}, [d[0] for d in DEMO_LIST]),  # an empty filter filters nothing
], ids=repr)
def test_get_vip_numbers_filters(rest, tijana, filters, expected):
    assert [v["number"] for v in vips(rest, **filters)] == expected
    assert [v["number"] for v in vips(rest, mb_id=tijana, **filters)] == expected


def test_get_vip_numbers_empty_member_filter(rest, tijana):
    assert [v["number"] for v in vips(rest, mb_id="")] == [d[0] for d in DEMO_LIST]


def test_get_vip_numbers_of_a_member_without_list(rest, tijana):
    assert vips(rest, mb_id=member_id(rest, "Rafael.Hidalgo")) == []
    assert vips(rest, mb_id=99999) == []
    assert vips(rest, mb_id=member_id(rest, "Rafael.Hidalgo"), vn_number="1076") == []


@pytest.mark.parametrize("params", [{"mb_id": "abc"}, {"mb_id": "-3"}, {"usr_Name": "Tijana.Vlahovic"}],
                         ids=repr)
def test_get_vip_numbers_invalid_parameters(rest, tijana, params):
    reply = rest("vip/getVIPNumbers", **params)
    assert reply.request == "getVIPNumbers"
    assert len(reply.response) == 0
    assert reply.status == "INVALID_PARAMETERS"


# ---------------------------------------------------------------------------------------------- editVIPNumber


def _one(rest, vn_id: str) -> dict[str, str]:
    found = [v for v in vips(rest) if v["id"] == vn_id]
    assert len(found) == 1, found
    return found[0]


def test_edit_vip_number_number_and_description(rest, manager):
    added = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    reply = rest("vip/editVIPNumber", vn_id=added.id, vn_number="1077", vn_description="Head of Accounting")
    assert_id_status(reply, "editVIPNumber", "OK", added.id)
    assert _one(rest, added.id) == {"id": added.id, "number": "1077", "description": "Head of Accounting",
                                    "mngId": manager, "FirstName": "Gabriela", "LastName": "Kronberger"}
    assert vips(rest, vn_number="3132") == []


def test_edit_vip_number_only_description_keeps_number(rest, manager):
    added = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert rest("vip/editVIPNumber", vn_id=added.id, vn_description="A & B <c>").status == "OK"
    v = _one(rest, added.id)
    assert (v["number"], v["description"]) == ("3132", "A & B <c>")


def test_edit_vip_number_only_number_keeps_description(rest, manager):
    added = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert rest("vip/editVIPNumber", vn_id=added.id, vn_number="+41313131313").status == "OK"
    v = _one(rest, added.id)
    assert (v["number"], v["description"]) == ("+41313131313", "Project leader")


def test_edit_vip_number_clears_description(rest, manager):
    added = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert rest("vip/editVIPNumber", vn_id=added.id, vn_description="").status == "OK"
    assert _one(rest, added.id)["description"] == ""


def test_edit_vip_number_to_its_own_number(rest, manager):
    added = rest("vip/addVIPNumber", vn_number="3132", mb_id=manager, vn_description="Project leader")
    assert rest("vip/editVIPNumber", vn_id=added.id, vn_number="3132", vn_description="Lead").status == "OK"
    v = _one(rest, added.id)
    assert (v["number"], v["description"]) == ("3132", "Lead")


@pytest.mark.parametrize("vn_id", ["99999", "abc", "0"])
def test_edit_vip_number_not_found(rest, tijana, vn_id):
    before = vips(rest)
    reply = rest("vip/editVIPNumber", vn_id=vn_id, vn_description="x")
    assert_id_status(reply, "editVIPNumber", "NOT_FOUND", echoed(vn_id))
    assert vips(rest) == before


@pytest.mark.parametrize("function", ["editVIPNumber", "deleteVIPNumber"])
@pytest.mark.parametrize("vn_id, status", [("\x00", "INVALID_PARAMETERS"), ("7\x01", "INVALID_PARAMETERS"),
                                           ("<7>&", "NOT_FOUND")], ids=["nul", "control", "markup"])
def test_unknown_vn_id_with_odd_characters_still_answers_xml(rest, tijana, function, vn_id, status):
    # the <id> of an error answer echoes vn_id: it must stay well-formed XML; no value holds a control character
    before = vips(rest)
    reply = rest(f"vip/{function}", vn_id=vn_id)
    assert reply.http.status_code == 200
    assert reply.status == status
    assert vips(rest) == before


def test_edit_deleted_vip_number_not_found(rest, tijana):
    vn_id = vips(rest)[0]["id"]
    assert rest("vip/deleteVIPNumber", vn_id=vn_id).status == "OK"
    assert rest("vip/editVIPNumber", vn_id=vn_id, vn_description="x").status == "NOT_FOUND"


@pytest.mark.parametrize("params", [{}, {"vn_id": ""}, {"vn_number": "3132"}, {"vn_id": " ", "vn_number": "1"}],
                         ids=repr)
def test_edit_vip_number_parameter_missing(rest, tijana, params):
    before = vips(rest)
    assert_id_status(rest("vip/editVIPNumber", **params), "editVIPNumber", "PARAMETER_MISSING")
    assert vips(rest) == before


def test_edit_vip_number_already_on_the_list(rest, tijana):
    before = vips(rest)
    reply = rest("vip/editVIPNumber", vn_id=before[0]["id"], vn_number="1132", vn_description="dup")
    assert_id_status(reply, "editVIPNumber", "ALREADY_EXISTS", before[0]["id"])
    assert vips(rest) == before


@pytest.mark.parametrize("params", [{"vn_number": "31a2"}, {"vn_number": "abc"}, {"vn_description": "bell\x07"},
                                    {"mb_id": "1"}, {"vn_level": "3"}], ids=repr)
def test_edit_vip_number_invalid_parameters(rest, tijana, params):
    before = vips(rest)
    reply = rest("vip/editVIPNumber", **{"vn_id": before[0]["id"], "vn_description": "changed", **params})
    assert_id_status(reply, "editVIPNumber", "INVALID_PARAMETERS")
    assert vips(rest) == before


# ---------------------------------------------------------------------------------------------- deleteVIPNumber


def test_delete_vip_number(rest, tijana):
    before = vips(rest)
    gone = before[1]
    reply = rest("vip/deleteVIPNumber", vn_id=gone["id"])
    assert_id_status(reply, "deleteVIPNumber", "OK", gone["id"])
    assert vips(rest) == [v for v in before if v["id"] != gone["id"]]
    assert vips(rest, vn_number=gone["number"]) == []
    # the number can be added again
    again = rest("vip/addVIPNumber", vn_number=gone["number"], mb_id=tijana, vn_description=gone["description"])
    assert again.status == "OK"
    assert again.id != gone["id"]


def test_delete_vip_number_twice(rest, tijana):
    vn_id = vips(rest)[0]["id"]
    assert rest("vip/deleteVIPNumber", vn_id=vn_id).status == "OK"
    before = vips(rest)
    assert_id_status(rest("vip/deleteVIPNumber", vn_id=vn_id), "deleteVIPNumber", "NOT_FOUND", echoed(vn_id))
    assert vips(rest) == before


@pytest.mark.parametrize("vn_id", ["99999", "abc", "-1", "0"])
def test_delete_vip_number_not_found(rest, tijana, vn_id):
    before = vips(rest)
    assert_id_status(rest("vip/deleteVIPNumber", vn_id=vn_id), "deleteVIPNumber", "NOT_FOUND", echoed(vn_id))
    assert vips(rest) == before


@pytest.mark.parametrize("params", [{}, {"vn_id": ""}, {"vn_id": "  "}], ids=repr)
def test_delete_vip_number_parameter_missing(rest, tijana, params):
    before = vips(rest)
    assert_id_status(rest("vip/deleteVIPNumber", **params), "deleteVIPNumber", "PARAMETER_MISSING")
    assert vips(rest) == before


def test_delete_vip_number_unknown_parameter(rest, tijana):
    before = vips(rest)
    reply = rest("vip/deleteVIPNumber", vn_id=before[0]["id"], mb_id=tijana)
    assert_id_status(reply, "deleteVIPNumber", "INVALID_PARAMETERS")
    assert vips(rest) == before


def test_removing_the_manager_removes_the_vip_list(rest, tijana):
    assert rest("members/deleteMember", usr_Name="Tijana.Vlahovic").status == "OK"
    assert vips(rest) == []
    assert vips(rest, mb_id=tijana) == []
    # the manager comes back with a new, empty list
    assert rest("members/addMember", gr_id=45, usr_Name="Tijana.Vlahovic", mb_number="1047", gm_type=1).status == "OK"
    assert vips(rest, mb_id=member_id(rest, "Tijana.Vlahovic")) == []


# ---------------------------------------------------------------------------------------------- robustness

ODD_VALUES = ["", " ", "abc", "0", "-1", "1", "99999999999999999999", "1e3", "%", "%00", "\x00", "+",
              "'; DROP TABLE vip_numbers; --", "é🍕", "A" * 5000, "3132", "1076", "+41 79"]

FUNCTIONS = {
    "addVIPNumber": ("vn_number vn_description mb_id", {"vn_number": "3132"}),
    "getVIPNumbers": ("mb_id vn_number", {}),
    "editVIPNumber": ("vn_id vn_number vn_description", {"vn_description": "x"}),
    "deleteVIPNumber": ("vn_id", {}),
}


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_no_input_gives_a_server_error(rest, tijana, function):
    names, base = FUNCTIONS[function]
    base = {**base, **({"mb_id": tijana} if "mb_id" in names else {})}
    if "vn_id" in names:
        base["vn_id"] = vips(rest)[-1]["id"]
    statuses = set()
    for name in names.split():
        for value in ODD_VALUES:
            for params in ({name: value}, {**base, name: value}):
                for method in ("POST", "GET"):
                    reply = rest(f"vip/{function}", method, **params)
                    assert reply.http.status_code == 200, (method, params, reply.http.status_code)
                    assert reply.request == function
                    assert reply.status != "ERROR", (method, params)
                    statuses.add(reply.status)
    # a body that is not UTF-8
    http = rest.client.post(f"/Applications/inbound/MAGroup/rest/vip/{function}.asp", content=b"mb_id=%ED%A0%BD",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert http.status_code < 500
    assert b">ERROR<" not in http.content
    assert statuses
