"""The visit handler through the real webhook (Flask test client, encrypted callbacks)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import create_app
from bot.runtime import Runtime
from scheduler.jobs_visits import download_visit_media
from storage.models import DialogSession, OutboxMessage, Problem, Target, Visit, VisitMedia
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient

NO_PROBLEM = ["是", "1", "否", "1", "1", "1", "1"]


def test_a_visit_is_saved_with_its_problems(runtime: Runtime, wc: WecomTestClient) -> None:
    roster = seed(runtime)
    listing = wc.say(CADRE, "走访")
    assert "李二 3组 8号 ★重点" in listing and "刘五" not in listing  # only own targets
    assert wc.say(CADRE, "王大").startswith("王大（3组 15号）：在家吗？")
    wc.say(CADRE, "在家")
    for answer in ["是", "有困难", "孩子上学路远，没有校车", "否", "2", "1", "1", "跳过"]:
        wc.say(CADRE, answer)
    assert "请核对 王大" in wc.say(CADRE, "1")
    saved = wc.say(CADRE, "确认")
    assert saved.startswith("已保存：王大（3组 15号）入户走访。")
    assert "【安全隐患】墙体有裂缝" in saved
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert (visit.target_id, visit.outcome, visit.cadre_id) == (
            roster.targets["王大"],
            "visited",
            roster.cadre_id,
        )
        assert visit.answers["difficulty"] == "孩子上学路远，没有校车"
        problems = {p.text: p for p in s.scalars(select(Problem))}
        assert problems["墙体有裂缝"].kind == "安全隐患"
        assert problems["墙体有裂缝"].category == "房屋土地"
        assert not problems["墙体有裂缝"].needs_review
        assert problems["孩子上学路远，没有校车"].kind == "困难需求"
        session_row = s.scalars(select(DialogSession)).one()
        assert session_row.state == "idle"


def test_choice_questions_come_as_cards_and_clicks_answer(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    with runtime.unit_of_work() as s:
        card = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        task = card.payload["template_card"]["task_id"]
        assert card.payload["template_card"]["card_type"] == "button_interaction"
        assert [b["key"] for b in card.payload["template_card"]["button_list"]] == [
            "home:in",
            "home:out",
            "home:appt",
        ]
    resp = wc.post(wc.signer.card_click(CADRE, "home:in", task, response_code="rc-1"))
    assert "在家的家庭成员都见到了吗" in wc.reply(resp)
    with runtime.unit_of_work() as s:
        update = s.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "update_card")
        ).one()
        assert update.payload == {"response_code": "rc-1", "button": {"replace_name": "已提交"}}
    stale = wc.post(wc.signer.card_click(CADRE, "home:out", task))
    assert "卡片已过期" in wc.reply(stale)
    with runtime.unit_of_work() as s:
        assert s.scalars(select(DialogSession)).one().state == "question:all_met"


def test_not_at_home_twice_tells_the_leader(runtime: Runtime, wc: WecomTestClient) -> None:
    roster = seed(runtime)
    for when in ("今晚8点", "明晚8点"):
        wc.say(CADRE, "走访")
        wc.say(CADRE, "陈三")
        wc.say(CADRE, "约访")
        assert wc.say(CADRE, when).startswith("已保存：陈三（5组 2号）约访")
    with runtime.unit_of_work() as s:
        visits = s.scalars(select(Visit).order_by(Visit.id)).all()
        assert [v.outcome for v in visits] == ["appointment", "appointment"]
        to_leader = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == LEADER)).all()
        assert len(to_leader) == 1
        assert "陈三" in to_leader[0].payload["text"]["content"]
        assert roster.targets["陈三"] == visits[0].target_id
    listing = wc.say(CADRE, "走访")
    assert "陈三 5组 2号（约访 11-24 20:00）" in listing


def test_new_household_is_registered_for_review(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "新增")
    wc.say(CADRE, "赵大 6组1号 13900000000")
    wc.say(CADRE, "不在家")
    wc.say(CADRE, "1")
    wc.say(CADRE, "去年，浙江宁波，建筑工")
    assert wc.say(CADRE, "1").startswith("已保存：赵大")
    with runtime.unit_of_work() as s:
        target = s.scalars(select(Target).where(Target.head_name == "赵大")).one()
        assert target.needs_review and target.registered_by_id is not None
        visit = s.scalars(select(Visit)).one()
        assert visit.outcome == "away" and visit.answers["occupation"] == "建筑工"
    assert "赵大" not in wc.say(CADRE, "走访")  # done now, no longer on the to-do list


def test_a_fresh_app_continues_the_conversation(runtime: Runtime, config) -> None:
    seed(runtime)
    first = WecomTestClient.for_app(create_app(runtime=runtime))
    first.say(CADRE, "走访")
    first.say(CADRE, "王大")
    first.say(CADRE, "在家")
    assert "一问家庭情况" in first.say(CADRE, "是")
    runtime.close()  # the server is killed between two messages
    fresh = Runtime.from_config(config, clock=runtime.clock)
    try:
        again = WecomTestClient.for_app(create_app(runtime=fresh), seed=99)
        assert "二问意见建议" in again.say(CADRE, "1")
        for answer in ["否", "1", "1", "1", "1"]:
            again.say(CADRE, answer)
        assert again.say(CADRE, "1").startswith("已保存：王大")
        with fresh.unit_of_work() as s:
            visit = s.scalars(select(Visit)).one()
            assert visit.answers["all_met"] == "yes" and visit.answers["family"] == "fine"
    finally:
        fresh.close()


def test_pause_survives_and_resumes(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    wc.say(CADRE, "在家")
    assert "已暂停" in wc.say(CADRE, "暂停")
    assert "未完成的走访：王大" in wc.say(CADRE, "走访")
    assert "在家的家庭成员都见到了吗" in wc.say(CADRE, "继续")
    with runtime.unit_of_work() as s:
        row = s.scalars(select(DialogSession)).one()
        assert row.state == "question:all_met" and row.updated_at == runtime.clock()


def test_photo_is_downloaded_and_linked_to_the_visit(api_runtime: Runtime) -> None:
    seed(api_runtime)
    wc = WecomTestClient.for_app(create_app(runtime=api_runtime))
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    resp = wc.post(wc.signer.image(CADRE, "MEDIA-42"))
    assert "已收到照片（本户第1张）" in wc.reply(resp)
    wc.post(wc.signer.location(CADRE, 28.7, 113.6, "王大家"))
    wc.say(CADRE, "不在家")
    wc.say(CADRE, "1")
    assert wc.say(CADRE, "春节后，广东东莞，务工").startswith("请核对")
    assert wc.say(CADRE, "1").startswith("已保存：王大")
    with api_runtime.unit_of_work() as s:
        assert s.scalars(select(VisitMedia)).one().content is None  # not fetched in the callback
    assert download_visit_media(api_runtime, api_runtime.clock()) == 1
    with api_runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert (visit.latitude, visit.longitude) == (28.7, 113.6)
        media = s.scalars(select(VisitMedia)).one()
        assert media.visit_id == visit.id and media.content.startswith(b"\xff\xd8")


def test_amend_replaces_answers_and_registered_problems(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    for answer in ["在家", "是", "1", "是", "希望装路灯", "1", "1", "1", "1", "1"]:
        wc.say(CADRE, answer)
    assert "24小时内提交的记录" in wc.say(CADRE, "修改")
    assert "请核对 王大" in wc.say(CADRE, "1")
    wc.say(CADRE, "改4")
    assert wc.say(CADRE, "希望修通组级公路").startswith("请核对")
    assert wc.say(CADRE, "1").startswith("已修改：王大")
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert visit.answers["suggestion"] == "希望修通组级公路"
        assert visit.amended_at == runtime.clock()
        assert [p.text for p in s.scalars(select(Problem))] == ["希望修通组级公路"]
