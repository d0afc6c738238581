"""The status display's push notifier against a farm of fake phones on loopback (tests/fakephones.py):
a change pushes exactly the phones that show the group, once per burst; a dead, slow or refusing
phone is logged and holds back no other; credentials are sent; push can be switched off."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import threading
import time
import urllib.parse
from dataclasses import replace

import pytest
from fakephones import PhoneFarm
from lxml import etree

from phonesvc.config import Settings
from phonesvc.display.push import (
    MAX_PUSH_BYTES,
    PRIORITY_DISPLAY,
    PushFailed,
    PushNotifier,
    ShownGroups,
    _read_answer,
    execute_xml,
    interpret_answer,
    split_address,
)
from phonesvc.phone.xmlcheck import check_phone_xml

SETTINGS = replace(Settings(), push_user="pushuser", push_password="s3cret", push_timeout=1.0,
                   push_concurrency=8)
BASE = "http://phonesvc.example.org:8080/Applications/inbound/MAGroup/src/StatusDisplay.asp?device="


def url_for(device: str) -> str:
    return BASE + device


def run(coro):
    return asyncio.run(coro)


@contextlib.asynccontextmanager
async def notifier_for(farm: PhoneFarm, shows: dict[str, int] | None = None, settings: Settings = SETTINGS,
                       window: float = 0.03, targets=None):
    """A started notifier whose targets are the farm's phones by `shows` (device -> group)."""
    addresses = {p.name: p.address for p in farm.phones}
    index = ShownGroups(addresses.get)
    index.replace((shows or {}).items())
    notifier = PushNotifier(settings, targets or index.targets, url_for, window=window)
    await notifier.start()
    try:
        yield notifier
    finally:
        await notifier.stop()


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "phonesvc.push" and r.levelno == logging.WARNING]


# -- the pushed object and the HTTP pieces -----------------------------------------------------------

def test_the_pushed_execute_is_small_valid_and_names_the_url():
    url = url_for("SEP001122334455") + "&lang=de&x=\"<a>'"
    xml = execute_xml(url, PRIORITY_DISPLAY)
    assert "&amp;lang=de&amp;x=&quot;&lt;a&gt;&apos;" in xml
    root = check_phone_xml(xml.encode())  # the prolog, the project's own rules and CiscoIPPhone.xsd
    assert root.tag == "CiscoIPPhoneExecute"
    assert [(i.tag, i.get("Priority"), i.get("URL")) for i in root] == [("ExecuteItem", "1", url)]
    assert len(xml.encode()) < MAX_PUSH_BYTES == 512


@pytest.mark.parametrize("address, expected", [
    ("10.1.2.3", ("10.1.2.3", 80)),
    ("10.1.2.3:8080", ("10.1.2.3", 8080)),
    (" 127.0.0.5:41000 ", ("127.0.0.5", 41000)),
    ("[fe80::1]:8080", ("fe80::1", 8080)),
    ("[::1]", ("::1", 80)),
    ("::1", ("::1", 80)),
])
def test_split_address(address, expected):
    assert split_address(address) == expected


@pytest.mark.parametrize("address", ["", ":80", "10.0.0.1:0", "10.0.0.1:70000", "10.0.0.1:http", "phone.example",
                                     "10.0.0.1\r\nX-Evil: 1", "[::1"])
def test_split_address_refuses_nonsense(address):
    with pytest.raises(ValueError):
        split_address(address)


@pytest.mark.parametrize("status, body, reason", [
    (200, b'<CiscoIPPhoneResponse><ResponseItem Status="0" Data="Success" URL="u"/></CiscoIPPhoneResponse>', None),
    (200, b'<?xml version="1.0" encoding="UTF-8"?>\n<CiscoIPPhoneResponse><ResponseItem Status="0" Data="Success"'
          b' URL="u"/></CiscoIPPhoneResponse>\n', None),
    (200, b'<CiscoIPPhoneError Number="1"/>', "CiscoIPPhoneError 1 (parse error)"),
    (200, b'<CiscoIPPhoneError Number="2"/>', "CiscoIPPhoneError 2 (response framing error)"),
    (200, b'<CiscoIPPhoneError Number="3"/>', "CiscoIPPhoneError 3 (internal file error)"),
    (200, b'<CiscoIPPhoneError Number="4"/>', "CiscoIPPhoneError 4 (authentication error)"),
    (401, b'<CiscoIPPhoneError Number="4"/>', "CiscoIPPhoneError 4 (authentication error)"),
    (401, b"", "HTTP 401 (authentication error)"),
    (404, b"Not Found", "HTTP 404"),
    (200, b"<html>hello</html>", "unexpected answer"),
    (200, b'<CiscoIPPhoneResponse><ResponseItem Status="5" Data="Busy" URL="u"/></CiscoIPPhoneResponse>',
     "ResponseItem Status=5 Data='Busy'"),
])
def test_answers_are_understood(status, body, reason):
    if reason is None:
        interpret_answer(status, body)
    else:
        with pytest.raises(PushFailed, match=reason.replace("(", r"\(").replace(")", r"\)")):
            interpret_answer(status, body)


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nServer: Allegro-Software-RomPager\r\n\r\nhello",
])
def test_the_client_reads_an_answer_however_it_is_framed(raw):
    async def main():
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await _read_answer(reader)

    assert run(main()) == (200, b"hello")


# -- the farm -----------------------------------------------------------------------------------------

def test_a_change_pushes_exactly_the_phones_showing_the_group():
    async def main():
        async with PhoneFarm(8) as farm:
            names = [p.name for p in farm.phones]
            shows = {**dict.fromkeys(names[0:3], 1), **dict.fromkeys(names[3:6], 2), names[6]: 3}
            async with notifier_for(farm, shows) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert farm.pushes_by_phone() == {n: int(n in names[0:3]) for n in names}
                for phone in farm.phones[0:3]:
                    (push,) = phone.pushes
                    assert push.urls == [url_for(phone.name)]
                    assert (push.user, push.password) == ("pushuser", "s3cret")
                    assert push.content_type == "application/x-www-form-urlencoded"
                    assert push.host_header == phone.address
                    assert len(push.xml.encode()) < 512
                notifier.notify(2)
                await notifier.idle()
                assert farm.pushes_by_phone() == {n: int(n in names[0:6]) for n in names}
                assert (notifier.pushed, notifier.failed, notifier.rounds) == (6, 0, 2)
                assert notifier.last_error == {}
                return farm.distinct_hosts

    distinct = run(main())
    print("phones on distinct loopback addresses:", distinct)


def test_a_burst_gives_one_push_per_phone():
    async def main():
        async with PhoneFarm(6) as farm:
            names = [p.name for p in farm.phones]
            shows = {**dict.fromkeys(names[0:4], 1), **dict.fromkeys(names[4:6], 2)}
            async with notifier_for(farm, shows, window=0.1) as notifier:
                start = time.perf_counter()
                for i in range(20):  # 20 changes of group 1 within the window, some of group 2 too
                    notifier.notify(1)
                    if i % 5 == 0:
                        notifier.notify(2)
                    await asyncio.sleep(0.002)
                assert time.perf_counter() - start < 0.1
                await notifier.idle()
                assert farm.pushes_by_phone() == dict.fromkeys(names, 1)
                assert notifier.rounds == 2
                # A change after the burst is pushed again: nothing is swallowed.
                notifier.notify(1)
                await notifier.idle()
                assert farm.pushes_by_phone() == {n: 2 if n in names[0:4] else 1 for n in names}

    run(main())


def test_changes_while_a_push_is_on_the_wire_give_exactly_one_more_push():
    async def main():
        async with PhoneFarm(3) as farm:
            for p in farm.phones:
                p.delay = 0.3
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            async with notifier_for(farm, shows, window=0.02) as notifier:
                notifier.notify(1)
                await farm.wait_for(3)  # every phone has its push, none has answered yet
                for _ in range(10):  # several windows close while the pushes are on the wire
                    notifier.notify(1)
                    await asyncio.sleep(0.025)
                await notifier.idle()
                assert notifier.rounds >= 3
                assert farm.pushes_by_phone() == dict.fromkeys(shows, 2)

    run(main())


def test_a_phone_still_waiting_for_a_slot_gets_no_extra_push():
    async def main():
        async with PhoneFarm(3) as farm:
            for p in farm.phones:
                p.delay = 0.2
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            settings = replace(SETTINGS, push_concurrency=1)
            order = [(p.name, p.address) for p in farm.phones]
            async with notifier_for(farm, shows, settings, window=0.02, targets=lambda g: order) as notifier:
                notifier.notify(1)
                await farm.wait_for(1)  # the first phone's push is on the wire, the others wait
                notifier.notify(1)
                await notifier.idle()
                first, *others = farm.phones
                assert len(first.pushes) == 2  # it may have fetched before the change: once more
                assert [len(p.pushes) for p in others] == [1, 1]  # their one push came after it
                assert farm.max_active == 1

    run(main())


def test_failing_phones_are_logged_and_hold_back_no_other(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.push")

    async def main():
        farm = PhoneFarm(slow_seconds=10)
        slow, dead, bad = farm.add("SEPSLOW", "slow"), farm.add("SEPDEAD", "dead"), farm.add("SEPERROR", "error")
        healthy = [farm.add(f"SEPOK{i:02d}") for i in range(12)]
        async with farm:
            # The failing phones first, so they take their slots before any healthy one.
            order = [(p.name, p.address) for p in farm.phones]
            settings = replace(SETTINGS, push_timeout=1.0, push_concurrency=4)
            async with notifier_for(farm, {}, settings, window=0.02, targets=lambda g: order) as notifier:
                start = time.perf_counter()
                notifier.notify(7)
                await farm.wait_for(14)  # 12 healthy, the slow and the erroring one (the dead reads nothing)
                last_healthy = max(p.pushes[0].when for p in healthy) - start
                await notifier.idle()
                total = time.perf_counter() - start
                assert last_healthy < 0.5, last_healthy  # well before the slow phone's timeout
                assert total >= 1.0  # the slow phone was waited for, up to its timeout
                assert all(len(p.pushes) == 1 for p in healthy)
                assert farm.max_active <= 4
                assert (notifier.pushed, notifier.failed) == (12, 3)
                assert notifier.last_error == {
                    "SEPSLOW": "no answer within 1 s",
                    "SEPDEAD": "connection refused",
                    "SEPERROR": "CiscoIPPhoneError 1 (parse error)",
                }
                return slow.address, dead.address, bad.address

    slow_at, dead_at, bad_at = run(main())
    assert sorted(warnings(caplog)) == sorted([
        f"push to SEPSLOW at {slow_at} failed: no answer within 1 s",
        f"push to SEPDEAD at {dead_at} failed: connection refused",
        f"push to SEPERROR at {bad_at} failed: CiscoIPPhoneError 1 (parse error)",
    ])


def test_bad_credentials_are_reported(caplog):
    caplog.set_level(logging.WARNING, logger="phonesvc.push")

    async def main():
        async with PhoneFarm(3) as farm:
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            async with notifier_for(farm, shows, replace(SETTINGS, push_password="wrong")) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert [(r.user, r.password, r.answer) for r in farm.received] == [("pushuser", "wrong", "auth")] * 3
                assert (notifier.pushed, notifier.failed) == (0, 3)
            farm.clear()
            async with notifier_for(farm, shows, replace(SETTINGS, push_user="")) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert [(r.user, r.answer) for r in farm.received] == [(None, "auth")] * 3
            farm.clear()
            farm.configure(farm.phones[0].name, mode="http401")
            async with notifier_for(farm, shows) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert notifier.last_error == {farm.phones[0].name: "HTTP 401 (authentication error)"}
            return farm.phones

    phones = run(main())
    logged = warnings(caplog)
    for p in phones:
        assert f"push to {p.name} at {p.address} failed: CiscoIPPhoneError 4 (authentication error)" in logged
    assert f"push to {phones[0].name} at {phones[0].address} failed: HTTP 401 (authentication error)" in logged


def test_push_switched_off_pushes_nothing():
    async def main():
        async with PhoneFarm(3) as farm:
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            async with notifier_for(farm, shows, replace(SETTINGS, push_enabled=False), window=0.01) as notifier:
                for _ in range(5):
                    notifier.notify(1)
                await asyncio.sleep(0.1)
                await notifier.idle()
                assert farm.received == []
                assert (notifier.pushed, notifier.failed, notifier.rounds) == (0, 0, 0)

    run(main())


def test_stop_drops_waiting_changes_and_cancels_pushes_on_the_wire():
    async def main():
        farm = PhoneFarm(slow_seconds=30)
        farm.add("SEPSLOW", "slow")
        farm.add("SEPOK")
        async with farm:
            shows = {"SEPSLOW": 1, "SEPOK": 2}
            settings = replace(SETTINGS, push_timeout=20.0)
            async with notifier_for(farm, shows, settings, window=0.02) as notifier:
                notifier.notify(2)
                await notifier.stop()  # before the window closed: nothing goes out
                await asyncio.sleep(0.05)
                assert farm.received == []
                notifier.notify(2)  # a stopped notifier takes no more changes
                await asyncio.sleep(0.05)
                assert farm.received == []
            async with notifier_for(farm, shows, settings, window=0.01) as notifier:
                notifier.notify(1)
                await farm.wait_for(1)
                start = time.perf_counter()
                await notifier.stop()  # the slow phone would hold the push 20 s
                assert time.perf_counter() - start < 0.5
                await asyncio.sleep(0.05)
                assert farm.active == 0  # the connection was dropped, the phone saw it

    run(main())


def test_a_phone_that_keeps_failing_is_warned_about_once_and_recovers(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.push")

    async def main():
        farm = PhoneFarm()
        farm.add("SEPFLAKY", "error")
        async with farm, notifier_for(farm, {"SEPFLAKY": 1}) as notifier:
            for _ in range(3):
                notifier.notify(1)
                await notifier.idle()
            assert (notifier.pushed, notifier.failed) == (0, 3)
            assert len(warnings(caplog)) == 1  # not one per change: once per reason and 5 minutes
            farm.configure("SEPFLAKY", mode="ok")
            notifier.notify(1)
            await notifier.idle()
            assert notifier.pushed == 1
            assert notifier.last_error == {}
            assert "SEPFLAKY" in notifier.last_ok

    run(main())
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_a_failing_targets_function_is_logged_and_the_notifier_goes_on(caplog):
    async def main():
        async with PhoneFarm(2) as farm:
            phones = {1: [], 2: [(p.name, p.address) for p in farm.phones]}

            def targets(group_id):
                if group_id == 1:
                    raise KeyError("group 1 vanished")
                return phones[group_id]

            async with notifier_for(farm, {}, targets=targets) as notifier:
                notifier.notify(1)
                notifier.notify(2)
                await notifier.idle()
                assert farm.pushes_by_phone() == dict.fromkeys((p.name for p in farm.phones), 1)

    run(main())
    assert any("cannot list the phones showing group 1" in r.getMessage() for r in caplog.records)


def test_notify_from_another_thread():
    async def main():
        async with PhoneFarm(2) as farm:
            shows = dict.fromkeys((p.name for p in farm.phones), 5)
            async with notifier_for(farm, shows) as notifier:
                thread = threading.Thread(target=notifier.notify, args=(5,))
                thread.start()
                thread.join()
                await farm.wait_for(2)
                await notifier.idle()
                assert farm.pushes_by_phone() == dict.fromkeys(shows, 1)

    run(main())


def test_many_phones_with_bounded_concurrency():
    async def main():
        async with PhoneFarm(30) as farm:
            for p in farm.phones:
                p.delay = 0.02
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            async with notifier_for(farm, shows, replace(SETTINGS, push_concurrency=5)) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert farm.pushes_by_phone() == dict.fromkeys(shows, 1)
                assert farm.max_active == 5

    run(main())


def test_the_fake_phone_refuses_what_a_phone_would_refuse():
    """The farm itself: an Execute with four items, or another object, gets CiscoIPPhoneError 1."""
    async def main():
        async with PhoneFarm(1) as farm:
            phone = farm.phones[0]
            four = "<CiscoIPPhoneExecute>" + '<ExecuteItem URL="http://x/"/>' * 4 + "</CiscoIPPhoneExecute>"
            for xml in (four, "<CiscoIPPhoneText><Text>hi</Text></CiscoIPPhoneText>", "<oops"):
                body = urllib.parse.urlencode({"XML": xml}).encode()
                head = (f"POST /CGI/Execute HTTP/1.1\r\nHost: {phone.address}\r\n"
                        f"Authorization: Basic {base64.b64encode(b'pushuser:s3cret').decode()}\r\n"
                        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                        f"Connection: close").encode()
                reader, writer = await asyncio.open_connection(phone.host, phone.port)
                writer.write(head + b"\r\n\r\n" + body)
                answer = await reader.read()
                writer.close()
                assert answer.endswith(b'<CiscoIPPhoneError Number="1"/>'), answer
            assert [r.answer for r in phone.requests] == ["invalid"] * 3

    run(main())


def test_shown_groups_is_kept_up_to_date_incrementally():
    addresses = {"SEPA": "127.0.0.2:80", "SEPB": "127.0.0.3:80", "SEPC": ""}
    index = ShownGroups(addresses.get)
    index.replace([("SEPA", 1), ("SEPB", 1), ("SEPC", 1), ("SEPD", 0)])
    assert sorted(index.targets(1)) == [("SEPA", "127.0.0.2:80"), ("SEPB", "127.0.0.3:80")]  # C: no address
    index.show("SEPB", 2)
    assert index.devices(1) == {"SEPA", "SEPC"} and index.devices(2) == {"SEPB"}
    index.show("SEPA", 0)
    index.forget("SEPC")
    assert index.groups() == [2]
    assert index.group_of("SEPB") == 2 and index.group_of("SEPA") is None
    assert index.targets(1) == [] and index.targets(99) == []


def test_xml_escape_survives_a_round_trip_through_the_form():
    async def main():
        async with PhoneFarm(1) as farm:
            phone = farm.phones[0]
            special = {phone.name: "http://h/a.asp?device=SEP1&name=A%26B&q=<x>\"'"}
            notifier = PushNotifier(SETTINGS, lambda g: [(phone.name, phone.address)], special.get, window=0)
            await notifier.start()
            notifier.notify(1)
            await notifier.idle()
            await notifier.stop()
            (push,) = phone.pushes
            assert push.urls == [special[phone.name]]
            assert etree.fromstring(push.xml.encode())[0].get("URL") == special[phone.name]

    run(main())
