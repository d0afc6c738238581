"""Configuration: defaults, TOML file, environment variables, CLI flags, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonesvc.config import ConfigError, load_settings


def test_defaults_work_with_nothing_set():
    s = load_settings(env={})
    assert (s.ma_instance, s.diversions_instance, s.host, s.port) == ("MAGroup", "PhoneDiversions", "127.0.0.1", 8080)
    assert s.effective_database_url == f"sqlite:///{Path('phonesvc-data/phonesvc.db').resolve()}"
    assert s.public_url == ""


def test_toml_then_env_then_flags(tmp_path):
    toml = tmp_path / "phonesvc.toml"
    toml.write_text('ma_instance = "MA Group"\nport = 9000\npublic_url = "https://phones.example.com/"\n'
                    'trusted_proxies = ["10.0.0.1"]\n')
    s = load_settings(env={"PHONESVC_CONFIG": str(toml), "PHONESVC_PORT": "9100",
                           "PHONESVC_DATA_DIR": str(tmp_path)})
    assert (s.ma_instance, s.port, s.public_url, s.trusted_proxies) == (
        "MA Group", 9100, "https://phones.example.com", ("10.0.0.1",))
    assert s.effective_database_url.endswith(str(tmp_path / "phonesvc.db"))
    assert load_settings(toml, env={}, port=9200).port == 9200


@pytest.mark.parametrize("env, message", [
    ({"PHONESVC_PORT": "eighty"}, "port"),
    ({"PHONESVC_TRUSTED_PROXIES": "not-an-ip"}, "trusted_proxies"),
    ({"PHONESVC_PUBLIC_URL": "phones.example.com"}, "public_url"),
    ({"PHONESVC_MA_INSTANCE": "a/b"}, "ma_instance"),
    ({"PHONESVC_DIVERSIONS_INSTANCE": "magroup"}, "differ"),
    ({"PHONESVC_CONFIG": "/nonexistent.toml"}, "cannot read"),
])
def test_bad_settings_are_explained(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env)


def test_unknown_toml_keys_are_refused(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(toml, env={})


def test_push_settings():
    s = load_settings(env={"PHONESVC_PUSH_ENABLED": "off", "PHONESVC_PUSH_TIMEOUT": "0.5",
                           "PHONESVC_PUSH_USER": "pushuser", "PHONESVC_REFRESH_SECONDS": "30"})
    assert (s.push_enabled, s.push_timeout, s.push_user, s.refresh_seconds) == (False, 0.5, "pushuser", 30)
    with pytest.raises(ConfigError, match="push_enabled"):
        load_settings(env={"PHONESVC_PUSH_ENABLED": "maybe"})
    with pytest.raises(ConfigError, match="push_timeout"):
        load_settings(env={"PHONESVC_PUSH_TIMEOUT": "soon"})


def test_access_log_is_off_unless_switched_on(tmp_path):
    assert load_settings(env={}).access_log is False
    assert load_settings(env={"PHONESVC_ACCESS_LOG": "true"}).access_log is True
    toml = tmp_path / "c.toml"
    toml.write_text("access_log = true\n")
    assert load_settings(toml, env={}).access_log is True
    assert load_settings(toml, env={"PHONESVC_ACCESS_LOG": "off"}).access_log is False
    assert load_settings(env={}, access_log=True).access_log is True  # phonesvc serve --access-log
    with pytest.raises(ConfigError, match="access_log"):
        load_settings(env={"PHONESVC_ACCESS_LOG": "loud"})
