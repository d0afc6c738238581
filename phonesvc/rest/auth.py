"""Who may call the REST API: loopback freely, everyone else with Basic credentials of a user
holding REST Authentication. Proxy headers count only from configured proxies. The password check
and its throttle are shared with the web sign-in (phonesvc/credentials.py)."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable

from starlette.requests import Request

from phonesvc.addresses import client_ip
from phonesvc.config import Settings
from phonesvc.credentials import NOT_AUTHORIZED, PAUSE, TOO_MANY_ATTEMPTS, CredentialCheck, Refusal
from phonesvc.domain.privileges import REST_AUTHENTICATION
from phonesvc.store import Store

__all__ = ["NOT_AUTHORIZED", "TOO_MANY_ATTEMPTS", "Authenticator", "Refusal", "credentials"]


def credentials(request: Request) -> tuple[str, str] | None:
    """(user name, password) of a Basic Authorization header, or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.casefold() != "basic" or not token:
        return None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user_name, sep, password = text.partition(":")
    return (user_name, password) if sep else None


class Authenticator(CredentialCheck):
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float] = time.monotonic,
                 pause: float = PAUSE):
        super().__init__(store, clock, pause)
        self.settings = settings

    def local(self, request: Request) -> bool:
        """A client on this machine, let in without credentials."""
        return _loopback(client_ip(request, self.settings))

    async def check(self, request: Request) -> Refusal | None:
        """None when the request may use the API, else why not."""
        ip = client_ip(request, self.settings)
        if _loopback(ip):
            return None
        sent = credentials(request)
        if sent is None:
            return Refusal(NOT_AUTHORIZED)
        outcome = await self.verify(ip, *sent, privilege=REST_AUTHENTICATION)
        return outcome if isinstance(outcome, Refusal) else None


def _loopback(ip) -> bool:
    return ip is not None and ip.is_loopback
