"""Robustness of every REST function in the registry against bad input.

For every function of phonesvc.rest.registry.REGISTRY and every one of its parameters, starting from a
valid request on the demo data, the parameter is dropped, emptied, or replaced by a non-number, a negative
number, a huge number, 10,000 characters, control characters, invalid UTF-8, or sent twice with different
values; an unknown parameter is added. Whatever is sent:

- the HTTP status is never a server error,
- the body is a well-formed <Callisto> envelope naming the function,
- the status word is one of the manual's words (never ERROR),
- a request that is not answered OK changed nothing in the database (nor in the audio folders).

A request that is answered OK (e.g. an optional parameter left out) may change data; the database is then
put back, so that every case starts from the same demo data.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from lxml import etree
from starlette.testclient import TestClient

import phonesvc.rest  # noqa: F401  registers every function
from phonesvc.app import create_app, prepare
from phonesvc.config import load_settings
from phonesvc.rest.registry import DIV, REGISTRY, Func
from phonesvc.store import demo
from phonesvc.store.schema import metadata
from tests.conftest import DIV_BASE, MA_BASE, parse_reply

WORDS = {"OK", "PARAMETER_MISSING", "INVALID_GROUP_ID", "INVALID_MEMBER_ID", "INVALID_USERNAME",
         "INVALID_ANNOUNCEMENT_ID", "INVALID_PARAMETERS", "INVALID_STATE", "ALREADY_EXISTS",
         "MANAGER_ALREADY_EXISTS", "FOLDER_MISSING", "NOT_FOUND"}

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# A valid request of each function on the demo data (groups 45 and 64, members 1-10 with Tijana Vlahović
# (1) the manager of group 45 and maria.santos (7) ... Frederique.Voclain (10) in group 64, announcements
# 1-3, VIP numbers 1-7, diversion groups 1-6, diversion lines 1-7).
BASELINE: dict[str, dict[str, str]] = {
    "announcements/addAnnouncement": {"gr_id": "45", "an_wave": "busy.wav", "an_priority": "1"},
    "announcements/deleteAnnouncement": {"an_id": "2"},
    "announcements/editAnnouncement": {"an_id": "1", "an_wave": "music_synth.wav"},
    "announcements/getAnnouncements": {"gr_id": "45"},
    "announcements/reorderAnnouncements": {"an_id": "2", "move": "up"},
    "files/getMP3s": {},
    "files/getWAVs": {},
    "files/uploadMP3": {},
    "files/uploadWAV": {},
    "groups/addGroup": {"gr_name": "Robust Group", "gr_number": "8999", "gr_managerTimeout": "20",
                        "gr_assistantTimeout": "10", "gr_welcome": "Welcome.wav"},
    "groups/editGroup": {"gr_id": "64", "gr_name": "Support Team", "gr_number": "8974"},
    "groups/deleteGroup": {"gr_id": "64"},
    "groups/getGroups": {"gr_name": "MA", "gr_id": "45"},
    "members/addMember": {"gr_id": "64", "usr_Name": "Tamara.Farrow", "mb_number": "1022", "gm_shortName": "Tam",
                          "gm_type": "0", "displayedGroup": "64"},
    "members/deleteMember": {"mb_id": "7", "usr_Name": "maria.santos", "gr_id": "64"},
    "members/editMember": {"mb_id": "7", "usr_Name": "maria.santos", "gr_id": "64", "mb_number": "1081",
                           "gm_shortName": "Mari", "displayedGroup": "64"},
    "members/getMembers": {"mb_id": "1", "usr_Name": "Tijana.Vlahovic", "gm_type": "1", "firstName": "Tij",
                           "lastName": "Vla", "mb_number": "1047", "gm_shortName": "Tij", "gr_id": "45"},
    "members/orderByUserList": {"gr_id": "64",
                                "usr_list": "romeo.girard,chiyo.fujimoto,maria.santos,Frederique.Voclain"},
    "members/reorderMembers": {"mb_id": "8", "usr_Name": "chiyo.fujimoto", "gr_id": "64", "move": "up"},
    "members/setPresence": {"mb_id": "5", "usr_Name": "San.Zhang", "presenceState": "1",
                            "presenceMessage": "Back"},
    "services/getIntegrationURLs": {"login": "manual"},
    "services/getPhoneServiceURLs": {"service": "MainMenu"},
    "vip/addVIPNumber": {"vn_number": "1099", "vn_description": "New VIP", "mb_id": "1"},
    "vip/editVIPNumber": {"vn_id": "2", "vn_number": "1132", "vn_description": "Project leader"},
    "vip/deleteVIPNumber": {"vn_id": "1"},
    "vip/getVIPNumbers": {"mb_id": "1", "vn_number": "1076"},
    "div/listGroups": {"groupId": "1", "groupName": "Front desk"},
    "div/addGroup": {"groupName": "Robust", "description": "d", "destination": "1234", "state": "ON"},
    "div/editGroup": {"groupId": "2", "groupName": "1st level", "description": "d", "destination": "9223"},
    "div/deleteGroup": {"groupId": "6"},
    "div/setGroupState": {"groupId": "3", "state": "ON"},
    "div/addLine": {"groupId": "6", "lineNumber": "1002", "description": "HR"},
    "div/editLine": {"lineId": "1", "lineNumber": "1045", "description": "Main"},
    "div/deleteLine": {"lineId": "4"},
}

# name -> value that replaces the parameter (None: the parameter is left out)
VALUES: dict[str, str | None] = {
    "missing": None,
    "empty": "",
    "blank": "   ",
    "non-numeric": "abc",
    "negative": "-5",
    "zero": "0",
    "huge": "9" * 40,
    "long-digits": "1" * 10_000,
    "long-text": "ü" * 10_000,
    "control": "a\x01b",
    "nul": "12\x00",
    "markup": "<x>&amp;\"'",
    "non-character": "1\ufffe",
    "emoji": "🎧",
}


def key(func: Func) -> str:
    return f"div/{func.name}" if func.app == DIV else f"{func.area}/{func.name}"


def url(func: Func) -> str:
    return f"{DIV_BASE}/{func.name}.asp" if func.app == DIV else f"{MA_BASE}/{func.area}/{func.name}.asp"


FUNCS = sorted(REGISTRY.values(), key=key)


DATA = [t for t in metadata.sorted_tables if t.name not in ("config_version", "config_changes")]  # they count writes


def dump(store, settings) -> dict:
    """Every row of every table, and every file under the audio folders with its digest."""
    with store.read() as conn:
        tables = {t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr) for t in DATA}
    audio = settings.data_dir / "audio"
    files = sorted((str(p.relative_to(audio)), hashlib.sha256(p.read_bytes()).hexdigest())
                   for p in audio.rglob("*") if p.is_file())
    return {"tables": tables, "files": files}


def restore(store, snapshot: dict) -> None:
    with store.write() as conn:
        for t in reversed(DATA):
            conn.execute(t.delete())
        for t in DATA:
            rows = snapshot["tables"][t.name]
            if rows:
                conn.execute(t.insert(), [dict(zip(t.c.keys(), r, strict=True)) for r in rows])


class Checker:
    """Sends one request and checks the answer and the database."""

    def __init__(self, client, store, settings, func: Func):
        self.client, self.store, self.settings, self.func = client, store, settings, func
        self.snapshot = dump(store, settings)
        self.audio = settings.data_dir / "audio"
        self.files = {p: p.read_bytes() for p in self.audio.rglob("*") if p.is_file()}
        self.count = 0
        self.problems: list[str] = []

    def send(self, method: str, query: str = "", body: bytes | None = None, headers: dict | None = None,
             files=None, label: str = ""):
        target = url(self.func) + (f"?{query}" if query else "")
        if method == "GET":
            http = self.client.get(target, headers=headers)
        elif files is not None:
            http = self.client.post(target, files=files, headers=headers)
        else:
            http = self.client.post(target, content=body or b"", headers={**FORM, **(headers or {})})
        self.count += 1
        return self.check(http, label or f"{method} ?{query[:80]} {str(body)[:80]}")

    def check(self, http, label: str):
        """Records every problem (so that one run reports them all) and returns the parsed reply."""
        where = f"{key(self.func)} [{label}]"
        problems = []
        reply = None
        if http.status_code >= 500:
            problems.append(f"{where}: HTTP {http.status_code}")
        try:
            reply = parse_reply(http)  # content type, XML prolog, <Callisto><Request/><Response/>
        except (AssertionError, etree.XMLSyntaxError) as exc:
            problems.append(f"{where}: not a well-formed <Callisto> envelope ({exc}): {http.content[:160]!r}")
        if reply is not None:
            status = reply.status
            tags = [c.tag for c in reply.response]
            if reply.request != self.func.name:
                problems.append(f"{where}: <Request>{reply.request}</Request>")
            if status is not None and status not in WORDS:
                problems.append(f"{where}: status {status!r}")
            if self.func.id_shaped and tags != ["id", "status"]:
                problems.append(f"{where}: <Response> holds {tags or repr(status)}, not <id/><status/>")
            if not self.func.id_shaped and status is not None and tags:
                problems.append(f"{where}: status {status} with child elements {tags}")
        after = dump(self.store, self.settings)
        if after != self.snapshot:
            if reply is None or reply.status != "OK":
                problems.append(f"{where}: answered {reply and reply.status!r} but changed the data")
            self.reset()
        self.problems += problems
        return reply

    def reset(self) -> None:
        """Back to this checker's snapshot, whatever happened since."""
        if dump(self.store, self.settings) != self.snapshot:
            restore(self.store, self.snapshot)
            self.restore_files()
        assert dump(self.store, self.settings) == self.snapshot

    def restore_files(self) -> None:
        for p in self.audio.rglob("*"):
            if p.is_file() and p not in self.files:
                p.unlink()
        for p, data in self.files.items():
            p.write_bytes(data)

    def finish(self) -> None:
        assert self.count > 0
        shown = "\n".join(self.problems[:40])
        more = f"\n... and {len(self.problems) - 40} more" if len(self.problems) > 40 else ""
        assert not self.problems, f"{len(self.problems)} problem(s):\n{shown}{more}"


def encode(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, encoding="utf-8")


def methods_of(func: Func) -> list[str]:
    return [m for m in ("POST", "GET") if m in func.methods]


def send_pairs(checker: Checker, method: str, pairs: list[tuple[str, str]], raw: str = "", label: str = ""):
    """pairs sent in the query string (GET) or form body (POST), with an optional raw, unencoded tail."""
    text = "&".join(s for s in (encode(pairs), raw) if s)
    if method == "GET":
        return checker.send("GET", query=text, label=label)
    return checker.send("POST", body=text.encode("ascii"), label=label)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One app on the demo data for the whole module: every check puts the data back after a change."""
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path_factory.mktemp("bad_input") / "data")})
    store = prepare(settings)
    with store.write() as conn:
        demo.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})
    with TestClient(create_app(settings, store), client=("127.0.0.1", 50000)) as client:
        yield client, store, settings, Checker(client, store, settings, FUNCS[0])
    store.dispose()


@pytest.fixture
def demo_client(shared):
    """The shared client, on the pristine demo data."""
    client, _store, _settings, pristine = shared
    pristine.reset()
    return client


@pytest.fixture
def store(shared):
    return shared[1]


@pytest.fixture
def settings(shared):
    return shared[2]


def test_every_registered_function_has_a_valid_baseline():
    assert sorted(BASELINE) == sorted(key(f) for f in FUNCS)
    for func in FUNCS:
        unknown = set(BASELINE[key(func)]) - set(func.params)
        assert not unknown, (key(func), unknown)


@pytest.mark.parametrize("func", FUNCS, ids=key)
def test_bad_values_of_every_parameter(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    base = BASELINE[key(func)]
    for method in methods_of(func):
        # the baseline is a valid request (so the cases below get past the checks of the other parameters)
        reply = send_pairs(checker, method, list(base.items()), label="baseline")
        if "upload" not in func.params and reply is not None and reply.status not in ("OK", None):
            checker.problems.append(f"{key(func)} {method}: the valid baseline {base} is answered {reply.status}")
        for param in func.params:
            others = [(k, v) for k, v in base.items() if k != param]
            for name, value in VALUES.items():
                pairs = others if value is None else [*others, (param, value)]
                send_pairs(checker, method, pairs, label=f"{param}={name}")
            # invalid UTF-8 percent-escapes
            for raw in (f"{param}=%ff", f"{param}=%C3%28", f"{param}=ab%e2%82", f"{param}=%ed%a0%80", f"{param}=%"):
                send_pairs(checker, method, others, raw=raw, label=raw)
            # the same parameter twice with different values, and with its name in another case
            first = base.get(param, "1")
            send_pairs(checker, method, [*others, (param, first), (param, first + "0")], label=f"{param} twice")
            send_pairs(checker, method, [*others, (param, "abc"), (param.upper(), "-5")], label=f"{param} TWICE")
    checker.finish()


@pytest.mark.parametrize("func", FUNCS, ids=key)
def test_unknown_and_malformed_parameter_names(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    base = list(BASELINE[key(func)].items())
    sent_id = BASELINE[key(func)].get(func.id_param or "")
    for method in methods_of(func):
        reply = send_pairs(checker, method, [*base, ("noSuchParameter", "1")], label="unknown parameter")
        if sent_id and reply is not None and reply.id != sent_id:  # the refusal still says which record
            checker.problems.append(f"{key(func)} {method} unknown parameter: <id> {reply.id!r}, not {sent_id!r}")
        for junk in ("4<5>&\"'", "45\n<id>9</id>"):
            reply = send_pairs(checker, method, [(func.id_param or "id", junk), ("noSuchParameter", "1")],
                               label="unknown parameter with a junk id")
            if func.id_param and reply is not None and reply.id is not None:
                checker.problems.append(f"{key(func)} {method}: junk id echoed as {reply.id!r}")
        send_pairs(checker, method, [("noSuchParameter", "1")], label="only an unknown parameter")
        send_pairs(checker, method, [*base, ("gr_id\x01", "45")], label="control character in a name")
        for raw in ("%ff=1", "=5", "&&&", "a=1=2", "%00=%00", ";", "x" * 10_000 + "=1"):
            send_pairs(checker, method, base, raw=raw, label=f"raw {raw[:20]}")
        send_pairs(checker, method, [], label="nothing at all")
    checker.finish()


@pytest.mark.parametrize("func", [f for f in FUNCS if "POST" in f.methods], ids=key)
def test_query_string_and_body_are_both_checked(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    base = BASELINE[key(func)]
    for param in func.params:
        others = encode([(k, v) for k, v in base.items() if k != param]).encode()
        # a bad value in the query string of a POST whose body is valid
        checker.send("POST", query=f"{param}=%ff", body=others, label=f"query {param}=%ff")
        checker.send("POST", query=encode([(param, "a\x01")]), body=others, label=f"query {param}=control")
        # the same parameter in the query string and the body, with different values
        body = encode([(k, v) for k, v in base.items() if k != param] + [(param, "abc")]).encode()
        checker.send("POST", query=encode([(param, "-5")]), body=body, label=f"query+body {param}")
    # invalid UTF-8 in the body as a whole
    checker.send("POST", body=b"\xff\xfe=\xff", label="binary body")
    checker.finish()


@pytest.mark.parametrize("func", [f for f in FUNCS if "POST" in f.methods], ids=key)
def test_body_over_one_mib_is_refused(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    param = func.params[0] if func.params else "x"
    big = f"{param}=".encode() + b"1" * (1024 * 1024 + 16)
    big_reply = checker.send("POST", body=big, label="1 MiB form body")

    def chunks():  # no Content-Length: the limit holds for a streamed body too
        yield f"{param}=".encode()
        for _ in range(17):
            yield b"2" * 65536

    chunked_reply = checker.check(demo_client.post(url(func), content=chunks(), headers=FORM), "chunked 1 MiB body")
    checker.finish()
    for reply in (big_reply, chunked_reply):
        assert reply.http.status_code == 413
        assert reply.status == "INVALID_PARAMETERS"


def test_body_just_under_one_mib_is_read(demo_client, store, settings):
    func = REGISTRY[("div", "", "addgroup")]
    checker = Checker(demo_client, store, settings, func)
    body = encode([("groupName", "Big"), ("destination", "1234"), ("description", "d" * 1_000_000)]).encode()
    assert len(body) < 1024 * 1024
    reply = checker.send("POST", body=body, label="almost 1 MiB")
    checker.finish()
    assert reply.http.status_code == 200
    assert reply.status == "INVALID_PARAMETERS"  # the description is far too long, but it was read


@pytest.mark.parametrize("func", [f for f in FUNCS if "POST" in f.methods], ids=key)
def test_multipart_bodies(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    base = BASELINE[key(func)]
    # a valid multipart form with the baseline fields, then with a huge text field
    checker.send("POST", files={k: (None, v) for k, v in base.items()} or {"x": (None, "1")}, label="multipart")
    param = func.params[0] if func.params else "x"
    checker.send("POST", files={param: (None, "1" * (1024 * 1024 + 16))}, label="multipart field over 1 MiB")
    # a file where no file belongs
    checker.send("POST", files={param: ("a.txt", b"hello", "text/plain")}, label="unexpected file")
    # a broken multipart body
    checker.send("POST", body=b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x",
                 headers={"Content-Type": "multipart/form-data; boundary=xyz"}, label="truncated multipart")
    checker.send("POST", body=b"garbage", headers={"Content-Type": "multipart/form-data"},
                 label="multipart without boundary")
    checker.finish()


def raw_multipart(filename: bytes, content: bytes) -> tuple[bytes, dict]:
    boundary = b"phonesvc-test-boundary"
    body = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="upload"; filename="' + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n--" + boundary + b"--\r\n")
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32


@pytest.mark.parametrize("kind, data", [("WAV", WAV), ("MP3", MP3)])
def test_bad_uploads_write_no_file(demo_client, store, settings, kind, data):
    func = REGISTRY[("ma", "files", f"upload{kind}".casefold())]
    checker = Checker(demo_client, store, settings, func)
    suffix = f".{kind.lower()}"
    bad = [
        ("", data), (f"../escape{suffix}", data), (f"sub/dir{suffix}", data), (f"..\\win{suffix}", data),
        (f"a\x01b{suffix}", data), ("x" * 10_000 + suffix, data), (f".hidden{suffix}", data),
        (f"plain{suffix}", b"not audio at all"), (f"empty{suffix}", b""), ("noextension", data),
        (f"wrong{'.mp3' if kind == 'WAV' else '.wav'}", data), (f"nul\x00{suffix}", data), (f"tab\t{suffix}", data),
        (f"C:{suffix}", data), (f"star*{suffix}", data), (f" lead{suffix}", data),
    ]
    for name, content in bad:
        # built by hand: an HTTP client would percent-encode control characters in the file name
        body, headers = raw_multipart(name.encode(), content)
        reply = checker.send("POST", body=body, headers=headers, label=f"upload {name[:30]!r}")
        if reply is not None and reply.status == "OK":
            checker.problems.append(f"upload of {name[:40]!r} ({len(content)} bytes) was accepted")
    # several files, one bad: none is written
    reply = checker.send("POST", files=[("upload", (f"good{suffix}", data)), ("upload", (f"../bad{suffix}", data))],
                         label="one good file and one bad")
    if reply is not None and reply.status == "OK":
        checker.problems.append("a batch with a bad file name was accepted")
    checker.finish()
    # a good one is written (so the checks above could have seen a file appear)
    reply = parse_reply(demo_client.post(url(func), files={"upload": (f"good{suffix}", data)}))
    assert reply.status == "OK"
    assert (settings.audio_dir(settings.ma_instance, "PCM" if kind == "WAV" else "mp3") / f"good{suffix}").is_file()


def test_upload_over_the_configured_limit_is_refused(tmp_path):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "d"), "PHONESVC_MAX_UPLOAD_BYTES": "50000"})
    store = prepare(settings)
    try:
        with store.write() as conn:
            demo.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})
        with TestClient(create_app(settings, store), client=("127.0.0.1", 50000)) as client:
            func = REGISTRY[("ma", "files", "uploadwav")]
            checker = Checker(client, store, settings, func)
            reply = checker.send("POST", files={"upload": ("big.wav", WAV + b"\x00" * 60_000)}, label="big upload")
            checker.finish()
            assert reply.http.status_code == 413
            assert reply.status == "INVALID_PARAMETERS"
            assert not (settings.audio_dir(settings.ma_instance, "PCM") / "big.wav").exists()
    finally:
        store.dispose()


@pytest.mark.parametrize("func", FUNCS, ids=key)
def test_refused_methods_change_nothing(demo_client, store, settings, func):
    checker = Checker(demo_client, store, settings, func)
    query = encode(list(BASELINE[key(func)].items()))
    for method in ("PUT", "DELETE", "PATCH", "GET", "POST"):
        if method in func.methods:
            continue
        http = demo_client.request(method, f"{url(func)}?{query}", content=query.encode(), headers=FORM)
        assert http.status_code == 405, (key(func), method)
        assert set(http.headers["allow"].replace(" ", "").split(",")) >= set(func.methods)
        assert method not in http.headers["allow"]
        assert parse_reply(http).request == func.name
        assert dump(store, settings) == checker.snapshot, (key(func), method)
    checker.reset()


# Every character no name, description, message, number or id may hold (domain/text.py), the line breaks
# first: C0 (line feed, carriage return, tab, NUL, escape), DEL, C1 (NEL, CSI) and the Unicode line and
# paragraph separators. Appended to a valid value, where stripping would hide it, and once inside one.
CONTROLS = ["\n", "\r\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]


@pytest.mark.parametrize("func", [f for f in FUNCS if f.params], ids=key)
def test_control_characters_are_refused_in_every_parameter(demo_client, store, settings, func):
    """A group name with a line break broke the status display's title: every value of every function
    (names, descriptions, messages, numbers, ids) with a control character is INVALID_PARAMETERS and
    changes nothing (Checker)."""
    checker = Checker(demo_client, store, settings, func)
    base = BASELINE[key(func)]
    method = methods_of(func)[0]
    for param in func.params:
        others = [(k, v) for k, v in base.items() if k != param]
        value = base.get(param, "1")
        cases = [(repr(c), value + c) for c in CONTROLS] + [("inside", value[:1] + "\n" + value[1:])]
        for label, bad in cases:
            reply = send_pairs(checker, method, [*others, (param, bad)], label=f"{param} {label}")
            if reply is not None and reply.status != "INVALID_PARAMETERS":
                checker.problems.append(f"{key(func)} {param} with {label}: answered {reply.status}")
    checker.finish()
