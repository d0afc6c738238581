"""The O2G session: discovery, login, the session's services, keepalive, a new login when the session is
lost, logout; and every request of the adapter, with O2G's error bodies turned into TelephonyError.

O2G manual, "Authentication" and "Sessions": `GET <url>/api/rest` describes the versions; `GET
.../authenticate?version=1.0` with Basic credentials sets the `AlcUserId` cookie; `POST .../sessions` opens
the session and answers its `timeToLive` (seconds) and `services` (name and relative URL, under
`publicBaseUrl`); `POST sessions/keepalive` restarts the timer; `DELETE sessions` logs out. A request with a
lost session answers 403 with the type INVALID_SESSION ("logout and login"). The service URLs come from the
session as ALE's SDKs take them (ServiceFactory.setServices), never from fixed paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from dataclasses import dataclass, field

import httpx2 as httpx

from phonesvc.telephony.protocol import TelephonyError

log = logging.getLogger("phonesvc.o2g")
APPLICATION = "phonesvc"


class O2GError(TelephonyError):
    """O2G refused a request (`kind`: the RestErrorInfo type, e.g. NOT_ALLOWED) or could not be reached."""

    def __init__(self, message: str, kind: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.kind, self.status = kind, status


def refusal(response: httpx.Response) -> O2GError:
    """The error body (RestErrorInfo) as a sentence: the telephony or routing detail first, it is the precise
    one, then the general help message."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    detail = next((body[k]["message"] for k in ("telephony", "routing")
                   if isinstance(body.get(k), dict) and body[k].get("message")), "")
    text = detail or body.get("helpMessage") or body.get("innerMessage") or f"HTTP {response.status_code}"
    return O2GError(f"the PBX refused: {text}", str(body.get("type", "")), response.status_code)


@dataclass(frozen=True)
class Connection:
    url: str  # the server's base URL, e.g. https://o2g.example.com
    login: str
    password: str
    verify: bool | str = True  # TLS: True, False, or the path of a CA file
    timeout: float = 5.0  # seconds for one request: a slow O2G never holds a phone's request longer


@dataclass
class SessionInfo:
    server: dict = field(default_factory=dict)  # serverInfo of the discovery
    ttl: int = 0
    services: dict[str, str] = field(default_factory=dict)  # service name -> absolute URL


class O2GSession:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        verify = connection.verify
        if isinstance(verify, str):  # a CA file: httpx wants it as a context
            verify = ssl.create_default_context(cafile=verify)
        self.client = httpx.AsyncClient(verify=verify, timeout=connection.timeout)
        self.info: SessionInfo | None = None
        self.generation = 0  # counts logins: who saw a lost session knows whether someone logged in since
        self._lock = asyncio.Lock()
        self._keepalive: asyncio.Task | None = None

    @property
    def is_open(self) -> bool:
        return self.info is not None

    async def open(self) -> SessionInfo:
        async with self._lock:
            if self.info is None:
                await self._login()
            return self.info

    async def close(self) -> None:
        """Log out (every licence is released) and close the connections."""
        if self._keepalive is not None:
            self._keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keepalive
        if self.info is not None:
            with contextlib.suppress(TelephonyError, httpx.HTTPError):
                await self._send("DELETE", self.info.services["sessions"])
        self.info = None
        await self.client.aclose()

    async def request(self, method: str, service: str, path: str = "", *, json=None,
                      params: dict | None = None) -> httpx.Response:
        """One request to a service of the session (`path` below its URL); a lost session is opened again
        once and the request repeated."""
        for attempt in (1, 2):
            info = await self.open()
            generation = self.generation
            base = info.services.get(service)
            if base is None:
                raise O2GError(f"the PBX (O2G) offers no {service} service to this account", "NOT_SUPPORTED")
            response = await self._send(method, base + path, json=json, params=params)
            if response.status_code < 400:
                return response
            error = refusal(response)
            if error.kind != "INVALID_SESSION" or attempt == 2:
                raise error
            log.warning("the O2G session was lost; logging in again")
            async with self._lock:
                if self.generation == generation:
                    self.info = None
        raise AssertionError("unreachable")

    async def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            return await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise O2GError(f"the PBX (O2G) did not answer within {self.connection.timeout:g} s", "TIMEOUT") from None
        except httpx.HTTPError as exc:
            raise O2GError(f"the PBX (O2G) cannot be reached at {self.connection.url}: {exc}", "UNREACHABLE") \
                from None

    async def _login(self) -> None:
        c = self.connection
        self.client.cookies.clear()
        response = await self._send("GET", c.url.rstrip("/") + "/api/rest")
        if response.status_code >= 400:
            raise refusal(response)
        descriptor = response.json()
        version = next((v for v in descriptor.get("versions", []) if v.get("status") == "CURRENT"), None)
        if version is None:
            raise O2GError(f"{c.url}/api/rest names no current API version; is this an O2G server?")
        response = await self._send("GET", c.url.rstrip("/") + "/api/rest/authenticate",
                                    params={"version": version["id"]}, auth=(c.login, c.password))
        if response.status_code == 401:
            raise O2GError(f"the PBX (O2G) refused the login {c.login!r}: wrong login or password", "UNAUTHORIZED",
                           401)
        if response.status_code >= 400:
            raise refusal(response)
        sessions = response.json().get("publicUrl") or version["publicUrl"] + "/sessions"
        response = await self._send("POST", sessions, json={"applicationName": APPLICATION})
        if response.status_code >= 400:
            raise refusal(response)
        body = response.json()
        base = body.get("publicBaseUrl") or body.get("privateBaseUrl") or version["publicUrl"]
        services = {s["serviceName"].lower(): base + s["relativeUrl"] for s in body.get("services", [])}
        services["sessions"] = sessions
        self.info = SessionInfo(descriptor.get("serverInfo", {}), int(body.get("timeToLive") or 0), services)
        self.generation += 1
        if not body.get("admin", False):
            log.warning("the O2G account %s is not an administrator: it can act for itself only", c.login)
        if self._keepalive is None or self._keepalive.done():
            self._keepalive = asyncio.create_task(self._keep_alive())
        log.info("O2G session open on %s (time to live %s s)", c.url, self.info.ttl)

    async def _keep_alive(self) -> None:
        """Keep the session before its time to live runs out: at half of it (ALE's node SDK waits 0.9 of it;
        half leaves room for a slow answer). A lost session is opened again by the next request."""
        while True:
            ttl = self.info.ttl if self.info else 0
            await asyncio.sleep(max(ttl / 2, 0.2) if ttl else 60)
            try:
                await self.request("POST", "sessions", "/keepalive")
            except TelephonyError as exc:
                log.warning("O2G keepalive failed: %s", exc)
