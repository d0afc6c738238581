"""Who may call the REST API: loopback freely, everyone else with Basic credentials of a user
holding REST Authentication. Proxy headers count only from configured proxies."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import threading

from starlette.requests import Request

from phonesvc.config import Settings
from phonesvc.domain.passwords import verify_password
from phonesvc.domain.privileges import REST_AUTHENTICATION
from phonesvc.store import Store
from phonesvc.store.users import find_user, user_privileges


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: Request, settings: Settings):
    """The caller's address; through trusted proxies, the last address in X-Forwarded-For that is
    not itself a trusted proxy."""
    peer = _ip(request.client.host) if request.client else None
    nets = settings.proxy_networks

    def trusted(ip) -> bool:
        return ip is not None and any(ip in n for n in nets)

    if not trusted(peer):
        return peer
    hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if not trusted(ip):
            return ip
    return peer


class Authenticator:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._verified: dict[tuple, bool] = {}  # scrypt is slow on purpose; remember outcomes
        self._lock = threading.Lock()

    def is_loopback(self, request: Request) -> bool:
        ip = client_ip(request, self.settings)
        return ip is not None and ip.is_loopback

    def allowed(self, request: Request) -> bool:
        """Runs in a worker thread (it reads the store and may hash)."""
        if self.is_loopback(request):
            return True
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.casefold() != "basic" or not token:
            return False
        try:
            raw = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        user_name, sep, password = text.partition(":")
        if not sep:
            return False
        with self.store.read() as conn:
            user = find_user(conn, user_name)
            if user is None or not user.password_hash:
                return False
            if REST_AUTHENTICATION not in user_privileges(conn, user.id):
                return False
        key = (user.id, user.password_hash, hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest())
        with self._lock:
            known = self._verified.get(key)
        if known is None:
            known = verify_password(password, user.password_hash)
            with self._lock:
                if len(self._verified) > 4096:
                    self._verified.clear()
                self._verified[key] = known
        return known
