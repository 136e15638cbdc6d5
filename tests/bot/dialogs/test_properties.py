"""Hypothesis: random message sequences against every template keep the engine's promises.

- it never crashes, and every state survives the JSON round trip;
- a confirmed answer is never lost while the draft is open (only 上一步 to a question
  that makes it irrelevant removes it);
- back then forward returns to the same question;
- a submitted visit holds every required and relevant answer, and nothing irrelevant.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as hs

from bot.dialogs import flows, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import AmendVisit, Message, SaveVisit
from bot.dialogs.template import available, load_named
from tests.bot.dialogs.test_place_targets import SHOP
from tests.support.dialogs import TARGETS, Chat

WITH_SHOP = (*TARGETS, SHOP)  # a place too: 有人接待吗 and its own not-received questions

TEMPLATES = {name: load_named(name) for name in available()}
WORDS = [
    "走访",
    "新增",
    "修改",
    "上一步",
    "跳过",
    "取消",
    "暂停",
    "进度",
    "帮助",
    "继续",
    "放弃",
    "1",
    "2",
    "3",
    "12",
    "1 3",
    "确认",
    "在家",
    "不在家",
    "约访",
    "是",
    "否",
    "改1",
    "改9",
    "今晚7点",
    "明天下午3点",
    "张三",
    "3组",
    "更多",
    "赵大 6组1号",
    "无异常",
    "-",
    "0",
]
BUTTONS = [
    "a:ok",
    "a:yes",
    "a:no",
    "a:fine",
    "a:none",
    "home:in",
    "home:out",
    "home:appt",
    "confirm:yes",
    "pick:1",
    "pick:2",
    "pick:99",
    "resume:yes",
    "resume:no",
    "cancel:yes",
    "cancel:no",
    "cmd:back",
    "cmd:skip",
    "cmd:cancel",
    "cmd:pause",
    "cmd:bogus",
    "a:__prefill__",
]
garbage = hs.one_of(
    hs.sampled_from(WORDS).map(lambda t: Message(text=t)),
    hs.sampled_from(BUTTONS).map(lambda b: Message(button=b)),
    hs.text(max_size=40).map(lambda t: Message(text=t)),
    hs.just(Message(text="😀🙏🏠" * 3)),
    hs.just(Message(text="很长的回答" * 1000)),
    hs.lists(hs.sampled_from(["ok", "all", "wall_crack", "x", "none", "clean"]), max_size=3).map(
        lambda s: Message(selected=tuple(s))
    ),
    hs.just(Message(image_media_id="M1")),
    hs.just(Message(latitude=28.1, longitude=113.2)),
)


def valid_answer(c: Chat, data) -> Message:
    """A plausible answer to whatever the cadre is being asked now."""
    step = c.state.step
    active = flows.section_template(c.template, c.state)
    if step.startswith(st.QUESTION_PREFIX):
        q = active.question(step[len(st.QUESTION_PREFIX) :])
        if q.choice_list:
            ids = [ch.id for ch in q.choice_list]
            if q.type == "select_multiple":
                return Message(selected=(data.draw(hs.sampled_from(ids)),))
            return Message(button="a:" + data.draw(hs.sampled_from(ids)))
        return Message(
            text={
                "integer": "3",
                "decimal": "2.5",
                "phone": "13900000000",
                "date": "2026-03-01",
            }.get(q.type, "房子漏雨")
        )
    if step.startswith(st.GROUP_PREFIX):
        group = next(g for g in active.groups if g.id == step[len(st.GROUP_PREFIX) :])
        sample = {"integer": "3", "decimal": "2.5", "phone": "13900000000", "date": "2026-03-01"}
        return Message(text=" ".join(sample.get(q.type, "无") for q in group.questions))
    return Message(
        text=data.draw(hs.sampled_from(["走访", "1", "2", "确认", "在家", "不在家", "继续"]))
    )


def check_save(c: Chat, effect) -> None:
    if isinstance(effect, SaveVisit) and effect.outcome != "appointment":
        section = {"away": "away", "phone": "phone", "phone_missed": "phone"}.get(effect.outcome)
        if section == "away" and flows.is_place(c.last_target):
            section = "closed"  # a shop nobody received
        active = flows.builtin(section) if section else c.template
    elif isinstance(effect, AmendVisit):
        active = c.template
    else:
        return
    target = c.last_target
    relevant = {q.id for q in walk.relevant_questions(active, effect.answers, target)}
    assert set(effect.answers) <= relevant, "irrelevant answer saved"
    required = {q.id for q in walk.relevant_questions(active, effect.answers, target) if q.required}
    assert required <= set(effect.answers), (
        f"required answer missing: {required - set(effect.answers)}"
    )
    assert all(v is not None for v in effect.answers.values())


def check_no_loss(c: Chat, before: st.DialogState, message: Message) -> None:
    after = c.state
    same_draft = (
        before.target is not None
        and after.target == before.target
        and after.section == before.section
        and after.started_at == before.started_at
    )
    if not same_draft:
        return
    active = flows.section_template(c.template, after)
    env = walk.environment(active, after.answers, after.target)
    for qid, value in before.answers.items():
        if qid in after.answers:
            if after.answers[qid] != value:  # only the question being answered may change
                assert before.step.endswith(":" + qid) or before.step.startswith(st.GROUP_PREFIX)
            continue
        assert not walk.is_relevant(active, active.question(qid), env), f"lost answer {qid}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hs.data(), name=hs.sampled_from(sorted(TEMPLATES)))
def test_random_conversations_keep_the_invariants(data, name):
    other = TEMPLATES[data.draw(hs.sampled_from(sorted(TEMPLATES)))]
    cadres = [Chat(TEMPLATES[name], targets=WITH_SHOP), Chat(other, targets=WITH_SHOP)]
    for c in cadres:
        c.last_target = None
    for _ in range(data.draw(hs.integers(5, 60))):
        c = cadres[data.draw(hs.integers(0, 1))]  # two cadres' messages interleaved
        if data.draw(hs.integers(0, 20)) == 0:
            c.later(hours=13)
        message = valid_answer(c, data) if data.draw(hs.integers(0, 2)) else data.draw(garbage)
        before = c.state
        if before.target is not None:
            c.last_target = before.target
        n_effects = len(c.effects)
        c.send(message)
        json.dumps(c.state.to_dict())
        assert all(r.text for r in c.replies[-3:])
        check_no_loss(c, before, message)
        for effect in c.effects[n_effects:]:
            event(f"effect {type(effect).__name__} {getattr(effect, 'outcome', '')}")
            check_save(c, effect)


def answer_again(question, value) -> Message:
    if question.type == "select_multiple":
        return Message(selected=tuple(value))
    if question.choice_list:
        return Message(button="a:" + value)
    return Message(text=str(value))


@settings(max_examples=60, deadline=None)
@given(data=hs.data(), name=hs.sampled_from(sorted(TEMPLATES)))
def test_back_then_forward_returns_to_the_same_question(data, name):
    c = Chat(TEMPLATES[name])
    c.say("走访")
    c.say("1")
    if c.state.step == st.AT_HOME:
        c.say("在家")
    for _ in range(data.draw(hs.integers(1, 12))):
        if not c.state.step.startswith(st.QUESTION_PREFIX):
            break
        here = c.state.step
        c.send(valid_answer(c, data))
        there = c.state.step
        if not there.startswith(st.QUESTION_PREFIX) or there == here:
            continue
        c.say("上一步")
        assert c.state.step == here
        q = c.template.question(here[len(st.QUESTION_PREFIX) :])
        c.send(answer_again(q, c.state.answers[q.id]))
        assert c.state.step == there
