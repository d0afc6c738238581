"""Demo data from the manuals' screenshots and examples, with a phone for every person."""

from __future__ import annotations

import functools
import io
import struct
import wave
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.passwords import hash_password
from phonesvc.domain.presence import Presence
from phonesvc.domain.privileges import DIVERSIONS, MAGROUP, PLATFORM, PRIVILEGES
from phonesvc.store import announcements, diversions, groups, members, users, vip
from phonesvc.store.schema import groups as groups_table
from phonesvc.store.schema import users as users_table

MODELS = ("CP-8865", "CP-7965G", "CP-8845", "CP-7970G", "CP-9971", "CP-8961", "CP-7975G", "CP-8851")

# user name, first, last, line, department, VIP stars
PEOPLE = (
    ("Tijana.Vlahovic", "Tijana", "Vlahović", "1047", "Management", 3),
    ("Rafael.Hidalgo", "Rafael", "Hidalgo", "1175", "Office", 0),
    ("Aradhana.Jaggi", "Aradhana", "Jaggi", "1068", "Office", 0),
    ("Leonard.Saligny", "Léonard", "Saligny", "1118", "Office", 0),
    ("San.Zhang", "San", "Zhang", "1072", "Office", 0),
    ("Emilia.Skjeggestad", "Emilia", "Skjeggestad", "1033", "Office", 0),
    ("Gil-dong.Hong", "Gil-dong", "Hong", "1076", "Sales", 4),
    ("Beatrice.Gaertner", "Beatrice", "Gärtner", "1132", "Projects", 2),
    ("Frederique.Voclain", "Frédérique", "Voclain", "1113", "Support", 1),
    ("Maria.Rossi", "Maria", "Rossi", "1071", "Accounting", 2),
    ("Gabriela.Kronberger", "Gabriela", "Kronberger", "1077", "Accounting", 5),
    ("maria.santos", "Maria", "Santos", "1081", "Support", 0),
    ("chiyo.fujimoto", "Chiyo", "Fujimoto", "1082", "Support", 0),
    ("romeo.girard", "Romeo", "Girard", "1083", "Support", 0),
    ("Tamara.Farrow", "Tamara", "Farrow", "1022", "Sales", 0),
    ("Sara.Tait", "Sara", "Tait", "9223", "Support", 0),
    ("Claudia.Draxler", "Claudia", "Draxler", "9271", "IT", 0),
    ("Vladislav.Jovanovic", "Vladislav", "Jovanović", "5484", "IT", 0),
    ("Elizabeth.Miller", "Elizabeth", "Miller", "1002", "HR", 0),
    ("Samatha.Tenti", "Samatha", "Tenti", "1044", "R&D", 0),
    ("Angelo.Panizza", "Angelo", "Panizza", "1011", "Sales", 0),
    ("Marta.Maric", "Marta", "Marić", "1040", "IT", 0),
    ("Scott.Marshall", "Scott", "Marshall", "1053", "R&D", 0),
)

VIP_LIST = (  # Tijana Vlahović's list in the VIP List screenshot (masked numbers made dialable)
    ("1076", ""), ("1132", 'Project leader "Amatech"'), ("+15095550147", "David Merrill (consultant Cavages Inc.)"),
    ("1113", ""), ("1071", ""), ("+61755501234", "Annabelle Tomholt (Hendricks International)"),
    ("0800123456", "Support desk"),
)

DIVERSION_GROUPS = (  # the State tab, with the Assigned Lines screenshot on Front desk
    ("Front desk", "Diversion to the front desk phone", "1022", "ON",
     (("1044", "Main diversion line"), ("1011", "Secondary diversion line"), ("1040", "Line 1040"),
      ("1053", "Line 1053"))),
    ("1st level tech support", "1st level group phone", "9223", "ON", (("1082", "Line 1082"),)),
    ("2nd level tech support", "2nd level group phone", "9271", "OFF", (("1083", "Line 1083"),)),
    ("After-hour support", "For urgent cases outside business hours", "5484", "ON", ()),
    ("Billing & Accounts", "Inquiries regarding bills and subscriptions", "1071", "ON",
     (("1077", "Line 1077"),)),
    ("Human Resources", "Inquiries regarding personnel", "1002", "ON", ()),
)

DEMO_ADMIN = ("admin", "admin")  # user name, password: printed when the demo is loaded


@functools.cache
def _admin_hash() -> str:
    return hash_password(DEMO_ADMIN[1])  # once per process: scrypt is slow on purpose


def device_name(line: str) -> str:
    return f"SEP{int(line):012d}"


def is_empty(conn: Connection) -> bool:
    return (conn.execute(sa.select(sa.func.count()).select_from(users_table)).scalar_one() == 0
            and conn.execute(sa.select(sa.func.count()).select_from(groups_table)).scalar_one() == 0)


def load(conn: Connection, audio_dirs: dict[str, Path] | None = None) -> None:
    ids = {}
    for i, (name, first, last, line, dept, stars) in enumerate(PEOPLE):
        ids[name] = users.add_user(
            conn, name, first_name=first, last_name=last, line_number=line, department=dept, vip_level=stars,
            mobile_number=f"+4179555{line}", voicemail_number=f"8{line}")
        users.add_device(conn, ids[name], device_name(line), MODELS[i % len(MODELS)])
    all_privs = [(app, p) for app, names in PRIVILEGES.items() for p in names]
    users.add_user(conn, DEMO_ADMIN[0], password_hash=_admin_hash(), first_name="Demo", last_name="Administrator",
                   privileges_=all_privs)
    users.set_privileges(conn, ids["Tijana.Vlahovic"], [(MAGROUP, "Groups"), (MAGROUP, "TeammateStatus"),
                                                        (MAGROUP, "VIPList"), (MAGROUP, "Reports")])
    users.set_privileges(conn, ids["Rafael.Hidalgo"], [(MAGROUP, "TeammateStatus"), (MAGROUP, "VIPList"),
                                                       (MAGROUP, "MembersManagement")])
    users.set_privileges(conn, ids["Tamara.Farrow"], [(DIVERSIONS, "State"), (DIVERSIONS, "Groups")])
    users.set_privileges(conn, ids["Sara.Tait"], [(DIVERSIONS, "State"), (PLATFORM, "RESTAuthentication")])

    def person(name):
        return conn.execute(sa.select(users_table).where(users_table.c.id == ids[name])).first()

    ma = groups.add_group(conn, {
        "id": 45, "name": "MA Group", "number": "8973", "welcome": "Welcome.wav", "manager_timeout": 30,
        "assistant_timeout": 15, "caller_name": "%managerShortName%**%callerName%",
        "caller_number": "%managerNumber%**%callerNumber%", "mng_call_alarm_j": "Analog1.mp3",
        "assist_call_alarm_j": "Analog2.mp3"})
    mids = {}
    for name, shows in (("Tijana.Vlahovic", 0), ("Rafael.Hidalgo", 0), ("Aradhana.Jaggi", 0),
                        ("Leonard.Saligny", ma), ("San.Zhang", ma), ("Emilia.Skjeggestad", ma)):
        u = person(name)
        mids[name] = members.add_member(conn, ma, u, u.line_number, None, 1 if name == "Tijana.Vlahovic" else 0,
                                        shows)
    for wave_name in ("Welcome.wav", "busy.wav", "music_synth.wav"):
        announcements.add_announcement(conn, ma, wave_name, None)
    for number, description in VIP_LIST:
        vip.add_vip(conn, mids["Tijana.Vlahovic"], number, description)
    members.set_presence(conn, ids["San.Zhang"], Presence.AWAY, "Out for lunch")
    members.set_forwarding(conn, mids["Emilia.Skjeggestad"], "member", target_member_id=mids["Rafael.Hidalgo"])

    support = groups.add_group(conn, {"id": 64, "name": "Support Team", "number": "8974"})
    fix_sequences(conn)
    for name in ("maria.santos", "chiyo.fujimoto", "romeo.girard", "Frederique.Voclain"):
        u = person(name)
        members.add_member(conn, support, u, u.line_number, None, 0, support)

    for name, description, destination, state, lines in DIVERSION_GROUPS:
        gid = diversions.add_group(conn, name, description, destination, state)
        for number, text in lines:
            diversions.add_line(conn, gid, number, text)

    for kind, folder in (audio_dirs or {}).items():
        names = ("Welcome.wav", "busy.wav", "music_synth.wav") if kind == "PCM" else ("Analog1.mp3", "Analog2.mp3")
        for n in names:
            path = folder / n
            if not path.exists():
                path.write_bytes(silent_wav() if kind == "PCM" else silent_mp3())


def silent_wav(seconds: float = 0.5) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buf.getvalue()


def silent_mp3(frames: int = 20) -> bytes:
    """MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, with empty main data (silence)."""
    header = struct.pack(">I", 0xFFFB9000)
    return (header + bytes(417 - 4)) * frames


def fix_sequences(conn: Connection) -> None:
    """PostgreSQL does not move a serial sequence past explicitly inserted ids (groups 45 and 64)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('groups', 'id'), (SELECT max(id) FROM groups))")
