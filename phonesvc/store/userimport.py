"""CSV import of the user directory, all or nothing: `phonesvc users import` and the web's Users page read
the file themselves and hand its text here, so both follow exactly the same rules."""

from __future__ import annotations

import csv

from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import UnknownPrivilege, parse_privilege
from phonesvc.domain.text import HOLDS_CONTROL, has_control
from phonesvc.store import users as users_store

CSV_COLUMNS = ("user_name", "first_name", "last_name", "line_number", "mobile_number", "voicemail_number",
               "department", "vip_level", "devices", "privileges", "password")


def parse_privileges(texts) -> list[tuple[str, str]]:
    """Privilege names as people write them ('Admin', 'PhoneDiversions:State'), blanks skipped."""
    return [parse_privilege(t) for t in texts if t.strip()]


def import_users(conn: Connection, text: str, source: str) -> tuple[int, int]:
    """Add or update every row of the CSV `text`, all or nothing: the first bad row raises Rejected naming
    `source` (the file's name) and its line, and the caller's transaction rolls back. Returns (added, updated)."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    # with their ends: without them csv joins a quoted cell's lines silently ("Bad<LF>Name" -> "BadName")
    reader = csv.DictReader(text.splitlines(keepends=True), dialect=dialect)
    header = [h.strip().casefold() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "user_name" not in header or unknown:
        raise Rejected(E.INVALID_PARAMETERS, f"{source}: the header needs user_name and may have "
                       f"{', '.join(CSV_COLUMNS[1:])}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    added = updated = 0
    for line_no, raw in enumerate(reader, start=2):
        bad = next((k for k, v in raw.items() if k is not None and has_control(v or "")), None)
        if bad is not None:  # checked before stripping, which would hide a trailing line break or tab
            raise Rejected(E.INVALID_PARAMETERS, f"{source} line {line_no}: {bad.strip()} {HOLDS_CONTROL}")
        row = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k is not None}
        try:
            if _import_row(conn, row):
                added += 1
            else:
                updated += 1
        except (Rejected, UnknownPrivilege) as exc:
            raise Rejected(E.INVALID_PARAMETERS, f"{source} line {line_no}: {getattr(exc, 'message', exc)}") from None
    return added, updated


def _import_row(conn: Connection, row: dict[str, str]) -> bool:
    """Adds the row's user (True) or updates the one of that name (False)."""
    fields = {k: row[k] for k in users_store.USER_FIELDS if k in row and row[k] != ""}
    devices = [d for d in row.get("devices", "").replace(";", " ").split() if d]
    privs = parse_privileges(row.get("privileges", "").replace(";", ",").split(","))
    existing = users_store.find_user(conn, row.get("user_name", ""))
    if existing is None:
        users_store.add_user(conn, row.get("user_name", ""), password=row.get("password") or None,
                             devices_=devices, privileges_=privs, **fields)
        return True
    users_store.update_user(conn, existing.id, **fields)
    for d in devices:
        users_store.add_device(conn, existing.id, d)
    users_store.set_privileges(conn, existing.id, privs)
    if row.get("password"):
        users_store.set_password(conn, existing.user_name, row["password"])
    return False
