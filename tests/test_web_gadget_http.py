"""The gadget over plain HTTP, on the app with its real SQLite file: phones still get their XML at
Jabber.asp, browsers sign in (form or auto-login URL), who sees which group, and every action refused
without the privilege, without the CSRF token or with bad input, with nothing changed."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from phonesvc.store.users import add_user, set_password
from tests.webkit import csrf_of, sign_in_http

JABBER = "/Applications/inbound/MAGroup/src/Jabber.asp"
GADGET = "/Applications/inbound/MAGroup/gadget"
MA, SUPPORT = 45, 64  # demo groups


@pytest.fixture
def signed_in(demo_clients):
    """signed_in(user) -> a TestClient signed in as that demo user (password 'pw-1'; admin: 'admin')."""

    def sign_in(user: str):
        client = demo_clients(user)
        client.headers["X-CSRF-Token"] = csrf_of(client.get(JABBER).text)
        return client
    return sign_in


def user_of(store, name: str):
    return next(u for u in store.snapshot().users.values() if u.user_name == name)


def test_a_phone_asking_for_jabber_asp_still_gets_phone_xml(app, demo_data):
    client = TestClient(app, client=("127.0.0.1", 50999))
    for headers, params in (({"x-CiscoIPPhoneModelName": "CP-8865"}, {}), ({}, {"device": "SEP000000001047"}),
                            ({"User-Agent": "Allegro-Software-WebClient/4.34"}, {})):
        answer = client.get(JABBER, headers=headers, params=params, follow_redirects=False)
        assert answer.headers["content-type"].startswith("text/xml"), headers
        assert "<CiscoIPPhoneText>" in answer.text and "<html" not in answer.text


def test_a_browser_without_a_session_signs_in_and_comes_back(app, store, demo_data):
    client = TestClient(app, client=("127.0.0.1", 50998))
    answer = client.get(JABBER, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/LogonPage.asp?page={JABBER}"
    with store.write() as conn:
        set_password(conn, "Rafael.Hidalgo", "pw-1")
    wrong = client.get("/LogonPage.asp", params={"page": JABBER, "user": "Rafael.Hidalgo", "pwd": "pw-2"})
    assert wrong.status_code == 400 and "phonesvc_session" not in wrong.cookies and "pw-2" not in wrong.text
    right = client.get("/LogonPage.asp", params={"page": JABBER, "user": "Rafael.Hidalgo", "pwd": "pw-1"},
                       follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == JABBER
    page = client.get(JABBER)
    assert page.status_code == 200 and 'data-stream="/Applications/inbound/MAGroup/gadget/stream?group=45"' in page.text


def test_the_auto_login_url_goes_only_to_pages_of_this_server(app, store, demo_data):
    client = TestClient(app, client=("127.0.0.1", 50997))
    with store.write() as conn:
        set_password(conn, "Rafael.Hidalgo", "pw-1")
    answer = client.get("/LogonPage.asp", params={"page": "//evil.example/", "user": "Rafael.Hidalgo", "pwd": "pw-1"},
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_user_in_no_group_sees_why(app, store, demo_data):
    with store.write() as conn:
        add_user(conn, "Léo&<Vlahović>", password="pw-1", first_name="Léonard")
    client = TestClient(app, client=("127.0.0.1", 50996))
    assert sign_in_http(client, "Léo&<Vlahović>", "pw-1").status_code == 303
    page = client.get(JABBER)
    assert page.status_code == 200
    assert "You are not a member of any group" in page.text and "data-stream" not in page.text


def test_admin_chooses_any_group_and_a_member_only_their_own(signed_in):
    admin = signed_in("admin").get(JABBER, params={"group": SUPPORT}).text
    assert f'<option value="{SUPPORT}" selected>Support Team</option>' in admin and "MA Group</option>" in admin
    rafael = signed_in("Rafael.Hidalgo").get(JABBER, params={"group": SUPPORT}).text
    assert "Support Team" not in rafael and f"stream?group={MA}" in rafael  # his first group instead


def test_presence_refusals_change_nothing(signed_in, store):
    aradhana = signed_in("Aradhana.Jaggi")  # a member without TeammateStatus
    tijana, own = user_of(store, "Tijana.Vlahovic"), user_of(store, "Aradhana.Jaggi")
    other = aradhana.post(f"{GADGET}/presence", data={"user": tijana.id, "presence": "4"})
    assert other.status_code == 403 and "TeammateStatus" in other.text
    unavailable = aradhana.post(f"{GADGET}/presence", data={"presence": "6"})
    assert unavailable.status_code == 400 and unavailable.json()["field"] == "presence"
    control = aradhana.post(f"{GADGET}/presence", data={"presence": "1", "message": "back\x07soon"})
    assert control.status_code == 400 and control.json()["field"] == "message"
    no_token = aradhana.post(f"{GADGET}/presence", data={"presence": "1"}, headers={"X-CSRF-Token": ""})
    assert no_token.status_code == 403
    snap = store.snapshot()
    assert (snap.users[tijana.id].presence, snap.users[own.id].presence) == (tijana.presence, own.presence)

    ok = aradhana.post(f"{GADGET}/presence", data={"presence": "1", "message": "Léonard & <Vlahović> \"Café\""})
    assert ok.status_code == 200
    assert (store.snapshot().users[own.id].presence, store.snapshot().users[own.id].presence_message) == (
        1, "Léonard & <Vlahović> \"Café\"")


def test_teammate_status_changes_a_team_member_but_not_a_stranger(signed_in, store):
    rafael = signed_in("Rafael.Hidalgo")  # TeammateStatus, member of MA Group only
    san, maria = user_of(store, "San.Zhang"), user_of(store, "maria.santos")  # MA Group; Support Team
    assert rafael.post(f"{GADGET}/presence", data={"user": san.id, "presence": "4"}).status_code == 200
    assert store.snapshot().users[san.id].presence == 4
    assert rafael.post(f"{GADGET}/presence", data={"user": maria.id, "presence": "4"}).status_code == 403
    assert store.snapshot().users[maria.id].presence == maria.presence


def test_calls_are_refused_outside_your_groups(signed_in, store):
    rafael = signed_in("Rafael.Hidalgo")
    snap = store.snapshot()
    stranger = snap.group_members[SUPPORT][0].member_id
    assert rafael.post(f"{GADGET}/dial", data={"member": stranger}).status_code == 403
    gone = rafael.post(f"{GADGET}/pickup", data={"call": "c999"})
    assert gone.status_code == 409 and "no longer ringing" in gone.json()["message"]
    assert rafael.get(f"{GADGET}/dial").status_code == 405
    assert rafael.post(f"{GADGET}/nothing").status_code == 404
