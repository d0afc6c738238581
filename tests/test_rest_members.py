"""REST members (manual: "Member management functions"): addMember, deleteMember, editMember,
getMembers, orderByUserList, reorderMembers, setPresence.

Every function's manual example is replayed on a database set up like the example, and every status
word the function can return is provoked. Observable effects are checked through getMembers, as a
REST client would see them."""

from __future__ import annotations

import pytest

from phonesvc.store import groups, users

MEMBER_ELEMENTS = ["id", "firstName", "lastName", "number", "type", "grId", "userName", "index", "shortName",
                   "displayedGroup", "userState", "forwardDestination", "statusMessage", "lineState"]
SUPPORT_ORDER = ["maria.santos", "chiyo.fujimoto", "romeo.girard", "Frederique.Voclain"]
MA_ORDER = ["Tijana.Vlahovic", "Rafael.Hidalgo", "Aradhana.Jaggi", "Leonard.Saligny", "San.Zhang",
            "Emilia.Skjeggestad"]


# ---------------------------------------------------------------------------------------------- helpers


def get(rest, **filters) -> list[dict[str, str]]:
    reply = rest("members/getMembers", **filters)
    assert reply.request == "getMembers"
    assert reply.status is None, reply.status  # a list, not a status word
    return reply.items("member")


def order(rest, gr_id) -> list[str]:
    return [m["userName"] for m in get(rest, gr_id=gr_id)]


def indices(rest, gr_id) -> list[str]:
    return [m["index"] for m in get(rest, gr_id=gr_id)]


def entry(rest, user_name: str, gr_id) -> dict[str, str]:
    found = [m for m in get(rest, gr_id=gr_id) if m["userName"] == user_name]
    assert len(found) == 1, (user_name, gr_id, found)
    return found[0]


def mb_id(rest, user_name: str, gr_id=45) -> str:
    return entry(rest, user_name, gr_id)["id"]


def snapshot(rest) -> list[dict[str, str]]:
    return get(rest)


def add_user(store, name: str, first: str, last: str, line: str) -> None:
    with store.write() as conn:
        users.add_user(conn, name, first_name=first, last_name=last, line_number=line)


@pytest.fixture
def example_db(store):
    """A fresh database as the addMember example assumes: group 45 without members, user Maria.Rossi."""
    with store.write() as conn:
        groups.add_group(conn, {"id": 45, "name": "MA Group"})
        users.add_user(conn, "Maria.Rossi", first_name="Maria", last_name="Rossi", line_number="1071")


def assert_plain(reply, request: str, status: str) -> None:
    """A <Response> that holds only a status word."""
    assert reply.http.status_code == 200
    assert reply.request == request
    assert len(reply.response) == 0, [c.tag for c in reply.response]
    assert reply.status == status, reply.status


def assert_id_status(reply, request: str, status: str) -> None:
    """A <Response> with <id> then <status>."""
    assert reply.http.status_code == 200
    assert reply.request == request
    assert [c.tag for c in reply.response] == ["id", "status"]
    assert reply.status == status, reply.status


# ---------------------------------------------------------------------------------------------- addMember


def test_add_member_manual_example(rest, example_db):
    reply = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_shortName="Mar",
                 gm_type=1)
    assert_id_status(reply, "addMember", "OK")
    assert reply.id.isdigit() and int(reply.id) > 0
    [m] = get(rest, gr_id=45)
    assert list(m) == MEMBER_ELEMENTS
    assert m == {"id": reply.id, "firstName": "Maria", "lastName": "Rossi", "number": "1071", "type": "1",
                 "grId": "45", "userName": "Maria.Rossi", "index": "1", "shortName": "Mar",
                 "displayedGroup": "0", "userState": "0", "forwardDestination": "", "statusMessage": "",
                 "lineState": "0"}


def test_add_member_by_get_request(rest, example_db):
    reply = rest("members/addMember", "GET", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071")
    assert_id_status(reply, "addMember", "OK")
    [m] = get(rest, gr_id=45)
    assert (m["id"], m["type"]) == (reply.id, "0")  # gm_type omitted: an assistant


def test_add_member_appends_at_the_end_of_the_list(rest, demo_data):
    reply = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071")
    assert reply.status == "OK"
    assert order(rest, 45) == [*MA_ORDER, "Maria.Rossi"]
    assert indices(rest, 45) == ["1", "2", "3", "4", "5", "6", "7"]
    assert entry(rest, "Maria.Rossi", 45)["id"] == reply.id


@pytest.mark.parametrize("missing", ["gr_id", "usr_Name", "mb_number"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_add_member_parameter_missing(rest, demo_data, missing, how):
    params = {"gr_id": 64, "usr_Name": "Maria.Rossi", "mb_number": "1071"}
    if how == "absent":
        del params[missing]
    else:
        params[missing] = ""
    before = snapshot(rest)
    reply = rest("members/addMember", **params)
    assert_id_status(reply, "addMember", "PARAMETER_MISSING")
    assert not reply.id  # no member was created
    assert snapshot(rest) == before


@pytest.mark.parametrize("gr_id", ["999", "abc", "0", "-45"])
def test_add_member_invalid_group_id(rest, demo_data, gr_id):
    before = snapshot(rest)
    reply = rest("members/addMember", gr_id=gr_id, usr_Name="Maria.Rossi", mb_number="1071")
    assert_id_status(reply, "addMember", "INVALID_GROUP_ID")
    assert snapshot(rest) == before


def test_add_member_invalid_username(rest, demo_data):
    before = snapshot(rest)
    reply = rest("members/addMember", gr_id=64, usr_Name="No.Body", mb_number="1071")
    assert_id_status(reply, "addMember", "INVALID_USERNAME")
    assert snapshot(rest) == before


def test_add_member_user_name_is_case_insensitive(rest, demo_data):
    reply = rest("members/addMember", gr_id=64, usr_Name="MARIA.ROSSI", mb_number="1071")
    assert reply.status == "OK"
    assert entry(rest, "Maria.Rossi", 64)["id"] == reply.id


def test_add_member_second_manager_is_refused(rest, demo_data):
    before = snapshot(rest)
    reply = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_type=1)
    assert_id_status(reply, "addMember", "MANAGER_ALREADY_EXISTS")
    assert snapshot(rest) == before
    # group 64 has no manager: the same call there works, and then the second one there is refused
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071", gm_type=1).status == "OK"
    reply = rest("members/addMember", gr_id=64, usr_Name="Gabriela.Kronberger", mb_number="1077", gm_type=1)
    assert reply.status == "MANAGER_ALREADY_EXISTS"
    assert [m["userName"] for m in get(rest, gr_id=64, gm_type=1)] == ["Maria.Rossi"]


@pytest.mark.parametrize("user", ["Rafael.Hidalgo", "rafael.hidalgo"])
def test_add_member_same_user_and_number_twice_in_a_group(rest, demo_data, user):
    before = snapshot(rest)
    reply = rest("members/addMember", gr_id=45, usr_Name=user, mb_number="1175")
    assert_id_status(reply, "addMember", "ALREADY_EXISTS")
    assert snapshot(rest) == before


def test_add_member_same_user_and_number_twice_after_a_first_add(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071").status == "OK"
    before = snapshot(rest)
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071").status == "ALREADY_EXISTS"
    assert snapshot(rest) == before


def test_add_member_second_phone_of_a_user_is_a_second_member(rest, demo_data):
    first = rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071")
    second = rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="+41795551071")
    assert (first.status, second.status) == ("OK", "OK")
    assert first.id != second.id
    mine = get(rest, gr_id=64, usr_Name="Maria.Rossi")
    assert [(m["id"], m["number"]) for m in mine] == [(first.id, "1071"), (second.id, "+41795551071")]
    assert len({m["shortName"].casefold() for m in get(rest, gr_id=64)}) == 6  # generated names stay unique


def test_add_member_same_phone_to_another_group_keeps_its_member_id(rest, demo_data):
    leo = mb_id(rest, "Leonard.Saligny")
    reply = rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118")
    assert reply.status == "OK"
    assert reply.id == leo
    entries = get(rest, mb_id=leo)
    assert sorted(m["grId"] for m in entries) == ["45", "64"]
    assert {m["id"] for m in entries} == {leo}


@pytest.mark.parametrize("extra", [
    {"gm_type": "2"}, {"gm_type": "abc"}, {"gm_type": "-1"},
    {"mb_number": "10a1"}, {"mb_number": "abc"}, {"mb_number": "12 34"},
    {"gm_shortName": "ABCDEFGHI"}, {"gm_shortName": " "},
    {"displayedGroup": "999"}, {"displayedGroup": "abc"}, {"displayedGroup": "-2"},
    {"color": "red"},
], ids=lambda e: "-".join(f"{k}={v!r}" for k, v in e.items()))
def test_add_member_invalid_parameters(rest, demo_data, extra):
    before = snapshot(rest)
    reply = rest("members/addMember", **{"gr_id": 64, "usr_Name": "Maria.Rossi", "mb_number": "1071", **extra})
    assert_id_status(reply, "addMember", "INVALID_PARAMETERS")
    assert snapshot(rest) == before


# ---------------------------------------------------------------------------------------------- short names


@pytest.mark.parametrize("short", ["M", "ABCDEFGH", "Rö", "A&B<C>", "'q\"x'"])
def test_short_name_of_one_to_eight_characters_round_trips(rest, demo_data, short):
    reply = rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071", gm_shortName=short)
    assert reply.status == "OK"
    assert entry(rest, "Maria.Rossi", 64)["shortName"] == short


def test_short_name_with_markup_is_escaped_and_filterable(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071",
                gm_shortName="A&B<C>").status == "OK"
    raw = rest("members/getMembers", gr_id=64).http.content
    assert b"<shortName>A&amp;B&lt;C&gt;</shortName>" in raw
    assert [m["userName"] for m in get(rest, gm_shortName="&b<")] == ["Maria.Rossi"]
    # editing to a markup short name round-trips as well
    assert rest("members/editMember", usr_Name="Rafael.Hidalgo", gm_shortName="<R&H>").status == "OK"
    assert entry(rest, "Rafael.Hidalgo", 45)["shortName"] == "<R&H>"


def test_empty_short_name_on_add_is_generated_like_an_omitted_one(rest, demo_data):
    # a form that posts every field sends gm_shortName= when the user left it empty
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071",
                gm_shortName="").status == "OK"
    assert entry(rest, "Maria.Rossi", 64)["shortName"] == "MarR"  # "Mar" is maria.santos's


def test_short_name_generated_from_first_name_without_accents(rest, demo_data):
    # Léonard Saligny is in group 45 as "Leo"; adding him to group 64 without a short name generates one
    assert entry(rest, "Leonard.Saligny", 45)["shortName"] == "Leo"
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert entry(rest, "Leonard.Saligny", 64)["shortName"] == "Leo"


def test_generated_short_name_is_unique_in_the_group(rest, demo_data, store):
    add_user(store, "Leonie.Meyer", "Léonie", "Meyer", "1190")
    add_user(store, "Leon.Martin", "Leon", "Martin", "1191")
    add_user(store, "Leopold.Mann", "Leopold", "Mann", "1192")
    for name, number in (("Leonie.Meyer", "1190"), ("Leon.Martin", "1191"), ("Leopold.Mann", "1192")):
        assert rest("members/addMember", gr_id=45, usr_Name=name, mb_number=number).status == "OK"
    shorts = [m["shortName"] for m in get(rest, gr_id=45)]
    assert len({s.casefold() for s in shorts}) == len(shorts), shorts
    assert all(1 <= len(s) <= 8 for s in shorts), shorts
    assert entry(rest, "Leonard.Saligny", 45)["shortName"] == "Leo"
    for name in ("Leonie.Meyer", "Leon.Martin", "Leopold.Mann"):
        assert entry(rest, name, 45)["shortName"].startswith("Leo")


def test_generated_short_name_is_not_taken_from_another_group(rest, demo_data, store):
    # "Mar" is maria.santos's short name in group 64, not in group 45
    assert rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071").status == "OK"
    assert entry(rest, "Maria.Rossi", 45)["shortName"] == "Mar"
    assert rest("members/addMember", gr_id=64, usr_Name="Marta.Maric", mb_number="1040").status == "OK"
    assert entry(rest, "Marta.Maric", 64)["shortName"].casefold() != "mar"


# ---------------------------------------------------------------------------------------------- displayedGroup on add


def test_add_member_displayed_group(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Maria.Rossi", mb_number="1071").status == "OK"
    assert entry(rest, "Maria.Rossi", 64)["displayedGroup"] == "0"  # the manual's default: hidden
    assert rest("members/addMember", gr_id=64, usr_Name="Gabriela.Kronberger", mb_number="1077",
                displayedGroup=45).status == "OK"
    assert entry(rest, "Gabriela.Kronberger", 64)["displayedGroup"] == "45"
    assert rest("members/addMember", gr_id=64, usr_Name="Tamara.Farrow", mb_number="1022",
                displayedGroup=-1).status == "OK"
    assert entry(rest, "Tamara.Farrow", 64)["displayedGroup"] == "0"


def test_add_existing_phone_to_another_group_and_displayed_group(rest, demo_data):
    # Léonard's phone shows group 45; -1 leaves that alone, a group id changes it for the phone
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118",
                displayedGroup=-1).status == "OK"
    assert [m["displayedGroup"] for m in get(rest, usr_Name="Leonard.Saligny")] == ["45", "45"]
    assert rest("members/deleteMember", usr_Name="Leonard.Saligny", gr_id=64).status == "OK"
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118",
                displayedGroup=64).status == "OK"
    assert [m["displayedGroup"] for m in get(rest, usr_Name="Leonard.Saligny")] == ["64", "64"]


# ---------------------------------------------------------------------------------------------- deleteMember


def test_delete_member_manual_example(rest, example_db):
    added = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_shortName="Mar",
                 gm_type=1)
    reply = rest("members/deleteMember", mb_id=added.id, gr_id=45)
    assert_plain(reply, "deleteMember", "OK")
    assert get(rest, gr_id=45) == []
    # the group has no manager any more: a new one can be added
    assert rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_type=1).status == "OK"


@pytest.mark.parametrize("params", [{}, {"mb_id": ""}, {"usr_Name": ""}, {"mb_id": "", "usr_Name": ""},
                                    {"gr_id": "45"}, {"mb_id": " ", "gr_id": "45"}])
def test_delete_member_parameter_missing(rest, demo_data, params):
    before = snapshot(rest)
    assert_plain(rest("members/deleteMember", **params), "deleteMember", "PARAMETER_MISSING")
    assert snapshot(rest) == before


def test_delete_member_invalid_member_id(rest, demo_data):
    before = snapshot(rest)
    for params in ({"mb_id": "99999"}, {"mb_id": "abc"}, {"mb_id": "0"},
                   {"mb_id": mb_id(rest, "Rafael.Hidalgo"), "gr_id": 64},  # not in that group
                   {"usr_Name": "Rafael.Hidalgo", "gr_id": 64},
                   {"usr_Name": "Maria.Rossi"}):  # a user who is no member at all
        assert_plain(rest("members/deleteMember", **params), "deleteMember", "INVALID_MEMBER_ID")
    assert snapshot(rest) == before


def test_delete_member_invalid_username(rest, demo_data):
    before = snapshot(rest)
    assert_plain(rest("members/deleteMember", usr_Name="No.Body"), "deleteMember", "INVALID_USERNAME")
    assert snapshot(rest) == before


@pytest.mark.parametrize("gr_id", ["999", "abc"])
def test_delete_member_invalid_group_id(rest, demo_data, gr_id):
    before = snapshot(rest)
    reply = rest("members/deleteMember", mb_id=mb_id(rest, "Rafael.Hidalgo"), gr_id=gr_id)
    assert_plain(reply, "deleteMember", "INVALID_GROUP_ID")
    assert snapshot(rest) == before


def test_delete_member_unknown_parameter(rest, demo_data):
    before = snapshot(rest)
    reply = rest("members/deleteMember", mb_id=mb_id(rest, "Rafael.Hidalgo"), force="1")
    assert_plain(reply, "deleteMember", "INVALID_PARAMETERS")
    assert snapshot(rest) == before


def test_delete_member_twice(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert rest("members/deleteMember", mb_id=rafael, gr_id=45).status == "OK"
    assert rest("members/deleteMember", mb_id=rafael, gr_id=45).status == "INVALID_MEMBER_ID"
    assert rest("members/deleteMember", mb_id=rafael).status == "INVALID_MEMBER_ID"


def test_delete_member_with_group_leaves_other_groups(rest, demo_data):
    leo = mb_id(rest, "Leonard.Saligny")
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/deleteMember", mb_id=leo, gr_id=64).status == "OK"
    assert order(rest, 64) == SUPPORT_ORDER
    assert [(m["id"], m["grId"]) for m in get(rest, usr_Name="Leonard.Saligny")] == [(leo, "45")]


def test_delete_member_by_user_name_with_group(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/deleteMember", usr_Name="leonard.saligny", gr_id=45).status == "OK"
    assert [m["grId"] for m in get(rest, usr_Name="Leonard.Saligny")] == ["64"]
    assert "Leonard.Saligny" not in order(rest, 45)


def test_delete_member_by_user_name_without_group_removes_every_phone_everywhere(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="+41795551118").status == "OK"
    assert len(get(rest, usr_Name="Leonard.Saligny")) == 3
    assert_plain(rest("members/deleteMember", usr_Name="Leonard.Saligny"), "deleteMember", "OK")
    assert get(rest, usr_Name="Leonard.Saligny") == []
    assert order(rest, 45) == [n for n in MA_ORDER if n != "Leonard.Saligny"]
    assert order(rest, 64) == SUPPORT_ORDER


def test_delete_member_by_id_without_group_removes_it_from_every_group(rest, demo_data):
    leo = mb_id(rest, "Leonard.Saligny")
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/deleteMember", mb_id=leo).status == "OK"
    assert get(rest, mb_id=leo) == []
    assert get(rest, usr_Name="Leonard.Saligny") == []


def test_delete_member_id_has_priority_over_user_name(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert rest("members/deleteMember", mb_id=rafael, usr_Name="Aradhana.Jaggi").status == "OK"
    assert get(rest, usr_Name="Rafael.Hidalgo") == []
    assert len(get(rest, usr_Name="Aradhana.Jaggi")) == 1


def test_delete_member_positions_close_up(rest, demo_data):
    assert rest("members/deleteMember", usr_Name="Aradhana.Jaggi", gr_id=45).status == "OK"
    assert order(rest, 45) == ["Tijana.Vlahovic", "Rafael.Hidalgo", "Leonard.Saligny", "San.Zhang",
                               "Emilia.Skjeggestad"]
    assert indices(rest, 45) == ["1", "2", "3", "4", "5"]
    assert rest("members/deleteMember", usr_Name="Tijana.Vlahovic").status == "OK"
    assert indices(rest, 45) == ["1", "2", "3", "4"]
    assert order(rest, 45)[0] == "Rafael.Hidalgo"


def test_delete_forwarding_target_clears_forwarding(rest, demo_data):
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == "1175"  # forwards to Rafael
    assert rest("members/deleteMember", usr_Name="Rafael.Hidalgo", gr_id=45).status == "OK"
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == ""


def test_delete_forwarding_target_from_all_groups_clears_forwarding(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="1175").status == "OK"
    assert rest("members/deleteMember", mb_id=mb_id(rest, "Rafael.Hidalgo")).status == "OK"
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == ""


def test_delete_forwarding_target_from_the_shared_group_clears_forwarding(rest, demo_data):
    # Rafael stays in group 64, but no longer shares a group with Emilia
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="1175").status == "OK"
    assert rest("members/deleteMember", usr_Name="Rafael.Hidalgo", gr_id=45).status == "OK"
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == ""
    assert [m["grId"] for m in get(rest, usr_Name="Rafael.Hidalgo")] == ["64"]


def test_deleted_forwarder_comes_back_without_forwarding(rest, demo_data):
    assert rest("members/deleteMember", usr_Name="Emilia.Skjeggestad").status == "OK"
    assert rest("members/addMember", gr_id=45, usr_Name="Emilia.Skjeggestad", mb_number="1033").status == "OK"
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == ""


def test_delete_by_user_name_in_a_group_removes_all_their_phones_there(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="maria.santos", mb_number="+41795551081").status == "OK"
    assert rest("members/deleteMember", usr_Name="maria.santos", gr_id=64).status == "OK"
    assert order(rest, 64) == SUPPORT_ORDER[1:]
    assert indices(rest, 64) == ["1", "2", "3"]


def test_delete_member_displaying_the_group_it_left(rest, demo_data):
    # Léonard's phone shows group 45; he is also in group 64, and leaves 45
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert entry(rest, "Leonard.Saligny", 64)["displayedGroup"] == "45"
    assert rest("members/deleteMember", usr_Name="Leonard.Saligny", gr_id=45).status == "OK"
    assert entry(rest, "Leonard.Saligny", 64)["displayedGroup"] == "0"


def test_delete_member_displaying_another_group_keeps_it(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/deleteMember", usr_Name="Leonard.Saligny", gr_id=64).status == "OK"
    assert entry(rest, "Leonard.Saligny", 45)["displayedGroup"] == "45"


# ---------------------------------------------------------------------------------------------- editMember


def test_edit_member_manual_example(rest, example_db):
    added = rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071", gm_shortName="Mar",
                 gm_type=1)
    reply = rest("members/editMember", mb_id=added.id, gr_id=45, gm_shortName="Ros")
    assert_plain(reply, "editMember", "OK")
    [m] = get(rest, gr_id=45)
    assert (m["shortName"], m["number"], m["type"], m["displayedGroup"]) == ("Ros", "1071", "1", "0")


@pytest.mark.parametrize("params", [{}, {"mb_id": ""}, {"usr_Name": ""}, {"gm_shortName": "Ros"},
                                    {"mb_id": "", "usr_Name": "", "gr_id": "45", "gm_shortName": "Ros"}])
def test_edit_member_parameter_missing(rest, demo_data, params):
    before = snapshot(rest)
    assert_plain(rest("members/editMember", **params), "editMember", "PARAMETER_MISSING")
    assert snapshot(rest) == before


def test_edit_member_invalid_member_id(rest, demo_data):
    before = snapshot(rest)
    for params in ({"mb_id": "99999"}, {"mb_id": "abc"},
                   {"mb_id": mb_id(rest, "Rafael.Hidalgo"), "gr_id": 64},
                   {"usr_Name": "Maria.Rossi"}):
        reply = rest("members/editMember", **params, gm_shortName="X")
        assert_plain(reply, "editMember", "INVALID_MEMBER_ID")
    assert snapshot(rest) == before


def test_edit_member_invalid_username(rest, demo_data):
    before = snapshot(rest)
    assert_plain(rest("members/editMember", usr_Name="No.Body", gm_shortName="X"), "editMember", "INVALID_USERNAME")
    assert snapshot(rest) == before


def test_edit_member_invalid_group_id(rest, demo_data):
    before = snapshot(rest)
    reply = rest("members/editMember", usr_Name="Rafael.Hidalgo", gr_id=999, gm_shortName="X")
    assert_plain(reply, "editMember", "INVALID_GROUP_ID")
    assert snapshot(rest) == before


@pytest.mark.parametrize("extra", [
    {"gm_shortName": "ABCDEFGHI"}, {"gm_shortName": ""}, {"gm_shortName": " "},
    {"mb_number": "11a5"}, {"mb_number": "abc"},
    {"displayedGroup": "999"}, {"displayedGroup": "abc"}, {"displayedGroup": "-2"},
    {"gm_type": "1"},  # not a parameter of editMember
    {"color": "red"},
], ids=lambda e: "-".join(f"{k}={v!r}" for k, v in e.items()))
def test_edit_member_invalid_parameters(rest, demo_data, extra):
    before = snapshot(rest)
    reply = rest("members/editMember", usr_Name="Rafael.Hidalgo", **extra)
    assert_plain(reply, "editMember", "INVALID_PARAMETERS")
    assert snapshot(rest) == before


def test_edit_member_invalid_value_changes_nothing_else(rest, demo_data):
    before = snapshot(rest)
    reply = rest("members/editMember", usr_Name="Rafael.Hidalgo", gm_shortName="Rafa", displayedGroup=999)
    assert reply.status == "INVALID_PARAMETERS"
    assert snapshot(rest) == before
    reply = rest("members/editMember", usr_Name="Rafael.Hidalgo", gm_shortName="Rafa", mb_number="x1")
    assert reply.status == "INVALID_PARAMETERS"
    assert snapshot(rest) == before


def test_edit_short_name_in_one_group_or_all(rest, demo_data):
    leo = mb_id(rest, "Leonard.Saligny")
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/editMember", mb_id=leo, gr_id=64, gm_shortName="LS").status == "OK"
    assert entry(rest, "Leonard.Saligny", 45)["shortName"] == "Leo"
    assert entry(rest, "Leonard.Saligny", 64)["shortName"] == "LS"
    assert rest("members/editMember", mb_id=leo, gm_shortName="Lenny").status == "OK"
    assert entry(rest, "Leonard.Saligny", 45)["shortName"] == "Lenny"
    assert entry(rest, "Leonard.Saligny", 64)["shortName"] == "Lenny"
    assert rest("members/editMember", usr_Name="LEONARD.SALIGNY", gr_id=45, gm_shortName="L.").status == "OK"
    assert [(m["grId"], m["shortName"]) for m in get(rest, mb_id=leo)] == [("45", "L."), ("64", "Lenny")]


def test_edit_short_name_keeps_everything_else(rest, demo_data):
    before = entry(rest, "Leonard.Saligny", 45)
    assert rest("members/editMember", usr_Name="Leonard.Saligny", gm_shortName="Lenny").status == "OK"
    after = entry(rest, "Leonard.Saligny", 45)
    assert after == {**before, "shortName": "Lenny"}


def test_edit_member_id_has_priority_over_user_name(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert rest("members/editMember", mb_id=rafael, usr_Name="Aradhana.Jaggi", gm_shortName="Rfl").status == "OK"
    assert entry(rest, "Rafael.Hidalgo", 45)["shortName"] == "Rfl"
    assert entry(rest, "Aradhana.Jaggi", 45)["shortName"] == "Ara"


@pytest.mark.parametrize(("value", "expected"), [("0", "0"), ("-1", "45"), ("64", "64"), ("45", "45")])
def test_edit_displayed_group(rest, demo_data, value, expected):
    assert entry(rest, "Leonard.Saligny", 45)["displayedGroup"] == "45"
    assert rest("members/editMember", usr_Name="Leonard.Saligny", displayedGroup=value).status == "OK"
    assert entry(rest, "Leonard.Saligny", 45)["displayedGroup"] == expected


def test_edit_displayed_group_unknown_group_is_refused(rest, demo_data):
    reply = rest("members/editMember", usr_Name="Leonard.Saligny", displayedGroup=999)
    assert reply.status == "INVALID_PARAMETERS"
    assert entry(rest, "Leonard.Saligny", 45)["displayedGroup"] == "45"


def test_edit_number_by_member_id(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="1175").status == "OK"
    assert rest("members/editMember", mb_id=rafael, mb_number="1176").status == "OK"
    assert [(m["grId"], m["number"]) for m in get(rest, mb_id=rafael)] == [("45", "1176"), ("64", "1176")]
    assert get(rest, mb_number="1175") == []
    # Emilia forwards to Rafael's member: the destination follows his new number
    assert entry(rest, "Emilia.Skjeggestad", 45)["forwardDestination"] == "1176"


def test_edit_number_by_user_name_with_one_member(rest, demo_data):
    assert rest("members/editMember", usr_Name="Aradhana.Jaggi", mb_number="+41795551068").status == "OK"
    assert entry(rest, "Aradhana.Jaggi", 45)["number"] == "+41795551068"


def test_edit_number_by_user_name_with_several_members_is_refused(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Aradhana.Jaggi", mb_number="+41795551068").status == "OK"
    before = snapshot(rest)
    reply = rest("members/editMember", usr_Name="Aradhana.Jaggi", mb_number="1999")
    assert_plain(reply, "editMember", "INVALID_PARAMETERS")
    assert snapshot(rest) == before
    # naming the phone by its id works
    phone = entry(rest, "Aradhana.Jaggi", 64)["id"]
    assert rest("members/editMember", mb_id=phone, mb_number="1999").status == "OK"
    assert sorted(m["number"] for m in get(rest, usr_Name="Aradhana.Jaggi")) == ["1068", "1999"]


def test_edit_number_to_another_phone_of_the_same_user(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Aradhana.Jaggi", mb_number="+41795551068").status == "OK"
    before = snapshot(rest)
    reply = rest("members/editMember", mb_id=mb_id(rest, "Aradhana.Jaggi"), mb_number="+41795551068")
    assert_plain(reply, "editMember", "ALREADY_EXISTS")
    assert snapshot(rest) == before


# ---------------------------------------------------------------------------------------------- getMembers


def test_get_members_manual_example(rest, demo_data):
    reply = rest("members/getMembers", gm_type=0, gr_id=45)
    assert reply.request == "getMembers"
    assert [c.tag for c in reply.response] == ["member"] * 5
    found = reply.items("member")
    for m in found:
        assert list(m) == MEMBER_ELEMENTS
    assert [(m["firstName"], m["lastName"]) for m in found] == [
        ("Rafael", "Hidalgo"), ("Aradhana", "Jaggi"), ("Léonard", "Saligny"), ("San", "Zhang"),
        ("Emilia", "Skjeggestad")]
    rafael = found[0]
    assert rafael["id"].isdigit()
    assert {k: rafael[k] for k in MEMBER_ELEMENTS if k not in ("id", "index", "displayedGroup")} == {
        "firstName": "Rafael", "lastName": "Hidalgo", "number": "1175", "type": "0", "grId": "45",
        "userName": "Rafael.Hidalgo", "shortName": "Raf", "userState": "0", "forwardDestination": "",
        "statusMessage": "", "lineState": "0"}
    # Tijana, the manager, is first in the list
    assert [m["index"] for m in found] == ["2", "3", "4", "5", "6"]
    assert len({m["id"] for m in found}) == 5


def test_get_members_by_get_request(rest, demo_data):
    reply = rest("members/getMembers", "GET", gm_type=0, gr_id=45)
    assert [m["userName"] for m in reply.items("member")] == MA_ORDER[1:]


def test_get_members_demo_values(rest, demo_data):
    san = entry(rest, "San.Zhang", 45)
    assert (san["userState"], san["statusMessage"], san["displayedGroup"]) == ("1", "Out for lunch", "45")
    emilia = entry(rest, "Emilia.Skjeggestad", 45)
    assert emilia["forwardDestination"] == "1175"
    tijana = entry(rest, "Tijana.Vlahovic", 45)
    assert (tijana["type"], tijana["index"], tijana["lastName"]) == ("1", "1", "Vlahović")


def test_get_members_without_filter_lists_every_membership(rest, demo_data):
    everything = get(rest)
    assert len(everything) == 10
    assert all(list(m) == MEMBER_ELEMENTS for m in everything)
    assert [m["userName"] for m in everything if m["grId"] == "45"] == MA_ORDER
    assert [m["userName"] for m in everything if m["grId"] == "64"] == SUPPORT_ORDER
    # one entry per (member, group)
    assert rest("members/addMember", gr_id=64, usr_Name="San.Zhang", mb_number="1072").status == "OK"
    assert len(get(rest)) == 11
    san = get(rest, usr_Name="San.Zhang")
    assert sorted(m["grId"] for m in san) == ["45", "64"]
    assert len({m["id"] for m in san}) == 1


def test_get_members_indices_are_positions(rest, demo_data):
    assert indices(rest, 45) == ["1", "2", "3", "4", "5", "6"]
    assert indices(rest, 64) == ["1", "2", "3", "4"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"gm_type": 0, "gr_id": 45}, [*MA_ORDER[1:], "Maria.Rossi"]),
    ({"gm_type": 1}, ["Tijana.Vlahovic"]),
    ({"gm_type": 1, "gr_id": 64}, []),
    ({"gm_type": 0, "gr_id": 64}, SUPPORT_ORDER),
    ({"gr_id": 999}, []),
    ({"firstName": "maria"}, ["Maria.Rossi", "maria.santos"]),
    ({"firstName": "maria", "gr_id": 64}, ["maria.santos"]),
    ({"firstName": "maria", "lastName": "ross"}, ["Maria.Rossi"]),
    ({"firstName": "maria", "lastName": "girard"}, []),
    ({"firstName": "AFA"}, ["Rafael.Hidalgo"]),
    ({"firstName": "LÉO"}, ["Leonard.Saligny"]),
    ({"lastName": "skjegg"}, ["Emilia.Skjeggestad"]),
    ({"lastName": "VLAHOVIĆ"}, ["Tijana.Vlahovic"]),
    ({"gm_shortName": "ra"}, ["Rafael.Hidalgo", "Aradhana.Jaggi"]),
    ({"gm_shortName": "MAR"}, ["Maria.Rossi", "maria.santos"]),
    ({"gm_shortName": "mar", "gr_id": 45}, ["Maria.Rossi"]),
    ({"usr_Name": "rafael.hidalgo"}, ["Rafael.Hidalgo"]),
    ({"usr_Name": "MARIA.SANTOS"}, ["maria.santos"]),
    ({"usr_Name": "Rafael"}, []),  # exact, not a substring
    ({"usr_Name": "maria"}, []),
    ({"mb_number": "1175"}, ["Rafael.Hidalgo"]),
    ({"mb_number": "117"}, []),
    ({"mb_number": "1071", "gr_id": 64}, []),
    ({"firstName": "%"}, []),  # no SQL wildcards
    ({"gm_shortName": "_"}, []),
    ({"lastName": "*"}, []),
    ({"gm_type": 0, "firstName": "a", "lastName": "a", "gr_id": 45},
     ["Rafael.Hidalgo", "Aradhana.Jaggi", "Leonard.Saligny", "San.Zhang", "Emilia.Skjeggestad"]),
], ids=repr)
def test_get_members_filters(rest, demo_data, filters, expected):
    # Maria.Rossi joins group 45 (short name generated as "Mar"), so two Marias are members
    assert rest("members/addMember", gr_id=45, usr_Name="Maria.Rossi", mb_number="1071").status == "OK"
    assert [m["userName"] for m in get(rest, **filters)] == expected


def test_get_members_filter_by_member_id(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert [m["userName"] for m in get(rest, mb_id=rafael)] == ["Rafael.Hidalgo"]
    assert get(rest, mb_id=rafael, gr_id=64) == []
    assert get(rest, mb_id=rafael, gm_type=1) == []
    assert get(rest, mb_id=99999) == []


def test_get_members_empty_filter_values_are_ignored(rest, demo_data):
    assert len(get(rest, firstName="", lastName="", gm_shortName="", usr_Name="", mb_number="", gr_id="",
                   mb_id="", gm_type="")) == 10


@pytest.mark.parametrize("params", [{"gm_type": "2"}, {"gm_type": "abc"}, {"mb_id": "abc"}, {"gr_id": "x"},
                                    {"name": "Rafael"}])
def test_get_members_invalid_parameters(rest, demo_data, params):
    reply = rest("members/getMembers", **params)
    assert_plain(reply, "getMembers", "INVALID_PARAMETERS")


# ---------------------------------------------------------------------------------------------- orderByUserList


def test_order_by_user_list_manual_example(rest, demo_data):
    # first bring the group into another order, then apply the manual's list
    assert rest("members/orderByUserList", gr_id=64,
                usr_list="romeo.girard,frederique.voclain,chiyo.fujimoto,maria.santos").status == "OK"
    assert order(rest, 64) == ["romeo.girard", "Frederique.Voclain", "chiyo.fujimoto", "maria.santos"]
    reply = rest("members/orderByUserList", gr_id=64,
                 usr_list="maria.santos,chiyo.fujimoto,romeo.girard,frederique.voclain")
    assert_plain(reply, "orderByUserList", "OK")
    assert order(rest, 64) == SUPPORT_ORDER
    assert indices(rest, 64) == ["1", "2", "3", "4"]


def test_order_by_user_list_names_match_case_insensitively(rest, demo_data):
    reply = rest("members/orderByUserList", gr_id=64,
                 usr_list="FREDERIQUE.VOCLAIN, Romeo.Girard ,CHIYO.fujimoto,Maria.Santos")
    assert reply.status == "OK"
    assert order(rest, 64) == list(reversed(SUPPORT_ORDER))
    assert indices(rest, 64) == ["1", "2", "3", "4"]


def test_order_by_user_list_group_45(rest, demo_data):
    new = ["Emilia.Skjeggestad", "San.Zhang", "Tijana.Vlahovic", "Rafael.Hidalgo", "Aradhana.Jaggi",
           "Leonard.Saligny"]
    assert rest("members/orderByUserList", gr_id=45, usr_list=",".join(new)).status == "OK"
    assert order(rest, 45) == new
    assert indices(rest, 45) == ["1", "2", "3", "4", "5", "6"]
    assert order(rest, 64) == SUPPORT_ORDER  # other groups untouched


@pytest.mark.parametrize("params", [
    {}, {"gr_id": 64}, {"usr_list": ",".join(SUPPORT_ORDER)},
    {"gr_id": "", "usr_list": ",".join(SUPPORT_ORDER)}, {"gr_id": 64, "usr_list": ""},
], ids=repr)
def test_order_by_user_list_parameter_missing(rest, demo_data, params):
    assert_plain(rest("members/orderByUserList", **params), "orderByUserList", "PARAMETER_MISSING")
    assert order(rest, 64) == SUPPORT_ORDER


@pytest.mark.parametrize("params", [
    {"gr_id": 999, "usr_list": "maria.santos,chiyo.fujimoto,romeo.girard,frederique.voclain"},
    {"gr_id": "abc", "usr_list": "maria.santos,chiyo.fujimoto,romeo.girard,frederique.voclain"},
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos"},  # one missing
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,maria.santos"},  # duplicated, one missing
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,frederique.voclain,maria.santos"},
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,Maria.Rossi"},  # not a member
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,No.Body"},  # no such user
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,frederique.voclain,Maria.Rossi"},
    {"gr_id": 45, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,frederique.voclain"},  # wrong group
    {"gr_id": 64, "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,frederique.voclain", "move": "up"},
], ids=repr)
def test_order_by_user_list_invalid_parameters(rest, demo_data, params):
    before = snapshot(rest)
    assert_plain(rest("members/orderByUserList", **params), "orderByUserList", "INVALID_PARAMETERS")
    assert snapshot(rest) == before


def test_order_by_user_list_user_with_two_phones_is_named_twice(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="maria.santos", mb_number="+41795551081").status == "OK"
    assert rest("members/orderByUserList", gr_id=64,
                usr_list="chiyo.fujimoto,maria.santos,romeo.girard,frederique.voclain").status == "INVALID_PARAMETERS"
    assert rest("members/orderByUserList", gr_id=64,
                usr_list="maria.santos,chiyo.fujimoto,romeo.girard,frederique.voclain,maria.santos").status == "OK"
    assert order(rest, 64) == [*SUPPORT_ORDER, "maria.santos"]
    assert indices(rest, 64) == ["1", "2", "3", "4", "5"]


# ---------------------------------------------------------------------------------------------- reorderMembers


def test_reorder_members_manual_example(rest, demo_data):
    chiyo = mb_id(rest, "chiyo.fujimoto", 64)
    reply = rest("members/reorderMembers", mb_id=chiyo, gr_id=64, move="up")
    assert_plain(reply, "reorderMembers", "OK")
    assert order(rest, 64) == ["chiyo.fujimoto", "maria.santos", "romeo.girard", "Frederique.Voclain"]
    assert indices(rest, 64) == ["1", "2", "3", "4"]


def test_reorder_members_down_by_user_name(rest, demo_data):
    assert rest("members/reorderMembers", usr_Name="ROMEO.GIRARD", gr_id=64, move="down").status == "OK"
    assert order(rest, 64) == ["maria.santos", "chiyo.fujimoto", "Frederique.Voclain", "romeo.girard"]
    assert indices(rest, 64) == ["1", "2", "3", "4"]
    assert rest("members/reorderMembers", usr_Name="romeo.girard", gr_id=64, move="up").status == "OK"
    assert order(rest, 64) == SUPPORT_ORDER


def test_reorder_members_is_a_no_op_at_the_ends(rest, demo_data):
    assert rest("members/reorderMembers", usr_Name="maria.santos", gr_id=64, move="up").status == "OK"
    assert order(rest, 64) == SUPPORT_ORDER
    assert rest("members/reorderMembers", usr_Name="Frederique.Voclain", gr_id=64, move="down").status == "OK"
    assert order(rest, 64) == SUPPORT_ORDER
    assert indices(rest, 64) == ["1", "2", "3", "4"]


def test_reorder_members_to_the_top_and_back(rest, demo_data):
    for _ in range(5):
        assert rest("members/reorderMembers", usr_Name="Emilia.Skjeggestad", gr_id=45, move="up").status == "OK"
    assert order(rest, 45) == ["Emilia.Skjeggestad", *MA_ORDER[:5]]
    for _ in range(7):
        assert rest("members/reorderMembers", usr_Name="Emilia.Skjeggestad", gr_id=45, move="down").status == "OK"
    assert order(rest, 45) == MA_ORDER
    assert indices(rest, 45) == ["1", "2", "3", "4", "5", "6"]


def test_reorder_members_only_touches_that_group(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Leonard.Saligny", mb_number="1118").status == "OK"
    assert rest("members/reorderMembers", usr_Name="Leonard.Saligny", gr_id=64, move="up").status == "OK"
    assert order(rest, 64) == ["maria.santos", "chiyo.fujimoto", "romeo.girard", "Leonard.Saligny",
                               "Frederique.Voclain"]
    assert order(rest, 45) == MA_ORDER


def test_reorder_members_user_with_two_phones_moves_the_first(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="maria.santos", mb_number="+41795551081").status == "OK"
    assert rest("members/reorderMembers", usr_Name="maria.santos", gr_id=64, move="down").status == "OK"
    assert [(m["userName"], m["number"]) for m in get(rest, gr_id=64)] == [
        ("chiyo.fujimoto", "1082"), ("maria.santos", "1081"), ("romeo.girard", "1083"),
        ("Frederique.Voclain", "1113"), ("maria.santos", "+41795551081")]


def test_reorder_members_id_has_priority_over_user_name(rest, demo_data):
    romeo = mb_id(rest, "romeo.girard", 64)
    assert rest("members/reorderMembers", mb_id=romeo, usr_Name="chiyo.fujimoto", gr_id=64,
                move="up").status == "OK"
    assert order(rest, 64) == ["maria.santos", "romeo.girard", "chiyo.fujimoto", "Frederique.Voclain"]


@pytest.mark.parametrize("params", [
    {"gr_id": 64, "move": "up"},
    {"usr_Name": "romeo.girard", "move": "up"},
    {"usr_Name": "romeo.girard", "gr_id": 64},
    {"usr_Name": "romeo.girard", "gr_id": 64, "move": ""},
    {"usr_Name": "romeo.girard", "gr_id": "", "move": "up"},
    {"usr_Name": "", "mb_id": "", "gr_id": 64, "move": "up"},
], ids=repr)
def test_reorder_members_parameter_missing(rest, demo_data, params):
    assert_plain(rest("members/reorderMembers", **params), "reorderMembers", "PARAMETER_MISSING")
    assert order(rest, 64) == SUPPORT_ORDER


@pytest.mark.parametrize("params", [
    {"usr_Name": "romeo.girard", "gr_id": 64, "move": "left"},
    {"usr_Name": "romeo.girard", "gr_id": 64, "move": "1"},
    {"usr_Name": "romeo.girard", "gr_id": 64, "move": "upup"},
    {"usr_Name": "romeo.girard", "gr_id": 999, "move": "up"},  # no such group
    {"usr_Name": "romeo.girard", "gr_id": "abc", "move": "up"},
    {"usr_Name": "romeo.girard", "gr_id": 64, "move": "up", "steps": "2"},
], ids=repr)
def test_reorder_members_invalid_parameters(rest, demo_data, params):
    before = snapshot(rest)
    assert_plain(rest("members/reorderMembers", **params), "reorderMembers", "INVALID_PARAMETERS")
    assert snapshot(rest) == before


def test_reorder_members_invalid_member_id(rest, demo_data):
    before = snapshot(rest)
    for params in ({"mb_id": "99999"}, {"mb_id": "abc"}, {"mb_id": mb_id(rest, "Rafael.Hidalgo")},
                   {"usr_Name": "Rafael.Hidalgo"}, {"usr_Name": "Maria.Rossi"}):
        reply = rest("members/reorderMembers", **params, gr_id=64, move="up")
        assert_plain(reply, "reorderMembers", "INVALID_MEMBER_ID")
    assert snapshot(rest) == before


def test_reorder_members_invalid_username(rest, demo_data):
    reply = rest("members/reorderMembers", usr_Name="No.Body", gr_id=64, move="up")
    assert_plain(reply, "reorderMembers", "INVALID_USERNAME")
    assert order(rest, 64) == SUPPORT_ORDER


# ---------------------------------------------------------------------------------------------- setPresence


def test_set_presence_manual_example(rest, demo_data):
    chiyo = mb_id(rest, "chiyo.fujimoto", 64)
    # the manual percent-encodes the message: Out%20for%20lunch
    reply = rest("members/setPresence", mb_id=chiyo, presenceState=1, presenceMessage="Out for lunch")
    assert_plain(reply, "setPresence", "OK")
    m = entry(rest, "chiyo.fujimoto", 64)
    assert (m["userState"], m["statusMessage"]) == ("1", "Out for lunch")
    assert entry(rest, "maria.santos", 64)["userState"] == "0"


def test_set_presence_percent_encoded_in_the_body(client, demo_data, rest):
    chiyo = mb_id(rest, "chiyo.fujimoto", 64)
    http = client.post("/Applications/inbound/MAGroup/rest/members/setPresence.asp",
                       content=f"mb_id={chiyo}&presenceState=1&presenceMessage=Out%20for%20lunch".encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert http.status_code == 200
    assert b"<Response>OK</Response>" in http.content
    assert entry(rest, "chiyo.fujimoto", 64)["statusMessage"] == "Out for lunch"


@pytest.mark.parametrize("state", ["0", "1", "3", "4", "6"])
def test_set_presence_every_state_shows_in_every_membership(rest, demo_data, state):
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="1175").status == "OK"
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="+41795551175").status == "OK"
    reply = rest("members/setPresence", usr_Name="rafael.hidalgo", presenceState=state, presenceMessage="Back at 3")
    assert_plain(reply, "setPresence", "OK")
    mine = get(rest, usr_Name="Rafael.Hidalgo")
    assert len(mine) == 3
    assert {(m["userState"], m["statusMessage"]) for m in mine} == {(state, "Back at 3")}
    others = [m for m in get(rest) if m["userName"] not in ("Rafael.Hidalgo", "San.Zhang")]
    assert {m["userState"] for m in others} == {"0"}


def test_set_presence_by_member_id_shows_for_the_users_other_phones(rest, demo_data):
    assert rest("members/addMember", gr_id=64, usr_Name="Rafael.Hidalgo", mb_number="+41795551175").status == "OK"
    mobile = entry(rest, "Rafael.Hidalgo", 64)["id"]
    assert rest("members/setPresence", mb_id=mobile, presenceState=4, presenceMessage="Meeting").status == "OK"
    assert {(m["userState"], m["statusMessage"]) for m in get(rest, usr_Name="Rafael.Hidalgo")} == {("4", "Meeting")}


def test_set_presence_message_with_special_characters_and_emoji(rest, demo_data):
    message = "Tom & Jerry <b>\"quoted\"</b> it's 🍕 at 12:00 — ça va?"
    assert rest("members/addMember", gr_id=64, usr_Name="San.Zhang", mb_number="1072").status == "OK"
    assert rest("members/setPresence", usr_Name="San.Zhang", presenceState=3, presenceMessage=message).status == "OK"
    for m in get(rest, usr_Name="San.Zhang"):
        assert (m["userState"], m["statusMessage"]) == ("3", message)
    raw = rest("members/getMembers", usr_Name="San.Zhang").http.content.decode("utf-8")
    assert "Tom &amp; Jerry &lt;b&gt;" in raw


def test_set_presence_id_has_priority_over_user_name(rest, demo_data):
    rafael = mb_id(rest, "Rafael.Hidalgo")
    assert rest("members/setPresence", mb_id=rafael, usr_Name="San.Zhang", presenceState=4).status == "OK"
    assert entry(rest, "Rafael.Hidalgo", 45)["userState"] == "4"
    san = entry(rest, "San.Zhang", 45)
    assert (san["userState"], san["statusMessage"]) == ("1", "Out for lunch")


def test_set_presence_without_message_clears_the_old_one(rest, demo_data):
    assert rest("members/setPresence", usr_Name="San.Zhang", presenceState=0).status == "OK"
    san = entry(rest, "San.Zhang", 45)
    assert (san["userState"], san["statusMessage"]) == ("0", "")


def test_set_presence_whitespace_around_state(rest, demo_data):
    assert rest("members/setPresence", usr_Name="Rafael.Hidalgo", presenceState=" 3 ").status == "OK"
    assert entry(rest, "Rafael.Hidalgo", 45)["userState"] == "3"


def _san_unchanged(rest):
    san = entry(rest, "San.Zhang", 45)
    assert (san["userState"], san["statusMessage"]) == ("1", "Out for lunch")


@pytest.mark.parametrize("state", ["2", "5", "7", "abc", "-1", "1.0", "10", "away"])
def test_set_presence_invalid_state(rest, demo_data, state):
    before = snapshot(rest)
    reply = rest("members/setPresence", usr_Name="San.Zhang", presenceState=state, presenceMessage="changed")
    assert_plain(reply, "setPresence", "INVALID_STATE")
    assert snapshot(rest) == before
    _san_unchanged(rest)


@pytest.mark.parametrize("params", [
    {"usr_Name": "San.Zhang"},
    {"usr_Name": "San.Zhang", "presenceState": ""},
    {"usr_Name": "San.Zhang", "presenceMessage": "x"},
    {"presenceState": "0"},
    {"usr_Name": "", "presenceState": "0"},
    {"mb_id": "", "usr_Name": "", "presenceState": "0", "presenceMessage": "x"},
], ids=repr)
def test_set_presence_parameter_missing(rest, demo_data, params):
    before = snapshot(rest)
    assert_plain(rest("members/setPresence", **params), "setPresence", "PARAMETER_MISSING")
    assert snapshot(rest) == before


def test_set_presence_invalid_member_id(rest, demo_data):
    before = snapshot(rest)
    for params in ({"mb_id": "99999"}, {"mb_id": "abc"}, {"usr_Name": "Maria.Rossi"}):
        reply = rest("members/setPresence", **params, presenceState=0)
        assert_plain(reply, "setPresence", "INVALID_MEMBER_ID")
    assert snapshot(rest) == before


def test_set_presence_invalid_username(rest, demo_data):
    before = snapshot(rest)
    assert_plain(rest("members/setPresence", usr_Name="No.Body", presenceState=0), "setPresence", "INVALID_USERNAME")
    assert snapshot(rest) == before


@pytest.mark.parametrize("extra", [{"presenceMessage": "bell\x07"}, {"presenceMessage": "x" * 1000},
                                   {"gr_id": "45"}], ids=["control-character", "too-long", "unknown-parameter"])
def test_set_presence_invalid_parameters(rest, demo_data, extra):
    before = snapshot(rest)
    reply = rest("members/setPresence", usr_Name="San.Zhang", presenceState=0, **extra)
    assert_plain(reply, "setPresence", "INVALID_PARAMETERS")
    assert snapshot(rest) == before
    _san_unchanged(rest)


# ---------------------------------------------------------------------------------------------- robustness

ODD_VALUES = ["", " ", "abc", "0", "-1", "1", "45", "64", "99999999999999999999", "1e3", "%", "%00", "\x00",
              "'; DROP TABLE members; --", "é🍕", "A" * 5000, "up", "Rafael.Hidalgo", "1175", "45,64", "+", "\ud83d"]

FUNCTIONS = {
    "addMember": ("gr_id usr_Name mb_number gm_shortName gm_type displayedGroup",
                  {"gr_id": "64", "usr_Name": "Maria.Rossi", "mb_number": "1071"}),
    "deleteMember": ("mb_id usr_Name gr_id", {"usr_Name": "Rafael.Hidalgo", "gr_id": "45"}),
    "editMember": ("mb_id usr_Name gr_id mb_number gm_shortName displayedGroup",
                   {"usr_Name": "Rafael.Hidalgo", "gm_shortName": "Rf"}),
    "getMembers": ("mb_id usr_Name gm_type firstName lastName mb_number gm_shortName gr_id", {}),
    "orderByUserList": ("gr_id usr_list", {"gr_id": "64", "usr_list": ",".join(SUPPORT_ORDER)}),
    "reorderMembers": ("mb_id usr_Name gr_id move", {"usr_Name": "romeo.girard", "gr_id": "64", "move": "up"}),
    "setPresence": ("mb_id usr_Name presenceState presenceMessage", {"usr_Name": "San.Zhang", "presenceState": "1"}),
}


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_no_input_gives_a_server_error(client, rest, demo_data, function):
    names, base = FUNCTIONS[function]
    url = f"/Applications/inbound/MAGroup/rest/members/{function}.asp"
    seen = set()
    for name in names.split():
        for value in ODD_VALUES:
            for params in ({name: value}, {**base, name: value}):
                if "\ud83d" in value:  # a lone surrogate: send the raw bytes a broken client would send
                    body = "&".join(f"{k}={v}" for k, v in params.items() if "\ud83d" not in v).encode()
                    body += f"&{name}=%ED%A0%BD".encode()
                    http = client.post(url, content=body,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
                    assert http.status_code < 500, (params, http.status_code)
                    assert b"ERROR" not in http.content.replace(b"_ERROR", b""), (params, http.content)
                    continue
                reply = rest(f"members/{function}", **params)
                assert reply.http.status_code == 200, (params, reply.http.status_code)
                assert reply.request == function
                assert reply.status != "ERROR", params
                seen.add(reply.status)
    # the same functions also answer GET with odd query strings
    for value in ODD_VALUES[:12]:
        reply = rest(f"members/{function}", "GET", **{**base, names.split()[0]: value})
        assert reply.http.status_code == 200 and reply.status != "ERROR", value
    assert seen  # the loop ran
