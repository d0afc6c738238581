"""REST vip: addVIPNumber, getVIPNumbers, and the editVIPNumber and deleteVIPNumber that the
manual lacks but its web GUI and phone menu need."""

from __future__ import annotations

from phonesvc.domain import errors as E
from phonesvc.rest.envelope import IdStatus
from phonesvc.rest.registry import MA, Call, function
from phonesvc.store import vip as store
from phonesvc.store.members import require_member


@function(MA, "vip", "addVIPNumber", params="vn_number vn_description mb_id", id_shaped=True)
def add_vip_number(call: Call):
    p = call.params
    p.require("vn_number", "mb_id")
    manager = require_member(call.conn, p.get("mb_id"))
    return IdStatus(store.add_vip(call.conn, manager.id, p.number("vn_number"), p.text("vn_description") or ""))


@function(MA, "vip", "editVIPNumber", params="vn_id vn_number vn_description", id_param="vn_id")
def edit_vip_number(call: Call):
    p = call.params
    p.require("vn_id")
    row = store.require_vip(call.conn, p.get("vn_id"))
    store.edit_vip(call.conn, row, p.number("vn_number") if p.given("vn_number") else None,
                   p.text("vn_description"))
    return IdStatus(row.id)


@function(MA, "vip", "deleteVIPNumber", params="vn_id", id_param="vn_id")
def delete_vip_number(call: Call):
    call.params.require("vn_id")
    row = store.require_vip(call.conn, call.params.get("vn_id"))
    store.delete_vip(call.conn, row)
    return IdStatus(row.id)


@function(MA, "vip", "getVIPNumbers", params="mb_id vn_number", writes=False)
def get_vip_numbers(call: Call):
    p = call.params
    mb_id = p.id("mb_id", E.INVALID_PARAMETERS)
    number = p.get("vn_number") if p.given("vn_number") else None
    return [("VIPNumber", [("id", v["id"]), ("number", v["number"]), ("description", v["description"]),
                           ("mngId", v["member_id"]), ("FirstName", v["first_name"]),
                           ("LastName", v["last_name"])])
            for v in store.list_vips(call.conn, mb_id, number)]
