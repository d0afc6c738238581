"""Members (a user's phone number) and their places in groups, presence and forwarding."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Missing, Rejected
from phonesvc.domain.members import MANAGER, generate_short_name
from phonesvc.domain.presence import Presence
from phonesvc.store.ids import require_row
from phonesvc.store.schema import forwarding, group_members, groups, members, users

FORWARD_KINDS = ("group", "voicemail", "mobile", "number", "member")


def require_member(conn: Connection, member_id: str | int | None):
    return require_row(conn, members, member_id, E.INVALID_MEMBER_ID, "member")


def _require_user(conn: Connection, user_id: int):
    return require_row(conn, users, user_id, E.INVALID_USERNAME, "user")


# Statements that REST writes run many times a second, built once: SQLAlchemy compiles a statement object once and
# remembers it, while building one anew costs as much as running it.
_OF_USER = sa.select(members).where(members.c.user_id == sa.bindparam("uid")).order_by(members.c.id)
_GROUPS_OF = sa.select(group_members.c.group_id).where(group_members.c.member_id == sa.bindparam("mid"))
_SHORT_NAME = (group_members.update().values(short_name=sa.bindparam("short_name"))
               .where(group_members.c.member_id == sa.bindparam("mid"),
                      group_members.c.group_id == sa.bindparam("gid")))
_PRESENCE = (users.update().where(users.c.id == sa.bindparam("uid"))
             .values(presence=sa.bindparam("presence"), presence_message=sa.bindparam("message")))


def members_of_user(conn: Connection, user_id: int) -> list:
    return conn.execute(_OF_USER, {"uid": user_id}).all()


def member_groups(conn: Connection, member_id: int) -> list[int]:
    return list(conn.execute(_GROUPS_OF, {"mid": member_id}).scalars())


def group_member_ids(conn: Connection, group_id: int) -> list[int]:
    """Member ids of a group in list order."""
    return list(conn.execute(sa.select(group_members.c.member_id).where(group_members.c.group_id == group_id)
                             .order_by(group_members.c.position)).scalars())


def _set_order(conn: Connection, group_id: int, member_ids: list[int]) -> None:
    for position, mid in enumerate(member_ids, start=1):
        conn.execute(group_members.update().where(group_members.c.group_id == group_id,
                                                  group_members.c.member_id == mid).values(position=position))


def has_manager(conn: Connection, group_id: int) -> bool:
    return conn.execute(sa.select(group_members.c.id).where(group_members.c.group_id == group_id,
                                                            group_members.c.type == MANAGER)).first() is not None


def check_displayed_group(conn: Connection, value: int) -> None:
    if value > 0 and not conn.execute(sa.select(groups.c.id).where(groups.c.id == value)).first():
        raise Missing(E.INVALID_PARAMETERS, f"displayedGroup {value} is not a group", "group")


def add_member(conn: Connection, group_id: int, user, number: str, short_name: str | None, gm_type: int,
               displayed_group: int | None) -> int:
    """Add a user's number to a group; returns the member id (an existing member of the same user
    and number is reused, so a phone keeps one id across groups). Group and user are checked here, in
    the transaction: the caller may have found them in a snapshot that another process made stale."""
    require_row(conn, groups, group_id, E.INVALID_GROUP_ID, "group")
    user = _require_user(conn, user.id)
    member = conn.execute(sa.select(members).where(members.c.user_id == user.id, members.c.number == number)
                          ).first()
    if member and group_id in member_groups(conn, member.id):
        raise Rejected(E.ALREADY_EXISTS, f"{user.user_name} with number {number} is already in this group")
    if gm_type == MANAGER and has_manager(conn, group_id):
        raise Rejected(E.MANAGER_ALREADY_EXISTS, "this group already has a manager")
    if displayed_group is not None and displayed_group > 0:
        check_displayed_group(conn, displayed_group)
    if short_name is None:
        taken = conn.execute(sa.select(group_members.c.short_name).where(group_members.c.group_id == group_id))
        short_name = generate_short_name(user.first_name or user.user_name, user.last_name, taken.scalars())
    if member is None:
        # A new phone's display is hidden unless asked for (the manual's default 0); an existing
        # phone keeps what it shows unless a value is given.
        shown = displayed_group if displayed_group and displayed_group > 0 else 0
        mid = conn.execute(members.insert().values(user_id=user.id, number=number, displayed_group=shown)
                           ).inserted_primary_key[0]
    else:
        mid = member.id
        if displayed_group is not None and displayed_group >= 0:
            conn.execute(members.update().where(members.c.id == mid).values(displayed_group=displayed_group))
    position = len(group_member_ids(conn, group_id)) + 1
    conn.execute(group_members.insert().values(group_id=group_id, member_id=mid, short_name=short_name,
                                               type=gm_type, position=position))
    return mid


def remove_member(conn: Connection, member_id: int, group_id: int | None) -> None:
    """Take a member out of one group (or all): positions close up, a display of that group is
    hidden, forwarding to the member by people who no longer share a group with it is cleared,
    and a member left in no group is deleted with its own forwarding and VIP list."""
    group_ids = [group_id] if group_id is not None else member_groups(conn, member_id)
    for gid in group_ids:
        conn.execute(group_members.delete().where(group_members.c.group_id == gid,
                                                  group_members.c.member_id == member_id))
        _set_order(conn, gid, group_member_ids(conn, gid))
        conn.execute(members.update().where(members.c.id == member_id, members.c.displayed_group == gid)
                     .values(displayed_group=0))
    remaining = set(member_groups(conn, member_id))
    for fwd_member in conn.execute(sa.select(forwarding.c.member_id)
                                   .where(forwarding.c.target_member_id == member_id)).scalars().all():
        if not remaining & set(member_groups(conn, fwd_member)):
            conn.execute(forwarding.delete().where(forwarding.c.member_id == fwd_member))
    if not remaining:
        conn.execute(members.delete().where(members.c.id == member_id))


def move_member(conn: Connection, group_id: int, member_id: int, up: bool) -> None:
    """One place up or down; a no-op at either end."""
    ids = group_member_ids(conn, group_id)
    i = ids.index(member_id)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        _set_order(conn, group_id, ids)


def order_by_user_list(conn: Connection, group_id: int, user_names: list[str]) -> None:
    """Reorder a group by user names; the list must name every member exactly once (a user with
    two phones in the group is named twice, and their phones keep their relative order)."""
    rows = conn.execute(sa.select(group_members.c.member_id, users.c.user_key)
                        .join(members, members.c.id == group_members.c.member_id)
                        .join(users, users.c.id == members.c.user_id)
                        .where(group_members.c.group_id == group_id)
                        .order_by(group_members.c.position)).all()
    wanted = [n.strip().casefold() for n in user_names]
    if sorted(wanted) != sorted(r.user_key for r in rows):
        raise Rejected(E.INVALID_PARAMETERS, "the list must name every member of the group exactly once")
    queues: dict[str, list[int]] = {}
    for r in rows:
        queues.setdefault(r.user_key, []).append(r.member_id)
    _set_order(conn, group_id, [queues[k].pop(0) for k in wanted])


def set_short_name(conn: Connection, member_id: int, group_ids: list[int], short_name: str) -> None:
    # The update finds the member's places itself; a place it misses says why only then (a failed write rolls back).
    for gid in group_ids:
        if conn.execute(_SHORT_NAME, {"mid": member_id, "gid": gid, "short_name": short_name}).rowcount != 1:
            require_member(conn, member_id)
            raise Rejected(E.INVALID_MEMBER_ID, "the member is no longer in this group")


def set_number(conn: Connection, member, number: str) -> None:
    if number == member.number:
        return
    if conn.execute(sa.select(members.c.id).where(members.c.user_id == member.user_id,
                                                  members.c.number == number)).first():
        raise Rejected(E.ALREADY_EXISTS, f"this user already has a member with number {number}")
    conn.execute(members.update().where(members.c.id == member.id).values(number=number))


def set_displayed_group(conn: Connection, member_id: int, value: int) -> None:
    """value: a group id, 0 to hide the status display, -1 to leave it as it is."""
    check_displayed_group(conn, value)  # first: on a phone, the group gone is the news
    require_member(conn, member_id)
    if value < 0:
        return
    conn.execute(members.update().where(members.c.id == member_id).values(displayed_group=value))


def set_presence(conn: Connection, user_id: int, state: Presence, message: str) -> None:
    if conn.execute(_PRESENCE, {"uid": user_id, "presence": int(state), "message": message}).rowcount != 1:
        _require_user(conn, user_id)  # says that the user is gone


def set_forwarding(conn: Connection, member_id: int, kind: str | None, number: str = "",
                   target_member_id: int | None = None) -> None:
    """kind None clears forwarding; 'member' needs target_member_id (a member sharing a group), 'number'
    a number. The line's forwarding on the PBX follows the stored one (live/forwarding.py)."""
    member = require_member(conn, member_id)
    conn.execute(forwarding.delete().where(forwarding.c.member_id == member_id))
    if kind is None:
        return
    if kind not in FORWARD_KINDS:
        raise Rejected(E.INVALID_PARAMETERS, f"unknown forwarding {kind}")
    if kind == "member":
        target = require_member(conn, target_member_id)
        if not set(member_groups(conn, member_id)) & set(member_groups(conn, target.id)):
            raise Rejected(E.INVALID_MEMBER_ID, "that member is no longer in the group")
        number = target.number
    if number == member.number and kind != "voicemail":
        raise Rejected(E.INVALID_PARAMETERS, f"line {number} cannot be forwarded to itself")
    conn.execute(forwarding.insert().values(member_id=member_id, kind=kind, number=number,
                                            target_member_id=target_member_id if kind == "member" else None))


_target = sa.alias(members)
# Built once: constructing this join costs more than running it.
_MEMBERSHIPS = (
    sa.select(group_members.c.group_id, group_members.c.short_name, group_members.c.type, group_members.c.position,
              members.c.id, members.c.number, members.c.displayed_group, users.c.user_name, users.c.first_name,
              users.c.last_name, users.c.presence, users.c.presence_message, users.c.mobile_number,
              users.c.voicemail_number, forwarding.c.kind.label("fwd_kind"), forwarding.c.number.label("fwd_number"),
              _target.c.number.label("fwd_member_number"))
    .join(members, members.c.id == group_members.c.member_id)
    .join(users, users.c.id == members.c.user_id)
    .outerjoin(forwarding, forwarding.c.member_id == members.c.id)
    .outerjoin(_target, _target.c.id == forwarding.c.target_member_id)
    .order_by(group_members.c.group_id, group_members.c.position))


def list_memberships(conn: Connection, group_id: int | None = None) -> list[dict]:
    """One entry per (member, group) with the user, presence and forwarding destination, in
    group then list order."""
    query = _MEMBERSHIPS if group_id is None else _MEMBERSHIPS.where(group_members.c.group_id == group_id)
    out = []
    for r in conn.execute(query):
        d = dict(r._mapping)
        d["forward_destination"] = forward_destination(d)
        out.append(d)
    return out


def forward_destination(d: dict) -> str:
    """Where the member's calls go: a number, or 'Group' for a manager's forwarding to the group."""
    kind = d.get("fwd_kind")
    if kind == "group":
        return "Group"
    if kind == "voicemail":
        return d["voicemail_number"]
    if kind == "mobile":
        return d["mobile_number"]
    if kind == "member":
        return d["fwd_member_number"] or ""
    return d.get("fwd_number") or ""
