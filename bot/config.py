"""Configuration: one TOML file, validated once by a schema, turned into frozen dataclasses.

Where the file comes from: ``--config PATH``, else ``$MINQING_CONFIG``, else
``./config.toml``. Only ``[database] url`` and ``[wecom] corp_id``, ``token`` and
``encoding_aes_key`` are required; every other key has a default, declared once below
as the field's default. Secrets may come from the environment instead
(``MINQING_WECOM_SECRET``, ``MINQING_DATABASE_URL``).

Each section is a frozen (pydantic) dataclass: types are strict (``"100"`` is not a
number), ranges and choices are part of the field, and an unknown key is an error, so a
typo such as ``[wecom] secert`` cannot pass silently. A bad config raises
:class:`ConfigError` whose message names the key and the problem in one line
(``<file>: <section>.<key> <reason>``); the CLI prints it and exits with code 2.
Deprecated keys still work and add a line to ``Config.deprecations``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic.dataclasses import dataclass as schema

from bot.config_checks import (
    aes_key,
    check_database_url,
    check_timezone,
    days_list,
    hhmm,
    non_empty,
    reason,
    suggest,
)

DEFAULT_PATH = "config.toml"
# Upper bounds that keep date arithmetic in range (a deadline 10 million days away
# overflowed datetime in every 问题 listing instead of failing at start-up).
MAX_DAYS = 3650
MAX_BACKOFF_SECONDS = 7 * 24 * 3600.0
DEFAULT_TIMEZONE = "Asia/Shanghai"

SECTION = ConfigDict(extra="forbid", allow_inf_nan=False)
Required = Annotated[StrictStr, AfterValidator(non_empty)]
Time = Annotated[StrictStr, AfterValidator(hhmm)]
Days = Annotated[StrictInt, Field(ge=1, le=MAX_DAYS)]


class ConfigError(Exception):
    """A config problem a person can fix: the message names the key."""


@schema(frozen=True, config=SECTION)
class DatabaseConfig:
    url: Annotated[Required, AfterValidator(check_database_url)]
    echo: StrictBool = False
    pool_size: StrictInt = Field(default=5, ge=1)


@schema(frozen=True, config=SECTION)
class WecomConfig:
    corp_id: Required
    token: Required
    encoding_aes_key: Annotated[StrictStr, AfterValidator(aes_key)]
    agent_id: StrictInt = Field(default=0, ge=0)
    secret: StrictStr = ""
    api_base_url: Annotated[StrictStr, AfterValidator(lambda url: url.rstrip("/"))] = (
        "https://qyapi.weixin.qq.com"
    )
    timeout_seconds: StrictFloat = Field(default=5.0, ge=0.1)


@schema(frozen=True, config=SECTION)
class ServerConfig:
    host: StrictStr = "127.0.0.1"
    port: StrictInt = Field(default=8080, ge=1, le=65535)
    workers: StrictInt = Field(default=2, ge=1)
    max_body_bytes: StrictInt = Field(default=64 * 1024, ge=1024)
    # Threads per worker: each slow client holds one until request_timeout_seconds.
    threads: StrictInt = Field(default=64, ge=1, le=1024)
    request_timeout_seconds: StrictFloat = Field(default=10.0, ge=1, le=300)
    # /readyz answers 503 when the oldest due outbox row has waited longer than this.
    ready_outbox_lag_seconds: StrictFloat = Field(default=300.0, ge=1)
    # PROMETHEUS_MULTIPROC_DIR of `minqing serve` (emptied at start); "" = a fresh tmp dir.
    metrics_dir: StrictStr = ""
    log_format: Literal["text", "json"] = "text"


@schema(frozen=True, config=SECTION)
class OutboxConfig:
    max_attempts: StrictInt = Field(default=8, ge=1)
    base_backoff_seconds: StrictFloat = Field(default=10.0, ge=0, le=MAX_BACKOFF_SECONDS)
    max_backoff_seconds: StrictFloat = Field(default=3600.0, ge=0, le=MAX_BACKOFF_SECONDS)
    batch_size: StrictInt = Field(default=50, ge=1)
    # A claimed row is due again this long after its claim (a sender killed mid-send
    # only delays its rows this much); a sender sends a claimed row only in the first half.
    claim_lease_seconds: StrictFloat = Field(default=300.0, ge=5, le=3600)


@schema(frozen=True, config=SECTION)
class GroupChat:
    """A group chat a unit's reminders and announcements go to."""

    unit: Required
    appchat_id: StrictStr = ""
    robot_key: StrictStr = ""

    @model_validator(mode="after")
    def _exactly_one_target(self) -> GroupChat:
        if bool(self.appchat_id) == bool(self.robot_key):
            raise ValueError("set exactly one of appchat_id or robot_key")
        return self


@schema(frozen=True, config=SECTION)
class CampaignConfig:
    name: StrictStr = "民情大走访"
    template: StrictStr = "yizou_erwen_sankan"
    quota_per_cadre: StrictInt = Field(default=0, ge=0)
    # The campaign's one time zone: local days, deadlines, reminders, weekly windows.
    timezone: Annotated[StrictStr, AfterValidator(check_timezone)] = DEFAULT_TIMEZONE
    # After ``minqing campaign close``, answers and problem texts that identify a
    # person are redacted this many days later (job redact_closed; docs/privacy.md).
    redact_after_days: StrictInt = Field(default=365, ge=1, le=MAX_DAYS)


@schema(frozen=True, config=SECTION)
class LedgerConfig:
    assign_within_days: StrictInt = Field(default=2, ge=0, le=MAX_DAYS)
    resolve_days_town: Days = 7
    resolve_days_linked: Days = 15
    resolve_days_city: Days = 30
    followup_within_days: Days = 7
    default_scheme: Literal["changzhou", "chaihudian"] = "changzhou"


@schema(frozen=True, config=SECTION)
class SchedulerConfig:
    reminder_days_before: Annotated[tuple[int, ...], BeforeValidator(days_list)] = (3, 1)
    review_day_of_week: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    review_time: Time = "08:30"
    review_size: StrictInt = Field(default=5, ge=1)
    review_exclude_weeks: StrictInt = Field(default=2, ge=0)
    # A person is drawn at most once a week across all drawing units (town and village).
    review_once_per_week: StrictBool = True
    daily_digest_time: Time = "20:00"
    draft_idle_hours: StrictInt = Field(default=12, ge=1)
    # Applied callbacks (with their stored replies: phones, problem texts) are kept
    # this many days for de-duplication, then purged by the daily job.
    inbound_retention_days: StrictInt = Field(default=30, ge=1, le=MAX_DAYS)


@schema(frozen=True, config=SECTION)
class PagesConfig:
    """The /m/ pages in WeCom's in-app browser (bot/pages)."""

    enabled: StrictBool = False
    # Signs the session cookie and the links sent in chat; required when enabled.
    secret_key: StrictStr = ""
    # The app's address as a phone reaches it (links in chat, the OAuth redirect_uri).
    public_url: Annotated[StrictStr, AfterValidator(lambda url: url.rstrip("/"))] = ""
    # WeCom's web authorization host (the fake WeCom in the demo and the tests).
    oauth_base_url: Annotated[StrictStr, AfterValidator(lambda url: url.rstrip("/"))] = (
        "https://open.weixin.qq.com"
    )
    session_hours: StrictInt = Field(default=8, ge=1, le=24 * 30)
    link_ttl_minutes: StrictInt = Field(default=720, ge=1, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _secret_when_enabled(self) -> PagesConfig:
        if self.enabled and len(self.secret_key) < 16:
            raise ValueError("secret_key of 16+ characters is required when enabled")
        return self


@schema(frozen=True, config=SECTION)
class _RedisSection:
    """Deprecated: nothing reads it (shared caches live in the database)."""

    url: StrictStr = ""


@schema(frozen=True, config=SECTION)
class _Document:
    """The whole file: its sections, in the order their errors are reported."""

    database: DatabaseConfig
    wecom: WecomConfig
    server: ServerConfig = field(default_factory=ServerConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    groups: tuple[GroupChat, ...] = ()
    pages: PagesConfig = field(default_factory=PagesConfig)
    redis: _RedisSection = field(default_factory=_RedisSection)


SECTIONS: dict[str, type] = {
    "database": DatabaseConfig,
    "wecom": WecomConfig,
    "server": ServerConfig,
    "outbox": OutboxConfig,
    "campaign": CampaignConfig,
    "ledger": LedgerConfig,
    "scheduler": SchedulerConfig,
    "pages": PagesConfig,
    "redis": _RedisSection,
}


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
    pages: PagesConfig = field(default_factory=PagesConfig)
    source: str = "<dict>"
    # One line per deprecated key found (the CLI prints them on stderr).
    deprecations: tuple[str, ...] = ()


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
    """Validate an already-parsed TOML document (``environ`` defaults to os.environ)."""
    env = os.environ if environ is None else environ
    doc = _tables(raw, source)
    if env.get("MINQING_DATABASE_URL"):
        doc["database"]["url"] = env["MINQING_DATABASE_URL"]
    if env.get("MINQING_WECOM_SECRET"):
        doc["wecom"]["secret"] = env["MINQING_WECOM_SECRET"]
    deprecations: list[str] = []
    tz_key = _move_old_timezone(doc, source, deprecations)
    if "redis" in doc:
        deprecations.append(
            f"{source}: [redis] is deprecated and ignored (shared caches live in the "
            "database); remove the section"
        )
    try:
        valid = _Document(**doc)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, doc, source, tz_key)) from None
    return Config(
        database=valid.database,
        wecom=valid.wecom,
        server=valid.server,
        outbox=valid.outbox,
        campaign=valid.campaign,
        ledger=valid.ledger,
        scheduler=valid.scheduler,
        groups=valid.groups,
        pages=valid.pages,
        source=source,
        deprecations=tuple(deprecations),
    )


def _tables(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """A copy of ``raw`` whose sections are known tables (the two required ones present)."""
    doc: dict[str, Any] = {"database": {}, "wecom": {}}
    for key, value in raw.items():
        if key == "groups":
            if not isinstance(value, list):
                raise ConfigError(f"{source}: groups must be written as [[groups]] tables")
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise ConfigError(f"{source}: groups[{i}] must be a table")
            doc[key] = [dict(item) for item in value]
            continue
        if key not in SECTIONS:
            raise ConfigError(
                f"{source}: unknown section [{key}]{suggest(key, [*SECTIONS, 'groups'])}"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: [{key}] must be a table")
        doc[key] = dict(value)
    return doc


def _move_old_timezone(doc: dict[str, Any], source: str, deprecations: list[str]) -> str:
    """Apply ``[scheduler] timezone`` (deprecated); return the key the zone came from."""
    campaign, scheduler = doc.setdefault("campaign", {}), doc.get("scheduler", {})
    if campaign.get("timezone") == "":
        del campaign["timezone"]  # empty means "not set", as it always did
    old = scheduler.pop("timezone", "")
    if not isinstance(old, str):
        raise ConfigError(f"{source}: scheduler.timezone must be a string (got {old!r})")
    if not old:
        return "campaign.timezone"
    deprecations.append(
        f"{source}: scheduler.timezone is deprecated; write it as [campaign] timezone"
    )
    if "timezone" in campaign:
        return "campaign.timezone"
    campaign["timezone"] = old
    return "scheduler.timezone"


def _first_error(exc: ValidationError, doc: dict[str, Any], source: str, tz_key: str) -> str:
    """``<source>: <section>.<key> <reason>`` for the first problem pydantic found."""
    err = exc.errors()[0]
    loc = [str(part) for part in err["loc"]]
    if loc[0] == "groups" and len(loc) > 1:
        where, rest = f"groups[{loc[1]}]", loc[2:3]
    else:
        where, rest = loc[0], loc[1:2]
    if not rest:  # a whole-table check: a group's targets
        return f"{source}: {where}: {reason(err)}"
    key = f"{where}.{rest[0]}"
    if key == "campaign.timezone":
        key = tz_key
    if err["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
        section_type = SECTIONS.get(loc[0], GroupChat)
        known = list(getattr(section_type, "__dataclass_fields__", {}))
        return f"{source}: {key} is not a known key{suggest(rest[0], known)}"
    return f"{source}: {key} {reason(err)}"
