"""Checks that a body (or an HTTP response) is a CiscoIPPhone object a phone will accept.

The rules, from Cisco's IP Phone Services Application Development Notes: the exact UTF-8 prolog, well-formed XML that
validates against the project's own CiscoIPPhone.xsd (next to this file), only the five named
entities (no numeric character references: whether phones accept them is unconfirmed), no DOCTYPE
or CDATA section (the phone's parser is not a full XML parser), no control characters but CR, LF and
TAB, and `Content-Type: text/xml; charset=UTF-8`. Used by the test suite and by the server's debug
mode.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

from lxml import etree

PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>'
CONTENT_TYPE = "text/xml; charset=UTF-8"
XSD_PATH = Path(__file__).with_name("CiscoIPPhone.xsd")

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BAD_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)[^;\s<]{0,12};?")
_MARKUP = re.compile(r"<!(?:DOCTYPE|\[CDATA\[)")
_lock = threading.Lock()


class PhoneXmlError(ValueError):
    """The body or response is not something a Cisco IP phone accepts; the message says why."""


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_phone_xml(body: bytes) -> etree._Element:
    """The root element of `body`; raises PhoneXmlError unless a phone would accept it."""
    if not body.startswith(PROLOG):
        raise PhoneXmlError(f"body does not start with the prolog {PROLOG.decode()}: {body[:60]!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PhoneXmlError(f"body is not UTF-8: {exc}") from None
    if m := _CONTROL.search(text):
        raise PhoneXmlError(f"control character {m.group()!r} at line {_line(text, m.start())}")
    if m := _MARKUP.search(text):
        raise PhoneXmlError(f"{m.group()!r} at line {_line(text, m.start())}: phones do not support it")
    if m := _BAD_ENTITY.search(text):
        raise PhoneXmlError(
            f"{m.group()!r} at line {_line(text, m.start())}: only &amp; &lt; &gt; &quot; &apos; may be used"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise PhoneXmlError(f"not well-formed XML: {exc}") from None
    schema = _schema()
    with _lock:
        valid = schema.validate(root)
        errors = [f"line {e.line}: {e.message[:200]}" for e in schema.error_log if "Warning:" not in e.message]
    if not valid:
        raise PhoneXmlError(f"<{root.tag}> does not match CiscoIPPhone.xsd: " + "; ".join(errors[:5]))
    return root


def check_phone_response(response) -> etree._Element:
    """check_phone_xml on an HTTP response (anything with .headers and .content), after its
    Content-Type: it must be `text/xml; charset=UTF-8` (the charset value in any case)."""
    content_type = response.headers.get("content-type")
    media_type, _, params = (content_type or "").partition(";")
    if media_type.strip() != "text/xml" or params.strip().lower() != "charset=utf-8":
        raise PhoneXmlError(f"Content-Type is {content_type!r}, not {CONTENT_TYPE!r}")
    return check_phone_xml(response.content)
