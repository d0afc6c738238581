"""`phonesvc serve` runs on uvloop and httptools, and logs one line per request only when asked to."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx2 as httpx

from tests.conftest import free_port

MENU = "/Applications/inbound/MAGroup/src/PhoneMenu.asp?device=SEP0011223344A1"


def served_log(server) -> list[str]:
    server.stop()
    return (server.data_dir.parent / f"server-{server.port}.log").read_text(encoding="utf-8").splitlines()


def test_no_access_log_by_default(server_factory):
    server = server_factory("--demo")
    assert httpx.get(server.url + MENU, timeout=10).status_code == 200
    lines = served_log(server)
    assert not [ln for ln in lines if "PhoneMenu.asp" in ln or "/health" in ln], lines
    assert not [ln for ln in lines if "not installed" in ln]  # uvloop and httptools are there


def test_access_log_switched_on_by_flag_or_environment(server_factory, tmp_path):
    by_flag = server_factory("--demo", "--access-log")
    by_env = server_factory(data_dir=tmp_path / "other", env={"PHONESVC_ACCESS_LOG": "true"})
    for server in (by_flag, by_env):
        assert httpx.get(server.url + MENU, timeout=10).status_code in (200, 403)
        [line] = [ln for ln in served_log(server) if "PhoneMenu.asp" in ln]
        assert "GET" in line and "SEP0011223344A1" in line


def test_a_platform_without_uvloop_and_httptools_still_serves(tmp_path):
    """Where uvloop has no build (Windows), the server says so and runs on asyncio and h11."""
    port = free_port()
    script = ("import sys; sys.modules['uvloop'] = sys.modules['httptools'] = None; "
              "from phonesvc.cli import main; sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PHONESVC_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-c", script, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answered = time.monotonic() + 30, False
        while not answered and time.monotonic() < deadline and proc.poll() is None:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).text == "ok"
            except httpx.HTTPError:
                time.sleep(0.1)
        assert answered
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert "uvloop is not installed on this platform: serving with asyncio" in out
    assert "httptools is not installed on this platform: serving with h11" in out
