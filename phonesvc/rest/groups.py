"""REST groups: addGroup, deleteGroup, editGroup, getGroups."""

from __future__ import annotations

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.groups import GROUP_PARAMS, InvalidValue
from phonesvc.rest.envelope import IdStatus
from phonesvc.rest.registry import MA, Call, function
from phonesvc.store import groups as store

_SETTERS = " ".join(p.param for p in GROUP_PARAMS)


def _values(call: Call) -> dict:
    """Column values for every group parameter that was sent (names match case-insensitively, so the
    manual's two spellings gr_showVIPcall and gr_showVIPCall both work)."""
    values = {}
    for p in GROUP_PARAMS:
        raw = call.params.get(p.param)
        if raw is None:
            continue
        try:
            values[p.column] = p.parse(raw)
        except InvalidValue:
            raise Rejected(E.INVALID_PARAMETERS, f"{p.param} {raw!r} is not a valid value") from None
    return values


@function(MA, "groups", "addGroup", methods="POST", params=_SETTERS, id_shaped=True)
def add_group(call: Call):
    call.params.require("gr_name")
    return IdStatus(store.add_group(call.conn, _values(call)))


@function(MA, "groups", "editGroup", methods="POST", params="gr_id " + _SETTERS, id_param="gr_id")
def edit_group(call: Call):
    call.params.require("gr_id")
    group = store.require_group(call.conn, call.params.get("gr_id"))
    store.edit_group(call.conn, group.id, _values(call))
    return IdStatus(group.id)


@function(MA, "groups", "deleteGroup", params="gr_id", id_param="gr_id")
def delete_group(call: Call):
    call.params.require("gr_id")
    group = store.require_group(call.conn, call.params.get("gr_id"))
    store.delete_group(call.conn, group.id)
    return IdStatus(group.id)


def group_node(row) -> tuple:
    return ("group", [("id", row.id)] + [(p.element, getattr(row, p.column)) for p in GROUP_PARAMS])


@function(MA, "groups", "getGroups", params="gr_name gr_id", writes=False)
def get_groups(call: Call):
    gid = call.params.id("gr_id", E.INVALID_PARAMETERS)
    rows = store.list_groups(call.conn, call.params.get("gr_name") or "", gid)
    return [group_node(r) for r in rows]
