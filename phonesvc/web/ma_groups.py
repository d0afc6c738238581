"""The Groups tab of ManagerAssistant Group: the group list (/groups: choose, add, rename, delete) and one
group's pages (/groups/<id> its general settings, /groups/<id>/<section> the other sections of the manual's
Groups page).

Before any section runs, this module finds the group and checks that the visitor may see it (Admin: every
group; otherwise the groups they are a member of, the manual's rule for the Choose... list). The sections
live in modules of their own (SECTIONS)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.domain.members import MANAGER, MEMBER
from phonesvc.domain.privileges import MAGROUP
from phonesvc.store import groups as store_groups
from phonesvc.store import members as store_members
from phonesvc.store.users import require_user
from phonesvc.web import ma_announcements, ma_group_settings, ma_members
from phonesvc.web.access import SAFE_METHODS, Forbidden, Visitor, require
from phonesvc.web.ma_group_nav import GroupNav, groups_url, own_number, showing, visible_groups
from phonesvc.web.ma_group_settings import REFUSED, SETTINGS_PRIVILEGES, form_values, save, text_field
from phonesvc.web.pages import Form, render

# section path segment -> view(request, visitor, group id, the segments after the section's)
SECTIONS = {
    "members": ma_members.page,
    "announcements": ma_announcements.page,
    "vip": ma_group_settings.vip,
    "notifications": ma_group_settings.notifications,
}
TYPES = {"": None, "manager": MANAGER, "member": MEMBER}  # the Type of your own account in a new group


def _group_id(segment: str) -> int | None:
    return int(segment) if segment.isascii() and segment.isdigit() and len(segment) < 10 else None


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path or path == [""]:
        return await group_list(request, who)
    group_id = _group_id(path[0])
    snap = request.app.state.store.snapshot()
    if group_id is None or group_id not in snap.groups:
        return PlainTextResponse("Not Found", status_code=404)
    if group_id not in {g.id for g in visible_groups(snap, who)}:
        raise Forbidden("This group is not one of your groups.")
    with showing(GroupNav(groups_url(request), visible_groups(snap, who))):
        if len(path) == 1:
            return await ma_group_settings.general(request, who, group_id, [])
        action = ACTIONS.get(path[1].casefold())
        if action is not None and len(path) == 2:
            return await action(request, who, group_id)
        section = SECTIONS.get(path[1].casefold())
        if section is None:
            return PlainTextResponse("Not Found", status_code=404)
        return await section(request, who, group_id, path[2:])


# --- the list: choose and add -------------------------------------------------------------------------

async def group_list(request: Request, who: Visitor, form: Form | None = None, status: int = 200) -> Response:
    snap = request.app.state.store.snapshot()
    if request.method in SAFE_METHODS:
        chosen = _group_id(request.query_params.get("choose", ""))
        if chosen is not None:  # the group chooser (ma/group_nav.html): to the same section of another group
            section = request.query_params.get("section", "")
            tail = f"/{section}" if section in ("members", "announcements", "vip", "notifications") else ""
            return RedirectResponse(f"{groups_url(request)}/{chosen}{tail}", status_code=303)
    elif form is None:
        return await _add(request, who)
    return render(request, "ma/groups.html", status, groups=visible_groups(snap, who), base=groups_url(request),
                  may_edit=who.may(MAGROUP, *SETTINGS_PRIVILEGES), own_number=own_number(snap, who),
                  form=form or Form())


async def _add(request: Request, who: Visitor) -> Response:
    """Add a group, and your own account to it with the Type chosen (only when you have a phone number):
    the same store calls as REST addGroup and addMember, in one transaction."""
    await require(request, MAGROUP, *SETTINGS_PRIVILEGES)
    fields = await form_values(request, ("name", "type"))
    form = Form(fields)
    name = text_field(form, "name")
    role = TYPES.get(fields["type"], "?")
    number = own_number(request.app.state.store.snapshot(), who)
    if role == "?":
        form.errors["type"] = "Choose Manager, Member or None."
    elif role is not None and not number:  # no Type field was shown: the message goes above the form
        form.errors[""] = "No phone is assigned to your account, so you cannot join the new group."
    if form.errors:
        return await group_list(request, who, form, 400)

    def change(conn) -> int:
        gid = store_groups.add_group(conn, {"name": name})
        if role is not None:
            store_members.add_member(conn, gid, require_user(conn, who.user.user_name), number, None, role, None)
        return gid

    gid = await save(request, form, change, {"group named": "name"})
    if gid is REFUSED:
        return await group_list(request, who, form, 400)
    return RedirectResponse(f"{groups_url(request)}/{gid}", status_code=303)


# --- rename and delete --------------------------------------------------------------------------------

async def rename(request: Request, who: Visitor, group_id: int) -> Response:
    await require(request, MAGROUP, *SETTINGS_PRIVILEGES)
    group = request.app.state.store.snapshot().groups[group_id]
    form = Form({"name": group.name})
    if request.method not in SAFE_METHODS:
        form = Form(await form_values(request, ("name",)))
        name = text_field(form, "name")
        if not form.errors and await save(request, form, lambda conn: store_groups.edit_group(
                conn, group_id, {"name": name}), {"group named": "name"}) is not REFUSED:
            return RedirectResponse(f"{groups_url(request)}/{group_id}", status_code=303)
    return render(request, "ma/group_rename.html", 400 if form.errors else 200, group=group, section="general",
                  form=form)


async def delete(request: Request, who: Visitor, group_id: int) -> Response:
    """GET: the confirmation; POST: the group goes (its members leave it, overflows to it are reset)."""
    await require(request, MAGROUP, *SETTINGS_PRIVILEGES)
    group = request.app.state.store.snapshot().groups[group_id]
    form = Form()
    if request.method not in SAFE_METHODS and await save(
            request, form, lambda conn: store_groups.delete_group(conn, group_id), {}) is not REFUSED:
        return RedirectResponse(groups_url(request), status_code=303)
    return render(request, "ma/group_delete.html", 400 if form.errors else 200, group=group, section="general",
                  form=form)


ACTIONS = {"rename": rename, "delete": delete}
