"""What a phone makes of a service's answer: the CiscoIPPhone object as plain data (JSON for the preview's
script), or the error the phone shows instead and why.

The XML is read here, with lxml, rather than in the browser with DOMParser: the rules that decide what the
phone shows (which objects the model takes, the strict parser that refuses unknown or misspelt tags, the
limits) live in Python next to the model table, are the same for the page, `phonesvc preview-shot` and the
tests, and the browser gets one plain description to draw. The XML itself is shown pretty-printed below the
phone.

A phone's parser is not a full XML parser: names are case-sensitive and a tag the object does not define is
an error. A malformed or unknown object is "XML Error [4]" (parse error), an object the model does not
take "XML Error [5]" (Cisco: "an object a model does not support shows XML Error [5]"); the wording after
the number varies by firmware."""

from __future__ import annotations

from lxml import etree

from phonesvc.phonemodels import PhoneModel

PARSE_ERROR = ("XML Error [4]", "Parse Error")
UNSUPPORTED = ("XML Error [5]", "Unsupported object")
MAX_TEXT = 4000
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

_COMMON = ("Title", "Prompt", "SoftKeyItem")
# Each object's children (Cisco's XSD); any other tag makes the phone refuse the object.
CHILDREN = {
    "Menu": (*_COMMON, "MenuItem"),
    "Text": (*_COMMON, "Text"),
    "Input": (*_COMMON, "URL", "InputItem"),
    "Directory": (*_COMMON, "DirectoryEntry"),
    "IconMenu": (*_COMMON, "MenuItem", "IconItem"),
    "IconFileMenu": (*_COMMON, "MenuItem", "IconItem"),
    "Image": (*_COMMON, "LocationX", "LocationY", "Width", "Height", "Depth", "Data"),
    "GraphicMenu": (*_COMMON, "LocationX", "LocationY", "Width", "Height", "Depth", "Data", "MenuItem"),
    "ImageFile": (*_COMMON, "LocationX", "LocationY", "URL"),
    "GraphicFileMenu": (*_COMMON, "LocationX", "LocationY", "URL", "MenuItem"),
    "Status": ("Text", "Timer", "LocationX", "LocationY", "Width", "Height", "Depth", "Data"),
    "StatusFile": ("Text", "Timer", "LocationX", "LocationY", "URL"),
    "Execute": ("ExecuteItem",),
    "Response": ("ResponseItem",),
    "Error": (),
}
ITEM_CHILDREN = {
    "SoftKeyItem": ("Name", "URL", "URLDown", "Position"),
    "MenuItem": ("Name", "URL", "IconIndex", "TouchArea"),
    "InputItem": ("DisplayName", "QueryStringParam", "InputFlags", "DefaultValue"),
    "DirectoryEntry": ("Name", "Telephone"),
    "IconItem": ("Index", "URL", "Height", "Width", "Depth", "Data"),
}


class Refused(ValueError):
    """The phone would not show the object; the message says why (shown below the phone)."""


def error_screen(title_text: tuple[str, str], why: str) -> dict:
    title, text = title_text
    return {"object": "Error", "title": title, "text": text, "why": why}


def _text(element, name: str) -> str:
    child = element.find(name)
    return (child.text or "") if child is not None else ""


def _int(element, name: str) -> int | None:
    value = _text(element, name).strip()
    return int(value) if value.lstrip("-").isdigit() and len(value) < 8 else None


def _check_children(element, allowed: tuple[str, ...], where: str) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if child.tag not in allowed:
            raise Refused(f"<{child.tag}> is not an element of {where} (the phone's parser is case-sensitive "
                          f"and takes only {', '.join(allowed) or 'no children'})")
        if child.tag in ITEM_CHILDREN:
            _check_children(child, ITEM_CHILDREN[child.tag], f"<{child.tag}>")


def _softkeys(root) -> list[dict]:
    keys = []
    for i, item in enumerate(root.iter("SoftKeyItem")):
        keys.append({"name": _text(item, "Name"), "url": _text(item, "URL").strip(),
                     "urlDown": _text(item, "URLDown").strip(), "position": _int(item, "Position") or i + 1})
    return keys


def _menu_items(root) -> list[dict]:
    items = []
    for item in root.findall("MenuItem"):
        entry = {"name": _text(item, "Name"), "url": _text(item, "URL").strip()}
        if item.find("IconIndex") is not None:
            entry["icon"] = _int(item, "IconIndex")
        area = item.find("TouchArea")
        if area is not None:
            entry["touch"] = [int(area.get(k, "0")) if area.get(k, "0").lstrip("-").isdigit() else 0
                              for k in ("X1", "Y1", "X2", "Y2")]
        items.append(entry)
    if len(items) > 100:
        raise Refused(f"{len(items)} MenuItems: a phone takes at most 100")
    return items


def _content(kind: str, root) -> dict:
    """The object's own parts, by kind."""
    if kind in ("Menu", "IconMenu", "IconFileMenu", "GraphicMenu", "GraphicFileMenu"):
        out: dict = {"items": _menu_items(root)}
        if kind in ("IconMenu", "IconFileMenu"):
            out["icons"] = {str(_int(i, "Index")): _icon(i) for i in root.findall("IconItem")}
        if kind in ("GraphicMenu", "GraphicFileMenu"):
            out |= _picture(kind, root)
        return out
    if kind == "Text":
        return {"text": _text(root, "Text")[:MAX_TEXT]}
    if kind == "Input":
        fields = [{"label": _text(i, "DisplayName"), "param": _text(i, "QueryStringParam"),
                   "flags": _text(i, "InputFlags").strip() or "A", "default": _text(i, "DefaultValue")}
                  for i in root.findall("InputItem")]
        if len(fields) > 5:
            raise Refused(f"{len(fields)} InputItems: a phone takes at most 5")
        return {"url": _text(root, "URL").strip(), "fields": fields}
    if kind == "Directory":
        entries = [{"name": _text(e, "Name"), "telephone": _text(e, "Telephone").strip()}
                   for e in root.findall("DirectoryEntry")]
        if len(entries) > 32:
            raise Refused(f"{len(entries)} DirectoryEntries: a phone takes at most 32 per object")
        return {"entries": entries}
    if kind in ("Image", "ImageFile", "Status", "StatusFile"):
        return _picture(kind, root) | ({"text": _text(root, "Text")} if kind.startswith("Status") else {})
    if kind == "Execute":
        items = [{"url": i.get("URL", ""), "priority": int(i.get("Priority", "0"))
                  if i.get("Priority", "0").isdigit() else 0} for i in root.findall("ExecuteItem")]
        if len(items) > 3:
            raise Refused(f"{len(items)} ExecuteItems: a phone takes at most 3")
        return {"items": items}
    if kind == "Response":
        return {"items": [{"status": i.get("Status", ""), "data": i.get("Data", ""), "url": i.get("URL", "")}
                          for i in root.findall("ResponseItem")]}
    return {"number": root.get("Number", "")}  # Error


def _icon(item) -> dict:
    """An IconItem: a PNG by URL (IconFileMenu) or packed pixels (IconMenu)."""
    if item.find("URL") is not None:
        return {"url": _text(item, "URL").strip()}
    return {"width": _int(item, "Width"), "height": _int(item, "Height"), "data": _text(item, "Data").strip()}


def _picture(kind: str, root) -> dict:
    out = {"x": _int(root, "LocationX"), "y": _int(root, "LocationY")}
    if "File" in kind:  # ImageFile, GraphicFileMenu, StatusFile: a PNG by URL
        out["image"] = _text(root, "URL").strip()
    else:  # packed 2-bit grey pixels (Image, GraphicMenu, Status)
        out |= {"width": _int(root, "Width"), "height": _int(root, "Height"), "depth": _int(root, "Depth"),
                "data": _text(root, "Data").strip()}
    return out


def describe(body: bytes, content_type: str, model: PhoneModel) -> dict:
    """What `model` shows for a service's answer `body`: {"object": kind, "title", "prompt", "softkeys",
    ...its parts}, or {"object": "Error", "title": "XML Error [n]", "text", "why"}."""
    media = content_type.partition(";")[0].strip().lower()
    if media == "text/plain":  # phones show plain text as it is
        return {"object": "Text", "title": "", "prompt": "", "softkeys": [],
                "text": body.decode("utf-8", "replace")[:MAX_TEXT]}
    if not body.strip():
        return error_screen(PARSE_ERROR, "The answer is empty.")
    try:
        root = etree.fromstring(body.strip(), _PARSER)
    except etree.XMLSyntaxError as exc:
        return error_screen(PARSE_ERROR, f"Not well-formed XML: {exc}")
    tag = root.tag if isinstance(root.tag, str) else ""
    kind = tag.removeprefix("CiscoIPPhone") if tag.startswith("CiscoIPPhone") else ""
    if kind not in CHILDREN:
        return error_screen(PARSE_ERROR, f"<{tag}> is not a CiscoIPPhone object.")
    if kind not in ("Response", "Error") and kind not in model.objects:
        return error_screen(UNSUPPORTED, f"The {model.name} does not take CiscoIPPhone{kind} "
                            f"(it takes {', '.join(model.objects)}).")
    try:
        _check_children(root, CHILDREN[kind], f"<{tag}>")
        content = _content(kind, root)
    except Refused as exc:
        return error_screen(PARSE_ERROR, str(exc))
    return {"object": kind, "title": _text(root, "Title"), "prompt": _text(root, "Prompt"),
            "softkeys": _softkeys(root), **content}


def pretty(body: bytes) -> str:
    """The XML indented for reading, with its prolog (as it came when it is not well-formed)."""
    try:
        root = etree.fromstring(body.strip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return body.decode("utf-8", "replace")
    etree.indent(root, space="  ")
    prolog = body.strip().partition(b"?>")[0] + b"?>\n" if body.strip().startswith(b"<?xml") else b""
    return prolog.decode("utf-8", "replace") + etree.tostring(root, encoding="unicode")
