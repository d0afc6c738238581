"""Phone models from phone_models.yaml, looked up by what the phone sends."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

MODELS_FILE = Path(__file__).resolve().parent.parent / "phone_models.yaml"
# Every CiscoIPPhone object a phone can be sent, as named in its Accept header (x-CiscoIPPhone/<name>).
OBJECTS = ("Menu", "Text", "Input", "Directory", "Image", "ImageFile", "GraphicMenu", "GraphicFileMenu", "IconMenu",
           "IconFileMenu", "Status", "StatusFile", "Execute")
_BY_FOLDED = {o.casefold(): o for o in OBJECTS}
# What a model name in x-CiscoIPPhoneModelName looks like (CP-8865, Cisco IP Communicator); anything else is
# ignored, as if the header were absent: it would end up in the status image's link, which a phone cuts at 256.
_MODEL_HEADER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._+-]{0,31}")
_DISPLAY_HEADER = re.compile(r"\s*(\d{1,4})\s*,\s*(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*([CG])\s*")  # w, h, depth, C|G
DISPLAY_MAX = (1280, 1024)  # larger than any Cisco services area: beyond it a header would make us render gigapixels


@dataclass(frozen=True)
class Softkeys:
    """A family's softkey order: where role keys go on menus, texts and pictures, and on forms."""

    screen: tuple[str, ...]
    form: tuple[str, ...]


@dataclass(frozen=True)
class PhoneModel:
    name: str
    header_names: tuple[str, ...]
    rows: int
    columns: int
    width: int
    height: int
    color_bits: int
    touch: bool
    family: str
    objects: tuple[str, ...]
    grey: bool = False  # a greyscale display ("G" in x-CiscoIPPhoneDisplay); color_bits is then its grey depth

    @property
    def softkeys(self) -> Softkeys:
        return load()[1][self.family]


@functools.cache
def load() -> tuple[dict[str, PhoneModel], dict[str, Softkeys]]:
    data = yaml.safe_load(MODELS_FILE.read_text(encoding="utf-8"))
    families = {name: Softkeys(tuple(f["softkeys"]), tuple(f["form_softkeys"])) for name, f in data["families"].items()}
    models = {}
    for m in data["models"]:
        model = PhoneModel(m["name"], tuple(m["header_names"]), m["rows"], m["columns"], m["width"], m["height"],
                           m["color_bits"], m["touch"], m["family"], tuple(m["objects"]), m.get("grey", False))
        for header in (model.name, *model.header_names):
            models[header.casefold()] = model
    return models, families


@functools.cache
def basic_objects() -> tuple[str, ...]:
    """The objects every listed model takes: what a phone that names neither its model nor its objects gets."""
    every = [set(m.objects) for m in load()[0].values()]
    return tuple(o for o in OBJECTS if all(o in objects for objects in every))


@functools.lru_cache(maxsize=256)
def accepted(accept_header: str) -> tuple[str, ...] | None:
    """The CiscoIPPhone objects an Accept header lists (`x-CiscoIPPhone/Menu, x-CiscoIPPhone/Text, ...`),
    None when it lists none (a phone that does not say). Unknown names are ignored."""
    listed = set()
    for part in accept_header.split(","):
        kind, _, name = part.partition(";")[0].strip().partition("/")
        if kind.casefold() == "x-ciscoipphone" and name.casefold() in _BY_FOLDED:
            listed.add(_BY_FOLDED[name.casefold()])
    return tuple(o for o in OBJECTS if o in listed) or None


def clean_model_header(value: str | None) -> str:
    """x-CiscoIPPhoneModelName as sent, or '' when it cannot be a model name (overlong, odd characters)."""
    value = (value or "").strip()
    return value if _MODEL_HEADER.fullmatch(value) else ""


def clean_display_header(value: str | None) -> str:
    """x-CiscoIPPhoneDisplay as sent, or '' when it is not 'width, height, depth, C|G' of a plausible screen."""
    value = (value or "").strip()
    match = _DISPLAY_HEADER.fullmatch(value)
    if not match:
        return ""
    width, height, depth = (int(match.group(i)) for i in (1, 2, 3))
    return value if 0 < width <= DISPLAY_MAX[0] and 0 < height <= DISPLAY_MAX[1] and 0 < depth <= 32 else ""


def find(model_header: str = "", display_header: str = "", accept_header: str = "") -> PhoneModel:
    """The model a phone names in x-CiscoIPPhoneModelName; an unknown one is described from its
    x-CiscoIPPhoneDisplay header ('width, height, depth, C|G'), else taken as an 88xx. A phone that
    lists objects in its Accept header is never sent one it does not list; an unknown model that lists
    none gets the objects every known model takes."""
    models, _ = load()
    listed = accepted(accept_header) if accept_header else None
    model_header = clean_model_header(model_header)
    found = models.get(model_header.casefold())
    if found:
        return found if listed is None else replace(found, objects=tuple(o for o in found.objects if o in listed))
    width, height, depth, grey = 559, 265, 24, False
    match = _DISPLAY_HEADER.fullmatch(clean_display_header(display_header))
    if match:
        width, height, depth = (int(match.group(i)) for i in (1, 2, 3))
        grey = match.group(4) == "G"
    family = "79xx" if width < 320 else "88xx"
    return PhoneModel(model_header.strip() or "unknown", (), 3 if height < 200 else 4, 6, width, height, depth, False,
                      family, listed or basic_objects(), grey)
