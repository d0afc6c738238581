"""scripts/install.sh, which scripts/demo.sh and scripts/test.sh run first: pip runs on a fresh .venv and
after pyproject.toml changed, not on every start. pip is replaced by a stand-in that writes down its calls."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout(tmp_path: Path) -> Path:
    """A copy of the scripts and pyproject.toml with a .venv whose python only logs what it is asked."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "install.sh", tmp_path / "scripts" / "install.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$*" >> "$(dirname "$0")/../../pip.log"\n')
    python.chmod(0o755)
    return tmp_path


def install(repo: Path, *args: str) -> list[str]:
    """Run install.sh; the pip calls it made."""
    log = repo / "pip.log"
    log.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PHONESVC_REINSTALL"}
    subprocess.run(["bash", "scripts/install.sh", *args], cwd=repo, env=env, check=True, timeout=60)
    return log.read_text().splitlines() if log.exists() else []


def test_install_runs_pip_only_when_something_changed(tmp_path):
    repo = checkout(tmp_path)
    assert install(repo) == ["-m pip install -q --disable-pip-version-check -e ."]  # fresh: installs
    assert install(repo) == []  # nothing changed: demo.sh starts at once
    assert install(repo, "test") == ["-m pip install -q --disable-pip-version-check -e .[test]"]
    assert install(repo, "test") == [] and install(repo) == []  # the test install covers the server's

    # a new dependency: pyproject.toml edited after the last install (whose stamps are moved back in time)
    for stamp in (repo / ".venv").glob(".installed*"):
        os.utime(stamp, (time.time() - 60, time.time() - 60))
    os.utime(repo / "pyproject.toml", (time.time() - 30, time.time() - 30))
    assert install(repo) == ["-m pip install -q --disable-pip-version-check -e ."]
    assert install(repo) == []
