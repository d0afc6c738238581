"""The O2G notification channel: a subscription for the monitored users, the chunked channel read as
newline-delimited JSON, reconnect with back-off, and a state snapshot after every (re)connect.

The manual leaves the channel's method and framing out; ALE's SDKs (ChunkEventListener, chunk-eventing.ts)
open it with a POST without body on the subscription's polling URL and read one JSON object per line, the
first an OnChannelInformation. Every connect makes a new subscription (with the users monitored then) and
asks for the telephony and routing state: O2G has no sequence numbers, so whatever happened while the
channel was down comes back as whole states. A channel that says nothing for longer than the
subscription's timeout (the server should have closed it by then) is taken for dead and opened again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

import httpx2 as httpx

from phonesvc.telephony.o2g_session import O2GError, O2GSession
from phonesvc.telephony.protocol import TelephonyError

log = logging.getLogger("phonesvc.o2g")
SUBSCRIPTION_MINUTES = 2  # the shortest timeout O2G allows: a dead channel is noticed soonest
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds before the 1st, 2nd, ... attempt after a failure


class EventChannel:
    def __init__(self, session: O2GSession, selectors: Callable[[], list[dict]],
                 on_event: Callable[[dict], None], on_connected: Callable[[], Awaitable[None]],
                 silence: float = SUBSCRIPTION_MINUTES * 60 + 30, backoff: tuple[float, ...] = BACKOFF) -> None:
        self.session, self.selectors, self.on_event, self.on_connected = session, selectors, on_event, on_connected
        self.silence, self.backoff = silence, backoff
        self.connected = False
        self.problem = "not connected yet"  # why the channel is not up, for people
        self.connects = 0
        self.received = 0  # events read (channel information aside)
        self.last: dict = {}  # the last of them
        self.selected: list[dict] = []  # the selectors of the subscription the channel is for
        self._renew = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def renew(self) -> None:
        """Subscribe again (the monitored users changed); the snapshot after it brings the new lines."""
        self._renew.set()

    async def _run(self) -> None:
        failures = 0
        while True:
            self._renew.clear()
            try:
                await self._subscribe_and_read()
                failures = 0  # it was up: the next connect is at once
            except (TimeoutError, TelephonyError, httpx.HTTPError, ValueError) as exc:
                self.problem = str(exc) or type(exc).__name__
                log.warning("O2G event channel: %s; connecting again in %s s", self.problem,
                            self.backoff[min(failures, len(self.backoff) - 1)])
                await asyncio.sleep(self.backoff[min(failures, len(self.backoff) - 1)])
                failures += 1
            finally:
                self.connected = False

    async def _subscribe_and_read(self) -> None:
        selectors = self.selectors()
        if not selectors:  # nobody to monitor yet
            self.problem = "no line to monitor"
            await self._renew.wait()
            return
        response = await self.session.request("POST", "subscriptions", json={
            "filter": {"selectors": selectors}, "version": "1.0", "timeout": SUBSCRIPTION_MINUTES})
        subscription = response.json()
        if subscription.get("status") == "REFUSED":
            raise O2GError(f"the PBX refused the subscription: {subscription.get('message') or 'no reason given'}")
        url = subscription.get("publicPollingUrl") or subscription["privatePollingUrl"]
        self.selected = selectors
        try:
            await self._read(url)
        finally:
            with contextlib.suppress(TelephonyError):
                await self.session.request("DELETE", "subscriptions", "/" + subscription["subscriptionId"])

    async def _read(self, url: str) -> None:
        timeout = httpx.Timeout(self.session.connection.timeout, read=None)
        async with self.session.client.stream("POST", url, headers={"Accept": "*/*"}, timeout=timeout) as response:
            if response.status_code >= 400:
                raise O2GError(f"the PBX refused the event channel (HTTP {response.status_code})")
            lines = response.aiter_lines()
            renew = asyncio.ensure_future(self._renew.wait())
            step: asyncio.Future | None = None
            try:
                while True:
                    step = asyncio.ensure_future(anext(lines))
                    done, _ = await asyncio.wait({step, renew}, timeout=self.silence,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if step not in done:
                        if renew in done:
                            return
                        raise O2GError(f"the event channel said nothing for {self.silence:g} s")
                    try:
                        text = step.result()
                    except StopAsyncIteration:
                        raise O2GError("the PBX closed the event channel") from None
                    if text.strip():
                        await self._dispatch(json.loads(text))
            finally:
                renew.cancel()
                if step is not None and not step.done():
                    step.cancel()
                    with contextlib.suppress(BaseException):
                        await step

    async def _dispatch(self, event: dict) -> None:
        if event.get("eventName") == "OnChannelInformation":
            if not self.connected:
                self.connected, self.problem = True, ""
                self.connects += 1
                log.info("O2G event channel up")
                await self.on_connected()
            return
        self.received += 1
        self.last = event
        try:
            self.on_event(event)
        except Exception:  # one odd event must not take the channel down
            log.exception("O2G event %s could not be applied", event.get("eventName"))
