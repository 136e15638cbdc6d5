"""A small campaign whose every figure is known, for the fact layer's scenario tests.

虹桥镇 (leader 王书记 wangsj) ─ 综治办 (线办: leader 综治主任 zzleader, visitor 综治员
zongzhi) and 虹桥村 (leader 村支书 cunzhishu) ─ 虹桥村第1网格 (visitor 网格员 wangge1),
虹桥村第2网格. Every household belongs to 虹桥村 with its 组网格 written "第1网格" /
"第2网格" (as the demo roster writes them).

网格员's 第1网格: 赵一 入户走访 (11-20), 赵二 (党员) 电话未接通 (11-21), 赵三 (党员)
电话联系 (11-21), 赵四 不在家已登记 (11-22), 赵五 not yet; the village form 虹桥村 (a
村（社区） target) filled 11-22; 虹桥村粮油店 (单位或商铺) visited 11-22.
综治员's 第2网格: 钱一 入户走访 11-18 raising P1 (平安治理), 交办 to 综治办 11-19 and
solved 11-30; 钱二 入户走访 11-19 raising P2 (社会保障), explained at the door 11-19.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Campaign, Phase, Problem, Target, Unit, Visit
from storage.problems import Verdict, apply_transition, create_problem


def at(day: int, hour: int = 2, month: int = 11) -> datetime:
    """``hour`` UTC on 2026-``month``-``day`` (10:00 in Shanghai for the default)."""
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FactsWorld:
    campaign_id: int
    units: dict[str, int]
    cadres: dict[str, int]
    targets: dict[str, int]
    p1: int
    p2: int


def build_facts_world(session: Session) -> FactsWorld:
    units: dict[str, Unit] = {}

    def unit(name: str, kind: str, parent: str | None) -> None:
        u = Unit(name=name, kind=kind, parent_id=units[parent].id if parent else None)
        session.add(u)
        session.flush()
        units[name] = u

    unit("虹桥镇", "镇", None)
    unit("综治办", "线办", "虹桥镇")
    unit("虹桥村", "村", "虹桥镇")
    unit("虹桥村第1网格", "网格", "虹桥村")
    unit("虹桥村第2网格", "网格", "虹桥村")
    cadres: dict[str, Cadre] = {}
    for userid, name, where, role in [
        ("wangsj", "王书记", "虹桥镇", "leader"),
        ("zzleader", "综治主任", "综治办", "leader"),
        ("zongzhi", "综治员", "综治办", "visitor"),
        ("cunzhishu", "村支书", "虹桥村", "leader"),
        ("wangge1", "网格员", "虹桥村第1网格", "visitor"),
    ]:
        c = Cadre(userid=userid, name=name, unit_id=units[where].id, role=role, phone="")
        session.add(c)
        cadres[userid] = c
    campaign = Campaign(name="虹桥镇民情大走访", template="yizou_erwen_sankan")
    campaign.phases = [
        Phase(
            position=1, name="走访排查", start_date=date(2026, 11, 1), deadline=date(2026, 12, 20)
        )
    ]
    session.add(campaign)
    session.flush()
    village = units["虹桥村"]
    targets: dict[str, Target] = {}

    def target(name: str, grid: str, owner: str, *, key: bool = False, kind: str = "household"):  # type: ignore[no-untyped-def]
        t = Target(
            head_name=name,
            unit_id=village.id,
            grid=grid,
            address=f"{grid}{len(targets) + 1}号",
            phone="13700001111",
            categories=["党员"] if key else ["一般农户"],
            is_key=key,
            kind=kind,
        )
        session.add(t)
        session.flush()
        session.add(Assignment(campaign_id=campaign.id, target_id=t.id, cadre_id=cadres[owner].id))
        targets[name] = t

    for name, key in [("赵一", False), ("赵二", True), ("赵三", True), ("赵四", False)]:
        target(name, "第1网格", "wangge1", key=key)
    target("赵五", "第1网格", "wangge1")
    target("虹桥村", "", "wangge1", kind="village")
    target("虹桥村粮油店", "第1网格", "wangge1", kind="place")
    target("钱一", "第2网格", "zongzhi")
    target("钱二", "第2网格", "zongzhi")
    session.flush()

    def visit(name: str, who: str, outcome: str, when: datetime, answers=None) -> Visit:  # type: ignore[no-untyped-def]
        v = Visit(
            campaign_id=campaign.id,
            target_id=targets[name].id,
            cadre_id=cadres[who].id,
            template="yizou_erwen_sankan",
            outcome=outcome,
            answers=answers or {},
            started_at=when - timedelta(minutes=10),
            submitted_at=when,
        )
        session.add(v)
        session.flush()
        return v

    visit("赵一", "wangge1", "visited", at(20))
    visit("赵二", "wangge1", "phone_missed", at(21))
    visit("赵三", "wangge1", "phone", at(21, 3))
    away = {
        "phone": "13655556666",
        "away_since": "春节后",
        "away_address": "东莞",
        "occupation": "务工",
    }
    visit("赵四", "wangge1", "away", at(22), away)
    visit("虹桥村", "wangge1", "visited", at(22, 3))
    visit("虹桥村粮油店", "wangge1", "visited", at(22, 4))
    v1 = visit("钱一", "zongzhi", "visited", at(18))
    v2 = visit("钱二", "zongzhi", "visited", at(19))

    def problem(v: Visit, text: str, category: str, when: datetime) -> Problem:
        verdict = Verdict(category, "社会治安", "意见建议", 0.9, False)
        return create_problem(
            session,
            target_id=v.target_id,
            found_by_id=v.cadre_id,
            text=text,
            classification=verdict,
            now=when,
            visit_id=v.id,
        )

    p1 = problem(v1, "村口路灯坏了三盏，晚上走路看不见", "平安治理", at(18))
    apply_transition(
        session,
        p1,
        action="assign",
        to_status="assigned",
        changes={
            "assignee_unit_id": units["综治办"].id,
            "assigned_at": at(19),
            "deadline": at(26),
        },
        note="",
        actor_id=cadres["wangsj"].id,
        now=at(19),
    )
    apply_transition(
        session,
        p1,
        action="solve",
        to_status="solved",
        changes={"closed_at": at(30)},
        note="已修好",
        actor_id=cadres["zzleader"].id,
        now=at(30),
    )
    p2 = problem(v2, "希望提高养老金，每月多发五百元", "社会保障", at(19))
    apply_transition(
        session,
        p2,
        action="explain",
        to_status="explained",
        changes={"closed_at": at(19, 3)},
        note="不符合政策，已当场解释",
        actor_id=cadres["zongzhi"].id,
        now=at(19, 3),
    )
    session.commit()
    return FactsWorld(
        campaign.id,
        {k: u.id for k, u in units.items()},
        {k: c.id for k, c in cadres.items()},
        {k: t.id for k, t in targets.items()},
        p1.id,
        p2.id,
    )
