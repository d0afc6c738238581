"""Who may call the REST API: loopback freely, everyone else with Basic credentials of a user
holding REST Authentication. Proxy headers count only from configured proxies.

Each password check is a 16 MiB scrypt run, slow on purpose. So failed attempts are throttled per
client address and per user name (a throttled request is refused before anything is hashed), at
most HASHING checks run at once whatever the number of guessers, and a verified password is
remembered (as a keyed hash) so that a client sending credentials with every request pays once."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from phonesvc.addresses import Address, client_ip
from phonesvc.config import Settings
from phonesvc.domain.passwords import verify_password
from phonesvc.domain.privileges import REST_AUTHENTICATION
from phonesvc.domain.throttle import Throttle
from phonesvc.store import Store
from phonesvc.store.users import find_user, user_key, user_privileges

NOT_AUTHORIZED = "NOT_AUTHORIZED"
TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
HASHING = 1  # scrypt runs at once: 16 MiB and one core each
PAUSE = 1.0  # seconds a throttled client waits for its refusal: a guessing loop idles instead of spinning
REMEMBERED = 4096  # verified passwords kept


@dataclass(frozen=True)
class Refusal:
    status: str  # NOT_AUTHORIZED or TOO_MANY_ATTEMPTS
    retry_after: int = 0  # seconds, for TOO_MANY_ATTEMPTS


def _credentials(request: Request) -> tuple[str, str] | None:
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


def _address_key(ip: Address | None) -> tuple:
    """An IPv6 client owns its whole /64, so the /64 is throttled as one address."""
    if isinstance(ip, ipaddress.IPv6Address) and not ip.ipv4_mapped:
        return ("net", ipaddress.ip_network(f"{ip}/64", strict=False))
    return ("ip", ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


def _user_key(user_name: str) -> tuple:
    """Fixed size whatever the client sends: the table of throttled names stays small."""
    return ("user", hashlib.blake2b(user_key(user_name).encode("utf-8", "surrogatepass"), digest_size=16).digest())


class Authenticator:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float] = time.monotonic,
                 pause: float = PAUSE):
        self.store = store
        self.settings = settings
        self.throttle = Throttle(clock=clock)
        self.pause = pause
        self._hashing = anyio.CapacityLimiter(HASHING)
        self._secret = os.urandom(32)  # keys the remembered passwords: no plain fast hash of one is kept
        self._verified: set[bytes] = set()  # touched on the event loop only

    def local(self, request: Request) -> bool:
        """A client on this machine, let in without credentials."""
        ip = client_ip(request, self.settings)
        return ip is not None and ip.is_loopback

    async def check(self, request: Request) -> Refusal | None:
        """None when the request may use the API, else why not."""
        if self.local(request):
            return None
        ip = client_ip(request, self.settings)
        credentials = _credentials(request)
        if credentials is None:
            return Refusal(NOT_AUTHORIZED)
        user_name, password = credentials
        keys = (_address_key(ip), _user_key(user_name))
        wait = self.throttle.take(keys)  # on the event loop: no lock needed
        if wait:
            await anyio.sleep(self.pause)  # holds nothing but the guesser's own connection
            return Refusal(TOO_MANY_ATTEMPTS, wait)
        stored, seal = await run_in_threadpool(self._stored_hash, user_name, password)
        ok = stored is not None and (seal in self._verified or await anyio.to_thread.run_sync(
            verify_password, password, stored, limiter=self._hashing))
        if not ok:
            return Refusal(NOT_AUTHORIZED)
        self.throttle.give_back(keys)
        if len(self._verified) >= REMEMBERED:
            self._verified.clear()
        self._verified.add(seal)
        return None

    def _stored_hash(self, user_name: str, password: str) -> tuple[str | None, bytes]:
        """The password hash of a user who may use the API (None: nobody to check against), and the
        seal under which a verified password is remembered."""
        with self.store.read() as conn:
            user = find_user(conn, user_name)
            if user is None or not user.password_hash or REST_AUTHENTICATION not in user_privileges(conn, user.id):
                return None, b""
        seal = hmac.new(self._secret, f"{user.id}\0{user.password_hash}\0".encode() +
                        password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return user.password_hash, seal
