"""Phone models from phone_models.yaml, looked up by what the phone sends."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

MODELS_FILE = Path(__file__).resolve().parent.parent.parent / "phone_models.yaml"
# Every CiscoIPPhone object a phone can be sent, as named in its Accept header (x-CiscoIPPhone/<name>).
OBJECTS = ("Menu", "Text", "Input", "Directory", "Image", "ImageFile", "GraphicMenu", "GraphicFileMenu", "IconMenu",
           "IconFileMenu", "Status", "StatusFile", "Execute")
_BY_FOLDED = {o.casefold(): o for o in OBJECTS}


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


def find(model_header: str = "", display_header: str = "", accept_header: str = "") -> PhoneModel:
    """The model a phone names in x-CiscoIPPhoneModelName; an unknown one is described from its
    x-CiscoIPPhoneDisplay header ('width, height, depth, C|G'), else taken as an 88xx. A phone that
    lists objects in its Accept header is never sent one it does not list; an unknown model that lists
    none gets the objects every known model takes."""
    models, _ = load()
    listed = accepted(accept_header) if accept_header else None
    found = models.get(model_header.strip().casefold())
    if found:
        return found if listed is None else replace(found, objects=tuple(o for o in found.objects if o in listed))
    width, height, depth, grey = 559, 265, 24, False
    match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*([CG])\s*", display_header or "")
    if match:
        width, height, depth = (int(match.group(i)) for i in (1, 2, 3))
        grey = match.group(4) == "G"
    family = "79xx" if width < 320 else "88xx"
    return PhoneModel(model_header.strip() or "unknown", (), 3 if height < 200 else 4, 6, width, height, depth, False,
                      family, listed or basic_objects(), grey)
