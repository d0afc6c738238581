"""Live state: every change reaches the one event bus, and line states follow the PBX."""

from __future__ import annotations

from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.domain.linestate import LineState
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.telephony import CallEnded, LineChanged
from tests.conftest import Rest


def test_rest_writes_and_pbx_changes_reach_the_bus(settings, store, demo_data):
    app = create_app(settings, store)
    seen = []
    app.state.bus.subscribe(seen.append)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        rest = Rest(client)
        rest.ok("members/setPresence", usr_Name="Rafael.Hidalgo", presenceState=1)
        assert any(isinstance(e, ConfigurationChanged) for e in seen)
        seen.clear()
        client.post("/sim/call", json={"from": "0800123456", "to": "1047"})
        assert [e.line.number for e in seen if isinstance(e, LineChanged)] == ["1047"]
        live = app.state.live
        assert live.line_state("1047") == LineState.RINGING
        assert rest("members/getMembers", usr_Name="Tijana.Vlahovic").items("member")[0]["lineState"] == "2"
        call = live.line("1047").calls[0].call_id
        client.post("/sim/answer", json={"call": call, "line": "1047"})
        assert live.line_state("1047") == LineState.BUSY
        client.post("/sim/hangup", json={"call": call})
        assert any(isinstance(e, CallEnded) and e.line == "1047" for e in seen)
        assert live.line_state("1047") == LineState.IDLE
        # Emilia forwards to Rafael: restored on the line at start
        assert live.line_state("1033") == LineState.FORWARDING
        client.post("/sim/service", json={"line": "1068", "in_service": False})
        assert live.line_state("1068") == LineState.OUT_OF_SERVICE
        assert live.line_state("9999") == LineState.OUT_OF_SERVICE  # not a line of this PBX


def test_device_registry_records_what_each_phone_says(settings, store, demo_data):
    """Model, display and address of the last request are kept, survive a restart (the store), and an
    unknown model falls back to its display header."""
    import sqlalchemy as sa

    from phonesvc.phonemodels import find
    from phonesvc.store.schema import devices

    app = create_app(settings, store)
    url = "/Applications/inbound/MAGroup/src/PhoneMenu.asp?device=sep000000001047"
    with TestClient(app, client=("10.20.30.40", 5060)) as phone:
        r = phone.get(url, headers={"x-CiscoIPPhoneModelName": "CP-7975G", "x-CiscoIPPhoneDisplay": "298,168,16,C"})
        assert r.status_code == 200 and b"CiscoIPPhoneMenu" in r.content
    device, user = app.state.registry.device("SEP000000001047")
    assert user.user_name == "Tijana.Vlahovic"
    assert app.state.registry.lines(user.id) == ["1047"]
    with store.read() as conn:
        row = conn.execute(sa.select(devices).where(devices.c.name == "SEP000000001047")).one()
    assert (row.model, row.display, row.address) == ("CP-7975G", "298,168,16,C", "10.20.30.40")
    assert row.last_seen > 0
    unknown = find("CP-9999", "320,200,24,C")
    assert (unknown.width, unknown.height, unknown.family) == (320, 200, "88xx")
    assert find("CP-7965G").softkeys.screen.index("Exit") == 2 and find("CP-8865").softkeys.screen[0] == "Exit"
