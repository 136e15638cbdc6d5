"""A small roster for ledger tests: a town with villages and an office, another town.

县 ─ 虹桥镇 ─ 一村 (leader 村支书 cunzhishu, visitors 小李 xiaoli, 小王 xiaowang)
   │        ├ 二村
   │        └ 镇综治办 (visitor 综治员 zongzhi)
   └ 柴胡店镇 ─ 三村 (leader 外镇书记 waizhen)
虹桥镇 leader 镇长 zhenzhang; 县 admin guanli.
Targets: 张三 (一村, assigned to 小李), 李四 (二村, unassigned), 王五 (三村).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.ledger.classify import classify
from storage.models import Assignment, Cadre, Campaign, Problem, Target, Unit
from storage.problems import create_problem


@dataclass
class World:
    units: dict[str, Unit]
    cadres: dict[str, Cadre]
    targets: dict[str, Target]

    def unit(self, name: str) -> int:
        return self.units[name].id

    def cadre(self, userid: str) -> Cadre:
        return self.cadres[userid]


def build_world(session: Session) -> World:
    units: dict[str, Unit] = {}

    def unit(name: str, kind: str, parent: str | None) -> None:
        u = Unit(name=name, kind=kind, parent_id=units[parent].id if parent else None)
        session.add(u)
        session.flush()
        units[name] = u

    unit("华容县", "县", None)
    unit("虹桥镇", "镇", "华容县")
    unit("一村", "村", "虹桥镇")
    unit("二村", "村", "虹桥镇")
    unit("镇综治办", "部门", "虹桥镇")
    unit("柴胡店镇", "镇", "华容县")
    unit("三村", "村", "柴胡店镇")
    cadres: dict[str, Cadre] = {}
    for userid, name, u, role in [
        ("guanli", "管理员", "华容县", "admin"),
        ("zhenzhang", "镇长", "虹桥镇", "leader"),
        ("cunzhishu", "村支书", "一村", "leader"),
        ("xiaoli", "小李", "一村", "visitor"),
        ("xiaowang", "小王", "一村", "visitor"),
        ("zongzhi", "综治员", "镇综治办", "visitor"),
        ("waizhen", "外镇书记", "柴胡店镇", "leader"),
    ]:
        c = Cadre(userid=userid, name=name, unit_id=units[u].id, role=role)
        session.add(c)
        cadres[userid] = c
    targets = {
        "张三": Target(head_name="张三", unit_id=units["一村"].id),
        "李四": Target(head_name="李四", unit_id=units["二村"].id),
        "王五": Target(head_name="王五", unit_id=units["三村"].id),
    }
    session.add_all(targets.values())
    campaign = Campaign(name="测试走访", template="yizou_erwen_sankan")
    session.add(campaign)
    session.flush()
    session.add(
        Assignment(
            campaign_id=campaign.id, target_id=targets["张三"].id, cadre_id=cadres["xiaoli"].id
        )
    )
    session.flush()
    return World(units, cadres, targets)


def add_problem(
    session: Session, world: World, target: str, finder: str, text: str, now: datetime
) -> Problem:
    return create_problem(
        session,
        target_id=world.targets[target].id,
        found_by_id=world.cadre(finder).id,
        text=text,
        classification=classify(text),
        now=now,
    )
