"""A fake phone farm: real HTTP servers on loopback that take pushes like Cisco IP phones.

Each phone listens on its own loopback address (127.0.0.2, 127.0.0.3, ... where the machine lets a
program bind them, as Linux does; 127.0.0.1 otherwise) on an ephemeral port, so its address is
"127.0.0.x:port". It takes `POST /CGI/Execute` with a form field XML, checks the HTTP Basic
credentials and that the XML is a CiscoIPPhoneExecute a phone accepts (lxml, the project's
CiscoIPPhone.xsd: at most 3 ExecuteItems, Priority 0..2, only the named entities), records what it got,
and answers like a phone:

    <CiscoIPPhoneResponse><ResponseItem Status="0" Data="Success" URL="..."/></CiscoIPPhoneResponse>

or `<CiscoIPPhoneError Number="4"/>` for bad credentials, Number="1" for XML it cannot parse.

Modes, to make a phone fail: "dead" (nothing listens: connection refused), "slow" (reads the request,
then says nothing for `slow_seconds` or until the client hangs up), "error" (CiscoIPPhoneError
Number="1" whatever it gets), "http401" (a bare HTTP 401). `delay` makes a healthy phone take that long
to answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from phonesvc.phone.xmlcheck import PROLOG, PhoneXmlError, check_phone_xml

MODES = ("ok", "dead", "slow", "error", "http401")


@dataclass
class Received:
    """One request a fake phone read completely."""

    phone: str
    when: float  # time.perf_counter() when the whole request was read
    user: str | None  # from the Basic credentials (None: none sent)
    password: str | None
    xml: str  # the form field XML as decoded
    urls: list[str]  # the ExecuteItem URLs, when the XML was valid
    answer: str  # "ok", "auth", "invalid", "error", "slow", "http401", "bad request"
    content_type: str = ""
    host_header: str = ""
    problem: str = ""  # why the XML was refused
    priorities: list[str] = field(default_factory=list)  # their Priority attributes ("" when not given)


@dataclass
class FakePhone:
    name: str
    host: str
    mode: str = "ok"
    delay: float = 0.0
    port: int = 0
    requests: list[Received] = field(default_factory=list)  # everything read

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pushes(self) -> list[Received]:
        """The pushes it accepted (answered Success)."""
        return [r for r in self.requests if r.answer == "ok"]


def _can_bind(host: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, 0))
        except OSError:
            return False
    return True


def loopback_hosts(count: int) -> list[str]:
    """`count` loopback addresses: distinct 127.0.0.x when the machine allows binding them."""
    if count <= 250 and _can_bind("127.0.0.2") and _can_bind(f"127.0.0.{count + 1}"):
        return [f"127.0.0.{i + 2}" for i in range(count)]
    return ["127.0.0.1"] * count


def _free_port(host: str) -> int:
    """A port where nothing listens (connects to it are refused)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _answer(status: str, body: str) -> bytes:
    data = body.encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Length: {len(data)}\r\n"
            f"Connection: close\r\n\r\n").encode() + data


def _response(urls: list[str]) -> str:
    items = "".join(f'<ResponseItem Status="0" Data="Success" URL={quoteattr(u)}/>' for u in urls)
    return f"<CiscoIPPhoneResponse>{items}</CiscoIPPhoneResponse>"


def _error(number: int) -> str:
    return f'<CiscoIPPhoneError Number="{number}"/>'


class PhoneFarm:
    """Fake phones on loopback; use `async with PhoneFarm(...) as farm:` or start()/stop()."""

    def __init__(self, count: int = 0, user: str = "pushuser", password: str = "s3cret",
                 slow_seconds: float = 30.0, prefix: str = "SEP0000000000"):
        self.user, self.password = user, password
        self.slow_seconds = slow_seconds
        self.phones: list[FakePhone] = []
        self._pending = [f"{prefix}{i:02d}" for i in range(count)]
        self._servers: list[asyncio.AbstractServer] = []
        self._handlers: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._arrived: asyncio.Condition | None = None  # made on the loop in start()
        self.active = 0  # connections open right now
        self.max_active = 0  # most connections open at once
        self.distinct_hosts = False
        self.on_request = None  # called with each Received as it is recorded (the benchmark reports them)

    def add(self, name: str, mode: str = "ok", delay: float = 0.0) -> FakePhone:
        """A phone to start with the farm (call before start())."""
        assert mode in MODES, mode
        phone = FakePhone(name, "", mode, delay)
        self.phones.append(phone)
        return phone

    def phone(self, name: str) -> FakePhone:
        return next(p for p in self.phones if p.name == name)

    def configure(self, name: str, mode: str | None = None, delay: float | None = None) -> FakePhone:
        phone = self.phone(name)
        if mode is not None:
            assert mode in MODES, mode
            phone.mode = mode
        if delay is not None:
            phone.delay = delay
        return phone

    async def start(self) -> PhoneFarm:
        for name in self._pending:
            self.add(name)
        self._pending = []
        self._arrived = asyncio.Condition()
        hosts = loopback_hosts(len(self.phones))
        self.distinct_hosts = len(set(hosts)) == len(hosts) > 1
        for phone, host in zip(self.phones, hosts, strict=True):
            phone.host = host
            if phone.mode == "dead":
                phone.port = _free_port(host)
                continue
            server = await asyncio.start_server(lambda r, w, p=phone: self._handle(p, r, w), host, 0)
            phone.port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        return self

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        # Hang up on every open connection and let the handlers end by themselves (cancelling a
        # stream handler task makes Python 3.11's asyncio log a spurious error).
        for writer in list(self._writers):
            writer.transport.abort()
        if self._handlers:
            _, late = await asyncio.wait(list(self._handlers), timeout=2.0)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def __aenter__(self) -> PhoneFarm:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def received(self) -> list[Received]:
        """Every request read by any phone, in order of arrival."""
        return sorted((r for p in self.phones for r in p.requests), key=lambda r: r.when)

    def pushes_by_phone(self) -> dict[str, int]:
        return {p.name: len(p.pushes) for p in self.phones}

    def clear(self) -> None:
        for p in self.phones:
            p.requests.clear()
        self.max_active = 0

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Until at least `count` requests have been read in all (all phones together)."""
        await self.wait_until(lambda: sum(len(p.requests) for p in self.phones) >= count, timeout)

    async def wait_until(self, predicate, timeout: float = 5.0) -> None:
        """Until `predicate()` is true, checked whenever a phone has read a request."""
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(predicate)

    # -- one connection -----------------------------------------------------------------------------

    async def _handle(self, phone: FakePhone, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._handlers.add(task)
        self._writers.add(writer)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                await self._serve(phone, reader, writer)
        finally:
            self.active -= 1
            self._handlers.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _record(self, phone: FakePhone, received: Received) -> None:
        phone.requests.append(received)
        if self.on_request is not None:
            self.on_request(received)
        async with self._arrived:
            self._arrived.notify_all()

    async def _serve(self, phone: FakePhone, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        when = time.perf_counter()
        user = password = None
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        form = urllib.parse.parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
        xml = form.get("XML", [""])[0]
        got = Received(phone.name, when, user, password, xml, [], "", headers.get("content-type", ""),
                       headers.get("host", ""))

        if method != "POST" or path != "/CGI/Execute" or \
                got.content_type != "application/x-www-form-urlencoded" or list(form) != ["XML"]:
            got.answer = "bad request"
            await self._record(phone, got)
            writer.write(_answer("400 Bad Request", ""))
            await writer.drain()
            return
        if phone.mode == "slow":
            got.answer = "slow"
            await self._record(phone, got)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.slow_seconds):
                    await reader.read(1)  # returns when the client hangs up
            return
        if phone.mode == "http401":
            got.answer = "http401"
            await self._record(phone, got)
            writer.write(_answer("401 Unauthorized", ""))
            await writer.drain()
            return
        if (user, password) != (self.user, self.password):
            got.answer, reply = "auth", _error(4)
        elif phone.mode == "error":
            got.answer, reply = "error", _error(1)
        else:
            try:
                text = xml.encode()
                root = check_phone_xml(text if text.startswith(b"<?xml") else PROLOG + text)
                if root.tag != "CiscoIPPhoneExecute" or not 1 <= len(root) <= 3:
                    raise PhoneXmlError(f"<{root.tag}> with {len(root)} items is not an Execute a phone takes")
                got.urls = [item.get("URL") for item in root]
                got.priorities = [item.get("Priority", "") for item in root]
                got.answer, reply = "ok", _response(got.urls)
            except PhoneXmlError as exc:
                got.answer, reply = "invalid", _error(1)
                got.problem = str(exc)
        await self._record(phone, got)
        if phone.delay:
            await asyncio.sleep(phone.delay)
        writer.write(_answer("200 OK", reply))
        await writer.drain()
