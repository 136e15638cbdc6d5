"""What goes into and comes out of the engine: messages, context, replies, effects.

All frozen dataclasses of plain data (the :class:`Context` loads its costly parts on
first use from a :class:`ContextSource`), so the engine stays free of I/O and tests can
build them by hand. The handler turns an ``Incoming`` into a :class:`Message`, builds a
:class:`Context` over the database, calls ``engine.step`` and carries out the
returned :class:`Effect` values in the same unit of work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    """One thing the cadre sent: typed text, a pressed button, a card's ticks, media."""

    text: str = ""
    button: str = ""  # the key of a pressed button
    selected: tuple[str, ...] = ()  # option ids ticked on a multi-select card
    image_media_id: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class TargetInfo:
    """A household (or place) the cadre may visit, as the engine needs to see it.

    status: ``todo`` (未走访), ``visited``, ``phone``, ``away``, ``appointment``,
    ``phone_missed`` (a call that did not get through: still to visit).
    """

    id: int
    name: str
    address: str = ""
    grid: str = ""
    phone: str = ""
    is_key: bool = False
    categories: tuple[str, ...] = ()
    status: str = "todo"
    appointment_at: datetime | None = None
    not_home_count: int = 0  # earlier visits that did not meet anyone (any outcome)
    missed_count: int = 0  # earlier calls that did not get through (phone_missed)
    kind: str = "household"  # household / village / place (storage.vocab.TARGET_KIND_LABELS)

    @property
    def done(self) -> bool:
        return self.status in ("visited", "phone", "away")


@dataclass(frozen=True)
class RecentVisit:
    """A visit this cadre submitted (for 修改 within 24 hours)."""

    visit_id: int
    target_id: int
    target_name: str
    address: str
    outcome: str
    submitted_at: datetime
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    """A cadre's own coverage (storage.facts.coverage; definitions in docs/facts.md)."""

    visited: int = 0  # 入户走访 (households)
    phone: int = 0  # 电话联系: key targets reached by a call that got through
    assigned: int = 0  # 应访 households
    key_left: int = 0
    deadline: date | None = None
    away: int = 0  # 不在家已登记
    missed: int = 0  # 电话未接通, still to visit
    pending: int = 0  # 约访, still to visit
    percent: int | None = None  # 完成%, as the fact layer computed it
    # Other target kinds: (label, covered, assigned), e.g. ("单位或商铺", 1, 3).
    kinds: tuple[tuple[str, int, int], ...] = ()


Tokenizer = Callable[[str], list[str]]


class ContextSource(Protocol):
    """Where a :class:`Context` loads its costly parts, on first use (the visit handler's
    database reads). Most steps (answering a question) need none of them."""

    def targets(self) -> tuple[TargetInfo, ...]: ...

    def progress(self) -> Progress: ...

    def recent_visits(self) -> tuple[RecentVisit, ...]: ...


class Context:
    """Data for one step: the time, the cadre's targets, progress, recent visits.

    Given as values (tests, tools) or, with ``source``, loaded from it the first time the
    engine reads them and kept for the rest of the step: the engine reads plain
    attributes either way and never knows where they came from.
    """

    def __init__(
        self,
        now: datetime,
        zone: tzinfo,  # the campaign's time zone: local days and typed times
        targets: tuple[TargetInfo, ...] = (),
        progress: Progress | None = None,
        recent_visits: tuple[RecentVisit, ...] = (),
        tokenize: Tokenizer | None = None,  # jieba.lcut in production; None = n-grams
        # The ledger classifier's verdict "this text states a problem" (None: the engine's
        # own none-word check alone decides; see bot.dialogs.meaning).
        is_problem: Callable[[str], bool] | None = None,
        source: ContextSource | None = None,
    ) -> None:
        self.now = now
        self.zone = zone
        self.tokenize = tokenize
        self.is_problem = is_problem
        self._given = (targets, progress or Progress(), recent_visits)
        self._source = source

    @functools.cached_property
    def targets(self) -> tuple[TargetInfo, ...]:
        return self._source.targets() if self._source else self._given[0]

    @functools.cached_property
    def progress(self) -> Progress:
        return self._source.progress() if self._source else self._given[1]

    @functools.cached_property
    def recent_visits(self) -> tuple[RecentVisit, ...]:
        return self._source.recent_visits() if self._source else self._given[2]

    def target(self, target_id: int) -> TargetInfo | None:
        return next((t for t in self.targets if t.id == target_id), None)


# --- replies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    key: str
    label: str


@dataclass(frozen=True)
class Reply:
    """One message back: ``text`` always complete on its own (the fallback when no card).

    ``buttons`` become a template card; ``multi`` means a multi-select card.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    multi: bool = False
    title: str = ""


# --- effects ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemDraft:
    """A problem raised by an answer (kind/category from the template's rules)."""

    text: str
    kind: str
    source_question: str
    category: str = ""
    category_alt: str = ""
    classify: bool = False
    # How the door handled it (seed 003): registered 登记带回 (the 交办 clock runs),
    # solved 当场解决, explained 当场解释 (closed, not solved).
    handling: str = "registered"


@dataclass(frozen=True)
class NewTarget:
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SaveVisit:
    """Persist a visit. ``target_id`` is None for a target registered in this visit."""

    template: str
    target_id: int | None
    outcome: str  # visited | phone | phone_missed | away | appointment
    answers: dict[str, Any]
    problems: tuple[ProblemDraft, ...]
    started_at: datetime
    appointment_at: datetime | None = None
    new_target: NewTarget | None = None
    media_ids: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class AmendVisit:
    """Replace a submitted visit's answers. ``outcome`` is the outcome after the change
    (an unanswered call amended to answered becomes ``phone``); ``appointment_at`` the
    new time of an amended 约访."""

    visit_id: int
    answers: dict[str, Any]
    problems: tuple[ProblemDraft, ...]
    outcome: str = ""
    appointment_at: datetime | None = None


@dataclass(frozen=True)
class AttachMedia:
    """An image the cadre sent: recorded now, fetched after commit by a scheduler job
    (its media_id expires in 3 days); linked to the visit on save."""

    media_id: str


@dataclass(frozen=True)
class FlagNotHomeTwice:
    """Tell the unit's leader: this target was not at home twice (``reason``
    ``not_home``), or its phone did not get through twice (``phone_missed``)."""

    target_id: int
    target_name: str
    reason: str = "not_home"


Effect = SaveVisit | AmendVisit | AttachMedia | FlagNotHomeTwice
