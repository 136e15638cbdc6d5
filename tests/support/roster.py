"""A small roster for the visit tests: one village, a leader, a cadre, five targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.runtime import Runtime
from storage.models import Assignment, Campaign, Phase, Target
from tests.support.wecom import add_cadre

CADRE = "zhangsan"
LEADER = "boss"


@dataclass(frozen=True)
class Roster:
    campaign_id: int
    cadre_id: int
    targets: dict[str, int]


def seed(runtime: Runtime, template: str = "yizou_erwen_sankan") -> Roster:
    """Campaign with a deadline; targets 王大 (一般农户, phone on file), 李二 (党员, key),
    陈三 (一般农户), 新桥村 (the village itself: kind 'village', the 003 村（社区）调查表's
    record, never a household), 刘五 (assigned to someone else)."""
    with runtime.unit_of_work() as s:
        cadre = add_cadre(s, CADRE, name="张三")
        add_cadre(s, LEADER, name="王书记", role="leader")
        other = add_cadre(s, "lisi", name="李四")
        campaign = Campaign(name="民情大走访", template=template, active=True)
        s.add(campaign)
        s.flush()
        s.add(
            Phase(campaign_id=campaign.id, position=1, name="走访排查", deadline=date(2026, 12, 31))
        )
        people = [
            ("王大", "3组", "15号", "13800000001", ["一般农户"], False, cadre.id),
            ("李二", "3组", "8号", "13800000002", ["党员"], True, cadre.id),
            ("陈三", "5组", "2号", "", ["一般农户"], False, cadre.id),
            ("新桥村", "", "新桥村村委会", "", [], False, cadre.id),
            ("刘五", "1组", "1号", "", ["一般农户"], False, other.id),
        ]
        ids = {}
        for name, grid, address, phone, cats, key, owner in people:
            kind = "village" if name == "新桥村" else "household"
            t = Target(head_name=name, unit_id=cadre.unit_id, grid=grid, address=address,
                       phone=phone, categories=cats, is_key=key, kind=kind)  # fmt: skip
            s.add(t)
            s.flush()
            s.add(Assignment(campaign_id=campaign.id, target_id=t.id, cadre_id=owner))
            ids[name] = t.id
        return Roster(campaign.id, cadre.id, ids)
