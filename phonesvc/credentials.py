"""A user name and password, checked for every surface (REST's Basic credentials, the web sign-in).

Each password check is a 16 MiB scrypt run, slow on purpose. So failed attempts are throttled per
client address and per user name (a throttled attempt is refused before anything is hashed), at
most HASHING checks run at once whatever the number of guessers, and a verified password is
remembered (as a keyed hash) so that a client sending credentials with every request pays once.
One throttle for all surfaces: a guesser gains nothing by switching between REST and the web."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from phonesvc.addresses import Address
from phonesvc.domain.passwords import verify_password
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


def _address_key(ip: Address | None) -> tuple:
    """An IPv6 client owns its whole /64, so the /64 is throttled as one address."""
    if isinstance(ip, ipaddress.IPv6Address) and not ip.ipv4_mapped:
        return ("net", ipaddress.ip_network(f"{ip}/64", strict=False))
    return ("ip", ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


def _user_key(user_name: str) -> tuple:
    """Fixed size whatever the client sends: the table of throttled names stays small."""
    return ("user", hashlib.blake2b(user_key(user_name).encode("utf-8", "surrogatepass"), digest_size=16).digest())


class CredentialCheck:
    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic, pause: float = PAUSE):
        self.store = store
        self.throttle = Throttle(clock=clock)
        self.pause = pause
        self._hashing = anyio.CapacityLimiter(HASHING)
        self._secret = os.urandom(32)  # keys the remembered passwords: no plain fast hash of one is kept
        self._verified: set[bytes] = set()  # touched on the event loop only

    async def verify(self, ip: Address | None, user_name: str, password: str,
                     privilege: tuple[str, str] | None = None) -> sa.Row | Refusal:
        """The user when the password is theirs (and they hold `privilege`, if one is named), else why
        not. Call it on the event loop: the throttle has no lock."""
        keys = (_address_key(ip), _user_key(user_name))
        wait = self.throttle.take(keys)
        if wait:
            await anyio.sleep(self.pause)  # holds nothing but the guesser's own connection
            return Refusal(TOO_MANY_ATTEMPTS, wait)
        user, seal = await run_in_threadpool(self._stored_hash, user_name, password, privilege)
        ok = user is not None and (seal in self._verified or await anyio.to_thread.run_sync(
            verify_password, password, user.password_hash, limiter=self._hashing))
        if not ok:
            return Refusal(NOT_AUTHORIZED)
        self.throttle.give_back(keys)
        if len(self._verified) >= REMEMBERED:
            self._verified.clear()
        self._verified.add(seal)
        return user

    def _stored_hash(self, user_name: str, password: str,
                     privilege: tuple[str, str] | None) -> tuple[sa.Row | None, bytes]:
        """The user who may sign in with a password (None: nobody to check against), and the seal under
        which a verified password is remembered."""
        with self.store.read() as conn:
            user = find_user(conn, user_name)
            if user is None or not user.password_hash or (
                    privilege is not None and privilege not in user_privileges(conn, user.id)):
                return None, b""
        seal = hmac.new(self._secret, f"{user.id}\0{user.password_hash}\0".encode() +
                        password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return user, seal
