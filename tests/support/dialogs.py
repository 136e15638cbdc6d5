"""A chat driver for engine transcripts: say things, read replies, count taps."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.dialogs import engine
from bot.dialogs.contracts import Context, Effect, Message, Progress, Reply, TargetInfo
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template
from tests.support.clock import FROZEN_NOW, ZONE

NOW = FROZEN_NOW

TARGETS = (
    TargetInfo(1, "张三", "15号", "3组", "13800000001", False, ("一般农户",)),
    TargetInfo(2, "李四", "8号", "3组", "13800000002", True, ("党员", "组长")),
    TargetInfo(3, "王五", "2号", "5组", "", False, ("一般农户",), not_home_count=1),
    TargetInfo(4, "赵六", "9号", "1组", "13800000004", True, ("贫困群众",)),
    TargetInfo(5, "钱七", "11号", "1组", "13800000005", True, ("创业致富典型",)),
    TargetInfo(6, "孙八", "20号", "2组", "13800000006", True, ("老党员",)),
    TargetInfo(7, "周九", "7号", "2组", "13800000007", False, ("一般农户",), status="visited"),
)

# The cadre's messages for a household with no problem (after 走访 and picking 张三):
# tests/bot/dialogs/test_field_speed.py enforces them, benchmarks/dialog_field_speed.py
# prints their counts.
NO_PROBLEM_SCRIPTS = {
    "yizou_erwen_sankan": ["在家", "是", "1", "否", "1", "1", "1", "1"],
    "yikan_erting_sanwen_sijiang": ["在家", "1", "否", "1", "1", "1", "1", "1"],
    "chaihudian_six_themes": ["在家", "1", "无问题", "1"],
    "changzhou_household": ["在家", "1", "4", "一般", "没有"],
    "fangminqing": ["在家", "正常", "否", "跳过", "是"],
    "changzhou_village": [
        "820 2950 31000 86000",
        "6 12 95 3 1",
        "260 120 3500",
        "暂无",
        "王书记 13800000011",
    ],
}


@dataclass
class Chat:
    """One cadre talking to the engine; ``taps`` counts every message they sent."""

    template: Template
    targets: tuple[TargetInfo, ...] = TARGETS
    now: datetime = NOW
    state: DialogState = field(default_factory=DialogState)
    taps: int = 0
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    recent: tuple[Any, ...] = ()

    def ctx(self) -> Context:
        progress = Progress(
            visited=3, phone=1, assigned=10, key_left=2, deadline=date(2026, 12, 31)
        )
        return Context(self.now, ZONE, self.targets, progress, self.recent)

    def send(self, message: Message) -> str:
        self.taps += 1
        outcome = engine.step(self.template, self.state, message, self.ctx())
        # Every state must survive the database round trip.
        self.state = DialogState.from_dict(outcome.state.to_dict())
        assert self.state == outcome.state
        self.replies.extend(outcome.replies)
        self.effects.extend(outcome.effects)
        return "\n".join(r.text for r in outcome.replies)

    def say(self, text: str) -> str:
        return self.send(Message(text=text))

    def tap(self, key: str) -> str:
        return self.send(Message(button=key))

    def tick(self, *ids: str) -> str:
        return self.send(Message(selected=tuple(ids)))

    def later(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)

    def saved(self) -> Any:
        from bot.dialogs.contracts import SaveVisit

        saves = [e for e in self.effects if isinstance(e, SaveVisit)]
        assert saves, "no visit was saved"
        return saves[-1]


def with_status(targets, target_id, **changes):
    return tuple(replace(t, **changes) if t.id == target_id else t for t in targets)
