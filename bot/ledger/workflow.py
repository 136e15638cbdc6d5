"""The problem workflow as a state machine, with who may do what. Pure: no database.

States (``storage.vocab.PROBLEM_STATUS``)::

    registered 登记 ──assign 交办──▶ assigned 交办 ──start 受理──▶ in_progress 办理中
        │                              │  └──────solve/explain──────┐   │
        ├─solve_on_spot 当场解决──▶ solved 已解决 ◀──solve 办结──────┴───┘
        └─explain_on_spot 当场解释─▶ explained 已解释 ◀──explain 解释──┘
    solved / explained ──follow_up 回访 (满意/基本满意)──▶ followed_up 已回访
    solved / explained ──follow_up 回访 (不满意)──▶ reopened (see below)

不满意 reopens the problem: back to ``in_progress`` with the same assignee unit and a
fresh deadline (the unit that handled it knows the case and stays answerable; the
leader can still extend once more). A problem handled on the spot has no assignee,
so 不满意 sends it back to ``registered`` for a leader to 交办.

Permissions (the actor's scope is the set of unit ids in their unit's subtree):
- assign, extend: a leader/admin whose scope holds the problem's unit; extend only by
  the leader who assigned it, once, with a reason;
- start, solve, explain: a leader/admin whose scope holds the problem's unit or its
  assignee unit; start also any cadre of the assignee unit's subtree;
- solve_on_spot, explain_on_spot, follow_up: the cadre who found the problem.

:func:`decide` checks one request and returns the :class:`Decision` to store, or raises
:class:`LedgerError` with a Chinese message that says what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config import LedgerConfig
from bot.ledger.clocks import default_deadline, resolve_days
from storage.vocab import PROBLEM_STATUS, SATISFACTION

ACTIONS = {
    "assign": "交办",
    "start": "受理",
    "solve": "办结",
    "explain": "解释",
    "solve_on_spot": "当场解决",
    "explain_on_spot": "当场解释",
    "follow_up": "回访",
    "extend": "延期",
}
# Every action id a problem's history can hold, in Chinese: the ones above plus the
# two recorded outside the workflow. Refusals and histories name actions only by this.
ACTION_LABELS = {**ACTIONS, "register": "登记", "reclassify": "改类"}


def action_label(action: str) -> str:
    """The Chinese name of a stored action id (an unknown id shows as 其他操作)."""
    return ACTION_LABELS.get(action, "其他操作")


# action -> (statuses it may start from, status it leads to; None = computed)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "assign": (("registered",), "assigned"),
    "start": (("assigned",), "in_progress"),
    "solve": (("assigned", "in_progress"), "solved"),
    "explain": (("assigned", "in_progress"), "explained"),
    "solve_on_spot": (("registered",), "solved"),
    "explain_on_spot": (("registered",), "explained"),
    "follow_up": (("solved", "explained"), None),
    "extend": (("assigned", "in_progress"), None),  # status unchanged
}
LEADER_ROLES = ("leader", "admin")
MAX_DEADLINE_DAYS = 365


class LedgerError(Exception):
    """A request the workflow refuses; ``message`` is Chinese and safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    cadre_id: int
    role: str  # visitor / leader / admin
    scope: frozenset[int]  # unit ids of the actor's unit subtree
    unit_id: int = 0


@dataclass(frozen=True)
class ProblemSnapshot:
    id: int
    status: str
    unit_id: int
    found_by_id: int
    responsibility: str = "town"
    assignee_unit_id: int | None = None
    assigned_by_id: int | None = None
    deadline: datetime | None = None
    extended: bool = False


@dataclass(frozen=True)
class Request:
    """What the actor asks for; only the fields the action needs are read."""

    action: str
    note: str = ""
    assignee_unit_id: int | None = None
    deadline_days: int | None = None  # assign: None = the responsibility default
    responsibility: str | None = None  # assign: the 责任分类 (None = keep the problem's)
    extend_days: int | None = None
    satisfaction: str | None = None


@dataclass(frozen=True)
class Decision:
    """A checked transition: new status, column changes and the history note."""

    action: str
    from_status: str
    to_status: str
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _status(s: str) -> str:
    return PROBLEM_STATUS.get(s, s)


def _require_leader(actor: Actor, units: tuple[int | None, ...], what: str) -> None:
    if actor.role not in LEADER_ROLES:
        raise LedgerError(f"只有负责人可以{what}。")
    if not any(u is not None and u in actor.scope for u in units):
        raise LedgerError(f"这个问题不在您单位的范围内，不能{what}。")


def decide(
    p: ProblemSnapshot, actor: Actor, req: Request, now: datetime, cfg: LedgerConfig
) -> Decision:
    """Check ``req`` against the state and the actor; return what to store."""
    if req.action not in TRANSITIONS:
        raise LedgerError(f"不认识的操作：{req.action}")
    label = ACTIONS[req.action]
    sources, target = TRANSITIONS[req.action]
    if p.status not in sources:
        allowed = "、".join(_status(s) for s in sources)
        raise LedgerError(
            f"问题#{p.id}当前是「{_status(p.status)}」，不能{label}（只有「{allowed}」的问题可以{label}）。"
        )
    note = req.note.strip()
    if req.action == "assign":
        _require_leader(actor, (p.unit_id,), label)
        if req.assignee_unit_id is None:
            raise LedgerError("交办要写明承办单位，例如：交办 12 镇综治办 7天")
        responsibility = req.responsibility or p.responsibility
        resolve_days(responsibility, cfg)  # a class outside town/linked/city is a bug
        if req.deadline_days is None:
            deadline = default_deadline(now, responsibility, cfg)
        else:
            _check_days(req.deadline_days, "办理期限")
            deadline = now + timedelta(days=req.deadline_days)
        changes = {
            "assignee_unit_id": req.assignee_unit_id,
            "assigned_by_id": actor.cadre_id,
            "assigned_at": now,
            "deadline": deadline,
            "extended": False,
            "extension_reason": "",
            "responsibility": responsibility,
        }
        return Decision(req.action, p.status, "assigned", changes, note)
    if req.action in ("start", "solve", "explain"):
        assignee_member = p.assignee_unit_id is not None and p.assignee_unit_id in actor.scope
        if not (req.action == "start" and assignee_member):
            _require_leader(actor, (p.unit_id, p.assignee_unit_id), label)
        if req.action != "start" and not note:
            raise LedgerError(f"{label}要写一句办理情况，例如：{label} {p.id} 已修好")
        changes = {} if req.action == "start" else {"closed_at": now, "closing_note": note}
        assert target is not None
        return Decision(req.action, p.status, target, changes, note)
    if req.action in ("solve_on_spot", "explain_on_spot", "follow_up"):
        if actor.cadre_id != p.found_by_id:
            raise LedgerError(f"只有发现这个问题的走访干部可以{label}。")
        if req.action != "follow_up":
            assert target is not None
            return Decision(
                req.action, p.status, target, {"closed_at": now, "closing_note": note}, note
            )
        return _follow_up(p, req, now, cfg, note)
    return _extend(p, actor, req, note)


def _check_days(days: int, what: str) -> None:
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise LedgerError(f"{what}要在1到{MAX_DEADLINE_DAYS}天之间。")


def _follow_up(
    p: ProblemSnapshot, req: Request, now: datetime, cfg: LedgerConfig, note: str
) -> Decision:
    if req.satisfaction not in SATISFACTION:
        raise LedgerError(f"回访要写群众评价：{' / '.join(SATISFACTION)}，例如：回访 {p.id} 满意")
    changes: dict[str, Any] = {"followed_up_at": now, "satisfaction": req.satisfaction}
    if req.satisfaction != "不满意":
        return Decision("follow_up", p.status, "followed_up", changes, note)
    # 不满意 reopens: see the module docstring.
    changes.update({"closed_at": None})
    if p.assignee_unit_id is None:
        return Decision("follow_up", p.status, "registered", changes, note)
    changes.update({"deadline": default_deadline(now, p.responsibility, cfg), "extended": False})
    return Decision("follow_up", p.status, "in_progress", changes, note)


def _extend(p: ProblemSnapshot, actor: Actor, req: Request, note: str) -> Decision:
    if actor.cadre_id != p.assigned_by_id:
        raise LedgerError("只有交办这个问题的负责人可以延期。")
    if p.extended:
        raise LedgerError(f"问题#{p.id}已经延期过一次，不能再延期。")
    if not note:
        raise LedgerError(f"延期要写明原因，例如：延期 {p.id} 7天 需要市里协调")
    if req.extend_days is None:
        raise LedgerError("延期要写天数，例如：延期 12 7天 等材料")
    _check_days(req.extend_days, "延期天数")
    if p.deadline is None:
        raise LedgerError(f"问题#{p.id}还没有办理期限，不能延期。")
    changes = {
        "deadline": p.deadline + timedelta(days=req.extend_days),
        "extended": True,
        "extension_reason": note,
    }
    return Decision("extend", p.status, p.status, changes, note)
