"""The Members section of a ManagerAssistant Group group (/groups/<id>/members), the manual's Groups tab,
Members part: the list in order, add a directory user (searched by number, first or last name), number,
short name and Show Status edited in place, Type chosen only when adding, reorder, remove.

Every change goes through the store functions REST's addMember, editMember, orderByUserList,
reorderMembers and deleteMember use, with their rules (one manager, 1 to 8 characters, ...)."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.members import MANAGER, MEMBER, generate_short_name, member_index, valid_short_name
from phonesvc.domain.text import valid_number
from phonesvc.store import members as store
from phonesvc.store.schema import members, users
from phonesvc.store.snapshot import Snapshot
from phonesvc.store.users import require_user
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.ma_group_section import (
    FieldRejected,
    NoGroup,
    change,
    find_action,
    open_group,
    posted,
    posted_order,
    section_url,
)
from phonesvc.web.pages import Form, render

TYPES = {"member": MEMBER, "manager": MANAGER}
SEARCH_LIMIT = 10
# Which field a store refusal belongs next to.
FIELD_OF_STATUS = {E.MANAGER_ALREADY_EXISTS: "type", E.ALREADY_EXISTS: "number", E.INVALID_USERNAME: "user"}
NUMBER_PROBLEM = "Enter a phone number: digits, * and #, with an optional leading +."
SHORT_NAME_PROBLEM = "A short name has 1 to 8 characters, without spaces at either end."


async def page(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    snap = request.app.state.store.snapshot()
    try:
        group = open_group(snap, who, group_id)
    except NoGroup:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method in SAFE_METHODS:
        base = section_url(request, path)
        if path == ["search"]:
            return _search(request, snap, group, base)
        if path == ["choose"]:
            return _chosen(request, snap, group, base)
        if not path:
            return _page(request, snap, group, base)
        return PlainTextResponse("Not Found", status_code=404)
    action, member_id = find_action(path, ACTIONS, MEMBER_ACTIONS)
    if request.method != "POST" or action is None:
        return PlainTextResponse("Not Found", status_code=404)
    form = Form()
    try:
        form.values = {k: v for k, v in (await posted(request)).items() if isinstance(v, str)}
        await action(request, group.id, member_id, form)
    except Rejected as refused:
        field = getattr(refused, "field", None)
        form.errors[FIELD_OF_STATUS.get(refused.status, "") if field is None else field] = refused.message
        return _page(request, request.app.state.store.snapshot(), group, section_url(request, path), form, member_id,
                     400)
    return RedirectResponse(section_url(request, path), 303)


def _rows(snap: Snapshot, group_id: int) -> list[dict]:
    out = []
    for gm in snap.group_members.get(group_id, []):
        member = snap.members[gm.member_id]
        user = snap.users[member.user_id]
        out.append({"id": member.id, "index": member_index(gm.position), "first_name": user.first_name,
                    "last_name": user.last_name, "name": full_name(user),
                    "number": member.number, "short_name": gm.short_name, "type": gm.type,
                    "shows": member.displayed_group == group_id})
    return out


def _page(request: Request, snap: Snapshot, group: sa.Row, base: str, form: Form | None = None,
          member_id: int | None = None, status: int = 200) -> Response:
    """The section; after a refused change, the form that was sent (`member_id`'s row, or the add form)
    comes back as typed with the message next to its field."""
    form = form or Form()
    adding = form if member_id is None and "user" in form.values else None
    chosen = snap.users.get(_user_id(request)) if adding is None else None
    if adding is None and chosen is not None:
        adding = _filled(snap, group.id, chosen)
    query = request.query_params.get("q", "")
    return render(request, "ma/members.html", status, group=group, section="members", base=base,
                  rows=_rows(snap, group.id), form=form, row_form=member_id, add=adding or Form(),
                  has_manager=snap.manager_of(group.id) is not None, query=query, found=_found(snap, query))


def full_name(user: sa.Row) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.user_name


def _user_id(request: Request) -> int | None:
    raw = request.query_params.get("user", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _found(snap: Snapshot, query: str) -> list[sa.Row]:
    """Directory users whose line number, first or last name holds the query (case and accents as typed)."""
    key = query.strip().casefold()
    if not key:
        return []
    return [u for u in snap.users.values()
            if key in u.line_number.casefold() or key in u.first_name.casefold() or key in u.last_name.casefold()
            ][:SEARCH_LIMIT]


def _filled(snap: Snapshot, group_id: int, user: sa.Row) -> Form:
    """The add form for a chosen user: their line number and a short name generated as addMember would."""
    taken = [gm.short_name for gm in snap.group_members.get(group_id, [])]
    number = user.line_number or next((m.number for m in snap.user_members.get(user.id, ())), "")
    return Form(values={"user": user.user_name, "user_label": full_name(user),
                        "number": number, "short_name": generate_short_name(user.first_name or user.user_name,
                                                                            user.last_name, taken)})


def _search(request: Request, snap: Snapshot, group: sa.Row, base: str) -> Response:
    return render(request, "ma/members_found.html", group=group, base=base, query=request.query_params.get("q", ""),
                  found=_found(snap, request.query_params.get("q", "")))


def _chosen(request: Request, snap: Snapshot, group: sa.Row, base: str) -> Response:
    user = snap.users.get(_user_id(request))
    if user is None:
        return PlainTextResponse("Not Found", status_code=404)
    return render(request, "ma/members_add.html", group=group, base=base, add=_filled(snap, group.id, user),
                  has_manager=snap.manager_of(group.id) is not None)


def _number(form: Form) -> str:
    number = form.value("number")
    if not valid_number(number):
        raise FieldRejected("number", NUMBER_PROBLEM)
    return number


def _short_name(form: Form, required: bool) -> str | None:
    name = form.value("short_name")
    if not name and not required:
        return None  # generated, as addMember does for an empty gm_shortName
    if not valid_short_name(name):
        raise FieldRejected("short_name", SHORT_NAME_PROBLEM)
    return name


def _in_group(conn, group_id: int, member_id: int | None) -> sa.Row:
    member = store.require_member(conn, member_id)
    if group_id not in store.member_groups(conn, member.id):
        raise Rejected(E.INVALID_MEMBER_ID, "This member is no longer in the group.")
    return member


async def _add(request: Request, group_id: int, _member_id: None, form: Form) -> None:
    if not form.value("user"):
        raise FieldRejected("user", "Search for a user and choose one.")
    if form.value("type") not in TYPES:
        raise FieldRejected("type", "Choose Member or Manager.")
    number, short_name, gm_type = _number(form), _short_name(form, False), TYPES[form.value("type")]

    def add(conn) -> None:
        user = require_user(conn, form.value("user"))
        store.add_member(conn, group_id, user, number, short_name, gm_type, None)
    await change(request, add)


async def _edit(request: Request, group_id: int, member_id: int, form: Form) -> None:
    number, short_name = _number(form), _short_name(form, True)
    shows = form.value("shows") == "on"

    def edit(conn) -> None:
        member = _in_group(conn, group_id, member_id)
        store.set_number(conn, member, number)
        store.set_short_name(conn, member.id, [group_id], short_name)
        if shows or member.displayed_group == group_id:  # unticked here hides only this group's display
            store.set_displayed_group(conn, member.id, group_id if shows else 0)
    await change(request, edit)


async def _move(request: Request, group_id: int, member_id: int, form: Form) -> None:
    if form.value("move") not in ("up", "down"):
        raise FieldRejected("", "Move up or down.")
    await change(request, lambda conn: store.move_member(conn, group_id, _in_group(conn, group_id, member_id).id,
                                                        form.value("move") == "up"))


async def _remove(request: Request, group_id: int, member_id: int, _form: Form) -> None:
    await change(request, lambda conn: store.remove_member(conn, _in_group(conn, group_id, member_id).id, group_id))


async def _order(request: Request, group_id: int, _member_id: None, form: Form) -> None:
    """A drag and drop: the whole list in its new order, stored as orderByUserList stores it."""
    def order(conn) -> None:
        ids = posted_order(form.value("order"), store.group_member_ids(conn, group_id))
        names = dict(conn.execute(sa.select(members.c.id, users.c.user_name)
                                  .join(users, users.c.id == members.c.user_id).where(members.c.id.in_(ids))).all())
        store.order_by_user_list(conn, group_id, [names[i] for i in ids])
    await change(request, order)


ACTIONS = {"add": _add, "order": _order}  # /members/<action>
MEMBER_ACTIONS = {"edit": _edit, "move": _move, "remove": _remove}  # /members/<member id>/<action>
