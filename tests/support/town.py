"""A small town for the scheduler's and exports' tests: :func:`build_town`.

虹桥镇 (leader 王书记) with two villages: 东山村 (leader 赵支书; visitors 张三, 李四,
王五 on leave, 赵六 inactive) and 西河村 (visitors 孙七, 周八, 吴九, 郑十, 陈一, 林二).
Times are relative to tests.support.clock.FROZEN_NOW (Monday 2026-11-23 17:00 in
Shanghai, ISO week 2026-W48); the 走访排查 phase ends 2026-11-26 (3 days later).
Group chats (:func:`groups_section`): 虹桥镇 through a robot, 东山村 through an app chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storage.models import (
    Assignment,
    Cadre,
    Campaign,
    Phase,
    Problem,
    Target,
    Unit,
    Visit,
)

SENSITIVE_PHONE = "13812345678"
PROBLEM_TEXTS = {
    "slope": f"屋后切坡有滑坡隐患，户主电话{SENSITIVE_PHONE}，需要尽快处理",
    "road": "村道路灯损坏多处，夜间出行不便，群众希望修复",
    "school": "孩子上学路远，希望增加校车班次和接送点",
    "medical": "老人看病报销手续复杂，希望简化医保报销流程",
}


@dataclass(frozen=True)
class Town:
    campaign_id: int
    phase_visit_id: int
    town_id: int
    east_id: int
    west_id: int
    problem_ids: dict[str, int]


def groups_section() -> list[dict[str, str]]:
    return [
        {"unit": "虹桥镇", "robot_key": "robot-town-key"},
        {"unit": "东山村", "appchat_id": "chat-east"},
    ]


def _at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def build_town(session) -> Town:  # type: ignore[no-untyped-def]
    """Add the town to ``session`` and commit; returns the ids tests need."""
    town = Unit(name="虹桥镇", kind="镇")
    session.add(town)
    session.flush()
    east = Unit(name="东山村", kind="村", parent_id=town.id)
    west = Unit(name="西河村", kind="村", parent_id=town.id)
    session.add_all([east, west])
    session.flush()

    def cadre(userid: str, name: str, unit: Unit, role: str = "visitor", **kw) -> Cadre:  # type: ignore[no-untyped-def]
        c = Cadre(userid=userid, name=name, unit_id=unit.id, role=role, phone="13900000000", **kw)
        session.add(c)
        return c

    cadre("wangsj", "王书记", town, role="leader")
    cadre("zhaozs", "赵支书", east, role="leader")
    zhang = cadre("zhangsan", "张三", east)
    li = cadre("lisi", "李四", east)
    cadre("wangwu", "王五", east, on_leave=True)
    cadre("zhaoliu", "赵六", east, active=False)
    sun = cadre("sunqi", "孙七", west)
    zhou = cadre("zhouba", "周八", west)
    for userid, name in [
        ("wujiu", "吴九"),
        ("zhengshi", "郑十"),
        ("chenyi", "陈一"),
        ("liner", "林二"),
    ]:
        cadre(userid, name, west)
    session.flush()

    campaign = Campaign(name="虹桥镇民情大走访", template="yizou_erwen_sankan")
    campaign.phases = [
        Phase(
            position=1,
            name="制定走访计划",
            start_date=date(2026, 11, 1),
            deadline=date(2026, 11, 10),
        ),
        Phase(
            position=2, name="走访排查", start_date=date(2026, 11, 11), deadline=date(2026, 11, 26)
        ),
        Phase(position=3, name="集中化解", deadline=date(2026, 12, 24)),
    ]
    session.add(campaign)
    session.flush()

    targets: dict[str, Target] = {}

    def target(
        code: str, head: str, unit: Unit, owner: Cadre, cats: list[str], key: bool = False
    ) -> Target:
        t = Target(
            code=code,
            head_name=head,
            unit_id=unit.id,
            grid="3组",
            address=f"{head}家门口",
            phone="13700001111",
            categories=cats,
            is_key=key,
        )
        session.add(t)
        session.flush()
        session.add(Assignment(campaign_id=campaign.id, target_id=t.id, cadre_id=owner.id))
        targets[code] = t
        return t

    target("E1", "刘大", east, zhang, ["信教人士"], key=True)
    target("E2", "刘二", east, zhang, ["一般农户"])
    target("E3", "刘三", east, zhang, ["五包一信访对象"], key=True)
    target("E4", "刘四", east, zhang, ["一般农户"])
    target("E5", "陈大", east, li, ["党员"], key=True)
    target("E6", "陈二", east, li, ["一般农户"])
    target("E7", "陈三", east, li, ["一般农户"])
    target("W1", "黄大", west, sun, ["利剑护蕾对象"], key=True)
    target("W2", "黄二", west, sun, ["一般农户"])
    target("W3", "黄三", west, sun, ["一般农户"])
    target("W4", "何大", west, zhou, ["一般农户"])
    target("W5", "何二", west, zhou, ["一般农户"])
    session.flush()

    def visit(code: str, who: Cadre, outcome: str, when: datetime) -> Visit:
        v = Visit(
            campaign_id=campaign.id,
            target_id=targets[code].id,
            cadre_id=who.id,
            template="yizou_erwen_sankan",
            outcome=outcome,
            answers={},
            started_at=when - timedelta(minutes=20),
            submitted_at=when,
        )
        session.add(v)
        session.flush()
        return v

    v1 = visit("E1", zhang, "visited", _at(18))
    visit("E2", zhang, "phone", _at(23, 3))  # today (11:00 Shanghai)
    visit("E5", li, "visited", _at(12))
    visit("E6", li, "visited", _at(20))
    visit("E7", li, "away", _at(23, 4))
    visit("W1", sun, "visited", _at(19))
    visit("W4", zhou, "appointment", _at(21))  # an appointment is not a contact

    def problem(key: str, unit: Unit, finder: Cadre, code: str, created: datetime, **kw) -> Problem:  # type: ignore[no-untyped-def]
        p = Problem(
            visit_id=v1.id,
            target_id=targets[code].id,
            found_by_id=finder.id,
            unit_id=unit.id,
            text=PROBLEM_TEXTS[key],
            kind=kw.pop("kind", "意见建议"),
            category_alt="其他",
            created_at=created,
            **kw,
        )
        session.add(p)
        session.flush()
        return p

    problems = {
        # overdue: deadline passed, still assigned
        "slope": problem(
            "slope",
            east,
            zhang,
            "E1",
            _at(12),
            category="房屋土地",
            status="assigned",
            assignee_unit_id=east.id,
            assigned_at=_at(13),
            deadline=_at(20),
            kind="安全隐患",
        ),
        # solved 13 days ago, never followed up
        "road": problem(
            "road",
            east,
            zhang,
            "E2",
            _at(5),
            category="平安治理",
            status="solved",
            assignee_unit_id=east.id,
            deadline=_at(15),
            closed_at=_at(10),
        ),
        # raised and solved this week (Monday)
        "school": problem(
            "school",
            west,
            sun,
            "W1",
            _at(23, 1),
            category="教育文化",
            status="solved",
            closed_at=_at(23, 5),
            kind="困难需求",
        ),
        # raised this week, registered
        "medical": problem("medical", west, sun, "W2", _at(23, 2), category="医疗卫生"),
    }
    session.commit()
    return Town(
        campaign.id,
        campaign.phases[1].id,
        town.id,
        east.id,
        west.id,
        {k: p.id for k, p in problems.items()},
    )
