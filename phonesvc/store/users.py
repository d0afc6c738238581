"""The user directory (the manuals' "Callisto users"): users, their phones and privileges."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Missing, Rejected
from phonesvc.domain.passwords import hash_password
from phonesvc.domain.privileges import PRIVILEGES
from phonesvc.domain.text import HOLDS_CONTROL, has_control, text_problem, valid_number
from phonesvc.store.members import remove_member
from phonesvc.store.schema import devices, members, privileges, users

USER_FIELDS = ("first_name", "last_name", "line_number", "mobile_number", "voicemail_number", "department",
               "vip_level")
_USER_NAME = re.compile(r"[^\s,;:/\\\x00-\x1f\x7f]{1,100}")
_DEVICE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def user_key(user_name: str) -> str:
    return user_name.strip().casefold()


def check_user_fields(fields: dict) -> dict:
    """Validated copy of user fields; raises Rejected(INVALID_PARAMETERS) with what is wrong."""
    out = {}
    for name, value in fields.items():
        if name not in USER_FIELDS:
            raise Rejected(E.INVALID_PARAMETERS, f"unknown user field {name}")
        label = name.replace("_", " ")
        if isinstance(value, str) and has_control(value):  # before any stripping: a trailing line break too
            raise Rejected(E.INVALID_PARAMETERS, f"{label} {HOLDS_CONTROL}")
        if name == "vip_level":
            try:
                level = int(value)
            except (TypeError, ValueError):
                level = -1
            if not 0 <= level <= 5:
                raise Rejected(E.INVALID_PARAMETERS, "VIP level must be a whole number from 0 to 5")
            out[name] = level
            continue
        text = str(value or "").strip()
        if name.endswith("_number") and text and not valid_number(text):
            raise Rejected(E.INVALID_PARAMETERS, f"{label} {text!r} is not a phone number")
        problem = text_problem(text, 100)
        if problem:
            raise Rejected(E.INVALID_PARAMETERS, f"{label} {problem}")
        out[name] = text
    return out


def check_device_name(name: str) -> str:
    if has_control(name):
        raise Rejected(E.INVALID_PARAMETERS, f"device name {HOLDS_CONTROL}")
    if not _DEVICE.fullmatch(name.strip()):
        raise Rejected(E.INVALID_PARAMETERS, f"device name {name!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return name.strip().upper()


def find_user(conn: Connection, user_name: str):
    return conn.execute(sa.select(users).where(users.c.user_key == user_key(user_name))).first()


def require_user(conn: Connection, user_name: str):
    row = find_user(conn, user_name)
    if row is None:
        raise Missing(E.INVALID_USERNAME, f"no user named {user_name!r}", "user")
    return row


def require_user_id(conn: Connection, user_id: int):
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise Missing(E.INVALID_USERNAME, f"no user with id {user_id}", "user")
    return row


def add_user(conn: Connection, user_name: str, *, password: str | None = None, password_hash: str = "",
             devices_: Iterable[str] = (), privileges_: Iterable[tuple[str, str]] = (), **fields) -> int:
    user_name = _free_user_name(conn, user_name, None)
    values = check_user_fields(fields)
    user_id = conn.execute(users.insert().values(
        user_name=user_name, user_key=user_key(user_name),
        password_hash=hash_password(password) if password else password_hash, **values)).inserted_primary_key[0]
    for device in devices_:
        add_device(conn, user_id, device)
    set_privileges(conn, user_id, privileges_)
    return user_id


def check_user_name(user_name: str) -> str:
    user_name = user_name.strip(" ")
    if has_control(user_name):
        raise Rejected(E.INVALID_PARAMETERS, f"user name {HOLDS_CONTROL}")
    if not _USER_NAME.fullmatch(user_name):
        raise Rejected(E.INVALID_PARAMETERS,
                       "user name must be 1-100 characters without spaces, commas, colons or slashes")
    return user_name


def _free_user_name(conn: Connection, user_name: str, user_id: int | None) -> str:
    """`user_name` checked, and not taken by a user other than `user_id`."""
    user_name = check_user_name(user_name)
    taken = find_user(conn, user_name)
    if taken is not None and taken.id != user_id:
        raise Rejected(E.ALREADY_EXISTS, f"user {user_name!r} already exists")
    return user_name


def rename_user(conn: Connection, user_id: int, user_name: str) -> None:
    user_name = _free_user_name(conn, user_name, user_id)
    conn.execute(users.update().where(users.c.id == user_id).values(user_name=user_name, user_key=user_key(user_name)))


def update_user(conn: Connection, user_id: int, **fields) -> None:
    values = check_user_fields(fields)
    if values:
        conn.execute(users.update().where(users.c.id == user_id).values(**values))


def add_device(conn: Connection, user_id: int, device: str, model: str = "") -> str:
    name = check_device_name(device)
    owner = conn.execute(sa.select(devices.c.user_id).where(devices.c.name == name)).scalar()
    if owner is not None and owner != user_id:
        owner_name = conn.execute(sa.select(users.c.user_name).where(users.c.id == owner)).scalar()
        raise Rejected(E.ALREADY_EXISTS, f"device {name} belongs to another user, {owner_name}")
    if owner is None:
        conn.execute(devices.insert().values(name=name, user_id=user_id, model=model))
    return name


def set_devices(conn: Connection, user_id: int, names: Iterable[str]) -> None:
    """The user's phones become exactly `names` (a device another user has is refused)."""
    keep = {add_device(conn, user_id, name) for name in names}
    conn.execute(devices.delete().where((devices.c.user_id == user_id) & devices.c.name.not_in(list(keep))))


def set_password(conn: Connection, user_name: str, password: str) -> None:
    if not password:
        raise Rejected(E.INVALID_PARAMETERS, "the password must not be empty")
    set_password_hash(conn, require_user(conn, user_name).id, hash_password(password))


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    """A password hashed beforehand (domain.passwords.hash_password), so that the write waits on no hashing."""
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))


def set_privileges(conn: Connection, user_id: int, privs: Iterable[tuple[str, str]], grant: bool = True) -> None:
    for app, priv in privs:
        if priv not in PRIVILEGES.get(app, ()):
            raise Rejected(E.INVALID_PARAMETERS, f"unknown privilege {app}:{priv}")
        key = (privileges.c.user_id == user_id) & (privileges.c.app == app) & (privileges.c.privilege == priv)
        present = conn.execute(sa.select(sa.literal(1)).where(key)).first() is not None
        if grant and not present:
            conn.execute(privileges.insert().values(user_id=user_id, app=app, privilege=priv))
        elif not grant and present:
            conn.execute(privileges.delete().where(key))


def replace_privileges(conn: Connection, user_id: int, wanted: Iterable[tuple[str, str]]) -> None:
    """The user holds exactly `wanted` afterwards."""
    wanted = set(wanted)
    set_privileges(conn, user_id, wanted)
    set_privileges(conn, user_id, user_privileges(conn, user_id) - wanted, grant=False)


def user_privileges(conn: Connection, user_id: int) -> set[tuple[str, str]]:
    rows = conn.execute(sa.select(privileges.c.app, privileges.c.privilege).where(privileges.c.user_id == user_id))
    return {(r.app, r.privilege) for r in rows}


def list_users(conn: Connection) -> list[dict]:
    """Every user with numbers, privileges (per application) and devices, ordered by user name."""
    privs: dict[int, dict[str, list[str]]] = {}
    for r in conn.execute(sa.select(privileges).order_by(privileges.c.app, privileges.c.privilege)):
        privs.setdefault(r.user_id, {}).setdefault(r.app, []).append(r.privilege)
    devs: dict[int, list[dict]] = {}
    for r in conn.execute(sa.select(devices).order_by(devices.c.name)):
        devs.setdefault(r.user_id, []).append({"name": r.name, "model": r.model})
    out = []
    for u in conn.execute(sa.select(users).order_by(users.c.user_key)):
        out.append({
            "user_name": u.user_name, **{f: getattr(u, f) for f in USER_FIELDS},
            "privileges": privs.get(u.id, {}), "devices": devs.get(u.id, []),
            "has_password": bool(u.password_hash),
        })
    return out


def delete_user(conn: Connection, user_name: str) -> None:
    """Remove a user; their members leave every group first, with the group rules' clean-up."""
    user = require_user(conn, user_name)
    for member_id in conn.execute(sa.select(members.c.id).where(members.c.user_id == user.id)).scalars().all():
        remove_member(conn, member_id, None)
    conn.execute(users.delete().where(users.c.id == user.id))


def record_device_seen(conn: Connection, name: str, model: str, display: str, address: str, when: float) -> None:
    conn.execute(devices.update().where(devices.c.name == name).values(model=model, display=display, address=address,
                                                                       last_seen=when))
