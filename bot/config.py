"""Configuration: one TOML file, validated once, turned into frozen dataclasses.

Where the file comes from: ``--config PATH``, else ``$MINQING_CONFIG``, else
``./config.toml``. Only ``[database] url`` and ``[wecom] corp_id``, ``token`` and
``encoding_aes_key`` are required; every other key has a default. Secrets may come
from the environment instead (``MINQING_WECOM_SECRET``, ``MINQING_DATABASE_URL``).

A bad config raises :class:`ConfigError` whose message names the key and the
problem in one line; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

DEFAULT_PATH = "config.toml"
# Upper bounds that keep date arithmetic in range (a deadline 10 million days away
# overflowed datetime in every 问题 listing instead of failing at start-up).
MAX_DAYS = 3650
MAX_BACKOFF_SECONDS = 7 * 24 * 3600.0


class ConfigError(Exception):
    """A config problem a person can fix: the message names the key."""


@dataclass(frozen=True)
class DatabaseConfig:
    url: str
    echo: bool = False
    pool_size: int = 5


@dataclass(frozen=True)
class WecomConfig:
    corp_id: str
    token: str
    encoding_aes_key: str
    agent_id: int = 0
    secret: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com"
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    max_body_bytes: int = 64 * 1024


@dataclass(frozen=True)
class OutboxConfig:
    max_attempts: int = 8
    base_backoff_seconds: float = 10.0
    max_backoff_seconds: float = 3600.0
    batch_size: int = 50


@dataclass(frozen=True)
class GroupChat:
    """A group chat a unit's reminders and announcements go to."""

    unit: str
    appchat_id: str = ""
    robot_key: str = ""


DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class CampaignConfig:
    name: str = "民情大走访"
    template: str = "yizou_erwen_sankan"
    quota_per_cadre: int = 0
    # The campaign's one time zone: local days, deadlines, reminders, weekly windows.
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class LedgerConfig:
    assign_within_days: int = 2
    resolve_days_town: int = 7
    resolve_days_linked: int = 15
    resolve_days_city: int = 30
    followup_within_days: int = 7
    default_scheme: str = "changzhou"


@dataclass(frozen=True)
class SchedulerConfig:
    reminder_days_before: tuple[int, ...] = (3, 1)
    review_day_of_week: str = "mon"
    review_time: str = "08:30"
    review_size: int = 5
    review_exclude_weeks: int = 2
    # A person is drawn at most once a week across all drawing units (town and village).
    review_once_per_week: bool = True
    daily_digest_time: str = "20:00"
    draft_idle_hours: int = 12


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig
    wecom: WecomConfig
    server: ServerConfig = field(default_factory=ServerConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    groups: tuple[GroupChat, ...] = ()
    redis_url: str = ""
    source: str = "<dict>"
    # One line per deprecated key found (the CLI prints them on stderr).
    deprecations: tuple[str, ...] = ()

    @property
    def timezone(self) -> str:
        """The campaign's time zone name (``[campaign] timezone``)."""
        return self.campaign.timezone


def resolve_path(cli_path: str | None, environ: dict[str, str] | None = None) -> Path:
    """Pick the config file: the CLI flag, then $MINQING_CONFIG, then ./config.toml."""
    env = os.environ if environ is None else environ
    return Path(cli_path or env.get("MINQING_CONFIG") or DEFAULT_PATH)


def load(path: str | Path, environ: dict[str, str] | None = None) -> Config:
    """Read and validate a TOML config file; raise ConfigError with one clear line."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(
            f"{p}: 找不到配置文件 (config file not found); "
            "pass --config, set MINQING_CONFIG or create ./config.toml"
        )
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return from_dict(raw, environ=environ, source=str(p))


def from_dict(
    raw: dict[str, Any], environ: dict[str, str] | None = None, source: str = "<dict>"
) -> Config:
    """Validate an already-parsed TOML document."""
    env = os.environ if environ is None else environ
    v = _Validator(raw, source)
    known_sections = {
        "database",
        "wecom",
        "server",
        "outbox",
        "campaign",
        "ledger",
        "scheduler",
        "groups",
        "redis",
    }
    for key in raw:
        if key not in known_sections:
            raise ConfigError(f"{source}: unknown section [{key}]")

    db_url = env.get("MINQING_DATABASE_URL") or v.string("database", "url", required=True)
    if not db_url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"{source}: database.url must start with sqlite:// or postgresql+psycopg:// "
            f"(got {db_url!r})"
        )
    _check_database_url(db_url, source)
    database = DatabaseConfig(
        url=db_url,
        echo=v.boolean("database", "echo", False),
        pool_size=v.integer("database", "pool_size", 5, minimum=1),
    )

    aes_key = v.string("wecom", "encoding_aes_key", required=True)
    if len(aes_key) != 43:
        raise ConfigError(
            f"{source}: wecom.encoding_aes_key must be 43 characters (got {len(aes_key)})"
        )
    wecom = WecomConfig(
        corp_id=v.string("wecom", "corp_id", required=True),
        token=v.string("wecom", "token", required=True),
        encoding_aes_key=aes_key,
        agent_id=v.integer("wecom", "agent_id", 0, minimum=0),
        secret=env.get("MINQING_WECOM_SECRET") or v.string("wecom", "secret", ""),
        api_base_url=v.string("wecom", "api_base_url", WecomConfig.api_base_url).rstrip("/"),
        timeout_seconds=v.number("wecom", "timeout_seconds", 5.0, minimum=0.1),
    )

    server = ServerConfig(
        host=v.string("server", "host", ServerConfig.host),
        port=v.integer("server", "port", ServerConfig.port, minimum=1, maximum=65535),
        workers=v.integer("server", "workers", ServerConfig.workers, minimum=1),
        max_body_bytes=v.integer(
            "server", "max_body_bytes", ServerConfig.max_body_bytes, minimum=1024
        ),
    )
    outbox = OutboxConfig(
        max_attempts=v.integer("outbox", "max_attempts", 8, minimum=1),
        base_backoff_seconds=v.number(
            "outbox", "base_backoff_seconds", 10.0, minimum=0, maximum=MAX_BACKOFF_SECONDS
        ),
        max_backoff_seconds=v.number(
            "outbox", "max_backoff_seconds", 3600.0, minimum=0, maximum=MAX_BACKOFF_SECONDS
        ),
        batch_size=v.integer("outbox", "batch_size", 50, minimum=1),
    )
    deprecations: list[str] = []
    timezone = v.string("campaign", "timezone", "")
    old_tz = v.string("scheduler", "timezone", "")
    if old_tz:
        deprecations.append(
            f"{source}: scheduler.timezone is deprecated; write it as [campaign] timezone"
        )
        if not timezone:
            timezone = old_tz
    timezone = timezone or DEFAULT_TIMEZONE
    key = "campaign.timezone" if v.string("campaign", "timezone", "") else "scheduler.timezone"
    _check_timezone(timezone, key, source)
    campaign = CampaignConfig(
        name=v.string("campaign", "name", CampaignConfig.name),
        template=v.string("campaign", "template", CampaignConfig.template),
        quota_per_cadre=v.integer("campaign", "quota_per_cadre", 0, minimum=0),
        timezone=timezone,
    )
    scheme = v.string("ledger", "default_scheme", "changzhou")
    if scheme not in ("changzhou", "chaihudian"):
        raise ConfigError(f"{source}: ledger.default_scheme must be changzhou or chaihudian")
    ledger = LedgerConfig(
        assign_within_days=v.integer(
            "ledger", "assign_within_days", 2, minimum=0, maximum=MAX_DAYS
        ),
        resolve_days_town=v.integer("ledger", "resolve_days_town", 7, minimum=1, maximum=MAX_DAYS),
        resolve_days_linked=v.integer(
            "ledger", "resolve_days_linked", 15, minimum=1, maximum=MAX_DAYS
        ),
        resolve_days_city=v.integer("ledger", "resolve_days_city", 30, minimum=1, maximum=MAX_DAYS),
        followup_within_days=v.integer(
            "ledger", "followup_within_days", 7, minimum=1, maximum=MAX_DAYS
        ),
        default_scheme=scheme,
    )
    days = v.int_list("scheduler", "reminder_days_before", [3, 1])
    scheduler = SchedulerConfig(
        reminder_days_before=tuple(days),
        review_day_of_week=v.choice(
            "scheduler",
            "review_day_of_week",
            "mon",
            ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        ),
        review_time=v.hhmm("scheduler", "review_time", "08:30"),
        review_size=v.integer("scheduler", "review_size", 5, minimum=1),
        review_exclude_weeks=v.integer("scheduler", "review_exclude_weeks", 2, minimum=0),
        review_once_per_week=v.boolean("scheduler", "review_once_per_week", True),
        daily_digest_time=v.hhmm("scheduler", "daily_digest_time", "20:00"),
        draft_idle_hours=v.integer("scheduler", "draft_idle_hours", 12, minimum=1),
    )
    groups = v.groups()
    redis_url = v.string("redis", "url", "")
    return Config(
        database=database,
        wecom=wecom,
        server=server,
        outbox=outbox,
        campaign=campaign,
        ledger=ledger,
        scheduler=scheduler,
        groups=groups,
        redis_url=redis_url,
        source=source,
        deprecations=tuple(deprecations),
    )


def _check_timezone(name: str, key: str, source: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{source}: {key} {name!r} is not a known time zone (e.g. Asia/Shanghai)"
        ) from None


def _check_database_url(url: str, source: str) -> None:
    """database.url must parse and name a driver that is installed (else one clear line)."""
    try:
        make_url(url).get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        known = isinstance(exc, NoSuchModuleError | ImportError)
        why = str(exc) if known else "cannot be parsed"
        raise ConfigError(
            f"{source}: database.url is not usable ({why}); "
            "write e.g. sqlite:///var/minqing.db or postgresql+psycopg://user@host/db"
        ) from None


class _Validator:
    """Typed look-ups into the raw TOML, each failure naming section.key."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source

    def _section(self, section: str) -> dict[str, Any]:
        value = self.raw.get(section, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.source}: [{section}] must be a table")
        return value

    def _fail(self, section: str, key: str, why: str) -> ConfigError:
        return ConfigError(f"{self.source}: {section}.{key} {why}")

    def string(self, section: str, key: str, default: str = "", required: bool = False) -> str:
        sec = self._section(section)
        if key not in sec:
            if required:
                raise self._fail(section, key, "is required")
            return default
        value = sec[key]
        if not isinstance(value, str):
            raise self._fail(section, key, f"must be a string (got {value!r})")
        if required and not value.strip():
            raise self._fail(section, key, "must not be empty")
        return value

    def boolean(self, section: str, key: str, default: bool) -> bool:
        value = self._section(section).get(key, default)
        if not isinstance(value, bool):
            raise self._fail(section, key, f"must be true or false (got {value!r})")
        return value

    def integer(
        self,
        section: str,
        key: str,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        value = self._section(section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(section, key, f"must be a whole number (got {value!r})")
        if minimum is not None and value < minimum:
            raise self._fail(section, key, f"must be at least {minimum} (got {value})")
        if maximum is not None and value > maximum:
            raise self._fail(section, key, f"must be at most {maximum} (got {value})")
        return value

    def number(
        self,
        section: str,
        key: str,
        default: float,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        value = self._section(section).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(section, key, f"must be a number (got {value!r})")
        if minimum is not None and not value >= minimum:  # also refuses nan
            raise self._fail(section, key, f"must be at least {minimum} (got {value})")
        if maximum is not None and not value <= maximum:
            raise self._fail(section, key, f"must be at most {maximum} (got {value})")
        return float(value)

    def int_list(self, section: str, key: str, default: list[int]) -> list[int]:
        value = self._section(section).get(key, default)
        if not isinstance(value, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in value
        ):
            raise self._fail(section, key, f"must be a list of whole numbers ≥ 0 (got {value!r})")
        return list(value)

    def choice(self, section: str, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.string(section, key, default)
        if value not in allowed:
            raise self._fail(section, key, f"must be one of {', '.join(allowed)} (got {value!r})")
        return value

    def hhmm(self, section: str, key: str, default: str) -> str:
        value = self.string(section, key, default)
        parts = value.split(":")
        ok = len(parts) == 2 and all(p.isdecimal() for p in parts)
        if not ok or not (0 <= int(parts[0]) < 24 and 0 <= int(parts[1]) < 60):
            raise self._fail(section, key, f"must be a time like 08:30 (got {value!r})")
        return value

    def groups(self) -> tuple[GroupChat, ...]:
        raw = self.raw.get("groups", [])
        if not isinstance(raw, list):
            raise ConfigError(f"{self.source}: groups must be written as [[groups]] tables")
        out = []
        for i, item in enumerate(raw):
            where = f"{self.source}: groups[{i}]"
            if not isinstance(item, dict):
                raise ConfigError(f"{where} must be a table")
            unit = item.get("unit")
            if not isinstance(unit, str) or not unit:
                raise ConfigError(f"{where}.unit is required (the 单位名称 the group belongs to)")
            appchat = item.get("appchat_id", "")
            robot = item.get("robot_key", "")
            if not isinstance(appchat, str) or not isinstance(robot, str):
                raise ConfigError(f"{where}: appchat_id and robot_key must be strings")
            if bool(appchat) == bool(robot):
                raise ConfigError(f"{where}: set exactly one of appchat_id or robot_key")
            out.append(GroupChat(unit=unit, appchat_id=appchat, robot_key=robot))
        return tuple(out)
