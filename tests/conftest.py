"""Shared fixtures: settings on a temporary data directory, an app on a real SQLite file, a REST
helper that parses the <Callisto> envelope, and a real uvicorn process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from lxml import etree
from starlette.testclient import TestClient

from phonesvc.app import create_app, prepare
from phonesvc.config import load_settings
from phonesvc.store import demo
from tests.fakeo2g import FakeO2G

MA_BASE = "/Applications/inbound/MAGroup/rest"
DIV_BASE = "/Applications/inbound/PhoneDiversions/rest"


@dataclass
class Reply:
    """A parsed REST answer: `status` is the status word (from <Response> or <Response><status>)."""

    http: httpx.Response
    request: str
    response: etree._Element

    @property
    def status(self) -> str | None:
        el = self.response.find("status")
        if el is not None:
            return el.text
        return (self.response.text or "").strip() or None

    @property
    def id(self) -> str | None:
        el = self.response.find("id")
        return el.text if el is not None else None

    def items(self, tag: str) -> list[dict[str, str]]:
        """Children named `tag` as dicts of their child elements' text ('' for empty)."""
        return [{c.tag: c.text or "" for c in el} for el in self.response.iter(tag)]


def parse_reply(http: httpx.Response) -> Reply:
    assert http.headers["content-type"] == "text/xml; charset=UTF-8", http.headers["content-type"]
    assert http.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), http.content[:60]
    root = etree.fromstring(http.content)
    assert root.tag == "Callisto"
    assert [c.tag for c in root] == ["Request", "Response"]
    return Reply(http, root.findtext("Request"), root.find("Response"))


def raw_form(client, path: str, body: bytes | str, method: str = "POST") -> Reply:
    """Send a form body exactly as curl --data would (repeated names, raw bytes); path: 'groups/addGroup'."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    http = client.request(method, f"{MA_BASE}/{path}.asp", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    return parse_reply(http)


def response_tags(reply: Reply) -> list[str]:
    return [c.tag for c in reply.response]


class Rest:
    """Calls REST functions of both applications the way the manual's curl examples do."""

    def __init__(self, client):
        self.client = client

    def __call__(self, path: str, method: str = "POST", files=None, **params) -> Reply:
        """path: 'groups/addGroup' (ManagerAssistant Group) or 'div/listGroups' (PhoneDiversions)."""
        url = (f"{DIV_BASE}/{path[4:]}" if path.startswith("div/") else f"{MA_BASE}/{path}") + ".asp"
        params = {k: str(v) for k, v in params.items()}
        if method == "GET":
            http = self.client.get(url, params=params)
        else:
            http = self.client.post(url, data=params, files=files)
        return parse_reply(http)

    def ok(self, path: str, method: str = "POST", **params) -> Reply:
        reply = self(path, method, **params)
        assert reply.status in ("OK", None), (path, params, reply.status)
        return reply


@pytest.fixture
def pbx_kind() -> str:
    """The PBX the app runs on: "sim"; a module whose tests apply to O2G as well parametrizes it with "o2g"
    (the app then runs the O2G adapter against the fake O2G server). PHONESVC_TEST_PBX=o2g runs any test
    module on O2G once, to see whether it applies."""
    return os.environ.get("PHONESVC_TEST_PBX", "sim")


@pytest.fixture
def fake_o2g(pbx_kind):
    if pbx_kind != "o2g":
        yield None
        return
    fake = FakeO2G(auto_users=True).start_thread()
    yield fake
    fake.stop_thread()


def pbx_env(fake: FakeO2G | None) -> dict[str, str]:
    """The settings that run the app on the O2G adapter against the fake O2G (none: the simulator)."""
    if fake is None:
        return {}
    return {"PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": fake.url, "PHONESVC_O2G_LOGIN": fake.login,
            "PHONESVC_O2G_PASSWORD": fake.password}


@pytest.fixture
def settings(tmp_path: Path, fake_o2g):
    return load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"), **pbx_env(fake_o2g)})


@pytest.fixture
def store(settings):
    s = prepare(settings)
    yield s
    s.dispose()


@pytest.fixture
def app(settings, store):
    return create_app(settings, store)


@pytest.fixture
def client(app):
    """A client on loopback: no credentials needed."""
    with TestClient(app, client=("127.0.0.1", 50000)) as c:
        yield c


@contextmanager
def pushing_app(tmp_path: Path, store, farm, fake: FakeO2G | None = None):
    """The app with push credentials and a public URL, the fake phone `farm` started, and each of its
    phones registered at its address (what a phone's first screen request records); on the O2G adapter
    when `fake` (the fake O2G) is given."""
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"), "PHONESVC_PUSH_USER": "pushuser",
                                  "PHONESVC_PUSH_PASSWORD": "s3cret", "PHONESVC_PUBLIC_URL": "http://phonesvc.test",
                                  **pbx_env(fake)})
    app = create_app(settings, store)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        client.portal.call(farm.start)
        for phone in farm.phones:
            app.state.registry.seen(phone.name, "CP-8865", "", phone.address)
        try:
            yield app, client
        finally:
            client.portal.call(farm.stop)


@pytest.fixture
def rest(client) -> Rest:
    return Rest(client)


@pytest.fixture
def demo_data(store, settings):
    with store.write() as conn:
        demo.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real `phonesvc serve` process on loopback."""

    def __init__(self, data_dir: Path, *args: str, env: dict | None = None):
        self.data_dir = data_dir
        self.args = args
        self.env = env or {}
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "PHONESVC_DATA_DIR": str(self.data_dir), **self.env}
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115  closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "phonesvc", "serve", "--port", str(self.port),
                                      *self.args], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """kill -9: no chance to flush or close anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def server_factory(tmp_path: Path):
    servers: list[Server] = []

    def make(*args: str, env: dict | None = None, data_dir: Path | None = None) -> Server:
        s = Server(data_dir or tmp_path / "data", *args, env=env)
        servers.append(s)
        return s.start()

    yield make
    for s in servers:
        s.stop()


def drop_change_journal(conn) -> None:
    """Take an SQLite database back from schema version 8 to 7: no change journal, its triggers and mark."""
    for name in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all():
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    conn.exec_driver_sql("DROP TABLE config_changes")
    conn.exec_driver_sql("ALTER TABLE config_version DROP COLUMN pruned")


def undo_versions_10_11(conn) -> None:
    """Take an SQLite database back from schema version 11 to 9: no per-member call rows (11), no Call Handler
    log, no switch source (10)."""
    conn.exec_driver_sql("DROP TABLE call_members")
    conn.exec_driver_sql("DROP TABLE callhandler_log")
    conn.exec_driver_sql("ALTER TABLE diversion_log DROP COLUMN source")
