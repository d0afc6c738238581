"""REST members: addMember, deleteMember, editMember, getMembers, orderByUserList, reorderMembers,
setPresence."""

from __future__ import annotations

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.members import MANAGER, valid_short_name
from phonesvc.domain.presence import parse_presence
from phonesvc.rest.envelope import IdStatus
from phonesvc.rest.registry import MA, Call, function
from phonesvc.store import members as store
from phonesvc.store.groups import require_group
from phonesvc.store.users import require_user

MOVES = {"up": True, "down": False}
TYPES = {"0": 0, "1": 1}


def _short_name(call: Call, empty_means_generate: bool) -> str | None:
    """addMember generates a short name when it is omitted or sent empty (a form's empty field);
    editMember cannot clear one."""
    raw = call.params.get("gm_shortName")
    if raw is None or (raw == "" and empty_means_generate):
        return None
    if not valid_short_name(raw) or call.params.text("gm_shortName", 8) is None:
        raise Rejected(E.INVALID_PARAMETERS, "gm_shortName must be 1 to 8 characters")
    return raw


def _displayed_group(call: Call) -> int | None:
    return call.params.int("displayedGroup", -1, 10**15) if call.params.given("displayedGroup") else None


def selected_members(call: Call, group_id: int | None) -> list:
    """Members named by mb_id (which wins) or usr_Name, limited to a group when one is given."""
    p = call.params
    p.require_one("mb_id", "usr_Name")
    if p.given("mb_id"):
        chosen = [store.require_member(call.conn, p.get("mb_id"))]
    else:
        user = require_user(call.conn, p.get("usr_Name"))
        chosen = store.members_of_user(call.conn, user.id)
    if group_id is not None:
        chosen = [m for m in chosen if group_id in store.member_groups(call.conn, m.id)]
    if not chosen:
        raise Rejected(E.INVALID_MEMBER_ID, "no such member" + (" in this group" if group_id else ""))
    return chosen


@function(MA, "members", "addMember", params="gr_id usr_Name mb_number gm_shortName gm_type displayedGroup",
          id_shaped=True)
def add_member(call: Call):
    p = call.params
    p.require("gr_id", "usr_Name", "mb_number")
    group = require_group(call.conn, p.get("gr_id"))
    user = require_user(call.conn, p.get("usr_Name"))
    number = p.number("mb_number")
    gm_type = p.choice("gm_type", TYPES) if p.given("gm_type") else 0
    return IdStatus(store.add_member(call.conn, group.id, user, number, _short_name(call, True), gm_type,
                                     _displayed_group(call)))


@function(MA, "members", "deleteMember", params="mb_id usr_Name gr_id")
def delete_member(call: Call):
    p = call.params
    p.require_one("mb_id", "usr_Name")
    gid = require_group(call.conn, p.get("gr_id")).id if p.given("gr_id") else None
    for member in selected_members(call, gid):
        store.remove_member(call.conn, member.id, gid)
    return E.OK


@function(MA, "members", "editMember", params="mb_id usr_Name gr_id mb_number gm_shortName displayedGroup")
def edit_member(call: Call):
    p = call.params
    p.require_one("mb_id", "usr_Name")
    gid = require_group(call.conn, p.get("gr_id")).id if p.given("gr_id") else None
    chosen = selected_members(call, gid)
    number = p.number("mb_number") if p.given("mb_number") else None
    short_name = _short_name(call, False)
    shown = _displayed_group(call)
    if number is not None and len(chosen) > 1:
        raise Rejected(E.INVALID_PARAMETERS, "this user has several members: name one by mb_id to change its number")
    for member in chosen:
        if number is not None:
            store.set_number(call.conn, member, number)
        if short_name is not None:
            store.set_short_name(call.conn, member.id, [gid] if gid else store.member_groups(call.conn, member.id),
                                 short_name)
        if shown is not None:
            store.set_displayed_group(call.conn, member.id, shown)
    return E.OK


def member_node(m: dict, line_state: int) -> tuple:
    return ("member", [
        ("id", m["id"]), ("firstName", m["first_name"]), ("lastName", m["last_name"]), ("number", m["number"]),
        ("type", m["type"]), ("grId", m["group_id"]), ("userName", m["user_name"]), ("index", m["position"]),
        ("shortName", m["short_name"]), ("displayedGroup", m["displayed_group"]),
        ("userState", m["presence"]), ("forwardDestination", m["forward_destination"]),
        ("statusMessage", m["presence_message"]), ("lineState", line_state),
    ])


@function(MA, "members", "getMembers",
          params="mb_id usr_Name gm_type firstName lastName mb_number gm_shortName gr_id", writes=False)
def get_members(call: Call):
    """Filters combine with AND. Names and short names match as case-insensitive substrings;
    ids, type, number and user name match exactly."""
    p = call.params
    mb_id = p.id("mb_id", E.INVALID_PARAMETERS)
    gr_id = p.id("gr_id", E.INVALID_PARAMETERS)
    gm_type = p.choice("gm_type", TYPES) if p.given("gm_type") else None
    exact = {"id": mb_id, "group_id": gr_id, "type": gm_type,
             "number": p.get("mb_number") if p.given("mb_number") else None}
    contains = {"first_name": p.get("firstName"), "last_name": p.get("lastName"),
                "short_name": p.get("gm_shortName")}
    user = p.get("usr_Name").strip().casefold() if p.given("usr_Name") else None
    out = []
    for m in store.list_memberships(call.conn, gr_id):
        if any(v is not None and m[k] != v for k, v in exact.items()):
            continue
        if any(v and v.casefold() not in m[k].casefold() for k, v in contains.items()):
            continue
        if user is not None and m["user_name"].casefold() != user:
            continue
        app_forwarding = m["type"] == MANAGER and m["fwd_kind"] is not None
        out.append(member_node(m, call.line_state(m["number"], app_forwarding)))
    return out


@function(MA, "members", "orderByUserList", params="gr_id usr_list")
def order_by_user_list(call: Call):
    call.params.require("gr_id", "usr_list")
    group = require_group(call.conn, call.params.get("gr_id"), E.INVALID_PARAMETERS)
    store.order_by_user_list(call.conn, group.id, call.params.get("usr_list").split(","))
    return E.OK


@function(MA, "members", "reorderMembers", params="mb_id usr_Name gr_id move")
def reorder_members(call: Call):
    p = call.params
    p.require("gr_id", "move")
    p.require_one("mb_id", "usr_Name")
    group = require_group(call.conn, p.get("gr_id"), E.INVALID_PARAMETERS)
    up = p.choice("move", MOVES)
    member = selected_members(call, group.id)[0]  # a user with several phones: the first match
    store.move_member(call.conn, group.id, member.id, up)
    return E.OK


@function(MA, "members", "setPresence", params="mb_id usr_Name presenceState presenceMessage")
def set_presence(call: Call):
    p = call.params
    p.require_one("mb_id", "usr_Name")
    p.require("presenceState")
    member = selected_members(call, None)[0]
    state = parse_presence(p.get("presenceState").strip())
    if state is None:
        raise Rejected(E.INVALID_STATE, "presenceState must be 0, 1, 3, 4 or 6")
    message = p.text("presenceMessage", 255) or ""
    store.set_presence(call.conn, member.user_id, state, message)
    return E.OK
