"""One phone request: who asks (device, user), on what model, and how to link the next screen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from starlette.requests import Request

from phonesvc.config import Settings
from phonesvc.live.devices import DeviceRegistry
from phonesvc.live.state import LiveState
from phonesvc.phonemodels import PhoneModel
from phonesvc.store import Store
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import Telephony

URL_MAX = 256
_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")


def _quote(value) -> str:
    """Query-string encoding, skipping the work for the ids and names most links carry."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else quote_plus(text)


class PhoneError(Exception):
    """Shown to the phone user as a text screen: what is wrong and how to get back."""

    def __init__(self, text: str, title: str = "Not possible"):
        super().__init__(text)
        self.text = text
        self.title = title


@dataclass
class Phone:
    request: Request
    settings: Settings
    store: Store
    snap: Snapshot
    live: LiveState
    telephony: Telephony
    registry: DeviceRegistry
    model: PhoneModel
    device_name: str
    device: object  # store row
    user: object  # store row
    base: str  # .../Applications/inbound/<instance>/src
    refresh: tuple[int, str] | None = None  # (seconds, URL): a screen the phone reloads by itself
    # Set by a view whose screen follows only from the request, the configuration and the live state (no
    # action taken, no clock read): the same request then gets the same answer from memory (answers.py).
    keep: bool = False

    def param(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def int_param(self, name: str) -> int | None:
        value = self.param(name)
        return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None

    def url(self, asp: str = "IndependentServices.asp", /, **params) -> str:
        """An absolute link to another screen of this service, carrying the device name."""
        query = "&".join(f"{k}={_quote(v)}" for k, v in (*params.items(), ("device", self.device_name))
                         if v is not None)
        url = f"{self.base}/{asp}?{query}"
        if len(url) > URL_MAX:  # would be cut by the phone; a bug in the caller, never user input
            raise PhoneError("This screen's link is too long for the phone.", "Internal error")
        return url

    def same(self, **changes) -> str:
        """The URL of this very request with some parameters changed (a value None drops one)."""
        params = {k: v for k, v in self.request.query_params.items() if k != "device"}
        params.update(changes)
        return self.url(self.request.url.path.rsplit("/", 1)[-1], **params)

    def action(self, action: str, **params) -> str:
        return self.url(action=action, **params)

    def has(self, app: str, privilege: str) -> bool:
        return self.snap.has(self.user.id, app, privilege)


def service_base(base_url: str, instance: str) -> str:
    return f"{base_url}/Applications/inbound/{quote(instance)}/src"
