"""`phonesvc preview-shot`: a phone screen as the phone preview draws it, saved as PNG by headless Chromium.

It runs phonesvc on a free loopback port inside this process, on the configured database, signs the
device's own user in (a session made here: the command already has the configuration, as `phonesvc users`
does), opens /preview/ for the device, model and URL, and photographs the phone's screen: title bar,
services area at the model's pixel size (magnified by the page's whole factor), prompt and softkeys.
The tests use the same Camera for the golden screenshots (golden/preview-*.png).

Needs Playwright (`pip install 'phonesvc[preview]'`) and Chromium at PHONESVC_CHROMIUM or
/usr/bin/chromium (Debian's); `playwright install` is never needed."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from phonesvc.config import Settings
from phonesvc.store import Store
from phonesvc.web.access import SESSION_COOKIE

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
START_SECONDS = 30


class ShotError(Exception):
    """What stopped a screenshot, for people."""


class Camera:
    """phonesvc on loopback and a headless Chromium page signed in as a device's user; `shot()` photographs
    the preview's screen. Pass `browser` (a Playwright Browser) to share one already running."""

    def __init__(self, settings: Settings, store: Store, browser=None):
        self.settings, self.store, self._browser = settings, store, browser
        self._playwright = None
        self._server = self._thread = None
        self.url = ""

    def __enter__(self) -> Camera:
        import uvicorn

        from phonesvc.app import create_app

        self.app = create_app(self.settings, self.store)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ShotError("phonesvc did not start for the screenshot")
            time.sleep(0.05)
        if self._browser is None:
            self._browser = self._launch()
        return self

    def _launch(self):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise ShotError("preview-shot needs Playwright: pip install 'phonesvc[preview]'") from None
        chromium = os.environ.get("PHONESVC_CHROMIUM", CHROMIUM)
        if not Path(chromium).exists():
            raise ShotError(f"no Chromium at {chromium} (apt-get install chromium, or set PHONESVC_CHROMIUM)")
        self._playwright = sync_playwright().start()
        return self._playwright.chromium.launch(executable_path=chromium, headless=True)

    def __exit__(self, *_exc) -> None:
        if self._playwright is not None:
            self._browser.close()
            self._playwright.stop()
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)

    def shot(self, device: str, model: str, url: str = "") -> bytes:
        """PNG of the screen of `device` previewed as `model` (a name such as CP-8865 or 7965G) at `url`
        (default: the main menu); raises ShotError for an unknown device."""
        snap = self.store.snapshot()
        found = snap.devices.get(device.strip().upper())
        user = snap.users.get(found.user_id) if found is not None else None
        if user is None:
            raise ShotError(f"no device {device} with a user (phonesvc users list shows the devices)")
        session = self.app.state.sessions.start(user.id, user.password_hash)
        context = self._browser.new_context(viewport=VIEWPORT)
        try:
            context.add_cookies([{"name": SESSION_COOKIE, "value": session.token, "url": self.url}])
            page = context.new_page()
            query = {"device": found.name, "model": model, **({"url": url} if url else {})}
            page.goto(f"{self.url}/preview/?{urlencode(query)}")
            page.wait_for_selector('#phone[data-state="ready"]', timeout=15000)
            page.evaluate("document.fonts.ready")
            return page.locator("#phone .screen").screenshot(animations="disabled", caret="hide")
        finally:
            context.close()
            self.app.state.sessions.end(session.token)


def run(settings: Settings, store: Store, args) -> int:
    try:
        with Camera(settings, store) as camera:
            png = camera.shot(args.device, args.model, args.url or "")
    except ShotError as exc:
        print(f"phonesvc: {exc}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(png)
    print(f"{args.out}: {args.device} as {args.model}")
    return 0
