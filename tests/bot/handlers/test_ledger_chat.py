"""The ledger by chat, through the webhook with real encrypted callbacks.

Story: a visit raised problems; the town leader lists them, 交办s one to 镇综治办,
the office accepts it, the leader closes it, the finding cadre gets the 回访 prompt
and logs the follow-up. Around it: refusals, scopes, the one-tap correction.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.handlers.ledger_service import reclassify_card
from bot.ledger.classify import classify
from storage.models import Cadre, OutboxMessage, Problem, Visit
from storage.problems import RaisedItem, create_from_visit, history
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import build_world


@pytest.fixture
def ledger(runtime):
    """The roster plus a saved visit at 张三's that raised two problems (#1, #2)."""
    with runtime.unit_of_work() as s:
        w = build_world(s)
        visit = Visit(
            campaign_id=1,
            target_id=w.targets["张三"].id,
            cadre_id=w.cadre("xiaoli").id,
            template="yizou_erwen_sankan",
            outcome="visited",
            started_at=FROZEN_NOW - timedelta(hours=1),
            submitted_at=FROZEN_NOW - timedelta(hours=1),
        )
        s.add(visit)
        s.flush()
        made = create_from_visit(
            s,
            visit,
            [
                RaisedItem("屋顶漏水好几年了，一下雨就得拿盆接", "erwen_difficulty"),
                RaisedItem("隔壁老王家的牛老是吃我家的菜", "erwen_dispute"),
            ],
            classify,
            FROZEN_NOW - timedelta(hours=1),
        )
        assert [p.id for p in made] == [1, 2]
    return w


def outbox_to(runtime, userid):
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [r.payload["text"]["content"] for r in rows if userid in r.recipient.split("|")]


def problem(runtime, pid=1):
    with runtime.unit_of_work() as s:
        return s.get(Problem, pid)


def test_assign_close_and_follow_up_by_chat(wc, runtime, ledger):
    listing = wc.say("zhenzhang", "问题")
    assert "#1 [登记] 房屋土地/困难需求 张三：屋顶漏水" in listing
    assert "#2 [登记] 平安治理/矛盾纠纷" in listing
    assert "交办 11月25日前" in listing  # the clock, in Shanghai dates

    assert (
        wc.say("zhenzhang", "交办 1 镇综治办 5天")
        == "已交办：问题#1 → 镇综治办（镇村解决），期限11月28日。承办单位已收到通知。"
    )
    [notice] = outbox_to(runtime, "zongzhi")
    assert notice.startswith("【问题交办】问题#1已交办给镇综治办") and "屋顶漏水" in notice

    assert wc.say("zongzhi", "受理 1").startswith("已受理：问题#1")
    assert (
        wc.say("zhenzhang", "办结 1 已找人把屋顶补好") == "已办结：问题#1。已请发现问题的干部回访。"
    )
    [prompt] = outbox_to(runtime, "xiaoli")
    assert "【请回访】" in prompt and "已找人把屋顶补好" in prompt
    assert "可电话回访" in prompt and "回访 1 满意/基本满意/不满意" in prompt

    assert wc.say("xiaoli", "回访 1 满意 群众说修得好") == "已登记回访：问题#1，群众评价“满意”。"
    p = problem(runtime)
    assert (p.status, p.satisfaction) == ("followed_up", "满意")
    with runtime.unit_of_work() as s:
        assert [e.action for e in history(s, 1)] == [
            "register",
            "assign",
            "start",
            "solve",
            "follow_up",
        ]
    assert "已回访" in wc.say("zhenzhang", "问题 1")


def test_dispute_follow_up_is_in_person_and_dissatisfied_reopens(wc, runtime, ledger):
    wc.say("zhenzhang", "交办 2 镇综治办")
    wc.say("zhenzhang", "解释 2 已调解，双方同意拴好牛")
    [prompt] = outbox_to(runtime, "xiaoli")
    assert "请上门回访" in prompt
    reply = wc.say("xiaoli", "回访 2 不满意 牛还在吃菜")
    assert reply == "已登记回访：问题#2 群众不满意，已重新打开（办理中）。"
    assert any(n.startswith("【问题重办】问题#2") for n in outbox_to(runtime, "zongzhi"))
    assert problem(runtime, 2).status == "in_progress"


def test_refusals_change_nothing(wc, runtime, ledger):
    assert "只有负责人可以交办" in wc.say("xiaoli", "交办 1 镇综治办")
    assert wc.say("waizhen", "问题 1") == "找不到问题#1，或它不在您的范围内。"
    assert wc.say("waizhen", "交办 1 镇综治办") == "找不到问题#1，或它不在您的范围内。"
    assert "找不到单位“火星办”" in wc.say("zhenzhang", "交办 1 火星办")
    assert "天数写法不对" in wc.say("zhenzhang", "交办 1 镇综治办 一周")
    assert "请写问题编号" in wc.say("zhenzhang", "办结 一号")
    assert "不能办结" in wc.say("zhenzhang", "办结 1 修好了")
    assert "不认识的筛选条件" in wc.say("zhenzhang", "问题 明天")
    assert "不能回访" in wc.say("zhenzhang", "回访 1 满意")
    p = problem(runtime)
    assert (p.status, p.version) == ("registered", 1)
    assert outbox_to(runtime, "zongzhi") == []


def test_a_second_assign_tells_who_won(wc, runtime, ledger):
    wc.say("zhenzhang", "交办 1 镇综治办 5天")
    reply = wc.say("guanli", "交办 1 二村 3天")
    assert "当前是「交办」，不能交办" in reply
    assert "最近一次：镇长" in reply and "交办" in reply
    assert problem(runtime).assignee_unit_id == ledger.unit("镇综治办")


def test_scopes_in_chat(wc, runtime, ledger):
    assert "#1" in wc.say("xiaoli", "问题")  # her assigned household
    assert wc.say("xiaowang", "问题") == "没有符合条件的问题。"
    assert wc.say("waizhen", "问题") == "没有符合条件的问题。"
    assert "#1" in wc.say("cunzhishu", "问题 房屋土地")
    assert "#1" not in wc.say("cunzhishu", "问题 平安治理")


def test_overdue_filter_and_extension(wc, runtime, ledger, clock_moved):
    assert wc.say("zhenzhang", "问题 逾期") == "没有符合条件的问题。"
    assert wc.say("zhenzhang", "问题逾期") == "没有符合条件的问题。"
    clock_moved(days=3)
    late = wc.say("zhenzhang", "问题 逾期")
    assert "#1" in late and "交办 已超期1天" in late
    wc.say("zhenzhang", "交办 1 镇综治办 2天")
    assert "只有交办这个问题的负责人可以延期" in wc.say("guanli", "延期 1 3天 等材料")
    assert wc.say("zhenzhang", "延期 1 3天 等市里的材料").startswith("已延期：问题#1")
    assert "已经延期过一次" in wc.say("zhenzhang", "延期 1 3天 还要等")


def test_one_tap_correction_and_typed_number(wc, runtime, ledger):
    with runtime.unit_of_work() as s:
        payload = reclassify_card(s.get(Problem, 1), "changzhou")
    buttons = payload["template_card"]["button_list"]
    assert len(buttons) == 6 and "房屋土地" not in [b["text"] for b in buttons]
    medical = next(b for b in buttons if b["text"] == "医疗卫生")
    resp = wc.post(
        wc.signer.card_click("xiaoli", medical["key"], payload["template_card"]["task_id"])
    )
    assert wc.reply(resp) == "已更正：问题#1 类别为“医疗卫生”（柴胡店口径“居住环境”）。"
    assert wc.say("xiaoli", "改类 1 1").startswith("已更正：问题#1 类别为“房屋土地”")
    assert "请写1到7之间的序号" in wc.say("xiaoli", "改类 1 9")
    assert wc.say("xiaowang", "改类 1 2") == "找不到问题#1，或它不在您的范围内。"
    with runtime.unit_of_work() as s:
        assert [e.note for e in history(s, 1) if e.action == "reclassify"] == [
            "房屋土地 → 医疗卫生",
            "医疗卫生 → 房屋土地",
        ]


def test_help_lists_the_ledger_commands(wc, ledger):
    assert "交办 12 综治办" in wc.say("xiaoli", "帮助")


def test_an_assignment_notice_reaches_only_people_who_may_see_the_problem(wc, runtime, ledger):
    # Assigned to the whole town: the notice (household name and problem text) must
    # not fan out to every cadre of the town's villages and offices, who cannot open
    # the problem (it is not their target, not theirs to handle).
    assert wc.say("zhenzhang", "交办 1 虹桥镇 5天").startswith("已交办：问题#1 → 虹桥镇")
    for userid in ("xiaowang", "zongzhi"):
        assert wc.say(userid, "问题 1") == "找不到问题#1，或它不在您的范围内。"
        assert outbox_to(runtime, userid) == []


def test_a_sensitive_problem_is_told_to_the_assignee_units_leaders_only(wc, runtime, ledger):
    with runtime.unit_of_work() as s:
        office = ledger.unit("镇综治办")
        s.add(Cadre(userid="zongzhizhuren", name="综治办主任", unit_id=office, role="leader"))
        visit = s.scalars(select(Visit)).one()
        made = create_from_visit(
            s, visit, [RaisedItem("有邪教标志或书刊", "sankan_safety")], classify, FROZEN_NOW
        )
        assert [p.id for p in made] == [3]
    assert wc.say("zhenzhang", "交办 3 镇综治办 5天").startswith("已交办：问题#3 → 镇综治办")
    assert any("有邪教标志或书刊" in t for t in outbox_to(runtime, "zongzhizhuren"))
    assert outbox_to(runtime, "zongzhi") == []  # office staff: not told
    # an ordinary problem still reaches the whole office
    assert wc.say("zhenzhang", "交办 1 镇综治办 5天").startswith("已交办：问题#1 → 镇综治办")
    assert any("屋顶漏水" in t for t in outbox_to(runtime, "zongzhi"))


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("交办 1 县综治办 5天", "您是不是要写：镇综治办？"),  # a near miss
        ("交办 1 火星办", "可交办的单位如：镇综治办、"),  # nothing close: offices first
        ("交办 1", "请写承办单位"),
    ],
)
def test_an_unknown_unit_gets_an_example_that_works(wc, runtime, ledger, typed, hint):
    reply = wc.say("zhenzhang", typed)
    assert hint in reply and "例如：交办 1 " in reply
    assert problem(runtime).status == "registered"  # the refusal changed nothing
    example = reply.rsplit("例如：", 1)[1]
    assert wc.say("zhenzhang", example).startswith("已交办：问题#1 → 镇综治办")
