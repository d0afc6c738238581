"""A Cisco IP phone emulated for tests: it requests service URLs with a phone's headers, validates
every answer (phonesvc.phone.xmlcheck), and navigates the screens the way a phone does.

    phone = Phone(TestClient(app), "SEP001122334455")          # or httpx2.Client(base_url=...)
    phone.open("/src/PhoneMenu.asp?device=#DEVICENAME#")
    phone.select("Change status").select("Away").submit(msg="Lunch")
    assert phone.title == "Status changed"
    phone.softkey("Back")

Behaviour taken from Cisco's "IP Phone Services Application Development Notes":

- URLs: `#DEVICENAME#` is replaced by the device name everywhere (CUCM does it in service URLs);
  paths and relative URLs are resolved against the current screen's URL. Redirects are followed.
- History: the phone keeps a stack of URLs, not of content ("the phone does not cache content"), so
  Back (`back()`, `SoftKey:Back`, `SoftKey:Cancel`, `SoftKey:<<` outside an Input) *requests the
  previous URL again*. A page that has already expired when it arrives (an `Expires` date in the
  past) is shown but not pushed on the stack, so Back skips it. Back from the first screen,
  and `SoftKey:Exit`, leave the service: `.screen` becomes None.
- `select(x)`: x is an exact item name, a 1-based index, or a text contained in exactly one name. It
  highlights the item and follows its URL. On a Directory the rows are the entries and selecting one
  dials its Telephone.
- QueryStringParam (the notes, "QueryStringParam" in "Internal URI Features"): the data after the
  colon is appended literally (`?` or `&`) to another URL, never an index or a name:
    * a MenuItem whose URL is `QueryStringParam:d` does nothing when selected (the cursor moves to
      it); pressing a softkey with an HTTP URL while it is highlighted requests `softkey URL + d`
      (`http://server/read.asp` + `message=1` -> `http://server/read.asp?message=1`);
    * a softkey whose URL is `QueryStringParam:x` requests the highlighted MenuItem's URL + x
      (`http://server/messages.asp?message=1` + `action=read` -> `...?message=1&action=read`).
  Use `highlight(x)` to move the cursor without following anything; a new screen highlights item 1.
- `submit(**values)` fills InputItems by QueryStringParam (the others keep their DefaultValue) and
  requests the Input's URL + `?p1=v1&p2=v2` in InputItem order, percent-encoded. A value the phone's
  keypad cannot type in a T (0-9 * #) or N (0-9) field is refused with an AssertionError.
- `Dial:n` sets `.dialled = "n"`; every other non-HTTP URI (Dial, EditDial, Init, Key, Play, Notify,
  RTP...) sets `.last_uri` and stops there: the screen stays as it was.
- A CiscoIPPhoneExecute answer is executed: HTTP URLs are requested, URIs are recorded.
- `refresh()` follows the current answer's `Refresh: N; url=URL` header (the current URL when it has
  no url) and replaces the current screen; `SoftKey:Update` requests the current URL again.
- Objects: the phone sends `Accept: x-CiscoIPPhone/Menu, ...` with the objects its model takes
  (phone_models.yaml, or `objects=`); an answer that is another object is the phone's "XML Error [5]",
  an AssertionError.
- A CiscoIPPhoneGraphicFileMenu "does not use the keypad, but uses rectangular touch areas": on a
  model without touch (phone_models.yaml `touch`, or `touch=`) its items cannot be selected, and a
  crawl does not follow them.
- `Expires` must be an HTTP date (88xx phones need one after 1970-01-01); "-1" or any other value is
  an AssertionError.
- Every answer must be HTTP 200 and pass check_phone_response; anything else, and any attempt to
  select or press what is not on the screen, raises AssertionError with the screen's XML.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin

from lxml import etree

from phonesvc.phone.xmlcheck import PhoneXmlError, check_phone_response

MENU_KINDS = ("CiscoIPPhoneMenu", "CiscoIPPhoneGraphicFileMenu", "CiscoIPPhoneIconFileMenu")
KEYPAD = {"T": set("0123456789*#"), "N": set("0123456789")}
CRAWL_VALUES = {"T": "1234", "N": "1234", "E": "1234", "A": "Test", "U": "TEST", "L": "test"}
MODELS_FILE = Path(__file__).resolve().parent.parent / "phone_models.yaml"


def model_entry(model: str) -> dict | None:
    """A model's row in phone_models.yaml, by a name it sends in x-CiscoIPPhoneModelName."""
    try:
        import yaml

        for m in yaml.safe_load(MODELS_FILE.read_text(encoding="utf-8"))["models"]:
            if model in m["header_names"]:
                return m
    except (OSError, KeyError, TypeError, ImportError):
        pass
    return None


def default_display(model: str) -> str:
    """The x-CiscoIPPhoneDisplay a model sends ("width,height,depth,C"), from phone_models.yaml."""
    m = model_entry(model)
    return f"{m['width']},{m['height']},{m['color_bits']},C" if m else "559,265,24,C"


def http_date_expired(value: str) -> bool:
    """Whether an Expires value, which must be an HTTP date after 1970 (88xx phones), lies in the past."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None or when <= dt.datetime(1970, 1, 1, tzinfo=dt.UTC):
        raise AssertionError(f"Expires: {value!r} is not an HTTP date after 1970 (88xx phones need one)")
    return when <= dt.datetime.now(dt.UTC)


def scheme(url: str) -> str:
    """The lower-cased scheme of a URL or URI ('http', 'dial', 'softkey', ...), '' for a path."""
    head, sep, _ = url.partition(":")
    return head.lower() if sep and head and not any(c in head for c in "/?#") else ""


def is_link(url: str | None) -> bool:
    """An HTTP(S) URL or a path: something the phone requests (not a Dial:/SoftKey:/... URI)."""
    return bool(url and url.strip()) and scheme(url) in ("", "http", "https")


def append_query(url: str, data: str) -> str:
    return url + ("&" if "?" in url else "?") + data if data else url


def expired(response) -> bool:
    value = response.headers.get("expires")
    return value is not None and http_date_expired(value)


class Phone:
    """One emulated phone. `client` is anything with httpx's `get(url, headers=..., follow_redirects=...)`:
    a Starlette TestClient, or `httpx2.Client(base_url=...)` for a real server."""

    def __init__(
        self,
        client,
        device: str = "SEP001122334455",
        model: str = "CP-8865",
        display: str | None = None,
        *,
        sdk_version: str = "12.0.1",
        language: str = "en",
        objects: tuple[str, ...] | None = None,
        touch: bool | None = None,
    ):
        self.client = client
        self.device = device
        self.model = model
        self.display = display or default_display(model)
        entry = model_entry(model) or {}
        self.objects = tuple(objects if objects is not None else entry.get("objects", ()))  # () does not say
        self.touch = touch if touch is not None else bool(entry.get("touch"))
        self.headers = {
            "x-CiscoIPPhoneModelName": model,
            "x-CiscoIPPhoneDisplay": self.display,
            "x-CiscoIPPhoneSDKVersion": sdk_version,
            "Accept-Language": language,
            "Accept-Charset": "utf-8",
        }
        if self.objects:
            self.headers["Accept"] = ", ".join([*(f"x-CiscoIPPhone/{o}" for o in self.objects), "image/png"])
        self.url: str | None = None  # absolute URL of the current screen
        self.response = None  # the HTTP response of the current screen
        self.screen: etree._Element | None = None
        self.highlighted = 0  # 0-based index of the highlighted row
        self.history: list[str] = []  # the phone's URL stack (Back re-requests its top)
        self.trail: list[str] = []  # every URL requested, in order
        self.dialled: str | None = None
        self.last_uri: str | None = None
        self._on_stack = False  # whether the current screen's URL is history[-1]

    # -- what is on the screen ------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        return None if self.screen is None else self.screen.tag

    def _text(self, tag: str) -> str | None:
        return None if self.screen is None else self.screen.findtext(tag)

    @property
    def title(self) -> str | None:
        return self._text("Title")

    @property
    def prompt(self) -> str | None:
        return self._text("Prompt")

    @property
    def text(self) -> str | None:
        return self._text("Text")

    @property
    def xml(self) -> str:
        return "(no screen)" if self.response is None else self.response.text

    @property
    def touch_only(self) -> bool:
        """A GraphicFileMenu on a phone without touch: its items cannot be chosen."""
        return self.kind == "CiscoIPPhoneGraphicFileMenu" and not self.touch

    def _rows(self) -> list[etree._Element]:
        if self.kind in MENU_KINDS:
            return self.screen.findall("MenuItem")
        if self.kind == "CiscoIPPhoneDirectory":
            return self.screen.findall("DirectoryEntry")
        return []

    @property
    def items(self) -> list[str]:
        """Names of the selectable rows: MenuItems, or a Directory's entries."""
        return [row.findtext("Name") or "" for row in self._rows()]

    @property
    def entries(self) -> list[tuple[str, str]]:
        """A Directory's (Name, Telephone) pairs."""
        return [(e.findtext("Name") or "", e.findtext("Telephone") or "") for e in self._rows()]

    def _softkey_items(self) -> list[etree._Element]:
        keys = [] if self.screen is None else self.screen.findall("SoftKeyItem")
        return sorted(keys, key=lambda k: int(k.findtext("Position") or 0))

    @property
    def softkeys(self) -> list[str]:
        """SoftKeyItem names in Position order."""
        return [k.findtext("Name") or "" for k in self._softkey_items()]

    @property
    def inputs(self) -> list[tuple[str, str, str, str]]:
        """(DisplayName, QueryStringParam, InputFlags, DefaultValue) of each InputItem."""
        items = [] if self.screen is None else self.screen.findall("InputItem")
        return [
            tuple(i.findtext(t) or "" for t in ("DisplayName", "QueryStringParam", "InputFlags", "DefaultValue"))
            for i in items
        ]

    def fail(self, message: str):
        raise AssertionError(f"{message}\nscreen {self.url}:\n{self.xml}")

    # -- navigation -----------------------------------------------------------------------------
    def resolve(self, url: str) -> str:
        url = url.strip().replace("#DEVICENAME#", self.device)
        return urljoin(self.url, url) if self.url else url

    def open(self, url: str) -> Phone:
        """Request a service URL (absolute or a path) as a new screen."""
        self._load(self.resolve(url))
        return self

    def _load(self, url: str, *, push: bool = True, replace: bool = False) -> None:
        response = self.client.get(url, headers=self.headers, follow_redirects=True)
        self.trail.append(str(response.url))
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered HTTP {response.status_code}:\n{response.text}")
        try:
            root = check_phone_response(response)
        except PhoneXmlError as exc:
            raise AssertionError(f"GET {url}: {exc}\n{response.text}") from exc
        kind = root.tag.removeprefix("CiscoIPPhone")
        if self.objects and kind not in self.objects:
            raise AssertionError(f"GET {url}: XML Error [5]: a {self.model} takes no {root.tag}\n{response.text}")
        if root.tag == "CiscoIPPhoneExecute":
            for item in root.findall("ExecuteItem"):
                self._follow(item.get("URL"))
            return
        if replace and self._on_stack and self.history:
            self.history.pop()
        self.url, self.response, self.screen, self.highlighted = str(response.url), response, root, 0
        self._on_stack = push and not expired(response)
        if self._on_stack:
            self.history.append(self.url)

    def _follow(self, url: str | None) -> None:
        """Do what the phone does with a MenuItem, SoftKeyItem or ExecuteItem URL."""
        if not url or not url.strip():
            return
        kind = scheme(url)
        if kind in ("", "http", "https"):
            self._load(self.resolve(url))
        elif kind == "softkey":
            self._builtin(url.partition(":")[2])
        elif kind == "querystringparam":
            pass  # selecting such an item only moves the cursor
        else:
            self.last_uri = url
            if kind == "dial":
                self.dialled = url.partition(":")[2]

    def back(self) -> Phone:
        """Back: re-request the previous URL of the stack; leaves the service from the first screen."""
        if self._on_stack and self.history:
            self.history.pop()
        if not self.history:
            return self.exit()
        self._load(self.history[-1], push=False)
        self._on_stack = True
        return self

    def exit(self) -> Phone:
        self.url = self.response = self.screen = None
        self.history.clear()
        self._on_stack = False
        return self

    def refresh(self) -> Phone:
        """Follow the `Refresh` header of the current answer, replacing the current screen."""
        value = None if self.response is None else self.response.headers.get("refresh")
        if value is None:
            self.fail("refresh(): the current answer has no Refresh header")
        _, _, rest = value.partition(";")
        name, _, target = rest.strip().partition("=")
        target = target.strip() if name.strip().lower() == "url" and target.strip() else self.url
        self._load(self.resolve(target), replace=True)
        return self

    def _find(self, key: int | str, names: list[str], what: str) -> int:
        if isinstance(key, int):
            if 1 <= key <= len(names):
                return key - 1
            self.fail(f"no {what} number {key} among {names}")
        if key in names:
            return names.index(key)
        matches = [i for i, name in enumerate(names) if key in name]
        if len(matches) == 1:
            return matches[0]
        self.fail(f"{what} {key!r} is {'ambiguous' if matches else 'not there'} among {names}")

    def highlight(self, name_or_index: int | str) -> Phone:
        """Move the cursor to a row without following it."""
        if self.touch_only:
            self.fail(f"a {self.model} has no touch: a GraphicFileMenu's items cannot be chosen")
        self.highlighted = self._find(name_or_index, self.items, "item")
        return self

    def select(self, name_or_index: int | str) -> Phone:
        """Highlight a row and follow its URL (a Directory entry is dialled)."""
        self.highlight(name_or_index)
        row = self._rows()[self.highlighted]
        if self.kind == "CiscoIPPhoneDirectory":
            self._follow("Dial:" + (row.findtext("Telephone") or ""))
        else:
            self._follow(row.findtext("URL"))
        return self

    def softkey(self, name: str) -> Phone:
        """Press the softkey called `name` (exact) and do what its URL says."""
        keys = {k.findtext("Name"): k.findtext("URL") for k in reversed(self._softkey_items())}
        if name not in keys:
            self.fail(f"softkey {name!r} is not there among {self.softkeys}")
        url = keys[name] or ""
        kind = scheme(url)
        if kind in ("", "http", "https", "querystringparam") and url.strip():
            self._load(self._softkey_target(url, self._highlighted_url()))
        else:
            self._follow(url)
        return self

    def _highlighted_url(self) -> str | None:
        rows = self._rows() if self.kind in MENU_KINDS and not self.touch_only else []
        return rows[self.highlighted].findtext("URL") if rows else None

    def _softkey_target(self, url: str, item_url: str | None) -> str:
        """The absolute URL pressing a softkey (an HTTP or QueryStringParam URL) requests while the
        row whose URL is `item_url` is highlighted."""
        if scheme(url) == "querystringparam":
            if not is_link(item_url):
                self.fail(f"softkey URL {url!r} needs a highlighted MenuItem with an HTTP URL, not {item_url!r}")
            return self.resolve(append_query(item_url, url.partition(":")[2]))
        if item_url and scheme(item_url) == "querystringparam":
            url = append_query(url, item_url.partition(":")[2])
        return self.resolve(url)

    def _builtin(self, name: str) -> None:
        """The phone's own softkey functions (SoftKey:<name>)."""
        if name in ("Back", "Cancel") or (name == "<<" and self.kind != "CiscoIPPhoneInput"):
            self.back()
        elif name == "Exit":
            self.exit()
        elif self._rows() and (name == "Select" or name == "Dial" and self.kind == "CiscoIPPhoneDirectory"):
            self.select(self.highlighted + 1)
        elif name == "Submit" and self.kind == "CiscoIPPhoneInput":
            self.submit()
        elif name == "Update" and self.url:
            self._load(self.url, replace=True)
        else:
            self.last_uri = "SoftKey:" + name  # Next, Search, EditDial, <<, ...: nothing to emulate

    def _input_target(self, values: dict[str, str], check: bool = True) -> str:
        if self.kind != "CiscoIPPhoneInput":
            self.fail("submit(): the screen is not a CiscoIPPhoneInput")
        params = {param: default for _, param, _, default in self.inputs}
        unknown = set(values) - set(params)
        if unknown:
            self.fail(f"submit(): no InputItem {sorted(unknown)}; the fields are {list(params)}")
        for _, param, flags, _ in self.inputs:
            if param in values:
                value = params[param] = str(values[param])
                allowed = KEYPAD.get(flags[:1])
                if check and allowed and not set(value) <= allowed:
                    self.fail(f"submit(): a phone cannot type {value!r} in the {flags} field {param!r}")
        query = urlencode(params, quote_via=quote)
        return self.resolve(append_query(self.screen.findtext("URL") or "", query))

    def submit(self, **values) -> Phone:
        """Fill the Input's fields by QueryStringParam and submit it like the phone does."""
        self._load(self._input_target(values))
        return self

    def links(self, input_values: dict[str, str] | None = None) -> list[str]:
        """Every absolute URL this screen can make the phone request: each MenuItem, each softkey
        with each row highlighted (QueryStringParam included), the Input submitted with
        `input_values` (else DefaultValue, else a plausible value for its InputFlags), the Refresh
        header's URL. Never Dial:/Init:/Key:/Play:/SoftKey: URIs."""
        found: list[str] = []
        rows = self._rows() if self.kind in MENU_KINDS and not self.touch_only else []
        item_urls = [row.findtext("URL") for row in rows]
        found += [self.resolve(u) for u in item_urls if is_link(u)]
        for key in self._softkey_items():
            url = key.findtext("URL") or ""
            if is_link(url):
                found += [self._softkey_target(url, u) for u in item_urls or [None]]
            elif scheme(url) == "querystringparam":
                found += [self._softkey_target(url, u) for u in item_urls if is_link(u)]
        if self.kind == "CiscoIPPhoneInput":
            values = {param: default or CRAWL_VALUES.get(flags[:1], "1234") for _, param, flags, default in self.inputs}
            values.update({k: v for k, v in (input_values or {}).items() if k in values})
            found.append(self._input_target(values, check=False))
        refresh = self.response.headers.get("refresh") if self.response is not None else None
        if refresh:
            _, _, rest = refresh.partition(";")
            name, _, target = rest.strip().partition("=")
            if name.strip().lower() == "url" and is_link(target):
                found.append(self.resolve(target))
        return list(dict.fromkeys(found))


def crawl(
    phone: Phone, start_url: str, max_screens: int = 500, input_values: dict[str, str] | None = None
) -> list[tuple[str, etree._Element]]:
    """Visit every screen reachable from `start_url` and return (absolute url, root element) for each.

    It follows every MenuItem and SoftKeyItem URL that is an HTTP(S) URL or a path (with every
    QueryStringParam combination a highlighted row can give), submits every Input (see
    Phone.links for the values), follows Refresh headers, and never requests the same URL twice.
    Dial:/Init:/Key:/Play:/SoftKey: URIs are not followed. Every answer is validated by the phone.

    The crawl FOLLOWS LINKS, so links that change state (e.g. "Leave group", "Delete", a toggle)
    DO change state: crawl a throw-away fixture. More than `max_screens` screens is an
    AssertionError (a URL that changes on every visit would make the crawl endless).
    """
    seen: list[tuple[str, etree._Element]] = []
    visited: set[str] = set()
    queue = [phone.resolve(start_url)]
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        phone.exit()
        phone.open(url)
        if phone.screen is None:  # an Execute that only dialled
            continue
        visited.add(phone.url)
        if len(seen) >= max_screens:
            raise AssertionError(f"crawl: more than {max_screens} screens from {start_url}")
        seen.append((phone.url, phone.screen))
        queue += [link for link in phone.links(input_values) if link not in visited]
    return seen
