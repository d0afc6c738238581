"""The phone screens phonesvc shows, as plain data; `render` writes them with the Jinja2 templates in
templates/cisco/, within Cisco's limits, with softkeys where the phone family expects them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from phonesvc.phonemodels import Softkeys
from phonesvc.xmltext import escape

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "cisco"
TITLE, NAME, PAGE = 32, 64, 100  # Title/Prompt length, MenuItem name length, MenuItems per page


@dataclass(frozen=True)
class Item:
    name: str
    url: str


@dataclass(frozen=True)
class Key:
    """A softkey. `role` places it: Select, Back, Exit, Update and Submit go where the phone family
    puts them; other keys fill the free positions in the order given."""

    name: str
    url: str
    role: str = ""
    position: int = 0


@dataclass(frozen=True)
class Field:
    label: str
    param: str
    flags: str = "A"
    default: str = ""


@dataclass(frozen=True, kw_only=True)
class _Screen:
    """What every screen has besides its own content. `history`: whether the phone keeps the screen's
    URL on its Back stack. Menus and forms do, so that Back returns to them (the phone requests the
    URL again, so they are never stale). Texts do not: they report what a request did (or why it
    could not), and Back must never repeat an action; they are answered with an `Expires` date in the
    past. `kind`: the object's name in the phone's Accept header (x-CiscoIPPhone/<kind>)."""

    prompt: str = ""
    keys: list[Key] = field(default_factory=list)
    history: bool = True


@dataclass(frozen=True)
class Menu(_Screen):
    title: str
    items: list[Item]
    template = "menu.xml"
    kind = "Menu"
    tag = "CiscoIPPhoneMenu"


@dataclass(frozen=True)
class Text(_Screen):
    title: str
    text: str
    history: bool = field(default=False, kw_only=True)
    template = "text.xml"
    kind = "Text"
    tag = "CiscoIPPhoneText"


@dataclass(frozen=True)
class Input(_Screen):
    """A form. It always has FORM_KEYS (Submit, <<, Cancel, Exit): softkeys a service defines replace
    the phone's own, and without << and Cancel nobody could correct a typing mistake or leave; `keys`
    adds others."""

    title: str
    url: str
    fields: list[Field]
    template = "input.xml"
    kind = "Input"
    tag = "CiscoIPPhoneInput"


@dataclass(frozen=True)
class TouchItem:
    """A GraphicFileMenu item, chosen by touching its area: Cisco documents no keypad selection, so on
    a phone without touch the same URL must be reachable another way (a plain Menu)."""

    name: str
    url: str
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class GraphicFileMenu(_Screen):
    title: str
    image_url: str
    items: list[TouchItem]
    template = "graphicfilemenu.xml"
    kind = "GraphicFileMenu"
    tag = "CiscoIPPhoneGraphicFileMenu"


@dataclass(frozen=True)
class ImageFile(_Screen):
    title: str
    image_url: str
    template = "imagefile.xml"
    kind = "ImageFile"
    tag = "CiscoIPPhoneImageFile"


Screen = Menu | Text | Input | GraphicFileMenu | ImageFile

SELECT = Key("Select", "SoftKey:Select", "Select")
BACK = Key("Back", "SoftKey:Back", "Back")
EXIT = Key("Exit", "SoftKey:Exit", "Exit")
SUBMIT = Key("Submit", "SoftKey:Submit", "Submit")
BACKSPACE = Key("<<", "SoftKey:<<", "<<")
CANCEL = Key("Cancel", "SoftKey:Cancel", "Cancel")
FORM_KEYS = (SUBMIT, BACKSPACE, CANCEL, EXIT)


def _finalize(value):
    """Every {{ }} is escaped with named entities (markupsafe would write &#39;)."""
    return escape("" if value is None else value)


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, finalize=_finalize,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
                          undefined=jinja2.StrictUndefined)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def place_keys(keys: list[Key], order: tuple[str, ...]) -> list[Key]:
    """Positions 1..8: role keys where the family wants them (phone_models.yaml), the others in the gaps."""
    slots = {role: i + 1 for i, role in enumerate(order)}
    placed: dict[int, Key] = {}
    for key in keys:
        if key.role in slots:
            placed[slots[key.role]] = key
    free = (p for p in range(1, 9) if p not in placed)
    for key in keys:
        if key.role not in slots:
            placed[next(free)] = key
    return [replace(k, name=_cut(k.name, TITLE), position=p) for p, k in sorted(placed.items())]


def render(screen: Screen, softkeys: Softkeys, objects: tuple[str, ...]) -> bytes:
    """The screen's XML for a phone of that softkey family that takes `objects`. A phone asks for the
    same screen again and again (menus are refetched on Back and on every press of a service button),
    so identical screens are written once."""
    if screen.kind not in objects:  # a view's bug: the phone would show "XML Error [5]"
        raise ValueError(f"this phone takes no CiscoIPPhone{screen.kind} (it takes {', '.join(objects)})")
    key = (type(screen), softkeys, *(tuple(v) if isinstance(v, list) else v for v in vars(screen).values()))
    body = _written.get(key)
    if body is None:
        if len(_written) >= 4096:  # bounded: a crude but sufficient LRU for screens
            _written.clear()
        body = _written[key] = _write(screen, softkeys)
    return body


_written: dict[tuple, bytes] = {}


def _write(screen: Screen, softkeys: Softkeys) -> bytes:
    kwargs = {"title": _cut(screen.title, TITLE), "prompt": _cut(screen.prompt, TITLE)}
    keys, order = screen.keys, softkeys.screen
    if isinstance(screen, Input):
        keys, order = [*FORM_KEYS, *(k for k in keys if k not in FORM_KEYS)], softkeys.form
    if isinstance(screen, Menu):
        if len(screen.items) > PAGE:
            raise ValueError(f"{len(screen.items)} menu items: page them with phone.screens.paged")
        kwargs["items"] = [Item(_cut(i.name, NAME), i.url) for i in screen.items]
    if isinstance(screen, Text):
        kwargs["text"] = screen.text[:4000]
    template = _env.get_template(screen.template)
    return template.render(screen=replace(screen, **kwargs), softkeys=place_keys(keys, order)).encode("utf-8")


def paged(items: list[Item], page: int, page_url, size: int = PAGE) -> tuple[list[Item], list[Key]]:
    """One page of a long list and its << / >> softkeys; page_url(n) links page n (0-based)."""
    last = max(0, (len(items) - 1) // size)
    page = min(max(page, 0), last)
    keys = []
    if page > 0:
        keys.append(Key("<<", page_url(page - 1)))
    if page < last:
        keys.append(Key(">>", page_url(page + 1)))
    return items[page * size:(page + 1) * size], keys
