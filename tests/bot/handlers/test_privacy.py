"""Who sees what, tried from the chat (real webhook, real encrypted callbacks).

A cadre only ever reaches the targets assigned to them (plus those they registered)
and the problems in their scope; every attempt on someone else's — by list number,
by name or address fragment, by 修改, by problem number — is refused politely and
reveals nothing. A leader sees their unit subtree's problems and no other unit's.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.ledger.classify import classify
from bot.runtime import Runtime
from storage.models import Problem, Target, Visit
from storage.problems import create_problem
from tests.support.clock import FROZEN_NOW
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient, add_cadre

OTHER = "lisi"  # 李四, same village, owns 刘五
FAR_LEADER = "waicun"  # leader of another village
WALL_VISIT = ["走访", "刘五", "1", "是", "有困难", "老人看病报销太麻烦", "否", "2", "1", "1"]
NOT_FOUND = "找不到问题#{id}，或它不在您的范围内。"


def lisi_visits_liuwu(runtime: Runtime, wc: WecomTestClient) -> int:
    """李四 logs a visit at 刘五's with two problems; returns the wall problem's id."""
    for line in WALL_VISIT:
        wc.say(OTHER, line)
    wc.say(OTHER, "跳过")
    wc.say(OTHER, "1")
    assert wc.say(OTHER, "确认").startswith("已保存：刘五")
    with runtime.unit_of_work() as s:
        return s.scalars(select(Problem.id).where(Problem.text == "墙体有裂缝")).one()


def far_problem(runtime: Runtime) -> int:
    """A problem in another village (its own leader, its own household)."""
    with runtime.unit_of_work() as s:
        leader = add_cadre(s, FAR_LEADER, name="外村书记", unit="外村", role="leader")
        t = Target(head_name="赵六", unit_id=leader.unit_id, address="外村1号", categories=[])
        s.add(t)
        s.flush()
        text = "村口的桥塌了一半"
        p = create_problem(
            s, target_id=t.id, found_by_id=leader.id, text=text,
            classification=classify(text), now=FROZEN_NOW,
        )  # fmt: skip
        return p.id


def test_a_cadre_cannot_reach_another_cadres_household(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    listing = wc.say(CADRE, "走访")
    assert "共3户" in listing and "刘五" not in listing
    for attempt in ("刘五", "刘", "五"):  # by name or fragment
        reply = wc.say(CADRE, attempt)
        assert reply.startswith(f"没有找到「{attempt}」"), reply
    assert wc.say(CADRE, "5") == "没有第5号，请回复列表里的编号。"  # past my list
    assert "刘五" not in wc.say(CADRE, "更多")
    with runtime.unit_of_work() as s:
        assert s.scalars(select(Visit)).all() == []


def test_amend_offers_only_my_own_visits(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    lisi_visits_liuwu(runtime, wc)
    reply = wc.say(CADRE, "修改")
    assert reply == "24小时内没有可修改的走访记录。"
    assert "刘五" not in wc.say(CADRE, "1")
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert visit.amended_at is None
    # 李四 can amend it, and only he sees it in his list.
    assert "刘五" in wc.say(OTHER, "修改")


def test_a_cadre_sees_only_problems_in_scope(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wall = lisi_visits_liuwu(runtime, wc)
    far = far_problem(runtime)
    listing = wc.say(CADRE, "问题")
    assert "刘五" not in listing and "墙体有裂缝" not in listing and "赵六" not in listing
    for pid in (wall, far):
        for command in (f"问题 {pid}", f"改类 {pid} 1", f"回访 {pid} 满意", f"受理 {pid}"):
            assert wc.say(CADRE, command) == NOT_FOUND.format(id=pid), command
    # The owner sees his own.
    assert "墙体有裂缝" in wc.say(OTHER, f"问题 {wall}")
    with runtime.unit_of_work() as s:
        p = s.get(Problem, wall)
        assert (p.status, p.category) == ("registered", "房屋土地")


def test_a_leader_sees_only_their_unit_subtree(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wall = lisi_visits_liuwu(runtime, wc)
    far = far_problem(runtime)
    mine = wc.say(LEADER, "问题")
    assert f"#{wall} " in mine and "赵六" not in mine and "桥塌" not in mine
    assert wc.say(LEADER, f"问题 {far}") == NOT_FOUND.format(id=far)
    assert wc.say(LEADER, f"交办 {far} 测试村 7天") == NOT_FOUND.format(id=far)
    theirs = wc.say(FAR_LEADER, "问题")
    assert "赵六" in theirs and "刘五" not in theirs and "墙体有裂缝" not in theirs
    assert wc.say(FAR_LEADER, f"问题 {wall}") == NOT_FOUND.format(id=wall)
    with runtime.unit_of_work() as s:
        assert s.get(Problem, far).status == "registered"
