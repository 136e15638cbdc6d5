"""Engine transcripts: fallbacks, re-asks, problems, not-at-home loop, amend, media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dialogs import state as st
from bot.dialogs.contracts import (
    AmendVisit,
    AttachMedia,
    FlagNotHomeTwice,
    Message,
    RecentVisit,
)
from tests.support.dialogs import NOW


def start(c, who="张三"):
    c.say("走访")
    c.say(who)
    return c.say("在家")


def test_hazards_become_problems_with_the_templates_kinds(chat):
    c = chat()
    start(c)
    c.say("是")
    c.say("有困难")
    assert "请说说存在的困难" in c.replies[-1].text
    c.say("老人腿脚不便，看病难")
    c.say("否")
    c.say("2 5")  # 墙体有裂缝, 阳沟不通畅
    c.say("无异常")
    c.say("都正常")
    assert c.state.step == "question:details"
    c.say("跳过")
    c.say("1")
    summary = c.replies[-1].text
    assert "将登记问题 3 条" in summary
    reply = c.say("1")
    assert "登记问题 3 条" in reply and "【安全隐患】墙体有裂缝" in reply
    problems = c.saved().problems
    assert [(p.kind, p.text, p.classify) for p in problems] == [
        ("困难需求", "老人腿脚不便，看病难", True),
        ("安全隐患", "墙体有裂缝", False),
        ("困难需求", "阳沟不通畅", False),
    ]
    assert problems[1].category == "房屋土地" and problems[1].category_alt == "居住环境"
    assert "details" not in c.saved().answers  # skipped optional answers are not saved


def test_wrong_answer_is_reasked_with_the_constraint_message_and_nothing_lost(chat):
    c = chat("changzhou_household")
    start(c)
    c.say("1")
    before = c.state
    assert "家庭成员数应在 1 到 30 之间" in c.say("0")
    assert c.state.answers == before.answers and c.state.step == before.step
    assert "请回复一个整数" in c.say("很多")
    assert c.state.answers == before.answers
    assert "家庭收入" in c.say("4人")
    assert c.state.answers["members"] == 4 and c.state.answers["phone"] == "13800000001"


def test_back_then_forward_returns_to_the_same_question(chat):
    c = chat()
    start(c)
    c.say("是")
    c.say("1")
    here = c.state.step
    assert here == "question:has_suggestion"
    c.say("上一步")
    assert c.state.step == "question:family"
    assert "原回答：家庭正常" in c.replies[-1].text
    c.say("1")
    assert c.state.step == here


def test_back_drops_answers_that_are_no_longer_relevant(chat):
    c = chat()
    start(c)
    c.say("是")
    c.say("有困难")
    c.say("孩子上学远")
    assert c.state.answers["difficulty"] == "孩子上学远"
    c.say("上一步")
    c.say("上一步")
    assert c.state.step == "question:family"
    c.say("家庭正常，没有困难")
    assert "difficulty" not in c.state.answers
    assert c.state.step == "question:has_suggestion"


def test_skip_only_optional_questions(chat):
    c = chat()
    start(c)
    assert "必须回答" in c.say("跳过")
    assert c.state.step == "question:all_met"


def test_cancel_needs_confirmation(chat):
    c = chat()
    start(c)
    c.say("是")
    assert "确定放弃 张三" in c.say("取消")
    c.say("2")
    assert c.state.step == "question:family" and c.state.answers == {"all_met": "yes"}
    c.say("取消")
    assert "已放弃" in c.say("1")
    assert c.state.step == st.IDLE and c.state.target is None
    assert not c.effects


def test_pause_then_next_message_offers_to_resume(chat):
    c = chat()
    start(c)
    c.say("是")
    assert "已暂停" in c.say("暂停")
    offer = c.say("你好")
    assert "未完成的走访：张三" in offer and "一问家庭情况" in offer
    c.say("继续")
    assert c.state.step == "question:family" and c.state.answers == {"all_met": "yes"}


def test_draft_idle_for_12_hours_is_offered_for_resumption(chat):
    c = chat()
    start(c)
    c.later(hours=13)
    assert "未完成的走访" in c.say("1")
    assert c.state.answers == {}  # the "1" was not taken as an answer
    c.say("1")
    assert c.state.step == "question:all_met"


def test_progress_and_help_keep_the_question(chat):
    c = chat()
    start(c)
    before = c.state.step
    reply = c.say("进度")
    assert "入户走访 3 户，电话联系 1 户，不在家已登记 0 户，共应走访 10 户（完成 40%）" in reply
    assert "剩余重点对象 2 户" in reply and "还有 38 天" in reply
    assert "在家的家庭成员都见到了吗" in reply
    assert "上一步" in c.say("帮助")
    assert c.state.step == before


def test_pick_by_number_fragment_and_typo(chat):
    c = chat()
    listing = c.say("走访")
    assert listing.index("★重点") < listing.index("张三")  # key targets first
    assert "周九" not in listing  # already visited
    assert c.say("5").startswith("张三")
    c.say("取消") if c.state.step != st.AT_HOME else None
    for query in ("3组15号", "张山", "15号"):
        c.state = st.DialogState()
        c.say("走访")
        assert c.say(query).startswith("张三（3组 15号）"), query
    c.state = st.DialogState()
    c.say("走访")
    assert "没有找到" in c.say("欧阳娜娜")


def test_fullwidth_digits_pick_and_superscripts_do_not_crash(chat):
    c = chat()
    c.say("走访")
    assert c.say("５").startswith("张三")  # a Chinese keyboard's fullwidth 5
    c.state = st.DialogState()
    c.say("走访")
    assert "张三" not in c.say("²").split("\n")[0]  # found by Hypothesis: no crash, no pick


def test_buttons_and_card_ticks_are_accepted(chat):
    c = chat()
    c.say("走访")
    c.tap("pick:1")
    c.tap("home:in")
    reply = c.replies[-1]
    assert [b.key for b in reply.buttons] == ["a:yes", "a:no"]
    c.tap("a:yes")
    c.tap("a:fine")
    c.tap("a:no")
    assert c.replies[-1].multi
    assert "不能和其他选项同时选" in c.tick("ok", "wall_crack")
    c.tick("ok")
    assert c.state.answers["outside"] == ["ok"]


def test_key_target_not_home_is_logged_as_phone_contact(chat):
    c = chat()
    c.say("走访")
    c.say("李四")
    assert "须电话联系" in c.say("不在家")
    c.say("1")
    c.say("是")
    c.say("说村道路灯坏了")
    assert c.say("1").startswith("已保存：李四")
    saved = c.saved()
    assert saved.outcome == "phone" and saved.answers["reached"] == "yes"
    assert saved.problems[0].text == "说村道路灯坏了"


def test_appointment_keeps_the_time_and_second_not_home_is_flagged(chat):
    c = chat()
    c.say("走访")
    c.say("王五")  # not at home once before
    c.say("约访")
    assert "没看懂时间" in c.say("过两天吧")
    reply = c.say("今晚7点半")
    assert reply.startswith("已保存：王五（5组 2号）约访 11-23 19:30")
    saved = c.saved()
    assert saved.outcome == "appointment"
    assert saved.appointment_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)
    assert FlagNotHomeTwice(3, "王五") in c.effects


def test_new_target_is_registered_with_the_visit(chat):
    c = chat()
    c.say("新增")
    assert "已记下新户 赵大" in c.say("赵大 6组1号 13900000000")
    c.say("不在家")
    c.say("1")
    c.say("去年，浙江宁波，建筑工")
    c.say("1")
    saved = c.saved()
    assert saved.target_id is None
    assert saved.new_target.name == "赵大" and saved.new_target.phone == "13900000000"
    assert saved.new_target.address == "6组1号"


def test_amend_within_24_hours(chat):
    visit = RecentVisit(
        41,
        1,
        "张三",
        "3组15号",
        "visited",
        NOW - timedelta(hours=2),
        {
            "all_met": "yes",
            "family": "fine",
            "has_suggestion": "no",
            "outside": ["ok"],
            "inside": ["ok"],
            "family_life": ["ok"],
            "publicity": ["all"],
        },
    )
    c = chat(recent=(visit,))
    assert "张三" in c.say("修改")
    assert "请核对 张三" in c.say("1")
    c.say("改3")
    assert c.state.step == "question:has_suggestion"
    c.say("是")
    c.say("希望修通组级公路")
    assert c.say("1").startswith("已修改")
    amend = [e for e in c.effects if isinstance(e, AmendVisit)][0]
    assert amend.visit_id == 41 and amend.answers["suggestion"] == "希望修通组级公路"
    assert [p.kind for p in amend.problems] == ["意见建议"]
    c.later(hours=23)
    assert "没有可修改" in c.say("修改")


def test_photo_and_location_go_with_the_visit(chat):
    c = chat()
    assert "先回复「走访」" in c.send(Message(image_media_id="MEDIA1"))
    start(c)
    assert "本户第1张" in c.send(Message(image_media_id="MEDIA1"))
    c.send(Message(latitude=28.7, longitude=113.6))
    assert c.state.step == "question:all_met"
    for answer in ("是", "1", "否", "1", "1", "1", "1", "1"):
        c.say(answer)
    saved = c.saved()
    assert saved.media_ids == ("MEDIA1",)
    assert (saved.latitude, saved.longitude) == (28.7, 113.6)
    assert AttachMedia("MEDIA1") in c.effects


def test_target_type_decides_the_fangminqing_questions(chat):
    for who, first in (("钱七", "生产经营情况"), ("赵六", "致贫致困原因"), ("孙八", "意见建议")):
        c = chat("fangminqing")
        c.say("走访")
        c.say(who)
        assert first in c.say("在家"), who


def test_a_draft_survives_a_template_switch(chat):
    c = chat()
    start(c)
    c.say("是")
    c.say("有困难")
    assert c.state.step == "question:difficulty"
    other = chat("changzhou_household")
    other.state = c.state
    reply = other.say("1")  # the stored step does not exist there: asked afresh, no crash
    assert other.state.template == "changzhou_household"
    assert other.state.answers == {"phone": "13800000001"}  # 1 = keep the roster's phone
    assert other.state.step == "question:members" and "家庭成员数" in reply
