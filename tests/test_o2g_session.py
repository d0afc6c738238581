"""The O2G adapter's session against the fake O2G: discovery, Basic login and the AlcUserId cookie, keepalive
before timeToLive, a new login when the session is lost, logout; a wrong password said plainly."""

from __future__ import annotations

import asyncio

import pytest

from phonesvc.telephony import TelephonyError
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
