"""Push notifier of the status display: when a group changes, every phone that shows it is told to
fetch its StatusDisplay URL again. It also plays team member ringtones: `play(phones, tone)` pushes
`Play:<tone>` to the given phones ("all other team members will be notified by a ringtone").

The push is `POST http://<phone>/CGI/Execute` with the form field
`XML=<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneExecute><ExecuteItem Priority="1" URL="..."/>
</CiscoIPPhoneExecute>` and HTTP Basic credentials of an application user associated with the phones
(Cisco's IP Phone Services Application Development Notes, CiscoIPPhoneExecute). The pushed object stays
far below the 512 bytes old firmware takes: it only names the URL, and the phone then fetches the
picture itself. The prolog names the encoding, so the phone does not guess it from its locale.

Pushes never interrupt a user mid-task. Cisco's Priority: 0 executes at once whatever the phone is
doing, 1 waits until the phone is idle, 2 executes only if the phone is idle (else it is dropped).
* A display refresh is Priority 1 (`PRIORITY_DISPLAY`): a user typing in an Input screen or reading a
  menu keeps it; the refresh runs when the phone becomes idle. Priority 2 would never interrupt either,
  but would drop the refresh of a busy phone, and its display would stay stale until the next change.
* A team tone is a `Play:` URI. Cisco: "The Priority attribute is only used for HTTP URLs. Internal
  URIs always execute immediately", and it plays a sound without taking the screen. It says Priority 0
  (`PRIORITY_TONE`), as Cisco's own chime example does, so the XML states what the phone does: a tone
  for a call ringing now is useless later.
An ExecuteItem URL is at most 256 characters (`MAX_URL_LENGTH`); `execute_xml` refuses a longer one
(`URLTooLong`: logged as the push's failure, nothing is sent) instead of cutting it into another URL.

How the work flows:

* `notify(group_id)` is called on the event loop for every change (it may also be called from another
  thread). It costs a dict lookup: the first call for a group arms a timer of `window` seconds, later
  calls for that group until the timer fires are absorbed. A burst of changes gives one push per phone.
* When the timer fires, `targets(group_id)` names the phones showing the group, as
  (device name, address) pairs; each phone gets a job. A phone already waiting for a free slot gets
  nothing more (the push it is about to get makes it fetch the newest state); a phone whose push is
  on the wire gets exactly one more push after it. Coalescing is per phone, so a slow phone never
  holds back the next push to the other phones of its group.
* At most `settings.push_concurrency` pushes are on the wire at once (a semaphore), and each has
  `settings.push_timeout` seconds from connect to the end of the answer, counted after it got its
  slot. A phone that refuses, times out or answers CiscoIPPhoneError is logged on "phonesvc.push"
  (warning: device, address, reason) and counted; the others go on.

* `play(phones, tone)` (event loop or any thread) pushes one Execute with the URI `Play:<tone>` (see
  `play_url`) to each of the (device, address) pairs at once, without a window. Tone pushes share the
  semaphore, the timeout and the failure accounting with display pushes, but are queued apart from
  them: a display refresh and a tone to the same phone are two pushes. Tones to one phone coalesce
  like display pushes do: a tone waiting for a slot is replaced by a newer one (a burst of calls
  rings once, with the newest tone), and a phone whose tone is on the wire gets one more tone after
  it (the newest one asked for meanwhile).

Virtual phones (browser previews of a device, `phonesvc/live/previews.py`) are another transport: the
same Execute a phone would be POSTed is handed to each open preview of a phone that `shown(group)` names
(display) or that `play` is given in `devices` (tone), at once and without the HTTP round trip.

The HTTP client is a minimal HTTP/1.1 one on asyncio streams (`Connection: close`, one request per
connection), as phones expect; addresses are "ip", "ip:port", "[v6]" or "[v6]:port" (port 80 unless
given).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from lxml import etree

from phonesvc.config import Settings
from phonesvc.live.previews import VirtualPhones
from phonesvc.logsafe import shown

log = logging.getLogger("phonesvc.push")

PUSH_PATH = "/CGI/Execute"
PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'
MAX_PUSH_BYTES = 512  # what old firmware takes as a pushed object
MAX_URL_LENGTH = 256  # Cisco: an ExecuteItem URL (and any URL) is at most 256 characters
PRIORITY_NOW, PRIORITY_WHEN_IDLE, PRIORITY_IF_IDLE = 0, 1, 2  # ExecuteItem Priority
PRIORITY_DISPLAY = PRIORITY_WHEN_IDLE  # never interrupts, never dropped (see the module's docstring)
PRIORITY_TONE = PRIORITY_NOW  # a Play: URI runs at once whatever the Priority
MAX_ANSWER_BYTES = 64 * 1024  # an answer is a few hundred bytes; more is not a phone
DEFAULT_WINDOW = 0.05  # seconds in which changes of one group are gathered into one push
LOG_REPEAT_SECONDS = 300.0  # the same failure of the same phone is logged as a warning this often

PHONE_ERRORS = {
    "1": "parse error",
    "2": "response framing error",
    "3": "internal file error",
    "4": "authentication error",
}

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

Targets = Callable[[Hashable], Iterable[tuple[str, str]]]


class PushFailed(Exception):
    """One push did not reach its phone or the phone refused it; the message is the reason."""


class URLTooLong(PushFailed):
    """The URL to push is longer than a phone takes; nothing was sent."""


def escape_attribute(value: str) -> str:
    """`value` for an XML attribute, with the five named entities only (what phones parse)."""
    return value.translate(_ESCAPES)


def execute_xml(url: str, priority: int) -> str:
    """The pushed object, with its prolog: one ExecuteItem that makes the phone fetch `url` (or run it,
    when it is a URI such as `Play:Chime.raw`) with the given Priority. `url` is used as given (build
    it with `play_url` or an already encoded HTTP URL); only the XML attribute escaping is done here.
    Raises URLTooLong when `url` is longer than a phone takes: a cut URL would name another page."""
    if len(url) > MAX_URL_LENGTH:
        raise URLTooLong(f"the URL is {len(url)} characters, more than the {MAX_URL_LENGTH} a phone takes: "
                         f"{url[:60]}...")
    if priority not in (PRIORITY_NOW, PRIORITY_WHEN_IDLE, PRIORITY_IF_IDLE):
        raise ValueError(f"ExecuteItem Priority {priority!r} is not 0, 1 or 2")
    return f'{PROLOG}<CiscoIPPhoneExecute><ExecuteItem Priority="{priority}" URL="{escape_attribute(url)}"/>' \
           f'</CiscoIPPhoneExecute>'


def play_url(tone: str) -> str:
    """The URI that makes a phone play the ringtone file `tone` (a plain file name such as
    "Chime.raw", checked where it is configured): `Play:` and the name percent-encoded as UTF-8,
    leaving only RFC 3986 unreserved characters (letters, digits, "-._~") as they are. So
    "A&B 1.raw" becomes "Play:A%26B%201.raw" and "Glöckchen.raw" "Play:Gl%C3%B6ckchen.raw": the URI is
    plain ASCII whatever the phone's locale, holds no "&", quote, "<" or space for a phone's parser to
    trip over, and "/" or "%" in a name cannot turn it into another path or another escape."""
    return "Play:" + urllib.parse.quote(tone, safe="")


def split_address(address: str, default_port: int = 80) -> tuple[str, int]:
    """(host, port) of "10.0.0.5", "10.0.0.5:8080", "[fe80::1]:8080", "[::1]" or a bare "::1".
    Raises ValueError unless the host is an IP address (phones are pushed to at the address they
    called from: no name lookups, nothing that could smuggle text into the request) and the port a
    number in 1..65535."""
    a = address.strip()
    if a.startswith("["):
        host, bracket, rest = a[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"bad address {address!r}")
        port = rest[1:] if rest.startswith(":") else ""
    elif a.count(":") == 1:
        host, _, port = a.partition(":")
    else:
        host, port = a, ""
    ipaddress.ip_address(host)  # ValueError unless an IP address
    number = int(port) if port else default_port
    if not 0 < number < 65536:
        raise ValueError(f"port {number} out of range in address {address!r}")
    return host, number


def _host_header(host: str, port: int) -> str:
    name = f"[{host}]" if ":" in host else host
    return name if port == 80 else f"{name}:{port}"


def interpret_answer(status: int, body: bytes) -> None:
    """Raises PushFailed unless the phone's answer says the push was executed."""
    root = None
    text = body.strip()
    if text:
        with contextlib.suppress(etree.XMLSyntaxError, ValueError):
            root = etree.fromstring(text, _PARSER)
    if root is not None and root.tag == "CiscoIPPhoneError":
        number = root.get("Number", "?")
        raise PushFailed(f"CiscoIPPhoneError {number} ({PHONE_ERRORS.get(number, 'unknown error')})")
    if status == 401:
        raise PushFailed("HTTP 401 (authentication error)")
    if status != 200:
        raise PushFailed(f"HTTP {status}")
    if root is None or root.tag != "CiscoIPPhoneResponse":
        raise PushFailed(f"unexpected answer {text[:80]!r}")
    for item in root.iter("ResponseItem"):
        if item.get("Status", "0").strip() != "0":
            raise PushFailed(f"ResponseItem Status={item.get('Status')} Data={item.get('Data', '')!r}")


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status code and body of an HTTP/1.x answer (Content-Length, chunked or up to the close)."""
    line = await reader.readline()
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise PushFailed(f"not an HTTP answer: {line[:60]!r}" if line else "connection closed without an answer")
    status = int(parts[1])
    length, chunked = None, False
    for _ in range(100):
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.partition(b":")
        name = name.strip().lower()
        if name == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    else:
        raise PushFailed("too many header lines")
    if chunked:
        body = bytearray()
        while True:
            size_line = await reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0 or len(body) + size > MAX_ANSWER_BYTES:
                break
            body += await reader.readexactly(size)
            await reader.readline()
        return status, bytes(body)
    if length is not None:
        return status, await reader.readexactly(min(length, MAX_ANSWER_BYTES))
    return status, await reader.read(MAX_ANSWER_BYTES)


@dataclass
class _Job:
    """One phone's pending push: waiting for a slot, or on the wire (then `again` asks for one more).
    `xml` is the object to push, None for the display push (built from url_for at send time)."""

    address: str
    xml: str | None = None
    sending: bool = False
    again: bool = False


class PushNotifier:
    """Pushes "fetch your status display again" to the phones that show a changed group, and ringtones
    (`play`) to the phones of a team."""

    def __init__(self, settings: Settings, targets: Targets, url_for: Callable[[str], str],
                 window: float = DEFAULT_WINDOW, log_repeat: float = LOG_REPEAT_SECONDS,
                 virtual: VirtualPhones | None = None, shown: Callable[[Hashable], Iterable[str]] | None = None):
        self.settings = settings
        self.virtual = virtual  # open browser previews; `shown(group)`: every device showing the group
        self.shown = shown
        self.targets = targets
        self.url_for = url_for
        self.window = window
        self.log_repeat = log_repeat
        self.enabled = settings.push_enabled
        self.timeout = settings.push_timeout
        # Counters and diagnostics (read by tests, benchmarks and whoever wants to show them).
        self.pushed = 0  # display pushes the phone accepted
        self.tones = 0  # tone pushes (play) the phone accepted
        self.failed = 0  # pushes of either kind that failed (refused, timed out, CiscoIPPhoneError, bad answer)
        self.rounds = 0  # times a group's window closed and its phones were looked up
        self.skipped = 0  # phones named by targets() or play() without an address
        self.last_error: dict[str, str] = {}  # device -> reason of its last push (either kind), while that failed
        self.last_ok: dict[str, float] = {}  # device -> time.time() of its last accepted push (either kind)
        self._warned: dict[str, tuple[str, float]] = {}  # device -> (reason, monotonic) last warned
        auth = ""
        if settings.push_user:
            token = base64.b64encode(f"{settings.push_user}:{settings.push_password}".encode()).decode("ascii")
            auth = f"Authorization: Basic {token}\r\n"
        self._auth = auth
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._sem: asyncio.Semaphore | None = None
        self._timers: dict[Hashable, asyncio.TimerHandle] = {}
        self._jobs: dict[str, _Job] = {}  # display pushes by device
        self._tone_jobs: dict[str, _Job] = {}  # tone pushes by device, apart from the display ones
        self._tasks: set[asyncio.Task] = set()
        self._idle: asyncio.Event | None = None

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._loop is not None

    async def start(self) -> None:
        """Start taking notifications (on the running event loop)."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._sem = asyncio.Semaphore(max(1, self.settings.push_concurrency))
        self._idle = asyncio.Event()
        self._idle.set()

    async def stop(self) -> None:
        """Drop the changes not yet pushed and cancel the pushes on the wire; returns when all ended."""
        if self._loop is None:
            return
        self._loop = None
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._jobs.clear()
        self._tone_jobs.clear()
        if self._idle is not None:
            self._idle.set()

    async def idle(self) -> None:
        """Wait until no change is waiting and no push (display or tone) is pending (for tests and
        benchmarks)."""
        if self._idle is not None:
            await self._idle.wait()

    # -- notifications ----------------------------------------------------------------------------

    def notify(self, group_id: Hashable) -> None:
        """A group's shown state changed: its phones get a push after the window. Cheap; a no-op when
        push is switched off or the notifier is not running. Safe to call from other threads."""
        loop = self._loop
        if not self.enabled or loop is None or group_id in self._timers:
            return
        if threading.get_ident() != self._thread:
            loop.call_soon_threadsafe(self.notify, group_id)
            return
        self._idle.clear()
        self._timers[group_id] = loop.call_later(self.window, self._fire, group_id)

    def notify_many(self, group_ids: Iterable[Hashable]) -> None:
        for group_id in group_ids:
            self.notify(group_id)

    def play(self, phones: Iterable[tuple[str, str]], tone: str, devices: Iterable[str] = ()) -> None:
        """Make each of the (device, address) `phones` play the ringtone file `tone` now (one Execute
        with `play_url(tone)` per phone; phones without an address are skipped and counted). Returns at
        once; a no-op when push is switched off, the notifier is not running or `tone` is empty. Safe to
        call from other threads (`phones` is read in the calling thread). The open previews of `devices`
        get the tone too."""
        loop = self._loop
        if not self.enabled or loop is None or not tone:
            return
        phones, devices = list(phones), list(devices)
        if threading.get_ident() != self._thread:
            loop.call_soon_threadsafe(self.play, phones, tone, devices)
            return
        try:
            xml = execute_xml(play_url(tone), PRIORITY_TONE)
        except URLTooLong as exc:
            log.error("tone %r is not pushed to any phone: %s", tone, exc)
            return
        for device in devices:
            self._to_previews(device, xml)
        for device, address in phones:
            if address:
                self._idle.clear()
                self._dispatch(device, address, xml)
            else:
                self.skipped += 1
        self._check_idle()

    def _fire(self, group_id: Hashable) -> None:
        self._timers.pop(group_id, None)
        self.rounds += 1
        try:
            phones = list(self.targets(group_id))
        except Exception:
            log.exception("push: cannot list the phones showing group %r", group_id)
            phones = []
        if self.virtual is not None and self.shown is not None and self.virtual.devices():
            for device in self.shown(group_id):
                if self.virtual.has(device):
                    self._to_previews(device, execute_xml(self.url_for(device), PRIORITY_DISPLAY))
        for device, address in phones:
            if address:
                self._dispatch(device, address)
            else:
                self.skipped += 1
        self._check_idle()

    def _to_previews(self, device: str, xml: str) -> None:
        if self.virtual is not None:
            self.virtual.deliver(device, xml)

    def _dispatch(self, device: str, address: str, xml: str | None = None) -> None:
        """Queue a push to `device`: the display push (xml None) or a tone push (the Execute `xml`).
        Display and tone pushes are queued apart; within one kind, a push waiting for a slot absorbs
        the new one (a tone waiting is replaced by the newer tone), and a push on the wire gets exactly
        one more after it."""
        jobs = self._jobs if xml is None else self._tone_jobs
        job = jobs.get(device)
        if job is not None:
            job.address, job.xml = address, xml
            if job.sending:
                job.again = True
            return  # still waiting for a slot: the push it gets shows the newest state / tone
        job = jobs[device] = _Job(address, xml)
        kind = "push" if xml is None else "tone"
        task = self._loop.create_task(self._run(jobs, device, job), name=f"{kind} {device}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self._timers and not self._jobs and not self._tone_jobs and self._idle is not None:
            self._idle.set()

    async def _run(self, jobs: dict[str, _Job], device: str, job: _Job) -> None:
        try:
            while True:
                await self._sem.acquire()
                try:
                    job.sending, job.again = True, False
                    tone = job.xml is not None
                    if await self._send(device, job.address, job.xml):
                        if tone:
                            self.tones += 1
                        else:
                            self.pushed += 1
                finally:
                    job.sending = False
                    self._sem.release()
                if not job.again:
                    return  # nothing awaited since the check: no change can slip in between
        finally:
            if jobs.get(device) is job:
                del jobs[device]

    # -- one push ---------------------------------------------------------------------------------

    def request_bytes(self, device: str, address: str, xml: str | None = None) -> bytes:
        """The whole HTTP request that pushes `xml` to `device` at `address`; without `xml`, the Execute
        that tells it to fetch its status display."""
        host, port = split_address(address)
        if xml is None:
            xml = execute_xml(self.url_for(device), PRIORITY_DISPLAY)
        if len(xml.encode()) > MAX_PUSH_BYTES:
            log.warning("push to %s: the Execute object is %d bytes, more than old firmware takes (%d)",
                        device, len(xml.encode()), MAX_PUSH_BYTES)
        body = urllib.parse.urlencode({"XML": xml}).encode("ascii")
        head = (f"POST {PUSH_PATH} HTTP/1.1\r\nHost: {_host_header(host, port)}\r\n{self._auth}"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n")
        return head.encode("latin-1") + body

    async def _send(self, device: str, address: str, xml: str | None = None) -> bool:
        """Push `xml` (None: the display push) to one phone; True if the phone accepted it. A failure
        is counted, remembered and logged (rate-limited) here, whatever the kind of push."""
        try:
            request = self.request_bytes(device, address, xml)
            host, port = split_address(address)
            async with asyncio.timeout(self.timeout):
                await self._exchange(host, port, request)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            self._failed(device, address, f"no answer within {self.timeout:g} s")
        except ConnectionRefusedError:
            self._failed(device, address, "connection refused")
        except PushFailed as exc:
            self._failed(device, address, str(exc))
        except asyncio.IncompleteReadError:
            self._failed(device, address, "connection closed in the middle of the answer")
        except OSError as exc:
            self._failed(device, address, f"cannot reach the phone: {exc.strerror or exc}")
        except Exception as exc:  # a bad address, a url_for that fails, ...: logged like any failure
            self._failed(device, address, f"{type(exc).__name__}: {exc}")
        else:
            self.last_ok[device] = time.time()
            if self.last_error.pop(device, None) is not None:
                log.info("push to %s at %s works again", device, address)
            self._warned.pop(device, None)
            return True
        return False

    @staticmethod
    async def _exchange(host: str, port: int, request: bytes) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            await writer.drain()
            status, body = await _read_answer(reader)
        except BaseException:
            writer.transport.abort()  # timed out, cancelled or garbled: drop the connection at once
            raise
        writer.close()  # Connection: close; nothing to wait for
        interpret_answer(status, body)

    def _failed(self, device: str, address: str, reason: str) -> None:
        self.failed += 1
        self.last_error[device] = reason
        now = time.monotonic()
        last = self._warned.get(device)
        if last is None or last[0] != reason or now - last[1] >= self.log_repeat:
            self._warned[device] = (reason, now)
            log.warning("push to %s at %s failed: %s", device, address, shown(reason))  # the phone's words
        else:
            log.debug("push to %s at %s failed again: %s", device, address, shown(reason))


class ShownGroups:
    """Which phones show which group, kept up to date incrementally: group id -> set of device names,
    and device name -> group id. `targets(group_id)` then costs the size of the group's set, not the
    number of registered devices. Addresses come from `address_of(device)` at push time (the device
    registry's last_seen address, or the stored one)."""

    def __init__(self, address_of: Callable[[str], str | None]):
        self.address_of = address_of
        self._by_group: dict[Hashable, set[str]] = {}
        self._by_device: dict[str, Hashable] = {}

    def show(self, device: str, group_id: Hashable | None) -> None:
        """`device` now shows `group_id` (None or 0: no group)."""
        before = self._by_device.get(device)
        if before == group_id:
            return
        if before is not None:
            phones = self._by_group.get(before)
            if phones is not None:
                phones.discard(device)
                if not phones:
                    del self._by_group[before]
        if group_id:
            self._by_device[device] = group_id
            self._by_group.setdefault(group_id, set()).add(device)
        else:
            self._by_device.pop(device, None)

    def forget(self, device: str) -> None:
        self.show(device, None)

    def replace(self, pairs: Iterable[tuple[str, Hashable | None]]) -> None:
        """Rebuild from (device, group id) pairs, e.g. after a snapshot reload."""
        self._by_group.clear()
        self._by_device.clear()
        for device, group_id in pairs:
            self.show(device, group_id)

    def group_of(self, device: str) -> Hashable | None:
        return self._by_device.get(device)

    def devices(self, group_id: Hashable) -> frozenset[str]:
        return frozenset(self._by_group.get(group_id, ()))

    def groups(self) -> list[Hashable]:
        """The groups that at least one phone shows."""
        return list(self._by_group)

    def targets(self, group_id: Hashable) -> list[tuple[str, str]]:
        """(device, address) of the phones showing the group that have an address."""
        address_of = self.address_of
        return [(d, a) for d in self._by_group.get(group_id, ()) if (a := address_of(d))]
