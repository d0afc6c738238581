"""The `phonesvc` command: serve, manage the user directory, and read the call log."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import getpass
import json
import logging
import os
import sys
from datetime import datetime, timedelta

import sqlalchemy as sa

from phonesvc.config import ConfigError, Settings, load_settings
from phonesvc.domain.calls import CallRecord
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import UnknownPrivilege
from phonesvc.logsafe import SafeArgs
from phonesvc.store import calllog
from phonesvc.store import users as users_store
from phonesvc.store.db import MissingDatabase, Store, shown_url
from phonesvc.store.userimport import import_users, parse_privileges
from phonesvc.table import table
from phonesvc.telephony import TelephonyError, sim_cli

log = logging.getLogger("phonesvc")

def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="phonesvc", description=__doc__)
    ap.add_argument("--config", help="TOML settings file (also PHONESVC_CONFIG)")
    sub = ap.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="create the database (PHONESVC_DATA_DIR or PHONESVC_DATABASE_URL) if it is missing")
    serve = sub.add_parser("serve", help="run the server (creates the database if it is missing)")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty database")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--access-log", action="store_true", default=None,
                       help="log one line per request (also PHONESVC_ACCESS_LOG=true)")

    users = sub.add_parser("users", help="manage the user directory").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add a user")
    add.add_argument("user_name")
    for name in ("first", "last", "line", "mobile", "voicemail", "department"):
        add.add_argument(f"--{name}", default="")
    add.add_argument("--vip", type=int, default=0, help="VIP star level 0-5")
    add.add_argument("--device", action="append", default=[], help="phone device name (repeatable)")
    add.add_argument("--privilege", action="append", default=[], help="privilege, e.g. Admin or PhoneDiversions:State")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    lst = users.add_parser("list", help="list users")
    lst.add_argument("--json", action="store_true", help="every user with privileges, numbers and devices as JSON")
    imp = users.add_parser("import", help="add or update users from a CSV file")
    imp.add_argument("file")
    pw = users.add_parser("set-password", help="set a user's password")
    pw.add_argument("user_name")
    pw.add_argument("--password-stdin", action="store_true")
    for verb in ("grant", "revoke"):
        g = users.add_parser(verb, help=f"{verb} privileges")
        g.add_argument("user_name")
        g.add_argument("privileges", nargs="+", metavar="PRIVILEGE",
                       help="Settings, Groups, TeammateStatus, VIPList, Reports, Reports4Eyes, Admin, "
                            "MembersManagement, PhoneDiversions:State|Groups|CallHandler|Reports, "
                            "RESTAuthentication, UserAdministration")
    rm = users.add_parser("delete", help="delete a user (their members leave every group)")
    rm.add_argument("user_name")
    calls = sub.add_parser("calls", help="the call log: calls handled by the groups and members' outbound calls")
    calls.add_argument("--since", metavar="YYYY-MM-DD[THH:MM]", help="calls that started at or after (local time)")
    calls.add_argument("--until", metavar="YYYY-MM-DD[THH:MM]",
                       help="calls that started before (local time; a date alone includes that whole day)")
    calls.add_argument("--group", type=int, metavar="ID", help="calls of one group")
    calls.add_argument("--number", metavar="N", help="calls from, to, rung at or answered by a number")
    calls.add_argument("--limit", type=int, default=100, metavar="N", help="newest N calls (default 100, 0: all)")
    calls.add_argument("--json", action="store_true", help="every field of every call as JSON")
    shot = sub.add_parser("preview-shot", help="a phone screen as the phone preview draws it, as PNG (Chromium)")
    shot.add_argument("--device", required=True, help="device name, e.g. SEP001122334455 (its user is signed in)")
    shot.add_argument("--model", default="CP-8865", help="model, as the phone names it (default CP-8865)")
    shot.add_argument("--url", help="phone service URL of this server (default: the main menu)")
    shot.add_argument("--out", required=True, help="PNG file to write")
    sim_cli.add_parser(sub)
    pbx = sub.add_parser("pbx", help="the configured PBX (O2G)").add_subparsers(dest="pbx_action", required=True)
    pbx.add_parser("check", help="log in to O2G and say what it has: version, services, users, route points")
    pbx.add_parser("import", help="add or update directory users from O2G's users (all or nothing)")
    return ap


NO_DATABASE = ("phonesvc: no phonesvc database at {url}. Point this command at the server's database with "
               "PHONESVC_DATA_DIR, --config FILE or PHONESVC_DATABASE_URL (phonesvc serve logs the database it "
               "uses), or create a new one with phonesvc init.")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        # `phonesvc ... | head`: the reader has gone, so stop quietly. Point stdout at /dev/null so that
        # Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _dispatch(args) -> int:
    try:
        settings = load_settings(args.config, host=getattr(args, "host", None), port=getattr(args, "port", None),
                                 access_log=getattr(args, "access_log", None))
        if args.command == "serve":
            return serve(settings, args.demo)
        if args.command == "init":
            return init_command(settings)
        if args.command == "sim":
            return sim_cli.run(settings, args)
        if args.command == "calls":
            return calls_command(settings, args)
        if args.command == "preview-shot":
            from phonesvc import preview_shot

            return preview_shot.run(settings, open_store(settings), args)
        if args.command == "pbx":
            return pbx_command(settings, args)
        return users_command(settings, args)
    except (ConfigError, Rejected, UnknownPrivilege) as exc:
        print(f"phonesvc: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    except MissingDatabase as exc:
        print(NO_DATABASE.format(url=exc), file=sys.stderr)
        return 2
    except sa.exc.OperationalError as exc:  # a database server that cannot be reached, a file not readable
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        print(f"phonesvc: cannot open the database {shown_url(settings.effective_database_url)}: {reason}",
              file=sys.stderr)
        return 2


def open_store(settings: Settings, create: bool = False) -> Store:
    """The database a command works on, named on stderr so that nobody edits the wrong one; only `serve`
    and `init` create a missing one."""
    from phonesvc.store.prepare import prepare

    print(f"phonesvc: database {shown_url(settings.effective_database_url)}", file=sys.stderr)
    return prepare(settings, create=create)


def pbx_command(settings: Settings, args) -> int:
    from phonesvc.routing.seats import route_points
    from phonesvc.telephony import o2g_admin

    if settings.pbx != "o2g":
        print("phonesvc: the PBX is the embedded simulator (set PHONESVC_PBX=o2g and the PHONESVC_O2G_* settings)",
              file=sys.stderr)
        return 2
    store = open_store(settings)
    try:
        if args.pbx_action == "check":
            snap = store.snapshot()
            numbers = {u.line_number for u in snap.users.values() if u.line_number}
            numbers |= {m.number for m in snap.members.values() if m.number}
            lines = o2g_admin.run_check(settings, numbers, set(route_points(snap)))
        else:
            lines = o2g_admin.run_import(settings, store) or ["the directory matches O2G: nothing changed"]
    except TelephonyError as exc:
        print(f"phonesvc: {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print("\n".join(lines))
    return 0


def init_command(settings: Settings) -> int:
    from phonesvc.store.db import database_exists

    existed = database_exists(settings.effective_database_url)
    open_store(settings, create=True).dispose()
    print("the database exists already: nothing to do" if existed else "database created")
    return 0


def serve(settings: Settings, demo: bool) -> int:
    import uvicorn

    from phonesvc.app import create_app
    from phonesvc.store import demo as demo_data

    store = open_store(settings, create=True)
    if demo:
        with store.write() as conn:
            if demo_data.is_empty(conn):
                demo_data.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})
                log.info("demo data loaded; REST user %r, password %r", *demo_data.DEMO_ADMIN)
            else:
                log.info("database is not empty: demo data not loaded")
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)  # its access log lines carry the client's URL:
    log_config["filters"] = {"client_values": {"()": SafeArgs, "limit": 512}}  # one line each, phone URLs whole
    log_config["loggers"]["uvicorn.access"]["filters"] = ["client_values"]
    uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port, proxy_headers=False,
                log_level="info", log_config=log_config, access_log=settings.access_log,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, **server_stack())
    return 0


GRACEFUL_SHUTDOWN = 5  # seconds a stopping server waits for answers; an open gadget stream never ends by itself


def server_stack() -> dict[str, str]:
    """uvloop and httptools, the fast event loop and HTTP parser (they double what one core answers); where a
    platform has no build of one (uvloop on Windows), uvicorn's pure-Python choice, said in the log."""
    import importlib

    stack = {}
    for option, fast, fallback in (("loop", "uvloop", "asyncio"), ("http", "httptools", "h11")):
        try:
            importlib.import_module(fast)
            stack[option] = fast
        except ImportError:
            log.warning("%s is not installed on this platform: serving with %s, which answers fewer requests",
                        fast, fallback)
            stack[option] = fallback
    return stack


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise Rejected("INVALID_PARAMETERS", "the passwords differ")
    return first


def _users_table(rows: list[dict]) -> list[str]:
    return table(("user", "name", "line", "devices", "privileges"), [
        (u["user_name"], f"{u['first_name']} {u['last_name']}".strip() or "-", u["line_number"] or "-",
         " ".join(d["name"] for d in u["devices"]) or "-",
         " ".join(f"{a}:{p}" for a, ps in u["privileges"].items() for p in ps) or "-") for u in rows])


def users_command(settings: Settings, args) -> int:
    store = open_store(settings)
    if args.action == "list":
        with store.read() as conn:
            rows = users_store.list_users(conn)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            print("\n".join(_users_table(rows)) if rows else "no users")
        return 0
    if args.action == "add":
        password = _read_password(True) if args.password_stdin else None
        with store.write() as conn:
            users_store.add_user(conn, args.user_name, password=password, devices_=args.device,
                                 privileges_=parse_privileges(args.privilege), first_name=args.first,
                                 last_name=args.last, line_number=args.line, mobile_number=args.mobile,
                                 voicemail_number=args.voicemail, department=args.department, vip_level=args.vip)
        print(f"added {args.user_name}")
        return 0
    if args.action == "import":
        with store.write() as conn:
            added, updated = import_csv(conn, args.file)
        print(f"imported {args.file}: {added} added, {updated} updated")
        return 0
    if args.action == "set-password":
        password = _read_password(args.password_stdin)
        with store.write() as conn:
            users_store.set_password(conn, args.user_name, password)
        print(f"password of {args.user_name} set")
        return 0
    if args.action in ("grant", "revoke"):
        privs = parse_privileges(args.privileges)
        with store.write() as conn:
            user = users_store.require_user(conn, args.user_name)
            users_store.set_privileges(conn, user.id, privs, grant=args.action == "grant")
        done, to = ("granted", "to") if args.action == "grant" else ("revoked", "from")
        print(f"{done} {', '.join(f'{a}:{p}' for a, p in privs)} {to} {user.user_name}")
        return 0
    if args.action == "delete":
        with store.write() as conn:
            users_store.delete_user(conn, args.user_name)
        print(f"deleted {args.user_name}")
        return 0
    raise AssertionError(args.action)


def parse_local_time(text: str, option: str, end_of_day: bool = False) -> float:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM in local time, as epoch seconds. With `end_of_day`, a date alone means the
    next midnight, so that `--until 2024-05-01` includes that day."""
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            at = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d" and end_of_day:
            at += timedelta(days=1)
        return at.timestamp()
    raise Rejected("INVALID_PARAMETERS", f"{option} {text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM")


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _call_json(c: CallRecord) -> dict:
    return {**dataclasses.asdict(c), "members_rung": list(c.members_rung), "duration": c.duration,
            "outcome": c.outcome}


def _calls_table(records: list[CallRecord]) -> list[str]:
    head = ("started", "dir", "caller", "called", "group", "rung", "answered by", "outcome", "duration", "VIP")
    rows = []
    for c in records:
        caller = f"{c.caller_name} <{c.caller_number}>" if c.caller_name else c.caller_number
        group = f"{c.group_name} ({c.group_id})" if c.group_id is not None else c.group_name
        rows.append((datetime.fromtimestamp(c.started).strftime("%Y-%m-%d %H:%M:%S"),
                     "in" if c.direction == "inbound" else "out" if c.direction == "outbound" else c.direction,
                     caller or "-", c.called_number or "-", group or "-", ",".join(c.members_rung) or "-",
                     c.answered_by or "-", c.outcome, _duration(c.duration), "*" if c.vip else ""))
    return table(head, rows)


def calls_command(settings: Settings, args) -> int:
    since = parse_local_time(args.since, "--since") if args.since else None
    until = parse_local_time(args.until, "--until", end_of_day=True) if args.until else None
    if args.limit < 0:
        raise Rejected("INVALID_PARAMETERS", f"--limit {args.limit}: give a number of calls, or 0 for all")
    store = open_store(settings)
    try:
        with store.read() as conn:
            records = calllog.list_calls(conn, since=since, until=until, group_id=args.group, number=args.number,
                                         limit=args.limit or None)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps([_call_json(c) for c in records], ensure_ascii=False, indent=2))
    elif records:
        print("\n".join(_calls_table(records)))
    else:
        print("no calls")
    return 0


def import_csv(conn, path: str) -> tuple[int, int]:
    """Add or update every row of the file, all or nothing (store/userimport.py: the web's import too)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    except OSError as exc:
        raise Rejected("INVALID_PARAMETERS", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise Rejected("INVALID_PARAMETERS", f"{path} is not UTF-8 text") from None
    return import_users(conn, text, path)
