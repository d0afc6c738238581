"""The Groups menu (Groups, MembersManagement or Admin): create, edit, join and leave groups."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from phonesvc.domain.errors import Rejected
from phonesvc.domain.groups import GROUP_PARAMS, InvalidValue
from phonesvc.domain.members import MANAGER, MEMBER, valid_short_name
from phonesvc.domain.privileges import MAGROUP
from phonesvc.live.bus import GroupChanged
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, PAGE, SELECT, Field, Input, Item, Key, Menu, paged
from phonesvc.phone.views.calls import my_line
from phonesvc.phone.views.common import done, member_name, my_group_ids, write
from phonesvc.store import announcements, groups, members
from phonesvc.store.users import require_user

PARAMS = {p.column: p for p in GROUP_PARAMS}
KEYS = [SELECT, BACK, EXIT]


MENU_PRIVILEGES = ("Groups", "MembersManagement", "Admin")
SETTINGS_PRIVILEGES = ("Groups", "Admin")
MEMBERS_PRIVILEGES = ("MembersManagement", "Admin")
MANAGER_FIELDS = {"number", "manager_timeout", "assistant_timeout"}
HINTS = {  # what a refused value should have been
    "name": "A group name has 1 to 100 characters.",
    "number": "A number has up to 32 digits, * and # (or a leading +).",
    "manager_timeout": "The manager timeout is 0 to 3600 seconds.",
    "assistant_timeout": "The assistant timeout is 0 to 3600 seconds.",
    "overflow": "An overflow number has up to 32 digits, * and # (a leading # becomes +).",
}
LABELS = {"name": "group name", "number": "number", "manager_timeout": "manager timeout",
          "assistant_timeout": "assistant timeout", "overflow": "overflow", "welcome": "greeting",
          "mng_call_alarm": "manager tone", "assist_call_alarm": "assistant tone",
          "mng_call_alarm_j": "manager tone for Jabber", "assist_call_alarm_j": "assistant tone for Jabber"}


def _can(phone: Phone, *privileges: str) -> bool:
    return any(phone.has(MAGROUP, p) for p in privileges)


def _require(phone: Phone, privileges: tuple[str, ...], what: str) -> None:
    if not _can(phone, *privileges):
        names = " or ".join([", ".join(privileges[:-1]), privileges[-1]] if len(privileges) > 2 else privileges)
        raise PhoneError(f"{what} needs the {names} privilege. Press Exit.", "Groups")


def _is_manager(phone: Phone, gid: int) -> bool:
    boss = phone.snap.manager_of(gid)
    return bool(boss) and phone.snap.members[boss.member_id].user_id == phone.user.id


def _may_manage(phone: Phone, gid: int) -> bool:
    """Manager group options: the group's manager and Admin only."""
    return phone.has(MAGROUP, "Admin") or _is_manager(phone, gid)


async def _write(phone: Phone, change, group_id: int | None):
    result = await write(phone, change, "Groups")
    phone.live.bus.publish(GroupChanged(group_id))
    return result


def _value(column: str, raw: str):
    try:
        return PARAMS[column].parse(raw)
    except InvalidValue:
        label = LABELS.get(column, column)
        problem = f"The {label} must not be empty." if not raw.strip() else f"'{raw}' is not a valid {label}."
        hint = HINTS.get(column, "")
        raise PhoneError(f"{problem} {hint} Nothing was changed.".replace("  ", " "), "Groups") from None


def groups_menu(phone: Phone) -> Menu:
    _require(phone, MENU_PRIVILEGES, "The Groups menu")
    items = []
    if _can(phone, *SETTINGS_PRIVILEGES):
        items.append(Item("Create group", phone.action("createGroup")))
    items += [Item("Edit group", phone.action("editGroup")), Item("Join group", phone.action("joinGroup")),
              Item("Leave group", phone.action("leaveGroup"))]
    return Menu("Groups", items, keys=KEYS)


def _editable(phone: Phone) -> list[int]:
    return list(phone.snap.groups) if phone.has(MAGROUP, "Admin") else my_group_ids(phone)


def _group(phone: Phone, gid: int | None = None, privileges: tuple[str, ...] = SETTINGS_PRIVILEGES,
           what: str = "Editing a group") -> int:
    """The group of the request (`gr`), after checking the privilege and that the user may edit it."""
    _require(phone, privileges, what)
    gid = phone.int_param("gr") if gid is None else gid
    if gid is None or gid not in phone.snap.groups:
        raise PhoneError("That group does not exist any more. Press Exit and open Groups again.", "Groups")
    if gid not in _editable(phone):
        raise PhoneError("That group is not one of your groups, so you cannot edit it.", "Groups")
    return gid


def _members_group(phone: Phone) -> int:
    return _group(phone, privileges=MEMBERS_PRIVILEGES, what="Editing members")


# --- create -------------------------------------------------------------------------------------------

def create_group(phone: Phone):
    _require(phone, SETTINGS_PRIVILEGES, "Creating a group")
    role = phone.param("role")
    if role not in ("manager", "member"):
        return Menu("Create group", [Item("Join it as manager", phone.action("createGroup", role="manager")),
                                     Item("Join it as member", phone.action("createGroup", role="member"))],
                    prompt="Your role in the group", keys=KEYS)
    first = phone.user.first_name or phone.user.user_name
    lines = phone.registry.lines(phone.user.id)
    return Input("Create group", phone.action("createGroupSave", role=role),
                 [Field("Group name", "name", "A"), Field("Your short name", "short", "A", first[:3]),
                  Field("Your line number", "line", "T", lines[0] if lines else ""),
                  Field("Manager number", "number", "T")])


async def create_group_save(phone: Phone):
    _require(phone, SETTINGS_PRIVILEGES, "Creating a group")
    if phone.param("role") not in ("manager", "member"):
        raise PhoneError("Choose your role in the new group first. Nothing was changed.", "Create group")
    name = _value("name", phone.param("name").strip())
    number = _value("number", phone.param("number").strip())
    line = _value("number", phone.param("line").strip()) or my_line(phone)
    short = phone.param("short").strip() or None
    if short is not None and not valid_short_name(short):
        raise PhoneError(f"'{short}' is not a valid short name: it has 1 to 8 characters. Nothing was changed.",
                         "Create group")
    role = MANAGER if phone.param("role") == "manager" else MEMBER

    def change(conn):
        gid = groups.add_group(conn, {"name": name, "number": number})
        members.add_member(conn, gid, require_user(conn, phone.user.user_name), line, short, role, None)
        return gid

    gid = await _write(phone, change, None)
    return done("Create group", f"Group {name} was created with you as {'manager' if role else 'member'}.",
                phone.action("editGroup", gr=gid))


# --- edit ---------------------------------------------------------------------------------------------

def edit_group(phone: Phone):
    _require(phone, MENU_PRIVILEGES, "Editing a group")
    gid = phone.int_param("gr")
    if not phone.param("gr"):
        gids = _editable(phone)
        if not gids:
            raise PhoneError("There is no group you can edit.", "Edit group")
        return Menu("Edit group", [Item(phone.snap.groups[g].name, phone.action("editGroup", gr=g)) for g in gids],
                    keys=KEYS)
    if not _can(phone, *SETTINGS_PRIVILEGES):  # MembersManagement alone: members only
        return edit_members(phone)
    gid = _group(phone, gid)
    group = phone.snap.groups[gid]
    items = [Item("Group name", phone.action("groupField", gr=gid, f="name"))]
    if _may_manage(phone, gid):
        items.append(Item("Manager group options", phone.action("managerOptions", gr=gid)))
    items += [Item("Overflow", phone.action("overflow", gr=gid)),
              Item("Greeting", phone.action("greeting", gr=gid)),
              Item("Edit announcements", phone.action("announcements", gr=gid))]
    if _can(phone, *MEMBERS_PRIVILEGES):
        items.append(Item("Edit members", phone.action("members", gr=gid)))
    items += [Item("Team member notifications", phone.action("notifications", gr=gid)),
              Item("Delete group", phone.action("deleteGroup", gr=gid))]
    return Menu(group.name, items, keys=KEYS)


def group_field(phone: Phone) -> Input:
    gid = _group(phone)
    group = phone.snap.groups[gid]
    return Input("Group name", phone.action("saveGroup", gr=gid), [Field("Group name", "name", "A", group.name)])


def manager_options(phone: Phone) -> Input:
    gid = _group(phone)
    if not _may_manage(phone, gid):
        raise PhoneError("Only the group's manager and administrators can change the manager group options.",
                         "Groups")
    g = phone.snap.groups[gid]
    return Input("Manager group options", phone.action("saveGroup", gr=gid),
                 [Field("Manager number", "number", "T", g.number),
                  Field("Manager timeout (s)", "manager_timeout", "N", str(g.manager_timeout)),
                  Field("Assistant timeout (s)", "assistant_timeout", "N", str(g.assistant_timeout))])


def notifications(phone: Phone) -> Input:
    gid = _group(phone)
    g = phone.snap.groups[gid]
    return Input("Notifications", phone.action("saveGroup", gr=gid),
                 [Field("Manager tone", "mng_call_alarm", "A", g.mng_call_alarm),
                  Field("Assistant tone", "assist_call_alarm", "A", g.assist_call_alarm),
                  Field("Manager tone Jabber", "mng_call_alarm_j", "A", g.mng_call_alarm_j),
                  Field("Assistant tone Jabber", "assist_call_alarm_j", "A", g.assist_call_alarm_j)])


async def save_group(phone: Phone):
    gid = _group(phone)
    allowed = {"name", "number", "manager_timeout", "assistant_timeout", "overflow", "welcome", "mng_call_alarm",
               "assist_call_alarm", "mng_call_alarm_j", "assist_call_alarm_j"}
    values = {k: _value(k, v.strip()) for k, v in phone.request.query_params.items() if k in allowed}
    if not values:
        raise PhoneError("Nothing to change.", "Edit group")
    if values.keys() & MANAGER_FIELDS and not _may_manage(phone, gid):
        raise PhoneError("Only the group's manager and administrators can change the manager group options. "
                         "Nothing was changed.", "Groups")
    await _write(phone, lambda conn: groups.edit_group(conn, gid, values), gid)
    return done("Edit group", _saved(values), phone.action("editGroup", gr=gid))


def _saved(values: dict) -> str:
    """What a saveGroup changed, in words."""
    keys = set(values)
    if keys == {"name"}:
        return f"The group is now called {values['name'].strip()}."
    if keys == {"overflow"}:
        return "The overflow was saved."
    if keys == {"welcome"}:
        return f"The greeting is now {values['welcome']}." if values["welcome"] else "The group has no greeting now."
    if keys <= MANAGER_FIELDS:
        return "The manager group options were saved."
    if keys <= {"mng_call_alarm", "assist_call_alarm", "mng_call_alarm_j", "assist_call_alarm_j"}:
        return "The team member notifications were saved."
    return "The group was saved."


def overflow(phone: Phone) -> Menu:
    gid = _group(phone)
    items = [Item("<No Overflow>", phone.action("saveGroup", gr=gid, overflow="-1")),
             Item("Busy", phone.action("saveGroup", gr=gid, overflow="-3")),
             Item("Voicemail", phone.action("overflowNumber", gr=gid, kind="voicemail")),
             Item("To number", phone.action("overflowNumber", gr=gid, kind="number"))]
    items += [Item(phone.snap.groups[g].name, phone.action("saveGroup", gr=gid, overflow=f"group:{g}"))
              for g in phone.snap.groups if g != gid]
    return Menu("Overflow", items, prompt=f"Now: {_overflow_text(phone, phone.snap.groups[gid].overflow)}",
                keys=KEYS)


def _overflow_text(phone: Phone, value: str) -> str:
    if value in ("-1", ""):
        return "no overflow"
    if value == "-3":
        return "busy"
    if value.startswith("voicemail:"):
        return "voicemail " + value[10:]
    if value.startswith("group:"):
        target = phone.snap.groups.get(int(value[6:]))
        return target.name if target else "a deleted group"
    return value


def overflow_number(phone: Phone) -> Input:
    gid = _group(phone)
    label = "Voice mail box" if phone.param("kind") == "voicemail" else "Phone number"
    return Input("Overflow", phone.action("overflowSave", gr=gid, kind=phone.param("kind")),
                 [Field(label, "number", "T")])


async def overflow_save(phone: Phone):
    gid = _group(phone)
    raw = phone.param("number").strip()
    if not raw:
        raise PhoneError("Enter a number (a leading # becomes +). Nothing was changed.", "Overflow")
    number = "+" + raw[1:] if raw.startswith("#") else raw
    value = _value("overflow", f"voicemail:{number}" if phone.param("kind") == "voicemail" else number)
    await _write(phone, lambda conn: groups.edit_group(conn, gid, {"overflow": value}), gid)
    return done("Overflow", "The overflow was saved.", phone.action("editGroup", gr=gid))


def _wavs(phone: Phone) -> list[str]:
    folder = phone.settings.audio_dir(phone.settings.ma_instance, "PCM")
    return sorted((f.name for f in folder.glob("*") if f.suffix.casefold() == ".wav"), key=str.casefold) \
        if folder.is_dir() else []


def greeting(phone: Phone) -> Menu:
    gid = _group(phone)
    items = [Item("<No greeting>", phone.action("saveGroup", gr=gid, welcome=""))]
    items += [Item(w, phone.action("saveGroup", gr=gid, welcome=w)) for w in _wavs(phone)]  # paged beyond 100
    return Menu("Greeting", items, prompt=f"Now: {phone.snap.groups[gid].welcome or 'none'}", keys=KEYS)


def announcement_menu(phone: Phone):
    gid = _group(phone)

    def read():
        with phone.store.read() as conn:
            return announcements.list_announcements(conn, gid)

    return _announcements(phone, gid, read)


async def _announcements(phone: Phone, gid: int, read):
    rows = await run_in_threadpool(read)
    if phone.param("add") == "1":
        waves = _wavs(phone)
        if not waves:
            raise PhoneError("No audio file is uploaded yet (REST uploadWAV).", "Announcements")
        return Menu("Add announcement", [Item(w, phone.action("announcementDo", gr=gid, op="add", wave=w))
                                         for w in waves], keys=KEYS)
    an_id = phone.int_param("an")
    row = next((r for r in rows if r.id == an_id), None)
    if phone.param("an") and row is None:
        raise PhoneError("That announcement is not in this group any more. Press Exit and open it again.",
                         "Announcements")
    if row is not None:
        return Menu(row.wave, [Item(label, phone.action("announcementDo", gr=gid, an=row.id, op=op))
                               for label, op in (("Move up", "up"), ("Move down", "down"), ("Remove", "remove"))],
                    keys=KEYS)
    add = phone.action("announcements", gr=gid, add="1")
    items = [Item(f"{r.priority}. {r.wave}", phone.action("announcements", gr=gid, an=r.id)) for r in rows]
    return Menu("Announcements", [*items, Item("Add announcement", add)], keys=[Key("Add", add), SELECT, BACK, EXIT])


async def announcement_do(phone: Phone):
    gid = _group(phone)
    op = phone.param("op")

    def change(conn):
        if op == "add":
            wave = phone.param("wave")
            if wave not in _wavs(phone):
                raise Rejected("INVALID_PARAMETERS", "That audio file is not there any more.")
            announcements.add_announcement(conn, gid, wave, None)
            return
        row = announcements.require_announcement(conn, phone.param("an"))
        if row.group_id != gid:
            raise Rejected("INVALID_ANNOUNCEMENT_ID", "That announcement is not in this group.")
        if op == "remove":
            announcements.delete_announcement(conn, row)
        elif op in ("up", "down"):
            announcements.move_announcement(conn, row, op == "up")
        else:
            raise Rejected("INVALID_PARAMETERS", "Unknown change.")

    await _write(phone, change, gid)
    return done("Announcements", "The announcements were saved.", phone.action("announcements", gr=gid))


def _member(phone: Phone, gid: int):
    mid = phone.int_param("mb")
    gm = next((g for g in phone.snap.group_members.get(gid, []) if g.member_id == mid), None)
    if gm is None:
        raise PhoneError("That member is no longer in the group. Press Exit and open Edit members again.",
                         "Edit members")
    return mid, gm


def edit_members(phone: Phone):
    gid = _members_group(phone)
    if phone.param("mb"):
        mid, gm = _member(phone, gid)
        return Menu(member_name(phone, gm), [
            Item(f"Short name: {gm.short_name}", phone.action("memberEdit", gr=gid, mb=mid, f="short")),
            Item(f"Number: {phone.snap.members[mid].number}", phone.action("memberEdit", gr=gid, mb=mid, f="number")),
            Item("Remove from group", phone.action("memberSave", gr=gid, mb=mid, op="remove"))], keys=KEYS)
    add = phone.action("addMember", gr=gid)
    items = [Item(f"{member_name(phone, g)} ({g.short_name})", phone.action("members", gr=gid, mb=g.member_id))
             for g in phone.snap.group_members.get(gid, [])]
    return Menu("Edit members", [*items, Item("Add member", add)], prompt=phone.snap.groups[gid].name,
                keys=[Key("Add", add), SELECT, BACK, EXIT])


def member_edit(phone: Phone) -> Input:
    gid = _members_group(phone)
    mid, gm = _member(phone, gid)
    field = Field("Short name", "short", "A", gm.short_name) if phone.param("f") == "short" else \
        Field("Number", "number", "T", phone.snap.members[mid].number)
    return Input(member_name(phone, gm), phone.action("memberSave", gr=gid, mb=mid, op="edit"), [field])


async def member_save(phone: Phone):
    gid = _members_group(phone)
    mid, _ = _member(phone, gid)
    op, short, number = phone.param("op"), phone.param("short").strip(), phone.param("number").strip()
    if op not in ("remove", "edit"):
        raise PhoneError("Unknown change. Nothing was changed.", "Edit members")
    if op == "edit" and not short and not number:
        raise PhoneError("Enter a short name or a number. Nothing was changed.", "Edit members")
    if short and not valid_short_name(short):
        raise PhoneError(f"'{short}' is not a valid short name: it has 1 to 8 characters. Nothing was changed.",
                         "Edit members")
    number = _value("number", number) if number else ""

    def change(conn):
        if op == "remove":
            members.remove_member(conn, mid, gid)
            return
        if short:
            members.set_short_name(conn, mid, [gid], short)
        if number:
            members.set_number(conn, members.require_member(conn, mid), number)

    await _write(phone, change, gid)
    return done("Edit members", "The member was removed." if op == "remove" else "The member was saved.",
                phone.action("members", gr=gid))


def add_member(phone: Phone) -> Menu:
    """All directory users with a line number, 100 to a page with << and >>."""
    gid = _members_group(phone)
    users = sorted((u for u in phone.snap.users.values() if u.line_number),
                   key=lambda u: (u.last_name.casefold(), u.first_name.casefold(), u.user_name.casefold()))
    if not users:
        raise PhoneError("No user has a line number to add.", "Add member")
    items = [Item(f"{u.last_name} {u.first_name}".strip() or u.user_name,
                  phone.action("addMemberSave", gr=gid, user=u.id)) for u in users]
    pages = (len(items) + PAGE - 1) // PAGE
    page = min(phone.int_param("page") or 0, pages - 1)
    shown, keys = paged(items, page, lambda n: phone.action("addMember", gr=gid, page=n))
    return Menu("Add member", shown, prompt=f"Page {page + 1} of {pages}", keys=[*keys, SELECT, BACK, EXIT])


async def add_member_save(phone: Phone):
    gid = _members_group(phone)
    user = phone.snap.users.get(phone.int_param("user") or 0)
    if user is None:
        raise PhoneError("That user does not exist any more. Nothing was changed.", "Add member")
    if not user.line_number:
        raise PhoneError(f"{user.user_name} has no line number to add. Nothing was changed.", "Add member")
    await _write(phone, lambda conn: members.add_member(conn, gid, user, user.line_number, None, MEMBER, None), gid)
    return done("Add member", f"{user.first_name} {user.last_name} joined the group.", phone.action("members", gr=gid))


def delete_group(phone: Phone):
    gid = _group(phone)
    if phone.param("sure") != "yes":
        return Menu(f"Delete {phone.snap.groups[gid].name}?",
                    [Item("No, keep it", phone.action("editGroup", gr=gid)),
                     Item("Yes, delete it", phone.action("deleteGroup", gr=gid, sure="yes"))], keys=KEYS)
    return _delete(phone, gid)


async def _delete(phone: Phone, gid: int):
    name = phone.snap.groups[gid].name
    await _write(phone, lambda conn: groups.delete_group(conn, gid), gid)
    return done("Delete group", f"Group {name} was deleted.")


# --- join and leave -----------------------------------------------------------------------------------

def join_group(phone: Phone):
    _require(phone, MENU_PRIVILEGES, "Joining a group")
    mine = set(my_group_ids(phone))
    admin = phone.has(MAGROUP, "Admin")
    open_groups = [g for g in phone.snap.groups if g not in mine and (admin or phone.snap.manager_of(g) is None)]
    gid = phone.int_param("gr")
    if phone.param("gr") and gid not in open_groups:
        if gid not in phone.snap.groups:
            raise PhoneError("That group does not exist any more. Nothing was changed.", "Join group")
        if gid in mine:
            raise PhoneError(f"You are already in {phone.snap.groups[gid].name}.", "Join group")
        raise PhoneError(f"{phone.snap.groups[gid].name} has a manager: only administrators can join it.",
                         "Join group")
    if gid not in open_groups:
        if not open_groups:
            raise PhoneError("There is no group you can join.", "Join group")
        return Menu("Join group", [Item(phone.snap.groups[g].name, phone.action("joinGroup", gr=g))
                                   for g in open_groups], keys=KEYS)
    role = phone.param("role")
    if phone.snap.manager_of(gid) is None and role not in ("manager", "member"):
        return Menu("Join as", [Item("Member", phone.action("joinGroup", gr=gid, role="member")),
                                Item("Manager", phone.action("joinGroup", gr=gid, role="manager"))], keys=KEYS)
    return _join(phone, gid, MANAGER if role == "manager" else MEMBER)


async def _join(phone: Phone, gid: int, role: int):
    line = my_line(phone)
    await _write(phone, lambda conn: members.add_member(conn, gid, require_user(conn, phone.user.user_name), line,
                                                        None, role, None), gid)
    return done("Join group", f"You joined {phone.snap.groups[gid].name}.")


def leave_group(phone: Phone):
    _require(phone, MENU_PRIVILEGES, "Leaving a group")
    mine = my_group_ids(phone)
    gid = phone.int_param("gr")
    if phone.param("gr") and gid not in mine:
        gone = gid not in phone.snap.groups
        raise PhoneError("That group does not exist any more." if gone else "You are not in that group (any more).",
                         "Leave group")
    if gid not in mine:
        if not mine:
            raise PhoneError("You are not in any group.", "Leave group")
        return Menu("Leave group", [Item(phone.snap.groups[g].name, phone.action("leaveGroup", gr=g)) for g in mine],
                    keys=KEYS)
    return _leave(phone, gid)


async def _leave(phone: Phone, gid: int):
    own = [m.id for m in phone.snap.user_members.get(phone.user.id, [])
           if gid in {g.group_id for g in phone.snap.member_groups.get(m.id, [])}]

    def change(conn):
        for mid in own:
            members.remove_member(conn, mid, gid)

    await _write(phone, change, gid)
    return done("Leave group", f"You left {phone.snap.groups[gid].name}.")
