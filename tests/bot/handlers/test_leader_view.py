"""Leaders see their unit (issue 10, item 7), through the real webhook.

A leader's 进度 is the unit's coverage by place and by cadre, laggards first, with the
open and overdue problems — not "我的进度：已走访 0 户…". The leader's 问题 list pages
with 更多 and keeps its filters.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from scheduler import coverage_snapshot
from storage.facts import snapshot
from storage.facts.unit_coverage import by_cadre, by_place, coverage_cells, totals
from storage.models import Assignment, Campaign, Problem, Target, Visit
from storage.problem_intake import Verdict, create_problem
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import World, add_problem, build_world
from tests.support.wecom import WecomTestClient

# target -> (village, grid, cadre, outcomes in order)
PLAN = {
    "甲": ("一村", "1组", "xiaoli", ["visited"]),
    "乙": ("一村", "1组", "xiaoli", ["phone"]),
    "丙": ("一村", "2组", "xiaoli", ["away"]),
    "丁": ("一村", "2组", "xiaowang", ["phone_missed"]),  # an unanswered call covers nothing
    "戊": ("一村", "2组", "xiaowang", ["appointment"]),
    "己": ("一村", "2组", "xiaowang", ["visited", "phone_missed"]),  # a later miss undoes nothing
    "庚": ("二村", "", "zongzhi", ["visited"]),  # 镇综治办's cadre visits 二村
    "辛": ("二村", "", "zongzhi", []),
    "壬": ("三村", "", "waizhen", ["visited"]),  # another town: out of scope
}


def seed_visits(runtime: Runtime) -> World:
    with runtime.unit_of_work() as s:
        w = build_world(s)
        campaign = s.scalars(select(Campaign)).one()
        for n, (name, (village, grid, userid, outcomes)) in enumerate(PLAN.items()):
            target = Target(head_name=name, unit_id=w.unit(village), grid=grid)
            s.add(target)
            s.flush()
            cadre = w.cadre(userid)
            s.add(Assignment(campaign_id=campaign.id, target_id=target.id, cadre_id=cadre.id))
            for k, outcome in enumerate(outcomes):
                at = FROZEN_NOW - timedelta(days=3, hours=n) + timedelta(hours=k + 10)
                s.add(
                    Visit(
                        campaign_id=campaign.id,
                        target_id=target.id,
                        cadre_id=cadre.id,
                        template="yizou_erwen_sankan",
                        outcome=outcome,
                        started_at=at,
                        submitted_at=at,
                    )
                )
        return w


def test_coverage_is_the_fact_layers_and_has_both_scopes(runtime: Runtime) -> None:
    w = seed_visits(runtime)
    with runtime.unit_of_work() as s:
        cells = coverage_cells(s, 1, {w.unit("虹桥镇"), w.unit("一村"), w.unit("二村")})
        town = totals(cells)
        assert (town.assigned, town.covered) == (9, 5)  # 甲乙丙己 and 庚 (张三 not yet)
        assert [(x.label, x.covered, x.assigned) for x in by_place(cells)] == [
            ("一村", 0, 1),  # 张三, no grid on the roster
            ("一村 2组", 2, 4),  # 50% like 二村: more left goes first
            ("二村", 1, 2),
            ("一村 1组", 2, 2),
        ]
        assert [x.label for x in by_cadre(cells)] == [
            "小王（一村）",
            "综治员（镇综治办）",
            "小李（一村）",
        ]
        office = totals(coverage_cells(s, 1, {w.unit("镇综治办")}))
        assert (office.assigned, office.covered) == (2, 1)  # its cadre's targets, elsewhere


def test_a_leaders_progress_shows_the_unit(runtime: Runtime, wc: WecomTestClient) -> None:
    w = seed_visits(runtime)
    with runtime.unit_of_work() as s:
        add_problem(s, w, "张三", "xiaoli", "屋顶漏水好几年了", FROZEN_NOW - timedelta(days=5))
        add_problem(s, w, "张三", "xiaoli", "村道路灯坏了", FROZEN_NOW)
    reply = wc.say("zhenzhang", "进度")
    assert "我的进度" not in reply and "共应走访 0 户" not in reply
    assert reply.startswith("【虹桥镇 走访进度】应走访 9 户，已覆盖 5 户（56%），未覆盖 4 户")
    assert reply.index("· 一村 2组：2/4（50%）") < reply.index("· 一村 1组：2/2（100%）")
    assert reply.index("· 小王（一村）：1/3") < reply.index("· 综治员（镇综治办）：1/2")
    assert reply.index("· 综治员（镇综治办）：1/2") < reply.index("· 小李（一村）：3/4")
    assert "未办结 2 件（登记 2、交办 0、办理中 0），其中逾期 1 件" in reply
    assert "壬" not in reply and "三村" not in reply

    village = wc.say("cunzhishu", "进度")  # the village leader sees the village only
    assert village.startswith("【一村 走访进度】应走访 7 户，已覆盖 4 户")
    assert "二村" not in village

    assert "我的进度" in wc.say("xiaoli", "进度")  # a visiting cadre keeps their own


def test_the_problem_list_pages_with_more_and_keeps_its_filters(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    with runtime.unit_of_work() as s:
        w = build_world(s)
        for i in range(45):
            roof = bool(i % 3)
            create_problem(
                s,
                target_id=w.targets["张三"].id,
                found_by_id=w.cadre("xiaoli").id,
                text=f"第{i + 1}号：屋顶漏水" if roof else f"第{i + 1}号：孩子上学路远",
                classification=Verdict(
                    "房屋土地" if roof else "教育文化", "其他", "困难需求", 1.0, False
                ),
                now=FROZEN_NOW,
            )
        roofs = [p.id for p in s.scalars(select(Problem)) if "屋顶" in p.text]
    first = wc.say("zhenzhang", "问题")
    assert "【问题清单】共45件（第1–20件，回复“更多”看下一页）：" in first
    second = wc.say("zhenzhang", "更多")
    assert "（第21–40件，回复“更多”看下一页）" in second
    assert second.split("\n")[1].startswith("#21 ") and "#20 " not in second
    last = wc.say("zhenzhang", "更多")
    assert "（第41–45件）" in last and "#45 " in last and "回复“更多”" not in last
    assert wc.say("zhenzhang", "更多") == "没有更多了。发送“问题”重新查看清单。"

    roof_page = wc.say("zhenzhang", "问题 房屋土地")
    assert f"共{len(roofs)}件（第1–20件" in roof_page
    rest = wc.say("zhenzhang", "更多")
    assert rest.split("\n")[1].startswith(f"#{roofs[20]} ") and "孩子上学" not in rest
    assert f"（第21–{len(roofs)}件）" in rest


def test_a_large_units_progress_reads_the_minutes_snapshot_and_says_when(
    runtime: Runtime, wc: WecomTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = seed_visits(runtime)
    monkeypatch.setattr(snapshot, "LIVE_UNITS", 1)  # the town's subtree counts as large
    with runtime.unit_of_work() as s:
        add_problem(s, w, "张三", "xiaoli", "屋顶漏水好几年了", FROZEN_NOW - timedelta(days=5))
    live = wc.say("zhenzhang", "进度")
    assert "未办结 1 件（登记 1、交办 0、办理中 0），其中逾期 1 件" in live
    assert "统计于" not in live  # no snapshot yet: counted live
    with runtime.unit_of_work() as s:
        result = coverage_snapshot.run(s, FROZEN_NOW - timedelta(seconds=30), runtime.config)
    assert result.notes[0].endswith("problem row(s) counted")
    with runtime.unit_of_work() as s:  # 辛 is covered and a problem raised after the count
        add_problem(s, w, "张三", "xiaoli", "村道路灯坏了", FROZEN_NOW)
        campaign = s.scalars(select(Campaign)).one()
        target = s.scalars(select(Target).where(Target.head_name == "辛")).one()
        s.add(
            Visit(
                campaign_id=campaign.id,
                target_id=target.id,
                cadre_id=w.cadre("zongzhi").id,
                template="yizou_erwen_sankan",
                outcome="visited",
                started_at=FROZEN_NOW,
                submitted_at=FROZEN_NOW,
            )
        )
    counted = wc.say("zhenzhang", "进度")
    local = (FROZEN_NOW - timedelta(seconds=30)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"（户数和问题数统计于 {local:%H:%M}，每分钟更新一次）" in counted
    assert counted.startswith("【虹桥镇 走访进度】应走访 9 户，已覆盖 5 户（56%）")
    assert counted.replace(f"（户数和问题数统计于 {local:%H:%M}，每分钟更新一次）\n", "") == live

    village = wc.say("cunzhishu", "进度")  # a small unit is counted live, always
    assert "统计于" not in village

    with runtime.unit_of_work() as s:
        coverage_snapshot.run(s, FROZEN_NOW, runtime.config)
    recounted = wc.say("zhenzhang", "进度")
    assert recounted.startswith("【虹桥镇 走访进度】应走访 9 户，已覆盖 6 户")
    assert "未办结 2 件（登记 2、交办 0、办理中 0），其中逾期 1 件" in recounted
