"""The simulator's loopback JSON endpoints, and `phonesvc sim ...` against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import free_port

EXT = "0800123456"


@pytest.fixture
def sim(demo_data, app):
    """A loopback client on the demo data (loaded before the app starts, so its lines are registered)."""
    with TestClient(app, client=("127.0.0.1", 1)) as c:
        yield c


def state(sim) -> dict[str, dict]:
    r = sim.get("/sim/state")
    assert r.status_code == 200
    return {line["number"]: line for line in r.json()["lines"]}


def legs(sim, line: str) -> list[str]:
    return [f"{c['call_id']} {c['direction']} {c['state']} {c['remote_number']}" for c in state(sim)[line]["calls"]]


def post(sim, path: str, status: int = 200, **params):
    r = sim.post(f"/sim/{path}", json=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def test_every_directory_and_member_number_is_a_line(sim):
    lines = state(sim)
    assert {"1047", "1175", "1068", "1118", "9223", "1053"} <= set(lines)
    assert lines["1047"] == {"number": "1047", "in_service": True, "dnd": False, "forwarding": None, "calls": []}
    assert EXT not in lines


def test_outside_call_is_answered_held_retrieved_and_hung_up(sim):
    assert post(sim, "call", **{"from": EXT, "to": "1047", "name": "Support desk"}) == {"call": "c1"}
    call = state(sim)["1047"]["calls"][0]
    assert (call["direction"], call["state"], call["remote_number"], call["remote_name"], call["external"]) == (
        "incoming", "ringing", EXT, "Support desk", True)
    post(sim, "answer", call="c1")  # without a line: where it rings
    assert legs(sim, "1047") == ["c1 incoming active 0800123456"]
    post(sim, "hold", call="c1", line="1047")
    assert legs(sim, "1047") == ["c1 incoming held 0800123456"]
    post(sim, "retrieve", call="c1", line="1047")
    assert legs(sim, "1047") == ["c1 incoming active 0800123456"]
    post(sim, "hangup", call="c1", line=EXT)  # the outside caller hangs up
    assert legs(sim, "1047") == []


def test_internal_call_by_form_and_calls_out(sim):
    r = sim.post("/sim/call", data={"from": "1047", "to": "1175"})
    assert r.status_code == 200 and r.json() == {"call": "c1"}
    assert legs(sim, "1047") == ["c1 outgoing ringing 1175"]
    assert legs(sim, "1175") == ["c1 incoming ringing 1047"]
    assert state(sim)["1175"]["calls"][0]["external"] is False
    post(sim, "answer", call="c1", line="1175")
    post(sim, "hangup", call="c1", line="1047")
    assert legs(sim, "1047") == legs(sim, "1175") == []

    post(sim, "call", **{"from": "1068", "to": EXT})
    assert legs(sim, "1068") == ["c2 outgoing ringing 0800123456"]
    post(sim, "answer", call="c2")  # the outside party answers
    assert legs(sim, "1068") == ["c2 outgoing active 0800123456"]
    post(sim, "hangup", call="c2")  # without a line: the whole call
    assert legs(sim, "1068") == []


def test_dnd_and_service(sim):
    assert post(sim, "dnd", line="1047", on=True) == {"line": "1047", "dnd": True}
    assert state(sim)["1047"]["dnd"] is True
    post(sim, "call", **{"from": "1175", "to": "1047"})  # busy: ends at once
    assert legs(sim, "1047") == legs(sim, "1175") == []
    r = sim.post("/sim/dnd", data={"line": "1047", "on": "off"})
    assert r.status_code == 200 and state(sim)["1047"]["dnd"] is False

    post(sim, "call", **{"from": EXT, "to": "1047"})
    assert post(sim, "service", line="1047", in_service="false") == {"line": "1047", "in_service": False}
    assert state(sim)["1047"]["in_service"] is False and legs(sim, "1047") == []
    assert post(sim, "call", 409, **{"from": EXT, "to": "1047"}) == {"error": "line 1047 is out of service"}


@pytest.mark.parametrize("path, params, status, message", [
    ("call", {"to": "1047"}, 400, "parameter 'from' is missing"),
    ("call", {"from": EXT}, 400, "parameter 'to' is missing"),
    ("call", {"from": "abc", "to": "1047"}, 400, "parameter 'from' is not a phone number"),
    ("call", {"from": EXT, "to": ["1047"]}, 400, "parameter 'to' must be text"),
    ("call", {"from": EXT, "to": "4711"}, 409, "4711 is not a line of this PBX"),
    ("call", {"from": "1047", "to": "1047"}, 409, "line 1047 cannot call itself"),
    ("answer", {}, 400, "parameter 'call' is missing"),
    ("answer", {"call": "c99"}, 409, "there is no call c99"),
    ("answer", {"call": "c99", "line": "1047"}, 409, "there is no call c99"),
    ("hangup", {"call": "c99", "line": EXT}, 409, "there is no call c99"),
    ("hold", {"call": "c99"}, 400, "parameter 'line' is missing"),
    ("hold", {"call": "c99", "line": "1047"}, 409, "there is no call c99"),
    ("retrieve", {"call": "c99", "line": "4711"}, 409, "4711 is not a line of this PBX"),
    ("dnd", {"line": "1047"}, 400, "parameter 'on' is missing"),
    ("dnd", {"line": "1047", "on": "maybe"}, 400, "must be true or false"),
    ("service", {"line": "4711", "in_service": True}, 409, "4711 is not a line of this PBX"),
])
def test_bad_input_gets_a_json_error(sim, path, params, status, message):
    body = post(sim, path, status, **params)
    assert message in body["error"]


def test_refused_operation_on_a_real_call_is_409(sim):
    post(sim, "call", **{"from": EXT, "to": "1047"})
    assert post(sim, "hold", 409, call="c1", line="1047") == {
        "error": "call c1 on line 1047 is ringing, only an active call can be held"}
    assert post(sim, "hangup", 409, call="c1", line="0799999999") == {"error": "call c1 is not with 0799999999"}
    assert legs(sim, "1047") == ["c1 incoming ringing 0800123456"]


@pytest.mark.parametrize("body, ctype", [
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"null", "application/json"),
    (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    (b"", ""),
    (b"from=%FF&to=1047", "application/x-www-form-urlencoded"),
])
@pytest.mark.parametrize("path", ["call", "answer", "hangup", "hold", "retrieve", "dnd", "service"])
def test_garbage_never_gets_a_500(client, path, body, ctype):
    r = client.post(f"/sim/{path}", content=body, headers={"content-type": ctype} if ctype else {})
    assert r.status_code in (400, 409), (r.status_code, r.text)
    assert r.json()["error"]


def test_wrong_method_is_not_a_500(sim):
    assert sim.get("/sim/call").status_code == 405
    assert sim.post("/sim/state").status_code == 405


@pytest.mark.parametrize("host, headers, allowed", [
    ("127.0.0.1", {}, True),
    ("::1", {}, True),
    ("192.0.2.7", {}, False),
    ("10.1.2.3", {}, False),
    ("127.0.0.1", {"x-forwarded-for": "192.0.2.7"}, False),  # a local proxy forwarding someone else
    ("127.0.0.1", {"x-forwarded-for": "127.0.0.1"}, True),
])
def test_only_loopback_may_drive_the_simulator(demo_data, app, host, headers, allowed):
    with TestClient(app, client=(host, 1)) as c:
        for method, path, params in (("GET", "/sim/state", None), ("POST", "/sim/call", {"from": EXT, "to": "1047"}),
                                     ("POST", "/sim/dnd", {"line": "1047", "on": True})):
            r = c.request(method, path, json=params, headers=headers)
            if allowed:
                assert r.status_code == 200, r.text
            else:
                assert r.status_code == 403
                assert r.json() == {"error": "the simulator can only be driven from this machine (loopback)"}
        if not allowed:
            assert app.state.telephony.line("1047").calls == () and not app.state.telephony.line("1047").dnd


# ---- the CLI against a real server -----------------------------------------------------------------
def sim_cli(port: int, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PHONESVC_PORT": str(port)}
    env.pop("PHONESVC_HOST", None)
    proc = subprocess.run([sys.executable, "-m", "phonesvc", "sim", *args], env=env, capture_output=True, text=True,
                          timeout=60)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def cli_state(port: int) -> dict[str, dict]:
    return {line["number"]: line for line in json.loads(sim_cli(port, "state", "--json").stdout)["lines"]}


def server_state(port: int) -> dict[str, dict]:
    """The state straight from the server (quicker than starting the CLI for every check)."""
    r = httpx.get(f"http://127.0.0.1:{port}/sim/state", timeout=10)
    return {line["number"]: line for line in r.json()["lines"]}


def test_cli_drives_a_running_server(server_factory):
    port = server_factory("--demo").port
    assert sim_cli(port, "call", EXT, "1047", "--name", "Support desk").stdout.strip() == "c1"
    call = cli_state(port)["1047"]["calls"][0]
    assert (call["call_id"], call["direction"], call["state"], call["remote_number"], call["external"]) == (
        "c1", "incoming", "ringing", EXT, True)

    table = sim_cli(port, "state").stdout
    row = next(line for line in table.splitlines() if "c1" in line)
    assert all(word in row for word in ("incoming", "ringing", "from", EXT, "Support desk", "(external)")), row
    assert any(line.split() == ["1175", "idle"] for line in table.splitlines()), table

    assert sim_cli(port, "answer", "c1").stdout.strip() == "answered c1"
    sim_cli(port, "hold", "c1", "1047")
    assert server_state(port)["1047"]["calls"][0]["state"] == "held"
    sim_cli(port, "retrieve", "c1", "1047")
    assert server_state(port)["1047"]["calls"][0]["state"] == "active"

    failed = sim_cli(port, "retrieve", "c1", "1047", ok=False)
    assert failed.returncode == 2 and failed.stderr.strip() == "phonesvc: call c1 is not on hold on line 1047"

    assert sim_cli(port, "call", "1047", "1175").stdout.strip() == "c2"  # holds c1 first, like a desk phone
    assert [c["state"] for c in server_state(port)["1047"]["calls"]] == ["held", "ringing"]
    sim_cli(port, "hangup", "c2", "1047")
    sim_cli(port, "hangup", "c1")
    lines = cli_state(port)
    assert lines["1047"]["calls"] == [] and lines["1175"]["calls"] == []

    sim_cli(port, "dnd", "1047", "on")
    assert "DND" in next(line for line in sim_cli(port, "state").stdout.splitlines() if line.startswith("1047"))


def test_cli_without_a_server_says_how_to_start_one_and_how_to_point_elsewhere():
    port = free_port()
    proc = sim_cli(port, "state", ok=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"phonesvc: no server on http://127.0.0.1:{port}: start it with phonesvc serve, "
                                   "or point to it with --url http://HOST:PORT, PHONESVC_HOST and PHONESVC_PORT, "
                                   "or the host and port of --config FILE")


def test_cli_reaches_a_server_on_another_port_by_url_or_by_the_servers_settings(server_factory, tmp_path):
    port = server_factory("--demo").port
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHONESVC_")}

    def run(*args: str, **settings: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "phonesvc", *args], env={**env, **settings},
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)

    for url in (f"http://127.0.0.1:{port}", f"http://localhost:{port}/"):
        proc = run("sim", "--url", url, "state")
        assert proc.returncode == 0, proc.stderr
        assert any(line.split() == ["1047", "idle"] for line in proc.stdout.splitlines())
    # the server's own settings: a config file that makes the server listen on every address
    config = tmp_path / "phonesvc.toml"
    config.write_text(f'host = "0.0.0.0"\nport = {port}\n', encoding="utf-8")
    assert run("--config", str(config), "sim", "call", EXT, "1047").stdout.strip() == "c1"
    assert run("sim", "hangup", "c1", PHONESVC_HOST="0.0.0.0", PHONESVC_PORT=str(port)).returncode == 0
    assert server_state(port)["1047"]["calls"] == []

    bad = run("sim", "--url", f"127.0.0.1:{port}", "state")
    assert bad.returncode == 2
    assert bad.stderr.strip() == f"phonesvc: --url '127.0.0.1:{port}' is not a server address: give http://HOST:PORT"


def test_sim_state_into_a_closed_pipe_ends_quietly(server_factory):
    """`phonesvc sim state | head -1`: the reader has gone before phonesvc writes; no BrokenPipeError traceback."""
    port = server_factory("--demo").port
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        env = {**os.environ, "PHONESVC_PORT": str(port), "PHONESVC_HOST": "127.0.0.1"}
        proc = subprocess.run([sys.executable, "-m", "phonesvc", "sim", "state"], env=env, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception" not in proc.stderr
