"""Authorisation as the REST manual says: loopback freely, others with Basic credentials of a user
holding REST Authentication; proxy headers only from configured proxies."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import load_settings
from phonesvc.domain.privileges import PLATFORM
from phonesvc.domain.throttle import Throttle
from phonesvc.store import users
from tests.conftest import MA_BASE, parse_reply

URL = f"{MA_BASE}/groups/getGroups.asp"


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def accounts(store):
    with store.write() as conn:
        users.add_user(conn, "rest.user", password="s3cret", privileges_=[(PLATFORM, "RESTAuthentication")])
        users.add_user(conn, "Jörg.Ümlaut", password="pässwörd", privileges_=[(PLATFORM, "RESTAuthentication")])
        users.add_user(conn, "plain.user", password="s3cret")


def remote(app, host="203.0.113.7"):
    return TestClient(app, client=(host, 40000))


def test_loopback_needs_no_credentials(client):
    assert client.get(URL).status_code == 200
    assert TestClient(client.app, client=("::1", 1)).get(URL).status_code == 200


def test_remote_without_credentials_gets_401_with_challenge(app, accounts):
    r = remote(app).get(URL)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic realm=")
    assert parse_reply(r).status == "NOT_AUTHORIZED"


def test_remote_with_rest_authentication_privilege_is_served(app, accounts):
    r = remote(app).get(URL, headers=basic("rest.user", "s3cret"))
    assert r.status_code == 200 and parse_reply(r).request == "getGroups"
    # user names match case-insensitively, UTF-8 credentials work
    assert remote(app).get(URL, headers=basic("REST.USER", "s3cret")).status_code == 200
    assert remote(app).get(URL, headers=basic("jörg.ümlaut", "pässwörd")).status_code == 200


@pytest.mark.parametrize("headers", [
    basic("rest.user", "wrong"),
    basic("plain.user", "s3cret"),  # no REST Authentication privilege
    basic("nobody", "s3cret"),
    {"Authorization": "Basic !!!notbase64"},
    {"Authorization": "Bearer abc"},
    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
])
def test_bad_credentials_are_refused(app, accounts, headers):
    assert remote(app).get(URL, headers=headers).status_code == 401


def test_refused_write_changes_nothing(app, accounts, rest):
    r = remote(app).post(f"{MA_BASE}/groups/addGroup.asp", data={"gr_name": "Intruders"})
    assert r.status_code == 401
    assert rest("groups/getGroups").items("group") == []


def test_revoked_privilege_takes_effect_at_once(app, accounts, store):
    assert remote(app).get(URL, headers=basic("rest.user", "s3cret")).status_code == 200
    with store.write() as conn:
        users.set_privileges(conn, users.find_user(conn, "rest.user").id, [(PLATFORM, "RESTAuthentication")],
                             grant=False)
    assert remote(app).get(URL, headers=basic("rest.user", "s3cret")).status_code == 401


def test_forwarded_for_is_ignored_from_untrusted_peers(app, accounts):
    r = remote(app).get(URL, headers={"X-Forwarded-For": "127.0.0.1"})
    assert r.status_code == 401


def test_trusted_proxy_passes_on_the_real_client(tmp_path, accounts, store):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"),
                                  "PHONESVC_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    app = create_app(settings, store)
    via_proxy = TestClient(app, client=("127.0.0.1", 1))
    # a remote caller behind a local reverse proxy must authenticate
    assert via_proxy.get(URL, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert via_proxy.get(URL, headers={"X-Forwarded-For": "203.0.113.9", **basic("rest.user", "s3cret")}
                         ).status_code == 200
    # a spoofed first hop does not help: the last untrusted hop is the client
    assert via_proxy.get(URL, headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9, 10.1.1.1"}).status_code == 401
    # the proxy's own requests without the header are loopback requests
    assert via_proxy.get(URL).status_code == 200


class Clock:
    """The throttle's clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app) -> Clock:
    """The throttle on a hand-moved clock, refusing without the pause that slows guessing loops."""
    clock = Clock()
    app.state.authenticator.throttle.clock = clock
    app.state.authenticator.pause = 0
    return clock


def guess(app, host: str, user: str, password: str):
    return remote(app, host).get(URL, headers=basic(user, password))


def test_wrong_passwords_from_one_address_are_throttled(app, accounts, clock):
    for attempt in range(5):
        assert guess(app, "203.0.113.7", "rest.user", f"guess{attempt}").status_code == 401
    r = guess(app, "203.0.113.7", "rest.user", "guess5")
    assert r.status_code == 429 and parse_reply(r).status == "TOO_MANY_ATTEMPTS"
    assert int(r.headers["retry-after"]) > 0
    # the address is throttled whoever it names, even with the right password
    assert guess(app, "203.0.113.7", "Jörg.Ümlaut", "pässwörd").status_code == 429
    # another user from another address signs in as usual
    assert guess(app, "198.51.100.2", "Jörg.Ümlaut", "pässwörd").status_code == 200
    # the guessed user name is throttled from a new address too, in any spelling
    assert guess(app, "198.51.100.3", "REST.USER", "s3cret").status_code == 429
    # attempts come back with time
    clock.now += 15
    assert guess(app, "198.51.100.3", "rest.user", "s3cret").status_code == 200
    assert guess(app, "203.0.113.7", "rest.user", "s3cret").status_code == 200


def test_guesses_spread_over_user_names_are_throttled_by_address(app, accounts, clock):
    for name in ("a", "b", "c", "d", "e"):
        assert guess(app, "203.0.113.8", name, "x").status_code == 401
    assert guess(app, "203.0.113.8", "rest.user", "s3cret").status_code == 429
    # an IPv6 client owns its /64: another address in it is the same client
    for name in ("a", "b", "c", "d", "e"):
        assert guess(app, "2001:db8:1:2::10", name, "x").status_code == 401
    assert guess(app, "2001:db8:1:2::99", "rest.user", "s3cret").status_code == 429
    assert guess(app, "2001:db8:1:3::99", "rest.user", "s3cret").status_code == 200


def test_successful_sign_ins_are_not_counted(app, accounts, clock):
    for _ in range(10):
        assert guess(app, "203.0.113.9", "rest.user", "s3cret").status_code == 200
    for attempt in range(4):
        assert guess(app, "203.0.113.9", "rest.user", f"typo{attempt}").status_code == 401
    assert guess(app, "203.0.113.9", "rest.user", "s3cret").status_code == 200


def test_behind_a_proxy_the_real_client_is_throttled(tmp_path, accounts, store):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"),
                                  "PHONESVC_TRUSTED_PROXIES": "127.0.0.1"})
    app = create_app(settings, store)
    app.state.authenticator.pause = 0
    via_proxy = TestClient(app, client=("127.0.0.1", 1))

    def from_(client: str, password: str):
        return via_proxy.get(URL, headers={"X-Forwarded-For": client, **basic("Jörg.Ümlaut", password)})

    for attempt in range(5):
        assert from_("203.0.113.10", f"guess{attempt}").status_code == 401
    assert from_("203.0.113.10", "pässwörd").status_code == 429
    assert via_proxy.get(URL, headers={"X-Forwarded-For": "203.0.113.11", **basic("rest.user", "s3cret")}
                         ).status_code == 200
    assert via_proxy.get(URL).status_code == 200  # loopback itself is never throttled


def test_the_throttle_table_stays_bounded():
    throttle = Throttle(burst=2, seconds_per_attempt=10, size=100, clock=Clock())
    for n in range(10_000):
        throttle.take([("ip", n)])
    assert len(throttle) == 100
