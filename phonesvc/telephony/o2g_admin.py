"""`phonesvc pbx check` and `phonesvc pbx import`: what the configured O2G has, and the directory matched to it.

check: logs in with the configured settings and prints the server's version, the session's services, which
directory numbers are O2G users (and which are not) and whether each group's manager number can be a route
point; or exactly the step that failed. import: reads O2G's users (`GET /logins`, then `GET /users/{login}`)
and adds or updates directory users from them (name, company phone as the line, voicemail) in one
transaction: all or nothing. A directory user is matched by line number; a new one is named by O2G login.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from phonesvc.config import Settings
from phonesvc.store import users as users_store
from phonesvc.store.db import Store
from phonesvc.telephony.choose import connection
from phonesvc.telephony.o2g_session import O2GSession
from phonesvc.telephony.protocol import TelephonyError


@dataclass(frozen=True)
class O2GUser:
    login: str
    number: str
    first: str
    last: str
    voicemail: str


async def fetch_users(session: O2GSession) -> list[O2GUser]:
    logins = (await session.request("GET", "logins")).json().get("loginNames") or []
    out = []
    for login in logins:
        u = (await session.request("GET", "users", f"/{login}")).json()
        out.append(O2GUser(login, u.get("companyPhone") or "", u.get("firstName") or "", u.get("lastName") or "",
                           (u.get("voicemail") or {}).get("number") or ""))
    return out


async def check(settings: Settings, directory_numbers: set[str], route_points: set[str]) -> list[str]:
    """The report, line by line; TelephonyError says what failed."""
    session = O2GSession(connection(settings))
    try:
        info = await session.open()
        version = info.server.get("productVersion") or {}
        lines = [f"O2G {info.server.get('productName', '')} {version.get('major', '')}.{version.get('minor', '')}"
                 f" at {settings.o2g_url}: logged in as {settings.o2g_login}",
                 "services: " + ", ".join(sorted(info.services)),
                 f"session time to live: {info.ttl} s"]
        users = await fetch_users(session)
        known = {u.number for u in users}
        matched = sorted(directory_numbers & known)
        lines.append(f"directory numbers that are O2G users: {len(matched)} of {len(directory_numbers)}")
        missing = sorted(directory_numbers - known)
        if missing:
            lines.append("not O2G users (not monitored): " + ", ".join(missing))
        if route_points and "acdrsi" not in info.services:
            lines.append("route points: this O2G offers no acdrsi service; calls to manager numbers cannot be "
                         "routed")
        for point in sorted(route_points):
            try:
                await session.request("POST", "acdrsi", f"/{point}/enable")
                lines.append(f"route point {point}: enabled")
            except TelephonyError as exc:
                lines.append(f"route point {point}: {exc}")
        return lines
    finally:
        await session.close()


def import_users(store: Store, users: list[O2GUser]) -> list[str]:
    """Add or update directory users from O2G's users, in one transaction; the changes, one line each."""
    changes = []
    with store.write() as conn:
        by_line = {u["line_number"]: u for u in users_store.list_users(conn) if u["line_number"]}
        for o in sorted(users, key=lambda u: u.number):
            if not o.number:
                continue
            wanted = {"first_name": o.first, "last_name": o.last, "voicemail_number": o.voicemail}
            mine = by_line.get(o.number)
            if mine is None:
                users_store.add_user(conn, o.login, line_number=o.number, **wanted)
                changes.append(f"added {o.login}: {o.first} {o.last}, line {o.number}"
                               + (f", voicemail {o.voicemail}" if o.voicemail else ""))
                continue
            differ = {k: v for k, v in wanted.items() if v and (mine[k] or "") != v}  # O2G's blanks keep ours
            if differ:
                user = users_store.require_user(conn, mine["user_name"])
                users_store.update_user(conn, user.id, **differ)
                changes.append(f"updated {mine['user_name']} (line {o.number}): "
                               + ", ".join(f"{k.replace('_', ' ')} {mine[k] or '-'} -> {v or '-'}"
                                           for k, v in differ.items()))
    return changes


def run_check(settings: Settings, directory_numbers: set[str], route_points: set[str]) -> list[str]:
    return asyncio.run(check(settings, directory_numbers, route_points))


def run_import(settings: Settings, store: Store) -> list[str]:
    async def fetch() -> list[O2GUser]:
        session = O2GSession(connection(settings))
        try:
            return await fetch_users(session)
        finally:
            await session.close()
    return import_users(store, asyncio.run(fetch()))
