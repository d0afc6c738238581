"""The web admin's guards over plain HTTP (no browser needed): CSRF on every state-changing request,
login CSRF, cookie flags behind an HTTPS proxy, the refused auto-login URL, static files; and, on the app
with its real SQLite file, that a session follows the directory: a revoked privilege, a deleted user,
a new password and idleness end what it may do at once."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from phonesvc.domain.privileges import MAGROUP
from phonesvc.store.users import add_user, delete_user, find_user, set_password, set_privileges
from phonesvc.web.pages import ASSETS, CACHE, static_url
from tests.webkit import ADMIN, client_address, csrf_of, sign_in_http

SETTINGS_TAB = "/Applications/inbound/MAGroup/settings"


@pytest.fixture
def admin(web):
    """An httpx client signed in as the demo admin, from its own client address."""
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, *ADMIN).status_code == 303
        yield client


def test_sign_out_without_or_with_a_wrong_csrf_token_is_refused_and_the_session_lives_on(admin):
    token = csrf_of(admin.get(SETTINGS_TAB).text)
    for data, headers in (({}, {}), ({"csrf": "forged"}, {}), ({}, {"X-CSRF-Token": token[:-1] + "x"})):
        refused = admin.post("/LogoffPage.asp", data=data, headers=headers)
        assert refused.status_code == 403
        assert "did not come from phonesvc" in refused.text
        assert admin.get(SETTINGS_TAB).status_code == 200  # still signed in: nothing changed
    # htmx sends the token as a header (hx-headers on <body>)
    assert admin.post("/LogoffPage.asp", headers={"X-CSRF-Token": token}).status_code == 303
    assert admin.get(SETTINGS_TAB).headers["location"].startswith("/LogonPage.asp")


def test_every_tab_refuses_a_post_without_the_csrf_token(admin):
    for path in (SETTINGS_TAB, "/Applications/inbound/PhoneDiversions/state", "/admin/users"):
        assert admin.post(path, data={"anything": "1"}).status_code == 403


def test_a_sign_in_post_without_the_forms_token_is_refused(web):
    """Login CSRF: another site's form cannot sign a browser in under the other site's account."""
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        answer = client.post("/LogonPage.asp", data={"user": ADMIN[0], "password": ADMIN[1], "csrf": "x"})
        assert answer.status_code == 403
        assert "phonesvc_session" not in client.cookies


def cookie_flags(answer: httpx.Response, name: str) -> set[str]:
    header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{name}="))
    return {p.strip().casefold() for p in header.split(";")[1:]}


def test_cookies_are_secure_when_a_trusted_proxy_says_https(web):
    https = {"X-Forwarded-For": client_address(), "X-Forwarded-Proto": "https"}
    form = httpx.get(f"{web.url}/LogonPage.asp", headers=https)
    assert {"httponly", "secure", "samesite=lax"} <= cookie_flags(form, "phonesvc_signin")
    # httpx keeps a Secure cookie away from plain HTTP, as a browser would: hand it over explicitly
    cookie = {"Cookie": f"phonesvc_signin={form.cookies['phonesvc_signin']}"}
    answer = httpx.post(f"{web.url}/LogonPage.asp", headers=https | cookie,
                        data={"user": ADMIN[0], "password": ADMIN[1], "csrf": csrf_of(form.text)})
    assert answer.status_code == 303 and "phonesvc_session" in answer.cookies
    assert {"httponly", "secure", "samesite=lax"} <= cookie_flags(answer, "phonesvc_session")


def test_a_wrong_password_in_the_auto_login_address_is_refused_and_not_echoed(web):
    answer = httpx.get(f"{web.url}/LogonPage.asp", params={"page": SETTINGS_TAB, "user": "nobody", "pwd": "secret7"},
                       headers={"X-Forwarded-For": client_address()})
    assert answer.status_code == 400
    assert "The user name or password is wrong" in answer.text
    assert "secret7" not in answer.text and "phonesvc_session" not in answer.cookies


def test_vendored_files_are_served_with_a_long_cache_and_no_cdn(web):
    page = httpx.get(f"{web.url}/LogonPage.asp").text
    linked = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert [u for u in linked if u.startswith("/static/")] == [static_url(ASSETS["css"]), static_url(ASSETS["htmx"])]
    assert not [u for u in linked if "//" in u]  # nothing from another server
    for name in ASSETS.values():
        answer = httpx.get(f"{web.url}{static_url(name)}")
        assert answer.status_code == 200 and answer.headers["cache-control"] == CACHE, name
    assert "Sortable 1.15.7" in httpx.get(f"{web.url}/static/{ASSETS['sortable']}").text


# The app on its real SQLite file (conftest's `app`): a write here is seen by the next request at once.

@pytest.fixture
def browser_client(app, store, demo_data):
    with store.write() as conn:
        add_user(conn, "Léonard.Saligny2", password="pw-1", first_name="Léonard", privileges_=[(MAGROUP, "Settings")])
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://testserver") as client:
        assert sign_in_http(client, "Léonard.Saligny2", "pw-1").status_code == 303
        assert client.get(SETTINGS_TAB).status_code == 200
        yield client


def test_a_revoked_privilege_counts_at_once(browser_client, store):
    with store.write() as conn:
        set_privileges(conn, find_user(conn, "Léonard.Saligny2").id, [(MAGROUP, "Settings")], grant=False)
    assert browser_client.get(SETTINGS_TAB).status_code == 403


def test_a_deleted_user_is_signed_out_at_once(browser_client, store):
    with store.write() as conn:
        delete_user(conn, "Léonard.Saligny2")
    assert browser_client.get(SETTINGS_TAB, follow_redirects=False).status_code == 303


def test_a_new_password_ends_the_sessions_of_the_old_one(browser_client, store):
    with store.write() as conn:
        set_password(conn, "Léonard.Saligny2", "pw-2")
    assert browser_client.get(SETTINGS_TAB, follow_redirects=False).status_code == 303
    assert sign_in_http(browser_client, "Léonard.Saligny2", "pw-2").status_code == 303


def test_an_idle_session_expires(browser_client, app):
    sessions = app.state.sessions
    now = [1000.0]
    sessions.clock = lambda: now[0]
    browser_client.get(SETTINGS_TAB)  # used at 1000
    now[0] += sessions.idle - 1
    assert browser_client.get(SETTINGS_TAB).status_code == 200  # still within the idle time, and used again
    now[0] += sessions.idle + 1
    assert browser_client.get(SETTINGS_TAB, follow_redirects=False).status_code == 303
    assert len(sessions) == 0
