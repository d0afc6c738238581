"""The O2G event channel against the fake O2G: a dropped channel comes back and a state snapshot brings what
happened meanwhile; a channel silent beyond the subscription's timeout is opened again; O2G unreachable at
start is reported and recovered from; a line added later is subscribed to."""

from __future__ import annotations

import asyncio

from tests.o2gkit import O2GRig


def test_a_dropped_channel_reconnects_and_the_snapshot_brings_what_happened_meanwhile():
    async def scenario():
        async with O2GRig() as rig:
            before = await rig.fake.ring("0800123456", "1047")
            await rig.settled()
            rig.fake.silent = True  # events of the next calls are lost on the wire
            await rig.fake.outside_hangs_up(before)
            during = await rig.fake.ring("0800999999", "1118")
            rig.fake.silent = False
            rig.fake.drop_channels()
            await rig.until(lambda: rig.adapter.channel.connects == 2)
            await rig.settled()
            assert rig.legs("1118") == [f"{during} incoming ringing 0800999999"]
            assert ("ended", before, "1047", "cleared", "", "") in rig.ended()
            assert len(rig.fake.subscriptions) == 2  # a new subscription for the new channel
    asyncio.run(scenario())


def test_a_channel_silent_beyond_its_timeout_is_opened_again():
    async def scenario():
        async with O2GRig(silence=0.3) as rig:
            rig.fake.silent = True
            await rig.until(lambda: rig.adapter.channel.connects >= 2)
            rig.fake.silent = False
            call = await rig.fake.ring("0800123456", "1175")
            await rig.until(lambda: rig.legs("1175") == [f"{call} incoming ringing 0800123456"])
    asyncio.run(scenario())


def test_o2g_unreachable_at_start_is_reported_and_the_lines_come_when_it_is_back():
    async def scenario():
        rig = O2GRig()
        await rig.fake.start()
        rig.fake.down()
        adapter = rig.adapter = rig.connect()
        await adapter.start()
        await rig.until(lambda: "O2G is not ready" in adapter.problem)
        assert adapter.lines() == []
        rig.fake.up()
        await rig.until(lambda: adapter.channel.connected and len(adapter.lines()) == 4)
        assert adapter.problem == ""
        call = await adapter.make_call("1047", "1118")
        await rig.until(lambda: rig.legs("1118") == [f"{call} incoming ringing 1047"])
        await rig.__aexit__(None, None, None)
    asyncio.run(scenario())


def test_a_line_added_later_is_subscribed_and_shown():
    async def scenario():
        async with O2GRig() as rig:
            rig.fake.add_user("1200", "Zoë", "Ångström")
            rig.adapter.add_line("1200", "Zoë Ångström")
            await rig.until(lambda: rig.adapter.line("1200") is not None and rig.adapter.channel.connected)
            call = await rig.fake.ring("0800123456", "1200")
            await rig.until(lambda: rig.legs("1200") == [f"{call} incoming ringing 0800123456"])
            rig.adapter.add_line("4711")  # not a user of the PBX: not monitored, the others go on
            await rig.until(lambda: "4711" in rig.adapter._unmatched)
            assert rig.adapter.line("4711") is None
    asyncio.run(scenario())
