"""REST announcements: addAnnouncement, deleteAnnouncement, editAnnouncement, getAnnouncements,
reorderAnnouncements."""

from __future__ import annotations

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import valid_file_name
from phonesvc.rest.envelope import IdStatus
from phonesvc.rest.registry import MA, Call, function
from phonesvc.store import announcements as store
from phonesvc.store.groups import require_group

MOVES = {"up": True, "down": False}


def _wave(call: Call) -> str:
    wave = call.params.get("an_wave").strip()
    if not valid_file_name(wave):
        raise Rejected(E.INVALID_PARAMETERS, f"an_wave {wave!r} is not a file name")
    return wave


@function(MA, "announcements", "addAnnouncement", params="gr_id an_wave an_priority", id_param="gr_id")
def add_announcement(call: Call):
    call.params.require("gr_id", "an_wave")
    group = require_group(call.conn, call.params.get("gr_id"))
    priority = call.params.int("an_priority", 1, 10**6) if call.params.given("an_priority") else None
    store.add_announcement(call.conn, group.id, _wave(call), priority)
    return IdStatus(group.id)


@function(MA, "announcements", "deleteAnnouncement", params="an_id")
def delete_announcement(call: Call):
    call.params.require("an_id")
    store.delete_announcement(call.conn, store.require_announcement(call.conn, call.params.get("an_id")))
    return E.OK


@function(MA, "announcements", "editAnnouncement", params="an_id an_wave")
def edit_announcement(call: Call):
    call.params.require("an_id", "an_wave")
    store.rename_announcement(call.conn, store.require_announcement(call.conn, call.params.get("an_id")),
                              _wave(call))
    return E.OK


@function(MA, "announcements", "getAnnouncements", params="gr_id", writes=False)
def get_announcements(call: Call):
    call.params.require("gr_id")
    group = require_group(call.conn, call.params.get("gr_id"))
    return [("announcement", [("id", r.id), ("wave", r.wave), ("priority", r.priority)])
            for r in store.list_announcements(call.conn, group.id)]


@function(MA, "announcements", "reorderAnnouncements", params="an_id move")
def reorder_announcements(call: Call):
    call.params.require("an_id", "move")
    row = store.require_announcement(call.conn, call.params.get("an_id"))
    store.move_announcement(call.conn, row, call.params.choice("move", MOVES))
    return E.OK
