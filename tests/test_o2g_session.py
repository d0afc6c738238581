"""The O2G adapter's session against the fake O2G: discovery, Basic login and the AlcUserId cookie, keepalive
before timeToLive, a new login when the session is lost, logout; a wrong password said plainly."""

from __future__ import annotations

import asyncio
import re

import pytest

from phonesvc.config import ConfigError, load_settings
from phonesvc.telephony import TelephonyError
from phonesvc.telephony.choose import connection
from tests.o2gkit import O2GRig


def test_login_opens_a_session_and_monitors_the_directory_users():
    async def scenario():
        async with O2GRig() as rig:
            assert rig.fake.logins == 1
            paths = rig.fake.requests
            assert paths[:3] == ["GET /api/rest", "GET /api/rest/authenticate", "POST /api/rest/1.0/sessions"]
            selectors = rig.fake.subscriptions[-1]["filter"]["selectors"]
            assert {"ids": ["1047", "1068", "1118", "bvlahovic"], "names": ["telephony"]} in selectors
            assert [line.number for line in sorted(rig.adapter.lines(), key=lambda x: x.number)] == \
                ["1047", "1068", "1118", "1175"]
            assert rig.adapter.problem == ""
        assert rig.fake.logouts == 1  # the licences go back at shutdown
    asyncio.run(scenario())


def test_keepalive_comes_before_the_time_to_live_runs_out():
    async def scenario():
        async with O2GRig(ttl=1) as rig:
            await rig.until(lambda: rig.fake.keepalives >= 3)
            assert rig.fake.logins == 1  # never lost
    asyncio.run(scenario())


def test_a_lost_session_is_opened_again_and_the_action_goes_through():
    async def scenario():
        async with O2GRig() as rig:
            rig.fake.expire_sessions()
            await rig.adapter.set_dnd("1047", True)
            await rig.until(lambda: rig.adapter.line("1047").dnd)
            assert rig.fake.logins == 2
    asyncio.run(scenario())


def test_a_wrong_password_is_said_plainly_and_the_channel_keeps_trying():
    async def scenario():
        async with O2GRig() as rig:
            adapter = O2GRig(password="wrong")
            adapter.fake = rig.fake
            bad = adapter.connect()
            with pytest.raises(TelephonyError, match="refused the login 'admin': wrong login or password"):
                await bad.session.open()
            await bad.start()
            await rig.until(lambda: "wrong login or password" in bad.problem)
            await bad.stop()
    asyncio.run(scenario())


@pytest.mark.parametrize(("env", "message"), [
    ({"PHONESVC_PBX": "cucm"}, "pbx must be sim or o2g, not 'cucm'"),
    ({"PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": "o2g.example.com", "PHONESVC_O2G_LOGIN": "a",
      "PHONESVC_O2G_PASSWORD": "b"}, "pbx o2g needs o2g_url (http:// or https://)"),
    ({"PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": "https://o2g.example.com"}, "o2g_login and o2g_password"),
    ({"PHONESVC_O2G_CA_FILE": "/nonexistent/ca.pem"}, "o2g_ca_file /nonexistent/ca.pem cannot be read"),
])
def test_o2g_settings_that_cannot_work_are_refused_at_start(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(env=env)


def test_tls_is_verified_by_default_and_a_ca_file_is_used(tmp_path):
    env = {"PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": "https://o2g.example.com", "PHONESVC_O2G_LOGIN": "a",
           "PHONESVC_O2G_PASSWORD": "b"}
    assert connection(load_settings(env=env)).verify is True
    assert connection(load_settings(env={**env, "PHONESVC_O2G_VERIFY_TLS": "false"})).verify is False
    ca = tmp_path / "ca.pem"
    ca.write_text("", encoding="ascii")
    assert connection(load_settings(env={**env, "PHONESVC_O2G_CA_FILE": str(ca)})).verify == str(ca)
