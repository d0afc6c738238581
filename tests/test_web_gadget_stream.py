"""The gadget's event stream over real HTTP (a `phonesvc serve --demo` on loopback, the simulator's HTTP API):
what a stream sends when its group changes, what it leaves out, and how it ends. The panel's text is worked
out once per group and change for every stream (web/gadget_panel.py Panels.text)."""

from __future__ import annotations

import json

import httpx2 as httpx

from tests.webkit import ADMIN, client_address, csrf_of, sign_in_http

JABBER = "/Applications/inbound/MAGroup/src/Jabber.asp"
STREAM = "/Applications/inbound/MAGroup/gadget/stream?group=45"  # MA Group
RAFAEL, MARIA_SANTOS = "1175", "1081"  # MA Group; Support Team


def panels(response: httpx.Response):
    """The data of each panel event, as it arrives."""
    event = ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "panel":
            yield json.loads(line[6:])


def calls_of(panel: dict, number: str) -> list[str]:
    return [c["name"] for m in panel["members"] if m["number"] == number for c in m["calls"]]


def test_a_stream_sends_its_groups_changes_only_and_ends_when_signed_out(web):
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}, timeout=10) as browser, \
            httpx.Client(base_url=web.url, timeout=10) as pbx:
        assert sign_in_http(browser, *ADMIN).status_code == 303
        csrf = csrf_of(browser.get(JABBER, params={"group": 45}).text)
        with browser.stream("GET", STREAM) as response:
            stream = panels(response)
            first = next(stream)
            assert first["name"] == "MA Group" and first["now"] > 0
            elsewhere = pbx.post("/sim/call", data={"from": "0800111", "to": MARIA_SANTOS, "name": "Support caller"})
            name = "Léonard & <Vlahović> \"Café\""
            ours = pbx.post("/sim/call", data={"from": "0800222", "to": RAFAEL, "name": name}).json()["call"]
            ringing = next(stream)  # the Support Team's call sent nothing: the next message is this one
            assert name in calls_of(ringing, RAFAEL)
            assert browser.post("/LogoffPage.asp", headers={"X-CSRF-Token": csrf}).status_code in (303, 200)
            pbx.post("/sim/hangup", data={"call": ours})
            assert next(stream) == {"signed_out": True}
            assert next(stream, None) is None  # and the stream ended
        pbx.post("/sim/hangup", data={"call": elsewhere.json()["call"]})
