"""What the Members and Announcements sections of a group's page share: finding the group the visitor may
open, reading a posted form, running a change through the store like REST does, and the posted order of a
drag and drop."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.datastructures import FormData
from starlette.requests import Request

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.text import HOLDS_CONTROL, has_control
from phonesvc.store.snapshot import Snapshot
from phonesvc.web import writes
from phonesvc.web.access import Forbidden, Visitor, visitor

STALE = "The list has changed since this page was loaded: it is shown again as it is now."


class NoGroup(Exception):
    """The group does not exist (any more): the view answers 404."""


def open_group(snap: Snapshot, who: Visitor, group_id: int) -> sa.Row:
    """The group, when the visitor may open it: Admin every group, everyone else their own groups (the
    manual's Admin privilege), for a GET and every POST alike."""
    group = snap.groups.get(group_id)
    if group is None:
        raise NoGroup()
    if not who.may(MAGROUP, "Admin") and group_id not in snap.user_group_ids(who.user.id):
        raise Forbidden("This group is not one of your groups.")
    return group


class FieldRejected(Rejected):
    """A rule refused one field of a form: the message goes next to it."""

    def __init__(self, field: str, message: str, status: str = E.INVALID_PARAMETERS):
        super().__init__(status, message)
        self.field = field


async def posted(request: Request) -> FormData:
    """The posted form (already read by the CSRF check). A field holding a control character is refused
    before anything is looked at: Rejected names the field in the message."""
    form = await request.form()
    for name, value in form.multi_items():
        if isinstance(value, str) and has_control(value):
            raise FieldRejected(name, f"This {HOLDS_CONTROL}.")
    return form


async def change(request: Request, apply: Callable[[Connection], object]) -> None:
    """One change in one store.write() transaction, as a REST call makes it (a Rejected rolls it back);
    returns when the PBX's lines follow it, as REST does: the web's one write path (web/writes.py)."""
    await writes.write(request, visitor(request), apply, f"{request.method} {request.url.path}")


def posted_order(raw: str, current: list[int]) -> list[int]:
    """The ids of a list in the order a drag and drop left them (ids separated by commas): the same ids as
    `current`, or the page was stale."""
    try:
        order = [int(x) for x in raw.split(",")]
    except ValueError:
        raise FieldRejected("", STALE) from None
    if sorted(order) != sorted(current):
        raise FieldRejected("", STALE)
    return order


def section_url(request: Request, path: list[str]) -> str:
    """The section's own address: this request's without the `path` after the section's."""
    parts = request.url.path.split("/")
    return "/".join(parts[:len(parts) - len(path)])


def find_action(path: list[str], actions: dict, item_actions: dict) -> tuple[object | None, int | None]:
    """What a POST's path names: (an action of `actions` at /<action>, or of `item_actions` at /<id>/<action>;
    the id or None). No action: no such address."""
    if len(path) == 1:
        return actions.get(path[0].casefold()), None
    item = segment_id(path[0]) if len(path) == 2 else None
    return (item_actions.get(path[1].casefold()), item) if item is not None else (None, None)


def segment_id(segment: str) -> int | None:
    return int(segment) if segment.isascii() and segment.isdigit() and len(segment) < 10 else None
