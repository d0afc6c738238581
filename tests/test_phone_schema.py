"""The project's CiscoIPPhone.xsd and xmlcheck on hand-written documents, and the phone-emulating
client (tests/phoneclient.py) against a tiny Starlette app."""

from __future__ import annotations

from types import SimpleNamespace
from xml.sax.saxutils import escape

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from phonesvc.phone import xmlcheck
from phonesvc.phone.xmlcheck import PhoneXmlError, check_phone_response, check_phone_xml
from tests.phoneclient import Phone, crawl

PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


def doc(body: str) -> bytes:
    return (PROLOG + body).encode("utf-8")


def item(name: str, url: str = "http://s/x") -> str:
    return f"<MenuItem><Name>{name}</Name><URL>{url}</URL></MenuItem>"


def key(name: str, url: str, position: int) -> str:
    return f"<SoftKeyItem><Name>{name}</Name><URL>{url}</URL><Position>{position}</Position></SoftKeyItem>"


def field(param: str, flags: str = "A", name: str = "Name") -> str:
    return (
        f"<InputItem><DisplayName>{name}</DisplayName><QueryStringParam>{param}</QueryStringParam>"
        f"<InputFlags>{flags}</InputFlags><DefaultValue></DefaultValue></InputItem>"
    )


def menu(items: str = item("One"), keys: str = key("Exit", "SoftKey:Exit", 1), title: str = "Menu") -> bytes:
    return doc(f"<CiscoIPPhoneMenu><Title>{title}</Title><Prompt>Pick one</Prompt>{items}{keys}</CiscoIPPhoneMenu>")


def text(body: str = "Hello", title: str = "Text") -> bytes:
    return doc(
        f"<CiscoIPPhoneText><Title>{title}</Title><Text>{body}</Text>{key('Back', 'SoftKey:Back', 1)}"
        "</CiscoIPPhoneText>"
    )


def form(fields: str = field("name"), url: str = "http://s/submit") -> bytes:
    return doc(
        f"<CiscoIPPhoneInput><Title>Form</Title><Prompt>Enter</Prompt><URL>{url}</URL>{fields}"
        f"{key('Submit', 'SoftKey:Submit', 1)}</CiscoIPPhoneInput>"
    )


VALID = {
    "menu": menu(
        item("One") + item("Two", "QueryStringParam:x=2") + item("Three", "Dial:1234"),
        key("Select", "SoftKey:Select", 1) + key("Exit", "SoftKey:Exit", 3),
    ),
    "menu-100-items-8-keys": menu(
        "".join(item(f"Item {i}") for i in range(100)), "".join(key(f"K{i}", "SoftKey:Exit", i) for i in range(1, 9))
    ),
    "menu-bare": doc("<CiscoIPPhoneMenu><MenuItem><Name>Only</Name></MenuItem></CiscoIPPhoneMenu>"),
    "text": text("Line 1\nLine 2\r\n\tindented"),
    "text-4000": text("x" * 4000),
    "input": form(
        field("name", "A") + field("number", "T") + field("pin", "NP") + field("up", "U") + field("eq", "EP")
    ),
    "input-item-without-default": doc(
        "<CiscoIPPhoneInput><URL>/s</URL><InputItem><DisplayName>Q</DisplayName><QueryStringParam>q"
        "</QueryStringParam><InputFlags>L</InputFlags></InputItem>" + key("Submit", "SoftKey:Submit", 1)
        + "</CiscoIPPhoneInput>"
    ),
    "softkey-with-url-down": menu(
        keys="<SoftKeyItem><Name>Talk</Name><URL>http://s/down</URL><URLDown>http://s/up</URLDown>"
        "<Position>1</Position></SoftKeyItem>"
    ),
    "directory": doc(
        "<CiscoIPPhoneDirectory><Title>Team</Title><Prompt>Select</Prompt>"
        + "".join(
            f"<DirectoryEntry><Name>Member {i}</Name><Telephone>10{i:02}</Telephone></DirectoryEntry>"
            for i in range(32)
        )
        + key("Dial", "SoftKey:Dial", 1)
        + key("Exit", "SoftKey:Exit", 2)
        + "</CiscoIPPhoneDirectory>"
    ),
    "image-file": doc(
        "<CiscoIPPhoneImageFile><Title>Logo</Title><LocationX>-1</LocationX><LocationY>-1</LocationY>"
        "<URL>http://s/logo.png</URL>" + key("Exit", "SoftKey:Exit", 1) + "</CiscoIPPhoneImageFile>"
    ),
    "graphic-file-menu": doc(
        "<CiscoIPPhoneGraphicFileMenu><Title>Pick</Title><URL>http://s/map.png</URL><LocationX>0</LocationX>"
        "<LocationY>10</LocationY>"
        + "".join(
            f'<MenuItem><Name>Area {i}</Name><URL>http://s/{i}</URL><TouchArea X1="0" Y1="{i}" X2="10" '
            f'Y2="{i + 1}"/></MenuItem>'
            for i in range(32)
        )
        + key("Exit", "SoftKey:Exit", 1)
        + "</CiscoIPPhoneGraphicFileMenu>"
    ),
    "icon-file-menu": doc(
        "<CiscoIPPhoneIconFileMenu><Title>Status</Title>"
        "<MenuItem><IconIndex>0</IconIndex><Name>Available</Name><URL>http://s/a</URL></MenuItem>"
        "<MenuItem><IconIndex>1</IconIndex><Name>Busy</Name><URL>http://s/b</URL></MenuItem>"
        "<IconItem><Index>0</Index><URL>http://s/green.png</URL></IconItem>"
        "<IconItem><Index>1</Index><URL>http://s/red.png</URL></IconItem>"
        + key("Exit", "SoftKey:Exit", 1)
        + "</CiscoIPPhoneIconFileMenu>"
    ),
    "execute": doc(
        '<CiscoIPPhoneExecute><ExecuteItem Priority="0" URL="http://s/popup"/>'
        '<ExecuteItem URL="Dial:1234"/><ExecuteItem Priority="2" URL="Play:ring.raw"/>'
        "</CiscoIPPhoneExecute>"
    ),
    "response": doc(
        '<CiscoIPPhoneResponse><ResponseItem Status="0" Data="Success" URL="http://s/popup"/></CiscoIPPhoneResponse>'
    ),
    "error": doc('<CiscoIPPhoneError Number="4"/>'),
}


@pytest.mark.parametrize("name", VALID)
def test_valid_samples_pass(name):
    root = check_phone_xml(VALID[name])
    assert root.tag.startswith("CiscoIPPhone")


def test_boundaries_pass():
    check_phone_xml(menu(item("n" * 64, "http://s/" + "u" * 247), title="t" * 32))
    check_phone_xml(menu(title="Ä" * 32))  # characters, not bytes
    check_phone_xml(form("".join(field(f"f{i}") for i in range(5)), url="/" + "u" * 255))


def test_menu_item_before_softkey_is_accepted_and_the_reverse_is_not():
    check_phone_xml(menu(item("One"), key("Exit", "SoftKey:Exit", 1)))
    with pytest.raises(PhoneXmlError, match="MenuItem"):
        check_phone_xml(doc(f"<CiscoIPPhoneMenu>{key('Exit', 'SoftKey:Exit', 1)}{item('One')}</CiscoIPPhoneMenu>"))


def test_special_characters_pass_with_named_entities():
    name = escape("Léonard & Vlahović <x> \"q\" 'a'", {'"': "&quot;", "'": "&apos;"})
    root = check_phone_xml(menu(item(name) + item("Müller, Ça va, Øre, Łódź"), title="Léonard Vlahović"))
    assert root.findtext("MenuItem/Name") == "Léonard & Vlahović <x> \"q\" 'a'"
    assert root.findtext("Title") == "Léonard Vlahović"
    check_phone_xml(text("Tom &amp; Jerry &lt;3 &gt; &quot;a&quot; &apos;b&apos;"))
    check_phone_xml(menu(item("Next", "http://s/list?page=2&amp;device=SEP1")))


EXTRA = "This element is not expected"  # libxml2's words for one element too many
LOCATION = "<LocationX>0</LocationX><LocationY>0</LocationY>"
# Cisco's schema fixes the order of every object's and every item's children (xsd:sequence).
ORDER_VIOLATIONS = {
    "input-item-in-the-dev-notes-order": (
        form(
            "<InputItem><DisplayName>Name</DisplayName><QueryStringParam>name</QueryStringParam>"
            "<DefaultValue></DefaultValue><InputFlags>A</InputFlags></InputItem>"
        ),
        f"'DefaultValue': {EXTRA}. Expected is ( InputFlags )",
    ),
    "input-item-param-first": (
        form(
            "<InputItem><QueryStringParam>name</QueryStringParam><DisplayName>Name</DisplayName>"
            "<InputFlags>A</InputFlags></InputItem>"
        ),
        "'QueryStringParam': " + EXTRA,
    ),
    "input-item-without-display-name": (
        form("<InputItem><QueryStringParam>n</QueryStringParam><InputFlags>A</InputFlags></InputItem>"),
        "'QueryStringParam': " + EXTRA,
    ),
    "input-items-before-url": (
        doc(f"<CiscoIPPhoneInput>{field('name')}<URL>/s</URL></CiscoIPPhoneInput>"),
        "'InputItem': " + EXTRA,
    ),
    "softkey-position-first": (
        menu(keys="<SoftKeyItem><Position>1</Position><Name>Exit</Name><URL>SoftKey:Exit</URL></SoftKeyItem>"),
        "'Position': " + EXTRA,
    ),
    "softkey-url-down-after-position": (
        menu(keys="<SoftKeyItem><Name>Talk</Name><URL>/d</URL><Position>1</Position><URLDown>/u</URLDown></SoftKeyItem>"),
        "'URLDown': " + EXTRA,
    ),
    "menu-item-url-first": (menu("<MenuItem><URL>http://s/</URL><Name>a</Name></MenuItem>"), "'URL': " + EXTRA),
    "title-after-prompt": (doc("<CiscoIPPhoneText><Prompt>p</Prompt><Title>t</Title></CiscoIPPhoneText>"), "Title"),
    "text-after-softkey": (
        doc(f"<CiscoIPPhoneText>{key('Exit', 'SoftKey:Exit', 1)}<Text>x</Text></CiscoIPPhoneText>"),
        "'Text': " + EXTRA,
    ),
    "image-file-url-first": (
        doc(f"<CiscoIPPhoneImageFile><URL>/i.png</URL>{LOCATION}</CiscoIPPhoneImageFile>"),
        "'URL': " + EXTRA,
    ),
    "graphic-file-menu-locations-first": (
        doc(f"<CiscoIPPhoneGraphicFileMenu>{LOCATION}<URL>/p.png</URL></CiscoIPPhoneGraphicFileMenu>"),
        "'LocationX': " + EXTRA,
    ),
    "graphic-file-menu-touch-area-first": (
        doc(
            f"<CiscoIPPhoneGraphicFileMenu><URL>/p.png</URL>{LOCATION}<MenuItem>"
            '<TouchArea X1="0" Y1="0" X2="1" Y2="1"/><Name>a</Name></MenuItem></CiscoIPPhoneGraphicFileMenu>'
        ),
        "'TouchArea': " + EXTRA,
    ),
    "directory-telephone-first": (
        doc(
            "<CiscoIPPhoneDirectory><DirectoryEntry><Telephone>1</Telephone><Name>a</Name></DirectoryEntry>"
            "</CiscoIPPhoneDirectory>"
        ),
        "'Name': " + EXTRA,
    ),
    "icon-item-url-first": (
        doc(
            "<CiscoIPPhoneIconFileMenu><MenuItem><Name>a</Name></MenuItem><IconItem><URL>http://s/i.png</URL>"
            "<Index>0</Index></IconItem></CiscoIPPhoneIconFileMenu>"
        ),
        "'URL': " + EXTRA,
    ),
    "icon-items-before-menu-items": (
        doc(
            "<CiscoIPPhoneIconFileMenu><IconItem><Index>0</Index><URL>http://s/i.png</URL></IconItem>"
            "<MenuItem><Name>a</Name></MenuItem></CiscoIPPhoneIconFileMenu>"
        ),
        "'MenuItem': " + EXTRA,
    ),
}
INVALID = {
    **ORDER_VIOLATIONS,
    "title-33": (menu(title="t" * 33), "Title"),
    "prompt-33": (doc(f"<CiscoIPPhoneText><Prompt>{'p' * 33}</Prompt></CiscoIPPhoneText>"), "Prompt"),
    "101-menu-items": (menu("".join(item(f"Item {i}") for i in range(101))), "'MenuItem': " + EXTRA),
    "33-graphic-menu-items": (
        doc(
            "<CiscoIPPhoneGraphicFileMenu><URL>http://s/p.png</URL>" + LOCATION
            + "".join(item(f"I{i}") for i in range(33))
            + "</CiscoIPPhoneGraphicFileMenu>"
        ),
        "'MenuItem': " + EXTRA,
    ),
    "33-icon-menu-items": (
        doc("<CiscoIPPhoneIconFileMenu>" + "".join(item(f"I{i}") for i in range(33)) + "</CiscoIPPhoneIconFileMenu>"),
        "'MenuItem': " + EXTRA,
    ),
    "name-65": (menu(item("n" * 65)), "Name"),
    "menu-item-without-name": (
        doc("<CiscoIPPhoneMenu><MenuItem><URL>http://s/</URL></MenuItem></CiscoIPPhoneMenu>"),
        "Name",
    ),
    "menu-url-257": (menu(item("One", "http://s/" + "u" * 248)), "URL"),
    "softkey-url-257": (menu(keys=key("Go", "/" + "u" * 256, 1)), "URL"),
    "input-url-257": (form(url="/" + "u" * 256), "URL"),
    "execute-url-257": (doc(f'<CiscoIPPhoneExecute><ExecuteItem URL="/{"u" * 256}"/></CiscoIPPhoneExecute>'), "URL"),
    "9-softkeys": (
        menu(keys="".join(key(f"K{i}", "SoftKey:Exit", i % 8 + 1) for i in range(9))),
        f"'SoftKeyItem': {EXTRA}",
    ),
    "softkey-position-9": (menu(keys=key("Exit", "SoftKey:Exit", 9)), "Position"),
    "softkey-position-0": (menu(keys=key("Exit", "SoftKey:Exit", 0)), "Position"),
    "softkey-same-position": (menu(keys=key("Exit", "SoftKey:Exit", 1) + key("Back", "SoftKey:Back", 1)), "Position"),
    "softkey-name-33": (menu(keys=key("k" * 33, "SoftKey:Exit", 1)), "Name"),
    "softkey-without-position": (
        menu(keys="<SoftKeyItem><Name>Exit</Name><URL>SoftKey:Exit</URL></SoftKeyItem>"),
        "Position",
    ),
    "6-input-items": (form("".join(field(f"f{i}") for i in range(6))), f"'InputItem': {EXTRA}"),
    "input-flags-X": (form(field("f", "X")), "InputFlags"),
    "input-flags-prefix-P": (form(field("f", "PA")), "InputFlags"),
    "input-flags-AA": (form(field("f", "AA")), "InputFlags"),
    "input-flags-lowercase": (form(field("f", "a")), "InputFlags"),
    "input-display-name-33": (form(field("f", "A", "d" * 33)), "DisplayName"),
    "input-without-url": (doc(f"<CiscoIPPhoneInput>{field('f')}</CiscoIPPhoneInput>"), "URL"),
    "text-4001": (text("x" * 4001), "Text"),
    "33-directory-entries": (
        doc(
            "<CiscoIPPhoneDirectory>"
            + "<DirectoryEntry><Name>a</Name></DirectoryEntry>" * 33
            + "</CiscoIPPhoneDirectory>"
        ),
        f"'DirectoryEntry': {EXTRA}",
    ),
    "4-execute-items": (
        doc("<CiscoIPPhoneExecute>" + '<ExecuteItem URL="Dial:1"/>' * 4 + "</CiscoIPPhoneExecute>"),
        f"'ExecuteItem': {EXTRA}",
    ),
    "execute-priority-3": (
        doc('<CiscoIPPhoneExecute><ExecuteItem Priority="3" URL="Dial:1"/></CiscoIPPhoneExecute>'),
        "Priority",
    ),
    "location-minus-2": (
        doc(
            "<CiscoIPPhoneImageFile><LocationX>-2</LocationX><LocationY>0</LocationY><URL>/i.png</URL>"
            "</CiscoIPPhoneImageFile>"
        ),
        "LocationX",
    ),
    "location-not-integer": (
        doc(
            "<CiscoIPPhoneImageFile><LocationX>0</LocationX><LocationY>top</LocationY><URL>/i.png</URL>"
            "</CiscoIPPhoneImageFile>"
        ),
        "LocationY",
    ),
    "touch-area-without-y2": (
        doc(
            "<CiscoIPPhoneGraphicFileMenu><URL>/p.png</URL>" + LOCATION + "<MenuItem><Name>a</Name>"
            '<TouchArea X1="0" Y1="0" X2="1"/></MenuItem></CiscoIPPhoneGraphicFileMenu>'
        ),
        "Y2",
    ),
    "unknown-element": (menu(item("One") + "<Colour>red</Colour>"), "Colour"),
    "unknown-child": (menu("<MenuItem><Name>a</Name><URL>/a</URL><Icon>1</Icon></MenuItem>"), "Icon"),
    "unknown-attribute": (
        doc('<CiscoIPPhoneMenu appId="x"><MenuItem><Name>a</Name></MenuItem></CiscoIPPhoneMenu>'),
        "appId",
    ),
    "unknown-object": (doc("<CiscoIPPhoneStatus><Text>x</Text></CiscoIPPhoneStatus>"), "CiscoIPPhoneStatus"),
    "wrong-case": (doc("<CiscoIPPhoneMenu><menuitem><Name>a</Name></menuitem></CiscoIPPhoneMenu>"), "menuitem"),
    "namespace": (
        doc('<CiscoIPPhoneMenu xmlns="urn:x"><MenuItem><Name>a</Name></MenuItem></CiscoIPPhoneMenu>'),
        "CiscoIPPhoneMenu",
    ),
    "numeric-entity": (menu(item("O&#39;Brien")), "&#39;"),
    "hex-entity": (menu(item("O&#x27;Brien")), "&#x27;"),
    "unknown-named-entity": (text("a&nbsp;b"), "&nbsp;"),
    "raw-ampersand": (menu(item("Next", "http://s/list?page=2&device=SEP1")), "&device="),
    "control-character": (text("bell \x07"), "control character"),
    "escape-character": (text("\x1b[1m"), "control character"),
    "c1-control-character": (text("next line \x85"), "control character"),
    "missing-prolog": (b"<CiscoIPPhoneText><Text>x</Text></CiscoIPPhoneText>", "prolog"),
    "single-quoted-prolog": (b"<?xml version='1.0' encoding='UTF-8'?><CiscoIPPhoneText/>", "prolog"),
    "bom-before-prolog": (b"\xef\xbb\xbf" + text(), "prolog"),
    "latin-1-body": (
        PROLOG.encode() + "<CiscoIPPhoneText><Text>é</Text></CiscoIPPhoneText>".encode("latin-1"),
        "UTF-8",
    ),
    "not-well-formed": (doc("<CiscoIPPhoneText><Text>x</CiscoIPPhoneText>"), "well-formed"),
    "doctype": (doc("<!DOCTYPE CiscoIPPhoneText><CiscoIPPhoneText><Text>x</Text></CiscoIPPhoneText>"), "DOCTYPE"),
    "cdata": (doc("<CiscoIPPhoneText><Text><![CDATA[a & b]]></Text></CiscoIPPhoneText>"), "CDATA"),
}


@pytest.mark.parametrize("name", INVALID)
def test_each_violation_fails(name):
    body, fragment = INVALID[name]
    with pytest.raises(PhoneXmlError) as info:
        check_phone_xml(body)
    assert fragment in str(info.value)


def fake_response(content_type: str | None, body: bytes = VALID["menu"]):
    headers = {} if content_type is None else {"content-type": content_type}
    return SimpleNamespace(headers=headers, content=body)


@pytest.mark.parametrize(
    "content_type", ["text/xml; charset=UTF-8", "text/xml; charset=utf-8", "text/xml;charset=UTF-8"]
)
def test_content_type_accepted(content_type):
    assert check_phone_response(fake_response(content_type)).tag == "CiscoIPPhoneMenu"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/html; charset=UTF-8",
        "text/xml",
        "application/xml; charset=UTF-8",
        "text/xml; charset=ISO-8859-1",
        "text/plain",
    ],
)
def test_wrong_content_type_fails(content_type):
    with pytest.raises(PhoneXmlError, match="Content-Type"):
        check_phone_response(fake_response(content_type))


def test_response_body_is_checked_too():
    with pytest.raises(PhoneXmlError, match="&#39;"):
        check_phone_response(fake_response("text/xml; charset=UTF-8", menu(item("O&#39;Brien"))))


def test_schema_is_loaded_once():
    assert xmlcheck._schema() is xmlcheck._schema()


# -- the phone-emulating client --------------------------------------------------------------------
def xml(body: str, **headers: str) -> Response:
    return Response(PROLOG + body, media_type="text/xml; charset=UTF-8", headers=headers)


def esc(value: str) -> str:
    return escape(value, {'"': "&quot;", "'": "&apos;"})


def make_app(seen: list[Request]) -> Starlette:
    async def main_menu(request: Request) -> Response:
        seen.append(request)
        return xml(
            "<CiscoIPPhoneMenu><Title>Main</Title><Prompt>Choose</Prompt>"
            + item("Say hello", "/text")
            + item("Fill a form", "form")  # a relative URL
            + key("Call", "Dial:1000", 3)
            + key("Select", "SoftKey:Select", 1)
            + key("Exit", "SoftKey:Exit", 2)
            + "</CiscoIPPhoneMenu>"
        )

    async def hello(request: Request) -> Response:
        seen.append(request)
        count = request.query_params.get("count", "1")
        refresh = {"Refresh": "30; url=/text?count=2"} if count == "1" else {}
        return xml(
            f"<CiscoIPPhoneText><Title>Hello</Title><Text>Hello {count}</Text>"
            + key("Back", "SoftKey:Back", 1)
            + key("Exit", "SoftKey:Exit", 2)
            + "</CiscoIPPhoneText>",
            **refresh,
        )

    async def input_form(request: Request) -> Response:
        seen.append(request)
        return xml(
            "<CiscoIPPhoneInput><Title>Form</Title><Prompt>Enter values</Prompt><URL>/echo?form=1</URL>"
            + field("name", "A", "Name")
            + field("number", "T", "Number")
            + "<InputItem><DisplayName>PIN</DisplayName><QueryStringParam>pin</QueryStringParam>"
            "<InputFlags>NP</InputFlags><DefaultValue>0000</DefaultValue></InputItem>"
            + key("Submit", "SoftKey:Submit", 1)
            + key("Back", "SoftKey:Back", 2)
            + "</CiscoIPPhoneInput>"
        )

    async def echo(request: Request) -> Response:
        seen.append(request)
        values = ";".join(f"{k}={v}" for k, v in request.query_params.multi_items())
        return xml(
            f"<CiscoIPPhoneText><Title>Echo</Title><Text>{esc(values)}</Text>"
            + key("Back", "SoftKey:Back", 1)
            + "</CiscoIPPhoneText>",
            Expires="Sat, 01 Jan 2000 00:00:00 GMT",
        )

    async def qsp(request: Request) -> Response:
        seen.append(request)
        return xml(
            "<CiscoIPPhoneMenu><Title>Messages</Title>"
            + item("Message one", "QueryStringParam:message=1")
            + item("Message two", "QueryStringParam:message=2")
            + key("Read", "/echo", 1)
            + key("Delete", "/echo?op=delete", 2)
            + "</CiscoIPPhoneMenu>"
        )

    async def qsp_keys(request: Request) -> Response:
        seen.append(request)
        return xml(
            "<CiscoIPPhoneMenu><Title>Messages</Title>"
            + item("Message one", "/echo?message=1")
            + item("Message two", "/echo?message=2")
            + item("Services", "Init:Services")
            + key("Read", "QueryStringParam:action=read", 1)
            + "</CiscoIPPhoneMenu>"
        )

    async def directory(request: Request) -> Response:
        return xml(
            "<CiscoIPPhoneDirectory><Title>Team</Title>"
            "<DirectoryEntry><Name>Léonard</Name><Telephone>1047</Telephone></DirectoryEntry>"
            "<DirectoryEntry><Name>Vlahović</Name><Telephone>1048</Telephone></DirectoryEntry>"
            + key("Dial", "SoftKey:Dial", 1)
            + "</CiscoIPPhoneDirectory>"
        )

    async def execute(request: Request) -> Response:
        return xml(
            '<CiscoIPPhoneExecute><ExecuteItem URL="Dial:0800123456"/><ExecuteItem URL="/text?count=9"/>'
            "</CiscoIPPhoneExecute>"
        )

    async def bad_entity(request: Request) -> Response:
        return xml("<CiscoIPPhoneText><Text>O&#39;Brien</Text></CiscoIPPhoneText>")

    async def crash(request: Request) -> Response:
        return Response("boom", status_code=500)

    return Starlette(
        routes=[
            Route("/menu", main_menu),
            Route("/text", hello),
            Route("/form", input_form),
            Route("/echo", echo),
            Route("/qsp", qsp),
            Route("/qsp-keys", qsp_keys),
            Route("/directory", directory),
            Route("/execute", execute),
            Route("/bad", bad_entity),
            Route("/crash", crash),
        ]
    )


@pytest.fixture
def seen() -> list[Request]:
    return []


@pytest.fixture
def phone(seen) -> Phone:
    return Phone(TestClient(make_app(seen)), "SEP001122334455", "CP-8865", "559,265,24,C")


def test_phone_sends_its_headers_and_device_name(phone, seen):
    phone.open("/menu?device=#DEVICENAME#")
    request = seen[-1]
    assert request.query_params["device"] == "SEP001122334455"
    assert request.headers["x-CiscoIPPhoneModelName"] == "CP-8865"
    assert request.headers["x-CiscoIPPhoneDisplay"] == "559,265,24,C"
    assert request.headers["x-CiscoIPPhoneSDKVersion"]
    assert request.headers["Accept-Language"] == "en"
    assert phone.trail == ["http://testserver/menu?device=SEP001122334455"]


def test_default_display_comes_from_the_model():
    assert Phone(None, model="CP-7965G").display == "298,156,16,C"
    assert Phone(None, model="CP-8865").display == "559,265,24,C"


def test_screen_properties(phone):
    phone.open("/menu")
    assert phone.kind == "CiscoIPPhoneMenu"
    assert (phone.title, phone.prompt, phone.text) == ("Main", "Choose", None)
    assert phone.items == ["Say hello", "Fill a form"]
    assert phone.softkeys == ["Select", "Exit", "Call"]  # Position order
    phone.select("Fill a form")
    assert phone.kind == "CiscoIPPhoneInput"
    assert phone.inputs == [("Name", "name", "A", ""), ("Number", "number", "T", ""), ("PIN", "pin", "NP", "0000")]


@pytest.mark.parametrize("choice", ["Say hello", 1, "hello"])
def test_select_by_name_index_or_unique_substring(phone, choice):
    phone.open("/menu").select(choice)
    assert (phone.kind, phone.text) == ("CiscoIPPhoneText", "Hello 1")


@pytest.mark.parametrize("choice", ["Goodbye", 3, 0, "a"])  # "a" is in both names: ambiguous
def test_select_what_is_not_there_raises_with_the_xml(phone, choice):
    phone.open("/menu")
    with pytest.raises(AssertionError, match="<CiscoIPPhoneMenu>"):
        phone.select(choice)


def test_relative_urls_resolve_against_the_screen(phone):
    phone.open("/menu").select("Fill a form")
    assert phone.url == "http://testserver/form"


def test_back_re_requests_the_previous_url_and_exit_leaves(phone):
    phone.open("/menu").select("Say hello")
    assert phone.history == ["http://testserver/menu", "http://testserver/text"]
    phone.softkey("Back")
    assert phone.title == "Main"
    assert phone.trail[-1] == "http://testserver/menu"  # requested again: phones do not cache
    assert len(phone.trail) == 3
    phone.back()
    assert phone.screen is None and phone.kind is None
    phone.open("/menu").select(1).softkey("Exit")
    assert phone.screen is None and phone.history == []


def test_softkey_select_follows_the_highlighted_item(phone):
    phone.open("/menu").softkey("Select")
    assert phone.title == "Hello"
    phone.open("/menu").highlight("form").softkey("Select")
    assert phone.title == "Form"


def test_missing_softkey_raises(phone):
    phone.open("/menu")
    with pytest.raises(AssertionError, match="'Back' is not there"):
        phone.softkey("Back")


def test_submit_appends_the_values_like_the_phone(phone, seen):
    phone.open("/menu").select("Fill a form").submit(name="Léonard & Co's", number="#0123")
    assert phone.title == "Echo"
    assert phone.text == "form=1;name=Léonard & Co's;number=#0123;pin=0000"
    assert phone.trail[-1] == "http://testserver/echo?form=1&name=L%C3%A9onard%20%26%20Co%27s&number=%230123&pin=0000"


def test_submit_softkey_sends_the_defaults(phone):
    phone.open("/form").softkey("Submit")
    assert phone.text == "form=1;name=;number=;pin=0000"


def test_submit_refuses_unknown_fields_and_untypeable_values(phone):
    phone.open("/form")
    with pytest.raises(AssertionError, match="no InputItem"):
        phone.submit(surname="x")
    with pytest.raises(AssertionError, match="cannot type"):
        phone.submit(number="+49")
    with pytest.raises(AssertionError, match="cannot type"):
        phone.submit(pin="12a4")
    phone.open("/menu")
    with pytest.raises(AssertionError, match="not a CiscoIPPhoneInput"):
        phone.submit(name="x")


def test_expired_pages_stay_out_of_the_back_history(phone):
    phone.open("/menu").select("Fill a form").submit(name="x")
    assert phone.history == ["http://testserver/menu", "http://testserver/form"]  # /echo has expired already
    phone.softkey("Back")
    assert phone.kind == "CiscoIPPhoneInput"
    phone.softkey("Back")
    assert phone.title == "Main"


def test_dial_softkey_stops_there(phone):
    phone.open("/menu").softkey("Call")
    assert phone.dialled == "1000" and phone.last_uri == "Dial:1000"
    assert phone.title == "Main" and len(phone.trail) == 1


def test_query_string_param_items_are_appended_to_the_softkey_url(phone):
    phone.open("/qsp").select("Message two")
    assert len(phone.trail) == 1 and phone.highlighted == 1  # only the cursor moved
    phone.softkey("Read")
    assert phone.text == "message=2"
    phone.open("/qsp").softkey("Delete")  # first item highlighted by default
    assert phone.trail[-1] == "http://testserver/echo?op=delete&message=1"


def test_query_string_param_softkey_is_appended_to_the_item_url(phone):
    phone.open("/qsp-keys").highlight(2).softkey("Read")
    assert phone.text == "message=2;action=read"


def test_init_uri_stops_there(phone):
    phone.open("/qsp-keys").select("Services")
    assert phone.last_uri == "Init:Services" and phone.dialled is None
    assert phone.title == "Messages" and len(phone.trail) == 1


def test_crawl_uses_given_input_values(phone):
    urls = [url for url, _ in crawl(phone, "/form", input_values={"number": "0800", "other": "x"})]
    assert urls[-1] == "http://testserver/echo?form=1&name=Test&number=0800&pin=0000"


def test_refresh_follows_the_refresh_header(phone):
    phone.open("/text").refresh()
    assert phone.text == "Hello 2"
    assert phone.history == ["http://testserver/text?count=2"]  # replaced, not stacked
    with pytest.raises(AssertionError, match="no Refresh header"):
        phone.refresh()


def test_directory_entries_dial(phone):
    phone.open("/directory")
    assert phone.entries == [("Léonard", "1047"), ("Vlahović", "1048")]
    phone.select("Vlahović")
    assert phone.dialled == "1048"
    phone.highlight(1).softkey("Dial")
    assert phone.dialled == "1047"


def test_execute_answers_are_executed(phone):
    phone.open("/execute")
    assert phone.dialled == "0800123456"
    assert phone.text == "Hello 9"


def test_invalid_answers_fail_with_the_body(phone):
    with pytest.raises(AssertionError, match="&#39;"):
        phone.open("/bad")
    with pytest.raises(AssertionError, match="HTTP 500"):
        phone.open("/crash")


def test_crawl_visits_every_reachable_screen(phone, seen):
    screens = crawl(phone, "/menu?device=#DEVICENAME#")
    urls = [url for url, _ in screens]
    assert urls == [
        "http://testserver/menu?device=SEP001122334455",
        "http://testserver/text",
        "http://testserver/form",
        "http://testserver/text?count=2",
        "http://testserver/echo?form=1&name=Test&number=1234&pin=0000",
    ]
    assert [root.tag for _, root in screens] == [
        "CiscoIPPhoneMenu",
        "CiscoIPPhoneText",
        "CiscoIPPhoneInput",
        "CiscoIPPhoneText",
        "CiscoIPPhoneText",
    ]
    assert phone.dialled is None  # Dial: is never followed


def test_crawl_follows_query_string_params(phone):
    urls = [url for url, _ in crawl(phone, "/qsp")] + [url for url, _ in crawl(phone, "/qsp-keys")]
    assert "http://testserver/echo?message=2" in urls
    assert "http://testserver/echo?op=delete&message=1" in urls
    assert "http://testserver/echo?message=2&action=read" in urls


def test_crawl_stops_at_max_screens(phone):
    with pytest.raises(AssertionError, match="more than 2 screens"):
        crawl(phone, "/menu", max_screens=2)


@pytest.mark.parametrize(
    "value", ["-1", "0", "yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 01 Jan 1900 00:00:00 GMT"]
)
def test_expires_must_be_an_http_date_after_1970(value):
    def answer(request: Request) -> Response:
        return xml("<CiscoIPPhoneText><Text>x</Text></CiscoIPPhoneText>", Expires=value)

    app = Starlette(routes=[Route("/", answer)])
    with pytest.raises(AssertionError, match="HTTP date after 1970"):
        Phone(TestClient(app)).open("/")


def test_an_object_the_phone_does_not_list_is_xml_error_5(phone, seen):
    phone.open("/menu")
    assert seen[-1].headers["Accept"].startswith("x-CiscoIPPhone/Menu, x-CiscoIPPhone/Text, ")
    limited = Phone(phone.client, model="CP-7841", objects=("Menu", "Text"))
    limited.open("/menu")
    with pytest.raises(AssertionError, match=r"XML Error \[5\]: a CP-7841 takes no CiscoIPPhoneInput"):
        limited.select("Fill a form")


def test_graphic_file_menu_items_need_touch():
    def tiles(request: Request) -> Response:
        return xml(
            "<CiscoIPPhoneGraphicFileMenu><URL>http://s/p.png</URL>" + LOCATION
            + '<MenuItem><Name>Tile</Name><URL>/t</URL><TouchArea X1="0" Y1="0" X2="9" Y2="9"/></MenuItem>'
            + "</CiscoIPPhoneGraphicFileMenu>"
        )

    app = Starlette(routes=[Route("/", tiles)])
    client = TestClient(app)
    assert Phone(client, model="CP-8865").open("/").links() == []  # no touch: nothing to follow
    with pytest.raises(AssertionError, match="has no touch"):
        Phone(client, model="CP-8865").open("/").select("Tile")
    assert Phone(client, model="CP-7970G").open("/").links() == ["http://testserver/t"]
