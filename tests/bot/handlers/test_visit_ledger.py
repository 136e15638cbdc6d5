"""A saved visit meets the ledger: numbers and categories in the reply, one correction
card per new problem, and an amendment that keeps what did not change."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import OutboxMessage, Problem, ProblemEvent
from tests.support.roster import CADRE, seed
from tests.support.wecom import WecomTestClient

VISIT = ["走访", "王大", "在家", "是", "有困难", "孙子上学的学费交不起", "否", "2", "1", "1"]


def correction_cards(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as s:
        return [
            r.payload["template_card"]["task_id"]
            for r in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if r.payload.get("msgtype") == "template_card"
            and r.payload["template_card"]["task_id"].startswith("ledger-reclass-")
        ]


def test_amending_keeps_unchanged_problems_and_their_corrections(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    for line in VISIT:
        wc.say(CADRE, line)
    wc.say(CADRE, "跳过")
    wc.say(CADRE, "1")
    saved = wc.say(CADRE, "确认")
    assert "1. 【困难需求】孙子上学的学费交不起 → 问题#1，类别：教育文化" in saved
    assert "2. 【安全隐患】墙体有裂缝 → 问题#2，类别：房屋土地" in saved
    assert correction_cards(runtime) == ["ledger-reclass-1-1", "ledger-reclass-2-1"]
    assert "社会保障" in wc.say(CADRE, "改类 1 6")  # the cadre corrects the guess

    assert "24小时内提交的记录" in wc.say(CADRE, "修改")
    wc.say(CADRE, "1")
    wc.say(CADRE, "改4")  # 二问意见建议: 否 -> 是, which asks for the suggestion
    assert "请记下意见建议" in wc.say(CADRE, "是")
    assert "将登记问题 3 条" in wc.say(CADRE, "希望修通组级公路")
    amended = wc.say(CADRE, "1")
    assert amended.startswith("已修改：王大")
    assert "孙子上学的学费交不起 → 问题#1，类别：社会保障" in amended  # kept, corrected
    assert "墙体有裂缝 → 问题#2" in amended
    assert "希望修通组级公路 → 问题#3" in amended
    assert correction_cards(runtime)[2:] == ["ledger-reclass-3-1"]  # only the new one
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(Problem).order_by(Problem.id)).all()
        assert [(p.id, p.text, p.category) for p in rows] == [
            (1, "孙子上学的学费交不起", "社会保障"),
            (2, "墙体有裂缝", "房屋土地"),
            (3, "希望修通组级公路", rows[2].category),
        ]
        actions = s.scalars(select(ProblemEvent.action).where(ProblemEvent.problem_id == 1))
        assert list(actions) == ["register", "reclassify"]


def test_amending_drops_a_problem_no_longer_raised(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    for line in VISIT:
        wc.say(CADRE, line)
    wc.say(CADRE, "跳过")
    wc.say(CADRE, "1")
    wc.say(CADRE, "确认")
    wc.say(CADRE, "修改")
    wc.say(CADRE, "1")
    wc.say(CADRE, "改5")  # 一看房前屋后: 墙体有裂缝 -> 无异常
    assert "将登记问题 1 条" in wc.say(CADRE, "1")
    amended = wc.say(CADRE, "1")
    assert "墙体有裂缝" not in amended and "问题#1" in amended
    with runtime.unit_of_work() as s:
        assert [p.text for p in s.scalars(select(Problem))] == ["孙子上学的学费交不起"]
