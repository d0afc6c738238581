"""Answers kept in memory (phonesvc/answers.py): a phone screen or REST read asked again is answered from
memory, yet a phone or an integration never sees an answer older than the configuration or the live state,
and never an answer that was meant for another client."""

from __future__ import annotations

from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import load_settings
from phonesvc.domain.linestate import LineState
from phonesvc.domain.presence import Presence
from phonesvc.store import Store
from phonesvc.store import members as store_members
from phonesvc.store.users import find_user
from tests.conftest import MA_BASE, parse_reply
from tests.phonekit import EXT, MA_SRC, MENU, pbx, phone

__all__ = ["pbx", "phone"]  # fixtures

MEMBERS = f"{MA_BASE}/members/getMembers.asp?gr_id=45"
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=SEP000000001118"


def is_kept(app, client, url: str, headers: dict | None = None) -> bool:
    """Whether the next identical request is answered from memory (what the server would send: the scope of
    a request as the test client makes it)."""
    r = client.get(url, headers=headers or {})
    assert r.status_code == 200
    raw = [(k.lower().encode(), v.encode()) for k, v in r.request.headers.items()]
    scope = {"path": r.request.url.path, "query_string": r.request.url.query, "scheme": "http",
             "client": ("127.0.0.1", 50000), "headers": raw, "method": "GET"}
    return app.state.answers.find(scope) is not None


def members(client) -> dict[str, dict[str, str]]:
    return {m["userName"]: m for m in parse_reply(client.get(MEMBERS)).items("member")}


def test_a_menu_asked_again_comes_from_memory_and_follows_every_call(app, client, pbx, phone):
    p = phone("1068")
    assert "Pickup calls" not in p.open(MENU).items
    assert "Pickup calls" not in p.open(MENU).items
    assert is_kept(app, client, MENU.replace("#DEVICENAME#", "SEP000000001068"),
                   {"x-CiscoIPPhoneModelName": "CP-8865"})
    call = pbx.ring(EXT, "1175")  # a teammate's phone rings: the kept menu is no longer the answer
    assert "Pickup calls" in p.open(MENU).items
    pbx.answer(call, "1175")
    assert "Pickup calls" not in p.open(MENU).items


def test_a_kept_rest_read_follows_writes_and_lines(app, client, rest, demo_data, pbx):
    before = members(client)["Rafael.Hidalgo"]
    assert members(client)["Rafael.Hidalgo"] == before
    assert is_kept(app, client, MEMBERS)
    rest.ok("members/setPresence", usr_Name="Rafael.Hidalgo", presenceState="3", presenceMessage="Lunch & <back>")
    after = members(client)["Rafael.Hidalgo"]
    assert (after["userState"], after["statusMessage"]) == ("3", "Lunch & <back>")
    assert after["lineState"] == str(LineState.IDLE)
    call = pbx.ring(EXT, "1175")
    assert members(client)["Rafael.Hidalgo"]["lineState"] == str(LineState.RINGING)
    pbx.answer(call, "1175")
    assert members(client)["Rafael.Hidalgo"]["lineState"] == str(LineState.BUSY)


def test_each_model_gets_its_own_screen(client, demo_data, pbx):
    asks = {"GraphicFileMenu": {"x-CiscoIPPhoneModelName": "CP-8865"},
            "ImageFile": {"x-CiscoIPPhoneModelName": "CP-7841"},  # no touch areas on a 7800
            "Menu": {"x-CiscoIPPhoneModelName": "CP-8865", "Accept": "x-CiscoIPPhone/Menu, x-CiscoIPPhone/Text"}}
    for _round in range(2):  # the second round is answered from memory: still each its own
        for kind, headers in asks.items():
            assert f"<CiscoIPPhone{kind}>".encode() in client.get(DISPLAY, headers=headers).content


def test_an_answer_for_loopback_is_not_given_to_a_remote_client(tmp_path, store, demo_data):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"),
                                  "PHONESVC_TRUSTED_PROXIES": "127.0.0.1"})
    with TestClient(create_app(settings, store), client=("127.0.0.1", 1)) as via_proxy:
        assert via_proxy.get(MEMBERS).status_code == 200  # the proxy's own request: loopback, no credentials
        assert via_proxy.get(MEMBERS).status_code == 200
        assert via_proxy.get(MEMBERS, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
        with TestClient(via_proxy.app, client=("203.0.113.9", 1)) as remote:  # the same request, from afar
            assert remote.get(MEMBERS).status_code == 401


def test_the_phone_visit_is_still_noted_and_a_new_address_stored(app, client, demo_data, store):
    headers = {"x-CiscoIPPhoneModelName": "CP-8865"}
    with TestClient(app, client=("10.1.1.5", 1)) as at_desk:
        assert at_desk.get(DISPLAY, headers=headers).status_code == 200
        first = app.state.registry.last_seen("SEP000000001118").when
        assert at_desk.get(DISPLAY, headers=headers).status_code == 200
        assert app.state.registry.last_seen("SEP000000001118").when >= first
    with TestClient(app, client=("10.1.1.6", 1)) as moved:  # the phone got a new address: pushes go there
        assert moved.get(DISPLAY, headers=headers).status_code == 200
    assert store.snapshot().devices["SEP000000001118"].address == "10.1.1.6"


def test_a_change_by_another_process_reaches_a_kept_read(app, client, demo_data, settings):
    app.state.store.max_age = 0  # the configuration is checked on every request (5 s by default)
    assert members(client)["Rafael.Hidalgo"]["userState"] == members(client)["Rafael.Hidalgo"]["userState"]
    other = Store(settings.effective_database_url)  # the `phonesvc users` CLI: another process, the same database
    try:
        with other.write() as conn:
            store_members.set_presence(conn, find_user(conn, "Rafael.Hidalgo").id, Presence.DND, "Away from the CLI")
    finally:
        other.dispose()
    after = members(client)["Rafael.Hidalgo"]
    assert (after["userState"], after["statusMessage"]) == ("4", "Away from the CLI")
