"""Rules that need no I/O: indices, short names, privileges, presence, passwords, numbers."""

from __future__ import annotations

import pytest

from phonesvc.domain.groups import InvalidValue, parse_caller_number_mask, parse_overflow
from phonesvc.domain.members import generate_short_name, member_index, valid_short_name
from phonesvc.domain.passwords import hash_password, verify_password
from phonesvc.domain.presence import Presence, parse_presence
from phonesvc.domain.privileges import UnknownPrivilege, parse_privilege
from phonesvc.domain.text import clean_text, valid_file_name, valid_number


def test_member_index_runs_1_to_9_then_letters():
    assert [member_index(p) for p in (1, 9, 10, 11, 35)] == ["1", "9", "A", "B", "Z"]
    with pytest.raises(ValueError):
        member_index(0)


def test_short_names_like_the_gui_generates_them():
    assert generate_short_name("Léonard", "Saligny", []) == "Leo"
    assert generate_short_name("Tijana", "Vlahović", []) == "Tij"
    assert generate_short_name("San", "Zhang", []) == "San"
    assert generate_short_name("Maria", "Santos", ["Mar"]) == "MarS"
    assert generate_short_name("Maria", "Sanchez", ["mar", "MarS"]) == "Maria"
    assert generate_short_name("", "Ørsted", []) == "Ørs"
    assert all(1 <= len(generate_short_name("Bartholomew", "X", ["Bar"] * i)) <= 8 for i in range(3))


@pytest.mark.parametrize("name, ok", [("A", True), ("Vlahović", True), ("A&B<C>", True), ("", False),
                                      ("ninechars", False), (" Raf", False), ("a\tb", False)])
def test_short_name_rules(name, ok):
    assert valid_short_name(name) is ok


def test_privileges_resolve_bare_and_qualified_names():
    assert parse_privilege("Admin") == ("MAGroup", "Admin")
    assert parse_privilege("groups") == ("MAGroup", "Groups")
    assert parse_privilege("PhoneDiversions:Groups") == ("PhoneDiversions", "Groups")
    assert parse_privilege("CallHandler") == ("PhoneDiversions", "CallHandler")
    assert parse_privilege("REST Authentication") == ("Callisto", "RESTAuthentication")
    assert parse_privilege("User Administration") == ("Callisto", "UserAdministration")
    with pytest.raises(UnknownPrivilege):
        parse_privilege("Nope:Admin")
    with pytest.raises(UnknownPrivilege):
        parse_privilege("Emperor")


def test_presence_codes_of_set_presence():
    assert [parse_presence(c) for c in ("0", "1", "3", "4", "6")] == list(Presence)
    assert [parse_presence(c) for c in ("2", "5", "7", "-1", "١", "", "1.0")] == [None] * 7
    assert Presence.OFFLINE.label == "Unavailable" and Presence.BUSY.takes_message
    assert not Presence.AVAILABLE.takes_message


def test_passwords_are_salted_and_verified():
    a, b = hash_password("pässword"), hash_password("pässword")
    assert a != b and verify_password("pässword", a) and not verify_password("password", a)
    assert not verify_password("x", "garbage")


def test_overflow_values():
    assert [parse_overflow(v) for v in ("-1", "", "busy", "-3", "BUSY", "voicemail:8047", "group:12", "+41315311111")
            ] == ["-1", "-1", "-3", "-3", "-3", "voicemail:8047", "group:12", "+41315311111"]
    for bad in ("-2", "voicemail:", "voicemail:abc", "group:0", "group:x", "hello"):
        with pytest.raises(InvalidValue):
            parse_overflow(bad)


def test_caller_number_mask_takes_keypad_characters_only():
    assert parse_caller_number_mask("%managerNumber%**%callerNumber%")
    assert parse_caller_number_mask("") == ""
    for bad in ("%managerNumber%**callerNumber%", "%callerName%", "12a"):
        with pytest.raises(InvalidValue):
            parse_caller_number_mask(bad)


def test_numbers_text_and_file_names():
    assert valid_number("+41 31".replace(" ", "")) and valid_number("*31#") and not valid_number(" 41")
    assert not valid_number("") and not valid_number("12-34") and not valid_number("1" * 33)
    assert clean_text("Léonard & <Vlahović> 🎧", 100) == "Léonard & <Vlahović> 🎧"
    assert clean_text("a\x01b", 100) is None and clean_text("x" * 11, 10) is None
    assert valid_file_name("Welcome.wav") and valid_file_name("Müsik 01.wav")
    for bad in ("../x.wav", "a/b.wav", "a\\b.wav", ".hidden.wav", "", "x" * 129, "nul\x00.wav"):
        assert not valid_file_name(bad)


def test_caller_masks():
    from phonesvc.domain.callerid import format_caller

    assert format_caller("%managerShortName%: %callerName%", "", "Support desk", "0800123456", "8973", "Tij") == \
        "Tij: Support desk"
    assert format_caller("", "%managerNumber%*%callerNumber%", "", "0800123456", "8973", "Tij") == "8973*0800123456"
    assert format_caller("%callerName%", "", "", "0800123456", "", "") == "0800123456"  # no name: the number
    assert format_caller("", "", "Support desk", "0800123456", "8973", "Tij") == "Support desk"
    assert format_caller("", "", "", "0800123456", "8973", "Tij") == "0800123456"
