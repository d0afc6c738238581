"""`phonesvc sim ...`: drive the simulator of a running server over its loopback HTTP endpoints."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from phonesvc.config import Settings

_TIMEOUT = 10


def add_parser(subparsers) -> None:
    sim = subparsers.add_parser("sim", help="drive the PBX simulator of the running server")
    sim.add_argument("--url", help="the server, e.g. http://127.0.0.1:8081 (default: PHONESVC_HOST and "
                                   "PHONESVC_PORT or the config file, as for phonesvc serve)")
    acts = sim.add_subparsers(dest="sim_action", required=True)
    call = acts.add_parser("call", help="call TO from FROM (a line, or an outside number calling a line or "
                                       "a route point)")
    call.add_argument("from_number", metavar="FROM")
    call.add_argument("to_number", metavar="TO")
    call.add_argument("--name", default="", help="caller name of an outside caller")
    for verb, text in (("answer", "answer a ringing call (without LINE: wherever it rings)"),
                       ("hangup", "hang up (without LINE: release the whole call)")):
        p = acts.add_parser(verb, help=text)
        p.add_argument("call", metavar="CALL")
        p.add_argument("line", metavar="LINE", nargs="?", default="")
    for verb in ("hold", "retrieve"):
        p = acts.add_parser(verb, help=f"{verb} a call on a line")
        p.add_argument("call", metavar="CALL")
        p.add_argument("line", metavar="LINE")
    dnd = acts.add_parser("dnd", help="switch a line's do not disturb on or off")
    dnd.add_argument("line", metavar="LINE")
    dnd.add_argument("on", choices=("on", "off"))
    service = acts.add_parser("service", help="put a line's phone in or out of service")
    service.add_argument("line", metavar="LINE")
    service.add_argument("in_service", choices=("in", "out"))
    state = acts.add_parser("state", help="every line with its calls, and the calls waiting at route points")
    state.add_argument("--json", action="store_true", help="the raw JSON state")


WHERE = ("point to it with --url http://HOST:PORT, PHONESVC_HOST and PHONESVC_PORT, or the host and port of "
         "--config FILE")


class _Failed(Exception):
    pass


def base_url(settings: Settings, url: str | None = None) -> str:
    """The server to drive: --url, else where `phonesvc serve` with the same settings listens (a server on
    every address, 0.0.0.0 or ::, is reached on loopback: the simulator answers loopback clients only)."""
    if url is not None:
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Failed(f"--url {url!r} is not a server address: give http://HOST:PORT")
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def _request(base: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
    try:
        with opener.open(req, timeout=_TIMEOUT) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error") or exc.reason
        except (ValueError, AttributeError):
            message = f"HTTP {exc.code} {exc.reason}"
        raise _Failed(str(message)) from None
    except (urllib.error.URLError, OSError):
        raise _Failed(f"no server on {base}: start it with phonesvc serve, or {WHERE}") from None
    except ValueError:
        raise _Failed(f"the server on {base} did not answer with JSON") from None


def run(settings: Settings, args) -> int:
    a = args.sim_action
    try:
        base = base_url(settings, args.url)
        if a == "call":
            result = _request(base, "/sim/call", {"from": args.from_number, "to": args.to_number,
                                                  "name": args.name})
            print(result["call"])
        elif a in ("answer", "hangup", "hold", "retrieve"):
            _request(base, f"/sim/{a}", {"call": args.call, "line": args.line})
            done = {"answer": "answered", "hangup": "hung up", "hold": "held", "retrieve": "retrieved"}[a]
            print(f"{done} {args.call}" + (f" on {args.line}" if args.line else ""))
        elif a == "dnd":
            _request(base, "/sim/dnd", {"line": args.line, "on": args.on == "on"})
            print(f"do not disturb {args.on} on {args.line}")
        elif a == "service":
            _request(base, "/sim/service", {"line": args.line, "in_service": args.in_service == "in"})
            print(f"line {args.line} {'in' if args.in_service == 'in' else 'out of'} service")
        elif a == "state":
            state = _request(base, "/sim/state")
            print(json.dumps(state, ensure_ascii=False, indent=2) if args.json else format_state(state))
        else:
            raise AssertionError(a)
    except _Failed as exc:
        print(f"phonesvc: {exc}", file=sys.stderr)
        return 2
    return 0


def format_state(state: dict) -> str:
    """A readable table: each line, then its calls indented under it."""
    out = []
    for line in state.get("lines", []):
        notes = [] if line["in_service"] else ["OUT OF SERVICE"]
        if line["dnd"]:
            notes.append("DND")
        fwd = line.get("forwarding")
        if fwd:
            notes.append(f"forwarded to {'voicemail ' if fwd['voicemail'] else ''}{fwd['number']}")
        status = ", ".join(notes) or ("idle" if not line["calls"] else "")
        out.append(f"{line['number']:<10} {status}".rstrip())
        for c in line["calls"]:
            remote = c["remote_number"] + (f" {c['remote_name']}" if c["remote_name"] else "")
            extra = " (external)" if c["external"] else ""
            if c["original_called"]:
                extra += f", dialled {c['original_called']}"
            since = time.strftime("%H:%M:%S", time.localtime(c["started"]))
            out.append(f"  {c['call_id']:<6} {c['direction']:<8} {c['state']:<7}"
                       f" {'from' if c['direction'] == 'incoming' else 'to':<4} {remote}{extra}  since {since}")
    for w in state.get("waiting", []):
        caller = w["caller_number"] + (f" {w['caller_name']}" if w["caller_name"] else "")
        out.append(f"route point {w['route_point']}: {w['call_id']} waiting, from {caller}"
                   + ("" if w["caller_line"] else " (external)"))
        for line, o in w["offers"].items():
            shown = " ".join(filter(None, (o["name"], o["number"])))
            out.append(f"  rings {line}" + (f" at {o['at']}" if o["at"] != line else "") + f", showing {shown}")
        if playing := w["playing"]:
            out.append(f"  playing {', '.join(playing['files'])}" + (" (repeat)" if playing["repeat"] else ""))
    return "\n".join(out) if out else "no lines"
