"""Team member ringtones through the push channel (PushNotifier.play) against the fake phone farm on
loopback (tests/fakephones.py): a tone reaches exactly the given phones as an Execute of `Play:<tone>`,
with the push credentials; phones without address, push switched off and an empty tone send nothing;
a dead phone is counted and holds back no other; odd file names arrive percent-encoded; display
refreshes go on alongside and are not merged with tones."""

from __future__ import annotations

import asyncio
import logging
import threading
import urllib.parse
from dataclasses import replace

import pytest
from fakephones import PhoneFarm
from lxml import etree

from phonesvc.display.push import PRIORITY_DISPLAY, PRIORITY_TONE, PushNotifier, execute_xml, play_url
from phonesvc.phone.xmlcheck import check_phone_xml
from tests.test_push import SETTINGS, notifier_for, run, url_for

CHIME = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<CiscoIPPhoneExecute><ExecuteItem Priority="0" URL="Play:Chime.raw"/></CiscoIPPhoneExecute>')


def pairs(phones) -> list[tuple[str, str]]:
    return [(p.name, p.address) for p in phones]


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "phonesvc.push" and r.levelno == logging.WARNING]


# -- the tone URI and the pushed object ---------------------------------------------------------------

@pytest.mark.parametrize("tone, url", [
    ("Chime.raw", "Play:Chime.raw"),
    ("Ring-1_b~.raw", "Play:Ring-1_b~.raw"),
    ("A&B.raw", "Play:A%26B.raw"),
    ("my tone.raw", "Play:my%20tone.raw"),
    ('say "hi" <now>\'.raw', "Play:say%20%22hi%22%20%3Cnow%3E%27.raw"),
    ("Glöckchen.raw", "Play:Gl%C3%B6ckchen.raw"),
    ("100%.raw", "Play:100%25.raw"),
    ("../etc/x", "Play:..%2Fetc%2Fx"),
])
def test_play_url_percent_encodes_everything_but_unreserved_characters(tone, url):
    assert play_url(tone) == url
    assert url.isascii()
    assert urllib.parse.unquote(url.removeprefix("Play:")) == tone


def test_a_tone_execute_is_valid_for_a_phone_whatever_the_name():
    for tone in ("Chime.raw", "A&B <c> \"d\" 'e'.raw", "Glöckchen Ä.raw"):
        xml = execute_xml(play_url(tone), PRIORITY_TONE)
        assert xml.isascii()
        root = check_phone_xml(xml.encode())
        assert [(i.tag, i.get("Priority"), i.get("URL")) for i in root] == [("ExecuteItem", "0", play_url(tone))]
    assert execute_xml(play_url("Chime.raw"), PRIORITY_TONE) == CHIME
    # A URI given as is (not through play_url) still gets its attribute escaped.
    assert execute_xml("Play:A&B.raw", PRIORITY_TONE) == CHIME.replace("Chime.raw", "A&amp;B.raw")


def test_request_bytes_carries_the_given_object_or_the_display_push():
    notifier = PushNotifier(SETTINGS, lambda g: [], url_for)
    tone = notifier.request_bytes("SEPA", "127.0.0.2:8080", CHIME)
    display = notifier.request_bytes("SEPA", "127.0.0.2:8080")
    for request, xml in ((tone, CHIME), (display, execute_xml(url_for("SEPA"), PRIORITY_DISPLAY))):
        head, _, body = request.partition(b"\r\n\r\n")
        assert head.startswith(b"POST /CGI/Execute HTTP/1.1\r\nHost: 127.0.0.2:8080\r\nAuthorization: Basic ")
        assert f"Content-Length: {len(body)}".encode() in head
        assert urllib.parse.parse_qs(body.decode("ascii")) == {"XML": [xml]}


# -- the farm -----------------------------------------------------------------------------------------

def test_a_tone_reaches_exactly_the_given_phones():
    async def main():
        async with PhoneFarm(6) as farm, notifier_for(farm) as notifier:
            chosen = farm.phones[1:4]
            notifier.play(pairs(chosen), "Chime.raw")
            await notifier.idle()
            assert farm.pushes_by_phone() == {p.name: int(p in chosen) for p in farm.phones}
            for phone in chosen:
                (push,) = phone.pushes
                assert push.xml == CHIME
                assert push.urls == ["Play:Chime.raw"]
                assert (push.user, push.password) == ("pushuser", "s3cret")
                assert push.content_type == "application/x-www-form-urlencoded"
                assert push.host_header == phone.address
            assert (notifier.tones, notifier.pushed, notifier.failed, notifier.rounds) == (3, 0, 0, 0)

    run(main())


def test_a_phone_without_address_is_skipped():
    async def main():
        async with PhoneFarm(2) as farm, notifier_for(farm) as notifier:
            a, b = farm.phones
            notifier.play([(a.name, a.address), ("SEPNOADDRESS", ""), ("SEPNONE", None), (b.name, b.address)],
                          "Chime.raw")
            await notifier.idle()
            assert farm.pushes_by_phone() == {a.name: 1, b.name: 1}
            assert (notifier.tones, notifier.skipped, notifier.failed) == (2, 2, 0)
            notifier.play([("SEPNOADDRESS", "")], "Chime.raw")  # nobody to ring: idle at once
            async with asyncio.timeout(1):
                await notifier.idle()

    run(main())


def test_push_switched_off_an_empty_tone_or_a_stopped_notifier_send_nothing():
    async def main():
        async with PhoneFarm(2) as farm:
            targets = pairs(farm.phones)
            async with notifier_for(farm, settings=replace(SETTINGS, push_enabled=False)) as notifier:
                notifier.play(targets, "Chime.raw")
                await asyncio.sleep(0.05)
                await notifier.idle()
                assert (notifier.tones, notifier.failed) == (0, 0)
            async with notifier_for(farm) as notifier:
                notifier.play(targets, "")
                await asyncio.sleep(0.05)
                await notifier.idle()
                assert notifier.tones == 0
            notifier = PushNotifier(SETTINGS, lambda g: [], url_for)
            notifier.play(targets, "Chime.raw")  # not started
            await notifier.start()
            await notifier.stop()
            notifier.play(targets, "Chime.raw")  # stopped
            await asyncio.sleep(0.05)
            assert farm.received == []
            assert notifier.tones == 0

    run(main())


def test_a_dead_phone_is_counted_as_failed_and_the_others_still_ring(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.push")

    async def main():
        farm = PhoneFarm()
        dead = farm.add("SEPDEAD", "dead")
        healthy = [farm.add(f"SEPOK{i}") for i in range(3)]
        async with farm, notifier_for(farm) as notifier:
            notifier.play(pairs(farm.phones), "Chime.raw")
            await notifier.idle()
            assert [len(p.pushes) for p in healthy] == [1, 1, 1]
            assert (notifier.tones, notifier.failed) == (3, 1)
            assert notifier.last_error == {"SEPDEAD": "connection refused"}
            notifier.play(pairs(farm.phones), "Chime.raw")  # the same failure again: no second warning
            await notifier.idle()
            assert (notifier.tones, notifier.failed) == (6, 2)
            return dead.address

    dead_at = run(main())
    assert warnings(caplog) == [f"push to SEPDEAD at {dead_at} failed: connection refused"]


def test_a_tone_name_with_special_characters_arrives_encoded():
    async def main():
        async with PhoneFarm(1) as farm, notifier_for(farm) as notifier:
            phone = farm.phones[0]
            tone = 'Tom & Jerry "<3" Glöckchen.raw'
            notifier.play(pairs(farm.phones), tone)
            await notifier.idle()
            (push,) = phone.pushes
            url = "Play:Tom%20%26%20Jerry%20%22%3C3%22%20Gl%C3%B6ckchen.raw"
            assert push.urls == [url]
            assert push.xml == CHIME.replace("Play:Chime.raw", url)
            assert etree.fromstring(push.xml.encode())[0].get("URL") == url
            assert urllib.parse.unquote(url.removeprefix("Play:")) == tone

    run(main())


def test_display_refreshes_go_on_alongside_and_are_not_merged_with_tones():
    async def main():
        async with PhoneFarm(4) as farm:
            names = [p.name for p in farm.phones]
            shows = dict.fromkeys(names, 1)
            async with notifier_for(farm, shows) as notifier:
                notifier.notify(1)
                notifier.play(pairs(farm.phones[:2]), "Chime.raw")
                await notifier.idle()
                for i, phone in enumerate(farm.phones):
                    urls = sorted(u for r in phone.pushes for u in r.urls)
                    assert urls == sorted([url_for(phone.name)] + (["Play:Chime.raw"] if i < 2 else []))
                assert (notifier.pushed, notifier.tones, notifier.failed, notifier.rounds) == (4, 2, 0, 1)
                # A tone on the wire does not absorb a display refresh to the same phone, nor the other way.
                for p in farm.phones:
                    p.delay = 0.1
                farm.clear()
                notifier.play(pairs(farm.phones), "Chime.raw")
                await farm.wait_for(4)
                notifier.notify(1)
                await notifier.idle()
                for phone in farm.phones:
                    assert [r.urls for r in phone.pushes] == [["Play:Chime.raw"], [url_for(phone.name)]]
                assert (notifier.pushed, notifier.tones) == (8, 6)

    run(main())


def test_idle_waits_for_tone_pushes():
    async def main():
        async with PhoneFarm(3) as farm, notifier_for(farm) as notifier:
            for p in farm.phones:
                p.delay = 0.15
            notifier.play(pairs(farm.phones), "Chime.raw")
            await notifier.idle()
            assert notifier.tones == 3
            assert farm.pushes_by_phone() == dict.fromkeys((p.name for p in farm.phones), 1)

    run(main())


def test_tones_share_the_concurrency_limit_with_display_pushes():
    async def main():
        async with PhoneFarm(10) as farm:
            for p in farm.phones:
                p.delay = 0.03
            shows = dict.fromkeys((p.name for p in farm.phones), 1)
            async with notifier_for(farm, shows, replace(SETTINGS, push_concurrency=3)) as notifier:
                notifier.play(pairs(farm.phones), "Chime.raw")
                notifier.notify(1)
                await notifier.idle()
                assert farm.max_active == 3
                assert (notifier.tones, notifier.pushed) == (10, 10)

    run(main())


def test_a_burst_of_tones_to_one_phone_is_coalesced():
    """A tone waiting for a slot is replaced by a newer one; a phone whose tone is on the wire gets one
    more tone after it, the newest asked for meanwhile."""
    async def main():
        async with PhoneFarm(2) as farm:
            busy, phone = farm.phones
            busy.delay = phone.delay = 0.15
            async with notifier_for(farm, settings=replace(SETTINGS, push_concurrency=1)) as notifier:
                notifier.play([(busy.name, busy.address)], "Busy.raw")  # takes the only slot
                for tone in ("One.raw", "Two.raw", "Three.raw"):  # wait for the slot: the newest wins
                    notifier.play([(phone.name, phone.address)], tone)
                await notifier.idle()
                assert [r.urls for r in phone.pushes] == [["Play:Three.raw"]]
                farm.clear()
                notifier.play([(phone.name, phone.address)], "First.raw")
                await farm.wait_for(1)  # on the wire
                for tone in ("Second.raw", "Third.raw"):
                    notifier.play([(phone.name, phone.address)], tone)
                await notifier.idle()
                assert [r.urls for r in phone.pushes] == [["Play:First.raw"], ["Play:Third.raw"]]
                assert notifier.tones == 4

    run(main())


def test_play_from_another_thread():
    async def main():
        async with PhoneFarm(2) as farm, notifier_for(farm) as notifier:
            phones = iter(pairs(farm.phones))  # an iterator is read in the calling thread
            thread = threading.Thread(target=notifier.play, args=(phones, "Chime.raw"))
            thread.start()
            thread.join()
            await farm.wait_for(2)
            await notifier.idle()
            assert farm.pushes_by_phone() == dict.fromkeys((p.name for p in farm.phones), 1)
            assert notifier.tones == 2

    run(main())
