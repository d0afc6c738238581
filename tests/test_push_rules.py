"""Cisco's rules for what the push notifier sends, as fake phones on loopback receive it
(tests/fakephones.py: real HTTP): the pushed XML starts with a prolog naming its encoding, a display
refresh never interrupts the user (Priority 1: when the phone becomes idle), a team tone says
Priority 0 (a Play: URI runs at once anyway), and a URL over 256 characters is never pushed, nor cut."""

from __future__ import annotations

import logging

import pytest
from fakephones import PhoneFarm

from phonesvc.display.push import URLTooLong, execute_xml, play_url
from phonesvc.phone.xmlcheck import check_phone_xml
from tests.test_push import notifier_for, run, url_for

PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'


def test_a_display_refresh_waits_until_the_phone_is_idle_and_names_its_encoding():
    async def main():
        async with PhoneFarm(2) as farm:
            async with notifier_for(farm, dict.fromkeys((p.name for p in farm.phones), 1)) as notifier:
                notifier.notify(1)
                await notifier.idle()
            for phone in farm.phones:
                (push,) = phone.pushes
                assert push.xml == (f'{PROLOG}<CiscoIPPhoneExecute><ExecuteItem Priority="1" '
                                    f'URL="{url_for(phone.name)}"/></CiscoIPPhoneExecute>')
                assert (push.urls, push.priorities) == ([url_for(phone.name)], ["1"])

    run(main())


def test_a_team_tone_plays_at_once_and_names_its_encoding():
    async def main():
        async with PhoneFarm(1) as farm, notifier_for(farm) as notifier:
            phone = farm.phones[0]
            notifier.play([(phone.name, phone.address)], "Glöckchen.raw")
            await notifier.idle()
            (push,) = phone.pushes
            url = "Play:Gl%C3%B6ckchen.raw"
            assert push.xml == (f'{PROLOG}<CiscoIPPhoneExecute><ExecuteItem Priority="0" URL="{url}"/>'
                                '</CiscoIPPhoneExecute>')
            assert (push.urls, push.priorities) == ([url], ["0"])

    run(main())


def test_the_pushed_object_is_a_whole_document_a_phone_takes():
    for url, priority in ((url_for("SEP001122334455") + "&x=\"<a>'", 1), (play_url("A&B.raw"), 0)):
        xml = execute_xml(url, priority)
        root = check_phone_xml(xml.encode())  # prolog first, then CiscoIPPhone.xsd
        assert [(i.get("Priority"), i.get("URL")) for i in root] == [(str(priority), url)]
    with pytest.raises(ValueError, match="Priority 3"):
        execute_xml(url_for("SEPA"), 3)


def test_a_url_over_256_characters_is_refused_where_it_is_built():
    fits = url_for("SEP") + "A" * (256 - len(url_for("SEP")))
    assert len(fits) == 256
    assert f'URL="{fits}"' in execute_xml(fits, 1)
    assert len(execute_xml(fits, 1).encode()) < 512  # the longest a phone takes still fits old firmware
    with pytest.raises(URLTooLong, match="257 characters, more than the 256 a phone takes"):
        execute_xml(fits + "A", 1)


def test_a_display_url_over_256_characters_is_logged_and_not_pushed(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.push")
    long_device = "SEP" + "0" * 300

    async def main():
        async with PhoneFarm(2) as farm:
            short, long = farm.phones
            targets = [(short.name, short.address), (long_device, long.address)]
            async with notifier_for(farm, targets=lambda _g: targets) as notifier:
                notifier.notify(1)
                await notifier.idle()
                assert (notifier.pushed, notifier.failed) == (1, 1)
                assert "more than the 256 a phone takes" in notifier.last_error[long_device]
            assert [r.urls for r in short.pushes] == [[url_for(short.name)]]
            assert long.requests == []  # nothing was sent, not even a cut URL
            return long.address

    address = run(main())
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert message.startswith(f"push to {long_device} at {address} failed: the URL is "
                              f"{len(url_for(long_device))} characters, more than the 256 a phone takes")


def test_a_tone_url_over_256_characters_is_logged_and_not_pushed(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.push")
    tone = "ö" * 60 + ".raw"  # a valid file name; "Play:" and "%C3%B6" 60 times make 369 characters

    async def main():
        async with PhoneFarm(1) as farm, notifier_for(farm) as notifier:
            phone = farm.phones[0]
            notifier.play([(phone.name, phone.address)], tone)
            await notifier.idle()
            assert phone.requests == []
            assert (notifier.tones, notifier.failed) == (0, 0)

    run(main())
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(f"tone {tone!r} is not pushed to any phone: the URL is "
                                          f"{len(play_url(tone))} characters")

