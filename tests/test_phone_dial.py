"""`Dial:` URIs on phone screens carry only what a phone can dial (digits, `*`, `#`, a leading `+`):
separators people write into numbers are dropped, and a number with anything else in it, or nothing
dialable at all, is not offered for dialling. Member numbers are validated where they are entered; these
tests write them straight into the database, as an older database or another tool could have."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from phonesvc.domain.dialing import dial_uri, dialable
from phonesvc.store.schema import members as members_table
from tests.phonekit import MA_SRC, MENU, member_of, pbx, phone, service

__all__ = ["pbx", "phone"]  # fixtures
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"


@pytest.mark.parametrize(("number", "digits"), [
    ("1175", "1175"), ("+41 (44) 123-45.67", "+41441234567"), ("030/123 456", "030123456"),
    ("*31#", "*31#"), (" 0800\t123 456 ", "0800123456"), ("+49\u00a030 1234", "+49301234"),
    ("", None), (" - ", None), ("()", None), ("+", None), ("n/a", None), ("1175 ext. 2", None),
    ("12+34", None), ("1175\n", "1175"), ("١٢٣", None),  # Arabic-Indic digits are not keypad digits
])
def test_dialable_keeps_only_keypad_characters(number, digits):
    assert dialable(number) == digits
    assert dial_uri(number) == (f"Dial:{digits}" if digits else None)


def set_number(store, user_name: str, number: str) -> None:
    member = member_of(store, user_name)
    with store.write() as conn:
        conn.execute(sa.update(members_table).where(members_table.c.id == member.id).values(number=number))


def test_direct_call_dials_a_number_written_with_separators(phone, store):
    set_number(store, "Rafael.Hidalgo", "+41 (44) 123-45.67")
    p = phone("1068").open(MENU).select("Direct call")
    (item,) = [i for i in p.screen.findall("MenuItem") if i.findtext("Name") == "Rafael Hidalgo"]
    assert item.findtext("URL") == "Dial:+41441234567"
    p.select("Rafael Hidalgo")
    assert p.dialled == "+41441234567"


def test_a_member_without_a_dialable_number_is_not_offered_for_dialling(phone, store, pbx):
    set_number(store, "Rafael.Hidalgo", "n/a")
    p = phone("1068").open(service("directCall"))
    assert "Rafael Hidalgo" not in p.items and "Léonard Saligny" in p.items
    assert all(i.findtext("URL").startswith("Dial:") for i in p.screen.findall("MenuItem"))
    p = phone("1118").open(DISPLAY).softkey("Members").select("2 Raf")
    assert p.kind == "CiscoIPPhoneText" and p.text == "Rafael Hidalgo has no number that can be dialled."
    pbx.ring("0800123456", "1118", "Support desk")  # a call to transfer: the tile still has an action
    p = phone("1118").open(DISPLAY).softkey("Members").select("2 Raf")
    assert p.items == ["Transfer call to Rafael Hidalgo"]
