"""Settings from defaults, an optional TOML file, environment variables and CLI flags (in that order)."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path

ENV_PREFIX = "PHONESVC_"


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("phonesvc-data")
    database_url: str = ""  # empty: an SQLite file in data_dir
    public_url: str = ""  # empty: derived from each request's scheme and Host header
    ma_instance: str = "MAGroup"
    diversions_instance: str = "PhoneDiversions"
    host: str = "127.0.0.1"
    port: int = 8080
    trusted_proxies: tuple[str, ...] = ()
    phone_networks: tuple[str, ...] = ()  # empty: phone services answer any address
    max_upload_bytes: int = 20 * 1024 * 1024
    access_log: bool = False  # one log line per request: off, phones ask all day
    # Status display push (CiscoIPPhoneExecute to each phone's /CGI/Execute), and the Refresh header
    # for phones that do not take pushes.
    push_enabled: bool = True
    push_user: str = ""  # an application user associated with the phones in CUCM
    push_password: str = ""
    push_timeout: float = 2.0  # seconds per phone
    push_concurrency: int = 50
    refresh_seconds: int = 60
    session_idle_minutes: int = 480  # a web admin session unused this long ends (8 hours: a working day)
    # The PBX: "sim" (the embedded simulator) or "o2g" (Alcatel-Lucent OmniPCX Enterprise through O2G).
    pbx: str = "sim"
    o2g_url: str = ""  # the O2G server's base URL; the API is discovered at <url>/api/rest
    o2g_login: str = ""  # an administrator account: it acts for the users
    o2g_password: str = ""
    o2g_verify_tls: bool = True
    o2g_ca_file: str = ""  # a CA bundle to verify O2G's certificate with (a private CA)
    o2g_timeout: float = 5.0  # seconds for one O2G request
    o2g_voice_guides: str = ""  # announcement file name=O2G voice guide number, comma separated

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'phonesvc.db').resolve()}"

    def audio_dir(self, instance: str, kind: str) -> Path:
        """Folder of an instance's uploaded audio: kind is 'mp3' or 'PCM' as in the manual."""
        return self.data_dir / "audio" / instance / kind

    @property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @cached_property  # phones ask all day
    def phone_network_list(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.phone_networks)


_INT_FIELDS = {"port", "max_upload_bytes", "push_concurrency", "refresh_seconds", "session_idle_minutes"}
_FLOAT_FIELDS = {"push_timeout", "o2g_timeout"}
_BOOL_FIELDS = {"push_enabled", "access_log", "o2g_verify_tls"}
_NETWORK_FIELDS = {"trusted_proxies", "phone_networks"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _coerce(name: str, value):
    if name == "data_dir":
        return Path(value)
    if name in _INT_FIELDS:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if name in _BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        if str(value).strip().casefold() in _TRUE | _FALSE:
            return str(value).strip().casefold() in _TRUE
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    if name in _NETWORK_FIELDS:
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        items = tuple(str(i).strip() for i in items if str(i).strip())
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ConfigError(f"{name}: {item!r} is not an IP address or network") from None
        return items
    return str(value)


def load_settings(config_file: str | os.PathLike | None = None, env: dict | None = None,
                  **overrides) -> Settings:
    """Build the settings; `overrides` are CLI flags (None means not given)."""
    env = os.environ if env is None else env
    names = {f.name for f in fields(Settings)}
    values: dict = {}
    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
        values.update(data)
    for name in names:
        if ENV_PREFIX + name.upper() in env:
            values[name] = env[ENV_PREFIX + name.upper()]
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **{k: _coerce(k, v) for k, v in values.items()})
    for name in ("ma_instance", "diversions_instance"):
        inst = getattr(settings, name)
        if not inst or "/" in inst or inst.strip() != inst:
            raise ConfigError(f"{name} must be a non-empty name without '/' or surrounding spaces")
    if settings.ma_instance.casefold() == settings.diversions_instance.casefold():
        raise ConfigError("ma_instance and diversions_instance must differ")
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise ConfigError("public_url must start with http:// or https://")
    if settings.pbx not in ("sim", "o2g"):
        raise ConfigError(f"pbx must be sim or o2g, not {settings.pbx!r}")
    if settings.pbx == "o2g" and not (settings.o2g_url.startswith(("http://", "https://"))
                                      and settings.o2g_login and settings.o2g_password):
        raise ConfigError("pbx o2g needs o2g_url (http:// or https://), o2g_login and o2g_password")
    if settings.o2g_ca_file and not os.access(settings.o2g_ca_file, os.R_OK):
        raise ConfigError(f"o2g_ca_file {settings.o2g_ca_file} cannot be read")
    return replace(settings, public_url=settings.public_url.rstrip("/"))
