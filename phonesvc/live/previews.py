"""Virtual phones: the browser previews open for a device (web/preview*). The push notifier reaches them as
it reaches the real phone, through another transport: the CiscoIPPhoneExecute a phone would be POSTed is
put on each open preview's queue, and the preview's event stream (server-sent events) hands it on.

A preview's requests to the phone services are made inside this process (web/preview_fetch.py) with
PREVIEW in the ASGI scope's extensions: no HTTP client can set that, so the phone services know the
request is a preview, not the phone, and do not record its address or model as the device's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager

PREVIEW = "phonesvc.preview"  # key in scope["extensions"] of a preview's in-process request
QUEUE_SIZE = 20  # pushes kept for a preview that is slow to read; older ones are dropped


def is_preview(scope: MutableMapping) -> bool:
    """The request is a browser preview's, made inside this process (never one from the network)."""
    return PREVIEW in (scope.get("extensions") or {})


def previewed_by(scope: MutableMapping) -> str:
    """The web user whose preview made the request ('' for a phone): what a phone screen did in a preview is
    logged as theirs too."""
    return str(((scope.get("extensions") or {}).get(PREVIEW) or {}).get("by", ""))


class VirtualPhones:
    """device name -> the queues of its open previews (Execute objects, as strings)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue]] = {}
        self.delivered = 0  # Execute objects put on a preview's queue (tests and diagnostics)

    @contextmanager
    def open(self, device: str) -> Iterator[asyncio.Queue]:
        """A queue receiving the device's pushes while the context is open."""
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._queues.setdefault(device, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._queues.get(device)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._queues[device]

    def has(self, device: str) -> bool:
        return device in self._queues

    def devices(self) -> list[str]:
        return list(self._queues)

    def deliver(self, device: str, xml: str) -> None:
        """Hand a pushed Execute to every preview of the device (on the event loop)."""
        for queue in self._queues.get(device, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(xml)
            self.delivered += 1
