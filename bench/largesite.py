"""A large site for the benchmarks: 10,000 directory users with a phone each, 1,000 groups holding 6,000
members, 20,000 VIP numbers, 200 diversion groups and 1,000,000 call-log records, with accented names.

Everything goes in through the store functions (add_user, add_device, add_group, add_member, set_presence,
set_forwarding, add_vip, the diversions' add_group and add_line, and the CallLogWriter for the calls), so
the rules hold as they do for the REST API; the calls of one kind share a transaction. The random choices
are seeded, so every run builds the same site. The SQLite file is cached in bench/.cache/, keyed by a hash
of this file and of the store's schema and migrations, with a JSON manifest beside it that names what the
benchmarks ask for (devices, groups, members) and how long generation took.

    .venv/bin/python bench/largesite.py [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from phonesvc.domain.calls import INBOUND, OUTBOUND, CallRecord
from phonesvc.domain.members import MANAGER, MEMBER
from phonesvc.domain.presence import Presence
from phonesvc.store import diversions, groups, members, users, vip
from phonesvc.store.calllog import CallLogWriter
from phonesvc.store.db import Store
from phonesvc.store.demo import MODELS, device_name
from phonesvc.store.schema import users as users_table
from phonesvc.telephony.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
USERS, GROUPS, MEMBERS, VIPS, DIVERSION_GROUPS, CALLS = 10_000, 1_000, 6_000, 20_000, 200, 1_000_000
SEED = 10
FIRST_LINE = 20000  # user i has line 20000 + i
BENCH_GROUP = 45  # the group the benchmarks show and ask for, 12 members
SHARED_EVERY = 50  # every 50th group's first assistant also assists the previous group's manager
CALLS_FROM = datetime(2025, 1, 1, tzinfo=UTC).timestamp()  # one year of calls, evenly spread
CALLS_SPAN = 365 * 86400.0

FIRST = ("Léonard", "Jürgen", "Zoë", "Frédérique", "Søren", "Ágnes", "Łukasz", "Tijana", "Beatrice", "Mária",
         "José", "Çağla", "Björn", "Chloé", "Renée", "Håkon", "Jiří", "Noémie", "Dagný", "Anaïs", "Gabriela",
         "Rafael", "Inès", "Ørjan", "Aradhana", "Gil-dong", "Émile", "Małgorzata", "Tomás", "Ayşe")
LAST = ("Vlahović", "Gärtner", "Müller", "Dvořák", "Núñez", "Ødegård", "Saligny", "Kovačević", "Schröder",
        "Çelik", "Lefèvre", "Jäger", "Gonçalves", "Strauß", "Ångström", "Nowak", "Hidalgo", "Skjeggestad",
        "Brontë", "Kronberger", "Marić", "Jovanović", "D'Aubigné", "Öztürk", "Papadopoulos", "Eißler")
DEPARTMENTS = ("Management", "Office", "Sales", "R&D", "Support", "Accounting", "Équipe <Nord>", "Qualität")
MESSAGES = ("Out for lunch", "Réunion à 14h", "Back at 3 & busy", "Im Gespräch", "Homeoffice", "")
PRESENCES = (Presence.AWAY, Presence.BUSY, Presence.DND, Presence.OFFLINE)


@dataclass
class Manifest:
    """What the benchmarks ask the large site for, and how it was made."""

    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    manager_device: str = ""  # the manager of BENCH_GROUP
    assistant_device: str = ""  # an assistant of BENCH_GROUP (PhoneMenu)
    shared_assistant_device: str = ""  # an assistant of two managers (the OneButton manager list)
    display_device: str = ""  # shows BENCH_GROUP
    group_id: int = BENCH_GROUP
    manager_member_id: int = 0  # the manager of BENCH_GROUP (getVIPNumbers)
    diversion_group_id: int = 0
    write_members: list[int] = field(default_factory=list)  # (mb_id, gr_id) pairs flattened, for the writes
    write_managers: list[int] = field(default_factory=list)  # mb_id of managers, for the VIP writes
    calls_since: str = ""  # `phonesvc calls --since` over the last month
    calls_group: int = BENCH_GROUP


def cache_key() -> str:
    """What the file depends on: this generator and the store's tables and migrations."""
    h = hashlib.sha256()
    for path in (Path(__file__).resolve(), ROOT / "phonesvc/store/schema.py", ROOT / "phonesvc/store/db.py"):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def paths() -> tuple[Path, Path]:
    key = cache_key()
    return CACHE / f"largesite-{key}.db", CACHE / f"largesite-{key}.json"


def load_manifest() -> Manifest:
    return Manifest(**json.loads(paths()[1].read_text()))


def ensure(force: bool = False, quiet: bool = False) -> tuple[Path, Manifest]:
    """The cached large site, generated first if it is missing."""
    db, meta = paths()
    if force or not (db.is_file() and meta.is_file()):
        CACHE.mkdir(exist_ok=True)
        for old in CACHE.glob("largesite-*"):
            old.unlink()
        tmp = db.with_suffix(".tmp")
        t = time.perf_counter()
        manifest = generate(f"sqlite:///{tmp}", quiet)
        manifest.seconds = round(time.perf_counter() - t, 1)
        with sqlite3.connect(tmp) as conn:  # one self-contained file: WAL folded in
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        tmp.rename(db)
        meta.write_text(json.dumps(asdict(manifest), indent=1))
    return db, load_manifest()


def _step(quiet: bool, what: str, t0: float) -> None:
    if not quiet:
        print(f"  {what}: {time.perf_counter() - t0:.1f} s", flush=True)


def generate(url: str, quiet: bool = False) -> Manifest:
    rng = random.Random(SEED)
    store = Store(url)
    store.migrate()
    m = Manifest()
    t0 = time.perf_counter()
    user_ids = _users(store, rng)
    _step(quiet, f"{USERS:,} users with devices", t0)
    group_ids, rosters = _groups(store, rng, user_ids, m)
    _step(quiet, f"{GROUPS:,} groups, {MEMBERS:,} members", t0)
    managers = [roster[0] for roster in rosters]
    _vips(store, rng, managers)
    _step(quiet, f"{VIPS:,} VIP numbers", t0)
    m.diversion_group_id = _diversions(store, rng)
    _step(quiet, f"{DIVERSION_GROUPS} diversion groups", t0)
    _calls(store, rng, group_ids, rosters)
    _step(quiet, f"{CALLS:,} call records", t0)
    store.dispose()
    m.counts = {"users": USERS, "groups": GROUPS, "members": MEMBERS,
                "memberships": sum(len(r) for r in rosters), "vip_numbers": VIPS,
                "diversion_groups": DIVERSION_GROUPS, "calls": CALLS}
    m.calls_since = datetime.fromtimestamp(CALLS_FROM + CALLS_SPAN - 30 * 86400).strftime("%Y-%m-%d")
    return m


def line(i: int) -> str:
    return str(FIRST_LINE + i)


def _users(store: Store, rng: random.Random) -> list[int]:
    ids = []
    with store.write() as conn:
        for i in range(USERS):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            uid = users.add_user(conn, f"{first}.{last}.{i}".replace(" ", "").replace("'", ""), first_name=first,
                                 last_name=last, line_number=line(i), mobile_number=f"+4179{5000000 + i}",
                                 voicemail_number=f"8{line(i)}", department=rng.choice(DEPARTMENTS),
                                 vip_level=rng.choice((0, 0, 0, 1, 2, 3, 4, 5)))
            users.add_device(conn, uid, device_name(line(i)), MODELS[i % len(MODELS)])
            if rng.random() < 0.3:
                members.set_presence(conn, uid, rng.choice(PRESENCES), rng.choice(MESSAGES))
            ids.append(uid)
    return ids


def _sizes(rng: random.Random) -> list[int]:
    """Group sizes from 2 to 24 adding up to MEMBERS; the benchmarks' group has 12."""
    sizes = [MEMBERS // GROUPS] * GROUPS
    for _ in range(3 * GROUPS):
        a, b = rng.randrange(GROUPS), rng.randrange(GROUPS)
        if sizes[a] > 2 and sizes[b] < 24 and BENCH_GROUP - 1 not in (a, b):
            sizes[a] -= 1
            sizes[b] += 1
    spare = 12 - sizes[BENCH_GROUP - 1]  # taken from (or given to) another group, so the total stays
    donor = next(i for i in range(GROUPS) if i != BENCH_GROUP - 1 and 2 <= sizes[i] - spare <= 24)
    sizes[donor] -= spare
    sizes[BENCH_GROUP - 1] = 12
    return sizes


def _groups(store: Store, rng: random.Random, user_ids: list[int], m: Manifest) -> tuple[list[int], list[list]]:
    """Groups of a manager and assistants, each member showing its group; returns the group ids and each
    group's roster of (member id, number, user index)."""
    group_ids, rosters, next_user = [], [], 0
    with store.write() as conn:
        for g, size in enumerate(_sizes(rng)):
            gid = groups.add_group(conn, {
                "name": f"{rng.choice(DEPARTMENTS)} – {rng.choice(LAST)} {g + 1}", "number": str(70000 + g),
                "manager_timeout": rng.choice((10, 15, 20, 30)), "assistant_timeout": rng.choice((8, 10, 15))})
            roster = []
            for k in range(size):
                user = conn.execute(users_table.select().where(users_table.c.id == user_ids[next_user])).first()
                mid = members.add_member(conn, gid, user, user.line_number, None, MANAGER if k == 0 else MEMBER, gid)
                roster.append((mid, user.line_number, next_user))
                next_user += 1
            if rng.random() < 0.1:  # the manager forwards to the group
                members.set_forwarding(conn, roster[0][0], "group")
            group_ids.append(gid)
            rosters.append(roster)
        for g in range(SHARED_EVERY, GROUPS, SHARED_EVERY):  # an assistant of two managers
            mid, number, u = rosters[g][1]
            user = conn.execute(users_table.select().where(users_table.c.id == user_ids[u])).first()
            members.add_member(conn, group_ids[g - 1], user, number, None, MEMBER, None)
            rosters[g - 1].append((mid, number, u))
    bench = rosters[BENCH_GROUP - 1]
    m.manager_device, m.assistant_device = device_name(bench[0][1]), device_name(bench[1][1])
    m.display_device = device_name(bench[2][1])
    m.shared_assistant_device = device_name(rosters[SHARED_EVERY][1][1])
    m.manager_member_id = bench[0][0]
    # the writes spread over 200 groups' assistants
    m.write_members = [x for g in range(0, GROUPS, 5) for x in (rosters[g][1][0], group_ids[g])]
    m.write_managers = [rosters[g][0][0] for g in range(0, GROUPS, 5)]
    return group_ids, rosters


def _vips(store: Store, rng: random.Random, managers: list[tuple]) -> None:
    per = VIPS // len(managers)
    with store.write() as conn:
        for mid, _number, _u in managers:
            numbers: set[str] = set()
            while len(numbers) < per:
                numbers.add(line(rng.randrange(USERS)) if rng.random() < 0.3 else f"+4144{rng.randrange(10**7):07d}")
            for n in sorted(numbers):
                vip.add_vip(conn, mid, n, rng.choice(("", "Kunde & Partner", "Fournisseur « Amatech »",
                                                      "Geschäftsführung")))


def _diversions(store: Store, rng: random.Random) -> int:
    first = 0
    with store.write() as conn:
        for d in range(DIVERSION_GROUPS):
            gid = diversions.add_group(conn, f"Umleitung {rng.choice(LAST)} {d + 1}", rng.choice(MESSAGES),
                                       line(rng.randrange(USERS)), rng.choice(("ON", "OFF")))
            first = first or gid
            for n in sorted({line(rng.randrange(USERS)) for _ in range(rng.randrange(9))}):
                diversions.add_line(conn, gid, n, f"Ligne {n} – Réception")
    return first


def _calls(store: Store, rng: random.Random, group_ids: list[int], rosters: list[list]) -> None:
    """A year of calls in the order they ended, through the server's call-log writer."""
    writer = CallLogWriter(store, interval=1.0, max_batch=20_000)
    step = CALLS_SPAN / CALLS
    names = [f"{f} {la}" for f in FIRST for la in LAST]
    for i in range(CALLS):
        started = CALLS_FROM + i * step
        g = rng.randrange(GROUPS)
        roster = rosters[g]
        answered = rng.random() < 0.75
        call_id, outside = f"{Simulator.ID_PREFIX}{i + 1}", f"+4144{rng.randrange(10**7):07d}"
        if rng.random() < 0.8:
            rung = tuple(r[1] for r in roster[:rng.randint(1, min(3, len(roster)))])
            who = rung[-1] if answered else ""
            where = who or rng.choice(("", "busy", f"voicemail:8{rung[0]}"))
            record = CallRecord(call_id, INBOUND, outside, rng.choice(names), str(70000 + g), group_ids[g],
                                f"group {g + 1}", rung, who, rng.random() < 0.1, started,
                                started + 8 if answered else None, started + rng.uniform(20, 600), where)
        else:
            caller = roster[rng.randrange(len(roster))][1]
            record = CallRecord(call_id, OUTBOUND, caller, "", outside, group_ids[g], f"group {g + 1}", (), "", False,
                                started, started + 5 if answered else None, started + rng.uniform(10, 300), "")
        writer.add(record)
    writer.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--force", action="store_true", help="generate again even if the cached file is current")
    args = ap.parse_args()
    db, manifest = ensure(args.force)
    print(f"{db} ({db.stat().st_size / 2**20:,.0f} MB), generated in {manifest.seconds:.1f} s: {manifest.counts}")


if __name__ == "__main__":
    main()
