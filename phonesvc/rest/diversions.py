"""REST of PhoneDiversions: listGroups as its manual shows, and the functions to manage diversion
groups and their lines, in the same envelope style."""

from __future__ import annotations

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.rest.envelope import IdStatus
from phonesvc.rest.registry import DIV, Call, function
from phonesvc.store import diversions as store
from phonesvc.urls import diversion_service_url

STATES = {"on": "ON", "off": "OFF", "1": "ON", "0": "OFF"}


def _state(call: Call) -> str | None:
    raw = call.params.get("state")
    if raw is None:
        return None
    if raw.strip().casefold() not in STATES:
        raise Rejected(E.INVALID_STATE, "state must be ON or OFF")
    return STATES[raw.strip().casefold()]


def _switcher(call: Call) -> store.Switcher:
    return store.Switcher(call.user_name, f"REST {call.client}".strip())


def _name(call: Call, required: bool) -> str | None:
    return call.params.text("groupName", 100, required=True) if required or call.params.get("groupName") \
        is not None else None


@function(DIV, "", "listGroups", params="groupId groupName", writes=False)
def list_groups(call: Call):
    gid = call.params.id("groupId", E.INVALID_GROUP_ID)
    groups = store.list_groups(call.conn, gid, call.params.get("groupName"))
    if not groups:
        return E.NOT_FOUND
    inst = call.settings.diversions_instance
    return [("DiversionGroups", [("Group", [
        ("GroupID", g["id"]), ("GroupName", g["name"]), ("Destination", g["destination"]),
        ("State", g["state"]), ("Description", g["description"]), ("Username", g["user"]),
        ("PhoneServiceURL", diversion_service_url(call.base_url, inst, g["id"])),
        ("Lines", [("Line", [("LineID", ln["id"]), ("LineNumber", ln["number"]),
                             ("Description", ln["description"]), ("Username", ln["user"])])
                   for ln in g["lines"]]),
    ]) for g in groups])]


@function(DIV, "", "addGroup", methods="POST", params="groupName description destination state", id_shaped=True)
def add_group(call: Call):
    p = call.params
    p.require("groupName", "destination")
    return IdStatus(store.add_group(call.conn, _name(call, True), p.text("description") or "",
                                    p.number("destination"), _state(call) or "OFF", _switcher(call)))


@function(DIV, "", "editGroup", methods="POST", params="groupId groupName description destination",
          id_param="groupId")
def edit_group(call: Call):
    p = call.params
    p.require("groupId")
    row = store.require_diversion_group(call.conn, p.get("groupId"))
    store.edit_group(call.conn, row, _name(call, False), p.text("description"),
                     p.number("destination") if p.get("destination") is not None else None)
    return IdStatus(row.id)


@function(DIV, "", "deleteGroup", params="groupId", id_param="groupId")
def delete_group(call: Call):
    call.params.require("groupId")
    row = store.require_diversion_group(call.conn, call.params.get("groupId"))
    store.delete_group(call.conn, row)
    return IdStatus(row.id)


@function(DIV, "", "setGroupState", params="groupId state", id_param="groupId")
def set_group_state(call: Call):
    call.params.require("groupId", "state")
    row = store.require_diversion_group(call.conn, call.params.get("groupId"))
    store.set_state(call.conn, row, _state(call), _switcher(call))
    return IdStatus(row.id)


@function(DIV, "", "addLine", params="groupId lineNumber description", id_shaped=True)
def add_line(call: Call):
    p = call.params
    p.require("groupId", "lineNumber")
    row = store.require_diversion_group(call.conn, p.get("groupId"))
    return IdStatus(store.add_line(call.conn, row.id, p.number("lineNumber"), p.text("description") or ""))


@function(DIV, "", "editLine", params="lineId lineNumber description", id_param="lineId")
def edit_line(call: Call):
    p = call.params
    p.require("lineId")
    row = store.require_line(call.conn, p.get("lineId"))
    store.edit_line(call.conn, row, p.number("lineNumber") if p.get("lineNumber") is not None else None,
                    p.text("description"))
    return IdStatus(row.id)


@function(DIV, "", "deleteLine", params="lineId", id_param="lineId")
def delete_line(call: Call):
    call.params.require("lineId")
    row = store.require_line(call.conn, call.params.get("lineId"))
    store.delete_line(call.conn, row)
    return IdStatus(row.id)
