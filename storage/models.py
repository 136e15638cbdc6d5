"""SQLAlchemy 2.0 typed models for the campaign domain (see ../shared/DOMAIN.md).

Enumerations are stored as short English strings (stable ids); the Chinese labels
people see live in :mod:`storage.vocab`. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        list[str]: JSON,
    }


# --- roster -----------------------------------------------------------------


class Unit(Base):
    """An organisational unit: 县/镇/线办/村/社区/网格/部门 (a tree)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(10))
    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Cadre(Base):
    """A person on the roster, identified by their WeCom userid."""

    __tablename__ = "cadres"
    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(10))  # visitor / leader / admin
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_leave: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[Unit] = relationship()


class Target(Base):
    """A household or other place to visit (shop, school, company…)."""

    __tablename__ = "targets"
    __table_args__ = (Index("ix_targets_name_address", "head_name", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    head_name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # 所属村社区
    grid: Mapped[str] = mapped_column(String(50), default="")  # 组/网格
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    member_count: Mapped[int | None] = mapped_column(Integer)
    categories: Mapped[list[str]] = mapped_column(default=list)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点对象
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # 户 (household) / 村（社区） (village: the 003 村（社区）调查表) / 单位或商铺 (place).
    kind: Mapped[str] = mapped_column(String(10), default="household", server_default="household")
    unit: Mapped[Unit] = relationship()


# --- campaign ---------------------------------------------------------------


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    quota_per_cadre: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When it was closed (``minqing campaign close``); answers and problem texts that
    # identify a person are redacted ``[campaign] redact_after_days`` later, and
    # ``redacted_at`` records that it was done (storage.retention).
    closed_at: Mapped[datetime | None]
    redacted_at: Mapped[datetime | None]
    phases: Mapped[list[Phase]] = relationship(
        back_populates="campaign", order_by="Phase.position", cascade="all, delete-orphan"
    )


class Phase(Base):
    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class Assignment(Base):
    """Cadre ↔ target for one campaign; sticky (一访到底)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"))
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    target: Mapped[Target] = relationship()
    cadre: Mapped[Cadre] = relationship()


class Visit(Base):
    """One logged contact with a target.

    outcome: ``visited`` (in person), ``phone`` (key target reached by phone),
    ``away`` (一般农户 not at home, 附件2 details in ``answers``), ``appointment`` (约访).
    """

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    template: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    appointment_at: Mapped[datetime | None]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    amended_at: Mapped[datetime | None]
    target: Mapped[Target] = relationship()
    cadre: Mapped[Cadre] = relationship()


class VisitMedia(Base):
    """A photo sent during a visit: the bytes fetched through the WeCom API."""

    __tablename__ = "visit_media"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    media_id: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50), default="image/jpeg")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]


# --- conversation -----------------------------------------------------------


class DialogSession(Base):
    """The persisted conversation state of one WeCom user (one row per user)."""

    __tablename__ = "dialog_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(64), default="idle")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]


class InboundMessage(Base):
    """Every callback applied, keyed for de-duplication of WeCom's retries."""

    __tablename__ = "inbound_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 hex of the callback's whole key, user included (storage.callbacks.stored_key)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    userid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(Text)  # the plain passive reply, for replays


# --- problems ---------------------------------------------------------------


class Problem(Base):
    """One ledger entry: a difficulty, suggestion, dispute or hazard found in a visit."""

    __tablename__ = "problems"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    found_by_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source_question: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(10))  # seed-003 scheme
    category_alt: Mapped[str] = mapped_column(String(10))  # seed-004 scheme
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    responsibility: Mapped[str] = mapped_column(String(10), default="town")
    status: Mapped[str] = mapped_column(String(16), default="registered", index=True)
    assignee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"))
    created_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closing_note: Mapped[str] = mapped_column(Text, default="")
    followed_up_at: Mapped[datetime | None]
    satisfaction: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class ProblemEvent(Base):
    """History of a problem: every transition, who and when."""

    __tablename__ = "problem_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


# --- scheduling, messaging, audit ---------------------------------------------


class ReviewDraw(Base):
    """A weekly random-five 讲评 draw: seed, pool and result, for re-derivation."""

    __tablename__ = "review_draws"
    __table_args__ = (UniqueConstraint("unit_id", "week", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W48
    revision: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[str] = mapped_column(String(64))
    pool: Mapped[list[str]] = mapped_column()
    drawn: Mapped[list[str]] = mapped_column()
    size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    drawn_by: Mapped[str] = mapped_column(String(64), default="scheduler")
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message waiting to go to WeCom; written in the caller's transaction.

    channel: ``message`` (message/send), ``appchat`` (appchat/send), ``robot``
    (group-robot webhook), ``update_card`` (message/update_template_card).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(Text, default="")  # up to 1000 userids joined by |
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(Text, default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Rows of one logical message (a split text's parts, a card after its summary):
    # sent in id order within the group; rows of different groups never wait for
    # each other (storage.outbox.enqueue, storage.outbox.claim_due).
    group_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class CacheEntry(Base):
    """Shared small values (the WeCom access token) visible to every process."""

    __tablename__ = "cache_entries"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class JobRun(Base):
    """One run of a scheduled job for one period; the unique key stops doubles."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200), unique=True)
    job: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[str] = mapped_column(Text, default="")


class Lease(Base):
    """A named lease (the scheduler's leadership) held until ``expires_at``."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


class AuditLog(Base):
    """Who did what, when, to which scope: changes, and every bulk view of personal
    data (exports, lists; storage.audit). ``scope`` names whose data (a unit, a user,
    a household's code); ``detail`` never holds a phone number or a problem text."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CoverageSnapshotCell(Base):
    """One (place, grid, cadre) cell of a campaign's coverage as counted at
    ``counted_at`` (:mod:`storage.facts.snapshot`): what a large unit's 进度 reads
    instead of counting 100 000 households per message. Replaced whole each minute."""

    __tablename__ = "coverage_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    grid: Mapped[str] = mapped_column(String(50), default="")
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    cadre_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assigned: Mapped[int]
    covered: Mapped[int]
    counted_at: Mapped[datetime]


class ProblemSnapshotRow(Base):
    """Problems of one (unit, assignee unit, status) and how many of them were overdue,
    counted at ``counted_at`` (:mod:`storage.facts.snapshot`): the problem line of a
    large unit's 进度. Replaced whole each minute."""

    __tablename__ = "problem_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16))
    problems: Mapped[int]
    overdue: Mapped[int]
    counted_at: Mapped[datetime]
