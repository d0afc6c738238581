"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never
`playwright install`) against a real `phonesvc serve` on loopback with the demo data.

Loaded as a plugin (`-p tests.webkit` in pyproject's addopts). Fixtures:
- `web`: the server, one per test session (started on first use), with the demo data and the ACCOUNTS
  below. It trusts loopback as a proxy, so each browser context can come from its own client address
  (X-Forwarded-For): the sign-in throttle of one test never slows another.
- `browser`: one Chromium per session (it costs seconds to start).
- `page`: a fresh context (no cookies) per test at 1280×800, from its own client address.
- `signed_in(page, user, password)`: signs the page in through the form, as a person would.
- `screenshot(page, name)`: with --update-goldens, writes docs/images/<name>.png (look at it before committing).
Find elements by role and label (page.get_by_role, page.get_by_label), not by CSS."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"

# user name, password, first name, last name, privileges: accounts the demo does not have
ACCOUNTS = (
    ("nobody", "no-privileges", "Nora", "Body", ()),
    ("Léo&<\"Vlahović\">", "pässwörd", "Léonard", "Vlahović & <Söhne>", (("MAGroup", "Settings"),)),
)
ADMIN = ("admin", "admin")
_ADDRESSES = (f"10.77.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@dataclass
class WebServer:
    url: str
    data_dir: Path
    server: object  # tests.conftest.Server

    def log(self) -> str:
        """What the server wrote to its log so far."""
        return (self.data_dir.parent / f"server-{self.server.port}.log").read_text(errors="replace")


def _prepare(data_dir: Path) -> None:
    from phonesvc.config import load_settings
    from phonesvc.store import demo
    from phonesvc.store.prepare import prepare
    from phonesvc.store.users import add_user

    settings = load_settings(env={"PHONESVC_DATA_DIR": str(data_dir)})
    store = prepare(settings)
    with store.write() as conn:
        demo.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})
        for name, password, first, last, privileges in ACCOUNTS:
            add_user(conn, name, password=password, first_name=first, last_name=last, privileges_=privileges)
    store.dispose()


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    from tests.conftest import Server

    data_dir = tmp_path_factory.mktemp("web") / "data"
    _prepare(data_dir)  # `serve --demo` leaves a database that is not empty as it is
    server = Server(data_dir, "--demo", env={"PHONESVC_TRUSTED_PROXIES": "127.0.0.1"}).start()
    yield WebServer(server.url, data_dir, server)
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


def client_address() -> str:
    """A client address no other test uses (sent as X-Forwarded-For, which the `web` server trusts)."""
    return next(_ADDRESSES)


@pytest.fixture
def page(browser, web):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=web.url,
                                  extra_http_headers={"X-Forwarded-For": client_address()})
    yield context.new_page()
    context.close()


def signed_in(page, user: str, password: str, start: str = "/"):
    """Sign in through the form (the sign-in page comes first when `start` needs a session)."""
    page.goto(start)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in_http(client, user: str, password: str, page: str = "", **headers: str):
    """Sign in without a browser (an httpx or Starlette test client keeps the cookies): the form first,
    for its pre-session token, then the POST. Returns the POST's answer (303 on success)."""
    form = client.get("/LogonPage.asp", headers=headers)
    return client.post("/LogonPage.asp", data={"user": user, "password": password, "page": page,
                                               "csrf": csrf_of(form.text)}, headers=headers, follow_redirects=False)


@pytest.fixture
def demo_clients(app, store, demo_data):
    """demo_clients(user) -> a Starlette TestClient on `app` (no browser) signed in as that demo user: password
    'pw-1', set here; the demo admin keeps 'admin'. Each client has its own address (the sign-in throttle)."""
    from starlette.testclient import TestClient

    from phonesvc.store.users import set_password

    clients = []

    def sign_in(user: str) -> TestClient:
        if user != ADMIN[0]:
            with store.write() as conn:
                set_password(conn, user, "pw-1")
        client = TestClient(app, client=("127.0.0.1", 50000 + len(clients)))
        clients.append(client)
        assert sign_in_http(client, user, ADMIN[1] if user == ADMIN[0] else "pw-1").status_code == 303
        return client
    yield sign_in
    for c in clients:
        c.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):
    update = bool(request.config.getoption("--update-goldens", default=False))

    def take(page, name: str) -> None:
        image = page.screenshot(full_page=True, animations="disabled", caret="hide")
        if update:
            DOCS_IMAGES.mkdir(exist_ok=True)
            (DOCS_IMAGES / f"{name}.png").write_bytes(image)
    return take


__all__ = ["ACCOUNTS", "ADMIN", "WebServer", "browser", "client_address", "csrf_of", "demo_clients", "page",
           "screenshot", "sign_in_http", "signed_in", "web"]
